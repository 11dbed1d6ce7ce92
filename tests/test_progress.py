"""Long runs show posts done, the total and an ETA (on the terminal and in the Prefect UI)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from flows.engine.check_posts import Source
from flows.engine.progress import Progress
from flows.engine.steps import BATCH_SIZE, check_sources_on_cores
from flows.store.policy_files import load_policy


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_counts_and_reports_on_a_terminal() -> None:
    out = Terminal()
    progress = Progress(100, stream=out, every=0.0)
    for _ in range(4):
        progress.advance(25)
    lines = [line for line in out.getvalue().replace("\r", "\n").splitlines() if line]
    assert lines[0].startswith("25/100 posts checked (") and "ETA" in lines[0]
    assert lines[-1].startswith("100/100 posts checked") and lines[-1].endswith("done)")


def test_the_prefect_artifact_is_updated_less_often_than_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each artifact update is a request to the API server, which shares the cores with the review: at most one
    every ``prefect_every`` seconds, and always the last one (100 %)."""
    import prefect.artifacts

    sent: list[float] = []
    monkeypatch.setattr(prefect.artifacts, "update_progress_artifact",
                        lambda artifact, progress, description: sent.append(progress))
    for prefect_every, expected in ((3600.0, [100.0]), (0.0, [25.0, 50.0, 75.0, 100.0])):
        sent.clear()
        out = Terminal()
        progress = Progress(100, stream=out, every=0.0, prefect_every=prefect_every)
        progress._artifact = "artifact-id"  # as a flow run's Progress holds it
        for _ in range(4):
            progress.advance(25)
        assert sent == expected
        assert out.getvalue().count("posts checked") == 4  # the terminal line still moves every batch


def test_short_runs_and_pipes_stay_quiet() -> None:
    quiet = Terminal()
    Progress(10, stream=quiet).advance(10)
    assert quiet.getvalue() == ""
    piped = io.StringIO()
    Progress(100, stream=piped, every=0.0).advance(100)
    assert piped.getvalue() == ""


def test_checking_on_worker_processes_reports_each_batch(content_copy: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.engine import workers

    monkeypatch.setenv("MEDPRESS_WORKERS", "2")
    workers.shutdown()
    policy = load_policy(content_copy / "policy")
    sources = [Source(f"posts/{i}-{p.name}", p.name, p.read_bytes())
               for i in range(7) for p in sorted((content_copy / "posts").glob("*.md"))]
    heard: list[int] = []
    checked = check_sources_on_cores(policy, sources, False, True, lambda part: heard.append(len(part)))
    workers.shutdown()
    assert [c.summary.rel_path for c in checked] == [s.rel_path for s in sources]  # all, in order
    assert heard == [BATCH_SIZE] * (len(sources) // BATCH_SIZE) + [len(sources) % BATCH_SIZE]


@pytest.mark.usefixtures("prefect_api")
def test_a_flow_run_on_worker_processes_shows_progress_batch_by_batch(content_copy: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Enough posts for the worker processes: one check-posts task, and the progress still moves per batch, to
    100 % in the Prefect UI."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, FlowRunFilter, FlowRunFilterId

    from flows.engine import workers
    from flows.review import review

    posts = sorted((content_copy / "posts").glob("*.md"))
    for copy in range(1, 8):  # 9 posts -> 72: over workers.MIN_POSTS
        for post in posts:
            shutil.copy(post, post.with_name(f"copy{copy}-{post.name}"))
    total = len(list((content_copy / "posts").glob("*.md")))
    assert total >= workers.MIN_POSTS
    monkeypatch.setenv("MEDPRESS_WORKERS", "2")
    workers.shutdown()
    heard: list[int] = []
    advance = Progress.advance
    monkeypatch.setattr(Progress, "advance", lambda self, count=1: (heard.append(count), advance(self, count))[1])
    state = review(content=str(content_copy), grammar=False, output=None, use_cache=False, return_state=True)
    workers.shutdown()
    assert len(state.result().posts) == total
    assert heard == [0] + [BATCH_SIZE] * (total // BATCH_SIZE) + [total % BATCH_SIZE]  # 0 cached, then batches
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(
            any_=[run_id])))
    assert sum(t.name.startswith("check-posts") for t in tasks) == 1
    progress = next(a for a in artifacts if a.key == "medpress-review-progress")
    assert progress.data == 100.0 and progress.description.startswith(f"{total}/{total} posts checked")

"""Issue 14 item 17: in the Prefect publish flow, one post that keeps failing does not abort the run.

The others are published, the run's table and artifact list the failure, and the flow run ends Failed (not
a green Completed) so whoever watches the Prefect UI sees that a post did not go out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.publish.base import PublishItem, PublishResult
from flows.publish.static import StaticTarget
from tests.attacks.publish_support import approve_post
from tests.conftest import ADVICE, write_post

pytestmark = pytest.mark.usefixtures("prefect_api")




@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    for slug in ("first", "broken", "last"):
        post = write_post(folder, f"{slug}.md", f"---\ntitle: Post {slug}\nslug: {slug}\ndate: 2024-05-01\n---\n"
                                                f"Keep the area clean.\n\n{ADVICE}\n")
        approve_post(folder, post)
    return folder


def test_a_post_that_keeps_raising_does_not_stop_the_others(content: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterId,
    )

    from flows import publish_flow

    calls: list[str] = []
    original = StaticTarget.publish

    def flaky(self: StaticTarget, item: PublishItem) -> PublishResult:
        calls.append(item.slug)
        if item.slug == "broken":
            raise OSError("disk full")  # every try
        return original(self, item)

    monkeypatch.setattr(StaticTarget, "publish", flaky)
    monkeypatch.setattr(publish_flow, "_send", publish_flow._send.with_options(retries=2, retry_delay_seconds=0))
    site = tmp_path / "site"
    state = publish_flow.publish_posts(content=str(content), out=str(site), grammar=False, return_state=True)
    assert state.is_failed() and "broken" in (state.message or "") and "disk full" in (state.message or "")
    rows = {row["post"]: row for row in state.result(raise_on_failure=False)}
    assert rows["posts/first.md"]["result"] == "created" and rows["posts/last.md"]["result"] == "created"
    assert rows["posts/broken.md"]["result"] == "failed" and "disk full" in rows["posts/broken.md"]["error"]
    assert calls.count("broken") == 3  # the task's retries ran before the post was given up
    assert (site / "blog" / "first" / "index.html").is_file() and (site / "blog" / "last" / "index.html").is_file()
    assert not (site / "blog" / "broken").exists()
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
        [artifact] = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])))
    assert sorted(t.state.name for t in tasks) == ["Completed", "Completed", "Failed"]
    assert artifact.key == "publish-static" and "2 published" in artifact.data and "1 failed" in artifact.data
    assert "disk full" in artifact.data


def test_a_failed_result_without_an_exception_also_ends_the_run_failed(content: Path, tmp_path: Path) -> None:
    from flows import publish_flow

    site = tmp_path / "site"
    (site / "blog" / "broken").mkdir(parents=True)
    (site / "blog" / "broken" / "index.html").write_text("a page a person wrote")
    state = publish_flow.publish_posts(content=str(content), out=str(site), grammar=False, return_state=True)
    assert state.is_failed()
    rows = {row["post"]: row["result"] for row in state.result(raise_on_failure=False)}
    assert rows == {"posts/broken.md": "failed", "posts/first.md": "created", "posts/last.md": "created"}
    assert (site / "blog" / "broken" / "index.html").read_text() == "a page a person wrote"


def test_a_run_where_everything_goes_out_is_completed(content: Path, tmp_path: Path) -> None:
    from flows import publish_flow

    state = publish_flow.publish_posts(content=str(content), out=str(tmp_path / "site"), grammar=False,
                                       return_state=True)
    assert state.is_completed() and {row["result"] for row in state.result()} == {"created"}


def test_a_malformed_wordpress_url_fails_the_flow_with_a_message(content: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from flows import publish_flow

    monkeypatch.setenv("MEDPRESS_WP_URL", "http://[::1")
    monkeypatch.setenv("MEDPRESS_WP_USER", "medpress")
    monkeypatch.setenv("MEDPRESS_WP_APP_PASSWORD", "abcd efgh ijkl mnop")
    state = publish_flow.publish_posts(content=str(content), target="wordpress", grammar=False, return_state=True)
    assert state.is_failed() and "MEDPRESS_WP_URL 'http://[::1' is not a valid URL" in (state.message or "")

"""Each review flow run is named for what it did, ends Failed when it fails its gate, and publishes its findings
(not a file:// link a reviewer's browser cannot open) as Prefect artifacts."""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.client.schemas.objects import Artifact, FlowRun
from prefect.states import State

from checks.model import Severity

pytestmark = pytest.mark.usefixtures("prefect_api")


def _run(state: State) -> tuple[FlowRun, dict[str, Artifact]]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])))
        return client.read_flow_run(run_id), {a.key: a for a in artifacts}


def test_a_flow_run_publishes_its_findings_and_table(content_copy: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.review import review

    monkeypatch.delenv("MEDPRESS_DESK_URL", raising=False)
    out = tmp_path / "out"
    state = review(content=str(content_copy), grammar=False, output=None, formats=["html", "markdown"],
                   output_dir=str(out), return_state=True)
    report = state.result()
    assert state.is_completed()  # fail_on defaults to never for callers in Python
    assert (out / "report.html").is_file() and (out / "summary.md").is_file()
    run, by_key = _run(state)
    summary = report.summary()
    assert run.name == (f"review {content_copy.as_posix()}/: {summary['posts']} posts, {summary['failed']} fail, "
                        f"{summary['errors']} errors")
    assert set(by_key) == {"medpress-review-summary", "medpress-review-posts"}
    text = by_key["medpress-review-summary"].data
    assert "file://" not in text and "file://" not in str(by_key["medpress-review-posts"].data)
    errors = [(p, f) for p in report.posts for f in p.findings if f.severity is Severity.ERROR]
    assert errors and text.count("\n    - `") == len(errors)  # every error, as a list item (lists wrap)
    assert "| ---" not in text  # no table whose long cells the UI cuts off
    rows = by_key["medpress-review-posts"].data
    assert str(rows).count("content/posts/") == len(report.posts)


def test_a_review_failing_its_gate_ends_failed_with_the_report_written(content_copy: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.review import report_of, review

    monkeypatch.setenv("MEDPRESS_DESK_URL", "https://desk.clinic.example/")
    out = tmp_path / "out"
    state = review(content=str(content_copy), grammar=False, output=str(out / "review.json"), fail_on="error",
                   return_state=True)
    assert state.is_failed()
    report = report_of(state)
    summary = report.summary()
    assert summary["failed"] > 0 and (out / "review.json").is_file()
    run, by_key = _run(state)
    assert run.state.is_failed() and run.state.message.startswith(run.name)
    assert f"{summary['failed']} fail" in run.name
    assert "(https://desk.clinic.example/)" in by_key["medpress-review-summary"].data

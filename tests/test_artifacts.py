"""Each review flow run publishes a Markdown summary and a table artifact, both linking to the HTML report."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("prefect_api")


def test_a_flow_run_publishes_its_summary_and_table(content_copy: Path, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.review import review

    out = tmp_path / "out"
    state = review(content=str(content_copy), grammar=False, output=None, formats=["html", "markdown"],
                   output_dir=str(out), return_state=True)
    report = state.result()
    assert (out / "report.html").is_file() and (out / "summary.md").is_file()
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))
    by_key = {a.key: a for a in artifacts}
    assert set(by_key) == {"medpress-review-summary", "medpress-review-posts"}
    link = (out / "report.html").resolve().as_uri()
    assert link in by_key["medpress-review-summary"].data
    rows = by_key["medpress-review-posts"].data
    text = str(rows)
    assert text.count("content/posts/") == len(report.posts) and link in text

"""The ``recheck`` Prefect flow: approved posts re-reviewed under the policy in force (issue 17).

It re-reviews only posts approved under another policy than the one in force, so it has work only after the
policy folder (the knowledge base among it) changed; the ``recheck-policy`` deployment runs it every 15 minutes
for that reason. Posts that need re-review are listed in a ``medpress-recheck`` Markdown artifact and the run
ends Failed, so a red run in the UI means an approved post no longer passes.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.states import Completed, Failed, State

from flows.publish.recheck import recheck as recheck_posts


@flow(name="recheck", log_prints=True)
def recheck(content: str = "content", grammar: bool = True) -> State:
    _, rows = recheck_posts(Path(content), grammar=grammar)
    needs = [r for r in rows if r.state != "approved"]
    lines = [f"## medpress recheck: {len(needs)} of {len(rows)} re-reviewed approved post(s) need re-review", ""]
    lines += [f"- **needs re-review** `{r.path}`: {r.detail}" + (f" (LIVE BUT NO LONGER PASSING: {'; '.join(r.live)})"
                                                                  if r.live else "") for r in needs]
    lines += [f"- approved `{r.path}`: {r.detail}" for r in rows if r.state == "approved"]
    create_markdown_artifact(key="medpress-recheck", markdown="\n".join(lines), description="medpress recheck")
    message = f"{len(needs)} approved post(s) need re-review" if needs else f"{len(rows)} re-reviewed, all approved"
    return Failed(message=message) if needs else Completed(message=message)

"""The nightly audit as a Prefect flow: ``medpress audit`` for one target, its findings as a Markdown artifact.
The run ends Failed when anything needs action, so a red run in the UI is a live post to look at."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path

from prefect import flow
from prefect.artifacts import create_markdown_artifact
from prefect.logging import get_run_logger
from prefect.states import Failed, State

from flows.publish.audit import SiteUnreadable, audit, render_text
from flows.publish.commands import make_target
from flows.publish.wordpress import WordPressConfigError
from reports import markdown_summary


@flow(name="audit")
def audit_site(content: str = "content", target: str = "wordpress", out: str | None = None,
               grammar: bool = True) -> dict[str, object] | State:
    """Audit what is live on ``target`` against the approved versions (see flows/publish/audit.py)."""
    logger = get_run_logger()
    try:
        chosen = make_target(Namespace(content=Path(content), policy=None, target=target,
                                       out=Path(out) if out else None))
    except WordPressConfigError as error:
        logger.error("%s", error)
        return Failed(message=str(error))
    try:
        report = audit(Path(content), chosen, grammar=grammar)
    except SiteUnreadable as error:
        logger.error("cannot read the %s site: %s", target, error)
        return Failed(message=f"cannot read the {target} site: {error}")
    finally:
        chosen.close()
    text = render_text(report)
    logger.info("%s", text.splitlines()[-1])
    create_markdown_artifact(key=f"audit-{target}", markdown=markdown_summary.render(report),
                             description=text.splitlines()[-1])
    summary = {"target": target, "findings": len(report.findings),
               "posts": [p.slug for p in report.posts if p.findings]}
    if report.findings:
        return Failed(message=f"{len(report.findings)} finding(s) need action on {target}: "
                              + ", ".join(summary["posts"])[:1500], data=summary)  # type: ignore[arg-type]
    return summary

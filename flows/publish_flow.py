"""Prefect flows for compliance: sign-off from the Prefect UI, and publishing with retries on CMS calls.

``sign_off`` reviews one post, then pauses for a compliance reviewer's decision through a typed form in the
Prefect UI (``pause_flow_run`` with a ``RunInput``) and records it in the same ledger as ``medpress
approve``, signed with that reviewer's key from the worker's environment (MEDPRESS_SIGNING_KEY_<ID>, else
MEDPRESS_SIGNING_KEY); without a key that policy lists for the reviewer the approval is refused.
``publish_posts`` publishes the approved versions; each CMS call is a task with retries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from prefect.logging import get_run_logger

from flows.publish.base import PublishItem, PublishResult, Target
from flows.publish.ledger import LedgerError
from flows.publish.signing import SigningError
from flows.publishing import Refused, approve, publish
from flows.steps import ReviewOptions, review_plain


class SignOff(RunInput):
    """The form compliance fills in the Prefect UI (the role is the reviewer's in policy, not a field)."""

    reviewer: str  # an id in the policy's reviewers.yaml
    decision: Literal["approve", "reject"]
    note: str = ""
    override_reason: str = ""


@flow(name="sign-off")
def sign_off(path: str, content: str = "content", grammar: bool = True, timeout_seconds: int = 7 * 24 * 3600,
             poll_interval_seconds: int = 10) -> dict[str, object]:
    """Review ``path`` and wait for a compliance reviewer to approve or reject it in the Prefect UI."""
    logger = get_run_logger()
    report = review_plain(ReviewOptions(Path(content), [Path(path)], None, grammar))
    post = report.posts[0]
    errors = [f"{f.rule} line {f.line}: {f.message}" for f in post.findings if f.severity.value == "error"]
    logger.info("%s: %s error(s); waiting for a compliance decision", post.path, len(errors))
    answer = pause_flow_run(wait_for_input=SignOff.with_initial_data(
        description=f"Sign off {post.path} ({post.content_hash[:19]}): {len(errors)} error-level finding(s). "
                    + ("; ".join(errors[:5]) if errors else "Review passes."), decision="approve"),
        timeout=timeout_seconds, poll_interval=poll_interval_seconds)
    if answer.decision == "reject":
        logger.info("%s rejected by %s: %s", post.path, answer.reviewer, answer.note)
        return {"path": post.path, "decision": "reject", "reviewer": answer.reviewer, "note": answer.note}
    try:
        event = approve(Path(content), Path(path), answer.reviewer, note=answer.note,
                        override=answer.override_reason, grammar=grammar, source="prefect-ui")
    except (Refused, SigningError, LedgerError) as err:
        logger.warning("approval refused: %s", err)
        return {"path": post.path, "decision": "refused", "reason": str(err)}
    return {"path": post.path, "decision": "approve", "content_hash": event.content_hash, "reviewer": event.reviewer}


@task(name="send-to-cms", retries=3, retry_delay_seconds=[2, 10, 30], cache_policy=NO_CACHE)
def _send(target: Target, item: PublishItem | None, slug: str) -> PublishResult:
    result = target.publish(item) if item is not None else target.unpublish(slug)
    if result.action == "failed" and result.details.get("retryable"):
        raise RuntimeError(f"{slug}: {result.error}")  # Prefect retries the task
    return result


@flow(name="publish")
def publish_posts(content: str = "content", target: str = "static", out: str | None = None,
                  grammar: bool = True, dry_run: bool = False) -> list[dict[str, str]]:
    """Publish exactly the approved versions that pass review; list what was held back and why."""
    from flows.policy_files import load_policy, policy_dir_for

    policy = load_policy(policy_dir_for(Path(content)))
    if target == "wordpress":
        from flows.publish.wordpress import WordPressTarget

        chosen: Target = WordPressTarget.from_env(status=policy.general.publishing.wordpress_status)
    else:
        from flows.publish.static import StaticTarget

        chosen = StaticTarget(Path(out or policy.general.publishing.site_dir))
    try:
        run = publish(Path(content), chosen, grammar=grammar, dry_run=dry_run,
                      send=lambda t, item, slug: _send(t, item, slug))
    finally:
        chosen.close()
    results = {r.slug: r for r in run.results}
    rows = [{"post": d.path, "decision": d.action, "reason": d.reason,
             "result": results[d.slug].action if d.slug in results else "", "location":
             results[d.slug].location if d.slug in results else ""} for d in run.decisions]
    get_run_logger().info("%s published, %s held back", sum(r["result"] in ("created", "updated") for r in rows),
                          sum(r["decision"] == "hold" for r in rows))
    return rows

"""Prefect flows for compliance: sign-off from the Prefect UI, and publishing with retries on CMS calls.

``sign_off`` reviews one post, then pauses for a compliance reviewer's decision through a typed form in the
Prefect UI (``pause_flow_run`` with a ``RunInput``) and records it in the same ledger as ``medpress
approve``, signed with that reviewer's key from the worker's environment (MEDPRESS_SIGNING_KEY_<ID>, else
MEDPRESS_SIGNING_KEY); without a key that policy lists for the reviewer the approval is refused.
``publish_posts`` publishes the approved versions; each CMS call is a task with retries.

A post whose CMS call still fails after its retries does not stop the run: the other posts are published,
the run's table (a ``publish-<target>`` Markdown artifact, and the flow's return value) lists the failure,
and the flow run ends Failed rather than Completed, so a red run in the UI means a post did not go out.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Literal

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from prefect.logging import get_run_logger
from prefect.states import Failed, State

from flows.engine.steps import ReviewOptions, review_plain
from flows.publish.base import PublishItem, PublishResult, Target
from flows.publish.signoff import Refused, approve, publish
from flows.store.ledger import LedgerError
from flows.store.signing import SigningError


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
    try:
        result = target.publish(item) if item is not None else target.unpublish(slug)
    except Exception as error:  # what Prefect records and logs carries no credentials, nor their cause
        raise RuntimeError(f"{slug}: {_redacted(target, f'{type(error).__name__}: {error}')}") from None
    if result.action == "failed" and result.details.get("retryable"):
        raise RuntimeError(f"{slug}: {result.error}")  # Prefect retries the task
    return result


def _redacted(target: Target, text: str) -> str:
    redact = getattr(target, "redact", None)
    return redact(text) if callable(redact) else text


def _send_once_retried(target: Target, item: PublishItem | None, slug: str) -> PublishResult:
    """The task, retries included; a task that still fails is that post's failed result, not the run's end."""
    state = _send(target, item, slug, return_state=True)
    if state.is_completed():
        return state.result()
    return PublishResult(slug, "failed", error=_redacted(target, state.message or state.name or "failed"),
                         details={"retryable": True, "state": state.name})


@flow(name="publish")
def publish_posts(content: str = "content", target: str = "static", out: str | None = None,
                  grammar: bool = True, dry_run: bool = False, from_review: str | None = None,
                  ) -> list[dict[str, str]] | State:
    """Publish exactly the approved versions that pass review (``from_review``: the verdict of that review's JSON
    report, see flows.publish.verdict); list what was held back and why. Ends Failed (with the same rows as data)
    when any post failed."""
    from flows.store.policy_files import load_policy, policy_dir_for

    policy = load_policy(policy_dir_for(Path(content)))
    if target == "wordpress":
        from flows.publish.wordpress import WordPressConfigError, WordPressTarget

        try:
            chosen: Target = WordPressTarget.from_env(status=policy.general.publishing.wordpress_status)
        except WordPressConfigError as error:  # a configuration mistake, said plainly (no traceback)
            get_run_logger().error("%s", error)
            return Failed(message=str(error))
    else:
        from flows.publish.static import StaticTarget

        chosen = StaticTarget(Path(out or policy.general.publishing.site_dir))
    try:
        run = publish(Path(content), chosen, grammar=grammar, dry_run=dry_run, send=_send_once_retried,
                      review=Path(from_review) if from_review else None)
    finally:
        chosen.close()
    results = {r.slug: r for r in run.results}
    rows = [{"post": d.path, "decision": d.action, "reason": d.reason,
             "result": results[d.slug].action if d.slug in results else "",
             "location": results[d.slug].location if d.slug in results else "",
             "error": results[d.slug].error if d.slug in results else ""} for d in run.decisions]
    logger = get_run_logger()
    for notice in run.notices:
        logger.warning("%s", notice)
    failed = [r for r in run.results if not r.ok]
    for result in failed:
        logger.error("%s failed: %s", result.slug, result.error)
    summary = (f"{sum(r['result'] in ('created', 'updated') for r in rows)} published, "
               f"{sum(r['result'] == 'unpublished' for r in rows)} taken down, "
               f"{sum(r['decision'] == 'hold' for r in rows)} held back, {len(failed)} failed")
    logger.info("%s", summary)
    create_markdown_artifact(key=f"publish-{chosen.name}", markdown=_table(rows, summary, run.notices),
                             description=f"medpress publish to {chosen.name}: {summary}")
    if failed:
        return Failed(message=f"{len(failed)} post(s) failed to publish: "
                              + "; ".join(f"{r.slug}: {r.error}" for r in failed)[:2000], data=rows)
    return rows


def _table(rows: list[dict[str, str]], summary: str, notices: list[str]) -> str:
    def cell(text: str) -> str:  # post paths and reasons come from the content: shown, never rendered as HTML
        return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")

    lines = [f"**{summary}**", "", "| post | decision | reason | result | location | error |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(cell(row[key]) for key in ("post", "decision", "reason", "result", "location",
                                                            "error")) + " |" for row in rows]
    return "\n".join(lines + [""] + [f"- {notice}" for notice in notices]) + "\n"

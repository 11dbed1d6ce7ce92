"""Prefect flows for compliance: sign-off from the Prefect UI, and publishing with retries on CMS calls.

``sign_off`` pauses for a compliance reviewer to choose a post from those awaiting review, reviews it, shows its
findings as an artifact, and pauses for the decision through a typed form in the Prefect UI (``pause_flow_run``
with a ``RunInput``, built by ``flows.publish.signoff_form``: reviewer and role from the policy's lists, no default
decision). An approval lands in the same ledger as ``medpress approve``, signed with that reviewer's key from the
worker's environment (MEDPRESS_SIGNING_KEY_<ID>, else MEDPRESS_SIGNING_KEY); a refused one ends the run Failed
with the reason.
``publish_posts`` publishes the approved versions; each CMS call is a task with retries.

A post whose CMS call still fails after its retries does not stop the run: the other posts are published,
the run's table (a ``publish-<target>`` Markdown artifact, and the flow's return value) lists the failure,
and the flow run ends Failed rather than Completed, so a red run in the UI means a post did not go out.
"""

from __future__ import annotations

import html
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.flow_runs import pause_flow_run
from prefect.logging import get_run_logger
from prefect.states import Failed, State

from flows.engine.steps import ReviewOptions, review_plain
from flows.publish.base import PublishItem, PublishResult, Target
from flows.publish.signoff import Refused, approve, publish
from flows.store.ledger import LedgerError
from flows.store.signing import SigningError


@flow(name="sign-off", flow_run_name="sign-off {content}/")
def sign_off(path: str | None = None, content: str = "content", grammar: bool = True,
             timeout_seconds: int = 7 * 24 * 3600, poll_interval_seconds: int = 10) -> dict[str, object] | State:
    """Pause for a compliance reviewer to choose a post awaiting review (unless ``path`` names one), review it,
    show its findings as an artifact, and pause again for the decision. A refused approval ends Failed with the
    reason; "request changes" records nothing and ends Completed."""
    from flows.publish import signoff_form
    from flows.store.ledger import own_policy

    logger = get_run_logger()
    content_dir = Path(content)
    if path is None:
        awaiting = signoff_form.awaiting_review(content_dir)
        if not awaiting:
            logger.info("no post in %s awaits review", content)
            return {"decision": "none", "reason": f"no post in {content} awaits review"}
        chosen = pause_flow_run(wait_for_input=signoff_form.choose_post_form(awaiting), timeout=timeout_seconds,
                                poll_interval=poll_interval_seconds)
        path = str(content_dir / chosen.post)
    report = review_plain(ReviewOptions(content_dir, [Path(path)], None, grammar))
    post = report.posts[0]
    _rename(f"sign-off {post.path}")
    errors = sum(f.severity.value == "error" for f in post.findings)
    verdict = f"fails with {errors} error(s)" if errors else "passes"
    create_markdown_artifact(key="sign-off-" + _artifact_key(post.slug or Path(post.path).stem),
                             markdown=signoff_form.findings_markdown(post), description=f"{post.path}: {verdict}")
    logger.info("%s: %s error(s); waiting for a compliance decision", post.path, errors)
    answer = pause_flow_run(wait_for_input=signoff_form.decision_form(own_policy(content_dir), post),
                            timeout=timeout_seconds, poll_interval=poll_interval_seconds)
    if answer.decision != "approve":
        logger.info("%s: changes requested by %s: %s", post.path, answer.reviewer, answer.note)
        return {"path": post.path, "decision": answer.decision, "reviewer": answer.reviewer, "note": answer.note}
    try:
        event = approve(content_dir, Path(path), answer.reviewer, role=answer.role, note=answer.note,
                        override=getattr(answer, "override_reason", ""), grammar=grammar, source="prefect-ui")
    except (Refused, SigningError, LedgerError) as err:
        logger.error("approval refused: %s", err)
        return Failed(message=f"approval of {post.path} refused: {err}",
                      data={"path": post.path, "decision": "refused", "reason": str(err)})
    return {"path": post.path, "decision": "approve", "content_hash": event.content_hash, "reviewer": event.reviewer}


def _artifact_key(text: str) -> str:
    """Prefect artifact keys: lowercase letters, digits and dashes."""
    return "".join(c if c.isalnum() and c.isascii() else "-" for c in text.lower()).strip("-")[:60] or "post"


def _rename(name: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is not None and context.flow_run is not None:
        with get_client(sync_client=True) as client:
            client.update_flow_run(context.flow_run.id, name=name)


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

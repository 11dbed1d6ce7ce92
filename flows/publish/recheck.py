"""Re-review approved posts under the policy in force (`medpress recheck`, `medpress status`), and take one post
down (`medpress unpublish`). Which posts need re-review is decided where the report is made
(:mod:`flows.store.rereview`); this module runs the review for the approved posts and says what it means for
each one: still approved, or needs re-review, and whether it is live.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flows.engine import ingest
from flows.engine.steps import ReviewOptions, make_plan, review_with_plan
from flows.publish.base import PublishResult, Target
from flows.store import ledger
from reports.model import PostReport, ReviewReport


@dataclass
class Rechecked:
    path: str  # as shown (display path)
    rel: str  # content-relative
    slug: str
    state: str  # approved | needs re-review
    detail: str
    live: list[str]  # "target: location" where this version is published


def recheck(content_dir: Path, *, grammar: bool = False, only_changed: bool = True,
            ) -> tuple[ReviewReport | None, list[Rechecked]]:
    """Review the approved posts (those approved under another policy, with ``only_changed``) under the content
    folder's policy; each with its sign-off state. None and [] when there is nothing to re-review."""
    state = ledger.read(content_dir)
    approvals = state.approvals() if state.sound else {}
    policy = ledger.own_policy(content_dir)
    wanted = sorted(rel for rel, event in approvals.items()
                    if not only_changed or event.policy_hash != policy.hash)
    wanted = [rel for rel in wanted if (content_dir / rel).is_file()]
    if not wanted:
        return None, []
    options = ReviewOptions(content_dir, [content_dir / rel for rel in wanted], None, grammar)
    plan = make_plan(options)
    plan.approvals = state
    _, report = review_with_plan(options, plan)
    live = ledger.published(content_dir)
    by_path = {ingest.display_path(content_dir / rel): rel for rel in wanted}
    rows = []
    for post in report.posts:
        if not post.sign_off:
            continue  # edited since its approval: `status` says stale
        where = [f"{target}: {entries[post.slug].get('location', '')}" for target, entries in sorted(live.items())
                 if post.slug in entries and entries[post.slug].get("content_hash") == post.content_hash]
        was, now = post.sign_off["approved_under"], post.sign_off["policy_now"]
        detail = post.sign_off.get("detail", f"approved under policy {was['policy_version'] or '?'} (knowledge base "
                                             f"{was['kb_version'] or '?'}); passes under {now['policy_version']} "
                                             f"(knowledge base {now['kb_version']}): stays approved")
        rows.append(Rechecked(post.path, by_path.get(post.path, post.path), post.slug, post.sign_off["state"],
                              detail, where))
    return report, rows


def re_review_reason(item: PostReport, rel: str, target: str, live: dict[str, dict[str, str]]) -> str:
    """Why publish holds a post that needs re-review; for a post live on the target, that it stays live but no
    longer passes, and the one command that takes it down."""
    reason = f"needs re-review: {item.sign_off.get('detail', '')}"
    entry = live.get(item.slug)
    if entry:
        reason += (f". LIVE BUT NO LONGER PASSING at {entry.get('location', '')}: take it down with "
                   f"`medpress unpublish {item.slug} --target {target}`, or fix it and approve again")
    return reason


def unpublish(content_dir: Path, slug: str, target: Target) -> PublishResult:
    """Take one post's page down from ``target`` now (its approval stays; the next publish holds the post while
    its review fails). Same command line as the WordPress work's `medpress unpublish SLUG`."""
    entries = ledger.published(content_dir).get(target.name, {})
    if slug not in entries:
        return PublishResult(slug, "failed", error=f"'{slug}' is not published on {target.name}")
    result = target.unpublish(slug)
    if result.ok:
        ledger.record_published(content_dir, target.name, slug, None)
        entries.pop(slug, None)
        if hasattr(target, "write_index"):  # the static site's index lists only what is still live
            posts = [ingest.read_post(content_dir, e["path"], 10**9, body=False) for e in entries.values()
                     if e.get("path")]
            target.write_index([(p.slug, p.title, str(p.meta.get("date", ""))) for p in posts if p.readable])
    return result


def with_re_review(content_dir: Path, rows: list, grammar: bool = False) -> list:
    """`medpress status` rows (:class:`flows.publish.signoff.Status`) with the approved and published posts that
    no longer pass under the policy in force marked ``needs re-review`` (the others keep their state)."""
    _, rechecked = recheck(content_dir, grammar=grammar)
    found = {r.path: r for r in rechecked if r.state == "needs re-review"}
    kept = {r.path: r for r in rechecked if r.state == "approved"}
    for row in rows:
        hit = found.get(row.path)
        if row.path in kept and row.state in ("approved", "published"):
            row.detail += f"; re-checked: {kept[row.path].detail}"
        if hit is not None and row.state in ("approved", "published"):
            live = f"; LIVE BUT NO LONGER PASSING ({'; '.join(hit.live)}): `medpress unpublish {hit.slug} " \
                   f"--target {hit.live[0].split(':')[0]}` takes it down" if hit.live else ""
            row.state, row.detail = "needs re-review", hit.detail + live
    return rows

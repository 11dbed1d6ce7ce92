"""Approve a version, publish exactly that version: sign-off bound to the content hash.

``approve`` records a sign-off of the post's current hash in the ledger, refused while the post has
error-level findings unless a role the policy allows gives an override reason. ``publish`` sends exactly
the posts whose current hash is approved and whose review passes (or was overridden for that hash); every
other post is listed with the reason it was held back, and posts whose approval was revoked are taken down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from checks.corpus import Corpus
from checks.document import Post
from checks.model import Severity
from checks.pipeline import summarize
from flows import ingest
from flows.publish import ledger
from flows.publish.base import PublishItem, PublishResult, Target
from flows.publish.render import build_item
from flows.steps import ReviewOptions, review_with_plan
from reports.model import PostReport, ReviewReport


class Refused(Exception):
    """An approval that policy does not allow (the message says why)."""


@dataclass
class Decision:
    path: str
    slug: str
    action: str  # publish | hold | unpublish
    reason: str = ""


@dataclass
class PublishRun:
    decisions: list[Decision] = field(default_factory=list)
    results: list[PublishResult] = field(default_factory=list)


def approve(content_dir: Path, path: Path, reviewer: str, *, role: str = "", note: str = "", override: str = "",
            policy_dir: Path | None = None, grammar: bool = True, source: str = "cli") -> ledger.Event:
    plan, report = review_with_plan(ReviewOptions(content_dir, [path], policy_dir, grammar))
    post = report.posts[0]
    errors = [f for f in post.findings if f.severity is Severity.ERROR]
    if errors and not override:
        listed = "; ".join(f"{f.rule} line {f.line}: {f.message}" for f in errors[:10])
        raise Refused(f"{post.path} has {len(errors)} error-level finding(s): {listed}. Fix them, or approve with "
                      f"--override \"reason\" as one of: {', '.join(plan.policy.general.publishing.override_roles)}")
    if override and role not in plan.policy.general.publishing.override_roles:
        raise Refused(f"role '{role or '(none)'}' may not override findings; allowed: "
                      f"{', '.join(plan.policy.general.publishing.override_roles)}")
    if not post.content_hash:
        raise Refused(f"{post.path} cannot be read, so it cannot be approved")
    event = ledger.Event(time=ledger.now(), action="approve", path=ingest.rel_to_content(content_dir, path),
                         slug=post.slug, content_hash=post.content_hash, reviewer=reviewer, role=role, note=note,
                         override=override, errors=len(errors), policy_version=plan.policy.version,
                         policy_hash=plan.policy.hash, kb_version=plan.policy.kb.version, source=source)
    ledger.append(content_dir, event)
    return event


def revoke(content_dir: Path, path: Path, reviewer: str, *, role: str = "", note: str = "") -> ledger.Event:
    rel = ingest.rel_to_content(content_dir, path)
    current = ledger.approved_hashes(content_dir).get(rel)
    if current is None:
        raise Refused(f"{rel} has no approval to revoke")
    event = ledger.Event(time=ledger.now(), action="revoke", path=rel, slug=current.slug,
                         content_hash=current.content_hash, reviewer=reviewer, role=role, note=note)
    ledger.append(content_dir, event)
    return event


@dataclass
class Status:
    path: str
    slug: str
    state: str  # draft | in review | approved | stale | published | unreadable
    detail: str = ""


def status(content_dir: Path) -> list[Status]:
    approvals = ledger.approved_hashes(content_dir)
    live = ledger.published(content_dir)
    files = ingest.content_files(content_dir)
    rows = []
    for rel in ingest.post_paths(content_dir, files):
        post = ingest.read_post(content_dir, rel, 10**9, body=False)  # the front matter is all status needs
        if not post.readable:  # a symlink loop, a FIFO, outside the folder...: said, never a crash
            rows.append(Status(post.display_path, "", "unreadable", post.problems[0].message))
            continue
        approval = approvals.get(rel)
        where = [f"{target}: {entries[post.slug]['location']} ({entries[post.slug]['time']})"
                 for target, entries in live.items() if post.slug in entries
                 and entries[post.slug].get("content_hash") == post.content_hash]
        if where:
            rows.append(Status(post.display_path, post.slug, "published", "; ".join(where)))
        elif approval and approval.content_hash == post.content_hash:
            rows.append(Status(post.display_path, post.slug, "approved",
                               f"by {approval.reviewer} at {approval.time}"))
        elif approval:
            rows.append(Status(post.display_path, post.slug, "stale",
                               f"approved by {approval.reviewer} at {approval.time}, edited since"))
        elif post.meta.get("status") == "draft":
            rows.append(Status(post.display_path, post.slug, "draft"))
        else:
            rows.append(Status(post.display_path, post.slug, "in review"))
    return rows


def decide(content_dir: Path, report: ReviewReport, posts: dict[str, Post], target_name: str) -> list[Decision]:
    approvals = ledger.approved_hashes(content_dir)
    live = ledger.published(content_dir).get(target_name, {})
    decisions = []
    reports: dict[str, PostReport] = {item.path: item for item in report.posts}
    for rel, post in sorted(posts.items()):
        approval = approvals.get(rel)
        item = reports.get(post.display_path)
        if approval is None:
            action = "unpublish" if post.slug in live else "hold"
            decisions.append(Decision(rel, post.slug, action, "not approved (or approval revoked)"))
        elif approval.content_hash != post.content_hash:
            decisions.append(Decision(rel, post.slug, "hold", f"edited after sign-off by {approval.reviewer} "
                                                              f"({approval.time}): approve this version first"))
        elif item is None or item.content_hash != post.content_hash:
            decisions.append(Decision(rel, post.slug, "hold", "the file changed while it was reviewed: run again"))
        elif item.failed and not approval.override:
            errors = sum(f.severity is Severity.ERROR for f in item.findings)
            decisions.append(Decision(rel, post.slug, "hold", f"review fails with {errors} error(s)"))
        else:
            decisions.append(Decision(rel, post.slug, "publish", "approved" + (" with override" if
                                                                                 approval.override else "")))
    return decisions


def _direct(target: Target, item: PublishItem | None, slug: str) -> PublishResult:
    return target.publish(item) if item is not None else target.unpublish(slug)


def publish(content_dir: Path, target: Target, *, policy_dir: Path | None = None, grammar: bool = True,
            dry_run: bool = False, send: Callable[[Target, PublishItem | None, str], PublishResult] = _direct,
            ) -> PublishRun:
    """``send`` makes each CMS call (the Prefect flow passes a task with retries)."""
    plan, report = review_with_plan(ReviewOptions(content_dir, (), policy_dir, grammar))
    parsed = ingest.read_posts(content_dir, plan.corpus_paths, plan.policy.frontmatter.max_bytes,
                               plan.policy.frontmatter.max_seconds)
    posts = {post.rel_path: post for post in parsed}
    corpus = Corpus([summarize(post, plan.policy) for post in parsed], plan.files)
    run = PublishRun(decide(content_dir, report, posts, target.name))
    if dry_run:
        return run
    image_url = getattr(target, "image_url", lambda name: f"/images/{name}")
    already = set(ledger.published(content_dir).get(target.name, {}))
    live = {d.slug for d in run.decisions if d.action == "publish"} | {
        d.slug for d in run.decisions if d.action == "hold" and d.slug in already}
    for decision in run.decisions:
        post = posts[decision.path]
        if decision.action == "publish":
            item = build_item(post, corpus, plan.policy, content_dir, target.url_for, image_url, live)
            result = send(target, item, post.slug)
            known = ledger.published(content_dir).get(target.name, {}).get(post.slug, {})
            if result.ok and not (result.action == "unchanged" and known.get("content_hash") == post.content_hash):
                ledger.record_published(content_dir, target.name, post.slug, {
                    "content_hash": post.content_hash, "location": result.location, "remote_id": result.remote_id,
                    "time": ledger.now()})
        elif decision.action == "unpublish":
            result = send(target, None, post.slug)
            if result.ok:
                ledger.record_published(content_dir, target.name, post.slug, None)
        else:
            continue
        run.results.append(result)
    if hasattr(target, "write_index"):
        live = ledger.published(content_dir).get(target.name, {})
        entries = [(p.slug, p.title, str(p.meta.get("date", ""))) for p in posts.values() if p.slug in live]
        target.write_index(entries)
    return run

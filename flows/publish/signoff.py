"""Approve a version, publish exactly that version: sign-off bound to the content hash.

``approve`` records a sign-off of the post's current hash in the ledger, signed with the reviewer's SSH key
and chained to the event before it; it is refused while the post has error-level findings unless the
reviewer's role in policy may override and gives a reason. ``publish`` refuses to run on a ledger that does
not verify; otherwise it sends exactly the posts whose current hash is approved and whose review passes (or
was overridden for that hash); every other post is listed with the reason it was held back, and posts whose
approval was revoked are taken down. So are orphans: a page medpress published under a slug no post has any
more (the post was renamed or deleted). A post that names a file outside the content folder is held,
whatever its approval says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from checks.corpus import Corpus
from checks.document import Post
from checks.model import Severity
from checks.policy import Policy, Reviewer
from checks.summary import PostSummary
from flows.engine import ingest
from flows.engine.steps import ReviewOptions, make_plan, review_checked, review_with_plan
from flows.publish import verdict
from flows.publish.base import PublishItem, PublishResult, Target, media_url
from flows.publish.recheck import re_review_reason
from flows.publish.render import Unpublishable, build_item
from flows.publish.roles import RESOLVED_BY_APPROVAL
from flows.store import ledger, signing
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
    notices: list[str] = field(default_factory=list)  # e.g. a site file medpress kept rather than replace


def approve(content_dir: Path, path: Path, reviewer: str, *, key: Path | None = None, role: str = "",
            note: str = "", override: str = "", grammar: bool = True, source: str = "cli",
            signer: str = "") -> ledger.Event:
    """Review ``path`` under the content folder's own policy and append a signed approval of its hash.

    ``reviewer`` is an id in the policy's reviewers.yaml: the role comes from there (``role``, if given, must
    match it) and the event is signed with ``key`` (see :func:`flows.store.signing.signing_key`), which
    must be one of that reviewer's keys. ``signer``: a desk in policy that signs on the reviewer's behalf with
    its own ``key`` (the desk has authenticated the reviewer; the event names both).
    """
    policy = ledger.own_policy(content_dir)
    member = _reviewer(policy, reviewer, role)
    signing_key = signing.signing_key(key, signer or reviewer)
    plan, report = review_with_plan(ReviewOptions(content_dir, [path], None, grammar))
    post = report.posts[0]
    errors = [f for f in post.findings if f.severity is Severity.ERROR and f.rule not in RESOLVED_BY_APPROVAL]
    allowed = plan.policy.general.publishing.override_roles
    if errors and not override:
        listed = "; ".join(f"{f.rule} line {f.line}: {f.message}" for f in errors[:10])
        raise Refused(f"{post.path} has {len(errors)} error-level finding(s): {listed}. Fix them, or approve with "
                      f"--override \"reason\" as one of: {', '.join(allowed)}")
    if override and member.role not in allowed:
        raise Refused(f"{reviewer}'s role in policy is '{member.role}', which may not override findings; "
                      f"allowed: {', '.join(allowed)}")
    if not post.content_hash:
        raise Refused(f"{post.path} cannot be read, so it cannot be approved")
    event = ledger.Event(time=ledger.now(), action="approve", path=ingest.rel_to_content(content_dir, path),
                         slug=post.slug, content_hash=post.content_hash, reviewer=reviewer, role=member.role,
                         note=note, override=override, errors=len(errors), policy_version=plan.policy.version,
                         policy_hash=plan.policy.hash, kb_version=plan.policy.kb.version, source=source,
                         signer=signer)
    return ledger.append(content_dir, plan.policy, lambda _: event, lambda data: signing.sign(signing_key, data))


def revoke(content_dir: Path, path: Path, reviewer: str, *, key: Path | None = None, role: str = "",
           note: str = "", source: str = "cli") -> ledger.Event:
    """Append a signed revocation of the post's current approval."""
    policy = ledger.own_policy(content_dir)
    member = _reviewer(policy, reviewer, role)
    signing_key = signing.signing_key(key, reviewer)
    rel = ingest.rel_to_content(content_dir, path)

    def make(current: ledger.Ledger) -> ledger.Event:
        approval = current.approvals().get(rel)
        if approval is None:
            raise Refused(f"{rel} has no approval to revoke")
        return ledger.Event(time=ledger.now(), action="revoke", path=rel, slug=approval.slug,
                            content_hash=approval.content_hash, reviewer=reviewer, role=member.role, note=note,
                            policy_version=policy.version, policy_hash=policy.hash, source=source)

    return ledger.append(content_dir, policy, make, lambda data: signing.sign(signing_key, data))


def _reviewer(policy: Policy, reviewer: str, role: str) -> Reviewer:
    member = policy.reviewer(reviewer)
    if member is None:
        known = ", ".join(r.id for r in policy.reviewers) or "none yet"
        raise Refused(f"'{reviewer}' is not a reviewer in the content folder's policy (reviewers.yaml; listed: "
                      f"{known}). The compliance lead adds each reviewer with their role and SSH public key")
    if role and role != member.role:
        raise Refused(f"--role {role} is not {reviewer}'s role: policy lists them as '{member.role}' (a role "
                      "comes from policy, never from a flag)")
    return member


def trusted_approvals(content_dir: Path, state: ledger.Ledger | None = None) -> dict[str, ledger.Event]:
    """Post path -> its current approval, from a ledger that verifies and still holds every line this machine
    last published from; raises ledger.Untrusted otherwise. Publishing anchors the ledger it used."""
    state = state or ledger.read(content_dir)
    ledger.check_anchor(content_dir, state)
    if not state.sound:
        raise ledger.Untrusted(f"the approval ledger does not verify, so no sign-off counts and nothing is "
                                f"published:{state.describe()}")
    ledger.save_anchor(content_dir, state)
    return state.approvals()


@dataclass
class Status:
    path: str
    slug: str
    state: str  # draft | in review | approved | stale | published | orphaned | unreadable
    detail: str = ""


def orphans(slugs: dict[str, str], entries: dict[str, dict[str, str]]) -> list[tuple[str, str, str]]:
    """(slug, post path, why) of each page published under a slug no post has any more. ``slugs``: post
    path -> its slug now ("" when it cannot be read: its page stays until the post can be read again)."""
    have = set(slugs.values())
    found = []
    for slug, entry in sorted(entries.items()):
        path = str(entry.get("path") or "")
        if slug in have or (path and slugs.get(path) == ""):
            continue
        if path and path in slugs:
            why = f"{path} now has the slug '{slugs[path]}': the page under the old slug '{slug}' is taken down"
        elif path:
            why = f"{path} no longer exists: its page '{slug}' is taken down"
        else:
            why = f"no post has the slug '{slug}' any more (renamed or deleted): its page is taken down"
        found.append((slug, path, why))
    return found


def status(content_dir: Path, state: ledger.Ledger | None = None) -> list[Status]:
    """Each post's state; while the ledger does not verify no post counts as approved (the caller shows
    ``state.problems``)."""
    state = state or ledger.read(content_dir)
    approvals = state.approvals() if state.sound else {}
    live = ledger.published(content_dir)
    files = ingest.content_files(content_dir)
    rows = []
    slugs: dict[str, str] = {}
    for rel in ingest.post_paths(content_dir, files):
        post = ingest.read_post(content_dir, rel, 10**9, body=False)  # the front matter is all status needs
        slugs[rel] = post.slug  # "" when unreadable: its live page stays until it can be read again
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
            held = "; front matter says status: draft, so it is not published" if post.meta.get(
                "status") == "draft" else ""
            rows.append(Status(post.display_path, post.slug, "approved",
                               f"by {approval.reviewer} at {approval.time}{held}"))
        elif approval:
            rows.append(Status(post.display_path, post.slug, "stale",
                               f"approved by {approval.reviewer} at {approval.time}, edited since"))
        elif post.meta.get("status") == "draft":
            rows.append(Status(post.display_path, post.slug, "draft"))
        else:
            rows.append(Status(post.display_path, post.slug, "in review"))
    for target, entries in sorted(live.items()):
        for slug, path, why in orphans(slugs, entries):
            shown = ingest.display_path(content_dir / path) if path else f"(slug {slug})"
            rows.append(Status(shown, slug, "orphaned",
                               f"{target}: {entries[slug].get('location', '')} is live; {why} by the next publish"))
    return rows


# A post medpress could not read (unreadable, over its time budget, a structure it cannot walk): its text was never
# checked, so no override publishes it.
UNREAD_RULES = frozenset({"FM014", "FM015", "FM017"})
# A review that could not finish (grammar never ran): no verdict, so no override publishes it either.
UNFINISHED_RULES = frozenset({"GR000"})


def decide(content_dir: Path, report: ReviewReport, posts: Mapping[str, Post | PostSummary], target_name: str,
           state: ledger.Ledger | None = None, live: dict[str, dict[str, str]] | None = None) -> list[Decision]:
    approvals = trusted_approvals(content_dir, state)  # a ledger that does not verify stops the run here
    live = ledger.published(content_dir).get(target_name, {}) if live is None else live
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
        elif item is None:
            decisions.append(Decision(rel, post.slug, "hold", "not in the review this publish uses: review it first"))
        elif item.content_hash != post.content_hash:
            decisions.append(Decision(rel, post.slug, "hold", "edited since it was reviewed: review it again"))
        elif unread := sorted({f.rule for f in item.findings if f.rule in UNREAD_RULES}):
            decisions.append(Decision(rel, post.slug, "hold", f"medpress could not read it ({', '.join(unread)}), so "
                                                              "what would be published was never checked; an "
                                                              "override does not cover that"))
        elif unfinished := sorted({f.rule for f in item.findings if f.rule in UNFINISHED_RULES}):
            decisions.append(Decision(rel, post.slug, "hold", f"its review could not finish ({', '.join(unfinished)}: "
                                                              "grammar was never checked), so it has no verdict; "
                                                              "review again"))
        elif post.status == "draft":  # the author's word: not ready, whatever the ledger says
            decisions.append(Decision(rel, post.slug, "unpublish" if post.slug in live else "hold",
                                      f"front matter says status: draft (approved by {approval.reviewer}, "
                                      "but the author holds it back): set status: review or approved to publish"))
        elif item.needs_re_review:  # approved under another policy, which it no longer passes (issue 17)
            decisions.append(Decision(rel, post.slug, "hold", re_review_reason(item, rel, target_name, live)))
        elif item.failed and not approval.override:
            errors = sum(f.severity is Severity.ERROR for f in item.findings)
            decisions.append(Decision(rel, post.slug, "hold", f"review fails with {errors} error(s)"))
        else:
            decisions.append(Decision(rel, post.slug, "publish", "approved" + (" with override" if
                                                                                 approval.override else "")))
    for slug, path, why in orphans({rel: post.slug for rel, post in posts.items()}, live):
        decisions.append(Decision(path or f"(slug {slug})", slug, "unpublish", why))
    return decisions


def _ledger_fields(result: PublishResult) -> dict[str, str]:
    """What a target asks to keep in the publish ledger (WordPress: modified_gmt and a hash of what it saved)."""
    fields = result.details.get("ledger")
    return {str(k): str(v) for k, v in fields.items()} if isinstance(fields, dict) else {}


def _direct(target: Target, item: PublishItem | None, slug: str) -> PublishResult:
    try:
        return target.publish(item) if item is not None else target.unpublish(slug)
    except Exception as error:  # one post's failure never stops the others (the run ends failed)
        return PublishResult(slug, "failed", error=f"{type(error).__name__}: {error}")


def _items(run: PublishRun, posts: dict[str, Post], corpus: Corpus, policy: Policy, content_dir: Path,
           target: Target, already: set[str]) -> dict[str, PublishItem]:
    """Render every post to publish. A post that names a file outside the content folder is held instead;
    the others are rendered again when that changes which posts will be live (links to it become text)."""
    image_url = getattr(target, "image_url", media_url)
    while True:
        live = {d.slug for d in run.decisions if d.action == "publish"} | {
            d.slug for d in run.decisions if d.action == "hold" and d.slug in already}
        items: dict[str, PublishItem] = {}
        for decision in run.decisions:
            if decision.action != "publish":
                continue
            try:
                items[decision.path] = build_item(posts[decision.path], corpus, policy, content_dir, target.url_for,
                                                  image_url, live)
            except Unpublishable as error:
                decision.action = "hold"
                decision.reason = f"{error}: not published"
        after = {d.slug for d in run.decisions if d.action == "publish"} | {
            d.slug for d in run.decisions if d.action == "hold" and d.slug in already}
        if after == live:
            return items


def _parse_to_publish(content_dir: Path, policy: Policy, decisions: list[Decision],
                      summaries: Mapping[str, PostSummary]) -> dict[str, Post]:
    """Parse and render only the posts that go out, each under the policy's per-post time budget. One whose bytes
    are not those decided on (edited since it was read), or that cannot be parsed or rendered now, is held."""
    going = [d for d in decisions if d.action == "publish"]
    limits = policy.frontmatter
    parsed = {post.rel_path: post for post in ingest.read_posts(content_dir, [d.path for d in going],
                                                                limits.max_bytes, limits.max_seconds,
                                                                render=True)}
    for decision in going:
        post = parsed[decision.path]
        if post.content_hash != summaries[decision.path].content_hash:
            decision.action, decision.reason = "hold", "edited while it was being published: review it again"
        elif not post.readable:
            decision.action, decision.reason = "hold", f"cannot be read for publishing: {post.problems[0].message}"
    return {d.path: parsed[d.path] for d in going if d.action == "publish"}


def publish(content_dir: Path, target: Target, *, policy_dir: Path | None = None, grammar: bool = True,
            dry_run: bool = False, send: Callable[[Target, PublishItem | None, str], PublishResult] = _direct,
            review: Path | None = None) -> PublishRun:
    """``send`` makes each CMS call (the Prefect flow passes a task with retries). ``review``: the JSON report of
    the review just run, used as the verdict (see flows.publish.verdict); without it, one review runs here."""
    options = ReviewOptions(content_dir, (), policy_dir, grammar)
    plan = make_plan(options)
    plan.approvals = ledger.read(content_dir)  # read once: the review's approval rules and the decisions use it
    if review is None:
        plan, report, summaries = review_checked(options, plan)
    else:
        report, summaries = verdict.load_review(review, plan, grammar), verdict.current_summaries(plan)
    by_path = {summary.rel_path: summary for summary in summaries}
    corpus = Corpus(summaries, plan.files)
    live = ledger.published(content_dir).get(target.name, {})  # read once, kept in step with what is recorded
    target.remember(live)  # WordPress: change detection from the ledger
    run = PublishRun(decide(content_dir, report, by_path, target.name, plan.approvals, live))
    posts = _parse_to_publish(content_dir, plan.policy, run.decisions, by_path)
    already = set(live)
    items = _items(run, posts, corpus, plan.policy, content_dir, target, already)
    if dry_run:
        return run
    for decision in run.decisions:
        if decision.action == "publish":
            post = posts[decision.path]
            result = send(target, items[decision.path], post.slug)
            known = live.get(post.slug, {})
            fields = _ledger_fields(result)
            if result.ok and not (result.action == "unchanged" and known.get("content_hash") == post.content_hash
                                  and known.get("path") == decision.path
                                  and all(known.get(k) == v for k, v in fields.items())):
                live[post.slug] = {
                    "content_hash": post.content_hash, "location": result.location, "remote_id": result.remote_id,
                    "path": decision.path, "time": ledger.now(), **fields}
                ledger.record_published(content_dir, target.name, post.slug, live[post.slug])
        elif decision.action == "unpublish":
            result = send(target, None, decision.slug)
            if result.ok:
                live.pop(decision.slug, None)
                ledger.record_published(content_dir, target.name, decision.slug, None)
        else:
            continue
        run.results.append(result)
    if hasattr(target, "write_index"):
        shown = [posts.get(rel) or ingest.read_post(content_dir, rel, plan.policy.frontmatter.max_bytes, body=False)
                 for rel, summary in by_path.items() if summary.slug and summary.slug in live]
        target.write_index([(p.slug, p.title, str(p.meta.get("date", ""))) for p in shown])
    run.notices.extend(getattr(target, "notices", []))
    return run

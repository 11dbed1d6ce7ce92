"""Re-review when the policy changes: an approved post reviewed under a policy other than the one it was signed
off under, that now has error-level findings it did not have, needs re-review. A post whose verdict does not
change stays approved (nobody re-signs a post for a typo fix in an unrelated product).

"Did not have": an approval without override had no error; one with an override had ``errors`` of them, so only
more than that counts (the ledger records the count, not the findings).
"""

from __future__ import annotations

from checks.model import Severity
from checks.policy import Policy
from flows.store import ledger
from reports.model import PostReport

NEEDS_RE_REVIEW = "needs re-review"


def mark(posts: list[PostReport], rel_paths: dict[str, str], approvals: ledger.Ledger, policy: Policy) -> None:
    """Set ``sign_off`` on each approved post of ``posts`` (``rel_paths``: report path -> content path)."""
    current = approvals.approvals() if approvals.sound else {}
    for post in posts:
        event = current.get(rel_paths.get(post.path, post.path))
        if event is None or event.content_hash != post.content_hash:
            continue  # not approved, or edited since: sign-off already says so
        errors = [f for f in post.findings if f.severity is Severity.ERROR]
        changed = event.policy_hash != policy.hash
        new = len(errors) > event.errors if event.override else bool(errors)
        state = NEEDS_RE_REVIEW if changed and new else "approved"
        post.sign_off = {
            "state": state, "reviewer": event.reviewer, "approved_at": event.time,
            "approved_under": {"policy_version": event.policy_version, "policy_hash": event.policy_hash,
                               "kb_version": event.kb_version},
            "policy_now": {"policy_version": policy.version, "policy_hash": policy.hash,
                           "kb_version": policy.kb.version}}
        if state == NEEDS_RE_REVIEW:
            post.sign_off["new_errors"] = [f"{f.rule} line {f.line}: {f.message}" for f in errors[:10]]
            post.sign_off["detail"] = describe(post)


def describe(post: PostReport) -> str:
    """One line: under which policy it was approved, which it fails now, and the first new error (which names
    the knowledge-base fact it rests on)."""
    s = post.sign_off
    was, now = s["approved_under"], s["policy_now"]
    errors = s.get("new_errors", [])
    first = f"; {errors[0]}" if errors else ""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return (f"approved by {s['reviewer']} under policy {was['policy_version'] or '?'} (knowledge base "
            f"{was['kb_version'] or '?'}); under policy {now['policy_version']} (knowledge base {now['kb_version']}) "
            f"it has {len(errors)} new error(s){first}{more}")

"""approvals: a post marked approved in its front matter must have a matching sign-off in the ledger."""

from __future__ import annotations

from checks.corpus import Corpus
from checks.model import Finding, Rule, Severity, finding
from checks.policy import Policy
from checks.summary import PostSummary

CHECK = "approvals"

UNSIGNED_APPROVED = Rule(
    "PUB001", "approved-without-signoff", CHECK, Severity.ERROR,
    "Only a compliance sign-off of this exact version (medpress approve) approves a post; the front matter "
    "alone does not.",
    "==> posts/p.md <==\n---\ntitle: P\nslug: p\ndate: 2024-05-01\nstatus: approved\n---\nText.\n",
    "==> posts/p.md <==\n---\ntitle: P\nslug: p\ndate: 2024-05-01\nstatus: review\n---\nText.\n",
    corpus=True)
RULES = (UNSIGNED_APPROVED,)


def check_in_corpus(post: PostSummary, corpus: Corpus, policy: Policy) -> list[Finding]:
    if post.status != "approved":
        return []
    signed = corpus.approval(post.rel_path)
    if signed == post.content_hash:
        return []
    where = post.fields.get("status")
    why = "no approval in the ledger" if signed is None else "the approved version was edited since sign-off"
    return [finding(UNSIGNED_APPROVED, f"front matter says approved, but {why}", where.span if where else None,
                    suggestion="Ask compliance to run `medpress approve` on this version, or set status: review.")]

"""approvals: a post marked approved in its front matter must have a matching sign-off in the ledger."""

from __future__ import annotations

from checks.corpus import Corpus
from checks.model import Finding, Rule, Severity, finding
from checks.policy import Policy

CHECK = "approvals"

UNSIGNED_APPROVED = Rule(
    "PUB001", "approved-without-signoff", CHECK, Severity.ERROR,
    "Only a compliance sign-off of this exact version (medpress approve) approves a post; the front matter "
    "alone does not.",
    "==> posts/p.md <==\n---\ntitle: P\nslug: p\ndate: 2024-05-01\nstatus: approved\n---\nText.\n",
    "==> posts/p.md <==\n---\ntitle: P\nslug: p\ndate: 2024-05-01\nstatus: review\n---\nText.\n",
    corpus=True)
RULES = (UNSIGNED_APPROVED,)


def check_corpus(corpus: Corpus, policy: Policy) -> dict[str, list[Finding]]:
    found: dict[str, list[Finding]] = {}
    approvals = corpus.approvals or {}
    for post in corpus.posts:
        if post.meta.get("status") != "approved":
            continue
        signed = approvals.get(post.rel_path)
        if signed == post.content_hash:
            continue
        field = post.meta_fields.get("status")
        span = post.source.span(field.value_start, field.value_end) if field else None
        why = "no approval in the ledger" if signed is None else "the approved version was edited since sign-off"
        found.setdefault(post.rel_path, []).append(
            finding(UNSIGNED_APPROVED, f"front matter says approved, but {why}", span,
                    suggestion="Ask compliance to run `medpress approve` on this version, or set status: review."))
    return found

"""claims: what a post says about products, against the knowledge base (FDA approvals and clearances, labels,
boxed warnings) and the claim language policy. The analysis lives in :mod:`checks.claims_analysis`: the post's
context runs it once (the disclaimers check reads off-label claims from it, the summary the facts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checks.claims_analysis import CHECK, RULES, check_in_corpus, check_post, claims_table, knowledge
from checks.corpus import Corpus
from checks.model import Finding
from checks.policy import Policy
from checks.protocol import Outcome
from checks.summary import PostSummary

if TYPE_CHECKING:  # a type only
    from checks.context import PostContext

__all__ = ["CHECK", "RULES", "Claims", "check_in_corpus", "check_post", "knowledge"]


class Claims:
    """Claims about products against the knowledge base; the claims table as metrics."""

    name = CHECK
    rules = RULES

    def run(self, ctx: PostContext) -> Outcome:
        table = claims_table(ctx.post, ctx.policy, ctx.claims)
        return Outcome(ctx.claims.findings, table if ctx.post.readable else None)

    def run_corpus(self, post: PostSummary, corpus: Corpus, policy: Policy) -> list[Finding]:
        return check_in_corpus(post, corpus, policy)

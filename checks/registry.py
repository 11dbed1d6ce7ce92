"""Every check medpress runs, as units (:mod:`checks.protocol`), and every rule, in one table; ids never change
meaning (tests guard the table). The pipeline loops over :data:`POST_CHECKS` and :data:`CORPUS_CHECKS`, in this
order (the order of findings and metrics in a report)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checks import approvals, claims, disclaimers, frontmatter, grammar, links, markup, readability, suppressions
from checks.model import Finding, Rule
from checks.protocol import Check, CorpusCheck, Outcome, PostCheck

if TYPE_CHECKING:  # types only
    from checks.context import PostContext
    from checks.corpus import Corpus
    from checks.policy import Policy
    from checks.summary import PostSummary


class _Claims:
    """The claims check as a unit (until checks/claims.py defines its own)."""

    name = claims.CHECK
    rules = claims.RULES

    def run(self, ctx: PostContext) -> Outcome:
        found, table = claims.check_post(ctx.post, ctx.policy)  # claims keeps its analysis per post (for now)
        return Outcome(found, table if ctx.post.readable else None)

    def run_corpus(self, post: PostSummary, corpus: Corpus, policy: Policy) -> list[Finding]:
        return claims.check_in_corpus(post, corpus, policy)


ALL_CHECKS: tuple[Check, ...] = (frontmatter.FrontMatter(), links.Links(), readability.Readability(),
                                 grammar.Grammar(), disclaimers.Disclaimers(), _Claims(), markup.Markup(),
                                 approvals.Approvals(), suppressions.Suppressions())
POST_CHECKS: tuple[PostCheck, ...] = tuple(c for c in ALL_CHECKS if isinstance(c, PostCheck))
CORPUS_CHECKS: tuple[CorpusCheck, ...] = tuple(c for c in ALL_CHECKS if isinstance(c, CorpusCheck))
CHECKS: tuple[str, ...] = tuple(c.name for c in ALL_CHECKS)
ALL_RULES: tuple[Rule, ...] = tuple(rule for c in ALL_CHECKS for rule in c.rules)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in ALL_RULES}
RULE_IDS: frozenset[str] = frozenset(RULES_BY_ID)
RULES_BY_NAME: dict[str, str] = {rule.name: rule.id for rule in ALL_RULES}

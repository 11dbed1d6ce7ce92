"""Every check medpress runs, as units (:mod:`checks.protocol`), and every rule, in one table; ids never change
meaning (tests guard the table). The pipeline loops over :data:`POST_CHECKS` and :data:`CORPUS_CHECKS`, in this
order (the order of findings and metrics in a report)."""

from __future__ import annotations

from checks import approvals, claims, disclaimers, frontmatter, grammar, links, markup, readability, suppressions
from checks.audit_rules import RULES as _AUDIT
from checks.model import Rule
from checks.protocol import Check, CorpusCheck, PostCheck

ALL_CHECKS: tuple[Check, ...] = (frontmatter.FrontMatter(), links.Links(), readability.Readability(),
                                 grammar.Grammar(), disclaimers.Disclaimers(), claims.Claims(), markup.Markup(),
                                 approvals.Approvals(), suppressions.Suppressions())
POST_CHECKS: tuple[PostCheck, ...] = tuple(c for c in ALL_CHECKS if isinstance(c, PostCheck))
CORPUS_CHECKS: tuple[CorpusCheck, ...] = tuple(c for c in ALL_CHECKS if isinstance(c, CorpusCheck))
CHECKS: tuple[str, ...] = tuple(c.name for c in ALL_CHECKS)
ALL_RULES: tuple[Rule, ...] = tuple(rule for c in ALL_CHECKS for rule in c.rules)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in ALL_RULES}
RULE_IDS: frozenset[str] = frozenset(RULES_BY_ID)
RULES_BY_NAME: dict[str, str] = {rule.name: rule.id for rule in ALL_RULES}
# `medpress audit`'s rules (flows/publish/audit.py): about the live site, never run on a post; documented and
# explained with the others.
AUDIT_RULES: tuple[Rule, ...] = _AUDIT
DOCUMENTED_RULES: tuple[Rule, ...] = ALL_RULES + AUDIT_RULES

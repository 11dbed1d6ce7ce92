"""Every rule medpress knows, in one table; ids never change meaning (tests guard the table)."""

from __future__ import annotations

from checks import approvals, claims, disclaimers, frontmatter, grammar, links, markup, readability, suppressions
from checks.model import Rule

CHECKS = ("frontmatter", "links", "readability", "grammar", "disclaimers", "claims", "markup", "approvals",
          "suppressions")
ALL_RULES: tuple[Rule, ...] = (*frontmatter.RULES, *links.RULES, *readability.RULES, *grammar.RULES,
                               *disclaimers.RULES, *claims.RULES, *markup.RULES, *approvals.RULES, *suppressions.RULES)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in ALL_RULES}
RULE_IDS: frozenset[str] = frozenset(RULES_BY_ID)
RULES_BY_NAME: dict[str, str] = {rule.name: rule.id for rule in ALL_RULES}

"""Every rule documents a failing and a passing example, and each is run here (like pycodestyle's)."""

from __future__ import annotations

import importlib
import re

import pytest

from checks.examples import review_example
from checks.model import Rule
from checks.registry import ALL_RULES, CHECKS, RULES_BY_ID
from flows.store.policy_files import read_policy_texts
from tests.conftest import POLICY

DEFAULT_POLICY = read_policy_texts(POLICY)
# Grammar rules need a LanguageTool server: tests/test_grammar.py runs their cases against a real one
# (GR000: test_a_server_killed_mid_review_gives_the_fault_finding, test_a_missing_install_is_...).
OFFLINE_RULES = tuple(r for r in ALL_RULES if r.check != "grammar")


@pytest.mark.parametrize("rule", OFFLINE_RULES, ids=lambda r: r.id)
def test_failing_example_fires_the_rule(rule: Rule) -> None:
    found = review_example(rule.failing, DEFAULT_POLICY)
    assert rule.id in {f.rule for f in found}, f"{rule.id} did not fire on its failing example: {found}"


@pytest.mark.parametrize("rule", OFFLINE_RULES, ids=lambda r: r.id)
def test_passing_example_does_not_fire_the_rule(rule: Rule) -> None:
    found = [f for f in review_example(rule.passing, DEFAULT_POLICY) if f.rule == rule.id]
    assert not found, f"{rule.id} fired on its passing example: {found}"


def test_rule_ids_are_unique_and_well_formed() -> None:
    ids = [r.id for r in ALL_RULES]
    assert len(ids) == len(set(ids))
    names = [r.name for r in ALL_RULES]
    assert len(names) == len(set(names))
    for rule in ALL_RULES:
        assert re.fullmatch(r"(FM|LNK|RD|DSC|GR|CLM|MKP|PUB|SUP)\d{3}", rule.id), rule.id
        assert rule.check in CHECKS
        assert rule.rationale.endswith(".") and len(rule.rationale) < 200


# where a check's rules are written, when not in its module (with what it shares with other modules)
DEFINED_IN = {"suppressions": "suppression_comments", "claims": "claims_analysis"}


def test_every_check_module_registers_all_its_rules() -> None:
    for module_name in ("frontmatter", "links", "readability", "grammar", "disclaimers", "claims", "markup",
                        "approvals", "suppressions"):
        module = importlib.import_module(f"checks.{module_name}")
        defined_in = importlib.import_module(f"checks.{DEFINED_IN.get(module_name, module_name)}")
        defined = {v.id for v in vars(defined_in).values() if isinstance(v, Rule)}
        assert defined == {r.id for r in module.RULES}
        assert defined <= set(RULES_BY_ID)


# Ids are a contract with suppressions, baselines and CI: they never change meaning.
STABLE = {
    "FM001": "not-utf8", "FM002": "binary-file", "FM003": "empty-file", "FM004": "file-too-large",
    "FM005": "no-front-matter", "FM006": "invalid-yaml", "FM007": "missing-field", "FM008": "invalid-field",
    "FM009": "invalid-date", "FM010": "unknown-status", "FM011": "duplicate-slug", "FM012": "unknown-key",
    "FM013": "duplicate-key", "FM014": "unreadable-file", "FM015": "over-time-budget", "FM016": "utf16-encoding",
    "FM017": "unreadable-structure", "FM018": "empty-field",
    "LNK001": "missing-post", "LNK002": "missing-anchor", "LNK003": "missing-file", "LNK004": "unlinked-title",
    "LNK005": "broken-external", "LNK006": "unsafe-link", "LNK007": "missing-alt-text",
    "LNK008": "unknown-site-path", "LNK009": "malformed-url",
    "RD001": "above-target-grade", "RD002": "above-grade-limit", "RD003": "hard-sentence",
    "GR000": "grammar-unavailable",
    "DSC001": "missing-disclaimer", "DSC002": "altered-disclaimer", "DSC003": "misplaced-disclaimer",
    "CLM001": "false-approval", "CLM002": "cleared-called-approved", "CLM003": "uncited-approval",
    "CLM004": "off-label-undisclosed", "CLM005": "prohibited-absolute", "CLM006": "uncited-comparison",
    "CLM007": "missing-risk-information", "CLM008": "missing-boxed-warning", "CLM009": "brand-terminology",
    "CLM010": "inconsistent-fact",
    "MKP001": "unclosed-html", "MKP002": "active-html", "MKP003": "html-in-front-matter",
    "MKP004": "hidden-characters",
    "PUB001": "approved-without-signoff", "PUB002": "ledger-chain-broken", "PUB003": "unverified-signoff",
    "PUB004": "unauthorised-signoff",
    "SUP001": "suppression-without-reason", "SUP002": "suppression-of-unknown-rule", "SUP003": "unused-suppression",
}


def test_rule_codes_keep_their_meaning() -> None:
    for rule_id, name in STABLE.items():
        assert RULES_BY_ID[rule_id].name == name

"""The literal gate in front of the policy's patterns (checks/prefilter.py) never turns away a text that matches."""

from __future__ import annotations

import random
import re

import pytest

from checks.claims import knowledge
from checks.disclaimer_match import _content_patterns, _signals
from checks.prefilter import UNFOLDED, Gated, compile_pattern, required_literals
from flows.store.policy_files import load_policy
from tests.conftest import POLICY, content_sentences


def test_unfolded_lists_every_character_ignorecase_matches_to_ascii_that_lower_does_not_fold() -> None:
    every = "".join(chr(c) for c in range(128, 0x110000) if not 0xD800 <= c < 0xE000)
    found = {m.group(0) for a in map(chr, range(128)) for m in re.finditer(re.escape(a), every, re.I)
             if m.group(0).lower() != a.lower()}
    assert found == set(UNFOLDED)


@pytest.mark.parametrize(("pattern", "needed"), [
    (r"\bapprov(?:ed|al)\b", {"approv"}),
    (r"\bFDA[- ]approved\b", {"approved"}),
    (r"\b(?:is|are)\s+(?:\w+\s+)?cleared\b|\bcleared (?:for|to)\b", {"cleared", "cleared "}),
    (r"\btreat(?:s|ed)?\b|\bhelp(?:s|ed)?\b", {"treat", "help"}),
    (r"(?i:Botox)(?:ed|ing)", {"botox"}),
    (r"(?=.*warning)risk", {"warning"}),  # a positive lookahead's text is in the text too; the longer wins
    (r"(?:ab){2,}c", {"ab"}),
    (r"\w+ing", {"ing"}),
    (r"ça va", {"a va"}),  # ç is no ASCII letter: the run starts after it
])
def test_required_literals(pattern: str, needed: set[str]) -> None:
    assert required_literals(re.compile(pattern, re.I)) == needed


@pytest.mark.parametrize("pattern", [r"[a-z]{3}", r"(?:x)?y?", r"(?!approved)\w", r"approved|\d+", r"(a)?\1",
                                     r"(?<=é)\w"])
def test_no_gate_when_nothing_is_certain(pattern: str) -> None:
    assert required_literals(re.compile(pattern, re.I)) is None
    assert compile_pattern(pattern).may_match("")


def _policy_gates() -> list[Gated]:
    """The gated patterns the checks use, as they built them (gates read from patterns, or given)."""
    policy = load_policy(POLICY)
    k = knowledge(policy)
    found = [k.product_re, k.condition_re, k.approval, k.clearance, k.negation, k.disclosure, k.benefit,
             k.benefit_negation, k.subject, k.children, k.risk, k.brand_verb, k.brand_generic, k.brand_names,
             k.claim_words, k.phrase_words, k.reading_words, k.claiming_questions, k.wording,
             k.condition_reference, k.heading_use, *k.facts.values()]
    for rule in policy.disclaimers:
        found.extend(_signals(rule.signals))
        found.append(_content_patterns(rule.applies.content_patterns)[1])
    return [g for g in found if g is not None]


def _texts() -> list[str]:
    texts = content_sentences()
    rng = random.Random(7)
    words = " ".join(texts).split()
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 14)))
        mangle = rng.random()
        if mangle < 0.2:
            text = text.upper()
        elif mangle < 0.4:  # the characters lower() does not fold: İ, ı and ſ still match i and s
            text = text.replace("i", rng.choice("\u0130\u0131")).replace("s", "\u017f").replace("k", "\u212a")
        elif mangle < 0.5:
            text = "".join(c.upper() if rng.random() < 0.5 else c for c in text)
        texts.append(text)
    texts.extend(["", "FDA-APPROVED", "eaſe", "hıdes ıt", "İt helps", "Botoxed", "a type of BOTOX", "510(K)",
                  "LINES BETWEEN THE BROWS", "Did you know?", "those areas", "the correct term"])
    return texts


def test_gated_patterns_answer_exactly_as_the_patterns() -> None:
    texts = _texts()
    turned_away = 0
    for gate in _policy_gates():
        pattern = gate.regex
        for text in texts:
            expected = pattern.search(text)
            got = gate.search(text)
            assert (got and got.span()) == (expected and expected.span()), (pattern.pattern[:80], text)
            assert [m.span() for m in gate.finditer(text)] == [m.span() for m in pattern.finditer(text)]
            turned_away += not gate.may_match(text)
    assert turned_away > len(texts)  # the gates do turn texts away (else they only cost time)

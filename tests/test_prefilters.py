"""Quick tests (claims, disclaimer triggers) skip only texts where the patterns they stand for cannot match."""

from __future__ import annotations

import random
import re

from checks.claims import knowledge
from checks.text import any_of
from flows.store.policy_files import load_policy
from tests.conftest import POLICY, content_sentences


def test_any_of_matches_exactly_when_one_pattern_does() -> None:
    k = knowledge(load_policy(POLICY))
    checks = [(k.claim_words, [k.approval, k.clearance, k.benefit]),
              (k.phrase_words, [p for _, p, _ in (*k.prohibited, *k.comparative, *k.safety, *k.sameness, *k.efficacy,
                                                   *k.substantiation)]),
              (k.brand_names, [k.brand_verb, k.brand_generic])]
    texts = content_sentences()
    rng = random.Random(1)
    words = " ".join(texts).split()
    texts.extend(" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))) for _ in range(3000))
    texts.extend(["botoxed", "a type of Botox", "painless", "safer than", "FDA-approved", "helps", ""])
    for quick, patterns in checks:
        assert quick is not None
        for text in texts:
            # brand_names may find a brand the stricter patterns reject, never the other way round
            found = any(p.search(text) for p in patterns if p is not None)
            assert bool(quick.search(text)) == found or (quick is k.brand_names and not found), text


def test_no_quick_test_for_patterns_with_groups_or_global_flags() -> None:
    assert any_of(re.compile(r"(a)\1", re.I), re.compile("b", re.I)) is None
    assert any_of(re.compile("(?s)a.b", re.I), re.compile("b", re.I)) is None
    assert any_of(None) is None
    assert any_of(re.compile("a", re.I), None).search("xA")


def test_disclaimer_content_patterns_union_matches_when_one_does() -> None:
    from checks.disclaimer_match import _content_patterns

    policy = load_policy(POLICY)
    texts = ["Before and after photos", "before/after", "One patient said it worked", "a testimonial", "nothing",
             "BEFORE & AFTER", "our happy clients shared", ""]
    for rule in policy.disclaimers:
        compiled, union = _content_patterns(rule.applies.content_patterns)
        if not compiled:
            continue
        assert union is not None
        for text in texts:
            assert bool(union.search(text)) == any(c.search(text) for _, c in compiled), text

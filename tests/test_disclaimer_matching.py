"""Disclaimer matching walks blocks backwards with a score cutoff: same best score and block as scoring all."""

from __future__ import annotations

import random

from rapidfuzz import fuzz

from checks import disclaimer_match
from checks.document import parse_post
from flows.store.policy_files import load_policy
from tests.conftest import CONTENT, POLICY


def _reference(rule_text: str, texts: list[str]) -> tuple[float, int | None, int]:
    """Every block (and block pair) scored in full, the first best kept: the walk _find replaces. A pair that
    only ties with its own second block is that block (the disclaimer is not split); the last pair to reach
    the best is split over two blocks when nothing earlier reaches it alone."""
    def score(text: str) -> float:
        wanted, got = disclaimer_match._normalize(rule_text), disclaimer_match._normalize(text)
        if not got:
            return 0.0
        return fuzz.ratio(wanted, got) if len(got) <= len(wanted) * 1.15 else fuzz.partial_ratio(wanted, got)

    singles = [score(text) for text in texts]
    values = [max(single, score(text + " " + texts[index + 1])) if index + 1 < len(texts) else single
              for index, (single, text) in enumerate(zip(singles, texts, strict=True))]
    best = max(values, default=0.0)
    if best == 0:
        return 0.0, None, 1
    last = max(index for index, value in enumerate(values) if value == best)
    first = min([index for index, single in enumerate(singles) if single == best] + [last])
    return best, first, 1 if singles[first] == best else 2


def test_backward_walk_finds_the_same_best_block() -> None:
    policy = load_policy(POLICY)
    paragraphs = []
    for path in sorted((CONTENT / "posts").glob("*.md")):
        post = parse_post(f"posts/{path.name}", path.read_bytes())
        paragraphs.extend(b.text for b in disclaimer_match.body_blocks(post))
    rng = random.Random(2)
    for _ in range(400):
        rule = rng.choice(policy.disclaimers)
        words = rule.text.split()
        variants = [rule.text, rule.text.upper(), " ".join(words[: len(words) // 2]),
                    " ".join(w for w in words if rng.random() < 0.8), "Note: " + rule.text + " Thanks.", ""]
        texts = [rng.choice(paragraphs) for _ in range(rng.randint(0, 12))]
        for _ in range(rng.randint(0, 3)):  # none, one, or repeated (ties: the first must win)
            texts.insert(rng.randint(0, len(texts)), rng.choice(variants))
        best = _reference(rule.text, texts)
        assert disclaimer_match._best_block(rule.text, texts) == best, texts
        for floor in (rule.altered_score, rule.present_score, best[0]):  # at or above the floor: the same
            nothing = (0.0, None, 1)
            assert disclaimer_match._best_block(rule.text, texts, floor) == (best if best[0] >= floor else nothing)


def test_score_with_a_cutoff_is_the_score_or_zero_below_it() -> None:
    rng = random.Random(4)
    policy = load_policy(POLICY)
    texts = [d.text for d in policy.disclaimers]
    pieces = [*" ".join(texts).split(), "x", "advice", "medical", ""]
    for _ in range(2000):
        rule_text = rng.choice(texts)
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        if rng.random() < 0.3:
            text = text + " " + rule_text
        full = disclaimer_match.score(rule_text, text)
        for cutoff in (0.0, full, full - 0.5, full + 0.5, 50.0, 100.0):
            found = disclaimer_match.score(rule_text, text, cutoff)
            assert found == full if full >= cutoff else found in (0.0, full), (text, cutoff)


def test_partial_ceiling_is_never_under_the_partial_ratio() -> None:
    rng = random.Random(6)
    policy = load_policy(POLICY)
    texts = [disclaimer_match._normalize(d.text) for d in policy.disclaimers]
    paragraphs = []
    for path in sorted((CONTENT / "posts").glob("*.md")):
        post = parse_post(f"posts/{path.name}", path.read_bytes())
        paragraphs.extend(disclaimer_match._normalize(b.text) for b in disclaimer_match.body_blocks(post))
    words = " ".join([*texts, *paragraphs]).split()
    under = 0
    for _ in range(3000):
        wanted = rng.choice(texts)
        got = rng.choice(paragraphs) if rng.random() < 0.5 else " ".join(rng.choices(words, k=rng.randint(1, 90)))
        if rng.random() < 0.2:
            cut = rng.randrange(len(wanted))
            got = got + " " + wanted[cut : cut + rng.randint(1, len(wanted))]
        if len(got) <= len(wanted):
            continue
        ceiling = disclaimer_match._partial_ceiling(wanted, got)
        assert fuzz.partial_ratio(wanted, got) <= ceiling + 1e-9, (wanted, got)
        under += ceiling < 96
    assert under > 100  # it does rule out blocks at the present score

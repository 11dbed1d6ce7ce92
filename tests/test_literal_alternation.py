"""The prefix-tree alternation (claims' names, readability's vocabulary) matches exactly what the plain one does."""

from __future__ import annotations

import random
import re

from checks.text import literal_alternation

PIECES = ["bo", "tox", "Botox", "BOTOX", " ", "-", "'s", "’s", "es", "s", "a", "an", "and", "c", "(", ")", ".", "x",
          "cosmetic", "botulinum", "toxin", "onabotulinumtoxina", "dys", "port", "ż", "é"]


def _patterns(words: list[str], wrap: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    plain = "|".join(re.escape(w) for w in words)
    return (re.compile(wrap.format(plain), re.IGNORECASE),
            re.compile(wrap.format(literal_alternation(words)), re.IGNORECASE))


def test_same_matches_as_the_plain_alternation() -> None:
    rng = random.Random(3)
    wraps = [r"(?<![\w-])(?:{})(?:e?s)?(?:['’]s)?(?![\w-])", r"\b(?P<brand>{})(?:ed|ing|es|['’]d)\b", "{}"]
    for _ in range(400):
        words = {"".join(rng.choice(PIECES) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 30))}
        ordered = sorted(words, key=len, reverse=True)
        text = "".join(rng.choice(PIECES + [" "] * 6) for _ in range(200))
        for wrap in wraps:
            plain, tree = _patterns(ordered, wrap)
            assert [m.span() for m in plain.finditer(text)] == [m.span() for m in tree.finditer(text)], (words, text)

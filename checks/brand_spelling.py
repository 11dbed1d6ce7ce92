"""Brand names written one letter off ("Zepbond", "Kybela", "Dyport") or with a space put in ("Cool Sculpting"):
near-miss spellings of every brand in the knowledge base, found by edit distance, not listed one by one.

Pure: built once per policy from the brand list; ``misspelt`` reads one sentence."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WORD = re.compile(r"[A-Za-z]+")
_SEPARATOR = re.compile(r"[ -]")
MIN_LENGTH = 5  # shorter brands sit one letter from too many ordinary words


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def edits1(word: str) -> set[str]:
    """Every spelling one deletion, swap of neighbours, substitution or insertion away (Norvig's edits1)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return deletes | swaps | replaces | inserts


@dataclass(frozen=True)
class BrandSpelling:
    """``near``: compact near-miss spelling -> brand; ``joined``: compact brand -> brand (a space or hyphen put
    into it); ``names``: every right spelling, lowercase (casing is judged elsewhere)."""

    near: dict[str, str]
    joined: dict[str, str]
    names: frozenset[str]

    def misspelt(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, brand) of each near-miss spelling in the text."""
        words = list(_WORD.finditer(text))
        taken = -1
        for i, word in enumerate(words):
            if word.start() < taken:
                continue
            following = words[i + 1] if i + 1 < len(words) else None
            if following is not None and following.start() == word.end() + 1 and \
                    _SEPARATOR.match(text, word.end()):
                pair = text[word.start():following.end()]
                key = _compact(pair)
                if pair.lower() in self.names:  # "Retin-A", "Retin A": right, and "Retin" is part of it
                    taken = following.end()
                    continue
                brand = self.joined.get(key)  # only a space put in: "s Wegovy" is no near miss
                if brand:
                    taken = following.end()
                    yield word.start(), following.end(), brand
                    continue
            brand = self.near.get(word.group(0).lower())
            if brand:
                yield word.start(), word.end(), brand


def brand_spelling(brands: dict[str, Iterable[str]], ordinary: Iterable[str]) -> BrandSpelling:
    """``brands``: brand -> its right spellings; ``ordinary``: words never read as a misspelt brand."""
    names = {n.lower() for spellings in brands.values() for n in spellings} | {b.lower() for b in brands}
    blocked = {_compact(n) for n in names} | {w.lower() for w in ordinary}
    near: dict[str, str] = {}
    joined: dict[str, str] = {}
    for brand in brands:
        key = _compact(brand)
        if len(key) < MIN_LENGTH:
            continue
        joined[key] = brand
        for variant in edits1(key):
            if variant not in blocked and len(variant) >= MIN_LENGTH:
                near.setdefault(variant, brand)
    return BrandSpelling(near, joined, frozenset(names))

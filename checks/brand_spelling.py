"""Brand names written one letter off ("Zepbond", "Kybela", "Dyport") or with a space put in ("Cool Sculpting"):
near-miss spellings of every brand in the knowledge base, found by edit distance, not listed one by one.

Pure: built once per policy from the brand list; ``misspelt`` reads one sentence."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from checks.prefilter import literal_alternation

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WORD = re.compile(r"[A-Za-z]+")
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
    """``near``: near-miss spelling (lowercase) -> brand; ``split``: a brand with a space or hyphen put in
    ("cool sculpting"), right spellings left out; ``joined``: compact brand -> brand."""

    near: dict[str, str]
    split: re.Pattern[str] | None
    joined: dict[str, str]

    def may_hold(self, text: str) -> bool:
        """Whether the text (a whole post) holds any near miss: one pass per post, so a post without one skips
        the sentence by sentence search."""
        low = text.lower()
        return bool(self.near.keys() & set(_WORD.findall(low))) or bool(self.split and self.split.search(low))

    def misspelt(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, brand) of each near-miss spelling in the text."""
        low = text.lower()
        found: list[tuple[int, int, str]] = []
        if self.split is not None:
            found.extend((m.start(), m.end(), self.joined[_compact(m.group(0))]) for m in self.split.finditer(low))
        # most sentences hold no near miss: one set intersection, in C, before looking for where
        near = self.near.keys() & set(_WORD.findall(low))
        if near:
            taken = [(a, b) for a, b, _ in found]
            for word in _WORD.finditer(low):
                if word.group(0) in near and not any(a <= word.start() < b for a, b in taken):
                    found.append((word.start(), word.end(), self.near[word.group(0)]))
        return iter(sorted(found))


def brand_spelling(brands: dict[str, Iterable[str]], ordinary: Iterable[str]) -> BrandSpelling:
    """``brands``: brand -> its right spellings; ``ordinary``: words never read as a misspelt brand."""
    names = {n.lower() for spellings in brands.values() for n in spellings} | {b.lower() for b in brands}
    # right spellings, and the words of right spellings ("Retin" of "Retin-A"), are never near misses
    blocked = {_compact(n) for n in names} | {w for n in names for w in _WORD.findall(n)}
    blocked |= {w.lower() for w in ordinary}
    near: dict[str, str] = {}
    joined: dict[str, str] = {}
    splits: list[str] = []
    for brand in brands:
        key = _compact(brand)
        if len(key) < MIN_LENGTH:
            continue
        joined[key] = brand
        splits.extend(f"{key[:i]}{sep}{key[i:]}" for i in range(2, len(key) - 1) for sep in " -"
                      if f"{key[:i]}{sep}{key[i:]}" not in names)
        for variant in edits1(key):
            if variant not in blocked and len(variant) >= MIN_LENGTH:
                near.setdefault(variant, brand)
    # a prefix tree, not a flat alternation of every split spelling (checks.prefilter)
    split = re.compile(r"\b(?:" + literal_alternation(sorted(splits, key=len, reverse=True)) + r")\b") \
        if splits else None
    return BrandSpelling(near, split, joined)

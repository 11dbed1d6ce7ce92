"""Content-addressed caches, so an unchanged post is neither parsed nor checked twice.

Each kind is one SQLite file of JSON values by key (WAL mode: concurrent runs read while one writes, and a
write is a transaction, so a crash cannot leave half a value). Keys hash a namespace (a hash of the checks'
code and the libraries that shape findings,
``flows.store.code_version``; the policy hash; what else changes results) with
the post's content hash. A result that records a crash (FM014 from a check that raised, FM015 a post over its time
budget) is never stored: once the bug is fixed or the machine less busy, the post is checked again. The kinds,
under ``$MEDPRESS_CACHE`` (default ``~/.cache/medpress``):

* ``results.sqlite``: per post, its per-post findings and metrics, and (a value of its own) its summary (what
  the checks across posts read);
* ``cross.sqlite``: per post path and version, its findings across posts and what those checks read (a trace);
* ``grammar-posts.sqlite``: per post, its grammar findings (LanguageTool's answers are also kept per paragraph,
  in ``grammar.sqlite``);
* ``tables.sqlite``: static tables the checks read (the syllable counts, flows/store/tables.py).

A cold review of 1,000 posts stores 2,000 values. Written as one small file each (the layout before), they cost the
review's own process 0.4 s of CPU while the worker processes needed both cores; a transaction per batch costs a
third of it, most of that the JSON. Folders left by that layout (``results/``, ``cross/``, ``grammar-posts/``)
are not read and may be deleted.

Each entry carries a keyed digest (HMAC-SHA256 of its key and value) made with the user's key, which lives outside the
cache folder
(``flows.store.user_state``): an entry changed by anything but medpress (a finding deleted by hand, a cache
copied from elsewhere) is a miss, checked again, and the review says so. Entries of the unsigned table
(``entries``, medpress before this) are not read: each post is checked once more.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from checks.model import Finding, PostResult
from checks.summary import PostSummary
from flows.store.user_state import StateError
from flows.store.user_state import cache_key as user_cache_key

T = TypeVar("T")
TABLE = "signed_entries"  # key, value, HMAC of both (the unsigned table "entries" of earlier versions is not read)
_CHUNK = 500  # keys per query (SQLite allows 32,766 parameters; smaller is kinder to concurrent writers)


def _as_is(value: Any) -> Any:
    return value


def _result(data: dict[str, Any]) -> PostResult:
    return PostResult([Finding.from_dict(f) for f in data["findings"]], data["metrics"])


def cache_root() -> Path:
    return Path(os.environ.get("MEDPRESS_CACHE") or Path.home() / ".cache" / "medpress")


def notice(message: str) -> None:
    """Tell the user about a damaged or distrusted cache, on either engine.

    Inside a Prefect run, ``log_prints`` turns ``print`` into INFO run logs, which the CLI keeps off the terminal:
    a notice there is a warning of the run logger (terminal and Prefect UI alike). Elsewhere it goes to stderr.
    """
    if "prefect.context" in sys.modules:
        from prefect.context import FlowRunContext, TaskRunContext

        if FlowRunContext.get() or TaskRunContext.get():
            from prefect.logging import get_run_logger

            get_run_logger().warning(message)
            return
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _digest(secret: bytes, key: str, value: str) -> str:
    return hmac.new(secret, f"{key}\0{value}".encode(), hashlib.sha256).hexdigest()


def _authentic(secret: bytes, key: str, value: object, mac: object) -> bool:
    """The stored digest is the one medpress made (a row edited to other SQLite types is not, and must not crash)."""
    if not isinstance(value, str) or not isinstance(mac, str) or not mac.isascii():
        return False
    return hmac.compare_digest(mac, _digest(secret, key, value))


class JsonCache:
    """JSON values by key in the SQLite file ``path`` (None: a cache that keeps nothing), counting hits and
    misses. Opened on first use, in each process that uses it (a Dask task gets it pickled, unopened)."""

    def __init__(self, path: Path | None, namespace: str) -> None:
        self.path = path
        self.namespace = namespace
        self.hits = 0
        self.misses = 0
        self.tampered = 0  # entries whose digest did not match (read as misses)
        self._lock = threading.Lock()  # batches run on several task threads
        self._db: sqlite3.Connection | None = None
        self._secret: bytes | None = None

    def __getstate__(self) -> dict[str, object]:
        # A task runner with processes (Dask) pickles the cache into each task: neither a lock nor a connection
        # pickles, and the other process opens its own (and reads the user's key itself: it is never sent).
        state = self.__dict__.copy()
        del state["_lock"], state["_db"], state["_secret"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._db = None
        self._secret = None

    def add_counts(self, hits: int, misses: int) -> None:
        with self._lock:
            self.hits += hits
            self.misses += misses

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def key(self, *parts: str) -> str:
        return hashlib.sha256("\0".join((self.namespace, *parts)).encode()).hexdigest()

    def load(self, *parts: str, decode: Callable[[Any], T] = _as_is) -> T | None:
        """The value stored under ``parts`` (passed through ``decode``), or None, counted as a miss: so is a
        damaged value, or one ``decode`` cannot read (written by another version)."""
        return self.load_many([parts], decode)[0]

    def load_many(self, keys: Sequence[Sequence[str]], decode: Callable[[Any], T] = _as_is) -> list[T | None]:
        """:meth:`load` of each of ``keys`` (each a tuple of parts), in one query per 500."""
        found = self._load_many(keys, decode)
        hits = sum(value is not None for value in found)
        self.add_counts(hits, len(found) - hits)
        return found

    def _load_many(self, keys: Sequence[Sequence[str]], decode: Callable[[Any], T]) -> list[T | None]:
        """:meth:`load_many`, uncounted."""
        wanted = [self.key(*parts) if self.path is not None and all(parts) else None for parts in keys]
        stored = self._verified(self._select([k for k in wanted if k is not None]))
        found: list[T | None] = []
        for key in wanted:
            value = None
            if key is not None and key in stored:
                try:
                    value = decode(json.loads(stored[key]))
                except (ValueError, KeyError, TypeError):
                    value = None
            found.append(value)
        return found

    def save(self, value: Any, *parts: str) -> None:
        self.save_many([(value, parts)])

    def save_many(self, items: Iterable[tuple[Any, Sequence[str]]]) -> None:
        """Store each ``(value, parts)`` in one transaction."""
        if self.path is None:
            return
        rows = [(self.key(*parts), json.dumps(value, separators=(",", ":"))) for value, parts in items if all(parts)]
        if rows:
            self._write(rows)

    def _verified(self, stored: dict[str, tuple[str, str]]) -> dict[str, str]:
        """The values whose digest matches; the others are misses, and the user is told how many."""
        if not stored or self._secret is None:
            return {}
        secret = self._secret
        good = {key: value for key, (value, mac) in stored.items() if _authentic(secret, key, value, mac)}
        bad = len(stored) - len(good)
        if bad:
            with self._lock:
                self.tampered += bad
            notice(f"medpress: cache {self.path}: {bad} entr{'y' if bad == 1 else 'ies'} failed the integrity check "
                   f"(changed outside medpress); checked again")
        return good

    # --- SQLite -------------------------------------------------------------------------------------------

    def _select(self, keys: list[str]) -> dict[str, tuple[str, str]]:
        """(value, digest) by key."""
        if not keys:
            return {}
        found: dict[str, tuple[str, str]] = {}
        with self._lock:
            db = self._connection()
            if db is None:
                return {}
            try:
                for start in range(0, len(keys), _CHUNK):
                    part = keys[start : start + _CHUNK]
                    query = f"SELECT key, value, mac FROM {TABLE} WHERE key IN ({','.join('?' * len(part))})"
                    found.update((key, (value, mac)) for key, value, mac in db.execute(query, part))
            except sqlite3.Error as err:
                self._failed(err)
                return {}
        return found

    def _write(self, rows: list[tuple[str, str]]) -> None:
        with self._lock:
            db = self._connection()
            if db is None or self._secret is None:
                return
            secret = self._secret
            signed = [(key, value, _digest(secret, key, value)) for key, value in rows]
            try:
                with db:  # one transaction
                    db.executemany(f"INSERT OR REPLACE INTO {TABLE} (key, value, mac) VALUES (?, ?, ?)", signed)
            except sqlite3.Error as err:
                self._failed(err)

    def _connection(self) -> sqlite3.Connection | None:
        """The open database (the caller holds the lock), opened now if need be; None once it has failed."""
        if self._db is None and self.path is not None:
            if self._secret is None:
                try:
                    self._secret = user_cache_key()
                except StateError as err:
                    self._give_up(err)  # entries that cannot be verified are worth nothing
                    return None
            try:
                self._db = _open(self.path)
            except (OSError, sqlite3.Error) as err:
                if not _damaged(err) or not self._set_aside(err):
                    self._give_up(err)
                    return None
                try:
                    self._db = _open(self.path)
                except (OSError, sqlite3.Error) as again:
                    self._give_up(again)
        return self._db

    def _failed(self, err: sqlite3.Error) -> None:
        """A query failed: a damaged file is set aside (the next review starts a new one); either way this review
        goes on without the cache."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if _damaged(err):
            self._set_aside(err)
        self._give_up(err)

    def _set_aside(self, err: Exception) -> bool:
        assert self.path is not None
        broken = self.path.with_name(self.path.name + ".broken")
        try:
            os.replace(self.path, broken)
        except OSError:
            return False
        notice(f"medpress: cache {self.path} is damaged ({err}); moved to {broken.name}")
        return True

    def _give_up(self, err: Exception) -> None:
        """Review on without this cache (every post a miss, nothing stored), and say so once."""
        if self.path is not None:
            notice(f"medpress: cache {self.path} cannot be used ({err}); reviewing without it")
        if self._db is not None:
            self._db.close()
            self._db = None
        self.path = None

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def _damaged(err: Exception) -> bool:
    """Not a database, or a malformed one (a busy or locked database is an OperationalError: not damaged)."""
    return isinstance(err, sqlite3.DatabaseError) and not isinstance(err, sqlite3.OperationalError)


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, timeout=30)  # the lock serialises this process' threads
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # a cache: a power cut may lose the last writes, never corrupt
        db.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL, mac TEXT NOT NULL)")
        db.commit()
    except sqlite3.Error:
        db.close()
        raise
    return db


# Findings that record that checking the post failed rather than what the post holds. A post whose file cannot be
# read never reaches the cache (it has no bytes to key on), so FM014 in a checked result is a check that crashed.
CRASH_RULES = frozenset({"FM014", "FM015"})


def records_crash(result: PostResult) -> bool:
    return any(finding.rule in CRASH_RULES for finding in result.findings)


class ResultCache(JsonCache):
    """Per post (by content hash): its per-post result and its summary, as two values (never a result that
    records a crash). A review of one post in a blog of 1,000 needs only the summaries of the others (what the
    checks across posts read): a tenth of the bytes of their results (1.4 of 13.6 MB for the generated blog)."""

    def get_many(self, content_hashes: Sequence[str]) -> list[tuple[PostResult, PostSummary] | None]:
        """Each post's result and summary; a post lacking either is a miss."""
        results = self._load_many([(h, "result") for h in content_hashes], _result)
        summaries = self._load_many([(h, "summary") for h in content_hashes], PostSummary.from_dict)
        found = [(r, s) if r is not None and s is not None else None
                 for r, s in zip(results, summaries, strict=True)]
        hits = sum(item is not None for item in found)
        self.add_counts(hits, len(found) - hits)
        return found

    def get_summaries(self, content_hashes: Sequence[str]) -> list[PostSummary | None]:
        """Each post's summary alone (of a post the review does not report on)."""
        return self.load_many([(h, "summary") for h in content_hashes], PostSummary.from_dict)

    def put_many(self, items: Iterable[tuple[str, PostResult, PostSummary]]) -> None:
        rows: list[tuple[Any, Sequence[str]]] = []
        for content_hash, result, summary in items:
            if not records_crash(result):
                rows.append(({"findings": [f.to_dict() for f in result.findings], "metrics": result.metrics},
                             (content_hash, "result")))
                rows.append((summary.to_dict(), (content_hash, "summary")))
        self.save_many(rows)

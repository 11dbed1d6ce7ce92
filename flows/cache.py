"""Content-addressed caches, so an unchanged post is neither parsed nor checked twice.

One small JSON file per key, written atomically, so concurrent runs cannot corrupt it. Keys hash a
namespace (the checks' version, the policy hash, what else changes results) with the post's content hash.
Three kinds live side by side under ``$MEDPRESS_CACHE`` (default ``~/.cache/medpress``):

* ``results``: per post, its per-post findings and metrics, and its summary (what the checks across posts read);
* ``cross``: per post path and version, its findings across posts and what those checks read (a trace);
* ``grammar-posts``: per post, its grammar findings (LanguageTool's answers are also kept per paragraph).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from checks.model import Finding, PostResult
from checks.summary import PostSummary

T = TypeVar("T")


def _as_is(value: Any) -> Any:
    return value


def _result_and_summary(data: dict[str, Any]) -> tuple[PostResult, PostSummary]:
    return PostResult([Finding.from_dict(f) for f in data["findings"]], data["metrics"]), \
        PostSummary.from_dict(data["summary"])


def cache_root() -> Path:
    return Path(os.environ.get("MEDPRESS_CACHE") or Path.home() / ".cache" / "medpress")


class JsonCache:
    """JSON values by key in ``folder`` (None: a cache that keeps nothing), counting hits and misses."""

    def __init__(self, folder: Path | None, namespace: str) -> None:
        self.folder = folder
        self.namespace = namespace
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()  # batches run on several task threads

    def __getstate__(self) -> dict[str, object]:
        # A task runner with processes (Dask) pickles the cache into each task: a lock does not pickle.
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def counting_copy(self) -> JsonCache:
        """The same cache (folder, namespace) with its own counters at zero, for one task to count on.

        A task in another process (the Dask runner) updates its own unpickled copy, never this object:
        so each task counts on a copy and returns the counts, and the flow adds them with :meth:`add_counts`.
        """
        return type(self)(self.folder, self.namespace)

    def add_counts(self, hits: int, misses: int) -> None:
        with self._lock:
            self.hits += hits
            self.misses += misses

    @property
    def enabled(self) -> bool:
        return self.folder is not None

    def key(self, *parts: str) -> str:
        return hashlib.sha256("\0".join((self.namespace, *parts)).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"

    def load(self, *parts: str, decode: Callable[[Any], T] = _as_is) -> T | None:
        """The value stored under ``parts`` (passed through ``decode``), or None, counted as a miss: so is a
        damaged file, or one ``decode`` cannot read (written by another version)."""
        if self.folder is None or not all(parts):
            return None
        try:
            value = decode(json.loads(self._path(self.key(*parts)).read_bytes()))
        except (OSError, ValueError, KeyError, TypeError):
            value = None
        with self._lock:
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
        return value

    def save(self, value: Any, *parts: str) -> None:
        if self.folder is None or not all(parts):
            return
        path = self._path(self.key(*parts))
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(value, separators=(",", ":"))  # dumps, not dump: json.dump never uses the C encoder
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                         suffix=".tmp") as handle:
            handle.write(text)
        os.replace(handle.name, path)


class ResultCache(JsonCache):
    """Per post (by content hash): its per-post result and its summary."""

    def get(self, content_hash: str) -> tuple[PostResult, PostSummary] | None:
        return self.load(content_hash, decode=_result_and_summary)

    def put(self, content_hash: str, result: PostResult, summary: PostSummary) -> None:
        self.save({"findings": [f.to_dict() for f in result.findings], "metrics": result.metrics,
                   "summary": summary.to_dict()}, content_hash)

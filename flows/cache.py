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
from pathlib import Path
from typing import Any

from checks.model import Finding, PostResult
from checks.summary import PostSummary


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

    def load(self, *parts: str) -> Any | None:
        """The value stored under ``parts``, or None (counted as a miss; a damaged file is a miss too)."""
        if self.folder is None or not all(parts):
            return None
        try:
            value = json.loads(self._path(self.key(*parts)).read_bytes())
        except (OSError, ValueError):
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
        data = self.load(content_hash)
        if data is None:
            return None
        try:
            result = PostResult([Finding.from_dict(f) for f in data["findings"]], data["metrics"])
            return result, PostSummary.from_dict(data["summary"])
        except (KeyError, TypeError, ValueError):
            with self._lock:  # written by another version: count it a miss, it is checked again
                self.hits -= 1
                self.misses += 1
            return None

    def put(self, content_hash: str, result: PostResult, summary: PostSummary) -> None:
        self.save({"findings": [f.to_dict() for f in result.findings], "metrics": result.metrics,
                   "summary": summary.to_dict()}, content_hash)

"""A content-addressed cache of per-post check results, so an unchanged post is never checked twice.

The key is the post's content hash, the policy hash, the checks' version and the options that change
results; one small JSON file per key, written atomically, so concurrent runs cannot corrupt it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path

from checks.model import Finding, PostResult


def cache_root() -> Path:
    return Path(os.environ.get("MEDPRESS_CACHE") or Path.home() / ".cache" / "medpress")


class ResultCache:
    def __init__(self, folder: Path | None, namespace: str) -> None:
        self.folder = folder
        self.namespace = namespace  # e.g. checks version + policy hash + options
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

    def counting_copy(self) -> ResultCache:
        """The same cache (folder, namespace) with its own counters at zero, for one task to count on.

        A task in another process (the Dask runner) updates its own unpickled copy, never this object:
        so each task counts on a copy and returns the counts, and the flow adds them with :meth:`add_counts`.
        """
        return ResultCache(self.folder, self.namespace)

    def add_counts(self, hits: int, misses: int) -> None:
        with self._lock:
            self.hits += hits
            self.misses += misses

    def key(self, content_hash: str) -> str:
        return hashlib.sha256(f"{self.namespace}\0{content_hash}".encode()).hexdigest()

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / f"{key}.json"

    def get(self, content_hash: str) -> PostResult | None:
        if self.folder is None or not content_hash:
            return None
        try:
            data = json.loads(self._path(self.key(content_hash)).read_text(encoding="utf-8"))
            result = PostResult([Finding.from_dict(f) for f in data["findings"]], data["metrics"])
        except (OSError, ValueError, KeyError, TypeError):
            with self._lock:
                self.misses += 1
            return None
        with self._lock:
            self.hits += 1
        return result

    def put(self, content_hash: str, result: PostResult) -> None:
        if self.folder is None or not content_hash:
            return
        path = self._path(self.key(content_hash))
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"findings": [f.to_dict() for f in result.findings], "metrics": result.metrics}
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                         suffix=".tmp") as handle:
            json.dump(data, handle)
        os.replace(handle.name, path)

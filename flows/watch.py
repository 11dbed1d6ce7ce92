"""``medpress review --watch``: review posts again as they are saved (the editor's loop, without an editor plugin).

Polls modification times and sizes (no inotify dependency; a few hundred posts cost well under a millisecond a
poll). A post is reviewed once its file has stayed unchanged for ``debounce`` seconds, so an editor that writes a
file in several steps triggers one review. Each review is the direct engine on the changed posts, links still
checked against the whole blog. Ctrl-C stops watching (exit 0).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from flows.engine.steps import ReviewOptions, UsageError, review_plain
from reports import text_report
from reports.model import ReviewReport
from reports.wording import plural

Stamp = tuple[int, int]  # mtime in ns, size


def watched_files(options: ReviewOptions) -> list[Path]:
    """The posts given, else every Markdown post under <content>/posts."""
    if options.paths:
        return [Path(p) for p in options.paths]
    return sorted((options.content_dir / "posts").rglob("*.md"))


def _stamps(files: Iterable[Path]) -> dict[Path, Stamp]:
    found = {}
    for path in files:
        try:
            info = path.stat()
        except OSError:
            continue
        found[path] = (info.st_mtime_ns, info.st_size)
    return found


class Watcher:
    """Which files changed since the last look, once each has settled for ``debounce`` seconds."""

    def __init__(self, files: Callable[[], list[Path]], debounce: float = 0.3) -> None:
        self.files = files
        self.debounce = debounce
        self.seen = _stamps(files())
        self._moving: dict[Path, tuple[Stamp, float]] = {}  # changed file -> (its stamp, when it was seen)

    def poll(self, now: float | None = None) -> list[Path]:
        now = time.monotonic() if now is None else now
        current = _stamps(self.files())
        for path, stamp in current.items():
            if self.seen.get(path) != stamp:
                moving = self._moving.get(path)
                if moving is None or moving[0] != stamp:
                    self._moving[path] = (stamp, now)  # (still) being written: wait until it settles
        ready = [path for path, (stamp, since) in self._moving.items()
                 if now - since >= self.debounce and current.get(path) == stamp]
        for path in ready:
            self.seen[path] = self._moving.pop(path)[0]
        return sorted(ready)


def watch(options: ReviewOptions, *, interval: float = 0.25, debounce: float = 0.3,
          out: TextIO | None = None, review: Callable[[ReviewOptions], ReviewReport] = review_plain,
          color: bool = False) -> int:
    """Review once, then again for each batch of saved posts, until Ctrl-C. Returns the exit status (0)."""
    stream = out or sys.stdout
    watcher = Watcher(lambda: watched_files(options), debounce)

    def run(paths: list[Path]) -> None:
        started = time.perf_counter()
        try:
            report = review(replace(options, paths=paths))
        except UsageError as err:
            print(f"medpress: error: {err}", file=stream, flush=True)
            return
        stream.write(text_report.render(report, color=color))
        print(f"[watch] reviewed {plural(len(report.posts), 'post')} in {time.perf_counter() - started:.1f} s; "
              "waiting for changes (Ctrl-C stops)", file=stream, flush=True)

    try:
        run(list(options.paths))
        while True:
            time.sleep(interval)
            changed = watcher.poll()
            if changed:
                print(f"[watch] changed: {', '.join(str(p) for p in changed)}", file=stream, flush=True)
                run(changed)
    except KeyboardInterrupt:
        print("[watch] stopped", file=stream, flush=True)
        return 0

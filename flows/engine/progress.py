"""Progress of a long review: posts done, the total and an ETA, on the terminal and in the Prefect UI."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


class Progress:
    """Thread-safe counter that reports at most every ``every`` seconds (and once at the end).

    On a terminal it rewrites one stderr line; in a Prefect flow run it keeps a progress artifact
    up to date, at most every ``prefect_every`` seconds (each update is a request the API server, on the
    same cores as the review, answers). Short runs (under ``quiet_below`` posts) stay silent, and so does
    anything in its first ``after`` seconds. Not on a terminal (a CI log, a pipe), ``plain_every`` seconds, when
    given, prints a whole line that often (and once at the end if one was printed). ``advance(0)`` reports
    without counting: a caller waiting on slow work calls it to keep the rate and ETA moving.
    """

    def __init__(self, total: int, *, label: str = "posts checked", stream: TextIO | None = None,
                 prefect: bool = False, every: float = 0.5, prefect_every: float = 2.0,
                 quiet_below: int = 50, after: float = 0.0, plain_every: float | None = None) -> None:
        self.total = total
        self.done = 0
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.every = every
        self.enabled = total >= quiet_below
        self.after = after
        self.plain_every = plain_every
        self._plain_shown = False
        self._started = time.monotonic()
        self._last_plain = self._started
        self._last = 0.0
        self.prefect_every = prefect_every
        self._last_prefect = self._started  # the artifact starts at 0 %
        self._lock = threading.Lock()
        self._artifact = None
        if prefect and self.enabled:
            from prefect.artifacts import create_progress_artifact

            self._artifact = create_progress_artifact(progress=0.0, key="medpress-review-progress",
                                                      description=f"0 of {total} {label}")

    def advance(self, count: int = 1) -> None:
        with self._lock:
            self.done += count
            now = time.monotonic()
            if not self.enabled or (now - self._last < self.every and self.done < self.total) \
                    or now - self._started < self.after:
                return
            self._last = now
            line = self.line(now)
            finished = self.done >= self.total
            to_prefect = self._artifact is not None and (finished or now - self._last_prefect >= self.prefect_every)
            if to_prefect:
                self._last_prefect = now
            # a log gets a line every plain_every seconds, and the last one when the stage took long enough to
            # be worth a line at all (a short one says nothing)
            plain = self.plain_every is not None and (now - self._last_plain >= self.plain_every
                                                      or (finished and (self._plain_shown or self.after > 0)))
            if plain:
                self._last_plain = now
                self._plain_shown = True
        if self.stream.isatty():
            self.stream.write("\r" + line + ("\n" if finished else ""))
            self.stream.flush()
        elif plain:
            self.stream.write(line + "\n")
            self.stream.flush()
        if to_prefect:
            from prefect.artifacts import update_progress_artifact

            update_progress_artifact(self._artifact, progress=100.0 * self.done / max(self.total, 1),
                                     description=line)

    def line(self, now: float | None = None) -> str:
        elapsed = (now or time.monotonic()) - self._started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        if self.done == 0:  # no rate yet: say how long it has been waiting, not "0/s, ETA 0 s"
            return f"0/{self.total} {self.label} ({elapsed:.0f} s, waiting for the first)"
        eta = "done" if self.done >= self.total else f"ETA {left:.0f} s"
        shown = f"{rate:.0f}" if rate >= 10 else f"{rate:.2g}"  # a slow grammar stage: 0.05/s, not 0/s
        return f"{self.done}/{self.total} {self.label} ({shown}/s, {eta})"

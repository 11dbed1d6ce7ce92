"""This machine's worker processes, for the CPU-bound part of a review (parsing and checking posts).

Threads run Python on one core at a time (the GIL), so a cold review of many posts would use one core of
several. A process pool, started on first use and kept for the life of the process (a Prefect worker or a
long-lived server reuses it), spreads the posts over every core this process may run on. Processes come
from a fork server that has imported the checks already: no copy of Prefect's threads, quick to start.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

MIN_POSTS = 60  # fewer posts to check than this: one core finishes before worker processes would start
PRELOAD = ["flows.check_posts", "flows.worker_preload"]

_pool: ProcessPoolExecutor | None = None
_lock = threading.Lock()


def cores() -> int:
    """Cores this process may use (its CPU affinity, as a container or `taskset` sets it)."""
    override = os.environ.get("MEDPRESS_WORKERS")
    if override:
        return max(1, int(override))
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def prepare() -> None:
    """Start the fork server now (on a machine of several cores), once a review knows it will spread posts. It
    imports the checks and loads the dictionary (0.5 s) on another core while this process reads the other
    posts; the first spread review then forks from a ready server (0.015 s instead of 0.57 s to a ready pool).
    Returns at once."""
    if cores() > 1:
        from multiprocessing import forkserver

        with _lock:
            _context()
            forkserver.ensure_running()


def prepare_for(content_dir: Path, paths: Sequence[Path] = ()) -> None:
    """:func:`prepare` as a command starts, when the review it runs reads enough posts that it may spread them:
    the fork server then loads the checks while this process still imports Prefect (about 1 s), and the first
    batches go to ready workers. The review still decides from what its cache lacks whether to spread; when it
    does not (an unchanged re-run), the idle server cost the other core half a second."""
    from flows.ingest import post_count

    if cores() > 1 and post_count(content_dir, paths) >= MIN_POSTS:
        prepare()


def pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=cores(), mp_context=_context())
        return _pool


def process_ids() -> list[int]:
    """The worker processes running now (none before the first spread review, or after :func:`shutdown`)."""
    with _lock:
        return list(_pool._processes or {}) if _pool is not None else []


def shutdown() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(cancel_futures=True)
            _pool = None


def call_each(function: Callable[..., T], calls: Sequence[tuple[Any, ...]]) -> Iterator[T]:
    """``function(*arguments)`` for each tuple of ``calls``, in the worker processes; each result in order, as
    soon as it and those before it are done (so the caller can cache and count each one).

    A worker process imports the caller's ``__main__`` script again (as multiprocessing does): a script with no
    ``if __name__ == "__main__":`` guard breaks the pool. The calls not done yet are then made in this process,
    with a warning.
    """
    if not calls:
        return
    handed = 0
    try:
        for result in pool().map(function, *zip(*calls, strict=True)):
            yield result
            handed += 1
    except BrokenProcessPool as err:
        shutdown()
        print(f"medpress: worker processes failed ({err}); checking in this process instead (MEDPRESS_WORKERS=1 "
              "skips them)", file=sys.stderr)
        for arguments in calls[handed:]:
            yield function(*arguments)

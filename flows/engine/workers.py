"""This machine's worker processes, for the CPU-bound part of a review (parsing and checking posts).

Threads run Python on one core at a time (the GIL), so a cold review of many posts would use one core of
several. Worker processes, started on first use and kept for the life of the process (a Prefect worker or a
long-lived server reuses them), spread the posts over every core this process may run on. Processes come
from a fork server that has imported the checks already: no copy of Prefect's threads, quick to start.

Each worker checks a batch of posts and sends back each post's result as soon as it has it, so this process
knows which post a worker is on and since when. A post keeps to its time budget (policy
``frontmatter.max_seconds``) inside the worker; should a worker still be on one post ``KILL_MARGIN`` seconds
past it (stuck where the budget cannot reach), it is killed, the post is reported as over its budget (FM015),
a new worker takes its place and the rest of its batch. A worker that dies is replaced the same way. Stopping
the review (Ctrl-C, SIGTERM) kills the busy workers at once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING

from checks import speedups

if TYPE_CHECKING:
    from checks.policy import Policy
    from flows.engine.check_posts import CheckedPost, Source

MIN_POSTS = 60  # fewer posts to check than this: one core finishes before worker processes would start
PRELOAD = ["flows.engine.check_posts", "flows.engine.worker_preload", "flows.engine.workers"]
KILL_MARGIN = 3.0  # seconds past a post's budget before its worker is killed (the budget stops it first)
READY = "ready"

_workers: list[_Worker] = []
_lock = threading.RLock()
_stopping = threading.Event()  # set by shutdown(kill=True): a review in another thread stops handing out posts


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
    Returns at once. ``multiprocessing.forkserver.ensure_running`` is undocumented: a speed-up, off with
    ``MEDPRESS_SPEEDUPS=0`` (checks/speedups.py), when the server starts with the first worker."""
    if cores() > 1 and speedups.ENABLED:
        from multiprocessing import forkserver

        with _lock:
            _context()
            forkserver.ensure_running()


def prepare_for(content_dir: Path, paths: Sequence[Path] = ()) -> None:
    """:func:`prepare` as a command starts, when the review it runs reads enough posts that it may spread them:
    the fork server then loads the checks while this process still imports Prefect (about 1 s), and the first
    batches go to ready workers. The review still decides from what its cache lacks whether to spread; when it
    does not (an unchanged re-run), the idle server cost the other core half a second."""
    from flows.engine.ingest import post_count

    if cores() > 1 and post_count(content_dir, paths) >= MIN_POSTS:
        prepare()


class _Worker:
    """One worker process and this side of its pipe; ``job`` is the batch it is checking, if any."""

    def __init__(self) -> None:
        here, there = _context().Pipe()
        self.process = _context().Process(target=_serve, args=(there,), daemon=True, name="medpress-worker")
        self.process.start()
        there.close()
        self.connection: Connection = here
        self.ready = False  # it said it started (a worker that dies before that means no worker can start)
        self.job: _Job | None = None
        self.since = 0.0  # when the post it is on was handed to it

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        # already closed under us: a stop by signal races the task thread that reads this pipe
        with contextlib.suppress(OSError):
            self.connection.close()


class _Job:
    """A batch of posts, and the results of those checked so far (in order)."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources
        self.results: list[CheckedPost] = []

    @property
    def done(self) -> bool:
        return len(self.results) == len(self.sources)


def _serve(connection: Connection) -> None:
    """A worker process: check each batch it is sent, one result per post as soon as it is done."""
    from flows.engine.check_posts import check_source

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole terminal group: the review stops us
    connection.send(READY)
    known: tuple[bytes, Policy] | None = None
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):  # the review ended
            return
        if message is None:
            return
        blob, sources, keep_source = message
        if known is None or known[0] != blob:
            known = (blob, pickle.loads(blob))
        for source in sources:
            connection.send(check_source(known[1], source, keep_source))


def check_each(policy: Policy, batches: Sequence[list[Source]], keep_source: bool) -> Iterator[list[CheckedPost]]:
    """Each batch of posts checked in the worker processes; each batch's results in order, as soon as it and
    those before it are done (so the caller can cache and count each one).

    A worker process imports the caller's ``__main__`` script again (as multiprocessing does): a script with no
    ``if __name__ == "__main__":`` guard breaks the workers. The batches not done yet are then checked in this
    process, with a warning.
    """
    from flows.engine.check_posts import check_sources

    if not batches:
        return
    blob = pickle.dumps(policy)
    limit = policy.frontmatter.max_seconds + KILL_MARGIN
    jobs = [_Job(list(batch)) for batch in batches]
    todo = deque(jobs)
    handed = 0
    busy: list[_Worker] = []
    with _lock:
        _stopping.clear()
        try:
            pool = _ensure(cores())
            while todo or busy:
                for worker in pool:
                    if worker.job is None and todo:
                        job = worker.job = todo.popleft()
                        worker.since = time.monotonic()
                        worker.connection.send((blob, job.sources[len(job.results):], keep_source))
                        busy.append(worker)
                waiting = min(worker.since for worker in busy) + limit - time.monotonic()
                wait([w.connection for w in busy] + [w.process.sentinel for w in busy], max(0.0, waiting))
                if _stopping.is_set():  # Ctrl-C or SIGTERM in the main thread, while a task thread runs this:
                    return  # the review is stopping (quietly: no task failure and traceback on its way out)
                for worker in list(busy):
                    outcome = _collect(worker, limit)
                    job = worker.job
                    assert job is not None
                    if outcome != "ok":
                        busy.remove(worker)
                        worker.job = None
                        pool[pool.index(worker)] = _Worker()  # killed or dead: a new one takes its place
                        _report_stuck(policy, job, outcome, worker.process.exitcode)
                        if not job.done:
                            todo.appendleft(job)  # the rest of its batch, first in line
                    elif job.done:
                        busy.remove(worker)
                        worker.job = None
                while handed < len(jobs) and jobs[handed].done:
                    yield jobs[handed].results
                    handed += 1
        except _Broken as err:
            _stop(busy)
            busy = []
            print(f"medpress: worker processes failed ({err}); checking in this process instead (a script that "
                  "runs a review needs an `if __name__ == \"__main__\":` guard)", file=sys.stderr)
            for job in jobs[handed:]:
                yield job.results + check_sources(policy, job.sources[len(job.results):], keep_source)
        finally:
            _stop(busy)  # stopped mid-batch (Ctrl-C, an error): what they would still send is stale


class _Broken(Exception):
    """No worker process could start."""


def _collect(worker: _Worker, limit: float) -> str:
    """Take what ``worker`` sent: "ok", or "killed" (on one post ``limit`` seconds: killed now) or "died"."""
    try:
        while worker.connection.poll():
            message = worker.connection.recv()
            if message == READY:
                worker.ready = True
            elif worker.job is not None:
                worker.job.results.append(message)
                worker.since = time.monotonic()
    except (EOFError, OSError):
        pass
    if worker.job is not None and worker.job.done:
        return "ok"
    if not worker.process.is_alive():
        if not worker.ready:
            raise _Broken(f"a worker exited with code {worker.process.exitcode} as it started")
        return "died"
    if time.monotonic() - worker.since > limit:
        worker.kill()
        return "killed"
    return "ok"


def _report_stuck(policy: Policy, job: _Job, outcome: str, exitcode: int | None) -> None:
    """The post a killed or dead worker was on, reported: over its budget (FM015), or the worker died (FM014)."""
    from flows.engine.check_posts import crashed, over_budget

    source = job.sources[len(job.results)]
    if outcome == "killed":
        job.results.append(over_budget(policy, source))
    else:
        job.results.append(crashed(policy, source, f"the worker process checking it died (exit code {exitcode})"))


def _ensure(count: int) -> list[_Worker]:
    """``count`` live workers (the dead replaced); called with ``_lock`` held."""
    alive = [w for w in _workers if w.process.is_alive()]
    for extra in alive[count:]:  # MEDPRESS_WORKERS lowered since
        extra.kill()
    _workers[:] = alive[:count]
    while len(_workers) < count:
        _workers.append(_Worker())
    return _workers


def _stop(workers: Sequence[_Worker]) -> None:
    for worker in workers:
        worker.kill()
        worker.job = None
    _workers[:] = [w for w in _workers if w not in workers]


def process_ids() -> list[int]:
    """The worker processes running now (none before the first spread review, or after :func:`shutdown`)."""
    return [w.process.pid for w in list(_workers) if w.process.pid is not None and w.process.is_alive()]


def shutdown(kill: bool = False) -> None:
    """Stop the worker processes (``kill``: at once, as Ctrl-C and SIGTERM do; else they finish and exit)."""
    if kill:
        _stopping.set()
    workers = list(_workers)
    _workers.clear()
    for worker in workers:
        if not kill and worker.job is None:
            try:
                worker.connection.send(None)
                worker.process.join(5)
            except OSError:
                pass
        worker.kill()

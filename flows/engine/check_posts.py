"""Parse and check posts from their bytes: the CPU-bound part of a review, in whatever process runs it.

No Prefect, no file or cache access: worker processes (flows.engine.workers) and Dask workers import this
module alone, and get the posts' bytes from the flow.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from checks import document, frontmatter, grammar
from checks.document import content_hash_of, parse_post, timed_out_post, unreadable_post
from checks.grammar import Paragraph
from checks.model import PostResult
from checks.pipeline import context, review_post, summarize
from checks.policy import Policy
from checks.summary import PostSummary


@dataclass
class CheckedPost:
    """A post after its per-post checks: what the later steps need of it, never the parsed post itself (a
    thousand parsed posts would not fit the memory budget; a summary is small)."""

    summary: PostSummary
    result: PostResult
    source: bytes | None = None  # its bytes, kept when grammar is still to check it
    parsed: bool = False  # parsed and checked in this run (False: from the cache)
    # What grammar sends to LanguageTool, taken from this parse when grammar will check the post (else grammar
    # would parse every post a second time, one core, while LanguageTool waits)
    paragraphs: list[Paragraph] | None = None
    cacheable: bool = True  # False when the post ran out of time: a busier machine's verdict is not kept


@dataclass(frozen=True)
class Source:
    """A post's bytes, to parse and check (anywhere: this process, a local worker process, a Dask worker)."""

    rel_path: str
    display_path: str
    data: bytes
    # Only its summary is wanted (a post the report does not cover, in a review without the cache): what the
    # checks across posts read of it, from its parse, and none of its own checks. Never cached.
    summary_only: bool = False


def check_sources(policy: Policy, sources: Sequence[Source], keep_source: bool) -> list[CheckedPost]:
    """Parse and check posts: CPU work only, no file or cache access, so it runs in any process. Each post gets
    policy ``frontmatter.max_seconds``: a post over it is stopped and reported (FM015), and the next one checked."""
    return [check_source(policy, source, keep_source) for source in sources]


def check_source(policy: Policy, source: Source, keep_source: bool) -> CheckedPost:
    budget = policy.frontmatter.max_seconds
    try:
        with time_budget(budget):
            post = parse_post(source.rel_path, source.data, display_path=source.display_path,
                              max_bytes=policy.frontmatter.max_bytes)
            ctx = context(post, policy)  # one context: the summary and the checks share the post's analysis
            if source.summary_only:
                return CheckedPost(summarize(post, policy, ctx), PostResult(), parsed=True, cacheable=False)
            return CheckedPost(summarize(post, policy, ctx), review_post(post, policy, ctx),
                               source.data if keep_source else None, parsed=True,
                               paragraphs=grammar.paragraphs(post) if keep_source else None)
    except OverBudget:
        document.forget_converters()  # stopped half-way through a conversion: start the next post afresh
        return over_budget(policy, source)
    except Exception as err:  # a bug in medpress must not stop the review of every other post
        document.forget_converters()  # it may have stopped a conversion half-way too
        return crashed(policy, source, f"{type(err).__name__}: {err}")


def crashed(policy: Policy, source: Source, what: str) -> CheckedPost:
    """The post as checked when checking it failed (a bug, a worker process that died): FM014, naming why."""
    post = unreadable_post(source.rel_path, f"medpress failed while checking this file ({what}); please report it",
                           display_path=source.display_path)
    result = PostResult(list(frontmatter.check_post(post, policy)))
    return CheckedPost(summarize(post, policy), result, parsed=True, cacheable=False)


def over_budget(policy: Policy, source: Source) -> CheckedPost:
    """The post as checked when it ran past its time budget: FM015, naming it; never cached."""
    post = timed_out_post(source.rel_path, policy.frontmatter.max_seconds, content_hash_of(source.data),
                          display_path=source.display_path)
    return CheckedPost(summarize(post, policy), PostResult(list(frontmatter.check_post(post, policy))), parsed=True,
                       cacheable=False)


class OverBudget(BaseException):
    """A post's time budget ran out. A BaseException, so no ``except Exception`` in the checks catches it."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise :class:`OverBudget` in this thread once ``seconds`` have passed inside the block.

    In a process's main thread (the CLI, a worker process) a SIGALRM timer raises it: Python checks for signals
    between bytecodes and inside long regular-expression matches, so even a pathological post is stopped on time.
    Other threads (Prefect's task runner, Dask) cannot take signals: a timer thread raises it there with
    ``PyThreadState_SetAsyncExc`` (CPython's documented API for this), delivered at the next bytecode.
    """
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        def expired(signum: int, frame: object) -> None:
            raise OverBudget()

        previous = signal.signal(signal.SIGALRM, expired)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    target, lock, state = threading.get_ident(), threading.Lock(), {"done": False, "fired": False}

    def fire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(OverBudget))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["fired"]:  # fired as the block ended: take back a raise not delivered yet
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)

"""The review's steps as plain function calls: read posts, check them (cached per post), check across posts,
assemble the report. No Prefect here: the editor's one-post loop (``medpress review PATH``) runs these directly
and never pays for importing Prefect; ``flows.review`` wraps the same steps as the Prefect flow.
"""

from __future__ import annotations

import multiprocessing
import platform
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from checks import grammar, links
from checks.corpus import Corpus, ExternalResult
from checks.document import Post, content_hash_of, decoded_post, parse_post
from checks.grammar import Paragraph
from checks.links import external_urls
from checks.model import Finding, PostResult
from checks.pipeline import CrossEntry, context, finalize, review_corpus, review_post, summarize
from checks.policy import Policy
from checks.summary import PostSummary
from flows.engine import gate, ingest, workers
from flows.engine.check_posts import CheckedPost, Source, check_sources
from flows.engine.progress import Progress
from flows.store import knowledge, ledger, rereview, tables
from flows.store.cache import JsonCache, ResultCache, cache_root
from flows.store.code_version import code_key
from flows.store.policy_files import load_policy, policy_dir_for
from reports.files import write_atomically
from reports.model import PostReport, ReviewReport, SuppressionRecord

BATCH_SIZE = 25
LISTED_AT_MOST = 100  # posts named in run.work (the count is always whole)
T = TypeVar("T")


@dataclass
class ReviewOptions:
    content_dir: Path = Path("content")
    paths: Sequence[Path] = ()
    policy_dir: Path | None = None
    grammar: bool = True
    external: bool = False
    use_cache: bool = True
    changed_since: str | None = None  # git ref: review changed posts and the posts linking to them
    baseline: Path | None = None  # accepted findings (medpress baseline) that do not fail the run
    # An editor's unsaved buffers (content-relative path -> bytes), reviewed instead of the files (medpress lsp)
    unsaved: Mapping[str, bytes] = field(default_factory=dict)


@dataclass
class Plan:
    options: ReviewOptions
    policy: Policy
    policy_dir: Path
    files: frozenset[str]
    corpus_paths: list[str]  # every post the cross-post checks see
    selected: list[str]  # the posts the report covers
    skipped: list[str] = field(default_factory=list)
    changed: set[str] | None = None  # with --changed-since: the changed posts
    approvals: ledger.Ledger | None = None  # the sign-off ledger, when the caller read it already (publish)


class UsageError(Exception):
    """A mistake in how medpress was called (exit status 2)."""


def make_plan(options: ReviewOptions) -> Plan:
    content_dir = options.content_dir
    if not content_dir.is_dir():
        raise UsageError(f"content folder '{content_dir}' does not exist")
    policy_dir = policy_dir_for(content_dir, options.policy_dir)
    policy = load_policy(policy_dir)
    files = ingest.content_files(content_dir)
    corpus_paths = ingest.post_paths(content_dir, files)
    selected: list[str] = []
    for path in options.paths:
        if path.is_dir():
            inside = ingest.content_files(path)
            selected.extend(ingest.rel_to_content(content_dir, path / f) for f in sorted(inside) if f.endswith(".md"))
        else:
            selected.append(ingest.rel_to_content(content_dir, path))
    if not options.paths:
        if not corpus_paths:  # a mistyped --content must not pass CI as "0 posts reviewed"
            raise UsageError(f"content folder '{content_dir}' has no posts (no {ingest.POSTS_DIR}/*.md files in "
                             f"'{content_dir / ingest.POSTS_DIR}'); check --content")
        selected = list(corpus_paths)
    selected = list(dict.fromkeys(selected))
    corpus_paths = list(dict.fromkeys([*corpus_paths, *selected]))
    skipped = []
    if not options.grammar:
        skipped.append("grammar: skipped on request (--no-grammar)")
    if not options.external:
        skipped.append("external links: not fetched (use --external)")
    changed = None
    if options.changed_since:
        try:
            changed = gate.changed_files(content_dir, options.changed_since) & set(selected)
        except gate.GateError as err:
            raise UsageError(str(err)) from err
        selected = sorted(changed)
    if options.baseline is not None and not options.baseline.is_file():
        raise UsageError(f"baseline file '{options.baseline}' does not exist (create it with `medpress baseline`)")
    return Plan(options, policy, policy_dir, files, corpus_paths, selected, skipped, changed)


def expand_selection(plan: Plan, summaries: Sequence[PostSummary]) -> None:
    """With --changed-since: the changed posts plus every post that links to one of them."""
    if plan.changed is None:
        return
    linking = links.linking_posts(Corpus(summaries, plan.files), plan.changed, plan.policy.links)
    plan.selected = sorted(plan.changed | linking)
    plan.skipped.append(f"unchanged posts since {plan.options.changed_since}: only {len(plan.changed)} changed "
                        f"post(s) and {len(linking - plan.changed)} linking to them reviewed")


def _namespace(plan: Plan, *more: str) -> str:
    return "\0".join((f"code={code_key()}", f"policy={plan.policy.hash}", f"medpress={_version('medpress')}",
                      *more))


def _store(plan: Plan, name: str) -> Path | None:
    return cache_root() / f"{name}.sqlite" if plan.options.use_cache else None


def result_cache(plan: Plan) -> ResultCache:
    return ResultCache(_store(plan, "results"), _namespace(plan))


def cross_cache(plan: Plan) -> JsonCache:
    return JsonCache(_store(plan, "cross"), _namespace(plan))


@dataclass
class Sources:
    ready: list[CheckedPost]  # from the cache (or unreadable: reported as such, nothing to cache)
    todo: list[Source]  # to parse and check


def read_sources(plan: Plan, cache: ResultCache, start_workers: bool = True) -> Sources:
    """Read every post of the corpus; take the result of those the cache has (a post's bytes are its key).
    ``start_workers``: once enough posts need checking to spread them, start the worker processes' fork
    server, so that it loads the checks on another core while this process goes on."""
    content_dir, policy = plan.options.content_dir, plan.policy
    found = Sources([], [])
    wanted = summaries_only_outside(plan)
    read: list[tuple[str, bytes]] = []
    for rel in plan.corpus_paths:
        source = plan.options.unsaved.get(rel) or ingest.read_source(content_dir, rel, policy.frontmatter.max_bytes)
        if isinstance(source, Post):
            ctx = context(source, policy)  # one context: the summary and the checks share the post's analysis
            found.ready.append(CheckedPost(summarize(source, policy, ctx), review_post(source, policy, ctx),
                                           parsed=True))
        else:
            read.append((rel, source))
    # A post the report does not cover needs only its summary, a tenth of the bytes to decode
    summary_only = [wanted is not None and rel not in wanted for rel, _ in read]
    hashes = [content_hash_of(source) for _, source in read]
    full = iter(cache.get_many([h for h, alone in zip(hashes, summary_only, strict=True) if not alone]))
    alone_found = iter(cache.get_summaries([h for h, alone in zip(hashes, summary_only, strict=True) if alone]))
    for (rel, source), alone in zip(read, summary_only, strict=True):
        shown = ingest.display_path(content_dir / rel)
        if alone:
            summary = next(alone_found)
            cached = None if summary is None else (PostResult(), summary)
        else:
            cached = next(full)
        if cached is None:  # without the cache a post outside the report is parsed for its summary alone
            found.todo.append(Source(rel, shown, source, summary_only=alone and not plan.options.use_cache))
            continue
        result, summary = cached
        summary.rel_path, summary.display_path = rel, shown  # the same bytes may sit at another path
        found.ready.append(CheckedPost(summary, result, source if plan.options.grammar else None))
    spreading = worth_spreading(len(found.todo))
    if start_workers and spreading:
        workers.prepare()
    elif found.todo and not spreading and plan.options.use_cache:  # checked here: the table kept between runs
        tables.load_syllables()
    return found


def summaries_only_outside(plan: Plan) -> set[str] | None:
    """The posts the review needs whole, when the others need only their summaries (what the checks across posts
    read of them), or None when every post is needed whole. A review of some PATHs reports on them alone: the
    others' summaries come from the cache, or without it from their parse (a quarter of a full check; a post the
    cache lacks is checked whole all the same, for the next review). With --changed-since, the posts linking to
    the changed ones are reported too, known only from the summaries."""
    if not plan.options.paths or plan.changed is not None:
        return None
    return set(plan.selected)


def check_sources_on_cores(policy: Policy, sources: Sequence[Source], keep_source: bool, spread: bool,
                           done: Callable[[list[CheckedPost]], None] | None = None) -> list[CheckedPost]:
    """:func:`check_sources` on ``sources``, BATCH_SIZE posts at a time: in this machine's worker processes
    when ``spread`` (threads share one core under the GIL; a run with enough posts to check pays the pool's
    start-up back many times over). ``done`` gets each batch as it finishes (to cache it and count progress)."""
    chunks = batches(sources, BATCH_SIZE)
    if not spread and sources and not _can_stop_a_post_here():
        spread = True  # only a process of its own can be stopped in every case: the worker processes
    parts = workers.check_each(policy, chunks, keep_source) if spread else (
        check_sources(policy, chunk, keep_source) for chunk in chunks)
    checked = []
    for part in parts:
        checked.extend(part)
        if done is not None:
            done(part)
    return checked


def _can_stop_a_post_here() -> bool:
    """True when a post checked in this thread can be stopped at its time budget wherever it is: in a process's
    main thread, where a signal interrupts even a long regular-expression match. Elsewhere (a task runner's
    thread) the budget is only raised between bytecodes, so posts go to the worker processes, unless this
    process may not start any (a Dask worker is a daemon process: there the in-thread budget is what holds)."""
    return threading.current_thread() is threading.main_thread() or multiprocessing.current_process().daemon


def worth_spreading(todo: int) -> bool:
    return todo >= workers.MIN_POSTS and workers.cores() > 1


def store_checked(cache: ResultCache, checked: Sequence[CheckedPost]) -> None:
    cache.put_many((item.summary.content_hash, item.result, item.summary) for item in checked if item.cacheable)


def in_corpus_order(plan: Plan, *parts: Sequence[CheckedPost]) -> list[CheckedPost]:
    """Posts in the corpus' order (which of two posts sharing a slug a link reaches must not vary)."""
    by_path = {item.summary.rel_path: item for part in parts for item in part}
    return [by_path[rel] for rel in plan.corpus_paths]


def fetch_external(plan: Plan, summaries: Sequence[PostSummary]) -> dict[str, ExternalResult]:
    from flows.services.external_links import check_urls

    urls = external_urls(summaries, plan.policy.links)
    return check_urls(urls, plan.policy.links, cache_root() / "external")


def _findings(items: list[dict[str, Any]]) -> list[Finding]:
    return [Finding.from_dict(item) for item in items]


GRAMMAR_CHUNK = 200  # posts parsed at a time for grammar: enough requests to keep LanguageTool busy


def check_grammar(plan: Plan, checked: Sequence[CheckedPost]) -> tuple[dict[str, list[Finding]], dict[str, object]]:
    """Grammar findings per post (only the selected posts), and what the stage did.

    A post's findings are kept per version (and per LanguageTool set-up and policy), so an unchanged post is
    not even parsed again; only the others are, a chunk at a time, from the bytes read before.
    """
    from flows.services.languagetool import GrammarService

    started = time.perf_counter()
    wanted = set(plan.selected)
    service = GrammarService(plan.policy.grammar, use_cache=plan.options.use_cache, progress=_grammar_progress)
    store = JsonCache(_store(plan, "grammar-posts"), _namespace(plan, service.fingerprint))
    found: dict[str, list[Finding]] = {}
    todo = []
    candidates = [item for item in checked if item.summary.rel_path in wanted and item.summary.readable
                  and item.source is not None]
    stored = store.load_many([(item.summary.content_hash,) for item in candidates], decode=_findings)
    for item, cached in zip(candidates, stored, strict=True):
        if cached is None:
            todo.append(item)
        else:
            found[item.summary.rel_path] = cached
    try:
        for chunk in batches(todo, GRAMMAR_CHUNK):
            posts = [_grammar_post(plan, item) for item in chunk]
            results = service.check_paragraphs([(post.rel_path, paras) for post, paras in posts])
            keep = []
            for post, _ in posts:
                paras, result = results[post.rel_path]
                found[post.rel_path] = grammar.findings_from(post, paras, result, plan.policy)
                if result.error is None:  # a failed check is tried again next time
                    keep.append(([f.to_dict() for f in found[post.rel_path]], (post.content_hash,)))
            store.save_many(keep)
    finally:
        service.close()
        store.close()
    stats = service.stats.to_dict()
    stats.update(posts_checked=len(todo), posts_cached=store.hits, seconds=round(time.perf_counter() - started, 3))
    return found, stats


def _grammar_progress(total: int) -> Progress:
    """The grammar stage's progress: silent for its first 2 s; on a terminal a line, in a log a line every 15 s."""
    return Progress(total, label="grammar requests answered", quiet_below=1, after=2.0, plain_every=15.0)


def _grammar_post(plan: Plan, item: CheckedPost) -> tuple[Post, list[Paragraph]]:
    """The post as grammar needs it: its text (for positions) and its paragraphs. Those the check-posts step
    took from its parse; a post whose result came from the cache (checked before without grammar) is parsed."""
    summary, source = item.summary, item.source
    assert source is not None
    shown, max_bytes = summary.display_path, plan.policy.frontmatter.max_bytes
    if item.paragraphs is None:
        post = parse_post(summary.rel_path, source, display_path=shown, max_bytes=max_bytes)
        return post, grammar.paragraphs(post)
    # decoded as parse_post decodes: the paragraphs' offsets point into its text
    return decoded_post(summary.rel_path, source, display_path=shown, max_bytes=max_bytes), item.paragraphs


def assemble(plan: Plan, checked: Sequence[CheckedPost], grammar_found: dict[str, list[Finding]],
             external: dict[str, ExternalResult] | None, started: datetime, cache: ResultCache,
             stages: dict[str, object]) -> ReviewReport:
    """The checks across posts (only the posts they must redo), then each selected post's report."""
    summaries = [item.summary for item in checked]
    # Sign-offs are verified under the content folder's own policy (its reviewers), whatever --policy says.
    approvals = plan.approvals or ledger.read(plan.options.content_dir,
                                              None if plan.options.policy_dir else plan.policy)
    signed = {path: event.content_hash for path, event in approvals.approvals().items()}
    wanted = set(plan.selected)
    store = cross_cache(plan)
    asked = [summary for summary in summaries if summary.rel_path in wanted]
    stored = store.load_many([(summary.rel_path, summary.content_hash) for summary in asked],
                             decode=CrossEntry.from_dict)
    previous = {summary.rel_path: entry for summary, entry in zip(asked, stored, strict=True) if entry is not None}
    corpus = Corpus(summaries, plan.files, signed, external, approvals.problems)
    cross = review_corpus(corpus, plan.policy, previous, wanted)
    store.save_many((cross.entries[path].to_dict(), (path, cross.entries[path].content_hash))
                    for path in cross.rechecked)
    store.close()
    reports = []
    for item in checked:
        post, result = item.summary, item.result
        if post.rel_path not in wanted:
            continue
        final = finalize(post, [*result.findings, *cross.findings.get(post.rel_path, []),
                                *grammar_found.get(post.rel_path, [])], plan.policy)
        reports.append(PostReport(post.display_path, post.slug, post.title, post.content_hash, final.findings,
                                  result.metrics, final.waived,
                                  [SuppressionRecord.of(s) for s in final.suppressions]))
    reports.sort(key=lambda r: r.path)
    knowledge.mark_expired(reports, plan.policy, date.today())  # issue 17: facts past their age, sign-offs
    rereview.mark(reports, {i.summary.display_path: i.summary.rel_path for i in checked}, approvals, plan.policy)
    run = run_metadata(plan, started, cache)
    # What this review had to redo: posts parsed and checked (the others came from the cache), and posts whose
    # checks across posts ran again (edited, or something they read of another post changed).
    shown = {item.summary.rel_path: item.summary.display_path for item in checked}
    run["work"] = {"posts": len(checked), "parsed": sum(item.parsed for item in checked),
                   "cross_checked": len(cross.rechecked), "cross_reused": len(cross.entries) - len(cross.rechecked),
                   "cross_checked_posts": sorted(shown[path] for path in cross.rechecked)[:LISTED_AT_MOST]}
    run.update(stages)
    report = ReviewReport(run, reports)
    if plan.options.baseline is not None:
        gate.apply_baseline(report, plan.options.baseline)
    return report


def run_metadata(plan: Plan, started: datetime, cache: ResultCache) -> dict[str, object]:
    return {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "content_dir": ingest.display_path(plan.options.content_dir),
        "policy_dir": ingest.display_path(plan.policy_dir),
        "policy_hash": plan.policy.hash,
        "policy_version": plan.policy.version,
        "git_commit": _git_commit(plan.options.content_dir),
        "versions": {"medpress": _version("medpress"), "checks": code_key()[:12], "python": platform.python_version(),
                     **{name: _version(name) for name in ("prefect", "textstat", "markdown", "beautifulsoup4",
                                                          "rapidfuzz", "language-tool-python")}},
        "options": {"grammar": plan.options.grammar, "external": plan.options.external,
                    "paths": [str(p) for p in plan.options.paths]},
        "skipped": plan.skipped,
        "cache": {"hits": cache.hits, "misses": cache.misses},
    }


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def _git_commit(folder: Path) -> str | None:
    try:
        answer = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return answer.stdout.strip() or None if answer.returncode == 0 else None


def batches(items: Sequence[T], size: int = BATCH_SIZE) -> list[list[T]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def review_plain(options: ReviewOptions, plan: Plan | None = None) -> ReviewReport:
    """The review without Prefect: the same steps as the flow (flows.review), called in order. ``plan``: the
    plan :func:`make_plan` already made of these options (else it is made here)."""
    return review_with_plan(options, plan)[1]


def review_with_plan(options: ReviewOptions, plan: Plan | None = None) -> tuple[Plan, ReviewReport]:
    """:func:`review_plain`, also handing back the plan (the policy, the posts, what was selected)."""
    plan, report, _ = review_checked(options, plan)
    return plan, report


def review_checked(options: ReviewOptions, plan: Plan | None = None
                   ) -> tuple[Plan, ReviewReport, list[PostSummary]]:
    """:func:`review_with_plan`, also handing back every post's summary as this review read it (publishing
    decides and links from them instead of parsing every post again)."""
    started = datetime.now(UTC)
    plan = plan or make_plan(options)
    cache = result_cache(plan)
    sources = read_sources(plan, cache)
    done = check_sources_on_cores(plan.policy, sources.todo, options.grammar, worth_spreading(len(sources.todo)),
                                  lambda part: store_checked(cache, part))
    cache.close()
    checked = in_corpus_order(plan, sources.ready, done)
    summaries = [item.summary for item in checked]
    expand_selection(plan, summaries)
    grammar_found, stages = _grammar_stage(plan, checked, check_grammar)
    external = fetch_external(plan, summaries) if options.external else None
    return plan, assemble(plan, checked, grammar_found, external, started, cache, stages), summaries


def _grammar_stage(plan: Plan, checked: Sequence[CheckedPost],
                   run) -> tuple[dict[str, list[Finding]], dict[str, object]]:
    if not plan.options.grammar:
        return {}, {}
    found, stats = run(plan, checked)
    return found, {"grammar": stats}


def write_json(report: ReviewReport, path: Path) -> None:
    from reports import json_report

    write_atomically(path, json_report.chunks(report))  # in pieces: a report can be huge

"""The review: read every post, check them (cached per post), check across posts, write the report.

``review`` is the Prefect flow (CLI, deployments, the UI); ``review_plain`` runs the very same steps
as plain calls, for benchmarks and comparisons. Only the orchestration differs.
"""

from __future__ import annotations

import os
import platform
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from prefect import Flow, flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import opaque as prefect_opaque

from checks import grammar, links
from checks.corpus import Corpus
from checks.document import Post, content_hash_of, parse_post
from checks.links import ExternalResult, external_urls
from checks.model import Finding
from checks.pipeline import CHECKS_VERSION, CrossEntry, finalize, review_corpus, review_post, summarize
from checks.policy import Policy
from checks.summary import PostSummary
from flows import gate, ingest, workers
from flows.cache import JsonCache, ResultCache, cache_root
from flows.check_posts import CheckedPost, Source, check_sources
from flows.policy_files import load_policy, policy_dir_for
from flows.progress import Progress
from flows.publish.ledger import approved_hashes
from reports import writers
from reports.files import write_atomically
from reports.model import PostReport, ReviewReport

BATCH_SIZE = 25
LISTED_AT_MOST = 100  # posts named in run.work (the count is always whole)
T = TypeVar("T")


class opaque(prefect_opaque):
    """Prefect's ``opaque`` that survives pickling, as task arguments sent to Dask worker processes are.

    Prefect's annotations are tuples whose ``__new__`` wraps its argument: pickle rebuilds a tuple subclass
    from its items, so each round trip nests the value once more and the task gets ``((plan,),)`` for
    ``plan`` (prefect 3.9.1). Rebuilt from the wrapped value instead.
    """

    __slots__ = ()

    def __getnewargs__(self) -> tuple[object]:
        return (self.unwrap(),)


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
    return "\0".join((f"checks={CHECKS_VERSION}", f"policy={plan.policy.hash}", f"medpress={_version('medpress')}",
                      *more))


def _folder(plan: Plan, name: str) -> Path | None:
    return cache_root() / name if plan.options.use_cache else None


def result_cache(plan: Plan) -> ResultCache:
    return ResultCache(_folder(plan, "results"), _namespace(plan))


def cross_cache(plan: Plan) -> JsonCache:
    return JsonCache(_folder(plan, "cross"), _namespace(plan))


@dataclass
class Sources:
    ready: list[CheckedPost]  # from the cache (or unreadable: reported as such, nothing to cache)
    todo: list[Source]  # to parse and check


def read_sources(plan: Plan, cache: ResultCache) -> Sources:
    """Read every post of the corpus; take the result of those the cache has (a post's bytes are its key)."""
    content_dir, policy = plan.options.content_dir, plan.policy
    found = Sources([], [])
    for rel in plan.corpus_paths:
        source = ingest.read_source(content_dir, rel, policy.frontmatter.max_bytes)
        if isinstance(source, Post):
            found.ready.append(CheckedPost(summarize(source, policy), review_post(source, policy), parsed=True))
            continue
        shown = ingest.display_path(content_dir / rel)
        cached = cache.get(content_hash_of(source))
        if cached is None:
            found.todo.append(Source(rel, shown, source))
            continue
        result, summary = cached
        summary.rel_path, summary.display_path = rel, shown  # the same bytes may sit at another path
        found.ready.append(CheckedPost(summary, result, source if plan.options.grammar else None))
    return found


def check_sources_on_cores(policy: Policy, sources: Sequence[Source], keep_source: bool,
                           spread: bool) -> list[CheckedPost]:
    """:func:`check_sources`, in this machine's worker processes when ``spread`` (threads share one core
    under the GIL; a run with enough posts to check pays the pool's start-up back many times over)."""
    if not spread:
        return check_sources(policy, sources, keep_source)
    return workers.call_all(check_sources, [(policy, sources, keep_source)])[0]


def worth_spreading(todo: int) -> bool:
    return todo >= workers.MIN_POSTS and workers.cores() > 1


def store_checked(cache: ResultCache, checked: Sequence[CheckedPost]) -> None:
    for item in checked:
        cache.put(item.summary.content_hash, item.result, item.summary)


def in_corpus_order(plan: Plan, *parts: Sequence[CheckedPost]) -> list[CheckedPost]:
    """Posts in the corpus' order (which of two posts sharing a slug a link reaches must not vary)."""
    by_path = {item.summary.rel_path: item for part in parts for item in part}
    return [by_path[rel] for rel in plan.corpus_paths]


def fetch_external(plan: Plan, summaries: Sequence[PostSummary]) -> dict[str, ExternalResult]:
    from flows.external_links import check_urls

    urls = external_urls(summaries, plan.policy.links)
    return check_urls(urls, plan.policy.links, cache_root() / "external")


GRAMMAR_CHUNK = 200  # posts parsed at a time for grammar: enough requests to keep LanguageTool busy


def check_grammar(plan: Plan, checked: Sequence[CheckedPost]) -> tuple[dict[str, list[Finding]], dict[str, object]]:
    """Grammar findings per post (only the selected posts), and what the stage did.

    A post's findings are kept per version (and per LanguageTool set-up and policy), so an unchanged post is
    not even parsed again; only the others are, a chunk at a time, from the bytes read before.
    """
    from flows.grammar import GrammarService

    started = time.perf_counter()
    wanted = set(plan.selected)
    service = GrammarService(plan.policy.grammar, use_cache=plan.options.use_cache)
    store = JsonCache(_folder(plan, "grammar-posts"), _namespace(plan, service.fingerprint))
    found: dict[str, list[Finding]] = {}
    todo = []
    for item in checked:
        summary = item.summary
        if summary.rel_path not in wanted or not summary.readable or item.source is None:
            continue
        cached = store.load(summary.content_hash)
        if cached is None:
            todo.append(item)
        else:
            found[summary.rel_path] = [Finding.from_dict(f) for f in cached]
    try:
        for chunk in batches(todo, GRAMMAR_CHUNK):
            posts = [parse_post(i.summary.rel_path, i.source or b"", display_path=i.summary.display_path,
                                max_bytes=plan.policy.frontmatter.max_bytes) for i in chunk]
            results = service.check(posts)
            for post in posts:
                paras, result = results[post.rel_path]
                found[post.rel_path] = grammar.findings_from(post, paras, result, plan.policy)
                if result.error is None:  # a failed check is tried again next time
                    store.save([f.to_dict() for f in found[post.rel_path]], post.content_hash)
    finally:
        service.close()
    stats = service.stats.to_dict()
    stats.update(posts_checked=len(todo), posts_cached=store.hits, seconds=round(time.perf_counter() - started, 3))
    return found, stats


def assemble(plan: Plan, checked: Sequence[CheckedPost], grammar_found: dict[str, list[Finding]],
             external: dict[str, ExternalResult] | None, started: datetime, cache: ResultCache,
             stages: dict[str, object]) -> ReviewReport:
    """The checks across posts (only the posts they must redo), then each selected post's report."""
    summaries = [item.summary for item in checked]
    signed = {path: event.content_hash for path, event in approved_hashes(plan.options.content_dir).items()}
    wanted = set(plan.selected)
    store = cross_cache(plan)
    previous = {}
    for summary in summaries:
        if summary.rel_path in wanted:
            data = store.load(summary.rel_path, summary.content_hash)
            if data is not None:
                previous[summary.rel_path] = CrossEntry.from_dict(data)
    cross = review_corpus(Corpus(summaries, plan.files, signed, external), plan.policy, previous, wanted)
    for path in cross.rechecked:
        entry = cross.entries[path]
        store.save(entry.to_dict(), path, entry.content_hash)
    reports = []
    for item in checked:
        post, result = item.summary, item.result
        if post.rel_path not in wanted:
            continue
        final = finalize(post, [*result.findings, *cross.findings.get(post.rel_path, []),
                                *grammar_found.get(post.rel_path, [])], plan.policy)
        reports.append(PostReport(post.display_path, post.slug, post.title, post.content_hash, final.findings,
                                  result.metrics, final.waived, final.suppressions))
    reports.sort(key=lambda r: r.path)
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
        "versions": {"medpress": _version("medpress"), "checks": CHECKS_VERSION, "python": platform.python_version(),
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


def review_plain(options: ReviewOptions) -> ReviewReport:
    """The review without Prefect: the same steps as :func:`review`, called in order."""
    return review_with_plan(options)[1]


def review_with_plan(options: ReviewOptions) -> tuple[Plan, ReviewReport]:
    """:func:`review_plain`, also handing back the plan (the policy, the posts, what was selected)."""
    started = datetime.now(UTC)
    plan = make_plan(options)
    cache = result_cache(plan)
    sources = read_sources(plan, cache)
    chunks = batches(sources.todo)
    if worth_spreading(len(sources.todo)):
        parts = workers.call_all(check_sources, [(plan.policy, chunk, options.grammar) for chunk in chunks])
    else:
        parts = [check_sources(plan.policy, chunk, options.grammar) for chunk in chunks]
    done = [item for part in parts for item in part]
    store_checked(cache, done)
    checked = in_corpus_order(plan, sources.ready, done)
    summaries = [item.summary for item in checked]
    expand_selection(plan, summaries)
    grammar_found, stages = _grammar_stage(plan, checked, check_grammar)
    external = fetch_external(plan, summaries) if options.external else None
    return plan, assemble(plan, checked, grammar_found, external, started, cache, stages)


def _grammar_stage(plan: Plan, checked: Sequence[CheckedPost],
                   run) -> tuple[dict[str, list[Finding]], dict[str, object]]:
    if not plan.options.grammar:
        return {}, {}
    found, stats = run(plan, checked)
    return found, {"grammar": stats}


# ----------------------------------------------------------------------------------------------------
# Prefect: thin tasks over the steps above. NO_CACHE: medpress caches per post itself (flows/cache.py);
# hashing whole posts for Prefect's input cache would cost more than the checks.

read_posts_task = task(read_sources, name="read-posts", cache_policy=NO_CACHE)
check_posts_task = task(check_sources_on_cores, name="check-posts", cache_policy=NO_CACHE)
fetch_external_task = task(fetch_external, name="check-external-links", cache_policy=NO_CACHE, retries=1,
                           retry_delay_seconds=2)
assemble_task = task(assemble, name="check-across-posts", cache_policy=NO_CACHE)
grammar_task = task(check_grammar, name="check-grammar", cache_policy=NO_CACHE)

# Which task runner runs the check-posts batches: MEDPRESS_TASK_RUNNER=threads (default) or dask, with
# MEDPRESS_DASK_ADDRESS to use a running Dask scheduler instead of a local cluster of DASK_WORKERS processes.
# The flow below reads it when this module is imported (so a deployment's job_variables env picks it: a
# worker imports the entrypoint in the flow run's process); configured_review() reads it again when called.
TASK_RUNNERS = ("threads", "dask")
DASK_WORKERS = 2


def dask_task_runner(address: str | None = None) -> TaskRunner:
    """Prefect's Dask task runner (prefect-dask): on the scheduler at ``address``, else on a local cluster
    started for the flow run (worker processes, so posts are parsed and checked on several cores)."""
    from prefect_dask import DaskTaskRunner

    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": DASK_WORKERS, "processes": True, "threads_per_worker": 1})


def task_runner_from_env(environ: Mapping[str, str] | None = None) -> TaskRunner:
    env = os.environ if environ is None else environ
    name = (env.get("MEDPRESS_TASK_RUNNER") or "threads").strip().lower()
    if name == "threads":
        return ThreadPoolTaskRunner(max_workers=4)
    if name == "dask":
        return dask_task_runner(env.get("MEDPRESS_DASK_ADDRESS") or None)
    raise UsageError(f"MEDPRESS_TASK_RUNNER={name!r}: use one of {', '.join(TASK_RUNNERS)}")


@flow(name="review", task_runner=task_runner_from_env(), log_prints=True)
def review(content: str = "content", paths: list[str] | None = None, policy: str | None = None,
           grammar: bool = True, external: bool = False, output: str | None = "reports/review.json",
           use_cache: bool = True, formats: list[str] | None = None, output_dir: str | None = None,
           changed_since: str | None = None, baseline: str | None = None) -> ReviewReport:
    """Review the posts of ``content`` (or only ``paths``); write the JSON report to ``output`` and the
    ``formats`` (json, sarif, junit, html, markdown) into ``output_dir``; publish Prefect artifacts."""
    from prefect.logging import get_run_logger

    started = datetime.now(UTC)
    options = ReviewOptions(Path(content), [Path(p) for p in paths or []], Path(policy) if policy else None,
                            grammar, external, use_cache, changed_since, Path(baseline) if baseline else None)
    plan = make_plan(options)
    cache = result_cache(plan)
    # opaque(): Prefect would otherwise walk every argument (every post, every finding) looking for futures
    # before each task; measured at 15 of 17 s of overhead on 500 posts.
    sources = read_posts_task(opaque(plan), opaque(cache))
    progress = Progress(len(plan.corpus_paths), prefect=True)
    progress.advance(len(sources.ready))
    # Check-posts tasks get the posts' bytes, so a Dask worker elsewhere needs no copy of the content folder.
    # On the thread runner they hand the CPU work to this machine's worker processes when there is enough.
    spread = worth_spreading(len(sources.todo)) and isinstance(FlowRunContext.get().task_runner, ThreadPoolTaskRunner)
    futures = [check_posts_task.submit(opaque(plan.policy), opaque(chunk), grammar, spread)
               for chunk in batches(sources.todo)]
    done: list[CheckedPost] = []
    for future in futures:
        part = future.result()
        done.extend(part)
        progress.advance(len(part))
    store_checked(cache, done)
    checked = in_corpus_order(plan, sources.ready, done)
    summaries = [item.summary for item in checked]
    expand_selection(plan, summaries)
    grammar_found, stages = _grammar_stage(plan, checked,
                                           lambda plan, checked: grammar_task(opaque(plan), opaque(checked)))
    external_results = fetch_external_task(opaque(plan), opaque(summaries)) if external else None
    report = assemble_task(opaque(plan), opaque(checked), opaque(grammar_found), opaque(external_results), started,
                           opaque(cache), opaque(stages))
    if output:
        write_json(report, Path(output))
    written = writers.write_files(report, formats or [], Path(output_dir)) if output_dir else {}
    publish_artifacts(report, written.get("html"))
    summary = report.summary()
    get_run_logger().info("%s posts: %s passed, %s failed (%s errors, %s warnings); report %s",
                          summary["posts"], summary["passed"], summary["failed"], summary["errors"],
                          summary["warnings"], output or "not written")
    return report


def review_with(task_runner: TaskRunner) -> Flow[..., ReviewReport]:
    """The review flow on another task runner, e.g. ``review_with(dask_task_runner())(content=...)``."""
    return review.with_options(task_runner=task_runner)


def configured_review() -> Flow[..., ReviewReport]:
    """The review flow on the task runner MEDPRESS_TASK_RUNNER (and MEDPRESS_DASK_ADDRESS) name now."""
    return review_with(task_runner_from_env())


def write_json(report: ReviewReport, path: Path) -> None:
    from reports import json_report

    write_atomically(path, json_report.render(report))


def publish_artifacts(report: ReviewReport, html: Path | None) -> None:
    """The run's summary and a per-post table in the Prefect UI, both linking to the HTML report."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    from reports import markdown_summary

    link = html.resolve().as_uri() if html else None
    create_markdown_artifact(key="medpress-review-summary", markdown=markdown_summary.render(report, html_report=link),
                             description="medpress review: summary")
    rows = [{"post": p.path, "status": "fail" if p.failed else "pass",
             "errors": sum(f.severity.value == "error" for f in p.findings),
             "warnings": sum(f.severity.value == "warning" for f in p.findings),
             "waived": len(p.waived), "report": link or "(no HTML report written)"} for p in report.posts]
    create_table_artifact(key="medpress-review-posts", table=rows, description="medpress review: posts")


"""The review: read every post, check them (cached per post), check across posts, write the report.

``review`` is the Prefect flow (CLI, deployments, the UI); ``review_plain`` runs the very same steps
as plain calls, for benchmarks and comparisons. Only the orchestration differs.
"""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

from prefect import Flow, flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import opaque as prefect_opaque

from checks import grammar, links
from checks.corpus import Corpus
from checks.document import Post
from checks.links import ExternalResult, external_urls
from checks.model import Finding, PostResult
from checks.pipeline import CHECKS_VERSION, finalize, review_corpus, review_post
from checks.policy import Policy
from flows import gate, ingest
from flows.cache import ResultCache, cache_root
from flows.policy_files import load_policy, policy_dir_for
from flows.progress import Progress
from flows.publish.ledger import approved_hashes
from reports import writers
from reports.files import write_atomically
from reports.model import PostReport, ReviewReport

BATCH_SIZE = 25


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


def expand_selection(plan: Plan, posts: Sequence[Post]) -> None:
    """With --changed-since: the changed posts plus every post that links to one of them."""
    if plan.changed is None:
        return
    linking = links.linking_posts(Corpus(posts, plan.files), plan.changed, plan.policy.links)
    plan.selected = sorted(plan.changed | linking)
    plan.skipped.append(f"unchanged posts since {plan.options.changed_since}: only {len(plan.changed)} changed "
                        f"post(s) and {len(linking - plan.changed)} linking to them reviewed")


def result_cache(plan: Plan) -> ResultCache:
    namespace = f"checks={CHECKS_VERSION}\0policy={plan.policy.hash}\0medpress={_version('medpress')}"
    folder = cache_root() / "results" if plan.options.use_cache else None
    return ResultCache(folder, namespace)


def check_batch(plan: Plan, rel_paths: Sequence[str], cache: ResultCache) -> list[tuple[Post, PostResult]]:
    """Read and parse posts; run per-post checks unless the cache has their result."""
    done = []
    for rel in rel_paths:
        post = ingest.read_post(plan.options.content_dir, rel, plan.policy.frontmatter.max_bytes)
        result = cache.get(post.content_hash)
        if result is None:
            result = review_post(post, plan.policy)
            cache.put(post.content_hash, result)
        done.append((post, result))
    return done


class CheckedBatch(NamedTuple):
    checked: list[tuple[Post, PostResult]]
    cache_hits: int
    cache_misses: int


def check_batch_counted(plan: Plan, rel_paths: Sequence[str], cache: ResultCache) -> CheckedBatch:
    """:func:`check_batch` for the task: it counts on its own copy of the cache and returns the counts, since
    a task run in another process (Dask) could not add them to the flow's ``cache``; the flow sums them."""
    own = cache.counting_copy()
    return CheckedBatch(check_batch(plan, rel_paths, own), own.hits, own.misses)


def fetch_external(plan: Plan, posts: Sequence[Post]) -> dict[str, ExternalResult]:
    from flows.external_links import check_urls

    urls = external_urls(posts, plan.policy.links)
    return check_urls(urls, plan.policy.links, cache_root() / "external")


def check_grammar(plan: Plan, posts: Sequence[Post]) -> tuple[dict[str, list[Finding]], dict[str, object]]:
    """Grammar findings per post (only the selected posts), and what the stage did."""
    from flows.grammar import GrammarService

    wanted = set(plan.selected)
    service = GrammarService(plan.policy.grammar, use_cache=plan.options.use_cache)
    try:
        results = service.check([p for p in posts if p.rel_path in wanted and p.readable])
    finally:
        service.close()
    by_path = {p.rel_path: p for p in posts}
    found = {path: grammar.findings_from(by_path[path], paras, result, plan.policy)
             for path, (paras, result) in results.items()}
    return found, service.stats.to_dict()


def assemble(plan: Plan, checked: Sequence[tuple[Post, PostResult]], grammar_found: dict[str, list[Finding]],
             external: dict[str, ExternalResult] | None, started: datetime, cache: ResultCache,
             stages: dict[str, object]) -> ReviewReport:
    posts = [post for post, _ in checked]
    signed = {path: event.content_hash for path, event in approved_hashes(plan.options.content_dir).items()}
    cross = review_corpus(Corpus(posts, plan.files, signed), plan.policy, external)
    wanted = set(plan.selected)
    reports = []
    for post, result in checked:
        if post.rel_path not in wanted:
            continue
        final = finalize(post, [*result.findings, *cross.get(post.rel_path, []),
                                *grammar_found.get(post.rel_path, [])], plan.policy)
        reports.append(PostReport(post.display_path, post.slug, post.title, post.content_hash, final.findings,
                                  result.metrics, final.waived, final.suppressions))
    reports.sort(key=lambda r: r.path)
    run = run_metadata(plan, started, cache)
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


def batches(items: Sequence[str], size: int = BATCH_SIZE) -> list[list[str]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def review_plain(options: ReviewOptions) -> ReviewReport:
    """The review without Prefect: the same steps as :func:`review`, called in order."""
    return review_with_posts(options)[2]


def review_with_posts(options: ReviewOptions) -> tuple[Plan, list[Post], ReviewReport]:
    """:func:`review_plain`, also handing back the plan and every parsed post (publishing renders them)."""
    started = datetime.now(UTC)
    plan = make_plan(options)
    cache = result_cache(plan)
    checked = [item for batch in batches(plan.corpus_paths) for item in check_batch(plan, batch, cache)]
    posts = [p for p, _ in checked]
    expand_selection(plan, posts)
    grammar_found, stages = _grammar_stage(plan, posts, check_grammar)
    external = fetch_external(plan, posts) if options.external else None
    return plan, posts, assemble(plan, checked, grammar_found, external, started, cache, stages)


def _grammar_stage(plan: Plan, posts: Sequence[Post], run) -> tuple[dict[str, list[Finding]], dict[str, object]]:
    if not plan.options.grammar:
        return {}, {}
    found, stats = run(plan, posts)
    return found, {"grammar": stats}


# ----------------------------------------------------------------------------------------------------
# Prefect: thin tasks over the steps above. NO_CACHE: medpress caches per post itself (flows/cache.py);
# hashing whole posts for Prefect's input cache would cost more than the checks.

check_batch_task = task(check_batch_counted, name="check-posts", cache_policy=NO_CACHE)
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
    # opaque(): Prefect would otherwise walk every argument (every parsed post, down to its per-character
    # offsets) looking for futures before each task; measured at 15 of 17 s of overhead on 500 posts.
    # Dask workers may run in another working folder: they get the content folder as an absolute path, and
    # the posts' report paths are made here, relative to this run's working folder (as ingest.read_post does).
    sent = replace(plan, options=replace(options, content_dir=options.content_dir.absolute()))
    futures = [check_batch_task.submit(opaque(sent), batch, opaque(cache)) for batch in batches(plan.corpus_paths)]
    checked = []
    progress = Progress(len(plan.corpus_paths), prefect=True)
    for future in futures:
        batch = future.result()
        for post, _ in batch.checked:
            post.display_path = ingest.display_path(options.content_dir / post.rel_path)
        checked.extend(batch.checked)
        cache.add_counts(batch.cache_hits, batch.cache_misses)
        progress.advance(len(batch.checked))
    posts = [p for p, _ in checked]
    expand_selection(plan, posts)
    grammar_found, stages = _grammar_stage(plan, posts, lambda plan, posts: grammar_task(opaque(plan), opaque(posts)))
    external_results = fetch_external_task(opaque(plan), opaque(posts)) if external else None
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


"""The review as a Prefect flow: the steps of :mod:`flows.engine.steps` as tasks, for the CLI's full runs,
deployments and the Prefect UI. ``review_plain`` (in flows.engine.steps) runs the very same steps as plain calls;
only the orchestration differs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from prefect import Flow, flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import opaque as prefect_opaque

from flows.engine import workers
from flows.engine.progress import Progress
from flows.engine.steps import (
    CheckedPost,
    ReviewOptions,
    UsageError,
    _grammar_stage,
    assemble,
    batches,
    check_grammar,
    check_sources_on_cores,
    expand_selection,
    fetch_external,
    in_corpus_order,
    make_plan,
    read_sources,
    result_cache,
    store_checked,
    write_json,
)
from reports import writers
from reports.model import ReviewReport


class opaque(prefect_opaque):
    """Prefect's ``opaque`` that survives pickling, as task arguments sent to Dask worker processes are.

    Prefect's annotations are tuples whose ``__new__`` wraps its argument: pickle rebuilds a tuple subclass
    from its items, so each round trip nests the value once more and the task gets ``((plan,),)`` for
    ``plan`` (prefect 3.9.1). Rebuilt from the wrapped value instead.
    """

    __slots__ = ()

    def __getnewargs__(self) -> tuple[object]:
        return (self.unwrap(),)


# ----------------------------------------------------------------------------------------------------
# Prefect: thin tasks over the steps of flows/engine/steps.py.
# NO_CACHE: medpress caches per post itself (flows/store/cache.py);
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
    try:  # an optional extra: a plain install never imports it
        from prefect_dask import DaskTaskRunner
    except ImportError as err:
        raise UsageError("MEDPRESS_TASK_RUNNER=dask needs the optional Dask runner, which is not installed: "
                         "pip install 'medpress[dask]'") from err

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
           grammar: bool = True, external: bool = False, output: str | None = "review-output/review.json",
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
    local = isinstance(FlowRunContext.get().task_runner, ThreadPoolTaskRunner)  # else Dask's workers check
    # opaque(): Prefect would otherwise walk every argument (every post, every finding) looking for futures
    # before each task; measured at 15 of 17 s of overhead on 500 posts.
    sources = read_posts_task(opaque(plan), opaque(cache), local)
    progress = Progress(len(plan.corpus_paths), prefect=True)
    progress.advance(len(sources.ready))

    def batch_done(part: list[CheckedPost]) -> None:
        store_checked(cache, part)  # at once: a run stopped half-way keeps what it checked
        progress.advance(len(part))

    # Check-posts tasks get the posts' bytes, so a Dask worker elsewhere needs no copy of the content folder.
    # On the thread runner, one task hands them to this machine's worker processes a batch at a time and reports
    # each batch: a task run per batch costs this process CPU (Prefect's events and states; 40 runs for 1,000 posts
    # added 1 to 1.5 s) while the worker processes need every core. And only there can a post stuck past its time
    # budget be stopped wherever it is (a task thread cannot take the signal that stops it), so even a few posts
    # go to the worker processes (the first start of them costs about half a second).
    spread = local and bool(sources.todo)
    if spread:
        futures = [check_posts_task.submit(opaque(plan.policy), opaque(sources.todo), grammar, True,
                                           opaque(batch_done))]
    else:
        futures = [check_posts_task.submit(opaque(plan.policy), opaque(chunk), grammar, False)
                   for chunk in batches(sources.todo)]
    done: list[CheckedPost] = []
    try:
        for future in futures:
            part = future.result()
            done.extend(part)
            if not spread:
                batch_done(part)
    except BaseException:  # SIGTERM (Prefect's TerminationSignal), Ctrl-C: the task thread waits on the workers;
        workers.shutdown(kill=True)  # killed, it stops at once, and the task runner need not wait for its posts
        raise
    cache.close()
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


@contextmanager
def in_process_run() -> Iterator[None]:
    """Where a flow runs in the caller's own process (``medpress review``, ``medpress baseline``, the benchmark):
    without Prefect's flow-run heartbeats, unless PREFECT_FLOWS_HEARTBEAT_FREQUENCY is set (environment, profile
    or prefect.toml).

    Heartbeats let Prefect notice a flow run whose worker died. Here the caller sees the process end itself, and
    the heartbeat thread (Prefect 3.9) sleeps in 1 s steps that a sync flow waits out when it ends: 0 to 1 s, half
    a second on average, added to every review. Deployment runs (a worker's process) keep Prefect's default.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, get_current_settings, temporary_settings

    if "heartbeat_frequency" in get_current_settings().flows.model_fields_set:
        yield
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def review_with(task_runner: TaskRunner) -> Flow[..., ReviewReport]:
    """The review flow on another task runner, e.g. ``review_with(dask_task_runner())(content=...)``."""
    return review.with_options(task_runner=task_runner)


def configured_review() -> Flow[..., ReviewReport]:
    """The review flow on the task runner MEDPRESS_TASK_RUNNER (and MEDPRESS_DASK_ADDRESS) name now."""
    return review_with(task_runner_from_env())


def publish_artifacts(report: ReviewReport, html: Path | None) -> None:
    """The run's summary and a per-post table in the Prefect UI, both linking to the HTML report."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    from reports import markdown_summary

    link = html.resolve().as_uri() if html else None
    create_markdown_artifact(key="medpress-review-summary", markdown=markdown_summary.render(report, html_report=link),
                             description="medpress review: summary")
    rows = [{"post": p.path, "status": "fail" if p.failed else "pass", "sign_off": p.sign_off.get("state", ""),
             "errors": sum(f.severity.value == "error" for f in p.findings),
             "warnings": sum(f.severity.value == "warning" for f in p.findings),
             "waived": len(p.waived), "report": link or "(no HTML report written)"} for p in report.posts]
    create_table_artifact(key="medpress-review-posts", table=rows, description="medpress review: posts")


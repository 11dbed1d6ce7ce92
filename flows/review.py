"""The review as a Prefect flow: the steps of :mod:`flows.engine.steps` as tasks, for the CLI's full runs,
deployments and the Prefect UI. ``review_plain`` (in flows.engine.steps) runs the very same steps as plain calls;
only the orchestration differs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from prefect import Flow, flow, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.states import Failed, State
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from checks.corpus import ExternalResult
from checks.model import Finding
from checks.policy import Policy
from flows.engine import workers
from flows.engine.check_posts import Source
from flows.engine.progress import Progress
from flows.engine.steps import (
    CheckedPost,
    Plan,
    ReviewOptions,
    Sources,
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
from flows.store.cache import ResultCache
from reports import run_summary, writers
from reports.model import ReviewReport

# ----------------------------------------------------------------------------------------------------
# Prefect: thin tasks over the steps of flows/engine/steps.py, handed small handles.
# Before each task Prefect walks its arguments looking for futures, into lists, dicts, dataclasses and pydantic
# models: the plan's policy, every post, every finding (15 of 17 s of overhead on 500 posts, measured when the tasks
# took them as they are). It never enters a plain object, so a task gets a handle (ReviewRun for the flow run's shared
# state, Batch for the posts one check-posts task checks) and the few scalars it needs.
# NO_CACHE: medpress caches per post itself (flows/store/cache.py);
# hashing whole posts for Prefect's input cache would cost more than the checks.


class ReviewRun:
    """One flow run's state the tasks share: the plan, the result cache, then what each stage hands the next
    (the checked posts, grammar's findings, the external links' results, the stages' statistics)."""

    __slots__ = ("cache", "checked", "external", "grammar_found", "plan", "stages")

    def __init__(self, plan: Plan, cache: ResultCache) -> None:
        self.plan, self.cache = plan, cache
        self.checked: list[CheckedPost] = []
        self.grammar_found: dict[str, list[Finding]] = {}
        self.external: dict[str, ExternalResult] | None = None
        self.stages: dict[str, object] = {}


class Batch:
    """The posts (their bytes) one check-posts task checks, and the policy: pickled whole for a Dask worker
    elsewhere. ``done`` (this process only) gets each part as it is checked."""

    __slots__ = ("done", "policy", "sources")

    def __init__(self, policy: Policy, sources: list[Source],
                 done: Callable[[list[CheckedPost]], None] | None = None) -> None:
        self.policy, self.sources, self.done = policy, sources, done


@task(name="read-posts", cache_policy=NO_CACHE)
def read_posts_task(run: ReviewRun, start_workers: bool) -> Sources:
    return read_sources(run.plan, run.cache, start_workers)


@task(name="check-posts", cache_policy=NO_CACHE)
def check_posts_task(batch: Batch, keep_source: bool, spread: bool) -> list[CheckedPost]:
    return check_sources_on_cores(batch.policy, batch.sources, keep_source, spread, batch.done)


@task(name="check-external-links", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def fetch_external_task(run: ReviewRun) -> dict[str, ExternalResult]:
    return fetch_external(run.plan, [item.summary for item in run.checked])


@task(name="check-grammar", cache_policy=NO_CACHE)
def grammar_task(run: ReviewRun) -> tuple[dict[str, list[Finding]], dict[str, object]]:
    return check_grammar(run.plan, run.checked)


@task(name="check-across-posts", cache_policy=NO_CACHE)
def assemble_task(run: ReviewRun, started: datetime) -> ReviewReport:
    return assemble(run.plan, run.checked, run.grammar_found, run.external, started, run.cache, run.stages)


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


@flow(name="review", task_runner=task_runner_from_env(), log_prints=True, flow_run_name="review {content}/")
def review(content: str = "content", paths: list[str] | None = None, policy: str | None = None,
           grammar: bool = True, external: bool = False, output: str | None = "review-output/review.json",
           use_cache: bool = True, formats: list[str] | None = None, output_dir: str | None = None,
           changed_since: str | None = None, baseline: str | None = None,
           fail_on: Literal["error", "warning", "never"] = "never") -> ReviewReport | State:
    """Review the posts of ``content`` (or only ``paths``); write the JSON report to ``output`` and the
    ``formats`` (json, sarif, junit, html, markdown) into ``output_dir``; publish Prefect artifacts.

    The run is renamed for what it found ("review content/: 9 posts, 6 fail"). A review that reaches ``fail_on``
    ends Failed with that name as its message, the reports written all the same; ``report_of(state)`` gives the
    report either way."""
    from prefect.logging import get_run_logger

    started = datetime.now(UTC)
    options = ReviewOptions(Path(content), [Path(p) for p in paths or []], Path(policy) if policy else None,
                            grammar, external, use_cache, changed_since, Path(baseline) if baseline else None)
    plan = make_plan(options)
    run = ReviewRun(plan, result_cache(plan))
    cache = run.cache
    local = isinstance(FlowRunContext.get().task_runner, ThreadPoolTaskRunner)  # else Dask's workers check
    sources = read_posts_task(run, local)
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
        futures = [check_posts_task.submit(Batch(plan.policy, sources.todo, batch_done), grammar, True)]
    else:
        futures = [check_posts_task.submit(Batch(plan.policy, chunk), grammar, False)
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
    run.checked = in_corpus_order(plan, sources.ready, done)
    expand_selection(plan, [item.summary for item in run.checked])
    run.grammar_found, run.stages = _grammar_stage(plan, run.checked, lambda _plan, _checked: grammar_task(run))
    run.external = fetch_external_task(run) if external else None
    report = assemble_task(run, started)
    if output:
        write_json(report, Path(output))
    if output_dir:
        from flows.publish.report_status import approval_status

        approval = approval_status(Path(content)) if "html" in (formats or []) else None
        writers.write_files(report, formats or [], Path(output_dir), approval)
    publish_artifacts(report)
    summary = report.summary()
    get_run_logger().info("%s posts: %s passed, %s failed (%s errors, %s warnings); report %s",
                          summary["posts"], summary["passed"], summary["failed"], summary["errors"],
                          summary["warnings"], output or "not written")
    name = run_summary.run_name(report, content)
    _rename_run(name)
    if report.reaches(fail_on):
        message = f"{name} (the gate fails on {fail_on})"
        return Failed(message=message, data=GateFailed(message, report))
    return report


class GateFailed(Exception):
    """The review reached ``fail_on``: the Failed state's exception, carrying the report (Prefect turns a Failed
    state's data into the exception it raises, so the data must be one)."""

    def __init__(self, message: str, report: ReviewReport) -> None:
        super().__init__(message)
        self.report = report

    def __reduce__(self) -> tuple[type[GateFailed], tuple[str, ReviewReport]]:
        return (GateFailed, (str(self), self.report))


def report_of(state: State) -> ReviewReport:
    """The report of a finished review flow run, Completed or Failed at its gate; any other failure is raised."""
    outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, GateFailed):
        return outcome.report
    if isinstance(outcome, ReviewReport):
        return outcome
    return state.result()  # the flow itself failed: its own exception


def _rename_run(name: str) -> None:
    """Name the flow run for what it did (known only at the end)."""
    from prefect.client.orchestration import get_client

    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return
    with get_client(sync_client=True) as client:
        client.update_flow_run(context.flow_run.id, name=name)


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


def desk_url() -> str | None:
    """The reviewer's desk (``medpress serve``) as reviewers reach it, when MEDPRESS_DESK_URL names it."""
    return os.environ.get("MEDPRESS_DESK_URL", "").strip() or None


def publish_artifacts(report: ReviewReport) -> None:
    """The run's findings and a per-post table in the Prefect UI. No file:// link to a report on the worker's disk
    (a reviewer's browser cannot open it): the findings themselves, and a link to the desk when it runs."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    desk = desk_url()
    create_markdown_artifact(key="medpress-review-summary", markdown=run_summary.render(report, desk_url=desk),
                             description="medpress review: summary")
    create_table_artifact(key="medpress-review-posts", table=run_summary.post_rows(report, desk),
                          description="medpress review: posts")


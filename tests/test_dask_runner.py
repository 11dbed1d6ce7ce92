"""The review flow on Prefect's Dask task runner (prefect-dask): a local cluster of two worker processes.

The check-posts batches run in the Dask workers: every argument (the posts' bytes and the policy) and
result crosses a process boundary by pickle; the flow reads the posts and keeps the cache itself. Proof that
the tasks ran there comes from Dask itself: the scheduler's task stream records which worker ran each
task, and the test checks those are the cluster's two worker processes (not the flow's process).

The report must equal the one from the default thread runner. Both flows run in subprocesses with the
PYTHONHASHSEED that the Dask workers run with (distributed's nanny fixes one for its workers): a few
checks still order some results by set iteration, which differs between processes with random hashing.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CONTENT, write_post

pytestmark = pytest.mark.usefixtures("prefect_api")

BATCH = 2  # posts per check-posts task, so the 10 posts make 5 tasks to spread over 2 workers
WORKERS = 2

# Runs the review flow chosen by MEDPRESS_TASK_RUNNER (flows.review.configured_review) in a fresh process.
RUN_FLOW = """
import sys
import flows.review as review
batches = review.batches
review.batches = lambda items: batches(items, int(sys.argv[3]))
review.configured_review()(content=sys.argv[1], grammar=False, use_cache=False, output=sys.argv[2])
"""


def test_prefect_dask_is_installed() -> None:
    """A missing prefect-dask fails here (the test extra installs it; for users it is the extra `dask`), never skips."""
    from importlib import metadata

    import prefect_dask  # noqa: F401

    assert metadata.version("prefect-dask") and metadata.version("distributed")


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """A client of a local Dask cluster: 2 worker processes, 1 thread each."""
    from distributed import Client, LocalCluster

    local = LocalCluster(n_workers=WORKERS, processes=True, threads_per_worker=1, dashboard_address=None)
    client = Client(local)
    client.wait_for_workers(WORKERS, timeout=120)
    yield client
    client.close()
    local.close()


EXTRA_POST = """---
title: "Only in the copy"
slug: only-in-the-copy
date: 2024-05-01
---
A post that exists only in the test's copy of the content folder. It is short and plain.
"""


def _run_flow(workdir: Path, output: Path, runner: str, cluster) -> subprocess.CompletedProcess[str]:
    seeds = set(cluster.run(os.environ.get, "PYTHONHASHSEED").values())
    assert len(seeds) == 1 and None not in seeds, seeds
    env = {**os.environ, "MEDPRESS_TASK_RUNNER": runner, "MEDPRESS_DASK_ADDRESS": cluster.scheduler.address,
           "PYTHONHASHSEED": seeds.pop()}
    # An absolute content path: the Dask workers resolve a relative one in their own working directory.
    content = str(workdir / "content")
    return subprocess.run([sys.executable, "-c", RUN_FLOW, content, str(output), str(BATCH)], cwd=workdir,
                          env=env, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.timeout(420)
def test_dask_runner_gives_the_thread_runners_report(cluster, tmp_path: Path) -> None:
    from distributed import get_task_stream

    shutil.copytree(CONTENT, tmp_path / "content")
    write_post(tmp_path / "content", "only-in-the-copy.md", EXTRA_POST)
    threads = _run_flow(tmp_path, tmp_path / "threads.json", "threads", cluster)
    assert threads.returncode == 0, threads.stderr[-4000:]

    started = time.monotonic()
    with get_task_stream(cluster) as stream:
        dask = _run_flow(tmp_path, tmp_path / "dask.json", "dask", cluster)
    elapsed = time.monotonic() - started
    assert dask.returncode == 0, dask.stderr[-4000:]
    assert "Traceback" not in dask.stdout + dask.stderr, dask.stderr[-4000:]

    expected = json.loads((tmp_path / "threads.json").read_text())
    got = json.loads((tmp_path / "dask.json").read_text())
    posts = len(list((tmp_path / "content" / "posts").iterdir()))
    assert got["summary"]["posts"] == posts and got["summary"]["errors"] > 0
    extra = next(p for p in got["posts"] if p["slug"] == "only-in-the-copy")
    assert extra["title"] == "Only in the copy", extra  # the workers checked the copy's bytes
    assert [p["path"] for p in got["posts"]] == [p["path"] for p in expected["posts"]]
    assert got["posts"] == expected["posts"]  # same findings, metrics, waivers, in the same order
    assert got["summary"] == expected["summary"]

    # Dask ran every check-posts task (Prefect names the Dask task after the task function), on the
    # cluster's worker processes, not in the flow's process.
    ran = [t for t in stream.data if t["key"].startswith("check_posts_task-")]
    assert len(ran) == -(-posts // BATCH), [t["key"] for t in stream.data]
    pids = cluster.run(os.getpid)  # worker address -> process id
    assert {t["worker"] for t in ran} <= set(pids)
    assert os.getpid() not in pids.values() and len(set(pids.values())) == WORKERS
    assert elapsed < 180, f"the Dask run took {elapsed:.0f} s"


@pytest.mark.timeout(300)
def test_cache_counts_add_up_across_worker_processes(cluster, tmp_path: Path, monkeypatch) -> None:
    import flows.review as review_module

    shutil.copytree(CONTENT, tmp_path / "content")
    monkeypatch.setenv("MEDPRESS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MEDPRESS_TASK_RUNNER", "dask")
    monkeypatch.setenv("MEDPRESS_DASK_ADDRESS", cluster.scheduler.address)
    batches = review_module.batches
    monkeypatch.setattr(review_module, "batches", lambda items: batches(items, BATCH))
    posts = len(list((tmp_path / "content" / "posts").iterdir()))

    flow = review_module.configured_review()
    assert type(flow.task_runner).__name__ == "DaskTaskRunner"
    first = flow(content=str(tmp_path / "content"), grammar=False, use_cache=True, output=None)
    second = flow(content=str(tmp_path / "content"), grammar=False, use_cache=True, output=None)
    assert first.run["cache"] == {"hits": 0, "misses": posts}
    assert second.run["cache"] == {"hits": posts, "misses": 0}
    assert (first.run["work"]["parsed"], second.run["work"]["parsed"]) == (posts, 0)
    assert [p.findings for p in first.posts] == [p.findings for p in second.posts]


def test_the_runner_comes_from_the_environment() -> None:
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    from flows.engine.steps import UsageError
    from flows.review import task_runner_from_env

    assert isinstance(task_runner_from_env({}), ThreadPoolTaskRunner)
    assert isinstance(task_runner_from_env({"MEDPRESS_TASK_RUNNER": "threads"}), ThreadPoolTaskRunner)
    local = task_runner_from_env({"MEDPRESS_TASK_RUNNER": "dask"})
    assert isinstance(local, DaskTaskRunner) and local.address is None
    assert local.cluster_kwargs == {"n_workers": 2, "processes": True, "threads_per_worker": 1}
    remote = task_runner_from_env({"MEDPRESS_TASK_RUNNER": "Dask", "MEDPRESS_DASK_ADDRESS": "tcp://127.0.0.1:8786"})
    assert isinstance(remote, DaskTaskRunner) and remote.address == "tcp://127.0.0.1:8786"
    with pytest.raises(UsageError, match="MEDPRESS_TASK_RUNNER"):
        task_runner_from_env({"MEDPRESS_TASK_RUNNER": "processes"})


def test_what_tasks_receive_and_return_pickles(tmp_path: Path) -> None:
    from flows.engine.check_posts import check_sources
    from flows.engine.steps import ReviewOptions, make_plan, read_sources, result_cache
    from flows.review import Batch

    plan = make_plan(ReviewOptions(CONTENT, grammar=False, use_cache=False))
    assert pickle.loads(pickle.dumps(plan)) == plan
    cache = result_cache(plan)
    cache.path = tmp_path / "results.sqlite"
    sources = read_sources(plan, cache)
    assert (cache.hits, cache.misses) == (0, len(plan.corpus_paths)) and not sources.ready
    sent = pickle.loads(pickle.dumps(Batch(plan.policy, sources.todo[:3])))  # what a check-posts task gets
    assert sent.policy.hash == plan.policy.hash and sent.sources == sources.todo[:3] and sent.done is None
    done = check_sources(sent.policy, sent.sources, False)
    back = pickle.loads(pickle.dumps(done))
    assert [item.result for item in back] == [item.result for item in done]
    assert [item.summary.to_dict() for item in back] == [item.summary.to_dict() for item in done]

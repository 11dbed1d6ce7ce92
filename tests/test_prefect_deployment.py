"""prefect.yaml: editors start reviews from deployments; a real worker runs one end to end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import AS_COMMITTED, ROOT

pytestmark = pytest.mark.usefixtures("prefect_api")


def _prefect(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    prefect = Path(sys.executable).with_name("prefect")
    return subprocess.run([str(prefect), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}, check=False)


def test_deployment_parameters_fit_the_flow() -> None:
    from prefect.flows import load_flow_from_entrypoint

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    names = {d["name"]: d for d in config["deployments"]}
    assert {"review-content", "review-nightly", "sign-off", "publish-static", "publish-wordpress",
            "recheck-policy"} <= set(names)
    flows = {"review-content": "review", "review-nightly": "review", "review-dask": "review", "sign-off": "sign-off",
             "publish-static": "publish", "publish-wordpress": "publish", "audit-wordpress-nightly": "audit",
             "audit-static-nightly": "audit", "recheck-policy": "recheck"}
    for name, deployment in names.items():
        flow = load_flow_from_entrypoint(str(ROOT / deployment["entrypoint"]))
        assert flow.name == flows[name]
        flow.validate_parameters(deployment["parameters"])  # raises on an unknown or mistyped parameter
    assert names["review-nightly"]["schedules"] and names["publish-wordpress"]["schedules"]
    assert names["audit-static-nightly"]["schedules"][0]["cron"] and names["audit-wordpress-nightly"]["schedules"]


def test_a_deployment_run_reviews_the_content(tmp_path: Path) -> None:
    work = tmp_path / "repo"
    shutil.copytree(ROOT / "content", work / "content", ignore=AS_COMMITTED)
    shutil.copytree(ROOT / "flows", work / "flows")
    shutil.copy(ROOT / "prefect.yaml", work / "prefect.yaml")
    pool = "medpress-test-pool"
    _prefect("work-pool", "create", pool, "--type", "process", "--overwrite", cwd=work)
    config = (work / "prefect.yaml").read_text().replace("name: medpress-local", f"name: {pool}")
    (work / "prefect.yaml").write_text(config)
    deployed = _prefect("--no-prompt", "deploy", "--name", "review-content", cwd=work)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    started = _prefect("deployment", "run", "review/review-content", "--param", "grammar=false", cwd=work)
    assert started.returncode == 0, started.stdout + started.stderr
    worker = _prefect("worker", "start", "--pool", pool, "--run-once", cwd=work)
    assert worker.returncode == 0, worker.stdout + worker.stderr
    written = work / "review-output" / "review.json"
    assert written.is_file(), worker.stdout + worker.stderr  # written although the run fails its gate
    report = json.loads(written.read_text())
    summary = report["summary"]
    assert summary["posts"] == len(list((work / "content" / "posts").iterdir())) and summary["failed"] == 1
    # the demo blog's failing draft fails the gate (fail_on: error): the run says so, in its name and state
    name = f"review content/: {summary['posts']} posts, 1 fail, {summary['errors']} errors"
    assert f"Finished in state Failed('{name} (the gate fails on error)')" in worker.stdout + worker.stderr
    # Prefect logs a failed run's exception with its traceback; that is the only one, and it is the gate's message
    tracebacks = (worker.stdout + worker.stderr).split("Traceback (most recent call last):")[1:]
    assert all(f"GateFailed: {name} (the gate fails on error)" in part for part in tracebacks), tracebacks

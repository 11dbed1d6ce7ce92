"""Flows run in the caller's process (the CLI, the benchmark) skip Prefect's flow-run heartbeats unless they are
configured; the heartbeat thread would hold every sync flow run up to 1 s at its end."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.usefixtures("prefect_api")

SEEN_IN_FLOW = """
from prefect import flow
from prefect.settings import get_current_settings
from flows.review import in_process_run

@flow
def probe() -> object:
    return get_current_settings().flows.heartbeat_frequency  # what the flow engine reads at start

with in_process_run():
    print("in process:", probe())
print("deployment-like:", probe())
"""


def _seen(env: dict[str, str]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", SEEN_IN_FLOW], capture_output=True, text=True, timeout=300,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return [line for line in done.stdout.splitlines() if line.startswith(("in process:", "deployment-like:"))]


def test_in_process_runs_send_no_heartbeats_by_default() -> None:
    env = {k: v for k, v in os.environ.items() if "HEARTBEAT_FREQUENCY" not in k}
    assert _seen(env) == ["in process: None", "deployment-like: 180"]


def test_a_configured_heartbeat_is_kept() -> None:
    assert _seen({**os.environ, "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "45"}) == ["in process: 45", "deployment-like: 45"]

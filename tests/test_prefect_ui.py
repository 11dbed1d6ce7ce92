"""The Prefect dashboard works from the README's commands, and each Prefect home has its own server.

Two "checkouts" on one account (one state folder, each its own PREFECT_HOME): `medpress server start` in each
starts a server of its own, a review in one is listed, named and Failed in its dashboard opened in headless
Chromium, and `medpress server stop` in one leaves the other's server running.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import AS_COMMITTED, ROOT
from tests.test_html_report import ARTIFACTS, run_chromium

MEDPRESS = [sys.executable, "-m", "flows.cli"]


def _medpress(checkout: Path, state: Path, *args: str, timeout: float = 400) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}  # not the session's server
    env.update({"MEDPRESS_STATE_DIR": str(state), "PREFECT_HOME": str(checkout / ".prefect"),
                "MEDPRESS_CACHE": str(checkout / ".cache"), "MEDPRESS_SERVER_IDLE_MINUTES": "10",
                "PYTHONPATH": str(ROOT), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"})
    return subprocess.run([*MEDPRESS, *args], cwd=checkout, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def _alive(api: str) -> bool:
    try:
        return httpx.get(api + "/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def test_dashboard_lists_the_failed_review_and_checkouts_stop_only_their_own(tmp_path: Path) -> None:
    state = tmp_path / "state"  # one user's state folder, shared by both checkouts
    first, second = tmp_path / "first", tmp_path / "second"
    for checkout in (first, second):
        checkout.mkdir()
    apis: list[str] = []
    try:
        for checkout in (first, second):
            started = _medpress(checkout, state, "server", "start")
            assert started.returncode == 0, started.stderr
            apis.append(started.stdout.strip())
            assert f"dashboard: {apis[-1].removesuffix('api')}" in started.stderr
        assert apis[0] != apis[1]  # one server per Prefect home
        dashboard = apis[0].removesuffix("api")
        status = _medpress(first, state, "server", "status")
        assert f"dashboard {dashboard} " in status.stdout and str(first / ".prefect") in status.stdout
        assert httpx.get(dashboard + "ui-settings", timeout=10).json()["api_url"] == apis[0]

        shutil.copytree(ROOT / "content", first / "content", ignore=AS_COMMITTED)
        review = _medpress(first, state, "review", "--content", "content", "--no-grammar", "--engine", "prefect",
                           "--output", "out/review.json")
        assert review.returncode == 1, review.stderr  # the demo blog's failing draft
        assert "Traceback" not in review.stderr

        dom = run_chromium(dashboard + "v2/runs", tmp_path / "profile", "--dump-dom", "--virtual-time-budget=20000")
        (tmp_path / "runs.html").write_text(dom)  # kept for a look when the assertion below fails
        assert "Can't connect" not in dom
        named = re.search(r'href="/v2/runs/flow-run/([0-9a-f-]+)">(review content/: 5 posts, 1 fail[^<]*)<', dom)
        assert named, "the review run is not listed by name in the dashboard"
        page = run_chromium(dashboard + f"v2/runs/flow-run/{named.group(1)}", tmp_path / "profile", "--dump-dom",
                            "--virtual-time-budget=20000")
        assert named.group(2) in page and "Failed" in page
        ARTIFACTS.mkdir(parents=True, exist_ok=True)  # what a reviewer sees, kept with the test run
        shot = ARTIFACTS / "prefect-dashboard-review-run.png"
        shot.unlink(missing_ok=True)
        run_chromium(dashboard + f"v2/runs/flow-run/{named.group(1)}", tmp_path / "profile", f"--screenshot={shot}",
                     "--window-size=1280,900", "--virtual-time-budget=20000")
        assert shot.is_file() and shot.stat().st_size > 10_000

        stopped = _medpress(first, state, "server", "stop")
        assert stopped.stdout.strip() == "stopped"
        assert not _alive(apis[0]) and _alive(apis[1])  # the second checkout's server runs on
        assert "running: dashboard" in _medpress(second, state, "server", "status").stdout
    finally:
        for checkout in (first, second):
            _medpress(checkout, state, "server", "stop", timeout=60)

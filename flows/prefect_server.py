"""A local Prefect API server for medpress runs, started once and reused.

Prefect's ephemeral server starts anew on every command (10-40 s on two cores) and logs tracebacks
while shutting down. medpress instead starts ``prefect server start`` on loopback in the background
the first time it is needed, records it under the medpress cache, and reuses it: later runs start in
well under a second, and the Prefect UI shows every run. ``PREFECT_API_URL``, when set, wins.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from flows.cache import cache_root

DEFAULT_STARTUP_SECONDS = 180.0


class ServerError(Exception):
    """The Prefect API could not be reached or started."""


def _state_file() -> Path:
    return cache_root() / "prefect-server.json"


def _log_file() -> Path:
    return cache_root() / "prefect-server.log"


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(api_url.rstrip("/") + "/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def startup_seconds() -> float:
    value = os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")
    try:
        return max(float(value), DEFAULT_STARTUP_SECONDS) if value else DEFAULT_STARTUP_SECONDS
    except ValueError:
        return DEFAULT_STARTUP_SECONDS


def ensure_api() -> str:
    """The API URL to use, starting medpress's local server when needed; also exported to Prefect."""
    given = os.environ.get("PREFECT_API_URL")
    if given:
        if not healthy(given, timeout=10):
            raise ServerError(f"PREFECT_API_URL={given} does not answer /health")
        return given
    state = _state_file()
    state.parent.mkdir(parents=True, exist_ok=True)
    with open(state.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two commands at once must not start two servers
        url = _recorded_url()
        if url is None:
            url = _start()
    os.environ["PREFECT_API_URL"] = url
    return url


def _recorded_url() -> str | None:
    try:
        url = json.loads(_state_file().read_text())["api_url"]
    except (OSError, ValueError, KeyError):
        return None
    return url if healthy(url) else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start() -> str:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_API_URL": ""}
    env.pop("PREFECT_API_URL")
    stop()  # a recorded server that stopped answering: end it before starting another
    with _log_file().open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True,
        )
    deadline = time.monotonic() + startup_seconds()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"the Prefect server exited with status {process.returncode}; "
                              f"see {_log_file()}")
        if healthy(url, timeout=1):
            _state_file().write_text(json.dumps({"api_url": url, "pid": process.pid}))
            return url
        time.sleep(0.25)
    process.terminate()
    raise ServerError(f"the Prefect server did not answer within {startup_seconds():.0f} s "
                      f"(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS); see {_log_file()}")


def _is_prefect_server(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"prefect" in command and b"server" in command and b"start" in command


def status() -> str:
    url = _recorded_url()
    return f"running at {url}" if url else "not running"


def stop() -> bool:
    """Stop the server medpress started (True when one was running)."""
    try:
        pid = json.loads(_state_file().read_text())["pid"]
    except (OSError, ValueError, KeyError):
        return False
    if not _is_prefect_server(pid):  # after a reboot the pid may be someone else's
        _state_file().unlink(missing_ok=True)
        return False
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
        for _ in range(40):
            time.sleep(0.25)
            os.kill(pid, 0)
    _state_file().unlink(missing_ok=True)
    return True

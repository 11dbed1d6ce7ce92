"""One local Prefect API server per user and machine, started when first needed, stopped when idle.

Prefect's ephemeral server starts anew on every command (10-40 s on two cores) and logs tracebacks
while shutting down. medpress instead starts ``prefect server start`` on loopback in the background
the first time it is needed and reuses it: later runs start in well under a second, and the Prefect UI
shows every run. ``PREFECT_API_URL``, when set, wins.

The server is recorded in the per-user state folder (``flows.store.user_state``, never under ``$MEDPRESS_CACHE``:
a review with another cache folder finds the same server), under a lock so that two commands starting at
once start one server. The record also belongs to one ``PREFECT_HOME``: the server keeps its runs in that folder's
database, so a checkout that sets its own ``PREFECT_HOME`` (or ``MEDPRESS_STATE_DIR``) gets its own server, and its
``medpress server stop`` never stops another's. With Prefect's default home that is one server per user and machine.
The server is started with ``PREFECT_UI_API_URL`` set to its own API, so the dashboard (``dashboard_url``) loads.
A watchdog process (``flows.services.server_watchdog``) stops it once nothing has used it for
``MEDPRESS_SERVER_IDLE_MINUTES`` (default 30; 0 keeps it until ``medpress server stop``). Use is real use: a
medpress command holds a shared lock on the server's ``.users`` file while it runs (and touches it when it
starts and ends), and any open connection to the server's port (a Prefect worker, the UI) counts too.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx

from flows.store.cache import cache_root
from flows.store.user_state import StateError, ensure_state_dir, machine, state_dir

DEFAULT_STARTUP_SECONDS = 180.0
DEFAULT_IDLE_MINUTES = 30.0
ESTABLISHED = "01"  # TCP state in /proc/net/tcp

# This process' shared lock on the server's .users file, held until the process ends (a command is using it).
_USING: list[IO[str]] = []


class ServerError(Exception):
    """The Prefect API could not be reached or started."""


def prefect_home() -> Path:
    """The Prefect home the server keeps its database in (``PREFECT_HOME``, else Prefect's default)."""
    given = os.environ.get("PREFECT_HOME", "").strip()
    return (Path(given).expanduser() if given else Path.home() / ".prefect").resolve()


def _base() -> Path:
    """One record per machine (a home may be shared) and per Prefect home; Prefect's default home keeps the name
    earlier medpress used, so a server it started is still found."""
    home = prefect_home()
    if home == (Path.home() / ".prefect").resolve():
        return state_dir() / f"prefect-server-{machine()}"
    digest = hashlib.sha256(str(home).encode()).hexdigest()[:12]
    return state_dir() / f"prefect-server-{machine()}-{digest}"


def state_file() -> Path:
    """Where the running server is recorded: {"api_url", "pid", "watchdog", "idle_seconds"}."""
    return _base().with_suffix(".json")


def lock_file() -> Path:
    return _base().with_suffix(".lock")


def users_file() -> Path:
    return _base().with_suffix(".users")


def log_file() -> Path:
    return _base().with_suffix(".log")


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


def idle_seconds() -> float:
    """MEDPRESS_SERVER_IDLE_MINUTES as seconds (0: never stopped for idleness)."""
    value = os.environ.get("MEDPRESS_SERVER_IDLE_MINUTES", "").strip()
    if not value:
        return DEFAULT_IDLE_MINUTES * 60
    try:
        minutes = float(value)
    except ValueError as err:
        raise ServerError(f"MEDPRESS_SERVER_IDLE_MINUTES={value!r} is not a number of minutes") from err
    if minutes < 0:
        raise ServerError(f"MEDPRESS_SERVER_IDLE_MINUTES={value!r} is negative")
    return minutes * 60


def ensure_api() -> str:
    """The API URL to use, starting the local server when needed; also exported to Prefect.

    The calling process then counts as using the server until it ends.
    """
    given = os.environ.get("PREFECT_API_URL")
    if given:
        if not healthy(given, timeout=10):
            raise ServerError(f"PREFECT_API_URL={given} does not answer /health")
        return given
    try:
        ensure_state_dir()
        with open(lock_file(), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # two commands at once must not start two servers
            url = _recorded_url()
            if url is None:
                url = _start()
            else:
                _keep_watched()
            _use()  # under the lock: the watchdog cannot stop the server between finding and using it
    except OSError as err:
        raise ServerError(f"cannot use the server record in {state_dir()}: {err}") from err
    except StateError as err:
        raise ServerError(str(err)) from err
    _retire_legacy(url)
    os.environ["PREFECT_API_URL"] = url
    return url


def _use() -> None:
    if _USING:
        return
    handle = open(users_file(), "a")  # noqa: SIM115 - held until this process ends
    fcntl.flock(handle, fcntl.LOCK_SH)
    _USING.append(handle)
    _touch()
    atexit.register(_touch)  # idle time counts from the end of the last command


def _touch() -> None:
    with contextlib.suppress(OSError):
        os.utime(users_file())


def record() -> dict[str, Any] | None:
    """The recorded server (whether or not it still answers), or None."""
    try:
        data = json.loads(state_file().read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "api_url" in data and "pid" in data else None


def _recorded_url() -> str | None:
    data = record()
    if data is None:
        return None
    url = str(data["api_url"])
    return url if healthy(url) else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start() -> str:
    idle = idle_seconds()
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    # The UI asks ui-settings for its API: without these it would call Prefect's default port 4200 ("Can't connect
    # to Server API"), since `--port` alone does not reach the settings the UI is served from.
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_API_HOST": "127.0.0.1",
           "PREFECT_SERVER_API_PORT": str(port), "PREFECT_UI_API_URL": url, "PREFECT_UI_URL": dashboard_url(url),
           "PREFECT_HOME": str(prefect_home())}
    env.pop("PREFECT_API_URL", None)
    _stop_recorded()  # a recorded server that stopped answering: end it before starting another
    with log_file().open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True,
        )
    deadline = time.monotonic() + startup_seconds()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"the Prefect server exited with status {process.returncode}; see {log_file()}")
        if healthy(url, timeout=1):
            data: dict[str, Any] = {"api_url": url, "pid": process.pid, "idle_seconds": idle, "watchdog": None,
                                    "prefect_home": str(prefect_home())}
            if idle > 0:
                data["watchdog"] = _start_watchdog(process.pid, port, idle)
            _write_record(data)
            return url
        time.sleep(0.25)
    process.terminate()
    raise ServerError(f"the Prefect server did not answer within {startup_seconds():.0f} s "
                      f"(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS); see {log_file()}")


def _start_watchdog(server_pid: int, port: int, idle: float) -> int:
    command = [sys.executable, "-m", "flows.services.server_watchdog",
               str(state_file()), str(server_pid), str(port), str(idle)]
    with log_file().open("ab") as log:
        watchdog = subprocess.Popen(command,
                                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
    return watchdog.pid


def _retire_legacy(current: str) -> None:
    """Stop the server an earlier medpress recorded in this cache folder (one per MEDPRESS_CACHE, never stopped),
    unless something is connected to it."""
    legacy = cache_root() / "prefect-server.json"
    try:
        data = json.loads(legacy.read_text())
        pid, url = int(data["pid"]), str(data["api_url"])
        port = int(url.rsplit(":", 1)[1].split("/")[0])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return
    if url == current:
        return
    if alive(pid) and is_prefect_server(pid):
        if connected(port):
            return
        terminate_group(pid)
    legacy.unlink(missing_ok=True)


def _keep_watched() -> None:
    """A running server whose watchdog is gone (killed, say) gets a new one, or it would never stop."""
    data = record()
    if data is None or not float(data.get("idle_seconds") or 0):
        return
    watchdog = data.get("watchdog")
    if isinstance(watchdog, int) and alive(watchdog) and _is_watchdog(watchdog):
        return
    port = int(str(data["api_url"]).rsplit(":", 1)[1].split("/")[0])
    data["watchdog"] = _start_watchdog(int(data["pid"]), port, float(data["idle_seconds"]))
    _write_record(data)


def _write_record(data: dict[str, Any]) -> None:
    temporary = state_file().with_suffix(".json.tmp")
    temporary.write_text(json.dumps(data))
    os.replace(temporary, state_file())


def connected(port: int) -> bool:
    """An established TCP connection to ``port`` on this machine (Linux /proc/net)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 3 and fields[3] == ESTABLISHED and int(fields[1].rsplit(":", 1)[1], 16) == port:
                return True
    return False


def is_prefect_server(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"prefect" in command and b"server" in command and b"start" in command


def dashboard_url(api_url: str) -> str:
    """The Prefect UI of the server whose API is ``api_url`` (the UI is served at the root, the API under /api)."""
    base = api_url.rstrip("/")
    return (base[: -len("/api")] if base.endswith("/api") else base) + "/"


def status() -> str:
    data = record()
    if data is None or not healthy(str(data["api_url"])):
        return f"not running (Prefect home {prefect_home()})"
    idle = float(data.get("idle_seconds") or 0)
    stops = f"stops after {idle / 60:g} min unused" if idle else "never stopped for idleness"
    return (f"running: dashboard {dashboard_url(str(data['api_url']))}  (API {data['api_url']}; pid {data['pid']}, "
            f"{stops}; Prefect home {data.get('prefect_home') or prefect_home()}; record {state_file()})")


def stop() -> bool:
    """Stop the recorded server (True when one was running)."""
    try:
        ensure_state_dir()
        with open(lock_file(), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return _stop_recorded()
    except (OSError, StateError):
        return False


def _stop_recorded() -> bool:
    """Stop the recorded server and forget it (the caller holds the lock)."""
    data = record()
    if data is None:
        return False
    pid = int(data["pid"])
    running = alive(pid) and is_prefect_server(pid)  # after a reboot the pid may be someone else's
    if running:
        terminate_group(pid)
    watchdog = data.get("watchdog")
    if isinstance(watchdog, int) and alive(watchdog) and _is_watchdog(watchdog):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(watchdog, signal.SIGTERM)
    state_file().unlink(missing_ok=True)
    return running


def _is_watchdog(pid: int) -> bool:
    try:
        return b"flows.services.server_watchdog" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False


def terminate_group(pid: int, wait_seconds: float = 10.0) -> None:
    """SIGTERM the server's process group (it started its own session), then SIGKILL if it lingers."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline and alive(pid):
            time.sleep(0.25)
        if alive(pid):
            os.killpg(pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    """Running (a zombie, ended but not yet reaped by the command that started it, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")

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

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx

from flows.services.background import LaunchFailed, Slot, alive, command_line, connected, free_port, terminate_group
from flows.store.cache import cache_root
from flows.store.user_state import StateError, machine, state_dir

DEFAULT_STARTUP_SECONDS = 180.0
DEFAULT_IDLE_MINUTES = 30.0


def prefect_home() -> Path:
    """The Prefect home the server keeps its database in (``PREFECT_HOME``, else Prefect's default)."""
    given = os.environ.get("PREFECT_HOME", "").strip()
    return (Path(given).expanduser() if given else Path.home() / ".prefect").resolve()


class _PrefectSlot(Slot):
    def _base(self) -> Path:
        """One record per machine (a home may be shared) and per Prefect home; Prefect's default home keeps the
        name earlier medpress used, so a server it started is still found."""
        home = prefect_home()
        if home == (Path.home() / ".prefect").resolve():
            return super()._base()
        digest = hashlib.sha256(str(home).encode()).hexdigest()[:12]
        return state_dir() / f"{self.name}-{machine()}-{digest}"


SLOT = _PrefectSlot("prefect-server", "prefect", "MEDPRESS_SERVER_IDLE_MINUTES", DEFAULT_IDLE_MINUTES)
_free_port = free_port  # older name, kept for callers
__all__ = ["alive", "connected", "terminate_group"]


class ServerError(Exception):
    """The Prefect API could not be reached or started."""


def state_file() -> Path:
    """Where the running server is recorded: {"api_url", "pid", "watchdog", "idle_seconds"}."""
    return SLOT.state_file()


def lock_file() -> Path:
    return SLOT.lock_file()


def users_file() -> Path:
    return SLOT.users_file()


def log_file() -> Path:
    return SLOT.log_file()


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
    try:
        return SLOT.idle_seconds()
    except ValueError as err:
        raise ServerError(str(err)) from err


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
        with SLOT.locked():  # two commands at once must not start two servers
            url = _recorded_url()
            if url is None:
                url = _start()
            else:
                SLOT.keep_watched(_port(url))
            SLOT.use()  # under the lock: the watchdog cannot stop the server between finding and using it
    except OSError as err:
        raise ServerError(f"cannot use the server record in {state_dir()}: {err}") from err
    except StateError as err:
        raise ServerError(str(err)) from err
    _retire_legacy(url)
    os.environ["PREFECT_API_URL"] = url
    return url


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0])


def record() -> dict[str, Any] | None:
    """The recorded server (whether or not it still answers), or None."""
    data = SLOT.record()
    return data if data is not None and "api_url" in data else None


def _recorded_url() -> str | None:
    data = record()
    if data is None:
        return None
    url = str(data["api_url"])
    return url if healthy(url) else None


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
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    try:
        SLOT.launch(command, env, port, {"api_url": url, "prefect_home": str(prefect_home())},
                    lambda _deadline: healthy(url, timeout=1), startup_seconds(), idle)
    except LaunchFailed as failed:
        if failed.status is not None:
            raise ServerError(f"the Prefect server exited with status {failed.status}; see {log_file()}") from None
        raise ServerError(f"the Prefect server did not answer within {startup_seconds():.0f} s "
                          f"(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS); see {log_file()}") from None
    return url


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


def is_prefect_server(pid: int) -> bool:
    command = command_line(pid)
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
        with SLOT.locked():
            return _stop_recorded()
    except (OSError, StateError):
        return False


def _stop_recorded() -> bool:
    """Stop the recorded server and forget it (the caller holds the lock)."""
    return SLOT.stop_recorded(is_prefect_server)

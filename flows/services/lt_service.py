"""One LanguageTool server per user and machine, started in the background when a review first needs it.

Starting LanguageTool takes 20-40 s on two cores; a server started per command made every edited post cost that.
Instead the first review that needs grammar starts ``tools/languagetool/start.sh`` in its own session and records it
(``flows.services.background.Slot``: ``languagetool-<machine>.json`` in the per-user state folder); later reviews find
and reuse it. A watchdog stops it after ``MEDPRESS_LT_IDLE_MINUTES`` (default 30; 0 keeps it until
``medpress lt stop``) without use. ``MEDPRESS_LT_URL``, when set, wins (flows.services.languagetool).
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from typing import Any

import httpx

from flows.services.background import LaunchFailed, Slot, alive, command_line, free_port
from flows.store.user_state import StateError

SLOT = Slot("languagetool", "languagetool", "MEDPRESS_LT_IDLE_MINUTES")
STARTUP_SECONDS = 180.0  # a loaded two-core machine needs up to a minute or two


class ServiceError(Exception):
    """The LanguageTool service could not be started; ``help`` says what to do about it."""

    def __init__(self, message: str, help: str) -> None:
        super().__init__(message)
        self.help = help


def is_languagetool(pid: int) -> bool:
    return b"org.languagetool.server.HTTPServer" in command_line(pid)


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        return httpx.get(url + "/v2/languages", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def listening(port: int) -> bool:
    """Something accepts connections on the loopback port: cheap (no request for the JVM to answer, which on a
    loaded machine takes up to a second); a server that accepts but does not answer is found by the request and
    restarted (flows.services.languagetool)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def recorded() -> dict[str, Any] | None:
    data = SLOT.record()
    return data if data is not None and "url" in data else None


def ensure(heap: str = "768m") -> tuple[str, int]:
    """The service's URL and server pid, started when none answers; this process then counts as using it."""
    try:
        idle = SLOT.idle_seconds()
        with SLOT.locked():
            data = recorded()
            if data is not None and server_alive(int(data["pid"])) and listening(_port(str(data["url"]))):
                SLOT.keep_watched(_port(str(data["url"])))
            else:
                data = _start(heap, idle)
            SLOT.use()  # under the lock: the watchdog cannot stop it between finding and using it
    except ValueError as err:
        raise ServiceError(str(err), "Set MEDPRESS_LT_IDLE_MINUTES to a number of minutes (0: never).") from err
    except (OSError, StateError) as err:
        raise ServiceError(f"cannot use the LanguageTool record in {SLOT.state_file().parent}: {err}",
                           "Check that the medpress state folder is writable (MEDPRESS_STATE_DIR).") from err
    return str(data["url"]), int(data["pid"])


def _start(heap: str, idle: float) -> dict[str, Any]:
    from flows.services.languagetool import TOOLS, install_dir, pinned_version

    SLOT.stop_recorded(is_languagetool)  # a recorded server that stopped answering: end it first
    folder = install_dir()
    if not (folder / "lib" / f"languagetool-server-{pinned_version()}.jar").is_file():
        raise ServiceError(f"LanguageTool {pinned_version()} is not installed in {folder}",
                           f"Run {TOOLS / 'install.sh'} (or `make languagetool`), or set MEDPRESS_LT_URL to a "
                           "running server; --no-grammar skips the check on purpose.")
    port = free_port()
    env = {**os.environ, "MEDPRESS_LT_DIR": str(folder)}
    url = f"http://127.0.0.1:{port}"

    def ready(deadline: float) -> bool:
        if not healthy(url, timeout=2):
            return False
        _warm_up(url, deadline)
        return True

    try:
        return SLOT.launch([str(TOOLS / "start.sh"), str(port), heap], env, port, {"url": url, "heap": heap}, ready,
                           STARTUP_SECONDS, idle)
    except LaunchFailed as failed:
        if failed.status is not None:
            raise ServiceError(f"the LanguageTool server exited while starting (status {failed.status})",
                               f"See {SLOT.log_file()} for why; `medpress lt start` tries again.") from None
        raise ServiceError(f"the LanguageTool server did not answer within {STARTUP_SECONDS:.0f} s of starting",
                           f"The machine may be busy; see {SLOT.log_file()} and try `medpress lt start` again."
                           ) from None


def _warm_up(url: str, deadline: float) -> None:
    """One small check: a fresh JVM's first answer takes up to a minute on a loaded machine, and a review's first
    request should not pay for that against its timeout."""
    with contextlib.suppress(httpx.HTTPError):  # the review's own requests find out whether the server works
        httpx.post(url + "/v2/check", data={"language": "en-US", "text": "The clinic opens at nine."},
                   timeout=max(10.0, deadline - time.monotonic()))


def server_alive(pid: int) -> bool:
    return alive(pid) and is_languagetool(pid)


def status() -> str:
    data = recorded()
    if data is None or not healthy(str(data["url"])):
        return "not running"
    idle = float(data.get("idle_seconds") or 0)
    stops = f"stops after {idle / 60:g} min unused" if idle else "never stopped for idleness"
    return f"running at {data['url']} (pid {data['pid']}, {stops}; record {SLOT.state_file()})"


def stop() -> bool:
    """Stop the recorded server (True when one was running)."""
    try:
        with SLOT.locked():
            return SLOT.stop_recorded(is_languagetool)
    except (OSError, StateError):
        return False

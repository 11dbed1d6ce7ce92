"""Stop a medpress background server (Prefect, LanguageTool) once nothing has used it for its idle time.

    python -m flows.services.server_watchdog STATE_FILE SERVER_PID PORT IDLE_SECONDS [KIND]

KIND is ``prefect`` (the default) or ``languagetool``. Started by ``flows.services.background.Slot`` beside the
server, in its own session. In use means: a medpress command
holds its shared lock on the ``.users`` file beside STATE_FILE (a command that ends, or is killed, releases it),
the file was touched (a command started or ended) within the idle time, or a connection to the server's port
is open (a Prefect worker polling, the UI). The stop itself happens under the record's lock, so a command
cannot adopt the server while it is being stopped; the watchdog ends with its server.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from flows.services.background import alive, connected, terminate_group
from flows.services.lt_service import is_languagetool
from flows.services.prefect_server import is_prefect_server

IDENTITY = {"prefect": is_prefect_server, "languagetool": is_languagetool}


def in_use_by_command(users: Path) -> bool:
    """A medpress command holds its shared lock on ``users`` (a state folder that is gone: no command can)."""
    try:
        with open(users, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
    except OSError:
        return False
    return False


def last_touched(users: Path) -> float:
    try:
        return users.stat().st_mtime
    except OSError:
        return 0.0


def _forget(state: Path, pid: int) -> None:
    with contextlib.suppress(OSError, ValueError):
        if json.loads(state.read_text()).get("pid") == pid:
            state.unlink()


def watch(state: Path, pid: int, port: int, idle: float, kind: str = "prefect") -> str:
    is_server = IDENTITY[kind]
    users, lock = state.with_suffix(".users"), state.with_suffix(".lock")
    interval = min(30.0, max(0.5, idle / 10))
    last_used = time.time()
    while True:
        time.sleep(interval)
        if not alive(pid) or not is_server(pid):
            return "server ended"
        if in_use_by_command(users) or connected(port):
            last_used = time.time()
        last_used = max(last_used, last_touched(users))
        if time.time() - last_used < idle:
            continue
        with _locked(lock):  # no command finds the server while it stops
            if in_use_by_command(users) or connected(port) or time.time() - last_touched(users) < idle:
                last_used = time.time()
                continue
            terminate_group(pid)
            _forget(state, pid)
        return f"stopped after {idle / 60:g} min unused"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """The record's lock (without it when the state folder is gone: then no command can find the server)."""
    try:
        handle = open(path, "w")  # noqa: SIM115 - closed below
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def main(argv: list[str]) -> int:
    state, pid, port, idle = Path(argv[0]), int(argv[1]), int(argv[2]), float(argv[3])
    kind = argv[4] if len(argv) > 4 else "prefect"
    outcome = watch(state, pid, port, idle, kind)
    print(f"medpress watchdog: {kind} server {pid}: {outcome}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

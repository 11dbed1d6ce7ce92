"""What medpress's background servers share: one per user and machine, recorded in the per-user state folder,
used under a lock, stopped by a watchdog once idle.

The Prefect API server (``flows.services.prefect_server``) and the LanguageTool server (``flows.services.lt_service``)
are each a :class:`Slot`: a record ``<name>-<machine>.json`` (url, pid, watchdog, idle_seconds), a ``.lock`` taken
while a command finds, starts or stops the server, a ``.users`` file a running command holds a shared lock on (and
touches when it starts and ends), and a ``.log``. The watchdog (``flows.services.server_watchdog``) stops the server
once no command holds the ``.users`` lock, none touched it and no connection to its port was open for the idle time.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from flows.store.user_state import ensure_state_dir, machine, state_dir

ESTABLISHED = "01"  # TCP state in /proc/net/tcp


class LaunchFailed(Exception):
    """A server :meth:`Slot.launch` started exited (``status``) or did not answer in time (``status`` None)."""

    def __init__(self, status: int | None) -> None:
        super().__init__("exited" if status is not None else "no answer")
        self.status = status
WATCHDOG_MODULE = "flows.services.server_watchdog"


class Slot:
    """The state files of one kind of background server (``kind`` names it to the watchdog)."""

    def __init__(self, name: str, kind: str, idle_variable: str, default_idle_minutes: float = 30.0) -> None:
        self.name = name
        self.kind = kind
        self.idle_variable = idle_variable
        self.default_idle_minutes = default_idle_minutes
        self._using: list[IO[str]] = []  # this process' shared lock on .users, held until the process ends

    def _base(self) -> Path:
        return state_dir() / f"{self.name}-{machine()}"

    def state_file(self) -> Path:
        return self._base().with_suffix(".json")

    def lock_file(self) -> Path:
        return self._base().with_suffix(".lock")

    def users_file(self) -> Path:
        return self._base().with_suffix(".users")

    def log_file(self) -> Path:
        return self._base().with_suffix(".log")

    def idle_seconds(self) -> float:
        """The idle time from the environment, in seconds (0: never stopped for idleness). ValueError if invalid."""
        value = os.environ.get(self.idle_variable, "").strip()
        if not value:
            return self.default_idle_minutes * 60
        try:
            minutes = float(value)
        except ValueError as err:
            raise ValueError(f"{self.idle_variable}={value!r} is not a number of minutes") from err
        if minutes < 0:
            raise ValueError(f"{self.idle_variable}={value!r} is negative")
        return minutes * 60

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """The record's lock: two commands at once must not start two servers (raises OSError, StateError)."""
        ensure_state_dir()
        with open(self.lock_file(), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def record(self) -> dict[str, Any] | None:
        """The recorded server (whether or not it still answers), or None."""
        try:
            data = json.loads(self.state_file().read_text())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and "pid" in data else None

    def write_record(self, data: dict[str, Any]) -> None:
        temporary = self.state_file().with_suffix(".json.tmp")
        temporary.write_text(json.dumps(data))
        os.replace(temporary, self.state_file())

    def use(self) -> None:
        """Count this process as using the server until it ends (call under :meth:`locked`)."""
        if self._using:
            return
        handle = open(self.users_file(), "a")  # noqa: SIM115 - held until this process ends
        fcntl.flock(handle, fcntl.LOCK_SH)
        self._using.append(handle)
        self.touch()
        atexit.register(self.touch)  # idle time counts from the end of the last command

    def touch(self) -> None:
        with contextlib.suppress(OSError):
            os.utime(self.users_file())

    def start_watchdog(self, server_pid: int, port: int, idle: float) -> int:
        command = [sys.executable, "-m", WATCHDOG_MODULE, str(self.state_file()), str(server_pid), str(port),
                   str(idle), self.kind]
        with self.log_file().open("ab") as log:
            watchdog = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        start_new_session=True)
        return watchdog.pid

    def launch(self, command: list[str], env: dict[str, str], port: int, fields: dict[str, Any],
               ready: Callable[[float], bool], startup_seconds: float, idle: float) -> dict[str, Any]:
        """Start ``command`` in its own session (output to the log), wait until ``ready(deadline)``, then record it
        (``fields`` plus pid, idle_seconds and its watchdog) and return the record. The caller holds the lock;
        LaunchFailed when the process exits or does not get ready by the deadline (it is then terminated)."""
        with self.log_file().open("ab") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       env=env, start_new_session=True)
        deadline = time.monotonic() + startup_seconds
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise LaunchFailed(process.returncode)
            if ready(deadline):
                data = {**fields, "pid": process.pid, "idle_seconds": idle, "watchdog": None}
                if idle > 0:
                    data["watchdog"] = self.start_watchdog(process.pid, port, idle)
                self.write_record(data)
                return data
            time.sleep(0.25)
        process.terminate()
        raise LaunchFailed(None)

    def keep_watched(self, port: int) -> None:
        """A running server whose watchdog is gone (killed, say) gets a new one, or it would never stop."""
        data = self.record()
        if data is None or not float(data.get("idle_seconds") or 0):
            return
        watchdog = data.get("watchdog")
        if isinstance(watchdog, int) and alive(watchdog) and is_watchdog(watchdog):
            return
        data["watchdog"] = self.start_watchdog(int(data["pid"]), port, float(data["idle_seconds"]))
        self.write_record(data)

    def stop_recorded(self, is_server: Any) -> bool:
        """Stop the recorded server and its watchdog, and forget them (the caller holds the lock).
        ``is_server(pid)`` says the pid is still this server (after a reboot it may be someone else's)."""
        data = self.record()
        if data is None:
            return False
        pid = int(data["pid"])
        running = alive(pid) and is_server(pid)
        if running:
            terminate_group(pid)
        watchdog = data.get("watchdog")
        if isinstance(watchdog, int) and alive(watchdog) and is_watchdog(watchdog):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(watchdog, signal.SIGTERM)
        self.state_file().unlink(missing_ok=True)
        return running


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def command_line(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def is_watchdog(pid: int) -> bool:
    return WATCHDOG_MODULE.encode() in command_line(pid)


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

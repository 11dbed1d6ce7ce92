"""A real WordPress for tests (session fixture) and a fault-injecting HTTP proxy to put in front of it.

Import the fixture into a test module: ``from tests.wp_fixtures import FaultProxy, wordpress``.
The fixture installs the Debian packages when they are missing (tools/wordpress/setup.sh, as root), starts
tools/wordpress/server.py's WordPressServer in a tmp dir and stops it after the session. When WordPress
cannot be had, the tests FAIL with the reason: they are never skipped.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
SETUP = ROOT / "tools" / "wordpress" / "setup.sh"
PACKAGES = ("wordpress", "mariadb-server", "php-cli", "php-mysql")


def server_module() -> ModuleType:
    """tools/wordpress/server.py (tools/ is not a package)."""
    name = "medpress_wordpress_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "wordpress" / "server.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _missing_packages() -> list[str]:
    missing = []
    for package in PACKAGES:
        done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True,
                              check=False)
        if "install ok installed" not in done.stdout:
            missing.append(package)
    return missing


# A theme filter, as a theme or plugin might add: it strips the "not medical advice" paragraph from what readers
# get (the_content), while the stored post keeps it. Only posts whose slug starts with "stripped-", so the other
# tests on the same site see their posts as they are.
STRIP_DISCLAIMER = r"""<?php
/* Plugin Name: test theme filter: strips the disclaimer paragraph (tests/wp_fixtures.py) */
add_filter('the_content', function ($content) {
    if (strpos((string) get_post_field('post_name', get_the_ID()), 'stripped-') !== 0) {
        return $content;
    }
    return preg_replace('#<p>(?:(?!</p>).)*not medical advice.*?</p>#is', '', $content);
}, 99);
"""


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A running WordPressServer with medpress's meta plugin: ``.url``, ``.user``, ``.app_password``."""
    yield from _server(tmp_path_factory, "wordpress")


@pytest.fixture(scope="session")
def wordpress_stock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A WordPress as a clinic has it: no medpress plugin; Editor-role users with application passwords in
    ``.users`` (``medpress-editor`` publishes, ``medpress-other`` edits by hand); the disclaimer-stripping theme
    filter above."""
    yield from _server(tmp_path_factory, "wordpress-stock", plugin=False,
                       mu_plugins={"strip-disclaimer.php": STRIP_DISCLAIMER})


def _server(tmp_path_factory: pytest.TempPathFactory, name: str, **options: object) -> Iterator[object]:
    missing = _missing_packages()
    if missing:
        began = time.monotonic()
        done = subprocess.run(["bash", str(SETUP)], capture_output=True, text=True, timeout=1200, check=False)
        if done.returncode != 0:
            pytest.fail(f"WordPress packages {', '.join(missing)} are missing and tools/wordpress/setup.sh failed "
                        f"({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}", pytrace=False)
        print(f"\ntools/wordpress/setup.sh installed {', '.join(missing)} in {time.monotonic() - began:.1f} s")
    module = server_module()
    server = module.WordPressServer(tmp_path_factory.mktemp(name), **options)
    try:
        server.start()
    except Exception as error:
        pytest.fail(f"a real WordPress could not be started for the tests: {error}", pytrace=False)
    print(f"\nWordPress {server.url} started in {server.timings['total']:.2f} s {server.timings}")
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Fault:
    """What the proxy does to the next ``times`` requests that match ``method`` and ``path`` (a regex on the
    URL path, without the query): optionally forward the request to WordPress first, wait ``delay`` seconds,
    then answer ``status``/``body`` (None: WordPress's own answer) or, when ``drop``, close the connection
    without any answer."""

    times: int = 1
    method: str | None = None
    path: str | None = None
    forward: bool = False
    delay: float = 0.0
    drop: bool = False
    status: int | None = None
    body: bytes = b""
    content_type: str = "application/json; charset=UTF-8"

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and \
            (self.path is None or re.fullmatch(self.path, path) is not None)


@dataclass
class Seen:
    method: str
    path: str  # URL path without the query
    forwarded: bool  # did WordPress get it?
    answer: str  # "200", "500 (fault)", "dropped", ...


@dataclass
class _State:
    faults: list[Fault] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    busy: int = 0  # requests being handled right now
    lock: threading.Lock = field(default_factory=threading.Lock)


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host",
              "proxy-connection", "te", "trailer", "upgrade"}


class FaultProxy:
    """A loopback HTTP proxy in front of WordPress (stdlib ThreadingHTTPServer, forwarding with httpx) whose
    faults are scripted: 5xx for the next N requests, answers held past the client's timeout, connections
    dropped after WordPress did the work, a canned 4xx or a 200 text/html."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.state = _State()
        self._client = httpx.Client(timeout=60)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like WordPress behind a real server

            def _handle(self) -> None:
                with proxy.state.lock:
                    proxy.state.busy += 1
                try:
                    self._serve()
                finally:
                    with proxy.state.lock:
                        proxy.state.busy -= 1

            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = urlsplit(self.path).path
                fault = proxy._take(self.command, path)
                forwarded = fault is None or fault.forward
                answer: httpx.Response | None = None
                if forwarded:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                    try:
                        answer = proxy._client.request(self.command, proxy.target + self.path, content=body,
                                                       headers=headers)
                    except httpx.HTTPError:
                        proxy._note(Seen(self.command, path, False, "dropped (WordPress unreachable)"))
                        self.close_connection = True
                        return
                if fault is not None and fault.delay:
                    time.sleep(fault.delay)
                if fault is not None and fault.drop:
                    proxy._note(Seen(self.command, path, forwarded, "dropped"))
                    self.close_connection = True
                    return
                if fault is not None and fault.status is not None:
                    status, content, kind = fault.status, fault.body, fault.content_type
                    extra: list[tuple[str, str]] = []
                    proxy._note(Seen(self.command, path, forwarded, f"{status} (fault)"))
                else:
                    assert answer is not None
                    status, content = answer.status_code, answer.content
                    kind = answer.headers.get("content-type", "")
                    extra = [(k, v) for k, v in answer.headers.items()
                             if k.lower() not in HOP_BY_HOP and k.lower() != "content-type"]
                    proxy._note(Seen(self.command, path, True, str(status)))
                try:
                    self.send_response(status)
                    if kind:
                        self.send_header("Content-Type", kind)
                    for key, value in extra:
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                except OSError:  # the client gave up (timed out) while the answer was held back
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    # -- scripting --------------------------------------------------------------------------------------
    def add(self, fault: Fault) -> Fault:
        with self.state.lock:
            self.state.faults.append(fault)
        return fault

    def fail_next(self, times: int = 1, status: int = 500, *, method: str | None = None,
                  path: str | None = None) -> Fault:
        """Answer ``status`` (without forwarding) to the next ``times`` matching requests."""
        body = b'{"code":"proxy_fault","message":"injected by FaultProxy","data":{"status":%d}}' % status
        return self.add(Fault(times, method, path, status=status, body=body))

    def answer_next(self, times: int, status: int, body: bytes, content_type: str, *, method: str | None = None,
                    path: str | None = None) -> Fault:
        return self.add(Fault(times, method, path, status=status, body=body, content_type=content_type))

    def drop_next(self, times: int = 1, *, method: str | None = None, path: str | None = None,
                  forward: bool = True, delay: float = 0.0) -> Fault:
        """Forward the request (WordPress does the work), optionally wait ``delay`` (past the client's timeout),
        then close the connection without an answer."""
        return self.add(Fault(times, method, path, forward=forward, delay=delay, drop=True))

    def delay_next(self, times: int, delay: float, *, method: str | None = None, path: str | None = None) -> Fault:
        """Forward, then hold WordPress's answer for ``delay`` seconds before sending it."""
        return self.add(Fault(times, method, path, forward=True, delay=delay))

    def clear(self) -> None:
        with self.state.lock:
            self.state.faults.clear()
            self.state.seen.clear()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until no request is being handled (a held-back answer outlives the client's timeout)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.state.lock:
                if not self.state.busy:
                    return
            time.sleep(0.02)
        raise TimeoutError("FaultProxy still busy")

    @property
    def seen(self) -> list[Seen]:
        with self.state.lock:
            return list(self.state.seen)

    def writes_forwarded(self) -> list[Seen]:
        """Write requests WordPress actually received."""
        return [s for s in self.seen if s.forwarded and s.method in ("POST", "PUT", "PATCH", "DELETE")]

    def _take(self, method: str, path: str) -> Fault | None:
        with self.state.lock:
            for fault in self.state.faults:
                if fault.times > 0 and fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    def _note(self, seen: Seen) -> None:
        with self.state.lock:
            self.state.seen.append(seen)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._client.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

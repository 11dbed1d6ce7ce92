"""A counting HTTP proxy in front of LanguageTool, to count requests and inject faults.

``fault`` gets the real server's answer to each /v2/check (status, content type, body) and returns the answer to
send instead (a body without ``matches``, an HTML page...), or None to pass it on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

Answer = tuple[int, str, bytes]  # status, content type, body


class CountingProxy:
    def __init__(self, target: str, on_check: Callable[[int], None] | None = None,
                 fault: Callable[[Answer], Answer | None] | None = None) -> None:
        self.target = target.rstrip("/")
        self.checks = 0
        self.on_check = on_check
        self.fault = fault
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith("/v2/check"):
                    with proxy._lock:
                        proxy.checks += 1
                        number = proxy.checks
                    if proxy.on_check:
                        proxy.on_check(number)
                try:
                    answer = httpx.request(self.command, proxy.target + self.path, content=body, timeout=120,
                                           headers={"Content-Type": self.headers.get("Content-Type", "")})
                except httpx.HTTPError:
                    self.close_connection = True  # the server behind is gone: drop the connection
                    return
                sent: Answer = (answer.status_code, answer.headers.get("Content-Type", "application/json"),
                                 answer.content)
                if proxy.fault and self.path.startswith("/v2/check"):
                    sent = proxy.fault(sent) or sent
                self.send_response(sent[0])
                self.send_header("Content-Type", sent[1])
                self.send_header("Content-Length", str(len(sent[2])))
                self.end_headers()
                self.wfile.write(sent[2])

            do_GET = do_POST = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

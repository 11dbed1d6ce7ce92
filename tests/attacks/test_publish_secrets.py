"""Issue 14 item 11: a server that echoes the request's headers must not put the credentials anywhere.

A stdlib HTTP server on 127.0.0.1 answers every request with the request headers in its body (JSON, text,
HTML with PHP-style escaped slashes, validation params), in a redirect's Location, or in a post's ``link``.
Neither the application password nor the ``Authorization`` header's base64 may reach an error, a result, a
log line (any logger, DEBUG included), the CLI's output, or Prefect's database (logs, states, artifacts).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from flows.cli import main
from flows.publish.signoff import publish
from flows.publish.wordpress import WordPressTarget
from tests.attacks.publish_support import approve_post
from tests.conftest import ADVICE, write_post

USER = "medpress"
PASSWORD = "abcd EFGH ijkl MNOP q00? UVWX"  # its header's base64 has a "/" (JSON may write it "\/") and "="
HEADER = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
FORMS = (PASSWORD, PASSWORD.replace(" ", ""), HEADER, HEADER.rstrip("="), HEADER.replace("/", "\\/"),
         HEADER.replace("/", "%2F"), "q00?", "q00%3F")
MODES = ("json-500", "text-401", "html-502-escaped", "json-400-params", "redirect", "link")


def _leaks(text: str) -> list[str]:
    """The forms of the credentials in ``text``, and any 10 characters in a row of them (a cut-off echo leaks
    too). The header's first 12 base64 characters are the user name's, which is no secret."""
    pieces = {form[i:i + 10] for form in (PASSWORD, PASSWORD.replace(" ", "")) for i in range(len(form) - 9)}
    pieces |= {HEADER[i:i + 10] for i in range(12, len(HEADER) - 9)}
    return [form for form in (*FORMS, *sorted(pieces)) if form in text]


class EchoServer:
    """Answers each request, according to ``mode``, with the request's own headers."""

    def __init__(self) -> None:
        self.mode = "json-500"
        self.echoed = 0  # answers that carried the Authorization header back
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = dict(self.headers.items())
                echo = "\n".join(f"{k}: {v}" for k, v in headers.items())
                server.echoed += "Basic " in echo
                status, kind, extra, content = self._answer(server.mode, headers, echo, body)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                for key, value in extra:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def _answer(self, mode: str, headers: dict[str, str], echo: str,
                        body: bytes) -> tuple[int, str, list[tuple[str, str]], bytes]:
                if mode == "json-500":
                    return 500, "application/json", [], json.dumps({"code": "echo", "message": echo}).encode()
                if mode == "text-401":
                    return 401, "text/plain", [], echo.encode()
                if mode == "html-502-escaped":  # as PHP's json_encode writes it, served as HTML
                    return 502, "text/html", [], json.dumps(headers).replace("/", "\\/").encode()
                if mode == "json-400-params":
                    answer = {"code": "rest_invalid_param", "message": "Invalid parameter(s): title",
                              "data": {"status": 400, "params": {"title": headers.get("Authorization", "")}}}
                    return 400, "application/json", [], json.dumps(answer).encode()
                if mode == "redirect":
                    return 302, "text/plain", [("Location", "http://127.0.0.1/login?h="
                                                + headers.get("Authorization", ""))], b""
                return 200, "application/json", [], self._link_mode(headers, body)

            def _link_mode(self, headers: dict[str, str], body: bytes) -> bytes:
                """A site that works, but puts the header into each post's link."""
                path = urlsplit(self.path).path
                if path.endswith("/users/me"):
                    return json.dumps({"id": 1, "capabilities": {"edit_posts": True}}).encode()
                if self.command == "GET":
                    return b"[]"
                sent = json.loads(body or b"{}")
                if path.endswith("/posts"):
                    return json.dumps({"id": 7, "slug": sent.get("slug"), "status": "publish",
                                       "link": "http://127.0.0.1/?a=" + headers.get("Authorization", ""),
                                       "meta": sent.get("meta", {})}).encode()
                return json.dumps({"id": 3}).encode()

            do_GET = do_POST = _serve

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    yield server
    server.close()


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    post = write_post(folder, "a.md", f"---\ntitle: Aftercare\nslug: after-care\ndate: 2024-05-01\n---\n"
                                      f"Keep the area clean.\n\n{ADVICE}\n")
    approve_post(folder, post)
    return folder



@pytest.mark.parametrize("mode", MODES)
def test_an_echoing_server_gets_no_credentials_into_results_or_logs(echo: EchoServer, content: Path, mode: str,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    echo.mode = mode
    caplog.set_level(logging.DEBUG)  # every logger: medpress's, httpx's, httpcore's
    with WordPressTarget(echo.url, USER, PASSWORD, backoff=0.01) as target:
        run = publish(content, target, grammar=False)
        assert _leaks(repr(target)) == []
    [result] = run.results
    assert echo.echoed > 0  # the server did send the header back
    assert result.ok == (mode == "link"), result.error
    assert _leaks(result.error) == [] and _leaks(str(result.details)) == [] and _leaks(result.location) == []
    assert "***" in (result.error or result.location)  # redacted where it was, not merely absent
    assert _leaks(caplog.text) == []
    assert _leaks((content / "ledger" / "published.json").read_text() if mode == "link" else "") == []


def test_the_cli_prints_no_credentials(echo: EchoServer, content: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MEDPRESS_WP_URL", echo.url)
    monkeypatch.setenv("MEDPRESS_WP_USER", USER)
    monkeypatch.setenv("MEDPRESS_WP_APP_PASSWORD", PASSWORD)
    for mode in ("json-400-params", "link"):
        echo.mode = mode
        main(["publish", "--content", str(content), "--target", "wordpress", "--no-grammar"])
        out = capsys.readouterr()
        assert "***" in out.out and _leaks(out.out + out.err) == []


def test_the_prefect_flow_stores_no_credentials(echo: EchoServer, content: Path, monkeypatch: pytest.MonkeyPatch,
                                                prefect_api: str) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        FlowRunFilter,
        FlowRunFilterId,
        LogFilter,
        LogFilterFlowRunId,
    )
    from prefect.logging.handlers import APILogWorker

    from flows import publish_flow

    monkeypatch.setattr(publish_flow, "_send", publish_flow._send.with_options(retries=1, retry_delay_seconds=0))
    monkeypatch.setenv("MEDPRESS_WP_URL", echo.url)
    monkeypatch.setenv("MEDPRESS_WP_USER", USER)
    monkeypatch.setenv("MEDPRESS_WP_APP_PASSWORD", PASSWORD)
    echo.mode = "json-500"  # retryable: the task fails, is retried, fails again
    state = publish_flow.publish_posts(content=str(content), target="wordpress", grammar=False, return_state=True)
    assert state.is_failed() and "after-care" in (state.message or "") and echo.echoed > 0
    run_id = state.state_details.flow_run_id
    APILogWorker.drain_all(timeout=10)
    with get_client(sync_client=True) as client:
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
        states = client.read_flow_run_states(run_id) + [s for t in tasks for s in client.read_task_run_states(t.id)]
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run_id])))
        flow_run = client.read_flow_run(run_id)
    stored = "\n".join([*(log.message for log in logs), *(s.model_dump_json() for s in states),
                        *(a.model_dump_json() for a in artifacts), *(t.model_dump_json() for t in tasks),
                        flow_run.model_dump_json()])
    assert len(tasks) == 1 and any("HTTP 500" in log.message for log in logs) and artifacts
    assert "***" in stored and _leaks(stored) == []

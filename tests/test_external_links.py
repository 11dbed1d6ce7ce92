"""--external: links fetched concurrently from a real local HTTP server, with retries and a disk cache."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from checks.policy import LinksPolicy
from flows.engine.steps import ReviewOptions, review_plain
from flows.services.external_links import check_urls
from tests.conftest import write_post

HITS: Counter[str] = Counter()


class _Handler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        HITS[self.path] += 1
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/gone":
            self.send_response(404)
        elif self.path == "/flaky" and HITS[self.path] == 1:
            self.send_response(503)
        elif self.path == "/flaky":
            self.send_response(200)
        elif self.path == "/down":
            self.send_response(500)
        elif self.path == "/no-head" and self.command == "HEAD":
            self.send_response(405)
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    HITS.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


POLICY = LinksPolicy(external_timeout_seconds=2, external_retries=2, external_cache_hours=1)


def test_answers_retries_and_cache(server: str, tmp_path: Path) -> None:
    urls = [f"{server}/{p}" for p in ("ok", "gone", "flaky", "down", "no-head")]
    first = check_urls(urls, POLICY, tmp_path)
    assert first[f"{server}/ok"].status == 200 and not first[f"{server}/ok"].broken
    assert first[f"{server}/gone"].broken
    assert first[f"{server}/flaky"].status == 200  # retried after the 503
    assert first[f"{server}/down"].status is None and "HTTP 500" in first[f"{server}/down"].error
    assert first[f"{server}/no-head"].status == 200  # HEAD refused, GET used
    assert HITS["/down"] == 3  # one try and two retries
    before = sum(HITS.values())
    second = check_urls(urls, POLICY, tmp_path)
    assert second[f"{server}/gone"].broken
    assert sum(HITS.values()) - before == 3  # only /down is asked again: failures are not cached


def test_unreachable_server_is_an_error_not_a_crash(tmp_path: Path) -> None:
    result = check_urls(["http://127.0.0.1:9/nothing"], POLICY, tmp_path)["http://127.0.0.1:9/nothing"]
    assert result.status is None and result.error


def test_review_with_external_reports_a_dead_source(server: str, tmp_path: Path) -> None:
    folder = tmp_path / "content"
    write_post(folder, "post.md", f"---\ntitle: Sources\nslug: sources\ndate: 2024-05-01\n---\n"
                                  f"See [the label]({server}/gone) and [this page]({server}/ok).\n"
                                  f"Also [mail us](mailto:a@example.com).\n")
    report = review_plain(ReviewOptions(content_dir=folder, grammar=False, external=True, use_cache=False))
    broken = [f for f in report.posts[0].findings if f.rule == "LNK005"]
    # the column of the URL, right after "See [the label]("
    assert [(f.line, f.column, f.severity.value) for f in broken] == [(6, 17, "error")]
    assert "HTTP 404" in broken[0].message
    assert not any("mailto" in path for path in HITS)
    without = review_plain(ReviewOptions(content_dir=folder, grammar=False, use_cache=False))
    assert not [f for f in without.posts[0].findings if f.rule == "LNK005"]

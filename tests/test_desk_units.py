"""The desk's parts without a browser: session expiry, CSRF comparison, safe redirects, findings in place."""

from __future__ import annotations

import re
import time
from pathlib import Path

from checks.model import Finding, Severity
from flows.desk.app import _next
from flows.desk.sessions import Sessions, csrf_ok
from flows.desk.views import source_lines


def test_a_session_expires_when_idle_and_in_all() -> None:
    idle = Sessions(idle=0.05, lifetime=60)
    session = idle.new("ann-lee")
    assert idle.get(session.id) is session
    time.sleep(0.1)
    assert idle.get(session.id) is None and idle.get(session.id) is None  # gone, not revived
    short = Sessions(idle=60, lifetime=0.05)
    kept = short.new("ann-lee")
    time.sleep(0.1)
    assert short.get(kept.id) is None
    assert idle.get("") is None and idle.get(None) is None


def test_the_csrf_token_must_be_the_sessions_own() -> None:
    sessions = Sessions()
    one, other = sessions.new(), sessions.new()
    assert csrf_ok(one, one.csrf)
    assert not csrf_ok(one, other.csrf) and not csrf_ok(one, "") and not csrf_ok(one, None)
    assert not csrf_ok(None, one.csrf)


def test_after_sign_in_only_a_path_on_the_desk() -> None:
    assert _next("/post/posts/a.md?x=1") == "/post/posts/a.md?x=1"
    for outside in ("//evil.example/", "https://evil.example/", "/\\evil.example", "", None, "post"):
        assert _next(outside) == "/"


def test_findings_are_marked_on_the_reports_characters() -> None:
    text = "---\ntitle: x\n---\nOur laser is 100% safe for everyone.\nNext line.\n"
    findings = [Finding("claims", "CLM005", Severity.ERROR, "absolute", 4, 14, 4, 23),
                Finding("links", "LNK001", Severity.WARNING, "whole line", 5),
                Finding("readability", "RD001", Severity.INFO, "post-wide")]
    lines = source_lines(text, findings)
    marked = [(p.text, p.marks, p.severity) for p in lines[3].pieces if p.marks]
    assert marked == [("100% safe", (1,), "error")]
    assert "".join(p.text for p in lines[3].pieces) == "Our laser is 100% safe for everyone."
    assert [(p.text, p.marks) for p in lines[4].pieces] == [("Next line.", (2,))]
    assert not any(3 in p.marks for line in lines for p in line.pieces)  # no line: listed, never marked


def test_sign_in_locks_a_name_after_ten_failures(content_copy: Path, tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from flows.desk import accounts
    from flows.desk.app import Config, create_app
    from flows.store import ledger

    users = tmp_path / "users.json"
    accounts.add(users, ledger.own_policy(content_copy), "cy-reader", "reader", "the-right-password")
    client = TestClient(create_app(Config(content_copy, users, grammar=False)), base_url="http://127.0.0.1")

    def attempt(password: str) -> int:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text)
        assert token
        return client.post("/signin", data={"csrf": token.group(1), "name": "cy-reader", "password": password},
                           follow_redirects=False).status_code

    assert [attempt("wrong-password-000") for _ in range(10)] == [401] * 10
    assert attempt("the-right-password") == 429  # locked, even with the right password
    assert client.get("/", follow_redirects=False).status_code == 303  # still signed out

"""Attacks on medpress's services (issue 14, items 9, 18 and 20): LanguageTool answers that are not check results,
one Prefect server per user whatever the cache folder, and cache entries changed outside medpress."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from checks.model import Severity
from flows.engine.steps import ReviewOptions, review_plain
from reports.model import ReviewReport
from tests.conftest import ADVICE, write_post
from tests.lt_proxy import Answer, CountingProxy

POST = (f"---\ntitle: Aftercare\nslug: aftercare\ndate: 2024-05-01\n---\n"
        f"Every patient will recieve a card.\n\n{ADVICE}\n")
SPELLING = "GR-MORFOLOGIK_RULE_EN_US"
MEDPRESS = Path(sys.executable).with_name("medpress")


def _env(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _medpress(*args: str, env: dict[str, str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(MEDPRESS), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)


# --- item 9: every LanguageTool answer is validated; an invalid one is GR000 and never cached -------------------

def _without_matches(answer: Answer) -> Answer:
    body = json.loads(answer[2])
    del body["matches"]
    return 200, "application/json", json.dumps(body).encode()


def _edit_first_match(change: Callable[[dict], None]) -> Callable[[Answer], Answer]:
    def fault(answer: Answer) -> Answer:
        body = json.loads(answer[2])
        assert body["matches"], "the post's slip must give LanguageTool a match to damage"
        change(body["matches"][0])
        return 200, "application/json", json.dumps(body).encode()
    return fault


FAULTS: dict[str, Callable[[Answer], Answer]] = {
    "no matches": _without_matches,
    "matches not a list": lambda a: (200, "application/json", b'{"software": {"version": "6.8"}, "matches": "none"}'),
    "offset past the text": _edit_first_match(lambda m: m.update(offset=100_000)),
    "negative length": _edit_first_match(lambda m: m.update(length=-3)),
    "offset not a number": _edit_first_match(lambda m: m.update(offset="12")),
    "rule missing": _edit_first_match(lambda m: m.pop("rule")),
    "not JSON": lambda a: (200, "application/json", a[2][: len(a[2]) // 2]),
    "HTML with 200": lambda a: (200, "text/html", b"<html><body>Service temporarily moved</body></html>"),
    "JSON list": lambda a: (200, "application/json", b"[]"),
    "500 with JSON": lambda a: (500, "application/json", b'{"matches": []}'),
}


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEDPRESS_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _grammar_rules(report: ReviewReport) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in report.posts[0].findings if f.check == "grammar"]


@pytest.mark.usefixtures("own_cache")
@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_an_invalid_languagetool_answer_is_gr000_and_not_cached(fault: str, languagetool: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "content"
    write_post(folder, "aftercare.md", POST)
    faulty = CountingProxy(languagetool, fault=FAULTS[fault])
    monkeypatch.setenv("MEDPRESS_LT_URL", faulty.url)
    try:
        report = review_plain(ReviewOptions(content_dir=folder))
    finally:
        faulty.close()
    [gr000] = [f for f in report.posts[0].findings if f.rule == "GR000"]
    assert gr000.severity is Severity.ERROR and "invalid answer" in gr000.message, gr000.message
    assert report.posts[0].failed and SPELLING not in [rule for rule, _ in _grammar_rules(report)]

    healthy = CountingProxy(languagetool)
    monkeypatch.setenv("MEDPRESS_LT_URL", healthy.url)
    try:
        again = review_plain(ReviewOptions(content_dir=folder))
    finally:
        healthy.close()
    assert healthy.checks == 1, "nothing of the invalid answer may have been cached"
    assert _grammar_rules(again) == [(SPELLING, 6)]


def test_the_cli_exits_1_on_an_answer_without_matches_and_reports_the_slip_later(languagetool: str,
                                                                                 tmp_path: Path) -> None:
    folder = tmp_path / "content"
    write_post(folder, "aftercare.md", POST)
    env = _env(MEDPRESS_CACHE=str(tmp_path / "cache"))
    faulty = CountingProxy(languagetool, fault=_without_matches)
    try:
        first = _medpress("review", "--engine", "direct", "--content", str(folder), "--output",
                          str(tmp_path / "r1.json"), env={**env, "MEDPRESS_LT_URL": faulty.url}, cwd=tmp_path)
    finally:
        faulty.close()
    assert first.returncode == 1, first.stdout + first.stderr
    assert "aftercare.md: GR000 [error] grammar check could not run" in first.stdout
    assert "no 'matches'" in first.stdout and SPELLING not in first.stdout
    second = _medpress("review", "--engine", "direct", "--content", str(folder), "--output", str(tmp_path / "r2.json"),
                       env={**env, "MEDPRESS_LT_URL": languagetool}, cwd=tmp_path)
    assert second.returncode == 1, second.stdout + second.stderr
    assert "aftercare.md:6:" in second.stdout and SPELLING in second.stdout and "GR000" not in second.stdout


# --- item 18: one Prefect server per user and machine, found whatever MEDPRESS_CACHE, stopped when idle ---------

def _pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def private_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a user with no server yet (their own state folder, a 0.25 min idle time); whatever the
    test leaves running is stopped at the end."""
    env = _env(PREFECT_API_URL=None, MEDPRESS_STATE_DIR=str(tmp_path / "state"), MEDPRESS_SERVER_IDLE_MINUTES="0.25")
    yield env
    subprocess.run([str(MEDPRESS), "server", "stop"], env=env, capture_output=True, timeout=120, check=False)


def test_commands_with_different_caches_share_one_server_that_stops_when_idle(private_server: dict[str, str],
                                                                              tmp_path: Path) -> None:
    state = Path(private_server["MEDPRESS_STATE_DIR"])
    # what an earlier medpress left: a server recorded in the cache folder, never stopped (a stand-in process)
    left = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "prefect", "server", "start"],
                            start_new_session=True)
    legacy = tmp_path / "cache-1" / "prefect-server.json"
    legacy.parent.mkdir()
    legacy.write_text(json.dumps({"api_url": "http://127.0.0.1:9/api", "pid": left.pid}))
    # two commands starting at once, each with its own cache folder
    starting = [subprocess.Popen([str(MEDPRESS), "server", "start"], cwd=tmp_path, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True,
                                 env={**private_server, "MEDPRESS_CACHE": str(tmp_path / f"cache-{n}")})
                for n in (1, 2)]
    urls = [process.communicate(timeout=300)[0].strip() for process in starting]
    assert all(process.returncode == 0 for process in starting)
    assert urls[0] == urls[1] and urls[0].startswith("http://127.0.0.1:"), urls
    [record_file] = state.glob("prefect-server-*.json")
    record = json.loads(record_file.read_text())
    assert record["api_url"] == urls[0] and _pid_alive(record["pid"])
    for n in (1, 2):  # nothing of the server lives in a cache folder
        assert not list((tmp_path / f"cache-{n}").glob("prefect-server*"))
    assert left.wait(timeout=30) is not None, "the server an earlier version left was not stopped"

    # found again from a third cache folder, the same process
    status = _medpress("server", "status", env={**private_server, "MEDPRESS_CACHE": str(tmp_path / "cache-3")},
                       cwd=tmp_path)
    assert f"(API {urls[0]}; pid {record['pid']}" in status.stdout, status.stdout

    # a command still running keeps the server, well past the idle time
    holder = subprocess.Popen([sys.executable, "-c", "import sys\nfrom flows.services import prefect_server\n"
                               "print(prefect_server.ensure_api(), flush=True)\nsys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tmp_path,
                              env={**private_server, "MEDPRESS_CACHE": str(tmp_path / "cache-4")})
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline().strip() == urls[0]
    time.sleep(40)  # the idle time is 15 s: an idle server would be gone by now
    assert _pid_alive(record["pid"]), "a server in use was stopped"
    holder.stdin.close()
    holder.wait(timeout=60)

    # once nothing uses it, it stops by itself (15 s idle time; generous bound)
    deadline = time.monotonic() + 120
    while _pid_alive(record["pid"]) and time.monotonic() < deadline:
        time.sleep(1)
    assert not _pid_alive(record["pid"]), "the idle server was not stopped"
    while record_file.exists() and time.monotonic() < deadline + 30:  # the watchdog forgets it once the group ended
        time.sleep(0.5)
    assert not record_file.exists()
    after = _medpress("server", "status", env={**private_server, "MEDPRESS_CACHE": str(tmp_path / "cache-1")},
                      cwd=tmp_path)
    assert after.stdout.strip().startswith("not running"), after.stdout


def test_languagetool_is_found_whatever_the_cache_folder(tmp_path: Path) -> None:
    """MEDPRESS_CACHE elsewhere (and no MEDPRESS_LT_DIR): medpress still finds the LanguageTool install.sh made."""
    folder = tmp_path / "content"
    write_post(folder, "aftercare.md", POST)
    env = _env(MEDPRESS_CACHE=str(tmp_path / "elsewhere"), MEDPRESS_LT_DIR=None, MEDPRESS_LT_URL=None)
    done = _medpress("review", "--engine", "direct", "--content", str(folder), "--output", str(tmp_path / "r.json"),
                     env=env, cwd=tmp_path)
    assert "not installed" not in done.stdout, done.stdout
    assert "GR000" not in done.stdout and SPELLING in done.stdout, done.stdout + done.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["run"]["grammar"]["paragraphs_checked"] == 2


# --- item 20: cache entries carry a keyed digest; a changed entry is a miss, and the user is told ----------------

def _errors(report_file: Path) -> int:
    return json.loads(report_file.read_text())["summary"]["errors"]


def _drop_findings(cache_file: Path) -> int:
    """What the attacker did: every stored result says "no findings" (the digests left as they were). Returns how
    many results were changed (each post also has a summary entry, which holds no findings)."""
    changed = 0
    with sqlite3.connect(cache_file) as db:
        rows = db.execute("SELECT key, value FROM signed_entries").fetchall()
        for key, value in rows:
            data = json.loads(value)
            if "findings" not in data:
                continue
            data["findings"] = []
            db.execute("UPDATE signed_entries SET value = ? WHERE key = ?", (json.dumps(data), key))
            changed += 1
    return changed


@pytest.mark.parametrize("engine", ["direct", "prefect"])
def test_tampered_results_are_checked_again_with_a_notice(engine: str, content_copy: Path, tmp_path: Path,
                                                          prefect_api: str) -> None:
    cache = tmp_path / "cache"
    env = _env(MEDPRESS_CACHE=str(cache))

    def review(name: str) -> subprocess.CompletedProcess[str]:
        return _medpress("review", "--engine", engine, "--no-grammar", "--content", str(content_copy), "--output",
                         str(tmp_path / name), env=env, cwd=tmp_path)

    first = review("first.json")
    errors = _errors(tmp_path / "first.json")
    assert first.returncode == 1 and errors > 0, first.stdout + first.stderr
    assert _drop_findings(cache / "results.sqlite") == len(list((content_copy / "posts").glob("*.md")))

    second = review("second.json")
    assert second.returncode == 1 and _errors(tmp_path / "second.json") == errors
    said = " ".join(second.stderr.split())
    assert "results.sqlite" in said and "entries failed the integrity check" in said, second.stderr
    assert json.loads((tmp_path / "second.json").read_text())["run"]["cache"]["hits"] == 0

    (cache / "results.sqlite").write_bytes(b"not a database, whatever it was " * 100)  # damage: also told
    for extra in ("-wal", "-shm"):
        (cache / f"results.sqlite{extra}").unlink(missing_ok=True)
    third = review("third.json")
    assert third.returncode == 1 and _errors(tmp_path / "third.json") == errors
    assert "is damaged" in " ".join(third.stderr.split()), third.stderr


def test_a_copied_entry_and_a_foreign_key_are_misses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.store.cache import JsonCache
    from flows.store.user_state import key_file

    monkeypatch.setenv("MEDPRESS_STATE_DIR", str(tmp_path / "state"))
    cache = JsonCache(tmp_path / "cache" / "c.sqlite", "ns")
    cache.save({"findings": ["six errors"]}, "post-with-errors")
    cache.save({"findings": []}, "clean-post")
    cache.close()
    key = key_file()
    assert tmp_path / "cache" not in key.parents
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    with sqlite3.connect(tmp_path / "cache" / "c.sqlite") as db:  # the clean post's entry, digest and all, copied
        value, mac = db.execute("SELECT value, mac FROM signed_entries WHERE key = ?",
                                (cache.key("clean-post"),)).fetchone()
        db.execute("UPDATE signed_entries SET value = ?, mac = ? WHERE key = ?",
                   (value, mac, cache.key("post-with-errors")))
    assert JsonCache(tmp_path / "cache" / "c.sqlite", "ns").load("post-with-errors") is None
    for forged in (7, "é" * 64, b"\x00" * 32):  # other SQLite types in the digest column: misses, no crash
        with sqlite3.connect(tmp_path / "cache" / "c.sqlite") as db:
            db.execute("UPDATE signed_entries SET mac = ? WHERE key = ?", (forged, cache.key("post-with-errors")))
        assert JsonCache(tmp_path / "cache" / "c.sqlite", "ns").load("post-with-errors") is None
    monkeypatch.setenv("MEDPRESS_STATE_DIR", str(tmp_path / "another-user"))  # another key: nothing is trusted
    assert JsonCache(tmp_path / "cache" / "c.sqlite", "ns").load("clean-post") is None

"""LanguageTool as a local service: started by the first review, reused, stopped when idle; timeouts that follow
the text's size and the server's speed; GR000 that names the cause."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import httpx
import pytest

from checks.model import Severity
from flows.engine.steps import ReviewOptions, review_plain
from flows.services.background import alive
from tests.conftest import ADVICE, POLICY, run_medpress, write_post
from tests.lt_proxy import CountingProxy

# The loaded machine answered in 50-90 s per request against a 60 s policy timeout. The timeout logic is
# proportional (a multiple of the measured seconds per character, never under the policy's floor), so dividing
# the delays and the floor by the same factor tests the same decisions in a tenth of the time.
# MEDPRESS_TEST_LT_DELAY_SCALE=1 runs it at full scale.
SCALE = float(os.environ.get("MEDPRESS_TEST_LT_DELAY_SCALE", "0.1"))
DELAYS = [90 * SCALE, 50 * SCALE, 75 * SCALE]


def _post(paragraphs: int) -> str:
    body = "\n\n".join(f"Paragraph {n} says that we recieve patients for a consultation before any treatment, "
                       "and that the nurse explains the risks, the benefits and the costs of each option in "
                       "plain words." for n in range(paragraphs))
    return f"---\ntitle: P\nslug: p\ndate: 2024-05-01\n---\n{body}\n\n{ADVICE}\n"


def _content(tmp_path: Path, *, floor: float, request_chars: int = 20000, parallel: int = 4) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(POLICY, folder / "policy")
    policy = folder / "policy" / "policy.yaml"
    text = policy.read_text()
    for old, new in (("request_timeout_seconds: 60", f"request_timeout_seconds: {floor:g}"),
                     ("max_request_chars: 20000", f"max_request_chars: {request_chars}"),
                     ("max_parallel_requests: 4", f"max_parallel_requests: {parallel}")):
        assert old in text
        text = text.replace(old, new)
    policy.write_text(text)
    return folder


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEDPRESS_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.mark.usefixtures("own_cache")
def test_a_server_answering_in_50_to_90_s_completes_without_gr000_and_shows_progress(
        languagetool: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def slow(number: int) -> None:
        time.sleep(DELAYS[(number - 1) % len(DELAYS)])

    # A warm server (its first answer after starting takes up to a minute on a loaded machine, unscaled): the delay
    # is the proxy's alone. medpress warms the service it starts itself the same way (lt_service._start).
    httpx.post(languagetool + "/v2/check", data={"language": "en-US", "text": "A warm-up."}, timeout=300)
    proxy = CountingProxy(languagetool, on_check=slow)
    monkeypatch.setenv("MEDPRESS_LT_URL", proxy.url)
    folder = _content(tmp_path, floor=60 * SCALE, request_chars=600, parallel=1)  # two requests in turn
    write_post(folder, "p.md", _post(3))
    try:
        report = review_plain(ReviewOptions(content_dir=folder, grammar=True))
    finally:
        proxy.close()
    findings = report.posts[0].findings
    assert not [f for f in findings if f.rule == "GR000"], [f.message for f in findings if f.rule == "GR000"]
    requests = report.run["grammar"]["requests"]  # type: ignore[index]
    assert requests >= 2 and proxy.checks == requests  # each request answered at its first try: no timeout
    assert len([f for f in findings if f.check == "grammar" and "recieve" in f.excerpt]) >= 3
    assert "grammar requests answered" in capsys.readouterr().err  # progress, even in a log (not a terminal)


@pytest.mark.usefixtures("own_cache")
def test_a_server_too_slow_even_for_retries_is_named_slow(languagetool: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = CountingProxy(languagetool, on_check=lambda number: time.sleep(4))
    monkeypatch.setenv("MEDPRESS_LT_URL", proxy.url)
    monkeypatch.setattr("flows.services.languagetool.SAFETY", 0.1)  # 0.1 x floor before the first answer
    folder = _content(tmp_path, floor=5)
    write_post(folder, "p.md", _post(1))
    try:
        report = review_plain(ReviewOptions(content_dir=folder, grammar=True))
    finally:
        proxy.close()
    [fault] = [f for f in report.posts[0].findings if f.rule == "GR000"]
    assert fault.severity is Severity.ERROR
    assert "running but too slow" in fault.message and "after 3 tries" in fault.message
    assert "request_timeout_seconds" in fault.suggestion
    assert proxy.checks == 3  # 0.5 s, then 1 s, then 2 s: each try waits twice as long


def test_the_service_outlives_reviews_is_reused_and_stops_when_idle(tmp_path: Path) -> None:
    state = tmp_path / "state"
    env = {"MEDPRESS_STATE_DIR": str(state), "MEDPRESS_LT_IDLE_MINUTES": "0.25", "MEDPRESS_LT_URL": "",
           "MEDPRESS_CACHE": str(tmp_path / "cache")}
    folder = tmp_path / "content"
    post = write_post(folder, "p.md", _post(1))
    pid = None
    try:
        first = run_medpress("review", str(post), "--content", str(folder), cwd=tmp_path, env=env)
        assert first.returncode == 1 and "GR000" not in first.stdout and "recieve" in first.stdout, first.stdout
        status = run_medpress("lt", "status", cwd=tmp_path, env=env)
        assert status.stdout.startswith("running at http://127.0.0.1:"), status.stdout
        pid = int(status.stdout.split("(pid ")[1].split(",")[0])
        assert alive(pid), "the server outlives the review that started it"
        post.write_text(_post(1).replace("Paragraph 0", "Paragraph zero"))
        second = run_medpress("review", str(post), "--content", str(folder), cwd=tmp_path, env=env)
        assert second.returncode == 1 and "GR000" not in second.stdout, second.stdout
        assert run_medpress("lt", "status", cwd=tmp_path, env=env).stdout == status.stdout, "reused"
        deadline = time.monotonic() + 60  # idle 15 s, the watchdog looks every 1.5 s
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(1)
        assert not alive(pid), "stopped after its idle time"
        assert run_medpress("lt", "status", cwd=tmp_path, env=env).stdout.strip() == "not running"
    finally:
        if pid is not None and alive(pid):
            from flows.services.background import terminate_group

            terminate_group(pid)


def test_lt_start_stop(tmp_path: Path) -> None:
    env = {"MEDPRESS_STATE_DIR": str(tmp_path / "state"), "MEDPRESS_LT_IDLE_MINUTES": "0"}
    pid = None
    try:
        started = run_medpress("lt", "start", cwd=tmp_path, env=env)
        assert started.returncode == 0, started.stderr
        pid = int(started.stdout.split("(pid ")[1].rstrip(")\n"))
        assert "never stopped for idleness" in run_medpress("lt", "status", cwd=tmp_path, env=env).stdout
        again = run_medpress("lt", "start", cwd=tmp_path, env=env)
        assert again.stdout == started.stdout, "start reuses the running server"
        assert run_medpress("lt", "stop", cwd=tmp_path, env=env).stdout.strip() == "stopped"
        assert not alive(pid)
        assert run_medpress("lt", "stop", cwd=tmp_path, env=env).stdout.strip() == "not running"
    finally:
        if pid is not None and alive(pid):
            from flows.services.background import terminate_group

            terminate_group(pid)

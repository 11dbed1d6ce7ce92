"""`medpress review --watch`: a saved post is reviewed again and its new finding shown; Ctrl-C exits cleanly."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from flows.watch import Watcher

POST = ("---\ntitle: Aftercare\nslug: aftercare\ndate: 2024-05-01\n---\nRest for a day after the treatment.\n\n"
        "This article is for general education and is not medical advice. Talk to a qualified healthcare "
        "provider about your own health before you start any treatment.\n")


def test_a_file_is_reported_once_it_has_settled(tmp_path: Path) -> None:
    post = tmp_path / "p.md"
    post.write_text("one")
    watcher = Watcher(lambda: [post], debounce=0.3)
    assert watcher.poll(now=0.0) == []
    post.write_text("two")
    assert watcher.poll(now=1.0) == []  # just changed: wait for the editor to finish writing
    post.write_text("three, still being written")
    assert watcher.poll(now=1.2) == []  # changed again: the wait starts over
    assert watcher.poll(now=1.6) == [post]
    assert watcher.poll(now=5.0) == []  # reported once


def _lines(stream: object, into: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line)


def _until(lines: queue.Queue[str], text: str, seconds: float) -> list[str]:
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"no {text!r} within {seconds} s; saw:\n{''.join(seen)}")


def test_watch_reviews_a_saved_post_again_and_stops_on_ctrl_c(content_copy: Path, tmp_path: Path) -> None:
    post = content_copy / "posts" / "aftercare.md"
    post.write_text(POST)
    medpress = Path(sys.executable).with_name("medpress")
    process = subprocess.Popen([str(medpress), "review", "--watch", str(post), "--content", str(content_copy),
                                "--no-grammar"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    try:
        first = _until(lines, "[watch] reviewed 1 post", 120)
        assert not any("LNK001" in line for line in first)
        post.write_text(POST.replace("Rest for a day", "Rest for a day (see [the guide](/blog/no-such-guide/))"))
        second = _until(lines, "[watch] reviewed 1 post", 60)
        assert any("[watch] changed:" in line and "aftercare.md" in line for line in second)
        [finding] = [line for line in second if "LNK001" in line]
        assert ":6:" in finding and "no-such-guide" in finding, finding  # the new link, on its line
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        rest = "".join(_drain(lines))
        assert "[watch] stopped" in rest and "Traceback" not in rest
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _drain(lines: queue.Queue[str]) -> list[str]:
    time.sleep(0.2)
    found = []
    while not lines.empty():
        found.append(lines.get())
    return found

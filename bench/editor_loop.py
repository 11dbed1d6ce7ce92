"""The editor's loop with grammar on: the first review starts the LanguageTool service, later edits reuse it.

    .venv/bin/python bench/editor_loop.py [--repeat 5] [--json FILE]

In a private state folder (so the user's own LanguageTool service is neither used nor stopped) and a fresh cache:
no server runs before the first review. Then, ``--repeat`` times, the post is edited (one word changes, so grammar
has one new paragraph to send) and reviewed with grammar, and reviewed with ``--no-grammar``, alternating which
goes first. Every review is ``medpress review POST`` as an editor types it (a new process, the direct engine).
Prints the first review's time, the medians, min and max of both, and the load average before and after; the
service is stopped at the end (by its pid).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEDPRESS = Path(sys.executable).with_name("medpress")
ADVICE = ("This article is for general education and is not medical advice. Talk to a qualified healthcare "
          "provider about your own health before you start any treatment.")


def post_text(edit: int) -> str:
    return (f"---\ntitle: Aftercare\nslug: aftercare\ndate: 2024-05-01\n---\n"
            f"After a peel, rest for day {edit} and keep the skin out of the sun. Use a gentle cleanser and a "
            "plain moisturiser, and call the clinic if the redness gets worse.\n\n"
            "Most patients return to work the next day. Mild peeling is normal and settles within a week.\n\n"
            f"{ADVICE}\n")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([str(MEDPRESS), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1) or "GR000" in done.stdout:
        raise SystemExit(f"review failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="medpress-editor-loop-"))
    content = work / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "content", content, symlinks=False)
    post = content / "posts" / "aftercare.md"
    env = {**os.environ, "MEDPRESS_STATE_DIR": str(work / "state"), "MEDPRESS_CACHE": str(work / "cache"),
           "MEDPRESS_LT_URL": ""}
    from flows.services.background import alive, terminate_group

    runs: dict[str, list[float]] = {"grammar": [], "no-grammar": []}
    load_before = load()
    pid = None
    try:
        post.write_text(post_text(0))
        first, _ = timed(["review", str(post), "--content", str(content)], work, env)
        status = subprocess.run([str(MEDPRESS), "lt", "status"], env=env, capture_output=True, text=True).stdout
        pid = int(status.split("(pid ")[1].split(",")[0])
        for n in range(1, args.repeat + 1):
            post.write_text(post_text(n))
            order = ["grammar", "no-grammar"] if n % 2 else ["no-grammar", "grammar"]
            for mode in order:
                extra = ["--no-grammar"] if mode == "no-grammar" else []
                seconds, _ = timed(["review", str(post), "--content", str(content), *extra], work, env)
                runs[mode].append(seconds)
    finally:
        if pid is not None and alive(pid):
            terminate_group(pid)
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "first_review_starting_the_service_s": round(first, 2),
        **{f"{mode}_median_s": round(statistics.median(values), 2) for mode, values in runs.items()},
        **{f"{mode}_runs_s": [round(v, 2) for v in values] for mode, values in runs.items()},
        "load_before": load_before, "load_after": load(), "nproc": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    print(f"first review (starts LanguageTool): {first:.2f} s")
    for mode, values in runs.items():
        print(f"{mode:>10}: median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f}, "
              f"{len(values)} runs)")
    print(f"load average before {load_before}, after {result['load_after']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Two checkouts side by side: the parse alone and a cold review, alternating runs, medians of CPU time.

    .venv/bin/python bench/parse_ab.py CONTENT --a MAIN_CHECKOUT --b BRANCH_CHECKOUT [--rounds 3] [--parse-posts 300]

Each run is a new process with ``PYTHONPATH`` set to the checkout, so the shared venv runs that checkout's code.
``parse``: ``parse_post`` on the first ``--parse-posts`` posts of ``CONTENT_DIR/posts`` (read before timing), CPU ms a
post of the process. ``review``: ``medpress review --no-grammar --no-cache --engine direct`` of the whole folder, CPU
seconds (user + sys) of the process, with ``MEDPRESS_WORKERS=1`` so the posts are checked in that process: worker
processes are children of a fork server the review does not wait for, so their CPU time cannot be counted from
here. ``--one-post POST`` instead: the editor's command ``medpress review POST --content CONTENT --no-grammar`` on a
fresh cache, CPU seconds of that process (imports included). The order alternates (A B, B A, ...); the load average
is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEDPRESS = Path(sys.executable).with_name("medpress")
PARSE = """
import json, sys, time
from pathlib import Path
from checks.document import parse_post
paths = sorted(Path(sys.argv[1]).glob("*.md"))[: int(sys.argv[2])]
data = [(f"posts/{p.name}", p.read_bytes()) for p in paths]
started = time.process_time()
for rel, raw in data:
    parse_post(rel, raw)
print(json.dumps({"cpu_ms_per_post": (time.process_time() - started) * 1000 / len(data), "posts": len(data)}))
"""


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _env(code: Path, cache: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(code), "MEDPRESS_CACHE": str(cache)}


def run_parse(code: Path, posts: Path, count: int) -> float:
    done = subprocess.run([sys.executable, "-c", PARSE, str(posts), str(count)], env=_env(code, Path("/nonexistent")),
                          capture_output=True, text=True, check=True, cwd=code)
    return float(json.loads(done.stdout)["cpu_ms_per_post"])


def run_review(code: Path, content: Path, post: Path | None = None) -> tuple[float, float]:
    """(CPU seconds of the review, wall seconds): the whole folder, or one post of it."""
    with tempfile.TemporaryDirectory() as scratch:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        env = {**_env(code, Path(scratch) / "cache"), "MEDPRESS_WORKERS": "1"}
        command = ([str(MEDPRESS), "review", str(post), "--content", str(content), "--no-grammar"] if post else
                   [str(MEDPRESS), "review", "--content", str(content), "--no-grammar", "--no-cache", "--engine",
                    "direct", "--output", str(Path(scratch) / "review.json")])
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=scratch)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"review failed ({done.returncode}) with {code}:\n{done.stderr[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("content", type=Path)
    parser.add_argument("--a", type=Path, required=True, help="checkout A (the reference, e.g. main)")
    parser.add_argument("--b", type=Path, required=True, help="checkout B (the branch)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--parse-posts", type=int, default=300)
    parser.add_argument("--skip-review", action="store_true")
    parser.add_argument("--one-post", type=Path, default=None, help="a post of CONTENT: the editor's one-post review")
    args = parser.parse_args()
    content = args.content.resolve()
    results: dict[str, dict[str, list[float]]] = {"a": {}, "b": {}}
    print(f"load before: {load()}", flush=True)
    for round_ in range(args.rounds):
        order = ("a", "b") if round_ % 2 == 0 else ("b", "a")
        for side in order:
            code = (args.a if side == "a" else args.b).resolve()
            if args.one_post:
                cpu, wall = run_review(code, content, args.one_post.resolve())
                results[side].setdefault("one_post_cpu_s", []).append(cpu)
                results[side].setdefault("one_post_wall_s", []).append(wall)
                print(f"round {round_ + 1} {side}: one post {cpu:.2f} CPU s, {wall:.2f} wall s (load {load()})",
                      flush=True)
                continue
            ms = run_parse(code, content / "posts", args.parse_posts)
            results[side].setdefault("parse_cpu_ms_per_post", []).append(ms)
            line = f"round {round_ + 1} {side}: parse {ms:.2f} CPU ms/post"
            if not args.skip_review:
                cpu, wall = run_review(code, content)
                results[side].setdefault("review_cpu_s", []).append(cpu)
                results[side].setdefault("review_wall_s", []).append(wall)
                line += f"; review {cpu:.1f} CPU s, {wall:.1f} wall s"
            print(line + f" (load {load()})", flush=True)
    print(f"load after: {load()}")
    summary = {side: {key: statistics.median(values) for key, values in found.items()}
               for side, found in results.items()}
    print(json.dumps({"runs": results, "medians": summary}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

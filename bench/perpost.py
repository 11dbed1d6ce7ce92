"""Parsing and the per-post checks alone, posts/s on one core (no Prefect, no grammar, no I/O timed).

Each repeat runs in a fresh process, so memoised work (syllable counts, compiled patterns) is only
reused within one pass over the corpus, as in a real review. Before timing, the process warms up on
the fixture posts of ``tests/fixtures/content/`` (imports, the CMU dictionary, the compiled knowledge base).

    .venv/bin/python bench/perpost.py [--sizes 200,1000] [--repeat 3] [--seed 0] [--code DIR ...]

``--code DIR`` times another checkout too (e.g. ``git archive REF | tar -x -C DIR``), on the same corpus,
alternating which goes first: on a busy machine only such side-by-side runs compare fairly.

Prints a Markdown table of medians (wall time, and this process's CPU time, which other work on the
machine disturbs less) and the load average; ``--json FILE`` keeps every run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _files(folder: Path) -> list[tuple[str, bytes]]:
    return [(f"posts/{p.name}", p.read_bytes()) for p in sorted((folder / "posts").glob("*.md"))]


def one_run(corpus: Path, code: Path) -> dict[str, float]:
    sys.path.insert(0, str(code))  # ahead of the editable install
    from checks.document import parse_post
    from checks.pipeline import review_post
    from flows.store.policy_files import load_policy

    policy = load_policy(ROOT / "content" / "policy")  # the same policy and warm-up posts for every checkout
    for name, data in _files(ROOT / "tests" / "fixtures" / "content"):
        review_post(parse_post(name, data), policy)
    files = _files(corpus)
    start, cpu = time.perf_counter(), time.process_time()
    posts = [parse_post(name, data) for name, data in files]
    parse_s, parse_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    for post in posts:
        review_post(post, policy)
    review_s, review_cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"posts": len(files), "parse_s": parse_s, "review_s": review_s, "parse_cpu_s": parse_cpu,
            "review_cpu_s": review_cpu}


def _row(size: int, code: Path, runs: list[dict[str, float]]) -> dict[str, object]:
    parse_s = statistics.median(r["parse_s"] for r in runs)
    review_s = statistics.median(r["review_s"] for r in runs)
    cpu_ms = 1000 * statistics.median(r["parse_cpu_s"] + r["review_cpu_s"] for r in runs) / size
    return {"code": "this checkout" if code == ROOT else str(code), "posts": size,
            "parse_median_s": round(parse_s, 3), "review_median_s": round(review_s, 3),
            "parse_posts_per_s": round(size / parse_s, 1), "review_posts_per_s": round(size / review_s, 1),
            "ms_per_post": round(1000 * (parse_s + review_s) / size, 2), "cpu_ms_per_post": round(cpu_ms, 2),
            "runs": runs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200,1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--code", type=Path, action="append", default=[], help="another checkout to time too")
    parser.add_argument("--one", type=Path, nargs=2, help=argparse.SUPPRESS)  # internal: CORPUS CODE, one run
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(*args.one)))
        return 0
    codes = [ROOT, *(c.resolve() for c in args.code)]
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            corpus = Path(tmp) / str(size)
            generate(size, corpus, seed=args.seed)
            runs: dict[Path, list[dict[str, float]]] = {code: [] for code in codes}
            for index in range(args.repeat):
                order = codes[index % len(codes) :] + codes[: index % len(codes)]
                for code in order:
                    out = subprocess.run([sys.executable, __file__, "--one", str(corpus), str(code)], check=True,
                                         capture_output=True, text=True).stdout
                    runs[code].append(json.loads(out))
            for code in codes:
                rows.append(_row(size, code, runs[code]))
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} cores, "
          f"medians of {args.repeat} runs")
    print("| code | posts | parse posts/s | review_post posts/s | parse+review ms/post | CPU ms/post |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(f"| {row['code']} | {row['posts']} | {row['parse_posts_per_s']} | {row['review_posts_per_s']} | "
              f"{row['ms_per_post']} | {row['cpu_ms_per_post']} |")
    if args.json:
        args.json.write_text(json.dumps({"loadavg": load, "rows": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

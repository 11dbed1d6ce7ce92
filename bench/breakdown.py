"""Where the flow's extra time goes: the same flow with Prefect's costs switched off one at a time.

    .venv/bin/python bench/breakdown.py [--posts 500] [--repeat 3]

Variants (grammar off, use_cache=False, fresh cache dir per run), medians of wall seconds:

* ``plain``: review_plain, the work itself;
* ``flow``: the Prefect flow as the CLI runs it (``flows.review.in_process_run``: no flow-run heartbeats);
* ``flow, Prefect's heartbeats``: the same flow with Prefect's default heartbeats (as a deployment's worker
  runs it): the heartbeat thread sleeps in 1 s steps and a sync flow joins it on exit, so the run ends on the
  next whole second of that thread (up to ~1 s lost);

(An earlier variant wrapped the tasks' big arguments in ``opaque``; flows/review.py's tasks take small handles
now, which Prefect does not walk either.)

Only this process is patched, nothing in flows/ is changed. Prints a Markdown table; writes
bench/results/breakdown.json.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import quiet_prefect  # noqa: F401 - first: before anything imports Prefect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402


def patched(no_heartbeat: bool) -> contextlib.AbstractContextManager[None]:
    from flows.review import in_process_run

    return in_process_run() if no_heartbeat else contextlib.nullcontext()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Where the flow's extra time goes.")
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "breakdown.json")
    args = parser.parse_args(argv)

    from run import code_fingerprint, git_commit, machine_info

    code = {"commit": git_commit(), "sources_sha256": code_fingerprint()}
    from flows.services import prefect_server

    os.environ["PREFECT_API_URL"] = prefect_server.ensure_api()  # before MEDPRESS_CACHE moves
    from flows.engine.steps import ReviewOptions, review_plain
    from flows.review import review

    scratch = Path(tempfile.mkdtemp(prefix="medpress-breakdown-"))
    variants = {
        "plain": (None, False),
        "flow": ("flow", True),
        "flow, Prefect's heartbeats": ("flow", False),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    findings: dict[str, object] = {}
    try:
        content = scratch / "content"
        generate(args.posts, content)
        for name, (kind, no_hb) in variants.items():  # warm-up, and same findings?
            os.environ["MEDPRESS_CACHE"] = str(scratch / "cache-warmup")
            with patched(no_hb):
                report = (review(content=str(content), grammar=False, output=None, use_cache=False) if kind
                          else review_plain(ReviewOptions(content_dir=content, grammar=False, use_cache=False)))
            findings[name] = [p.to_dict() for p in report.posts]
        for i in range(args.repeat):
            for name, (kind, no_hb) in variants.items():
                cache_dir = Path(tempfile.mkdtemp(dir=scratch))
                os.environ["MEDPRESS_CACHE"] = str(cache_dir)
                gc.collect()
                with patched(no_hb):
                    start = time.perf_counter()
                    if kind:
                        review(content=str(content), grammar=False, output=None, use_cache=False)
                    else:
                        review_plain(ReviewOptions(content_dir=content, grammar=False, use_cache=False))
                    times[name].append(time.perf_counter() - start)
                shutil.rmtree(cache_dir, ignore_errors=True)
                print(f"  {name:<46} repeat {i + 1}: {times[name][-1]:.3f} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    same = all(f == findings["plain"] for f in findings.values())
    plain = statistics.median(times["plain"])
    rows = []
    print(f"| variant ({args.posts} posts, cold) | median s | vs plain |\n|---|---:|---:|")
    for name in variants:
        med = statistics.median(times[name])
        rows.append({"variant": name, "median_s": round(med, 3), "runs_s": [round(t, 3) for t in times[name]],
                     "ratio_to_plain": round(med / plain, 2)})
        print(f"| {name} | {med:.3f} | {med / plain:.2f} |")
    print(f"\nsame findings in every variant: {same}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"machine": machine_info(), "medpress_code": code, "posts": args.posts,
                                       "repeat": args.repeat, "rows": rows, "same_findings": same},
                                      indent=2) + "\n")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

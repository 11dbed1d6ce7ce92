"""One measured case of bench/scale.py, in a fresh process, so that it reports its own start-up and peak RSS.

    python bench/case.py review --mode flow|plain --content DIR [--grammar] [--path POST]
    python bench/case.py raw --content DIR [--once]  # medpress's grammar requests as raw HTTP (MEDPRESS_LT_URL)
    python bench/case.py edit-body POST              # the untimed edit between editor-loop runs

``review`` and ``raw`` print one line of JSON: ``startup_s`` (from the start of this script to the measured call:
imports, and for ``raw`` reading the posts and building the request bodies), ``review_s`` (the measured call) and
``peak_rss_mib`` (this process's ru_maxrss; ``workers_peak_rss_mib``: the largest of medpress's worker processes,
when it used them). scale.py sets MEDPRESS_CACHE, PREFECT_API_URL and MEDPRESS_LT_URL.
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()  # first: start-up is measured from here

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def workers_peak_rss_mib() -> float | None:
    """The largest peak RSS of medpress's worker processes (flows/engine/workers.py), if it started any; read from
    /proc before they are stopped (they are the fork server's children, so getrusage never sees them)."""
    from flows.engine import workers

    peaks = []
    for pid in workers.process_ids():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        peaks.extend(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    workers.shutdown()
    return round(max(peaks) / 1024, 1) if peaks else None


def _body_lines(lines: list[str]) -> range:
    """Indexes of the lines after the front matter."""
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
    return range(start, len(lines))


def edit_body(path: Path) -> str:
    """Append a sentence to the first line of prose: a new paragraph text, no heading or link changed."""
    lines = path.read_text(encoding="utf-8").split("\n")
    index = next(i for i in _body_lines(lines) if lines[i][:1].isalpha())
    lines[index] += " We edited this sentence."
    path.write_text("\n".join(lines), encoding="utf-8")
    return lines[index]


def heading_anchors(path: Path) -> list[tuple[int, str, str]]:
    """(line index, heading text, anchor) of every heading, anchors as the link check computes them."""
    from checks.anchors import unique_anchors

    lines = path.read_text(encoding="utf-8").split("\n")
    found = [(i, m.group(2)) for i in _body_lines(lines) if (m := _HEADING.match(lines[i]))]
    return [(i, text, anchor) for (i, text), anchor in zip(found, unique_anchors(t for _, t in found), strict=True)]


def edit_heading(path: Path, anchor: str | None) -> dict[str, str]:
    """Reword the heading with ``anchor`` (or the first heading): links to its old anchor now break."""
    headings = heading_anchors(path)
    index, text, old = next((h for h in headings if h[2] == anchor), headings[0])
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[index] = lines[index].replace(text, text + " Today", 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return {"heading": text, "anchor": old, "new_heading": text + " Today"}


def review_case(mode: str, content: Path, grammar: bool, paths: list[Path]) -> dict[str, Any]:
    from flows.engine.steps import ReviewOptions, review_plain
    from flows.review import in_process_run, review

    startup = time.perf_counter() - _STARTED
    start = time.perf_counter()
    if mode == "flow":
        with in_process_run():  # as `medpress review` runs it
            report = review(content=str(content), paths=[str(p) for p in paths] or None, grammar=grammar,
                            output=None, use_cache=True)
    else:
        report = review_plain(ReviewOptions(content_dir=content, paths=paths, grammar=grammar, use_cache=True))
    review_s = time.perf_counter() - start
    posts = [p.to_dict() for p in report.posts]
    return {"startup_s": round(startup, 4), "review_s": round(review_s, 4), "posts": len(posts),
            "findings": sum(len(p.get("findings", [])) for p in posts),
            "findings_sha256": hashlib.sha256(json.dumps(posts, sort_keys=True).encode()).hexdigest()[:16],
            "cache": report.run.get("cache"), "work": report.run.get("work"), "grammar": report.run.get("grammar"),
            "grammar_stage_s": (report.run.get("grammar") or {}).get("seconds"),
            "workers_peak_rss_mib": workers_peak_rss_mib()}


def raw_case(content: Path, once: bool = False) -> dict[str, Any]:
    """The grammar baseline: the request bodies medpress packs for ``content`` (no cache), sent as raw HTTP to
    the first MEDPRESS_LT_URL with the policy's parallelism. ``once``: each distinct paragraph once, as medpress
    sends them (the overhead baseline); else every paragraph of every post (what a naive client sends)."""
    import httpx
    from stages import _posts, grammar_request_bodies, replay_raw

    from checks.document import parse_post
    from flows.services.languagetool import pool_urls
    from flows.store.policy_files import load_policy, policy_dir_for

    policy = load_policy(policy_dir_for(content, None))
    posts = [parse_post(name, data) for name, data in _posts(content)]
    bodies = grammar_request_bodies(posts, policy, once)
    workers = policy.grammar.max_parallel_requests
    startup = time.perf_counter() - _STARTED
    with httpx.Client(timeout=120) as client:
        review_s = replay_raw(client, pool_urls()[0], bodies, workers)
    return {"startup_s": round(startup, 4), "review_s": round(review_s, 4), "posts": len(posts),
            "requests": len(bodies), "parallel": workers}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One measured case of bench/scale.py (prints JSON).")
    commands = parser.add_subparsers(dest="command", required=True)
    review = commands.add_parser("review")
    review.add_argument("--mode", choices=("flow", "plain"), required=True)
    review.add_argument("--content", type=Path, required=True)
    review.add_argument("--grammar", action="store_true")
    review.add_argument("--path", type=Path, action="append", default=[], help="review only this post")
    raw = commands.add_parser("raw")
    raw.add_argument("--content", type=Path, required=True)
    raw.add_argument("--once", action="store_true", help="each distinct paragraph once, as medpress sends them")
    edit = commands.add_parser("edit-body")
    edit.add_argument("post", type=Path)
    args = parser.parse_args(argv)
    import quiet_prefect  # noqa: F401 - before anything imports Prefect (here, so importing this module changes nothing)

    if args.command == "edit-body":
        edit_body(args.post)
        return 0
    if args.command == "review":
        from flows.engine import workers

        workers.prepare_for(args.content, args.path)  # as `medpress review` does first
    result = (review_case(args.mode, args.content, args.grammar, args.path) if args.command == "review"
              else raw_case(args.content, args.once))
    result["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How a review scales (issue 7): each case in a fresh process, each figure beside its baseline from the same command.

    .venv/bin/python bench/scale.py [--sizes 100,200,500,1000] [--grammar-sizes 200,1000] [--repeat 3]
                                    [--editor-sizes content,1000] [--editor-repeat 5] [--output FILE]
                                    [--compare OLD.json] [--update-docs]

For every size N, bench/generate.py makes N posts (seed 0, the policy of content/policy). Per repeat and mode a
*chain* runs on a fresh corpus copy and a fresh, empty MEDPRESS_CACHE, one bench/case.py process per step:
``cold`` (empty cache), ``warm`` (nothing changed), ``one edit`` (a sentence added to one post), ``heading edit``
(a heading reworded in a post other posts link to). Chains run with grammar off for every size, and also with
grammar on for the --grammar-sizes. Modes: ``flow`` is the Prefect flow ``review(...)``, ``plain`` the same steps
as plain calls (``review_plain``), the baseline. For grammar sizes the raw baseline replays the very requests
medpress sends as plain HTTP (bench/stages.py), against the same LanguageTool server.

The editor loop times the real CLI, start-up included (hyperfine when installed, else a subprocess timer):
``medpress review POST --content DIR [--no-grammar]`` after a sentence of POST was edited, the rest of the blog
cached, with an in-process review of the same post as its baseline.

Every measured process starts on an idle machine: the script waits (at most 20 s) until the cores were 90 % idle
over half a second, so the previous case's processes, LanguageTool's JVM after a grammar case and the Prefect
server's event handling do not run into the next measurement; each run records how long that took (settle_s).

Writes bench/results/scale.json (everything) and scale.md (the tables); exit 1 on a sanity problem, or with
--compare when a median is more than 20 % slower than in OLD.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
FIXTURES = ROOT / "tests" / "fixtures" / "content"  # the 9 fixture posts: the small blog of the editor loop
sys.path.insert(0, str(BENCH))

from case import edit_body, edit_heading, heading_anchors  # noqa: E402

CASE = BENCH / "case.py"
CHAIN = ("cold", "warm", "one edit", "heading edit")
MODES = ("flow", "plain")
REGRESSION = 1.20  # --compare: a median this much slower than before is a regression ...
NOISE_S = 0.05  # ... unless it is within this many seconds (tiny cases jitter by more than 20 %)
SETTLE_IDLE = 0.9  # each case starts once the machine's cores are this idle (over 0.5 s) ...
SETTLE_LIMIT_S = 20.0  # ... or after this long waiting
DOCS_START, DOCS_END = "<!-- bench:scale:start -->", "<!-- bench:scale:end -->"
_LINK = re.compile(r"\]\((?:/blog/(?P<slug>[^/#)\s]+)/?|\./(?P<file>[^/#)\s]+\.md))(?:#(?P<frag>[^)\s]*))?\)")
_SLUG = re.compile(r"^slug:\s*[\"']?([^\"'\s]+)", re.MULTILINE)

Log = Callable[[str], None]


def median(values: list[float]) -> float:
    return statistics.median(values)


def _cpu_idle(interval: float = 0.5) -> float:
    """The share of CPU time every core of this machine spent idle over ``interval`` seconds (/proc/stat)."""
    def read() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, all

    idle, total = read()
    time.sleep(interval)
    idle_after, total_after = read()
    return (idle_after - idle) / max(1, total_after - total)


def settle(threshold: float = SETTLE_IDLE, limit: float | None = None) -> float:
    """Wait (at most ``limit`` seconds, default SETTLE_LIMIT_S) until the machine is idle: the previous case's
    processes, LanguageTool's JVM after a grammar run and the Prefect server's event handling otherwise run into
    the next measurement on these 2 cores. Returns the seconds waited."""
    limit = SETTLE_LIMIT_S if limit is None else limit
    start = time.perf_counter()
    while time.perf_counter() - start < limit and _cpu_idle() < threshold:
        pass
    return round(time.perf_counter() - start, 2)


def run_child(args: list[str], env: dict[str, str], cache: Path, cwd: Path) -> dict[str, Any]:
    """One bench/case.py process, started on an idle machine (:func:`settle`); its JSON plus ``process_s``, the
    wall seconds of the whole process, and ``settle_s``, how long the machine took to fall idle before it."""
    settled = settle()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(CASE), *args], env={**env, "MEDPRESS_CACHE": str(cache)}, cwd=cwd,
                          capture_output=True, text=True, check=False)
    process_s = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"bench/case.py {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = round(process_s, 4)
    result["settle_s"] = settled
    return result


def edit_plan(corpus: Path) -> dict[str, Any]:
    """Which post gets the body edit (the first) and which heading gets reworded: the heading other posts link to
    most often (by anchor), else the first heading of the most linked post."""
    files = sorted(p.name for p in (corpus / "posts").glob("*.md"))
    texts = {name: (corpus / "posts" / name).read_text(encoding="utf-8") for name in files}
    by_slug = {m.group(1): name for name, text in texts.items() if (m := _SLUG.search(text))}
    anchored: Counter[tuple[str, str]] = Counter()
    linkers: dict[str, set[str]] = {}
    for name, text in texts.items():
        for link in _LINK.finditer(text):
            target = by_slug.get(link["slug"]) if link["slug"] else link["file"]
            if target in texts and target not in (name, files[0]):
                linkers.setdefault(target, set()).add(name)
                if link["frag"]:
                    anchored[(target, link["frag"])] += 1
    real = [(key, n) for key, n in anchored.most_common() if key[1] in {a for *_, a in heading_anchors(
        corpus / "posts" / key[0])}]
    if real:
        (target, anchor), _ = real[0]
    else:
        target = max(linkers, key=lambda t: len(linkers[t])) if linkers else files[min(1, len(files) - 1)]
        anchor = None
    return {"body_post": files[0], "heading_post": target, "anchor": anchor,
            "linking_posts": len(linkers.get(target, ()))}


def run_chain(mode: str, corpus: Path, grammar: bool, plan: dict[str, Any], env: dict[str, str],
              scratch: Path) -> dict[str, dict[str, Any]]:
    """cold, warm, one edit, heading edit: one process each, on one fresh corpus copy and one fresh cache."""
    work = scratch / "work"
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=scratch))
    shutil.copytree(corpus, work)
    args = ["review", "--mode", mode, "--content", str(work), *(["--grammar"] if grammar else [])]
    results = {}
    try:
        for step in CHAIN:
            if step == "one edit":
                edit_body(work / "posts" / str(plan["body_post"]))
            elif step == "heading edit":
                edit_heading(work / "posts" / str(plan["heading_post"]), plan["anchor"])
            results[step] = run_child(args, env, cache, scratch)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    return results


def time_command(command: list[str], prepare: list[str], runs: int, env: dict[str, str], scratch: Path
                 ) -> tuple[str, list[float]]:
    """Wall seconds of ``command`` per run, ``prepare`` (untimed) before each: hyperfine if installed."""
    settle()
    if shutil.which("hyperfine"):
        export = scratch / "hyperfine.json"
        subprocess.run(["hyperfine", "--shell=none", "--runs", str(runs), "--ignore-failure", "--style", "none",
                        "--prepare", shlex.join(prepare), "--export-json", str(export), shlex.join(command)],
                       env=env, cwd=scratch, check=True, capture_output=True)
        result = json.loads(export.read_text())["results"][0]
        if set(result["exit_codes"]) - {0, 1}:  # --ignore-failure is for exit 1 (findings), not for a crash
            raise RuntimeError(f"{shlex.join(command)} exited {result['exit_codes']}")
        return "hyperfine", [float(t) for t in result["times"]]
    times = []
    for _ in range(runs):
        subprocess.run(prepare, env=env, cwd=scratch, check=True)
        settle()
        start = time.perf_counter()
        done = subprocess.run(command, env=env, cwd=scratch, capture_output=True, check=False)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"{shlex.join(command)} exited {done.returncode}")
        times.append(time.perf_counter() - start)
    return "subprocess", times


def editor_loop(name: str, corpus: Path, grammar: bool, runs: int, env: dict[str, str], scratch: Path
                ) -> dict[str, Any]:
    """`medpress review POST` after an edit of POST, the rest of the blog cached; baseline: the same review
    in-process (review_plain of POST), without start-up."""
    work = scratch / "editor"
    cache = Path(tempfile.mkdtemp(prefix="cache-editor-", dir=scratch))
    shutil.copytree(corpus, work)
    post = sorted((work / "posts").glob("*.md"))[0]
    env = {**env, "MEDPRESS_CACHE": str(cache)}
    command = [str(Path(sys.executable).with_name("medpress")), "review", str(post), "--content", str(work),
               "--output", str(scratch / "editor-review.json"), *([] if grammar else ["--no-grammar"])]
    try:
        primed = subprocess.run(command, env=env, cwd=scratch, capture_output=True, text=True, check=False)
        if primed.returncode not in (0, 1):  # 1: a finding reached --fail-on, still a review
            raise RuntimeError(f"{shlex.join(command)} exited {primed.returncode}:\n{primed.stderr[-3000:]}")
        tool, times = time_command(command, [sys.executable, str(CASE), "edit-body", str(post)], runs, env, scratch)
        baseline = []
        for _ in range(runs):
            edit_body(post)
            baseline.append(run_child(["review", "--mode", "plain", "--content", str(work), "--path", str(post),
                                       *(["--grammar"] if grammar else [])], env, cache, scratch))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
    return {"blog": name, "blog_posts": len(list((corpus / "posts").glob("*.md"))), "grammar": grammar,
            "post": post.name, "tool": tool, "command": shlex.join(command), "runs_s": [round(t, 4) for t in times],
            "median_s": round(median(times), 4), "min_s": round(min(times), 4), "max_s": round(max(times), 4),
            "baseline_review_s": round(median([float(b["review_s"]) for b in baseline]), 4),
            "baseline_runs": baseline}


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    walls = [float(r["review_s"]) for r in runs]
    startups = [float(r["process_s"]) - float(r["review_s"]) for r in runs]
    stage = [float(r["grammar_stage_s"]) for r in runs if r.get("grammar_stage_s") is not None]
    posts = int(runs[0]["posts"])
    last = runs[-1]
    return {"median_s": round(median(walls), 4), "min_s": round(min(walls), 4), "max_s": round(max(walls), 4),
            "posts_per_s": round(posts / median(walls), 1) if median(walls) else None,
            "startup_median_s": round(median(startups), 4),
            "peak_rss_mib": max(float(r["peak_rss_mib"]) for r in runs),
            "workers_peak_rss_mib": max((float(r["workers_peak_rss_mib"]) for r in runs
                                         if r.get("workers_peak_rss_mib") is not None), default=None),
            "grammar_stage_median_s": round(median(stage), 4) if stage else None,
            "cache": last.get("cache"), "work": last.get("work"), "grammar": last.get("grammar"),
            "runs_s": [round(w, 4) for w in walls], "runs": runs}


def _raw_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"median_s": round(median([float(r["review_s"]) for r in runs]), 4),
            "runs_s": [r["review_s"] for r in runs], "requests": runs[0]["requests"],
            "parallel": runs[0]["parallel"], "peak_rss_mib": max(float(r["peak_rss_mib"]) for r in runs)}


def sanity(rows: list[dict[str, Any]]) -> list[str]:
    """An empty cache must have no hit; nothing changed, no miss; one edit, one miss; flow and plain agree."""
    problems = []
    for row in rows:
        label = f"{row['posts']} {row['case']}{'+grammar' if row['grammar'] else ''}"
        for mode in MODES:
            for run in row[mode]["runs"]:
                hits, misses = run["cache"]["hits"], run["cache"]["misses"]
                ok = {"cold": hits == 0, "warm": misses == 0}.get(row["case"], misses == 1)
                if not ok:
                    problems.append(f"{label} {mode}: cache hits {hits}, misses {misses}")
                work = run.get("work") or {}
                if row["case"] == "warm" and (work.get("parsed"), work.get("cross_checked")) != (0, 0):
                    problems.append(f"{label} {mode}: nothing changed, yet {work} was redone")
                stats = run.get("grammar") or {}
                # Cold: no post's grammar from the cache, and requests sent. Paragraphs may still come from the
                # paragraph cache: a paragraph repeated in a later chunk of posts is checked once.
                if row["grammar"] and row["case"] == "cold" and (stats.get("posts_cached") or not stats.get(
                        "requests")):
                    problems.append(f"{label} {mode}: a cold grammar run must check every post: {stats}")
        if row["flow"]["runs"][0]["findings_sha256"] != row["plain"]["runs"][0]["findings_sha256"]:
            problems.append(f"{label}: flow and plain report different findings")
    return problems


def _row(rows: list[dict[str, Any]], posts: int, case: str, grammar: bool) -> dict | None:
    return next((r for r in rows if (r["posts"], r["case"], r["grammar"]) == (posts, case, grammar)), None)


def targets(rows: list[dict[str, Any]], raw: dict[int, dict[str, Any]], editor: list[dict[str, Any]],
            largest: int) -> list[dict[str, Any]]:
    """Issue 7's targets, each measured figure with its baseline and limit."""
    out = []

    def add(name: str, value: float, unit: str, limit: float, at_most: bool, baseline: str) -> None:
        out.append({"target": name, "value": round(value, 3), "unit": unit, "limit": limit,
                    "at_most": at_most, "baseline": baseline, "pass": value <= limit if at_most else value >= limit})

    for loop in editor:
        add(f"one-post editor loop, blog of {loop['blog_posts']}, grammar {'on' if loop['grammar'] else 'off'}, "
            "start-up included", float(loop["median_s"]), "s", 4.0 if loop["grammar"] else 2.0, True,
            f"in-process review of the post: {loop['baseline_review_s']} s")
    for grammar in (False, True):
        warm = _row(rows, largest, "warm", grammar)
        if warm:
            add(f"unchanged re-run of {largest} posts, grammar {'on' if grammar else 'off'}, review work (flow)",
                warm["flow"]["median_s"], "s", 3.0, True, f"plain: {warm['plain']['median_s']} s")
    cold = _row(rows, largest, "cold", False)
    if cold:
        add(f"checks without grammar, cold {largest} posts (flow)", cold["flow"]["posts_per_s"], "posts/s",
            150.0, False, f"plain: {cold['plain']['posts_per_s']} posts/s")
    for posts, every in sorted(raw.items()):
        cold = _row(rows, posts, "cold", True)
        if cold and cold["flow"]["grammar_stage_median_s"]:
            stage = cold["flow"]["grammar_stage_median_s"]
            stats = cold["flow"]["grammar"] or {}
            sent, repeated = stats.get("paragraphs_checked", 0), stats.get("paragraphs_cached", 0)
            # The overhead baseline sends what medpress sends: each distinct paragraph once (results from before
            # that baseline existed compare with every paragraph sent)
            once = every.get("once")
            baseline = once or every
            note = (f"; medpress sent {sent} of {sent + repeated} paragraphs (the others repeat earlier ones, checked "
                    f"once); raw with every paragraph: {every['median_s']} s") if repeated else ""
            add(f"grammar stage / raw LanguageTool, cold {posts} posts (flow)", stage / baseline["median_s"], "x",
                1.15, True, f"stage {stage} s, raw requests {'(each paragraph once) ' if once else ''}"
                f"{baseline['median_s']} s{note}")
            flow, plain = cold["flow"]["median_s"], cold["plain"]["median_s"]
            add(f"Prefect share of a cold {posts}-post run with grammar, (flow - plain) / flow",
                100 * (flow - plain) / flow, "%", 15.0, True, f"flow {flow} s, plain {plain} s")
    peak = max((r[m]["peak_rss_mib"] for r in rows if r["posts"] == largest for m in MODES), default=None)
    if peak is not None:
        workers = max((r[m]["workers_peak_rss_mib"] or 0 for r in rows if r["posts"] == largest for m in MODES),
                      default=0)
        add(f"peak RSS of the review process, {largest} posts (any case)", peak, "MiB", 500.0, True,
            f"plain at most: {max(r['plain']['peak_rss_mib'] for r in rows if r['posts'] == largest)} MiB; "
            f"each worker process at most {workers:.0f} MiB")
    return out


def _fmt(value: object, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _work(work: object) -> str:
    if not isinstance(work, dict):
        return "-"
    return "/".join(str(work.get(k, "?")) for k in ("parsed", "cross_checked"))


def markdown(results: dict[str, Any]) -> str:
    machine, code, settings = results["machine"], results["medpress_code"], results["settings"]
    lines = [f"`{settings['command']}` on {machine['date']}: {machine['nproc']} CPUs ({machine['cpu']}), "
             f"load average {machine['loadavg_at_start'][0]} at the start and {machine['loadavg_1_5_15'][0]} at the "
             f"end (5 min: {machine['loadavg_1_5_15'][1]}), Python {machine['python']}, Prefect {machine['prefect']}; "
             f"code {code['commit']}; {settings['repeat']} repeat{'s' if settings['repeat'] > 1 else ''}, medians "
             f"(`{settings['output']}` has every run).", "",
             "| target | measured | baseline in the same command | limit | result |", "|---|---:|---|---:|---|"]
    for t in results["targets"]:
        lines.append(f"| {t['target']} | {_fmt(t['value'])} {t['unit']} | {t['baseline']} | "
                     f"{'≤' if t['at_most'] else '≥'} {t['limit']:g} {t['unit']} | {'PASS' if t['pass'] else 'FAIL'} |")
    lines += ["", "Review work per case (seconds inside the process, start-up apart; min-max over repeats):", "",
              "| case | grammar | posts | flow s | plain s (no Prefect) | flow/plain | flow posts/s | plain posts/s | "
              "start-up s flow / plain | peak RSS MiB flow / plain | work (flow) |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in results["rows"]:
        flow, plain = row["flow"], row["plain"]
        lines.append(f"| {row['case']} | {'on' if row['grammar'] else 'off'} | {row['posts']} | "
                     f"{flow['median_s']:.3f} ({flow['min_s']:.2f}-{flow['max_s']:.2f}) | "
                     f"{plain['median_s']:.3f} ({plain['min_s']:.2f}-{plain['max_s']:.2f}) | "
                     f"{flow['median_s'] / plain['median_s']:.2f} | {_fmt(flow['posts_per_s'], 1)} | "
                     f"{_fmt(plain['posts_per_s'], 1)} | "
                     f"{flow['startup_median_s']:.2f} / {plain['startup_median_s']:.2f} | "
                     f"{flow['peak_rss_mib']:.0f} / {plain['peak_rss_mib']:.0f} | {_work(flow['work'])} |")
    if results["raw_languagetool"]:
        lines += ["", "Grammar stage against raw LanguageTool requests (cold paragraph cache, same server; ratios "
                  "against the raw requests with each paragraph once, which is what medpress sends):", "",
                  "| posts | raw, every paragraph: requests, s | raw, each paragraph once: requests, s (baseline) | "
                  "grammar stage s, flow | ratio | grammar stage s, plain | ratio |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for posts, raw in sorted(results["raw_languagetool"].items(), key=lambda kv: int(kv[0])):
            row = _row(results["rows"], int(posts), "cold", True)
            flow, plain = (row["flow"]["grammar_stage_median_s"], row["plain"]["grammar_stage_median_s"]) if row \
                else (None, None)
            once = raw.get("once") or raw
            lines.append(f"| {posts} | {raw['requests']}, {raw['median_s']:.3f} | "
                         f"{once['requests'] if raw.get('once') else '-'}, {once['median_s']:.3f} | {_fmt(flow)} | "
                         f"{_fmt(flow and flow / once['median_s'], 2)} | {_fmt(plain)} | "
                         f"{_fmt(plain and plain / once['median_s'], 2)} |")
    lines += ["", "One-post editor loop: the real CLI as a subprocess, start-up included, after an edit of the post:",
              "", "| blog | grammar | `medpress review POST` s (min-max) | in-process review of the post s (baseline) "
              "| timer |",
              "|---|---|---:|---:|---|"]
    for loop in results["editor_loop"]:
        blog = "fixtures" if loop["blog"] == "content" else "generated"  # "content": the fixture blog, as before
        lines.append(f"| {blog} ({loop['blog_posts']} posts) | {'on' if loop['grammar'] else 'off'} | "
                     f"{loop['median_s']:.3f} ({loop['min_s']:.2f}-{loop['max_s']:.2f}) | "
                     f"{loop['baseline_review_s']:.3f} | {loop['tool']} |")
    lines += ["", "- work: posts parsed / posts whose checks across posts ran, from the report's `run[\"work\"]`; "
              "the others came from the cache.",
              "- one edit: a sentence added to the first post; heading edit: then a heading reworded in another post "
              "(with N posts: the heading and the posts linking to its post):"]
    lines += [f"  - {n} posts: `#{e['anchor'] or 'first heading'}` of {e['heading_post']}, linked from "
              f"{e['linking_posts']} posts." for n, e in results["edits"].items()]
    return "\n".join(lines) + "\n"


def medians(results: dict[str, Any]) -> dict[str, float]:
    """Every median wall time of a result file, by a stable name (for --compare)."""
    out = {}
    for row in results.get("rows", []):
        for mode in MODES:
            out[f"{row['posts']} {row['case']}{'+grammar' if row['grammar'] else ''} {mode}"] = row[mode]["median_s"]
    for posts, raw in results.get("raw_languagetool", {}).items():
        out[f"{posts} raw LanguageTool"] = raw["median_s"]
        if raw.get("once"):
            out[f"{posts} raw LanguageTool, each paragraph once"] = raw["once"]["median_s"]
    for loop in results.get("editor_loop", []):
        out[f"editor loop {loop['blog']} grammar {'on' if loop['grammar'] else 'off'}"] = loop["median_s"]
    return out


def compare(new: dict[str, Any], old: dict[str, Any]) -> list[str]:
    before, now = medians(old), medians(new)
    return [f"{name}: {before[name]:.3f} s -> {value:.3f} s ({value / before[name]:.2f}x)"
            for name, value in now.items()
            if name in before and value > before[name] * REGRESSION and value - before[name] > NOISE_S]


def update_docs(table: str, page: Path = ROOT / "docs" / "benchmarks.md") -> None:
    """Put the tables between the page's markers (the docs site's Benchmarks page)."""
    text = page.read_text(encoding="utf-8")
    start, end = text.index(DOCS_START) + len(DOCS_START), text.index(DOCS_END)
    page.write_text(text[:start] + "\n" + table + text[end:], encoding="utf-8")


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it."""
    return str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)


def _sizes(value: str) -> list[int]:
    sizes = [int(s) for s in value.split(",") if s.strip()]
    if any(s < 2 for s in sizes):
        raise argparse.ArgumentTypeError("sizes must be at least 2 posts")
    return sorted(set(sizes))


def language_tool(log: Log) -> tuple[str, object]:
    """The LanguageTool server every case shares: MEDPRESS_LT_URL's first, else one started here."""
    from flows.services.languagetool import ManagedServer, healthy, pool_urls
    from flows.store.policy_files import load_policy

    given = pool_urls()
    if given:
        if not healthy(given[0], timeout=10):
            raise SystemExit(f"MEDPRESS_LT_URL={given[0]} does not answer")
        return given[0], None
    server = ManagedServer(load_policy(ROOT / "content" / "policy").grammar.server_heap)
    url = server.start()
    log(f"LanguageTool started at {url}")
    return url, server


def measure(args: argparse.Namespace, editor_sizes: list[str], command: str, log: Log) -> dict[str, Any]:
    """Every case, its baselines and the editor loop; the results without the targets."""
    from run import code_fingerprint, generated_corpus, git_commit, machine_info

    sizes = args.sizes
    code = {"commit": git_commit(), "sources_sha256": code_fingerprint()}
    from flows.services import prefect_server

    # Once, here: ensure_api keeps its state file in the medpress cache, and every child gets its own cache.
    env = {**os.environ, "PREFECT_API_URL": prefect_server.ensure_api()}
    lt_url, lt_server = language_tool(log)
    env["MEDPRESS_LT_URL"] = lt_url
    load_before = [round(v, 2) for v in os.getloadavg()]
    scratch = Path(tempfile.mkdtemp(prefix="medpress-scale-"))
    try:
        corpora: dict[str, Path] = {"content": scratch / "content"}
        shutil.copytree(FIXTURES, corpora["content"])  # a snapshot: edits during the run change nothing
        generated, edits = {}, {}
        for size in sizes:
            corpora[str(size)] = scratch / f"generated-{size}"
            generated[size] = generated_corpus(size, corpora[str(size)], args.seed, corpora["content"] / "policy")
            edits[size] = edit_plan(corpora[str(size)])
        log(f"corpora {', '.join(map(str, sizes))} in {scratch}; Prefect {env['PREFECT_API_URL']}, "
            f"LanguageTool {lt_url}")

        # Untimed: a first flow run on the Prefect server, and LanguageTool's JVM (a full pass or two to warm up).
        warmup = {"flow": run_child(["review", "--mode", "flow", "--content", str(corpora["content"])], env,
                                    Path(tempfile.mkdtemp(dir=scratch)), scratch)["process_s"]}
        if args.grammar_sizes:
            warmup["languagetool"] = run_child(["raw", "--content", str(corpora[str(args.grammar_sizes[0])])], env,
                                               Path(tempfile.mkdtemp(dir=scratch)), scratch)["process_s"]
        log(f"warm-up (untimed): {warmup}")

        chains: dict[tuple[int, bool, str], list[dict[str, dict[str, Any]]]] = {}
        raw_runs: dict[int, list[dict[str, Any]]] = {size: [] for size in args.grammar_sizes}
        once_runs: dict[int, list[dict[str, Any]]] = {size: [] for size in args.grammar_sizes}
        for repeat in range(args.repeat):
            order = MODES if repeat % 2 == 0 else MODES[::-1]  # alternate which mode goes first
            for size in sizes:
                for grammar in (False, True) if size in args.grammar_sizes else (False,):
                    if grammar:
                        raw_runs[size].append(run_child(["raw", "--content", str(corpora[str(size)])], env,
                                                        Path(tempfile.mkdtemp(dir=scratch)), scratch))
                        once_runs[size].append(run_child(["raw", "--once", "--content", str(corpora[str(size)])], env,
                                                         Path(tempfile.mkdtemp(dir=scratch)), scratch))
                        log(f"  {size} raw LanguageTool, repeat {repeat + 1}: {raw_runs[size][-1]['review_s']:.3f} s; "
                            f"each paragraph once: {once_runs[size][-1]['review_s']:.3f} s")
                    for mode in order:
                        chain = run_chain(mode, corpora[str(size)], grammar, edits[size], env, scratch)
                        chains.setdefault((size, grammar, mode), []).append(chain)
                        log(f"  {size} {'grammar' if grammar else 'no grammar'} {mode}, repeat {repeat + 1}: "
                            + ", ".join(f"{step} {r['review_s']:.3f} s" for step, r in chain.items()))

        rows = []
        for grammar in (False, True):
            for step in CHAIN:
                for size in sizes:
                    if (size, grammar, "flow") in chains:
                        rows.append({"posts": size, "case": step, "grammar": grammar,
                                     **{m: summarize([c[step] for c in chains[(size, grammar, m)]]) for m in MODES}})
        raw = {size: {**_raw_summary(runs), "once": _raw_summary(once_runs[size])} for size, runs in raw_runs.items()}
        editor = []
        for name in editor_sizes:
            for grammar in (False, True):
                editor.append(editor_loop(name, corpora[name], grammar, args.editor_repeat, env, scratch))
                log(f"  editor loop {name} grammar {'on' if grammar else 'off'}: {editor[-1]['median_s']:.3f} s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if lt_server is not None:
            lt_server.stop()

    return {
        "machine": {**machine_info(), "loadavg_at_start": load_before},
        "medpress_code": code,
        "settings": {"command": command, "settle": {"idle": SETTLE_IDLE, "limit_s": SETTLE_LIMIT_S},
                     "output": _shown(args.output),
                     "sizes": args.sizes, "grammar_sizes": args.grammar_sizes, "repeat": args.repeat,
                     "editor_sizes": editor_sizes, "editor_repeat": args.editor_repeat, "seed": args.seed,
                     "prefect_api_url": env["PREFECT_API_URL"], "languagetool_url": lt_url,
                     "languagetool_started_here": lt_server is not None},
        "generated": generated, "edits": edits, "warmup_process_s": warmup,
        "rows": rows, "raw_languagetool": raw, "editor_loop": editor,
    }


def evaluate(results: dict[str, Any]) -> None:
    """The targets and the sanity problems of ``results`` (also of a file read back: its keys are strings)."""
    raw = {int(size): row for size, row in results["raw_languagetool"].items()}
    results["targets"] = targets(results["rows"], raw, results["editor_loop"], max(results["settings"]["sizes"]))
    results["sanity_problems"] = sanity(results["rows"])


def main(argv: list[str] | None = None) -> int:
    global SETTLE_LIMIT_S
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=_sizes, default=[100, 200, 500, 1000])
    parser.add_argument("--grammar-sizes", type=_sizes, default=None,
                        help="sizes also run with grammar on, among --sizes (default: 200 and 1000 when there)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--editor-sizes", default=None,
                        help="blogs for the editor loop: 'content' and/or sizes (default: content and the largest)")
    parser.add_argument("--editor-repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "scale.json",
                        help="JSON results; the Markdown tables go beside it (.md)")
    parser.add_argument("--compare", type=Path, default=None, help="an earlier scale.json: exit 1 on a regression")
    parser.add_argument("--update-docs", action="store_true",
                        help="put the tables between docs/benchmarks.md's markers")
    parser.add_argument("--render", type=Path, default=None, metavar="JSON",
                        help="measure nothing: the tables of an earlier run, to its .md (and docs/benchmarks.md)")
    parser.add_argument("--settle-limit", type=float, default=SETTLE_LIMIT_S,
                        help="longest wait, in seconds, for an idle machine before each case (0: none)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    SETTLE_LIMIT_S = args.settle_limit
    if args.grammar_sizes is None:
        args.grammar_sizes = [s for s in (200, 1000) if s in args.sizes]
    if set(args.grammar_sizes) - set(args.sizes):
        parser.error("--grammar-sizes must be among --sizes")
    editor_sizes = (args.editor_sizes or f"content,{args.sizes[-1]}").split(",")
    if any(s != "content" and (not s.isdigit() or int(s) not in args.sizes) for s in editor_sizes):
        parser.error("--editor-sizes: 'content' or one of the sizes")
    if args.repeat < 1 or args.editor_repeat < 1:
        parser.error("--repeat and --editor-repeat must be at least 1")

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    if args.render:
        results = json.loads(args.render.read_text(encoding="utf-8"))
        output = args.render
    else:
        # Here, not at import (the tests import this module): Prefect's quiet settings reach every child's environment.
        import quiet_prefect  # noqa: F401

        results = measure(args, editor_sizes, shlex.join(["bench/scale.py", *(sys.argv[1:] if argv is None else argv)]),
                          log)
        output = args.output
    evaluate(results)
    problems = results["sanity_problems"]
    regressions = compare(results, json.loads(args.compare.read_text())) if args.compare else []
    results["regressions"] = regressions
    table = markdown(results)
    output.parent.mkdir(parents=True, exist_ok=True)  # --render: the same measurements, evaluated again
    output.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    output.with_suffix(".md").write_text(table, encoding="utf-8")
    if args.update_docs:
        update_docs(table)
    print(table)
    for title, items in (("SANITY PROBLEMS", problems), (f"REGRESSIONS against {args.compare}", regressions)):
        if items:
            print(f"{title}:\n" + "\n".join(f"- {item}" for item in items))
    print(f"results: {output} and {output.with_suffix('.md')}")
    return 1 if problems or regressions else 0


if __name__ == "__main__":
    raise SystemExit(main())

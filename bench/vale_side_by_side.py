"""medpress beside Vale on the same generated blog (issue 21): alternating runs, medians, wall and CPU time.

    .venv/bin/python bench/vale_side_by_side.py [--posts 1000] [--pairs 3] [--out bench/results/vale-side-by-side.md]
        [--cases "edited post,one post"] [--baseline-tree /path/to/other/checkout]

Vale v3.19.0 (installed with `go install` when it is not on PATH or in ~/go/bin) runs the clinic style in
bench/vale/ (approval, off-label, absolutes, comparatives as regex rules, a readability metric, spelling with the
clinic's vocabulary, brand names, repetition, the disclaimer). Three cases, each pair in alternating order:
  blog          review every post of the blog, nothing cached, no grammar (medpress's default engine);
  edited post   one post edited in that blog, medpress's cache warm (the editor's loop), no grammar;
  one post      that post with --no-cache.
``--cases`` runs only the named cases (the one-post cases alone skip the costly cold blog run).
``--baseline-tree`` also runs medpress from another checkout of the same repository (its code first on PYTHONPATH,
with this venv), in the same alternating order, e.g. main beside a branch: a column of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VALE_CONFIG = ROOT / "bench" / "vale" / ".vale.ini"
VALE_MODULE = "github.com/errata-ai/vale/v3/cmd/vale@v3.19.0"  # later releases moved the module path


def vale_binary() -> str:
    found = shutil.which("vale") or (Path.home() / "go" / "bin" / "vale")
    if not Path(found).exists():
        subprocess.run(["go", "install", VALE_MODULE], check=True)
    return str(found)


CASES = ("blog", "edited post", "one post")


def _env(tree: Path | None) -> dict[str, str] | None:
    """The environment that runs medpress from ``tree`` (None: as installed, or as PYTHONPATH says now)."""
    return None if tree is None else {**os.environ, "PYTHONPATH": str(tree.resolve())}


def _commit(tree: Path) -> str:
    done = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or tree.name


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one command (its children included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: findings (both tools)
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def rule_counts(vale: str) -> tuple[int, int]:
    rules = json.loads(subprocess.run([str(BIN / "medpress"), "rules", "--format", "json"], capture_output=True,
                                      text=True, check=True).stdout)
    return len(rules), len(list((VALE_CONFIG.parent / "styles" / "Clinic").glob("*.yml")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown table here too")
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, of: {', '.join(CASES)}")
    parser.add_argument("--baseline-tree", type=Path, default=None,
                        help="another checkout whose medpress runs beside this one (e.g. main)")
    args = parser.parse_args()
    wanted = [name.strip() for name in args.cases.split(",") if name.strip()]
    if unknown := [name for name in wanted if name not in CASES]:
        parser.error(f"unknown case(s) {', '.join(unknown)}: use {', '.join(CASES)}")
    vale = vale_binary()
    version = subprocess.run([vale, "--version"], capture_output=True, text=True).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="vale-bench-"))
    blog = work / "content"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), str(args.posts), str(blog), "--seed", "0"],
                   check=True, capture_output=True)
    post = sorted((blog / "posts").glob("*.md"))[args.posts // 2]
    medpress = [str(BIN / "medpress"), "review", "--content", str(blog), "--no-grammar", "--output",
                str(work / "review.json"), "--fail-on", "never"]
    vale_run = [vale, "--config", str(VALE_CONFIG), "--output", "line"]
    trees = {"medpress": None} if args.baseline_tree is None else {
        f"medpress ({_commit(ROOT)})": None, f"medpress ({_commit(args.baseline_tree)})": args.baseline_tree}
    subprocess.run([str(BIN / "medpress"), "server", "start"], check=True, capture_output=True)
    if "edited post" in wanted:
        for tree in trees.values():  # fills each one's cache for the editor's loop
            subprocess.run(medpress, cwd=work, capture_output=True, env=_env(tree))
    cases = {
        "blog": ([*medpress, "--no-cache"], [*vale_run, str(blog / "posts")]),
        "edited post": ([*medpress, str(post)], [*vale_run, str(post)]),
        "one post": ([*medpress, str(post), "--no-cache"], [*vale_run, str(post)]),
    }
    loads = [os.getloadavg()[0]]
    results: dict[str, dict[str, list[tuple[float, float]]]] = {}
    edits = 0
    for name in wanted:
        ours, theirs = cases[name]
        runs: dict[str, list[tuple[float, float]]] = {tool: [] for tool in [*trees, "vale"]}
        for pair in range(args.pairs):
            order = [*trees, "vale"] if pair % 2 == 0 else ["vale", *reversed(trees)]
            for tool in order:
                if tool == "vale":
                    runs[tool].append(timed(theirs, work))
                    continue
                if name == "edited post":  # a real edit: the post's bytes change before each medpress run
                    edits += 1
                    with post.open("a") as handle:
                        handle.write(f"\nOne more short line, edit {edits}.\n")
                runs[tool].append(timed(ours, work, _env(trees[tool])))
            loads.append(os.getloadavg()[0])
        results[name] = runs
    ours_rules, vale_rules = rule_counts(vale)
    table = render(results, args, version, ours_rules, vale_rules, loads)
    print(table)
    if args.out:
        args.out.write_text(table)
    shutil.rmtree(work, ignore_errors=True)
    return 0


def render(results: dict[str, dict[str, list[tuple[float, float]]]], args: argparse.Namespace, version: str,
           ours_rules: int, vale_rules: int, loads: list[float]) -> str:
    lines = [f"# medpress beside Vale: {args.posts} generated posts (seed 0), {args.pairs} alternating pairs",
             "",
             f"Vale {VALE_MODULE.split('@')[1]} (`go install`; it reports '{version.split()[-1]}') with bench/vale "
             f"({vale_rules} rules); medpress with {ours_rules} rules; "
             f"no grammar. Load average during the run: {min(loads):.1f} to {max(loads):.1f} on "
             f"{os.cpu_count()} cores. Medians. CPU is user + system of the process and the children it waited for: "
             "medpress's worker processes, ended by their pool, are not all counted, so read the wall times.",
             "",
             "| case | medpress wall | Vale wall | ratio (wall) | medpress CPU | Vale CPU | ratio (CPU) "
             "| pairs (wall) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, runs in results.items():
        theirs = [w for w, _ in runs["vale"]]
        theirs_cpu = statistics.median(c for _, c in runs["vale"])
        for tool in [t for t in runs if t != "vale"]:
            ours = [w for w, _ in runs[tool]]
            ours_cpu = statistics.median(c for _, c in runs[tool])
            pairs = ", ".join(f"{o / t:.2f}" for o, t in zip(ours, theirs, strict=True))
            label = name if tool == "medpress" else f"{name}, {tool}"
            lines.append(f"| {label} | {statistics.median(ours):.2f} s | {statistics.median(theirs):.2f} s | "
                         f"{statistics.median(ours) / statistics.median(theirs):.2f}x | {ours_cpu:.2f} s | "
                         f"{theirs_cpu:.2f} s | {ours_cpu / max(theirs_cpu, 1e-9):.2f}x | {pairs} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())

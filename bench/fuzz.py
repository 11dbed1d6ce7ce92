"""Fuzz the review (issue 14, "Must show"): generated posts through `medpress review`, a wall-clock bound per batch.

    .venv/bin/python bench/fuzz.py [--posts 10000] [--batch 100] [--seed 14] [--budget 20] [--batch-bound 300]
                                   [--engine direct|prefect] [--slow-cap N] [--output bench/results/fuzz]

Posts come from bench/fuzz_posts.py (Hypothesis strategies: front matter variants, Markdown, raw HTML, Unicode and
pathological runs up to the post size limit), ``--batch`` at a time, each batch drawn from its own seed
(``seed * 100000 + batch``), so a run is reproducible and a batch can be drawn again alone (``--only-batch``).

Per batch:

1. **Probe**: each post's per-post checks (parse, summarize, per-post checks, checks across posts on a one-post
   corpus; not grammar's paragraphs: the reviews run without grammar) in a worker process, timed, with a per-post
   watchdog: a post still running after ``--probe-limit`` seconds (default 1.5 x budget) is killed and counted as
   over its budget. The probe bypasses any budget the review applies: it measures what the post costs, and gives the
   traceback of a crash.
2. **Review**: `medpress review --content BATCH --no-grammar --no-cache --engine ENGINE` with every report format,
   in its own process group, killed after ``--batch-bound`` seconds. Posts the probe killed are held out of it
   and reviewed alone instead, each bounded by ``--single-bound`` seconds, so one post that hangs cannot take the
   batch with it; so are posts whose probe crashed outside the check step's own error handling (in the checks
   across posts), which would stop the batch's review. A batch that still crashes or overruns is bisected down
   to the posts that do it alone.
3. **Checks**: the exit status is 0 or 1 (never 2, 3 or a traceback); every post is in the JSON report; no FM014
   "medpress failed while checking this file" (the internal-error finding of flows/engine/check_posts.py); every post
   the probe found over ``--budget`` seconds has the time-budget finding (rule ``--budget-rule``, FM015, or a
   message about the time budget), and every run stays under its bound.

Then each distinct failure is shrunk (pieces, then run lengths, then lines and characters) to a small post that
still fails the same way, given as a Python expression. Writes ``OUTPUT.json`` (everything) and ``OUTPUT.md``
(the table and the reproducers); the failing posts as generated are kept in ``--keep`` (default: a temp folder).
Exit status 1 when anything failed.

``--slow-cap N`` caps the runs issue 14 item 5 already measured as slow (``[``, ``![``, backticks, ``&amp;``) at
N units, for a run against code without a per-post time budget (there each would only cost the probe's limit and
a held-out review's bound).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import fuzz_posts  # noqa: E402
from fuzz_posts import FuzzPost  # noqa: E402

POLICY = ROOT / "content" / "policy"
INTERNAL_ERROR = "medpress failed while checking this file"  # FM014's text for a crash (flows/engine/check_posts.py)
BUDGET_RULE = "FM015"
BUDGET_WORDS = re.compile(r"time budget|over (?:its|the) budget|took longer than|timed out", re.IGNORECASE)
FILE_FORMATS = ("sarif", "junit", "html", "markdown")  # with --output: JSON; every writer runs on fuzzed findings
SHRINK_SLOW_S = 5.0  # a slow post is shrunk to the smallest that still takes this long
MEMORY_LIMIT = 4 << 30  # address space per process we start: a bomb fails there, not on the shared machine


# ---------------------------------------------------------------------------------------------------
# Running medpress


@dataclass
class CliRun:
    returncode: int | None  # None: killed at its bound
    seconds: float
    stdout: str
    stderr: str
    report: dict[str, Any] | None

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    def problems(self) -> list[str]:
        """What is wrong with the run as a whole (not with one post's findings)."""
        found = []
        if self.timed_out:
            found.append(f"over its wall-clock bound (killed after {self.seconds:.0f} s)")
        elif self.returncode not in (0, 1):
            found.append(f"exit status {self.returncode}: {_tail(self.stderr)}")
        if "Traceback (most recent call last)" in self.stderr:
            found.append(f"traceback on stderr: {_tail(self.stderr)}")
        if not self.timed_out and self.returncode in (0, 1) and self.report is None:
            found.append("no JSON report written")
        return found


def _tail(text: str, lines: int = 6) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])[-1200:]


def child_env(cache: Path | None = None) -> dict[str, str]:
    """This checkout's code (PYTHONPATH), quiet Prefect, an own medpress cache when given."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if cache is not None:
        env["MEDPRESS_CACHE"] = str(cache)
    return env


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def medpress_command() -> list[str]:
    script = Path(sys.executable).with_name("medpress")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flows.cli"]


def review_folder(content: Path, output: Path, *, bound: float, engine: str = "direct",
                  formats: Sequence[str] = FILE_FORMATS, extra: Sequence[str] = (),
                  env: dict[str, str] | None = None, policy: Path = POLICY) -> CliRun:
    """`medpress review` on every post of ``content``, killed (its whole process group) after ``bound`` seconds."""
    output.mkdir(parents=True, exist_ok=True)
    report = output / "review.json"
    report.unlink(missing_ok=True)
    command = [*medpress_command(), "review", "--content", str(content), "--policy", str(policy),
               "--engine", engine, "--no-grammar", "--no-cache", "--fail-on", "error", "--output", str(report),
               *extra]
    if formats:
        command += ["--format", ",".join(formats), "--output-dir", str(output / "out")]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=content.parent, env=env or child_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True,
                               preexec_fn=_limit_memory)
    try:
        stdout, stderr = process.communicate(timeout=bound)
        returncode: int | None = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the review and the worker processes it started
        stdout, stderr = process.communicate()
        returncode = None
    seconds = time.perf_counter() - started
    data = None
    if returncode is not None and report.is_file():
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            stderr += f"\n[fuzz] unreadable JSON report: {err}"
    return CliRun(returncode, seconds, stdout, stderr, data)


def write_posts(content: Path, named: Iterable[tuple[str, bytes]]) -> None:
    folder = content / "posts"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, data in named:
        (folder / name).write_bytes(data)


def report_entries(report: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The report's posts by file name."""
    return {Path(str(entry["path"])).name: entry for entry in (report or {}).get("posts", [])}


def internal_errors(entry: dict[str, Any]) -> list[str]:
    return [f["message"] for f in entry.get("findings", []) if f["rule"] == "FM014" and INTERNAL_ERROR in f["message"]]


def has_budget_finding(entry: dict[str, Any] | None, rule: str = BUDGET_RULE) -> bool:
    return entry is not None and any(f["rule"] == rule or BUDGET_WORDS.search(f["message"])
                                     for f in entry.get("findings", []))


# ---------------------------------------------------------------------------------------------------
# The probe: one post's checks, timed, in a worker process with a watchdog


def probe_file(path: Path, policy: Any) -> dict[str, Any]:
    """What the review's check step does with one post without grammar (and the checks across posts, on a corpus
    of it alone)."""
    from checks.corpus import Corpus
    from checks.document import parse_post
    from checks.pipeline import finalize, review_corpus, review_post, summarize

    data = path.read_bytes()
    rel = f"posts/{path.name}"
    stages: dict[str, float] = {}
    stage = "parse"
    mark = started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark, stage
        now = time.perf_counter()
        stages[stage] = round(now - mark, 4)
        mark, stage = now, name

    try:
        post = parse_post(rel, data, display_path=rel, max_bytes=policy.frontmatter.max_bytes)
        lap("summarize")
        summary = summarize(post, policy)
        lap("review_post")
        result = review_post(post, policy)
        lap("review_corpus")
        cross = review_corpus(Corpus([summary], frozenset({rel})), policy)
        lap("finalize")
        finalize(summary, [*result.findings, *cross.findings.get(rel, [])], policy)
        lap("done")
        error = None
    except Exception as err:  # the point: report it, with where it happened
        error = {"stage": stage, "type": type(err).__name__, "message": str(err)[:500],
                 "traceback": traceback.format_exc()[-4000:]}
    return {"seconds": round(time.perf_counter() - started, 4), "stages": stages, "error": error}


def probe_worker(policy_dir: Path) -> None:
    """Read post paths from stdin, answer each with a JSON line (``--probe-worker``)."""
    import warnings

    from flows.store.policy_files import load_policy

    warnings.simplefilter("ignore")  # BeautifulSoup's hints about odd markup are not findings
    policy = load_policy(policy_dir)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        print(json.dumps(probe_file(Path(line.rstrip("\n")), policy)), flush=True)


class Prober:
    """A probe worker process, restarted after a post it had to kill."""

    def __init__(self, policy_dir: Path = POLICY, env: dict[str, str] | None = None) -> None:
        self.policy_dir = policy_dir
        self.env = env or child_env()
        self.process: subprocess.Popen[str] | None = None
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - the workers' stderr, for the prober's life
        self.restarts = 0

    def _start(self) -> subprocess.Popen[str]:
        process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--probe-worker",
                                    "--policy", str(self.policy_dir)], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=self.log, text=True, env=self.env,
                                   preexec_fn=_limit_memory)
        self.process = process
        answer = self._answer(process, 120.0)
        if answer is None or not answer.get("ready"):
            self.stop()
            raise RuntimeError(f"the probe worker did not start: {self._log_tail()}")
        return process

    def _answer(self, process: subprocess.Popen[str], limit: float) -> dict[str, Any] | None:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], limit)
        if not ready:
            return None
        line = process.stdout.readline()
        return json.loads(line) if line else {"died": process.wait()}

    def _log_tail(self) -> str:
        self.log.seek(0)
        return _tail(self.log.read())

    def probe(self, path: Path, limit: float) -> dict[str, Any]:
        """The probe of ``path``; ``{"killed": True}`` when it ran past ``limit`` seconds."""
        process = self.process if self.process is not None and self.process.poll() is None else self._start()
        assert process.stdin is not None
        started = time.perf_counter()
        process.stdin.write(f"{path}\n")
        process.stdin.flush()
        answer = self._answer(process, limit)
        if answer is None:
            self.stop()
            self.restarts += 1
            return {"seconds": round(time.perf_counter() - started, 2), "killed": True, "error": None}
        if "died" in answer:
            self.process = None
            self.restarts += 1
            return {"seconds": round(time.perf_counter() - started, 2), "error": {
                "stage": "?", "type": "ProbeWorkerDied", "message": f"exit status {answer['died']}: "
                                                                    f"{self._log_tail()}", "traceback": ""}}
        return answer

    def close(self) -> None:
        self.stop()
        self.log.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # the worker we started (by its Popen handle)
            self.process.wait()
            self.process = None


# ---------------------------------------------------------------------------------------------------
# A batch


@dataclass
class Case:
    id: str
    post: FuzzPost
    data: bytes
    probe: dict[str, Any] = field(default_factory=dict)
    entry: dict[str, Any] | None = None  # the post's entry in the JSON report
    reviewed: str = "batch"  # batch | alone | not reviewed
    problems: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.id}.md"

    @property
    def probe_seconds(self) -> float:
        return float(self.probe.get("seconds", 0.0))

    @property
    def killed(self) -> bool:
        return bool(self.probe.get("killed"))


@dataclass
class Settings:
    budget: float = 20.0
    budget_rule: str = BUDGET_RULE
    probe_limit: float = 30.0
    batch_bound: float = 300.0
    single_bound: float = 90.0
    engine: str = "direct"
    formats: tuple[str, ...] = FILE_FORMATS
    extra: tuple[str, ...] = ()
    hold_out: bool = True
    env: dict[str, str] | None = None  # the children's environment (default: child_env())


@dataclass
class BatchResult:
    cases: list[Case]
    runs: list[dict[str, Any]]  # each CLI run: posts, seconds, exit status, problems
    problems: list[str]  # batch-level problems no single post explains
    seconds: float


def run_batch(cases: list[Case], work: Path, settings: Settings, prober: Prober | None,
              probed: dict[str, dict[str, Any]] | None = None) -> BatchResult:
    """Probe, review and check one batch (see the module's doc)."""
    started = time.perf_counter()
    content = work / "content"
    probe_dir = work / "probe"
    probe_dir.mkdir(parents=True, exist_ok=True)
    if prober is not None:
        for case in cases:
            digest = hashlib.sha256(case.data).hexdigest()
            if probed is not None and digest in probed:
                case.probe = probed[digest]
                continue
            path = probe_dir / case.name
            path.write_bytes(case.data)
            case.probe = prober.probe(path, settings.probe_limit)
            path.unlink()
            if probed is not None:
                probed[digest] = case.probe
    held = [c for c in cases if c.killed or _fails_outside_check_step(c)] if settings.hold_out else []
    batch = [c for c in cases if c not in held]
    runs: list[dict[str, Any]] = []
    problems: list[str] = []

    def review(group: list[Case], bound: float, how: str) -> CliRun:
        write_posts(content, ((c.name, c.data) for c in group))
        run = review_folder(content, work / "out", bound=bound, engine=settings.engine, formats=settings.formats,
                            extra=settings.extra, env=settings.env)
        runs.append({"how": how, "posts": len(group), "seconds": round(run.seconds, 2),
                     "exit": run.returncode, "problems": run.problems()})
        entries = report_entries(run.report)
        for case in group:
            case.entry = entries.get(case.name, case.entry)
        return run

    if batch:
        run = review(batch, settings.batch_bound, "batch")
        if run.problems():
            culprits = _bisect(batch, lambda group: bool(review(group, settings.batch_bound, "bisect").problems()),
                               settings.batch_bound * 8)
            for case in culprits:
                case.problems.extend(f"reviewed alone: {p}" for p in review([case], settings.single_bound,
                                                                              "alone").problems())
            if not culprits:
                problems.extend(f"batch: {p} (no single post does it alone)" for p in run.problems())
    for case in held:
        case.reviewed = "alone"
        run = review([case], settings.single_bound, "held out, alone")
        case.problems.extend(f"reviewed alone: {p}" for p in run.problems())
    for case in cases:
        _check_case(case, settings)
    return BatchResult(cases, runs, problems, time.perf_counter() - started)


OUTSIDE_CHECK_STEP = frozenset({"review_corpus", "finalize", "?"})  # not under check_sources' own try


def _fails_outside_check_step(case: Case) -> bool:
    """The probe crashed where a crash stops the whole review (so the post is reviewed alone)."""
    error = case.probe.get("error")
    return bool(error) and error["stage"] in OUTSIDE_CHECK_STEP


def _bisect(cases: list[Case], fails: Callable[[list[Case]], bool], give_up_after: float) -> list[Case]:
    """The posts that fail alone, found by halving (the whole group is known to fail)."""
    deadline = time.perf_counter() + give_up_after
    found: list[Case] = []
    todo = [cases]
    while todo and time.perf_counter() < deadline:
        group = todo.pop()
        if len(group) == 1:
            found.append(group[0])
            continue
        middle = len(group) // 2
        for half in (group[:middle], group[middle:]):
            if fails(half):
                todo.append(half)
    return found


def _check_case(case: Case, settings: Settings) -> None:
    entry = case.entry
    if entry is None:
        case.problems.append("missing from the JSON report")
        return
    case.problems.extend(f"internal error: {message}" for message in internal_errors(entry))
    over = case.killed or case.probe_seconds > settings.budget
    if over and not has_budget_finding(entry, settings.budget_rule):
        case.problems.append(f"over the {settings.budget:g} s budget (probe: "
                             f"{'killed after ' if case.killed else ''}{case.probe_seconds:.1f} s) without its "
                             "time-budget finding")


# ---------------------------------------------------------------------------------------------------
# Shrinking a failure to a small reproducer


def ddmin(units: list[Any], fails: Callable[[list[Any]], bool], deadline: float) -> list[Any]:
    """A smaller list of ``units`` that still ``fails`` (delta debugging, complements only)."""
    chunks = 2
    while len(units) >= 2 and time.perf_counter() < deadline:
        size = -(-len(units) // chunks)
        for start in range(0, len(units), size):
            candidate = units[:start] + units[start + size :]
            if candidate and fails(candidate):
                units, chunks = candidate, max(chunks - 1, 2)
                break
        else:
            if chunks >= len(units):
                break
            chunks = min(len(units), chunks * 2)
    return units


def shrink(post: FuzzPost, fails: Callable[[bytes], bool], seconds: float, fine: bool = True) -> bytes:
    """The smallest post found in ``seconds`` that still ``fails``: whole pieces, then run lengths, then (when
    ``fine``) lines and characters."""
    deadline = time.perf_counter() + seconds
    plain = FuzzPost(post.pieces)
    if plain.data() != post.data() and fails(plain.data()):
        post = plain
    pieces = ddmin(list(post.pieces), lambda ps: fails(post.with_pieces(tuple(ps)).data()), deadline)
    post = post.with_pieces(tuple(pieces))
    for index, piece in enumerate(post.pieces):
        if piece.remake is None or piece.count <= 1:
            continue
        low, high = 0, piece.count  # the smallest count that still fails, by bisection
        while high - low > 1 and time.perf_counter() < deadline:
            middle = (low + high) // 2
            candidate = post.with_pieces((*post.pieces[:index], piece.remake(middle), *post.pieces[index + 1 :]))
            if fails(candidate.data()):
                high = middle
            else:
                low = middle
        post = post.with_pieces((*post.pieces[:index], piece.remake(high), *post.pieces[index + 1 :]))
    data = post.data()
    if not fine or post.encoding != "utf-8":
        return data
    text = data.decode("utf-8")
    lines = ddmin(text.splitlines(keepends=True), lambda ls: fails("".join(ls).encode()), deadline)
    text = "".join(lines)
    if len(text) <= 4000:
        text = "".join(ddmin(list(text), lambda cs: fails("".join(cs).encode()), deadline))
    return text.encode("utf-8")


_REPEAT = re.compile(r"(.{1,12}?)\1{15,}", re.DOTALL)


def as_python(data: bytes) -> str:
    """A Python expression for ``data``: repeats written as ``'unit' * n``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return repr(data) if len(data) < 3000 else f"{data[:3000]!r}  # ... {len(data):,} bytes"
    parts: list[str] = []
    position = 0
    for match in _REPEAT.finditer(text):
        if match.start() > position:
            parts.append(repr(text[position : match.start()]))
        unit = match.group(1)
        parts.append(f"{unit!r} * {len(match.group(0)) // len(unit)}")
        position = match.start() + len(match.group(0)) // len(unit) * len(unit)
    if position < len(text):
        parts.append(repr(text[position:]))
    expression = " + ".join(parts) or "''"
    return expression if len(expression) < 6000 else expression[:6000] + f"  # ... ({len(text):,} characters)"


_INTERNAL = re.compile(r"^(internal error: ).*?\((\w+):.*", re.DOTALL)


def signature(case: Case) -> str:
    """What kind of failure: one reproducer per signature."""
    error = case.probe.get("error")
    kinds = sorted({re.sub(r"\d[\d,.]*", "N", _INTERNAL.sub(r"\1\2", p.split(";")[0]))[:120] for p in case.problems})
    if error:
        kinds.append(f"probe {error['type']} in {error['stage']}: {re.sub(r'[0-9]+', 'N', error['message'])[:80]}")
    if case.killed or any("budget" in p for p in case.problems):
        kinds.append("slow: " + (_slow_piece(case) or "?"))
    return " / ".join(kinds)


def _slow_piece(case: Case) -> str:
    runs = [p for p in case.post.pieces if p.count > 1]
    return re.sub(r"\d+", "n", max(runs, key=lambda p: len(p.text)).kind) if runs else ""


def reproduce(case: Case, settings: Settings, prober: Prober, work: Path, seconds: float) -> dict[str, Any]:
    """Shrink ``case`` to a small post failing the same way."""
    error = case.probe.get("error")
    slow = case.killed or any("budget" in p for p in case.problems)
    if error:
        def fails(data: bytes) -> bool:
            answer = _probe_bytes(prober, work, data, 10.0)
            got = answer.get("error")
            return bool(got) and (got["type"], got["stage"]) == (error["type"], error["stage"])
        what = f"probe: {error['type']} in {error['stage']}: {error['message']}"
    elif slow:  # shrunk to the smallest post over a few seconds: each try of a slow one costs that long
        threshold = min(settings.budget, SHRINK_SLOW_S)

        def fails(data: bytes) -> bool:
            answer = _probe_bytes(prober, work, data, threshold + 1)
            return bool(answer.get("killed")) or float(answer.get("seconds", 0)) > threshold
        what = (f"{'killed after ' if case.killed else ''}{case.probe_seconds:.1f} s in the per-post checks; shrunk "
                f"to the smallest post over {threshold:g} s")
    else:
        def fails(data: bytes) -> bool:
            write_posts(work / "content", [("repro.md", data)])
            run = review_folder(work / "content", work / "out", bound=settings.single_bound, engine=settings.engine,
                                formats=settings.formats, extra=settings.extra, env=settings.env)
            entry = report_entries(run.report).get("repro.md")
            return bool(run.problems()) or entry is None or bool(internal_errors(entry))
        what = "; ".join(case.problems)
    started = time.perf_counter()
    data = shrink(case.post, fails, seconds, fine=not slow)
    answer = _probe_bytes(prober, work, data, settings.probe_limit)
    return {"what": what, "bytes": len(data), "python": as_python(data), "shrink_seconds":
            round(time.perf_counter() - started, 1), "probe_seconds": answer.get("seconds"),
            "traceback": (answer.get("error") or {}).get("traceback", "")}


def _probe_bytes(prober: Prober, work: Path, data: bytes, limit: float) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    path = work / "shrink.md"
    path.write_bytes(data)
    return prober.probe(path, limit)


# ---------------------------------------------------------------------------------------------------
# The run and its summary


def summarize_run(results: list[BatchResult], settings: Settings, meta: dict[str, Any]) -> dict[str, Any]:
    cases = [case for result in results for case in result.cases]
    over = [c for c in cases if c.killed or c.probe_seconds > settings.budget]
    with_finding = [c for c in over if has_budget_finding(c.entry, settings.budget_rule)]
    flagged = [c for c in cases if has_budget_finding(c.entry, settings.budget_rule)]
    runs = [run for result in results for run in result.runs]
    failed = [c for c in cases if c.problems or c.probe.get("error")]
    slowest = sorted(cases, key=lambda c: c.probe_seconds, reverse=True)[:20]
    return {
        **meta,
        "settings": {k: v for k, v in vars(settings).items()},
        "posts": len(cases),
        "distinct_posts": len({hashlib.sha256(c.data).hexdigest() for c in cases}),
        "bytes": sum(len(c.data) for c in cases),
        "largest_post_bytes": max((len(c.data) for c in cases), default=0),
        "batches": len(results),
        "cli_runs": len(runs),
        "crashes": sum(1 for run in runs if run["exit"] not in (0, 1, None)
                       or any("traceback" in p for p in run["problems"])),
        "runs_over_bound": sum(1 for run in runs if run["exit"] is None),
        "internal_errors": sum(1 for c in cases if any(p.startswith("internal error") for p in c.problems)),
        "missing_from_report": sum(1 for c in cases if "missing from the JSON report" in c.problems),
        "probe_crashes": sum(1 for c in cases if c.probe.get("error")),
        "over_budget": len(over),
        "over_budget_with_finding": len(with_finding),
        "over_budget_without_finding": len(over) - len(with_finding),
        "budget_findings": len(flagged),
        "budget_findings_under_half_budget": sum(1 for c in flagged if not c.killed
                                                 and c.probe_seconds < settings.budget / 2),
        "reviewed_alone": sum(1 for c in cases if c.reviewed == "alone"),
        "batch_problems": [p for result in results for p in result.problems],
        "slowest_batch_seconds": round(max((r.seconds for r in results), default=0.0), 1),
        "slowest_cli_run_seconds": round(max((run["seconds"] for run in runs), default=0.0), 1),
        "slowest_posts": [{"id": c.id, "probe_seconds": c.probe_seconds, "killed": c.killed, "bytes": len(c.data),
                           "budget_finding": has_budget_finding(c.entry, settings.budget_rule),
                           "recipe": c.post.recipe()[:300]} for c in slowest],
        "failures": [{"id": c.id, "problems": c.problems, "probe_error": c.probe.get("error"),
                      "probe_seconds": c.probe_seconds, "killed": c.killed, "bytes": len(c.data),
                      "recipe": c.post.recipe()[:500], "signature": signature(c)} for c in failed],
    }


def render_markdown(summary: dict[str, Any]) -> str:
    rows = [("posts (distinct)", f"{summary['posts']:,} ({summary['distinct_posts']:,})"),
            ("batches, CLI runs", f"{summary['batches']}, {summary['cli_runs']}"),
            ("crashes (exit not 0/1, traceback)", summary["crashes"]),
            ("runs over their wall-clock bound", summary["runs_over_bound"]),
            ("internal errors (FM014 'medpress failed...')", summary["internal_errors"]),
            ("posts missing from the report", summary["missing_from_report"]),
            ("probe crashes (per-post checks raised)", summary["probe_crashes"]),
            (f"posts over the {summary['settings']['budget']:g} s budget", summary["over_budget"]),
            ("... with their time-budget finding", summary["over_budget_with_finding"]),
            ("... without it", summary["over_budget_without_finding"]),
            ("time-budget findings (under half the budget)",
             f"{summary['budget_findings']} ({summary['budget_findings_under_half_budget']})"),
            ("posts reviewed alone (held out)", summary["reviewed_alone"]),
            ("slowest batch / CLI run",
             f"{summary['slowest_batch_seconds']} s / {summary['slowest_cli_run_seconds']} s"),
            ("total time", f"{summary['total_seconds']:.0f} s"),
            ("code", summary.get("commit", "?"))]
    out = [f"# Fuzz run: {summary['posts']:,} generated posts (seed {summary['seed']})", "",
           f"`{summary['command']}` on {summary['date']}.", "", "| | |", "| --- | ---: |",
           *(f"| {name} | {value} |" for name, value in rows), "", "## Slowest posts (probe)", "",
           "| post | seconds | budget finding | bytes | what |", "| --- | ---: | --- | ---: | --- |"]
    out += [f"| {p['id']} | {'killed at ' if p['killed'] else ''}{p['probe_seconds']} | {p['budget_finding']} | "
            f"{p['bytes']:,} | {_cell(p['recipe'][:160])} |" for p in summary["slowest_posts"][:10]]
    if summary["batch_problems"]:
        out += ["", "## Batch problems", "", *(f"- {_cell(p)}" for p in summary["batch_problems"])]
    if summary.get("reproducers"):
        out += ["", "## Failures, shrunk", ""]
        for item in summary["reproducers"]:
            out += [f"### {item['signature']}", "", f"{item['count']} post(s), e.g. {item['example']}; "
                    f"{_cell(item['what'])}", "", "```python", item["python"], "```", ""]
            if item.get("traceback"):
                out += ["```", item["traceback"].strip()[-1500:], "```", ""]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--only-batch", type=int, default=None, help="draw and run this batch alone")
    parser.add_argument("--budget", type=float, default=20.0, help="the per-post time budget, seconds")
    parser.add_argument("--budget-rule", default=BUDGET_RULE)
    parser.add_argument("--probe-limit", type=float, default=None, help="default: 1.5 x budget")
    parser.add_argument("--batch-bound", type=float, default=300.0, help="wall-clock bound of a batch's review")
    parser.add_argument("--single-bound", type=float, default=None, help="a post reviewed alone; default: "
                                                                           "budget x 2 + 40")
    parser.add_argument("--engine", choices=("direct", "prefect"), default="direct")
    parser.add_argument("--formats", default=",".join(FILE_FORMATS), help="report files written (empty: JSON only)")
    parser.add_argument("--review-arg", action="append", default=[], help="extra `medpress review` argument")
    parser.add_argument("--slow-cap", type=int, default=None, help="cap the known slow runs at this many units")
    parser.add_argument("--cap", action="append", default=[], metavar="UNIT=N",
                        help="cap another run unit (or nested:SHAPE) at N units")
    parser.add_argument("--no-hold-out", action="store_true", help="review posts the probe killed in the batch")
    parser.add_argument("--shrink-seconds", type=float, default=120.0, help="per distinct failure (0: no shrinking)")
    parser.add_argument("--output", type=Path, default=BENCH / "results" / "fuzz")
    parser.add_argument("--keep", type=Path, default=None, help="folder for the failing posts (default: temp)")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--probe-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--policy", type=Path, default=POLICY, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe_worker:
        probe_worker(args.policy)
        return 0
    work = Path(tempfile.mkdtemp(prefix="medpress-fuzz-"))
    env = child_env(work / "cache")  # never the user's medpress cache
    settings = Settings(budget=args.budget, budget_rule=args.budget_rule,
                        probe_limit=args.probe_limit or args.budget * 1.5, batch_bound=args.batch_bound,
                        single_bound=args.single_bound or args.budget * 2 + 40, engine=args.engine,
                        formats=tuple(f for f in args.formats.split(",") if f), extra=tuple(args.review_arg),
                        hold_out=not args.no_hold_out, env=env)
    caps = fuzz_posts.known_slow_caps(args.slow_cap) if args.slow_cap is not None else {}
    caps.update({unit.encode().decode("unicode_escape"): int(n) for unit, n in (c.rsplit("=", 1) for c in args.cap)})
    log = (lambda *_: None) if args.quiet else (lambda message: print(message, file=sys.stderr, flush=True))
    keep = args.keep or work / "failing"
    prober = Prober(env=env)
    started = time.perf_counter()
    results: list[BatchResult] = []
    probed: dict[str, dict[str, Any]] = {}
    count = -(-args.posts // args.batch)
    numbers = [args.only_batch] if args.only_batch is not None else list(range(count))
    generation = 0.0
    try:
        for number in numbers:
            size = min(args.batch, args.posts - number * args.batch) if args.only_batch is None else args.batch
            mark = time.perf_counter()
            drawn = fuzz_posts.draw_posts(size, args.seed * 100_000 + number, caps=caps)
            generation += time.perf_counter() - mark
            cases = [Case(f"b{number:04d}-{i:03d}", post, post.data()) for i, post in enumerate(drawn)]
            result = run_batch(cases, work / "batch", settings, prober, probed)
            results.append(result)
            bad = [c for c in cases if c.problems or c.probe.get("error")]
            keep.mkdir(parents=True, exist_ok=True)
            for case in bad:
                (keep / case.name).write_bytes(case.data)
            log(f"batch {number}: {len(cases)} posts in {result.seconds:.1f} s (review "
                f"{', '.join(str(r['seconds']) for r in result.runs)} s), slowest probe "
                f"{max(c.probe_seconds for c in cases):.2f} s, {len(bad)} failing")
        summary = summarize_run(results, settings, {
            "seed": args.seed, "command": " ".join(["bench/fuzz.py", *(argv if argv is not None else sys.argv[1:])]),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": _commit(),
            "slow_cap": args.slow_cap, "caps": caps, "generation_seconds": round(generation, 1), "kept": str(keep)})
        reproducers = []
        if args.shrink_seconds > 0:
            groups: dict[str, list[Case]] = {}
            for case in (c for r in results for c in r.cases if c.problems or c.probe.get("error")):
                groups.setdefault(signature(case), []).append(case)
            for name, group in groups.items():
                example = min(group, key=lambda c: len(c.data))
                log(f"shrinking {example.id} ({len(group)} like it): {name}")
                found = reproduce(example, settings, prober, work / "shrink", args.shrink_seconds)
                reproducers.append({"signature": name, "count": len(group), "example": example.id, **found})
        summary["reproducers"] = reproducers
        summary["total_seconds"] = round(time.perf_counter() - started, 1)
        summary["probe_restarts"] = prober.restarts
    finally:
        prober.close()
        if args.engine == "prefect":
            subprocess.run([*medpress_command(), "server", "stop"], env=env, capture_output=True,
                           check=False, timeout=60)
        for part in ("batch", "cache", "shrink"):
            shutil.rmtree(work / part, ignore_errors=True)
        if not keep.is_relative_to(work) or not keep.exists() or not any(keep.iterdir()):
            shutil.rmtree(work, ignore_errors=True)  # nothing of the run left to look at there
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.with_suffix(".json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    args.output.with_suffix(".md").write_text(render_markdown(summary))
    log(render_markdown(summary))
    failed = summary["failures"] or summary["batch_problems"] or summary["runs_over_bound"]
    return 1 if failed else 0


def _commit() -> str:
    answer = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            check=False)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "checks", "flows", "reports"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return answer.stdout.strip() + ("+dirty" if dirty else "")


if __name__ == "__main__":
    raise SystemExit(main())

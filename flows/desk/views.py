"""What the desk shows, as typed data for its templates: the queue, a post with its findings in place, the
post's ledger history and the diff against its last approved version."""

from __future__ import annotations

import difflib
import itertools
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from checks.document import content_hash_of
from checks.model import Finding, Severity
from flows.engine import ingest
from flows.engine.steps import ReviewOptions, review_with_plan
from flows.publish import signoff
from flows.publish.render import sanitise
from flows.store import ledger
from reports.model import PostReport, ReviewReport

STATES = ("draft", "in review", "approved", "stale", "needs re-review", "published", "orphaned", "unreadable")


@dataclass
class QueueRow:
    path: str  # content-relative: the post page's address
    shown: str  # as reports name it
    slug: str
    title: str
    state: str
    detail: str
    verdict: str  # pass | fail
    counts: dict[str, int]  # check -> findings
    approver: str = ""
    approved_at: str = ""
    last_request: str = ""  # "changes requested by X at T" when that is the post's last desk note


@dataclass
class Desk:
    """One look at the content folder: the review, each post's status and the verified ledger."""

    content_dir: Path
    report: ReviewReport
    statuses: dict[str, signoff.Status]
    state: ledger.Ledger
    rows: list[QueueRow] = field(default_factory=list)

    def post(self, rel: str) -> PostReport | None:
        shown = ingest.display_path(self.content_dir / rel)
        return next((p for p in self.report.posts if p.path == shown), None)


def look(content_dir: Path, grammar: bool) -> Desk:
    """Review the whole folder (the result cache makes an unchanged post cheap) and read every status the way
    `medpress status` does (:func:`flows.publish.signoff.status`)."""
    _, report = review_with_plan(ReviewOptions(content_dir, (), None, grammar))
    state = ledger.read(content_dir)
    statuses = {s.path: s for s in signoff.status(content_dir, state)}
    approvals = state.approvals() if state.sound else {}
    requests = {e.path: e for e in state.events if e.action in ("request-changes", "approve")}
    desk = Desk(content_dir, report, statuses, state)
    for post in report.posts:
        rel = ingest.rel_to_content(content_dir, Path(post.path))
        status = statuses.get(post.path) or signoff.Status(post.path, post.slug, "unreadable")
        approval = approvals.get(rel)
        last = requests.get(rel)
        desk.rows.append(QueueRow(
            rel, post.path, post.slug, post.title or post.slug or rel, status.state, status.detail,
            "fail" if post.failed else "pass", dict(Counter(f.check for f in post.findings)),
            approval.reviewer if approval else "", approval.time if approval else "",
            f"changes requested by {last.reviewer} at {last.time}: {last.note}"
            if last and last.action == "request-changes" else ""))
    return desk


def checks_of(rows: list[QueueRow]) -> list[str]:
    return sorted({check for row in rows for check in row.counts})


def filtered(rows: list[QueueRow], state: str = "", verdict: str = "", check: str = "", q: str = "") -> list[QueueRow]:
    q = q.strip().lower()
    return [r for r in rows if (not state or r.state == state) and (not verdict or r.verdict == verdict)
            and (not check or r.counts.get(check)) and (not q or q in f"{r.title} {r.path} {r.slug}".lower())]


# ------------------------------------------------------------------------------------------------ the post page


@dataclass
class Piece:
    text: str
    marks: tuple[int, ...] = ()  # numbers of the findings whose span covers this text
    severity: str = ""  # the most severe of them


@dataclass
class SourceLine:
    number: int
    pieces: list[Piece]


_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def source_lines(text: str, findings: list[Finding]) -> list[SourceLine]:
    """The Markdown, line by line, cut where findings start and end. A finding's span is the report's own
    (1-based line and column, end exclusive); one with a line but no column covers its whole line."""
    lines = text.split("\n")
    cover: dict[int, list[tuple[int, int, int]]] = {}  # line -> (start, end, finding number)
    for number, item in enumerate(findings, 1):
        if not item.line:
            continue
        start, end = item.line, max(item.line, item.end_line or item.line)
        for line in range(start, min(end, len(lines)) + 1):
            width = len(lines[line - 1]) if line <= len(lines) else 0
            a = (item.column or 1) - 1 if line == start and item.column else 0
            b = (item.end_column - 1) if line == end and item.end_column else width
            if line == start and item.column and not item.end_column and end == start:
                b = width
            a, b = min(max(a, 0), width), min(max(b, a), width)
            cover.setdefault(line, []).append((a, max(b, a + 1) if width else b, number))
    result = []
    for index, line_text in enumerate(lines, 1):
        spans = cover.get(index, [])
        cuts = sorted({0, len(line_text), *(c for a, b, _ in spans for c in (a, min(b, len(line_text))))})
        pieces = []
        for a, b in itertools.pairwise(cuts):
            marks = tuple(n for s, e, n in spans if s <= a and b <= e)
            worst = min((findings[n - 1].severity for n in marks), key=_ORDER.__getitem__, default=None)
            pieces.append(Piece(line_text[a:b], marks, worst.value if worst else ""))
        if not line_text and spans:
            pieces.append(Piece(" ", tuple(n for *_, n in spans), findings[spans[0][2] - 1].severity.value))
        result.append(SourceLine(index, pieces or [Piece("")]))
    return result


def rendered(content_dir: Path, rel: str) -> Markup:
    """The post's body as it will be published: the same Markdown rendering and allow-list sanitising."""
    post = ingest.read_post(content_dir, rel, 10**9)
    return Markup(sanitise(post.html)) if post.readable else Markup("")  # sanitised by nh3 just above


@dataclass
class ClaimRow:
    line: object
    sentence: str
    product: str
    use: str
    kind: str
    kb: str
    source: str
    verdict: str


def claim_rows(post: PostReport) -> list[ClaimRow]:
    """The claims check's table (its own metrics) with the knowledge-base source of each claim."""
    claims = post.metrics.get("claims")
    rows = claims.get("rows") if isinstance(claims, dict) else claims
    if not isinstance(rows, list):
        return []
    return [ClaimRow(r.get("line"), str(r.get("sentence") or ""), str(r.get("product") or ""),
                     str(r.get("use") or ""), str(r.get("kind") or ""), str(r.get("kb") or ""),
                     str(r.get("source") or ""), str(r.get("verdict") or ""))
            for r in rows if isinstance(r, dict)]


def history(state: ledger.Ledger, rel: str) -> list[ledger.Event]:
    return [e for e in state.events if e.path == rel]


@dataclass
class DiffLine:
    kind: str  # add | del | same | hunk
    text: str


def diff_since_approval(content_dir: Path, rel: str, approved_hash: str,
                        limit: int = 200) -> tuple[list[DiffLine], str]:
    """The diff from the last approved version (found in git by its content hash) to the file now, or why
    there is none."""
    folder = content_dir.resolve()
    try:
        top = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, check=True, timeout=30).stdout.strip()
        rel_git = (folder / rel).relative_to(Path(top).resolve()).as_posix()
        commits = subprocess.run(["git", "-C", top, "log", f"-{limit}", "--format=%H", "--", rel_git],
                                 capture_output=True, text=True, check=True, timeout=30).stdout.split()
    except (subprocess.SubprocessError, OSError, ValueError):
        return [], "the content folder is not in git, so the approved version cannot be shown"
    for commit in commits:
        old = subprocess.run(["git", "-C", top, "show", f"{commit}:{rel_git}"], capture_output=True, timeout=30)
        if old.returncode == 0 and content_hash_of(old.stdout) == approved_hash:
            now = (folder / rel).read_bytes().decode("utf-8", "replace").splitlines()
            lines = difflib.unified_diff(old.stdout.decode("utf-8", "replace").splitlines(), now,
                                         f"approved ({commit[:10]})", "now", lineterm="")
            kinds = {"+": "add", "-": "del", "@": "hunk"}
            return [DiffLine(kinds.get(line[:1], "same"), line) for line in lines], ""
    return [], f"the approved version ({approved_hash[:19]}) is not in the last {limit} commits of {rel}"

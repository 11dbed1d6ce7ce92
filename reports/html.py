"""The HTML report: one self-contained file for a human reviewer (inline CSS and JS, no network).

The page is the Jinja2 template ``reports/templates/report.html.j2`` with autoescape on; its CSS and JavaScript
are ``reports/static/report.css`` and ``report.js``, inlined. This module prepares what the template shows (source
lines around each finding, the claims and readability panels) and never builds markup itself. Every piece of
draft text (titles, excerpts, source lines, claims, KB text) is escaped as ``html.escape`` does; a
Content-Security-Policy that only allows the report's own inline script (by hash) backs that up.

Filters: the toolbar's toggle buttons and the URL (``report.html#check=claims&severity=error``, or the same
as a query string; ``filter=`` is an alias of ``check=``) both go through one JS function, ``applyFilter``.
Filtered-out elements carry the ``hidden`` attribute; printing shows everything.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from itertools import pairwise
from typing import Any

import jinja2
from markupsafe import Markup

from checks.grammar import explain_dynamic
from checks.model import Finding, Severity
from checks.registry import AUDIT_RULES, CHECKS, RULES_BY_ID
from reports.model import PostReport, ReviewReport, Waived

SourceOf = Callable[[str], "str | None"]
# Post path (as the report names it) -> (approval state, detail), from the ledger as `medpress status` reads it
# (flows.publish.report_status); reports/ never reads the ledger itself.
Approval = dict[str, tuple[str, str]]
GRAMMAR_UNAVAILABLE = "GR000"

CONTEXT_LINES = 1  # non-blank source lines shown before and after a finding's span
CONTEXT_CHARS = 160  # context longer than this (on either side of the span) is trimmed with an ellipsis
MAX_SPAN_LINES = 10  # a longer span is cut, with a note
SEVERITIES = tuple(s.value for s in sorted(Severity, key=lambda s: -s.rank))
FORMULAS = {
    "flesch_kincaid_grade": "Flesch–Kincaid grade",
    "smog_index": "SMOG index",
    "flesch_reading_ease": "Flesch reading ease (higher is easier)",
    "dale_chall_readability_score": "Dale–Chall score",
    "gunning_fog": "Gunning fog",
    "coleman_liau_index": "Coleman–Liau index",
}
_NOT_SCORES = {"formula", "target", "limit", "grade", "hardest", "words", "sentences", "scores"}


def e(value: object) -> str:
    """Escape anything for HTML text or a quoted attribute (None is empty)."""
    return html.escape("" if value is None else str(value), quote=True)


def _escaped(value: object) -> object:
    """The template's ``finalize``: every ``{{ }}`` value is escaped as :func:`e` does (``&quot;``, ``&#x27;``)
    before autoescape sees it; markup the template made itself (macros) passes as it is."""
    return value if isinstance(value, Markup) else Markup(e(value))


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.PackageLoader("reports", "templates"), autoescape=True,
                             finalize=_escaped, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.globals.update(rule_text=_rule_text, location=_location, message=_message)
    return env.get_template("report.html.j2")


@cache
def _static(name: str) -> str:
    return files("reports").joinpath("static", name).read_text(encoding="utf-8")


def read_source(path: str) -> str | None:
    """The default ``source_of``: the post's text from disk, decoded as the review decodes it. Only a regular
    file is opened (a FIFO named like a post would block the report), without waiting for a writer."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(handle, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                return None
            return stream.read().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def render(report: ReviewReport, *, source_of: SourceOf | None = None, approval: Approval | None = None) -> str:
    return "".join(chunks(report, source_of=source_of, approval=approval))


def chunks(report: ReviewReport, *, source_of: SourceOf | None = None,
           approval: Approval | None = None) -> Iterator[str]:
    """The page in pieces, as the template makes them (a writer streams them to the file). ``approval`` gives each
    post's sign-off state (approved, stale, published, draft, in review, needs re-review); without it none is
    shown."""
    reader = source_of or read_source
    approval = approval or {}
    checks = _checks_in(report)
    summary = report.summary()
    title = (f"medpress review: {summary['failed']} of {summary['posts']} posts fail, "
             f"{summary['errors']} errors")
    script = "\n" + _static("report.js")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    counted = [c for c in checks if any(f.check == c for f in report.findings)]
    everything = [*report.findings, *(f for post in report.posts for f in _waived_and_baselined(post))]
    yield from _template().generate(
        title=title, csp=csp, css=Markup("\n" + _static("report.css")), script=Markup(script),
        header=_header(report), summary=summary, waived_total=sum(len(post.waived) for post in report.posts),
        counted=counted, quiet=[c for c in checks if c not in counted],
        summary_rows=[_summary_row(index, post, counted, approval) for index, post in enumerate(report.posts, start=1)],
        checks=checks, severities=SEVERITIES, by_check=Counter(f.check for f in everything),
        by_severity=Counter(f.severity.value for f in everything),
        rules=sorted(Counter(f.rule for f in everything).items()), grammar_notice=grammar_notice(report),
        has_approval=bool(approval),
        posts=(_post_view(index, post, reader, approval) for index, post in enumerate(report.posts, start=1)))


def grammar_notice(report: ReviewReport) -> str:
    """One plain sentence when the grammar stage could not run for some posts, naming the cause (its first line,
    never a stack of text)."""
    causes = Counter(plain_cause(f.message) for post in report.posts for f in post.findings
                     if f.rule == GRAMMAR_UNAVAILABLE)
    if not causes:
        return ""
    cause, _ = causes.most_common(1)[0]
    posts = sum(any(f.rule == GRAMMAR_UNAVAILABLE for f in post.findings) for post in report.posts)
    return (f"Grammar and spelling were not checked in {posts} of {len(report.posts)} posts because {cause}; "
            "review them again once LanguageTool runs.")


def plain_cause(message: str) -> str:
    """'grammar check could not run: LanguageTool request failed: ReadTimeout ...' -> its first line, at most 160
    characters."""
    text = message.split(":", 1)[1] if message.startswith("grammar check could not run:") else message
    text = text.strip().splitlines()[0].strip() if text.strip() else "the grammar service did not answer"
    text = text.split(" Traceback", 1)[0].rstrip(" .")
    if len(text) > 160:
        text = text[:159].rstrip() + "…"
    return text


# ---------------------------------------------------------------------------------------------- what it shows


def _waived_and_baselined(post: PostReport) -> Iterator[Finding]:
    yield from (w.finding for w in post.waived)
    yield from post.baselined


def _checks_in(report: ReviewReport) -> list[str]:
    seen = list(CHECKS)
    for post in report.posts:
        for item in [*post.findings, *_waived_and_baselined(post)]:
            if item.check not in seen:
                seen.append(item.check)
    return seen


def _message(item: Finding) -> str:
    """A finding's message as a reviewer reads it: a grammar stage that could not run says why in one line."""
    if item.rule == GRAMMAR_UNAVAILABLE:
        return f"The grammar check could not run: {plain_cause(item.message)}."
    return item.message


def _rule_text(rule_id: str) -> tuple[str, str]:
    """(name, rationale) of a rule; grammar ids are explained by their family."""
    rule = RULES_BY_ID.get(rule_id) or next((r for r in AUDIT_RULES if r.id == rule_id), None)
    if rule is not None:
        return rule.name, rule.rationale
    return "", explain_dynamic(rule_id) or ""


def _source_lines(post: PostReport, reader: SourceOf) -> tuple[list[str] | None, str]:
    """The post's lines (split exactly as the checks count them) and why they are missing or stale."""
    if not post.content_hash.startswith("sha256:"):  # the review could not read it (or would not: outside the folder)
        return None, "the review did not read this file"
    try:
        text = reader(post.path)
    except Exception:  # a caller's source_of must not break the report
        text = None
    if text is None:
        return None, "source not available"
    expected = post.content_hash
    if expected.startswith("sha256:"):
        digests = {"sha256:" + hashlib.sha256(candidate.encode("utf-8", "surrogatepass")).hexdigest()
                   for candidate in (text, "\ufeff" + text)}
        if expected not in digests:
            return None, "the file changed after the review"
    return text.split("\n"), ""


def _header(report: ReviewReport) -> dict[str, object]:
    run = report.run
    commit = run.get("git_commit")
    versions = run.get("versions") or {}
    return {"verdict": "fail" if report.summary()["failed"] else "pass",
            "started": run.get("started", "?"), "finished": run.get("finished", "?"),
            "content_dir": run.get("content_dir", "?"), "commit": commit, "commit_short": str(commit)[:12],
            "policy_version": run.get("policy_version") or "unknown", "policy_hash": run.get("policy_hash"),
            "policy_dir": run.get("policy_dir"),
            "tools": list(versions.items()) if isinstance(versions, dict) else [],
            "skipped": list(run.get("skipped") or [])}  # type: ignore[call-overload]


@dataclass(frozen=True)
class SummaryRow:
    index: int
    status: str
    path: str
    name: str
    grade: str
    counts: list[tuple[str, int]]  # (what the cell counts, count): severities, then each counted check, then waived
    approval: str = ""
    approval_detail: str = ""


def _summary_row(index: int, post: PostReport, counted: list[str], approval: Approval) -> SummaryRow:
    per_check = Counter(f.check for f in post.findings)
    per_severity = Counter(f.severity.value for f in post.findings)
    readability = post.metrics.get("readability")
    grade = readability.get("grade") if isinstance(readability, dict) else None
    state, detail = approval.get(post.path, ("", ""))
    return SummaryRow(index, "fail" if post.failed else "pass", post.path, post.title or post.slug or post.path,
                      _num(grade), [("severity:error", per_severity["error"]),
                                    ("severity:warning", per_severity["warning"]),
                                    ("severity:info", per_severity["info"]),
                                    *((f"check:{check}", per_check[check]) for check in counted),
                                    ("waived", len(post.waived))], state, detail)


def _num(value: object, digits: int = 1) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "–"
    return f"{value:.{digits}f}"


# ---------------------------------------------------------------------------------------------- posts


@dataclass(frozen=True)
class CheckGroup:
    check: str
    slug: str
    findings: list[Finding]
    first: int  # findings numbered before this group in the post


@dataclass(frozen=True)
class SourceRow:
    number: int
    hit: bool = False
    cut: int = 0  # a "n more lines" row in place of a long span's middle
    text: str = ""
    before: str = ""
    inside: str = ""
    after: str = ""


@dataclass(frozen=True)
class SourceBlock:
    first: int
    last: int
    rows: list[SourceRow]


@dataclass
class PostView:
    """One post as the template shows it."""

    post: PostReport
    pid: str
    lines: list[str] | None
    missing: str
    groups: list[CheckGroup] = field(default_factory=list)
    waived: list[Waived] = field(default_factory=list)
    baselined: list[Finding] = field(default_factory=list)
    claims: list[ClaimRow] | None = None
    readability: ReadabilityView | None = None
    approval: str = ""
    approval_detail: str = ""
    text: list[TextLine] | None = None

    def source_block(self, item: Finding) -> SourceBlock | None:
        if item.line and self.lines is not None and 1 <= item.line <= len(self.lines):
            return _source_block(item, self.lines)
        return None


def _post_view(index: int, post: PostReport, reader: SourceOf, approval: Approval) -> PostView:
    lines, missing = _source_lines(post, reader)
    state, detail = approval.get(post.path, ("", ""))
    return PostView(post, f"post-{index}", lines, missing, _grouped(post.findings),
                    sorted(post.waived, key=lambda w: w.finding.sort_key()),
                    sorted(post.baselined, key=Finding.sort_key), _claim_rows(post), _readability(post),
                    state, detail, _marked_text(post, lines) if lines is not None else None)


# ---------------------------------------------------------------------------------------------- full text


@dataclass(frozen=True)
class TextPart:
    text: str
    rules: str = ""  # the rules of the findings covering it, space-separated ("" when none)
    severity: str = ""  # the most severe of them


@dataclass(frozen=True)
class TextLine:
    number: int
    parts: list[TextPart]


def _marked_text(post: PostReport, lines: list[str]) -> list[TextLine]:
    """Every line of the post, cut where findings start and end: each piece knows which findings cover it (the
    same spans as the findings' source excerpts)."""
    spans: dict[int, list[tuple[int, int, Finding]]] = {}
    for item in post.findings:
        if not item.line or item.line > len(lines):
            continue
        end_line = min(max(item.line, item.end_line or item.line), len(lines))
        for number in range(item.line, end_line + 1):
            text = lines[number - 1]
            a = max(0, (item.column or 1) - 1) if number == item.line else 0
            b = (item.end_column - 1) if (number == end_line and item.end_column) else len(text)
            a, b = min(a, len(text)), min(max(b, a), len(text))
            if b == a:  # an empty span (a point) marks the whole line
                a, b = 0, len(text)
            spans.setdefault(number, []).append((a, b, item))
    out = []
    for number, raw in enumerate(lines, start=1):
        text = raw.removesuffix("\r")
        here = spans.get(number, [])
        cuts = sorted({0, len(text), *(a for a, _, _ in here), *(b for _, b, _ in here)})
        parts = []
        for a, b in pairwise(cuts):
            covering = [f for x, y, f in here if x <= a and b <= y]
            worst = max((f.severity for f in covering), key=lambda s: s.rank, default=None)
            parts.append(TextPart(text[a:b], " ".join(sorted({f.rule for f in covering})),
                                  worst.value if worst else ""))
        out.append(TextLine(number, parts or [TextPart("")]))
    return out


def _grouped(findings: list[Finding]) -> list[CheckGroup]:
    groups: dict[str, list[Finding]] = {}
    for item in findings:
        groups.setdefault(item.check, []).append(item)
    order = {check: i for i, check in enumerate(CHECKS)}
    out, first = [], 0
    for check in sorted(groups, key=lambda c: (order.get(c, len(order)), c)):
        out.append(CheckGroup(check, _slug(check), sorted(groups[check], key=Finding.sort_key), first))
        first += len(groups[check])
    return out


def _location(item: Finding) -> str:
    if not item.line:
        return "whole post"
    end_line = item.end_line or item.line
    if end_line == item.line:
        where = f"line {item.line}"
        if item.column and item.end_column:
            where += f", columns {item.column}–{item.end_column - 1}" if item.end_column - 1 > item.column \
                else f", column {item.column}"
        elif item.column:
            where += f", column {item.column}"
        return where
    return f"lines {item.line}–{end_line}"


def _source_block(item: Finding, lines: list[str]) -> SourceBlock:
    """The finding's lines with its span marked, plus one non-blank line of context either side."""
    start = item.line or 1
    end = max(start, min(item.end_line or start, len(lines)))
    column = max(1, item.column or 1)
    end_column = item.end_column
    first = _context_edge(lines, start, -1)
    last = _context_edge(lines, end, +1)
    cut = 0
    if end - start + 1 > MAX_SPAN_LINES:  # keep the start of a long span and its last line
        cut = end - start + 1 - MAX_SPAN_LINES
    rows = []
    for number in range(first, last + 1):
        if cut and start + MAX_SPAN_LINES - 1 <= number < end:
            if number == start + MAX_SPAN_LINES - 1:
                rows.append(SourceRow(number, hit=True, cut=cut))
            continue
        text = lines[number - 1].removesuffix("\r")
        if start <= number <= end:
            a = column - 1 if number == start else 0
            b = end_column - 1 if (number == end and end_column) else len(text)
            a = min(max(a, 0), len(text))
            b = min(max(b, a), len(text))
            before, inside, after = text[:a], text[a:b], text[b:]
            if number == start and len(before) > CONTEXT_CHARS:
                before = "…" + before[-CONTEXT_CHARS:]
            if number == end and len(after) > CONTEXT_CHARS:
                after = after[:CONTEXT_CHARS] + "…"
            rows.append(SourceRow(number, hit=True, text=text, before=before, inside=inside, after=after))
        else:
            if len(text) > CONTEXT_CHARS:
                text = "…" + text[-CONTEXT_CHARS:] if number < start else text[:CONTEXT_CHARS] + "…"
            rows.append(SourceRow(number, text=text))
    return SourceBlock(first, last, rows)


def _context_edge(lines: list[str], line: int, step: int) -> int:
    """The line number ``CONTEXT_LINES`` non-blank lines away from ``line`` (at most 3 lines per step)."""
    number, found = line, 0
    while found < CONTEXT_LINES and 1 <= number + step <= len(lines) and abs(number + step - line) <= 3 * CONTEXT_LINES:
        number += step
        if lines[number - 1].strip():
            found += 1
    return number


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()) or "x"


# ---------------------------------------------------------------------------------------------- claims


@dataclass(frozen=True)
class ClaimRow:
    """A row of the claims check's table (its metrics, which are the check's own dicts)."""

    line: object
    sentence: object
    product: object
    use: object
    kind: object
    kb: object
    source: str
    cited: object
    disclosed: object
    verdict: str

    @property
    def bad(self) -> bool:
        return self.verdict not in ("", "ok")

    @property
    def link(self) -> bool:
        return self.source.startswith(("https://", "http://"))

    @property
    def host(self) -> str:
        return self.source.split("://", 1)[-1].split("/", 1)[0]


def _claim_rows(post: PostReport) -> list[ClaimRow] | None:
    claims = post.metrics.get("claims")
    if isinstance(claims, dict):
        claims = claims.get("rows")
    if not isinstance(claims, list):
        return None
    return [ClaimRow(row.get("line"), row.get("sentence"), row.get("product"), row.get("use"), row.get("kind"),
                     row.get("kb"), str(row.get("source") or ""), row.get("cited"), row.get("disclosed"),
                     str(row.get("verdict") or ""))
            for row in claims if isinstance(row, dict)]


# ---------------------------------------------------------------------------------------------- readability


@dataclass(frozen=True)
class ReadabilityView:
    unmeasured: bool
    grade_text: str = ""
    formula_name: str = ""
    state: str = ""
    words: str = ""
    target: object = None
    limit: object = None
    target_text: str = ""
    limit_text: str = ""
    word_count: object = None
    sentences: object = None
    fill: str = ""
    ticks: list[dict[str, str]] = field(default_factory=list)
    scores: list[tuple[str, str, bool]] = field(default_factory=list)  # (name, value, the formula used)
    hardest: list[dict[str, Any]] = field(default_factory=list)


def _readability(post: PostReport) -> ReadabilityView | None:
    data = post.metrics.get("readability")
    if not isinstance(data, dict):
        return None
    grade, target, limit = data.get("grade"), data.get("target"), data.get("limit")
    formula = str(data.get("formula") or "")
    if not isinstance(grade, int | float):
        return ReadabilityView(unmeasured=True)
    numbers = [v for v in (grade, target, limit) if isinstance(v, int | float)]
    if isinstance(limit, int | float) and grade > limit:
        state, words = "over", "over the limit"
    elif isinstance(target, int | float) and grade > target:
        state, words = "above", "above the target"
    else:
        state, words = "ok", "within the target"
    scale = max(max(numbers) * 1.15, 1.0)

    def at(value: float) -> str:
        return f"{min(100.0, 100.0 * value / scale):.1f}%"

    ticks = [{"name": name, "at": at(value), "value": f"{value:g}"}
             for name, value in (("target", target), ("limit", limit)) if isinstance(value, int | float)]
    scores = data.get("scores") if isinstance(data.get("scores"), dict) else {
        k: v for k, v in data.items() if k not in _NOT_SCORES}
    hardest = [{"over": _over(h.get("grade"), limit), "line": h.get("line") or "–", "grade": _num(h.get("grade")),
                "words": h.get("words", "–"), "text": h.get("text") or ""}
               for h in data.get("hardest") or [] if isinstance(h, dict)]
    return ReadabilityView(
        unmeasured=False, grade_text=f"{grade:.1f}", formula_name=FORMULAS.get(formula, formula), state=state,
        words=words, target=target, limit=limit, target_text=_num(target), limit_text=_num(limit),
        word_count=data.get("words", "–"), sentences=data.get("sentences", "–"), fill=at(grade), ticks=ticks,
        scores=[(FORMULAS.get(name, name), _num(value), name == formula) for name, value in scores.items()
                if isinstance(value, int | float) and not isinstance(value, bool)],
        hardest=hardest)


def _over(grade: object, limit: object) -> bool:
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (grade, limit))
    return bool(numbers and grade > limit)  # type: ignore[operator]

"""The HTML report: one self-contained file for a human reviewer (inline CSS and JS, no network).

Every piece of draft text (titles, excerpts, source lines, claims, KB text) goes through ``html.escape``;
a Content-Security-Policy that only allows the report's own inline script (by hash) backs that up.

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
from collections.abc import Callable, Iterable
from dataclasses import fields
from typing import Any

from checks.grammar import explain_dynamic
from checks.model import Finding, Severity
from checks.registry import CHECKS, RULES_BY_ID
from reports.model import PostReport, ReviewReport

SourceOf = Callable[[str], "str | None"]

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
    """Escape anything for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


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


def render(report: ReviewReport, *, source_of: SourceOf | None = None) -> str:
    reader = source_of or read_source
    checks = _checks_in(report)
    waived_total = sum(len(_waived(post)) for post in report.posts)
    summary = report.summary()
    title = (f"medpress review: {summary['failed']} of {summary['posts']} posts fail, "
             f"{summary['errors']} errors")
    script = _SCRIPT
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    posts = [_post(index, post, reader) for index, post in enumerate(report.posts, start=1)]
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{e(csp)}\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        "<meta name=\"generator\" content=\"medpress\">\n",
        f"<title>{e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n",
        "<a class=\"skip\" href=\"#posts\">Skip to the posts</a>\n",
        _run_header(report, waived_total),
        "<main>\n",
        _summary_table(report, checks),
        _filters(report, checks),
        "<p class=\"print-only\">Printed copies show every finding and table; screen filters are not applied.</p>\n",
        "<div id=\"posts\">\n", *posts, "</div>\n</main>\n",
        f"<script>{script}</script>\n</body>\n</html>\n",
    ])


# ---------------------------------------------------------------------------------------------- data access


def _get(item: object, key: str, default: Any = None) -> Any:
    if isinstance(item, dict):
        return item.get(key, default)
    return getattr(item, key, default)


def _as_finding(data: object) -> Finding | None:
    if isinstance(data, Finding):
        return data
    if not isinstance(data, dict):
        return None
    known = {f.name for f in fields(Finding)}
    values = {k: v for k, v in data.items() if k in known}
    try:
        values["severity"] = Severity(values.get("severity", "info"))
        return Finding(**values)
    except (TypeError, ValueError):
        return None


def _waived(post: PostReport) -> list[tuple[Finding, object]]:
    out = []
    for entry in getattr(post, "waived", None) or []:
        finding = _as_finding(_get(entry, "finding"))
        if finding is not None:
            out.append((finding, entry))
    return out


def _baselined(post: PostReport) -> list[Finding]:
    found = (_as_finding(item) for item in getattr(post, "baselined", None) or [])
    return sorted((f for f in found if f is not None), key=Finding.sort_key)


def _suppressions(post: PostReport) -> list[object]:
    return list(getattr(post, "suppressions", None) or [])


def _checks_in(report: ReviewReport) -> list[str]:
    seen = list(CHECKS)
    for post in report.posts:
        for item in [*post.findings, *(f for f, _ in _waived(post)), *_baselined(post)]:
            if item.check not in seen:
                seen.append(item.check)
    return seen


def _claim_rows(post: PostReport) -> list[dict[str, Any]] | None:
    claims = post.metrics.get("claims")
    if isinstance(claims, dict):
        claims = claims.get("rows")
    if not isinstance(claims, list):
        return None
    return [row for row in claims if isinstance(row, dict)]


def _rule_text(rule_id: str) -> tuple[str, str]:
    """(name, rationale) of a rule; grammar ids are explained by their family."""
    rule = RULES_BY_ID.get(rule_id)
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


# ---------------------------------------------------------------------------------------------- run header


def _run_header(report: ReviewReport, waived_total: int) -> str:
    run = report.run
    summary = report.summary()
    commit = run.get("git_commit")
    commit_html = (f"<code title=\"{e(commit)}\">{e(str(commit)[:12])}</code>" if commit
                   else "<span class=\"muted\">unknown (not a git checkout)</span>")
    policy_hash = run.get("policy_hash")
    policy = (f"version <strong>{e(run.get('policy_version') or 'unknown')}</strong>"
              + (f", hash <code class=\"hash\">{e(policy_hash)}</code>" if policy_hash else ""))
    if run.get("policy_dir"):
        policy += f" <span class=\"muted\">({e(run['policy_dir'])})</span>"
    versions = run.get("versions") or {}
    tools = " ".join(f"<span class=\"tool\">{e(name)} <code>{e(version)}</code></span>"
                     for name, version in (versions.items() if isinstance(versions, dict) else []))
    skipped = run.get("skipped") or []
    skipped_html = ("<ul class=\"skipped\">" + "".join(f"<li>{e(s)}</li>" for s in skipped) + "</ul>"
                    if skipped else "<span class=\"muted\">nothing</span>")
    rows = [
        ("When", f"started <time>{e(run.get('started', '?'))}</time>, "
                 f"finished <time>{e(run.get('finished', '?'))}</time>"),
        ("Content", f"<code>{e(run.get('content_dir', '?'))}</code>"),
        ("Git commit", commit_html),
        ("Policy", policy),
        ("Tools", tools or "<span class=\"muted\">not recorded</span>"),
        ("Skipped", skipped_html),
    ]
    verdict = "fail" if summary["failed"] else "pass"
    headline = (f"<span class=\"badge {verdict}\">{'FAIL' if summary['failed'] else 'PASS'}</span> "
                f"{summary['failed']} of {summary['posts']} posts fail · {summary['errors']} errors · "
                f"{summary['warnings']} warnings · {summary['infos']} infos · {waived_total} waived")
    return ("<header class=\"run\">\n<h1>medpress review report</h1>\n"
            f"<p class=\"headline\">{headline}</p>\n<dl class=\"run-meta\">\n"
            + "".join(f"<dt>{label}</dt><dd>{value}</dd>\n" for label, value in rows)
            + "</dl>\n</header>\n")


# ---------------------------------------------------------------------------------------------- summary


def _summary_table(report: ReviewReport, checks: list[str]) -> str:
    """One row per post: status, grade, counts per severity, and per check (checks with no finding get a note)."""
    counted = [c for c in checks if any(f.check == c for f in report.findings)]
    quiet = [c for c in checks if c not in counted]
    head = "".join(f"<th scope=\"col\" class=\"num\">{e(check)}</th>" for check in counted)
    rows = []
    for index, post in enumerate(report.posts, start=1):
        per_check = Counter(f.check for f in post.findings)
        per_severity = Counter(f.severity.value for f in post.findings)
        readability = post.metrics.get("readability")
        grade = readability.get("grade") if isinstance(readability, dict) else None
        cells = "".join(_count_cell(per_check[check]) for check in counted)
        status = "fail" if post.failed else "pass"
        rows.append(
            f"<tr class=\"{status}\"><th scope=\"row\"><span class=\"badge {status}\">{status.upper()}</span> "
            f"<a href=\"#post-{index}\" title=\"{e(post.path)}\">{e(post.title or post.slug or post.path)}</a>"
            f"</th><td class=\"num\">{_num(grade)}</td>"
            f"{_count_cell(per_severity['error'])}{_count_cell(per_severity['warning'])}"
            f"{_count_cell(per_severity['info'])}{cells}{_count_cell(len(_waived(post)))}</tr>\n")
    by_check = (f"<th scope=\"colgroup\" colspan=\"{len(counted)}\" class=\"span\">Findings by check</th>"
                if counted else "")
    note = (f"<p class=\"note\">No findings from: {e(', '.join(quiet))}.</p>\n" if quiet else "")
    return ("<section id=\"summary\" aria-labelledby=\"summary-h\">\n<h2 id=\"summary-h\">Summary</h2>\n"
            "<div class=\"scroll\"><table class=\"summary\">\n<thead>"
            "<tr><th scope=\"col\" rowspan=\"2\">Status and post</th>"
            "<th scope=\"col\" rowspan=\"2\" class=\"num\">grade</th>"
            "<th scope=\"colgroup\" colspan=\"3\" class=\"span\">Findings by severity</th>"
            f"{by_check}<th scope=\"col\" rowspan=\"2\" class=\"num\">waived</th></tr>\n"
            "<tr><th scope=\"col\" class=\"num\">errors</th>"
            "<th scope=\"col\" class=\"num\">warnings</th><th scope=\"col\" class=\"num\">infos</th>"
            f"{head}</tr></thead>\n"
            "<tbody>\n" + "".join(rows) + "</tbody>\n</table></div>\n" + note + "</section>\n")


def _count_cell(count: int) -> str:
    return f"<td class=\"num{'' if count else ' zero'}\">{count}</td>"


def _num(value: object, digits: int = 1) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "–"
    return f"{value:.{digits}f}"


# ---------------------------------------------------------------------------------------------- filters


def _filters(report: ReviewReport, checks: list[str]) -> str:
    everything = [*report.findings,
                  *(f for post in report.posts for f in [*(w for w, _ in _waived(post)), *_baselined(post)])]
    by_check = Counter(f.check for f in everything)
    by_severity = Counter(f.severity.value for f in everything)

    def group(kind: str, label: str, values: Iterable[str], counts: Counter[str]) -> str:
        toggles = "".join(
            f"<button type=\"button\" class=\"toggle\" data-filter=\"{kind}\" data-value=\"{e(value)}\" "
            f"aria-pressed=\"true\">{e(value)} <span class=\"count\">{counts[value]}</span></button>"
            for value in values)
        return (f"<div class=\"filter-group\" role=\"group\" aria-labelledby=\"filter-{kind}-label\">"
                f"<span class=\"filter-label\" id=\"filter-{kind}-label\">{label}</span>{toggles}"
                f"<button type=\"button\" class=\"bulk\" data-filter=\"{kind}\" data-action=\"all\">All</button>"
                f"<button type=\"button\" class=\"bulk\" data-filter=\"{kind}\" data-action=\"none\">None</button>"
                "</div>\n")

    return ("<section class=\"filters\" id=\"filters\" aria-label=\"Filters\" hidden>\n"
            + group("check", "Check", checks, by_check)
            + group("severity", "Severity", SEVERITIES, by_severity)
            + "<p class=\"filter-help\">Toggle buttons show or hide findings; the claims and readability tables "
              "follow their check. The address bar keeps the filter (e.g. <code>#check=claims&amp;severity=error"
              "</code>).</p>\n<p id=\"filter-status\" role=\"status\" aria-live=\"polite\"></p>\n</section>\n")


# ---------------------------------------------------------------------------------------------- posts


def _post(index: int, post: PostReport, reader: SourceOf) -> str:
    pid = f"post-{index}"
    status = "fail" if post.failed else "pass"
    lines, missing = _source_lines(post, reader)
    waived = _waived(post)
    parts = [
        f"<section class=\"post {status}\" id=\"{pid}\" data-filter-group aria-labelledby=\"{pid}-h\">\n",
        f"<h2 id=\"{pid}-h\"><span class=\"badge {status}\">{status.upper()}</span> "
        f"{e(post.title or post.slug or post.path)}</h2>\n",
        f"<p class=\"post-meta\"><code>{e(post.path)}</code> · slug <code>{e(post.slug)}</code> · "
        f"<span class=\"hash\" title=\"{e(post.content_hash)}\">{e(post.content_hash[:19])}…</span>"
        + (f" · <span class=\"muted\">source excerpts unavailable: {e(missing)}</span>" if missing else "")
        + "</p>\n",
        _findings(pid, post, lines),
    ]
    if waived:
        parts.append(_waived_section(pid, waived, lines))
    baselined = _baselined(post)
    if baselined:
        parts.append(f"<section class=\"waived baselined\" data-filter-group aria-labelledby=\"{pid}-baselined-h\">\n"
                     f"<h3 id=\"{pid}-baselined-h\">Baselined findings ({len(baselined)})</h3>\n"
                     "<p class=\"note\">Accepted by the CI baseline; they do not fail the post.</p>\n"
                     + "".join(_finding(f"{pid}-b{n}", item, lines, waived=True, tag="baselined")
                               for n, item in enumerate(baselined, start=1))
                     + "</section>\n")
    if _suppressions(post):
        parts.append(_suppressions_table(post))
    parts.append(_claims_panel(pid, post))
    parts.append(_readability_panel(pid, post))
    parts.append("</section>\n")
    return "".join(parts)


def _grouped(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = {}
    for item in findings:
        groups.setdefault(item.check, []).append(item)
    order = {check: i for i, check in enumerate(CHECKS)}
    return [(check, sorted(groups[check], key=Finding.sort_key))
            for check in sorted(groups, key=lambda c: (order.get(c, len(order)), c))]


def _findings(pid: str, post: PostReport, lines: list[str] | None) -> str:
    if not post.findings:
        return (f"<section class=\"findings\" aria-labelledby=\"{pid}-findings-h\">"
                f"<h3 id=\"{pid}-findings-h\">Findings</h3><p class=\"none\">No findings.</p></section>\n")
    out = [f"<section class=\"findings\" data-filter-group aria-labelledby=\"{pid}-findings-h\">\n"
           f"<h3 id=\"{pid}-findings-h\">Findings ({len(post.findings)})</h3>\n"]
    counter = 0
    for check, items in _grouped(post.findings):
        gid = f"{pid}-{_slug(check)}"
        out.append(f"<section class=\"check-group\" data-filter-group data-check=\"{e(check)}\" "
                   f"aria-labelledby=\"{gid}-h\">\n<h4 id=\"{gid}-h\">{e(check)} ({len(items)})</h4>\n")
        for item in items:
            counter += 1
            out.append(_finding(f"{pid}-f{counter}", item, lines))
        out.append("</section>\n")
    out.append("</section>\n")
    return "".join(out)


def _finding(fid: str, item: Finding, lines: list[str] | None, *, extra: str = "", waived: bool = False,
             tag: str = "waived") -> str:
    name, rationale = _rule_text(item.rule)
    sev = item.severity.value
    classes = f"finding sev-{sev}" + (" is-waived" if waived else "")
    head = (f"<span class=\"sev sev-{sev}\">{sev}</span> <code class=\"rule\">{e(item.rule)}</code>"
            + (f" <span class=\"rule-name\">{e(name)}</span>" if name else "")
            + f" <span class=\"loc\">{_location(item)}</span>"
            + (f" <span class=\"waived-tag\">{tag}</span>" if waived else ""))
    body = [f"<p class=\"message\">{e(item.message)}</p>\n", _excerpt(item, lines)]
    if item.suggestion:
        body.append(f"<p class=\"suggestion\"><strong>Suggestion:</strong> {e(item.suggestion)}</p>\n")
    if rationale:
        body.append(f"<p class=\"rationale\"><strong>Why it matters:</strong> {e(rationale)}</p>\n")
    return (f"<article class=\"{classes}\" id=\"{fid}\" data-filter-item data-check=\"{e(item.check)}\" "
            f"data-severity=\"{e(sev)}\" aria-labelledby=\"{fid}-h\">\n"
            f"<h5 id=\"{fid}-h\" class=\"finding-head\">{head}</h5>\n{extra}{''.join(body)}</article>\n")


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


def _excerpt(item: Finding, lines: list[str] | None) -> str:
    if item.line and lines is not None and 1 <= item.line <= len(lines):
        return _source_block(item, lines)
    if item.excerpt:
        note = "excerpt recorded by the review" if item.line else "excerpt"
        return (f"<figure class=\"excerpt\"><blockquote>{e(item.excerpt)}</blockquote>"
                f"<figcaption>{note}</figcaption></figure>\n")
    return ""


def _source_block(item: Finding, lines: list[str]) -> str:
    """The finding's lines with its span in <mark>, plus one non-blank line of context either side."""
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
                rows.append(f"<tr class=\"hit more\"><th scope=\"row\">…</th><td>{cut} more line"
                            f"{'s' if cut != 1 else ''} of the span</td></tr>")
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
            code = f"{e(before)}<mark>{e(inside)}</mark>{e(after)}" if inside else e(text)
            rows.append(f"<tr class=\"hit\"><th scope=\"row\">{number}</th><td><code>{code}</code></td></tr>")
        else:
            if len(text) > CONTEXT_CHARS:
                text = "…" + text[-CONTEXT_CHARS:] if number < start else text[:CONTEXT_CHARS] + "…"
            rows.append(f"<tr><th scope=\"row\">{number}</th><td><code>{e(text)}</code></td></tr>")
    return (f"<figure class=\"source\"><table class=\"source\" aria-label=\"Source lines {first} to {last}\">"
            f"<tbody>{''.join(rows)}</tbody></table></figure>\n")


def _context_edge(lines: list[str], line: int, step: int) -> int:
    """The line number ``CONTEXT_LINES`` non-blank lines away from ``line`` (at most 3 lines per step)."""
    number, found = line, 0
    while found < CONTEXT_LINES and 1 <= number + step <= len(lines) and abs(number + step - line) <= 3 * CONTEXT_LINES:
        number += step
        if lines[number - 1].strip():
            found += 1
    return number


def _waived_section(pid: str, waived: list[tuple[Finding, object]], lines: list[str] | None) -> str:
    out = [f"<section class=\"waived\" data-filter-group aria-labelledby=\"{pid}-waived-h\">\n"
           f"<h3 id=\"{pid}-waived-h\">Waived findings ({len(waived)})</h3>\n"
           "<p class=\"note\">Suppressed in the post with a reason; they do not fail the post.</p>\n"]
    for number, (item, entry) in enumerate(sorted(waived, key=lambda pair: pair[0].sort_key()), start=1):
        reason = _get(entry, "reason") or ""
        line = _get(entry, "suppression_line")
        extra = ("<p class=\"waiver\"><strong>Waived:</strong> "
                 + (e(reason) if reason else "<span class=\"muted\">no reason given</span>")
                 + (f" <span class=\"muted\">(suppression at line {e(line)})</span>" if line else "") + "</p>\n")
        out.append(_finding(f"{pid}-w{number}", item, lines, extra=extra, waived=True))
    out.append("</section>\n")
    return "".join(out)


def _suppressions_table(post: PostReport) -> str:
    rows = []
    for entry in _suppressions(post):
        rules = _get(entry, "rules") or []
        rules_text = ", ".join(str(r) for r in rules) if isinstance(rules, list | tuple) else str(rules)
        line, end_line = _get(entry, "line"), _get(entry, "end_line")
        where = f"{line}" if not end_line or end_line == line else f"{line}–{end_line}"
        waived = _get(entry, "waived")
        waived_text = str(len(waived)) if isinstance(waived, list | tuple) else ("–" if waived is None else str(waived))
        reason = _get(entry, "reason")
        reason_html = e(reason) if reason else "<span class=\"muted\">none</span>"
        rows.append(f"<tr><td>{e(where)}</td><td><code>{e(rules_text)}</code></td><td>{e(_get(entry, 'form') or '')}"
                    f"</td><td>{reason_html}</td>"
                    f"<td class=\"num\">{e(waived_text)}</td></tr>")
    return ("<section class=\"suppressions\"><h3>Suppressions in this post</h3><div class=\"scroll\">"
            "<table><thead><tr><th scope=\"col\">Lines</th><th scope=\"col\">Rules</th><th scope=\"col\">Form</th>"
            "<th scope=\"col\">Reason</th><th scope=\"col\" class=\"num\">Waived</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div></section>\n")


# ---------------------------------------------------------------------------------------------- claims


def _claims_panel(pid: str, post: PostReport) -> str:
    rows = _claim_rows(post)
    if rows is None:
        return ""
    head = (f"<section class=\"panel claims\" id=\"{pid}-claims\" data-filter-item data-check=\"claims\" "
            f"aria-labelledby=\"{pid}-claims-h\">\n<h3 id=\"{pid}-claims-h\">Claims ({len(rows)})</h3>\n")
    if not rows:
        return head + "<p class=\"none\">No regulated claims found.</p>\n</section>\n"
    body = []
    for row in rows:
        verdict = str(row.get("verdict") or "")
        bad = verdict not in ("", "ok")
        source = str(row.get("source") or "")
        source_html = (f"<br><a class=\"kb-source\" href=\"{e(source)}\" rel=\"noopener noreferrer\">"
                       f"source: {e(_host(source))}</a>"
                       if source.startswith(("https://", "http://")) else
                       (f"<br><span class=\"muted\">{e(source)}</span>" if source else ""))
        kind = row.get("kind")
        kind_html = f" <span class=\"kind\">({e(kind)})</span>" if kind else ""
        body.append(
            f"<tr class=\"{'bad' if bad else 'ok'}\"><td class=\"num\">{e(row.get('line') or '–')}</td>"
            f"<td>{e(row.get('sentence') or '')}</td>"
            f"<td>{e(row.get('product') or '–')}</td>"
            f"<td>{e(row.get('use') or '–')}{kind_html}</td>"
            f"<td class=\"kb\">{e(row.get('kb') or '–')}{source_html}</td>"
            f"<td>{_yes_no(row.get('cited'))}</td><td>{_yes_no(row.get('disclosed'))}</td>"
            f"<td><span class=\"verdict {'bad' if bad else 'ok'}\">{e(verdict or '–')}</span></td></tr>\n")
    return (head + "<div class=\"scroll\"><table class=\"claims-table\">\n<colgroup><col class=\"c-line\">"
            "<col class=\"c-sentence\"><col class=\"c-product\"><col class=\"c-use\"><col class=\"c-kb\">"
            "<col class=\"c-cited\"><col class=\"c-disclosed\"><col class=\"c-verdict\"></colgroup>\n<thead><tr>"
            "<th scope=\"col\" class=\"num\">Line</th><th scope=\"col\">Sentence</th><th scope=\"col\">Product</th>"
            "<th scope=\"col\">Use</th><th scope=\"col\">What the knowledge base says</th><th scope=\"col\">Cited</th>"
            "<th scope=\"col\">Disclosed</th><th scope=\"col\">Verdict</th></tr></thead>\n<tbody>\n"
            + "".join(body) + "</tbody></table></div>\n</section>\n")


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


def _yes_no(value: object) -> str:
    if value is None:
        return "<span class=\"muted\">–</span>"
    return "yes" if value else "no"


# ---------------------------------------------------------------------------------------------- readability


def _readability_panel(pid: str, post: PostReport) -> str:
    data = post.metrics.get("readability")
    if not isinstance(data, dict):
        return ""
    grade, target, limit = data.get("grade"), data.get("target"), data.get("limit")
    formula = str(data.get("formula") or "")
    head = (f"<section class=\"panel readability\" id=\"{pid}-readability\" data-filter-item "
            f"data-check=\"readability\" aria-labelledby=\"{pid}-readability-h\">\n"
            f"<h3 id=\"{pid}-readability-h\">Readability</h3>\n")
    if not isinstance(grade, int | float):
        return head + "<p class=\"none\">No readability score (the post could not be measured).</p>\n</section>\n"
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

    ticks = "".join(f"<span class=\"tick {name}\" style=\"left:{at(value)}\"><span>{name} {value:g}</span></span>"
                    for name, value in (("target", target), ("limit", limit)) if isinstance(value, int | float))
    meter = (f"<div class=\"meter\" role=\"img\" "
             f"aria-label=\"grade {grade:.1f}; target {e(target)}; limit {e(limit)}\">"
             f"<span class=\"fill {state}\" style=\"width:{at(grade)}\"></span>{ticks}</div>")
    summary = (f"<p class=\"grade\"><strong>Grade {grade:.1f}</strong> ({e(FORMULAS.get(formula, formula))}) — "
               f"<span class=\"state {state}\">{words}</span>; target {_num(target)}, limit {_num(limit)}; "
               f"{e(data.get('words', '–'))} words in {e(data.get('sentences', '–'))} sentences.</p>\n")
    scores = data.get("scores") if isinstance(data.get("scores"), dict) else {
        k: v for k, v in data.items() if k not in _NOT_SCORES}
    used = ' class="used"'
    score_rows = "".join(
        f"<tr{used if name == formula else ''}><th scope=\"row\">{e(FORMULAS.get(name, name))}</th>"
        f"<td class=\"num\">{_num(value)}</td></tr>"
        for name, value in scores.items() if isinstance(value, int | float) and not isinstance(value, bool))
    hardest = [h for h in data.get("hardest") or [] if isinstance(h, dict)]
    hardest_rows = "".join(
        f"<tr{_over(h.get('grade'), limit)}>"
        f"<td class=\"num\">{e(h.get('line') or '–')}</td><td class=\"num\">{_num(h.get('grade'))}</td>"
        f"<td class=\"num\">{e(h.get('words', '–'))}</td><td>{e(h.get('text') or '')}</td></tr>"
        for h in hardest)
    tables = ("<div class=\"readability-tables\">"
              + (f"<table class=\"scores\"><caption>Scores</caption><tbody>{score_rows}</tbody></table>"
                 if score_rows else "")
              + ("<div class=\"scroll\"><table class=\"hardest\"><caption>Hardest sentences</caption><thead><tr>"
                 "<th scope=\"col\" class=\"num\">Line</th><th scope=\"col\" class=\"num\">Grade</th>"
                 "<th scope=\"col\" class=\"num\">Words</th><th scope=\"col\">Sentence</th></tr></thead>"
                 f"<tbody>{hardest_rows}</tbody></table></div>" if hardest_rows else "")
              + "</div>\n")
    return head + summary + meter + "\n" + tables + "</section>\n"


def _over(grade: object, limit: object) -> str:
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (grade, limit))
    return ' class="bad"' if numbers and grade > limit else ""  # type: ignore[operator]


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()) or "x"


# ---------------------------------------------------------------------------------------------- CSS and JS

_CSS = """
:root { --text:#1b1b1b; --muted:#545454; --bg:#fff; --soft:#f4f6f8; --line:#c9ced4; --link:#0b57d0;
  --error:#b3261e; --warning:#8a5300; --info:#0b5394; --pass:#1e6b34; --mark:#ffd54f; --hit:#fff4d6; }
* { box-sizing: border-box; }
html { color: var(--text); background: var(--bg); }
body { margin: 0 auto; max-width: 1240px; padding: 0 1.25rem 3rem; font: 15px/1.5 system-ui, -apple-system,
  "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
a { color: var(--link); }
code, .hash { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  font-size: .92em; }
h1 { font-size: 1.6rem; margin: 1rem 0 .25rem; }
h2 { font-size: 1.3rem; margin: 0 0 .25rem; }
h3 { font-size: 1.08rem; margin: 1.1rem 0 .4rem; }
h4 { font-size: 1rem; margin: .9rem 0 .4rem; text-transform: capitalize; }
h5 { font-size: .95rem; margin: 0 0 .3rem; font-weight: 600; }
table { border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid var(--line); }
thead th { background: var(--soft); font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.zero { color: var(--muted); }
.muted, .path, .note, .post-meta, figcaption { color: var(--muted); }
.path { font-size: .85em; font-weight: normal; }
.scroll { overflow-x: auto; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; z-index: 10; }
:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: .25rem; color: #fff; font-size: .8em;
  font-weight: 700; letter-spacing: .03em; vertical-align: .1em; }
.badge.fail { background: var(--error); } .badge.pass { background: var(--pass); }
.run { border-bottom: 2px solid var(--line); padding-bottom: .75rem; }
.headline { font-size: 1.05rem; margin: .25rem 0 .75rem; }
.run-meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
.run-meta dt { font-weight: 600; } .run-meta dd { margin: 0; }
.tool { display: inline-block; margin-right: .8rem; white-space: nowrap; }
.skipped { margin: 0; padding-left: 1.1rem; }
.hash { word-break: break-all; }
table.summary { width: 100%; margin-top: .3rem; font-size: .85rem; }
table.summary th, table.summary td { padding: .25rem .35rem; }
table.summary thead th.span { text-align: center; border-bottom: 1px solid var(--line); }
table.summary th[scope=row] { min-width: 10rem; }
.filters { position: sticky; top: 0; z-index: 5; background: var(--bg); border: 1px solid var(--line);
  border-radius: .4rem; padding: .6rem .8rem; margin: 1.25rem 0; box-shadow: 0 2px 6px rgba(0,0,0,.08); }
.filter-group { display: flex; flex-wrap: wrap; align-items: center; gap: .35rem; margin-bottom: .4rem; }
.filter-label { font-weight: 600; min-width: 5.5rem; }
.filters button { font: inherit; font-size: .9rem; border: 1px solid #5f6368; border-radius: 1rem;
  padding: .15rem .7rem; background: var(--bg); color: var(--text); cursor: pointer; }
.filters button.toggle[aria-pressed="true"] { background: var(--link); border-color: var(--link); color: #fff; }
.filters button.toggle[aria-pressed="true"]::before { content: "✓ "; }
.filters button.toggle[aria-pressed="false"] { text-decoration: line-through; color: var(--muted); }
.filters button.bulk { border-style: dashed; }
.filters .count { font-variant-numeric: tabular-nums; opacity: .9; }
.filter-help { margin: .2rem 0 0; font-size: .85rem; color: var(--muted); }
#filter-status { margin: .2rem 0 0; font-weight: 600; }
.print-only { display: none; }
.post { border-top: 3px solid var(--line); padding-top: 1rem; margin-top: 2rem; }
.post.fail { border-top-color: var(--error); } .post.pass { border-top-color: var(--pass); }
.post-meta { margin: 0 0 .5rem; font-size: .9rem; }
.finding { border: 1px solid var(--line); border-left: 5px solid var(--info); border-radius: .3rem;
  padding: .55rem .75rem; margin: .5rem 0; background: var(--bg); }
.finding.sev-error { border-left-color: var(--error); } .finding.sev-warning { border-left-color: var(--warning); }
.finding.is-waived { background: var(--soft); border-left-style: dashed; }
.finding p { margin: .3rem 0; }
.sev { display: inline-block; color: #fff; border-radius: .2rem; padding: 0 .35rem; font-size: .8em;
  text-transform: uppercase; letter-spacing: .03em; }
.sev-error .sev, .sev.sev-error { background: var(--error); } .sev.sev-warning { background: var(--warning); }
.sev.sev-info { background: var(--info); }
.rule-name { font-weight: normal; color: var(--muted); }
.loc { font-weight: normal; color: var(--muted); margin-left: .4rem; }
.waived-tag { font-weight: 600; color: var(--text); border: 1px dashed var(--muted); padding: 0 .3rem;
  border-radius: .2rem; font-size: .8em; }
figure { margin: .4rem 0; }
table.source { width: 100%; background: var(--soft); border: 1px solid var(--line); font-size: .88rem; }
table.source th { width: 3.5rem; text-align: right; color: var(--muted); font-weight: normal; border: 0;
  padding: .05rem .5rem; user-select: none; font-family: ui-monospace, Menlo, Consolas, monospace; }
table.source td { border: 0; padding: .05rem .5rem; }
table.source code { white-space: pre-wrap; word-break: break-word; tab-size: 4; font-size: 1em; }
table.source tr.hit { background: var(--hit); } table.source tr.hit th { color: var(--text); font-weight: 700;
  box-shadow: inset 3px 0 0 var(--error); }
mark { background: var(--mark); color: var(--text); padding: 0 .05em; border-bottom: 2px solid var(--text); }
.excerpt blockquote { margin: 0; padding: .3rem .6rem; background: var(--soft); border-left: 3px solid var(--line);
  white-space: pre-wrap; word-break: break-word; }
.excerpt figcaption { font-size: .8rem; }
.suggestion strong { color: var(--pass); } .rationale { color: var(--muted); font-size: .92rem; }
.rationale strong { color: var(--text); }
.panel { margin-top: 1rem; }
.claims-table { width: 100%; min-width: 56rem; font-size: .9rem; table-layout: fixed; }
.claims-table td { overflow-wrap: break-word; hyphens: auto; }
.c-line { width: 3.2rem; } .c-sentence { width: 25%; } .c-product { width: 11.5%; } .c-use { width: 13%; }
.c-kb { width: 31%; } .c-cited { width: 4.2rem; } .c-disclosed { width: 5.6rem; } .c-verdict { width: 10.5rem; }
.claims-table tr.bad { background: #fdecea; }
.verdict { display: inline-block; border-radius: .2rem; padding: 0 .35rem; color: #fff; font-size: .85em; }
.verdict.ok { background: var(--pass); } .verdict.bad { background: var(--error); }
.kind { color: var(--muted); font-size: .85em; }
.grade { margin: .3rem 0; } .state.ok { color: var(--pass); font-weight: 600; }
.state.above { color: var(--warning); font-weight: 600; } .state.over { color: var(--error); font-weight: 600; }
.meter { position: relative; height: 1rem; max-width: 34rem; background: var(--soft); border: 1px solid var(--line);
  border-radius: .2rem; margin: .4rem 0 1.8rem; }
.meter .fill { position: absolute; left: 0; top: 0; bottom: 0; border-radius: .2rem 0 0 .2rem; }
.fill.ok { background: var(--pass); } .fill.above { background: var(--warning); }
.fill.over { background: var(--error); }
.meter .tick { position: absolute; top: -.2rem; bottom: -.2rem; width: 2px; background: var(--text); }
.meter .tick span { position: absolute; top: 1.35rem; transform: translateX(-50%); font-size: .75rem;
  white-space: nowrap; color: var(--text); }
.readability-tables { display: flex; flex-wrap: wrap; gap: 1.2rem; align-items: flex-start; }
.readability-tables caption { text-align: left; font-weight: 600; padding-bottom: .2rem; }
table.scores th { font-weight: normal; } table.scores tr.used th { font-weight: 700; }
table.hardest { font-size: .9rem; } table.hardest tr.bad td { background: #fdecea; }
.none { color: var(--muted); font-style: italic; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  .filters, .skip { display: none !important; }
  .print-only { display: block; font-style: italic; }
  [data-filter-item][hidden], [data-filter-group][hidden] { display: block !important; }
  .finding, .source, tr { break-inside: avoid; }
  .post { break-before: page; }
  a.kb-source::after { content: " (" attr(href) ")"; word-break: break-all; }
  .scroll { overflow: visible; }
}
"""

_SCRIPT = """
(function () {
  "use strict";
  var KINDS = ["check", "severity"];
  var toolbar = document.getElementById("filters");
  var status = document.getElementById("filter-status");
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  function toggles(kind) { return all('button.toggle[data-filter="' + kind + '"]'); }
  function known(kind) { return toggles(kind).map(function (b) { return b.getAttribute("data-value"); }); }
  function pressed(kind) {
    return toggles(kind).filter(function (b) { return b.getAttribute("aria-pressed") === "true"; })
      .map(function (b) { return b.getAttribute("data-value"); });
  }
  function currentState() { return {check: pressed("check"), severity: pressed("severity")}; }

  function parse(kind, values) {
    var names = known(kind), out = [], unknown = [];
    var lower = names.map(function (n) { return n.toLowerCase(); });
    values.join(",").split(",").forEach(function (raw) {
      var v = raw.trim().toLowerCase(), at = lower.indexOf(v);
      if (!v || v === "none") { return; }
      if (v === "all") { out = out.concat(names); }
      else if (at >= 0) { out.push(names[at]); }
      else { unknown.push(raw.trim()); }
    });
    if (!out.length && unknown.length) { return {values: names, unknown: unknown}; }
    return {values: out.filter(function (v, i) { return out.indexOf(v) === i; }), unknown: unknown};
  }

  /* The filter as the address bar gives it: ?check=claims&severity=error or #check=claims (the fragment wins). */
  function stateFromUrl() {
    var state = {check: known("check"), severity: known("severity"), unknown: []};
    [location.search, location.hash].forEach(function (part) {
      var params = new URLSearchParams(part.replace(/^[?#]/, ""));
      KINDS.forEach(function (kind) {
        var values = params.getAll(kind);
        if (kind === "check") { values = values.concat(params.getAll("filter")); }
        if (!values.length) { return; }
        var parsed = parse(kind, values);
        state[kind] = parsed.values;
        state.unknown = state.unknown.concat(parsed.unknown);
      });
    });
    return state;
  }

  function describe(kind, values) {
    var names = known(kind);
    if (values.length === names.length) { return "all"; }
    return values.length ? values.join(",") : "none";
  }

  /* The one function both the buttons and the address bar go through. */
  function applyFilter(state, updateUrl) {
    KINDS.forEach(function (kind) {
      toggles(kind).forEach(function (b) {
        var on = state[kind].indexOf(b.getAttribute("data-value")) >= 0;
        b.setAttribute("aria-pressed", on ? "true" : "false");
      });
    });
    var shown = 0, total = 0;
    all("[data-filter-item]").forEach(function (el) {
      var sev = el.getAttribute("data-severity");
      var visible = state.check.indexOf(el.getAttribute("data-check")) >= 0 &&
        (!sev || state.severity.indexOf(sev) >= 0);
      el.hidden = !visible;
      if (el.classList.contains("finding") && !el.classList.contains("is-waived")) {
        total += 1;
        if (visible) { shown += 1; }
      }
    });
    all("[data-filter-group]").reverse().forEach(function (el) {
      el.hidden = !el.querySelector("[data-filter-item]:not([hidden])");
    });
    var posts = all(".post"), postsShown = posts.filter(function (p) { return !p.hidden; }).length;
    var text = "Showing " + shown + " of " + total + " findings in " + postsShown + " of " + posts.length +
      " posts (check: " + describe("check", state.check) + "; severity: " + describe("severity", state.severity) + ").";
    if (state.unknown && state.unknown.length) {
      text += " Ignored unknown filter value: " + state.unknown.join(", ") + ".";
    }
    status.textContent = text;
    document.body.setAttribute("data-filter",
      describe("check", state.check) + "|" + describe("severity", state.severity));
    if (updateUrl) {
      var everything = describe("check", state.check) === "all" && describe("severity", state.severity) === "all";
      var fragment = "#check=" + describe("check", state.check) + "&severity=" + describe("severity", state.severity);
      var target = everything && !/[?&](check|filter|severity)=/.test(location.search) ?
        location.pathname + location.search : fragment;
      try { history.replaceState(null, "", target); } catch (err) { location.hash = fragment; }
    }
  }

  toolbar.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-filter]");
    if (!button) { return; }
    var kind = button.getAttribute("data-filter"), action = button.getAttribute("data-action");
    var state = currentState();
    if (action === "all") { state[kind] = known(kind); }
    else if (action === "none") { state[kind] = []; }
    else {
      var value = button.getAttribute("data-value"), at = state[kind].indexOf(value);
      if (at >= 0) { state[kind].splice(at, 1); } else { state[kind].push(value); }
    }
    applyFilter(state, true);
  });
  window.addEventListener("hashchange", function () { applyFilter(stateFromUrl(), false); });
  toolbar.hidden = false;
  applyFilter(stateFromUrl(), false);
})();
"""

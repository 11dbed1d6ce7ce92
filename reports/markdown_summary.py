"""A Markdown summary for a pull-request comment or $GITHUB_STEP_SUMMARY.

Draft text (titles, messages, suggestions, reasons) is untrusted: HTML in it is escaped, and so are the
Markdown marks that would turn it into links, emphasis or table cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice
from urllib.parse import quote

from checks.model import Finding, Severity
from reports.model import PostReport, ReviewReport, one_line
from reports.wording import plural

MAX_ERRORS = 50
_MARKS = re.compile(r"([\\`*_\[\]|~])")  # inline marks: code, emphasis, links and images, cells, strike
_SURROGATE = re.compile("[\ud800-\udfff]")
_BLOCK_START = re.compile(r"^(\d*)([#+\-=.)])")  # what would open a heading or a list at a line's start


def render(report: ReviewReport, *, html_report: str | None = None) -> str:
    return "".join(chunks(report, html_report=html_report))


def chunks(report: ReviewReport, *, html_report: str | None = None) -> Iterator[str]:
    """The summary line by line (blank lines at the end dropped)."""
    blank = 0
    for line in _lines(report, html_report):
        if not line:
            blank += 1  # held back: written only if a line follows
            continue
        yield "\n" * blank + _SURROGATE.sub("\ufffd", line) + "\n"  # undecodable bytes of a post
        blank = 0


def _lines(report: ReviewReport, html_report: str | None) -> Iterator[str]:
    summary = report.summary()
    waived = sum(len(post.waived) for post in report.posts)
    failed = summary["failed"] > 0
    yield f"## medpress review: {'FAIL' if failed else 'PASS'}"
    yield ""
    yield (f"**{plural(summary['posts'], 'post')} reviewed: {summary['passed']} passed, {summary['failed']} failed** "
           f"({plural(summary['errors'], 'error')}, {plural(summary['warnings'], 'warning')}, "
           f"{plural(summary['infos'], 'info')}, {waived} waived)")
    yield ""
    if report.posts:
        yield "| Post | Status | Errors | Warnings | Infos | Grade |"
        yield "| --- | --- | ---: | ---: | ---: | ---: |"
        yield from (_post_row(post) for post in report.posts)
        yield ""
    rereview = [post for post in report.posts if post.needs_re_review]
    if rereview:  # approved under another policy, failing under this one (issue 17)
        yield f"### Needs re-review ({len(rereview)})"
        yield ""
        yield from (f"- {_code(post.path)}: {_cell(post.sign_off.get('detail', ''))}" for post in rereview)
        yield ""

    errors = ((post, item) for post in report.posts for item in post.findings if item.severity is Severity.ERROR)
    if summary["errors"]:
        yield from [f"### Errors ({summary['errors']})", "", "| Where | Rule | Message | Suggestion |",
                    "| --- | --- | --- | --- |"]
        for post, item in islice(errors, MAX_ERRORS):
            yield (f"| {_code(_where(post, item))} | {_code(item.rule)} | {_cell(item.message)} "
                   f"| {_cell(item.suggestion)} |")
        yield ""
        if summary["errors"] > MAX_ERRORS:
            more = summary["errors"] - MAX_ERRORS
            yield (f"... and {more} more error{'s' if more != 1 else ''}"
                   f"{' (see the full report)' if html_report else ''}.")
            yield ""

    if waived:
        yield from [f"### Waived ({waived})", "", "| Where | Rule | Message | Reason |", "| --- | --- | --- | --- |"]
        for post in report.posts:
            for waiver in post.waived:
                item = waiver.finding
                yield (f"| {_code(_where(post, item))} | {_code(item.rule)} | {_cell(item.message)} "
                       f"| {_cell(waiver.reason)} (suppressed at line {waiver.suppression_line}) |")
        yield ""

    skipped = [str(s) for s in report.run.get("skipped") or []]  # type: ignore[union-attr]
    if skipped:
        yield from ["### Skipped", "", *(f"- {_text(note)}" for note in skipped), ""]

    if html_report:
        yield f"[Full HTML report]({_url(html_report)})"


def _post_row(post: PostReport) -> str:
    counts = {s: sum(f.severity is s for f in post.findings) for s in Severity}
    metrics = post.metrics.get("readability")
    grade = metrics.get("grade") if isinstance(metrics, dict) else None
    grade_text = f"{grade:.1f}" if isinstance(grade, int | float) and not isinstance(grade, bool) else "-"
    name = _code(post.path) + (f"<br>{_cell(post.title)}" if post.title else "")
    return (f"| {name} | {'FAIL' if post.failed else 'PASS'} | {counts[Severity.ERROR]} "
            f"| {counts[Severity.WARNING]} | {counts[Severity.INFO]} | {grade_text} |")


def _where(post: PostReport, item: Finding) -> str:
    return f"{post.path}:{item.line}" if item.line else post.path


def _text(text: str) -> str:
    """Draft text as inert Markdown on one line: HTML escaped, Markdown marks backslash-escaped."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKS.sub(r"\\\1", text)
    text = re.sub(r"\s*(?:\r\n|\r|\n)\s*", " ", text).strip()
    return _BLOCK_START.sub(r"\1\\\2", text)


def _cell(text: str) -> str:
    """Text for a table cell: ``|`` and newlines cannot break the row."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKS.sub(r"\\\1", text)  # includes | -> \|
    return re.sub(r"\r\n|\r|\n", "<br>", text).strip()


def _code(text: str) -> str:
    """A code span (paths, rule ids); inside one only ``|`` needs escaping in a table."""
    text = one_line(text).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _url(url: str) -> str:
    return quote(url, safe=":/?#@!$&'*+,;=%~-._")


"""What a review run shows in the Prefect UI: its name, and a summary artifact that carries the findings themselves.

A link to a report file on the worker's disk (``file://``) opens nothing in a reviewer's browser, so the artifact
holds every error itself, post by post, as lists (a table's long cells are cut off in the UI; list items wrap).
When the reviewer's desk runs (``desk_url``), the artifact links to it as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from checks.model import Severity
from reports.markdown_summary import _code, _text, _url
from reports.model import PostReport, ReviewReport
from reports.wording import plural

MAX_LISTED = 200  # errors listed in the artifact; the rest are counted


def run_name(report: ReviewReport, content: str) -> str:
    """'review content/: 9 posts, 6 fail' (what the run did, as the Prefect UI lists it)."""
    summary = report.summary()
    folder = PurePosixPath(content.replace("\\", "/")).as_posix().rstrip("/") + "/"
    posts = summary["posts"]
    return (f"review {folder}: {posts} post{'s' if posts != 1 else ''}, "
            f"{summary['failed']} fail" + (f", {plural(summary['errors'], 'error')}" if summary["errors"] else ""))


def render(report: ReviewReport, *, desk_url: str | None = None) -> str:
    return "\n".join(_lines(report, desk_url)) + "\n"


def _lines(report: ReviewReport, desk_url: str | None) -> Iterator[str]:
    summary = report.summary()
    verdict = "FAIL" if summary["failed"] else "PASS"
    yield f"## medpress review: {verdict}"
    yield ""
    yield (f"**{plural(summary['posts'], 'post')}: {summary['passed']} pass, {summary['failed']} fail** "
           f"({plural(summary['errors'], 'error')}, {plural(summary['warnings'], 'warning')}, "
           f"{plural(summary['infos'], 'info')})")
    yield ""
    if desk_url:
        yield f"[Open the reviewer's desk]({_url(desk_url)})"
        yield ""
    rereview = [post for post in report.posts if post.needs_re_review]
    if rereview:  # approved under another policy, failing under this one (issue 17): first, for the reviewer
        yield f"### Needs re-review ({len(rereview)})"
        yield ""
        yield from (f"- {_code(post.path)}: {_text(post.sign_off.get('detail', ''))}" for post in rereview)
        yield ""
    listed = 0
    for post in report.posts:
        yield _post_line(post)
        for item in post.findings:
            if item.severity is not Severity.ERROR:
                continue
            listed += 1
            if listed > MAX_LISTED:
                continue
            where = f"line {item.line}" if item.line else "post"
            fix = f" Fix: {_text(item.suggestion)}" if item.suggestion else ""
            yield f"    - {_code(item.rule)} {where}: {_text(item.message)}{fix}"
    if listed > MAX_LISTED:
        yield ""
        yield f"... and {listed - MAX_LISTED} more errors (in the JSON and HTML reports)."
    skipped = [str(s) for s in report.run.get("skipped") or []]  # type: ignore[union-attr]
    if skipped:
        yield ""
        yield "**Not checked:**"
        yield from (f"- {_text(note)}" for note in skipped)


def _post_line(post: PostReport) -> str:
    counts = {s: sum(f.severity is s for f in post.findings) for s in Severity}
    title = f" {_text(post.title)}" if post.title else ""
    waived = f", {len(post.waived)} waived" if post.waived else ""
    return (f"- **{'FAIL' if post.failed else 'pass'}** {_code(post.path)}{title}: "
            f"{plural(counts[Severity.ERROR], 'error')}, {plural(counts[Severity.WARNING], 'warning')}{waived}")


def post_rows(report: ReviewReport, desk_url: str | None = None) -> list[dict[str, object]]:
    """One short row per post for the table artifact (short cells: nothing to cut off)."""
    rows: list[dict[str, object]] = []
    for post in report.posts:
        rules = sorted({f.rule for f in post.findings if f.severity is Severity.ERROR})
        row: dict[str, object] = {
            "post": post.path, "status": "fail" if post.failed else "pass",
            "sign_off": post.sign_off.get("state", ""),
            "errors": sum(f.severity is Severity.ERROR for f in post.findings),
            "warnings": sum(f.severity is Severity.WARNING for f in post.findings),
            "waived": len(post.waived), "error rules": ", ".join(rules)}
        if desk_url:
            row["desk"] = desk_url
        rows.append(row)
    return rows

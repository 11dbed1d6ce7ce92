"""Report formats: which writer makes which file. One place, used by the CLI and the Prefect flow.

Every file writer has ``chunks(report) -> Iterator[str]``, the file in pieces, which :func:`write_files` streams
into the file (atomically); ``render(report) -> str`` is the same joined.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path

from reports.files import write_atomically
from reports.model import ReviewReport

# format -> (file name in --output-dir, module with chunks(report) and render(report))
FILE_FORMATS: dict[str, tuple[str, str]] = {
    "json": ("review.json", "reports.json_report"),
    "sarif": ("review.sarif", "reports.sarif"),
    "junit": ("junit.xml", "reports.junit"),
    "html": ("report.html", "reports.html"),
    "markdown": ("summary.md", "reports.markdown_summary"),
}
STREAM_FORMATS = ("text", "github")


def renderer(name: str) -> Callable[[ReviewReport], str]:
    return import_module(FILE_FORMATS[name][1]).render  # type: ignore[no-any-return]


def chunker(name: str) -> Callable[[ReviewReport], Iterator[str]]:
    return import_module(FILE_FORMATS[name][1]).chunks  # type: ignore[no-any-return]


def write_files(report: ReviewReport, formats: list[str], folder: Path,
                approval: dict[str, tuple[str, str]] | None = None) -> dict[str, Path]:
    """Write each file format into ``folder``; the Markdown summary links the HTML report when both are made.
    ``approval`` (post path -> sign-off state and detail) goes into the HTML report."""
    written = {}
    for name in formats:
        if name not in FILE_FORMATS:
            continue
        path = folder / FILE_FORMATS[name][0]
        if name == "markdown":
            html = FILE_FORMATS["html"][0] if "html" in formats else None
            pieces = import_module("reports.markdown_summary").chunks(report, html_report=html)
        elif name == "html":
            pieces = import_module("reports.html").chunks(report, approval=approval)
        else:
            pieces = chunker(name)(report)
        write_atomically(path, pieces)
        written[name] = path
    return written

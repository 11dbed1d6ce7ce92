"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding.

    ::error file=content/posts/x.md,line=3,col=5,endLine=3,endColumn=12,title=CLM005::message (suggestion)

Escaping follows the Actions toolkit: in the message ``%``, CR and LF; in properties also ``:`` and ``,``.
GitHub's columns are inclusive and only meaningful on one line, so ``col``/``endColumn`` are given for
single-line findings only (medpress's end column is exclusive, hence ``endColumn = end_column - 1``).
Waived findings are not annotated: they were waived on purpose, with a reason, in the post.
"""

from __future__ import annotations

import re

from checks.model import Finding, Severity
from reports.model import ReviewReport

_SURROGATE = re.compile("[\ud800-\udfff]")
COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(report: ReviewReport) -> str:
    lines = [annotation(post.path, item) for post in report.posts for item in post.findings]
    return _SURROGATE.sub("\ufffd", "".join(line + "\n" for line in lines))  # undecodable bytes of a post


def annotation(path: str, item: Finding) -> str:
    properties = {"file": path, "line": str(item.line or 1)}
    if item.line:
        single_line = item.end_line in (None, item.line)
        if single_line and item.column:
            properties["col"] = str(item.column)
        if item.end_line and item.end_line >= item.line:
            properties["endLine"] = str(item.end_line)
        if single_line and item.column and item.end_column:
            properties["endColumn"] = str(max(item.column, item.end_column - 1))
    properties["title"] = item.rule
    message = item.message + (f" ({item.suggestion})" if item.suggestion else "")
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{COMMANDS[item.severity]} {props}::{escape_data(message)}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")

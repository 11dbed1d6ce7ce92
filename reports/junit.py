"""JUnit XML for CI test dashboards: a test suite per post, a test case per post and check.

A case fails when its check has findings at or above ``fail_on`` (error by default), listing them one
a line as ``path:line:col RULE message``; it is skipped when the run skipped the check (e.g. grammar with
--no-grammar); findings below ``fail_on`` and waived findings go to its ``<system-out>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from checks.model import Finding, Severity
from checks.registry import CHECKS
from reports.model import PostReport, ReviewReport, one_line

FAIL_ON = ("error", "warning", "info", "never")
# Characters XML 1.0 cannot carry (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render(report: ReviewReport, *, fail_on: str = "error") -> str:
    return "".join(chunks(report, fail_on=fail_on))


def chunks(report: ReviewReport, *, fail_on: str = "error") -> Iterator[str]:
    """The XML suite by suite (the bytes of ``ET.tostring`` of the whole tree, never held as one string)."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    floor = None if fail_on == "never" else Severity(fail_on).rank
    skipped = _skipped_checks(report)
    root = ET.Element("testsuites", {"name": "medpress"})
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for post in report.posts:
        suite = _suite(post, floor, skipped)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        root.append(suite)
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    root.set("skipped", str(totals["skipped"]))
    ET.indent(root)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    if not len(root):
        yield ET.tostring(root, encoding="unicode") + "\n"
        return
    shell = ET.Element(root.tag, root.attrib)  # the root's own tags around its suites
    shell.text = root.text
    start = ET.tostring(shell, encoding="unicode")
    yield start.removesuffix(f"</{root.tag}>")
    for suite in root:
        yield ET.tostring(suite, encoding="unicode")  # with its tail: the indentation before the next tag
    yield f"</{root.tag}>\n"


def _skipped_checks(report: ReviewReport) -> dict[str, str]:
    """check -> why, from run["skipped"] notes such as ``grammar: skipped on request (--no-grammar)``."""
    found: dict[str, str] = {}
    for note in report.run.get("skipped") or []:  # type: ignore[union-attr]
        head = str(note).split(":", 1)[0].strip().lower()
        if head in CHECKS:
            found.setdefault(head, str(note))
    return found


def _suite(post: PostReport, floor: int | None, skipped: dict[str, str]) -> ET.Element:
    checks = list(CHECKS)
    checks += sorted({item.check for item in post.findings} - set(checks))  # a check the registry lacks still shows
    suite = ET.Element("testsuite", {"name": _clean(post.path)})
    failures = skips = 0
    by_check: dict[str, list[Finding]] = {}
    for item in post.findings:  # one pass: a post may have 100,000 findings
        by_check.setdefault(item.check, []).append(item)
    for check in checks:
        case = ET.SubElement(suite, "testcase", {"classname": _clean(post.path), "name": check})
        found = by_check.get(check, [])
        failing = [item for item in found if floor is not None and item.severity.rank >= floor]
        # by position, never `item not in failing`: findings compare field by field (quadratic on many findings)
        others = [item for item in found if floor is None or item.severity.rank < floor]
        if failing:
            failures += 1
            counts = ", ".join(f"{n} {s.value}" for s in Severity if (n := sum(i.severity is s for i in failing)))
            failure = ET.SubElement(case, "failure", {"message": f"{check}: {counts}", "type": check})
            failure.text = _clean("\n".join(_line(post.path, item) for item in failing))
        elif check in skipped:
            skips += 1
            ET.SubElement(case, "skipped", {"message": _clean(skipped[check])})
        out = [f"[{item.severity.value}] {_line(post.path, item)}" for item in others]
        out += [f"[waived: {w.reason}] {_line(post.path, w.finding)}" for w in post.waived if w.finding.check == check]
        if out:
            ET.SubElement(case, "system-out").text = _clean("\n".join(out))
    suite.set("tests", str(len(checks)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skips))
    return suite


def _line(path: str, item: Finding) -> str:
    """``path:line:col RULE message``; a whole-post finding is put at 1:1."""
    where = f"{one_line(path)}:{item.line or 1}:{item.column or 1}"  # a newline in a file name: escaped
    text = f"{item.rule} {item.message}"
    if item.suggestion:
        text += f" ({item.suggestion})"
    return where + " " + text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)

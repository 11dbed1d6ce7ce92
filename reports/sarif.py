"""SARIF 2.1.0 for GitHub code scanning: one run, every rule described, one result per finding.

Waived findings (inline suppressions with a reason) are results too, marked with an ``inSource``
suppression that carries the reason, so code scanning shows them as dismissed rather than losing them.
Columns are Unicode code points, end exclusive, like medpress's own (``run.columnKind``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from checks.grammar import RULE_PREFIX, explain_dynamic
from checks.model import Finding, Rule, Severity
from checks.registry import ALL_RULES, AUDIT_RULES
from reports.model import PostReport, ReviewReport, Waived

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_URL_VARIABLE = "MEDPRESS_DOCS_URL"  # base URL of the clinic's copy of the docs site (mkdocs build)
FINGERPRINT = "medpress/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_SURROGATE = re.compile("[\ud800-\udfff]")
_EXAMPLE_LIMIT = 1500  # characters of a rule example shown in its help, as `medpress explain` does


def render(report: ReviewReport) -> str:
    return "".join(chunks(report))


def chunks(report: ReviewReport) -> Iterator[str]:
    """The log as JSON, result by result: the bytes of ``json.dumps(_clean(to_sarif(report)), ensure_ascii=False)``
    without ever holding them (or every result) at once.

    Not indented: only then does json use its C encoder (the indenting one is pure Python, 22 s for 100,000
    findings against 2 s). Code scanning and SARIF viewers read it; `python -m json.tool` pretty-prints it."""
    tool, results, properties = _parts(report)
    yield (f'{{"$schema": {_dumps(SCHEMA_URI)}, "version": "2.1.0", "runs": [{{"tool": {_dumps(tool)}, '
           f'"columnKind": "unicodeCodePoints", "results": [')
    for number, result in enumerate(results):
        yield (", " if number else "") + _dumps(result)
    yield f'], "properties": {_dumps(properties)}}}]}}\n'


def to_sarif(report: ReviewReport) -> dict[str, object]:
    """The SARIF log as a dict (``render`` is this, as JSON)."""
    tool, results, properties = _parts(report)
    run = {"tool": tool, "columnKind": "unicodeCodePoints", "results": list(results), "properties": properties}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _parts(report: ReviewReport) -> tuple[dict[str, object], Iterator[dict[str, object]], dict[str, object]]:
    """The run's tool, its results (made as they are read) and its properties."""
    entries = list(_entries(report))
    descriptors = _descriptors(entries)
    index = {descriptor["id"]: i for i, descriptor in enumerate(descriptors)}
    seen: dict[str, int] = {}
    results = (_result(post, item, waiver, index[item.rule], seen) for post, item, waiver in entries)
    versions = report.run.get("versions") or {}
    driver: dict[str, object] = {"name": "medpress",
                                 "version": str(versions.get("medpress", "unknown")),  # type: ignore[union-attr]
                                 "rules": descriptors}
    if docs_url():
        driver["informationUri"] = docs_url() + "/"
    tool = {"driver": driver}
    properties = {"policy_hash": report.run.get("policy_hash"), "policy_version": report.run.get("policy_version"),
                  "skipped": list(report.run.get("skipped") or []),  # type: ignore[call-overload]
                  "git_commit": report.run.get("git_commit"), "summary": report.summary()}
    return tool, results, properties


def docs_url() -> str:
    """The docs site's base URL from MEDPRESS_DOCS_URL, or "" when none is set.

    Without one, rules carry no help URI at all rather than a link that 404s: their help text is in the SARIF."""
    return os.environ.get(DOCS_URL_VARIABLE, "").strip().rstrip("/")


def _help_uri(descriptor: dict[str, object], anchor: str) -> dict[str, object]:
    if docs_url():
        descriptor["helpUri"] = f"{docs_url()}/rules/#{anchor}"
    return descriptor


def _dumps(value: object) -> str:
    return json.dumps(_clean(value), ensure_ascii=False)


def _clean(value: object) -> object:
    """Lone surrogates (undecodable bytes of a post) become U+FFFD: SARIF is UTF-8 text."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _entries(report: ReviewReport) -> Iterator[tuple[PostReport, Finding, Waived | None]]:
    """(post, finding, waiver or None) for every reported and every waived finding."""
    for post in report.posts:
        for item in post.findings:
            yield post, item, None
        for waiver in post.waived:
            yield post, waiver.finding, waiver


# --- rules -------------------------------------------------------------------------------------------------


def _descriptors(entries: list[tuple[PostReport, Finding, Waived | None]]) -> list[dict[str, object]]:
    """Every registry rule, then every other rule id the report uses (GR-* and any unknown id)."""
    descriptors = [_rule_descriptor(rule) for rule in ALL_RULES]
    known = {rule.id for rule in ALL_RULES}
    extra: dict[str, list[Finding]] = {}
    for _post, item, _waiver in entries:
        if item.rule not in known:
            extra.setdefault(item.rule, []).append(item)
    audit = {rule.id: rule for rule in AUDIT_RULES}
    for rule_id, items in extra.items():
        known_rule = audit.get(rule_id)
        descriptors.append(_rule_descriptor(known_rule) if known_rule else _dynamic_descriptor(rule_id, items))
    return descriptors


def _rule_descriptor(rule: Rule) -> dict[str, object]:
    title = _first_sentence(rule.rationale) or rule.name
    text = "\n\n".join([rule.rationale, "Fails:\n" + _example(rule.failing), "Passes:\n" + _example(rule.passing)])
    markdown = "\n\n".join([f"**{rule.id} {rule.name}** ({rule.check})", _md_text(rule.rationale),
                            "Fails:", _fenced(_example(rule.failing)), "Passes:", _fenced(_example(rule.passing))])
    return _help_uri({"id": rule.id, "name": rule.name, "shortDescription": {"text": title},
                      "fullDescription": {"text": rule.rationale}, "help": {"text": text, "markdown": markdown},
                      "defaultConfiguration": {"level": LEVELS[rule.severity]},
                      "properties": {"tags": [rule.check]}}, rule.id.lower())


def _dynamic_descriptor(rule_id: str, items: list[Finding]) -> dict[str, object]:
    """A rule outside the registry: GR-<LanguageTool id> (explained by its family), or an unknown id."""
    family = explain_dynamic(rule_id)
    check = items[0].check
    anchor = rule_id.lower()
    if family is not None:
        anchor = "gr-languagetool"  # docs/rules.md explains every GR-* rule in one section
        name = rule_id[len(RULE_PREFIX) :].lower()
        short = f"LanguageTool rule {rule_id[len(RULE_PREFIX) :]}"
        rationale = family
    else:
        name = rule_id.lower()
        short = f"Rule {rule_id}"
        rationale = f"Rule {rule_id} of the {check} check."
    worst = max((item.severity for item in items), key=lambda s: s.rank)
    return _help_uri({"id": rule_id, "name": name, "shortDescription": {"text": short},
                      "fullDescription": {"text": rationale},
                      "help": {"text": rationale, "markdown": _md_text(rationale)},
                      "defaultConfiguration": {"level": LEVELS[worst]}, "properties": {"tags": [check]}}, anchor)


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?(?<!e\.g\.)(?<!i\.e\.)[.!?])(?=\s+[A-Z(]|$)", text.strip(), re.S)
    return (match.group(1) if match else text.strip())[:200]


def _example(text: str) -> str:
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # \udcff stands for a raw byte
    return text if len(text) <= _EXAMPLE_LIMIT else text[:_EXAMPLE_LIMIT] + "\n[... example continues ...]"


def _fenced(text: str) -> str:
    """A fenced code block that no backtick run inside ``text`` can close."""
    fence = "`" * max(3, max((len(run) + 1 for run in re.findall(r"`+", text)), default=0))
    return f"{fence}markdown\n{text.rstrip()}\n{fence}"


def _md_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- results -----------------------------------------------------------------------------------------------


def _result(post: PostReport, item: Finding, waiver: Waived | None, rule_index: int,
            seen: dict[str, int]) -> dict[str, object]:
    text = item.message + (f"\nSuggestion: {item.suggestion}" if item.suggestion else "")
    result: dict[str, object] = {
        "ruleId": item.rule, "ruleIndex": rule_index, "level": LEVELS[item.severity],
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact(post.path), "region": _region(item)}}],
        "partialFingerprints": {FINGERPRINT: _fingerprint(post.path, item, seen)},
        "properties": {"check": item.check, "severity": item.severity.value, "slug": post.slug,
                       **({"excerpt": item.excerpt} if item.excerpt else {})},
    }
    if waiver is not None:
        suppression: dict[str, object] = {"kind": "inSource", "justification": waiver.reason}
        line = waiver.suppression_line
        if line >= 1:
            suppression["location"] = {"physicalLocation": {"artifactLocation": _artifact(post.path),
                                                            "region": {"startLine": line}}}
        result["suppressions"] = [suppression]
    return result


def _artifact(path: str) -> dict[str, object]:
    if PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute():
        posix = path.replace("\\", "/")
        return {"uri": "file://" + quote(posix if posix.startswith("/") else "/" + posix, safe="/:")}
    return {"uri": quote(path.replace("\\", "/"), safe="/"), "uriBaseId": "%SRCROOT%"}


def _region(item: Finding) -> dict[str, int]:
    """1-based, end column exclusive (as SARIF's); a whole-post finding is put on line 1."""
    start_line = item.line if item.line and item.line >= 1 else 1
    region = {"startLine": start_line}
    if item.line and item.column and item.column >= 1:
        region["startColumn"] = item.column
    end_line = item.end_line if item.line and item.end_line and item.end_line >= start_line else None
    if end_line is not None:
        region["endLine"] = end_line
        if "startColumn" in region and item.end_column and item.end_column >= 1 and (
                end_line > start_line or item.end_column >= item.column):  # type: ignore[operator]
            region["endColumn"] = item.end_column
    return region


def _fingerprint(path: str, item: Finding, seen: dict[str, int]) -> str:
    """Stable across runs and line moves: rule, path and the flagged text; ``:n`` tells repeats apart."""
    material = "\0".join([item.rule, path, item.excerpt or item.message])
    digest = hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()
    seen[digest] = seen.get(digest, 0) + 1
    return f"{digest}:{seen[digest]}"

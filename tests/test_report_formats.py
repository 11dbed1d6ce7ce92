"""The CI report formats (SARIF, JUnit, GitHub annotations, Markdown summary) agree with the JSON contract."""

from __future__ import annotations

import copy
import importlib
import importlib.util
import json
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest

from checks.grammar import explain_dynamic
from checks.model import Finding, Severity
from checks.registry import ALL_RULES, CHECKS
from reports import github, json_report, junit, markdown_summary, sarif
from reports.model import PostReport, ReviewReport, Waived
from tests.conftest import CONTENT

SCHEMA_PATH = Path(__file__).parent / "schemas" / "sarif-2.1.0.json"


@pytest.fixture(scope="module")
def real_report() -> Iterator[ReviewReport]:
    """The fixture posts, reviewed without grammar (paths content/posts/..., relative to tests/fixtures)."""
    from flows.engine.steps import ReviewOptions, review_plain

    old = Path.cwd()
    os.chdir(CONTENT.parent)
    try:
        yield review_plain(ReviewOptions(content_dir=Path("content"), grammar=False))
    finally:
        os.chdir(old)


def _finding(rule: str, check: str, severity: Severity, message: str, line: int | None = None,
             **more: object) -> Finding:
    return Finding(check=check, rule=rule, severity=severity, message=message, line=line, **more)  # type: ignore[arg-type]


@pytest.fixture
def tricky_report(real_report: ReviewReport) -> ReviewReport:
    """Hand-made findings with everything a writer must escape, a GR-* rule, a whole-post finding, a waiver."""
    first = PostReport(path="content/posts/odd, name: x.md", slug="odd", title="Odd <b>title</b> | pipe",
                       content_hash="sha256:0", metrics={"readability": {"grade": 9.25}})
    first.findings = [
        _finding("LNK001", "links", Severity.ERROR, "line one\nline two, with a comma: and 100% more", 3, column=5,
                 end_line=3, end_column=12, excerpt="[x](/blog/gone/)", suggestion="Fix it, please"),
        _finding("CLM005", "claims", Severity.ERROR, "“painless” | pipe in a message", 4, column=1, end_line=4,
                 end_column=9, suggestion="Say *how* it feels"),
        _finding("CLM006", "claims", Severity.ERROR, "draft says <script>alert(1)</script>", 5, column=2,
                 end_line=6, end_column=3),
        _finding("RD002", "readability", Severity.ERROR, "reading grade 15.1 is above the limit"),
        _finding("GR-MORFOLOGIK_RULE_EN_US", "grammar", Severity.WARNING, "Possible spelling mistake (“Botx”)", 7,
                 column=1, end_line=7, end_column=5, excerpt="Botx works"),
        _finding("DSC002", "disclaimers", Severity.INFO, "paraphrased disclaimer", 9, column=1, end_line=9,
                 end_column=20),
    ]
    waived = _finding("CLM004", "claims", Severity.ERROR, "off-label use not disclosed", 11, column=1, end_line=11,
                      end_column=30, excerpt="Botox for back pain")
    first.waived = [Waived(waived, "Disclosed in the FAQ | approved by <J. Doe>", 10)]
    clean = PostReport(path="content/posts/clean.md", slug="clean", title="Clean", content_hash="sha256:1")
    run = copy.deepcopy(real_report.run)
    run["skipped"] = ["grammar: skipped on request (--no-grammar)"]
    return ReviewReport(run=run, posts=[first, clean])


def _waived(report: ReviewReport) -> list[dict]:
    return [w for post in report.posts for w in getattr(post, "waived", None) or []]


# --- SARIF -------------------------------------------------------------------------------------------------


def test_the_shipped_schema_is_the_official_oasis_one() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    jsonschema.validators.validator_for(schema).check_schema(schema)


@pytest.mark.parametrize("which", ["real", "tricky"])
def test_sarif_validates_against_the_official_schema(which: str, real_report: ReviewReport,
                                                     tricky_report: ReviewReport) -> None:
    report = real_report if which == "real" else tricky_report
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)  # the schema says draft-04
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    log = json.loads(sarif.render(report))
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]]
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1


@pytest.mark.parametrize("which", ["real", "tricky"])
def test_every_finding_is_exactly_one_sarif_result(which: str, real_report: ReviewReport,
                                                   tricky_report: ReviewReport) -> None:
    report = real_report if which == "real" else tricky_report
    run = json.loads(sarif.render(report))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    active = [r for r in run["results"] if "suppressions" not in r]
    suppressed = [r for r in run["results"] if "suppressions" in r]

    def key(uri: str, rule: str, line: int | None, message: str) -> tuple[str, str, int, str]:
        return (uri, rule, line or 1, message)

    expected = Counter(key(post.path, f.rule, f.line, f.message) for post in report.posts for f in post.findings)
    got = Counter(key(unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]), r["ruleId"],
                      r["locations"][0]["physicalLocation"]["region"]["startLine"],
                      r["message"]["text"].split("\nSuggestion: ")[0]) for r in active)
    assert got == expected
    assert len(active) == len(report.findings)
    assert len(suppressed) == len(_waived(report))
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"].get("uriBaseId") == "%SRCROOT%"
    fingerprints = [r["partialFingerprints"]["medpress/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
    ids = [r["id"] for r in rules]
    assert len(set(ids)) == len(ids)
    assert {rule.id for rule in ALL_RULES} <= set(ids)
    assert run["properties"]["policy_hash"] == report.run["policy_hash"]
    assert run["properties"]["skipped"] == report.run["skipped"]
    assert run["tool"]["driver"]["version"] == report.run["versions"]["medpress"]  # type: ignore[index]


def test_sarif_details(tricky_report: ReviewReport, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDPRESS_DOCS_URL", "https://docs.clinic.example/medpress/")  # the clinic's docs site
    log = json.loads(sarif.render(tricky_report))
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    by_rule = {r["ruleId"]: r for r in run["results"]}

    grammar_rule = rules["GR-MORFOLOGIK_RULE_EN_US"]
    assert grammar_rule["fullDescription"]["text"] == explain_dynamic("GR-MORFOLOGIK_RULE_EN_US")
    assert grammar_rule["defaultConfiguration"]["level"] == "warning"
    assert grammar_rule["helpUri"] == "https://docs.clinic.example/medpress/rules/#gr-languagetool"  # every GR-* rule
    if importlib.util.find_spec("reports.rules_doc"):  # every helpUri lands on a section of docs/rules.md
        anchors = set(re.findall(r"^## (\S+)$", importlib.import_module("reports.rules_doc").render(), re.M))
        missing = {r["helpUri"] for r in rules.values() if r["helpUri"].split("#")[1] not in anchors}
        assert not missing, sorted(missing)

    lnk = rules["LNK001"]
    registry = next(r for r in ALL_RULES if r.id == "LNK001")
    assert lnk["fullDescription"]["text"] == registry.rationale
    assert lnk["properties"]["tags"] == ["links"]
    assert lnk["helpUri"] == "https://docs.clinic.example/medpress/rules/#lnk001"
    assert run["tool"]["driver"]["informationUri"] == "https://docs.clinic.example/medpress/"
    assert "Fails:" in lnk["help"]["text"] and "Passes:" in lnk["help"]["markdown"]

    assert by_rule["RD002"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}  # whole post
    assert by_rule["LNK001"]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 12}
    assert by_rule["LNK001"]["message"]["text"].endswith("\nSuggestion: Fix it, please")
    assert by_rule["DSC002"]["level"] == "note"
    assert by_rule["CLM004"]["suppressions"] == [{
        "kind": "inSource", "justification": "Disclosed in the FAQ | approved by <J. Doe>",
        "location": {"physicalLocation": {"artifactLocation": {"uri": "content/posts/odd%2C%20name%3A%20x.md",
                                                               "uriBaseId": "%SRCROOT%"},
                                          "region": {"startLine": 10}}}}]
    # the fingerprint ignores the line: moving a finding keeps its alert
    moved = copy.deepcopy(tricky_report)
    moved.posts[0].findings[0] = Finding(**{**moved.posts[0].findings[0].to_dict(), "severity": Severity.ERROR,
                                            "line": 30, "end_line": 30})
    again = {r["ruleId"]: r for r in json.loads(sarif.render(moved))["runs"][0]["results"]}
    assert again["LNK001"]["partialFingerprints"] == by_rule["LNK001"]["partialFingerprints"]


def test_sarif_without_a_docs_site_links_nowhere_rather_than_to_a_404(tricky_report: ReviewReport,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDPRESS_DOCS_URL", raising=False)
    driver = json.loads(sarif.render(tricky_report))["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver
    assert not [rule["id"] for rule in driver["rules"] if "helpUri" in rule]
    assert all(rule["help"]["text"] for rule in driver["rules"])  # the help itself travels in the log


# --- counts across formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["real", "tricky"])
def test_counts_agree_across_json_sarif_and_junit(which: str, real_report: ReviewReport,
                                                  tricky_report: ReviewReport) -> None:
    report = real_report if which == "real" else tricky_report
    summary = json.loads(json_report.render(report))["summary"]
    results = json.loads(sarif.render(report))["runs"][0]["results"]
    levels = Counter(r["level"] for r in results if "suppressions" not in r)
    assert (levels["error"], levels["warning"], levels["note"]) == (
        summary["errors"], summary["warnings"], summary["infos"])
    assert sum(1 for r in results if "suppressions" in r) == len(_waived(report))

    root = ET.fromstring(junit.render(report))
    failing_pairs = {(post.path, f.check) for post in report.posts for f in post.findings
                     if f.severity is Severity.ERROR}
    assert int(root.get("failures")) == len(failing_pairs)
    assert len(root.findall(".//testcase/failure")) == len(failing_pairs)
    failed_posts = {path for path, _check in failing_pairs}
    assert len(failed_posts) == summary["failed"]
    lines = [line for failure in root.iter("failure") for line in (failure.text or "").splitlines()]
    assert len(lines) == summary["errors"]


# --- JUnit -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["real", "tricky"])
def test_junit_has_one_testcase_per_post_and_check(which: str, real_report: ReviewReport,
                                                   tricky_report: ReviewReport) -> None:
    report = real_report if which == "real" else tricky_report
    root = ET.fromstring(junit.render(report))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [post.path for post in report.posts]
    cases = [(case.get("classname"), case.get("name")) for case in root.iter("testcase")]
    assert sorted(cases) == sorted((post.path, check) for post in report.posts for check in CHECKS)
    for suite in suites:
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped"))
    for attribute in ("tests", "failures", "skipped"):
        assert int(root.get(attribute)) == sum(int(s.get(attribute)) for s in suites)
    grammar_skipped = [case for case in root.iter("testcase") if case.get("name") == "grammar"
                       and case.find("skipped") is not None]
    assert len(grammar_skipped) == len(report.posts)  # every report here ran with grammar skipped


def test_junit_failure_lines_and_fail_on(tricky_report: ReviewReport) -> None:
    root = ET.fromstring(junit.render(tricky_report))
    case = next(c for c in root.iter("testcase") if c.get("name") == "links"
                and c.get("classname") == tricky_report.posts[0].path)
    text = case.find("failure").text
    assert text.startswith("content/posts/odd, name: x.md:3:5 LNK001 line one line two, with a comma")
    readability = next(c for c in root.iter("testcase") if c.get("name") == "readability"
                       and c.get("classname") == tricky_report.posts[0].path)
    assert readability.find("failure").text.startswith("content/posts/odd, name: x.md:1:1 RD002 ")
    disclaimers = next(c for c in root.iter("testcase") if c.get("name") == "disclaimers"
                       and c.get("classname") == tricky_report.posts[0].path)
    assert disclaimers.find("failure") is None
    assert "DSC002" in disclaimers.find("system-out").text
    claims = next(c for c in root.iter("testcase") if c.get("name") == "claims"
                  and c.get("classname") == tricky_report.posts[0].path)
    assert "waived: Disclosed in the FAQ" in claims.find("system-out").text

    strict = ET.fromstring(junit.render(tricky_report, fail_on="info"))
    failing = {c.get("name") for c in strict.iter("testcase") if c.find("failure") is not None}
    assert failing == {"links", "claims", "readability", "grammar", "disclaimers"}
    odd, clean = strict.findall("testsuite")
    assert odd.find("testcase[@name='grammar']/skipped") is None  # a failure wins over a skip
    assert clean.find("testcase[@name='grammar']/skipped") is not None
    assert ET.fromstring(junit.render(tricky_report, fail_on="never")).get("failures") == "0"
    with pytest.raises(ValueError):
        junit.render(tricky_report, fail_on="fatal")


# --- GitHub annotations ------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["real", "tricky"])
def test_github_annotation_per_finding(which: str, real_report: ReviewReport, tricky_report: ReviewReport) -> None:
    report = real_report if which == "real" else tricky_report
    lines = github.render(report).splitlines()
    assert len(lines) == len(report.findings)
    expected = Counter({"error": 0, "warning": 0, "notice": 0})
    expected.update({"error": "error", "warning": "warning", "info": "notice"}[f.severity.value]
                    for f in report.findings)
    got = Counter({"error": 0, "warning": 0, "notice": 0})
    got.update(re.match(r"::(error|warning|notice) file=", line).group(1) for line in lines)  # type: ignore[union-attr]
    assert got == expected


def test_github_escaping(tricky_report: ReviewReport) -> None:
    lines = github.render(tricky_report).splitlines()
    assert len(lines) == 6  # the waived finding is not annotated
    first = lines[0]
    assert first == ("::error file=content/posts/odd%2C name%3A x.md,line=3,col=5,endLine=3,endColumn=11,"
                     "title=LNK001::line one%0Aline two, with a comma: and 100%25 more (Fix it, please)")
    whole_post = next(line for line in lines if "title=RD002" in line)
    assert whole_post.startswith("::error file=content/posts/odd%2C name%3A x.md,line=1,title=RD002::")
    multi_line = next(line for line in lines if "title=CLM006" in line)
    assert ",line=5,endLine=6,title=" in multi_line  # columns only for a single line
    assert next(line for line in lines if "title=DSC002" in line).startswith("::notice ")
    assert next(line for line in lines if "title=GR-" in line).startswith("::warning ")
    assert github.escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert github.escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


# --- Markdown summary --------------------------------------------------------------------------------------


def test_markdown_summary_of_the_real_report(real_report: ReviewReport) -> None:
    text = markdown_summary.render(real_report, html_report="reports/review 1.html")
    summary = real_report.summary()
    assert text.startswith("## medpress review: FAIL")
    assert f"{summary['errors']} errors" in text
    for post in real_report.posts:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{post.path}`"))
        assert ("| FAIL |" if post.failed else "| PASS |") in row
    assert "grammar: skipped on request" in text
    assert "[Full HTML report](reports/review%201.html)" in text


def test_markdown_summary_escapes_draft_text(tricky_report: ReviewReport) -> None:
    text = markdown_summary.render(tricky_report)
    assert "`content/posts/odd, name: x.md`" in text  # the failing post
    assert "“painless” \\| pipe in a message" in text
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>" not in text and "Odd &lt;b&gt;title&lt;/b&gt; \\| pipe" in text
    assert "line one<br>line two" in text  # a newline cannot end the table row
    assert "Say \\*how\\* it feels" in text
    assert "Disclosed in the FAQ \\| approved by &lt;J. Doe&gt;" in text  # the waiver's reason
    assert "HTML report" not in text
    for line in text.splitlines():  # every table row keeps its columns
        if line.startswith("| "):
            assert len(re.findall(r"(?<!\\)\|", line)) in (5, 7)


def test_markdown_summary_caps_the_error_list(tricky_report: ReviewReport) -> None:
    many = copy.deepcopy(tricky_report)
    many.posts[1].findings = [_finding("CLM005", "claims", Severity.ERROR, f"absolute claim {i}", i + 1)
                              for i in range(60)]
    text = markdown_summary.render(many, html_report="https://ci.example/report.html")
    assert "absolute claim 45" in text and "absolute claim 46" not in text  # after the first post's 4 errors
    assert "... and 14 more errors (see the full report)." in text  # 64 errors, 50 shown


def test_markdown_summary_of_a_clean_report(tricky_report: ReviewReport) -> None:
    clean = ReviewReport(run={**tricky_report.run, "skipped": []}, posts=[tricky_report.posts[1]])
    text = markdown_summary.render(clean)
    assert text.startswith("## medpress review: PASS")
    assert "### Errors" not in text and "### Skipped" not in text


def test_a_finding_serialises_every_field_and_back() -> None:
    from dataclasses import fields

    from checks.model import Finding, Severity

    item = Finding("links", "LNK001", Severity.ERROR, "no post", 3, 5, 3, 20, "[x](/blog/x/)", "Did you mean?")
    data = item.to_dict()
    assert list(data) == [f.name for f in fields(Finding)] and data["severity"] == "error"
    assert Finding.from_dict(data) == item

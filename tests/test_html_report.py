"""The HTML report in a real headless Chromium: URL-driven filters, escaping of drafts, a screenshot for review.

Chromium (Debian's /usr/bin/chromium, installed by tools/install-chromium.sh) runs the report's own JS:
``--dump-dom`` gives the DOM after the script ran, ``--screenshot`` what a reviewer sees. A filter is applied
through the address bar (``report.html#check=claims``), which the report's JS feeds to the same function the
filter buttons call; one test clicks the buttons instead and checks both ways end in the same DOM.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from flows.engine.steps import ReviewOptions, review_plain
from reports.html import render
from reports.model import ReviewReport
from tests.conftest import AS_COMMITTED, CONTENT, POLICY, ROOT

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "install it with tools/install-chromium.sh (apt-get install -y --no-install-recommends chromium)"
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOT = ARTIFACTS / "report-claims.png"
POSTS = ("glp1-weight-loss.md", "botox-pain-management.md", "first-botox-appointment.md")
XSS_POST = """---
title: "Laser facts <script>document.title='PWNED-TITLE'</script>"
slug: laser-facts
date: 2025-03-01
author: "Dr. Test"
status: draft
summary: "A draft that tries to inject script into the review report."
---

Our laser hair removal is painless and permanent. <script>alert(1)</script> <script>document.title='PWNED'</script>
Ask us about it. <img src="x" onerror="document.title='PWNED-IMG'">
"""


def chromium() -> str:
    """The Chromium binary; the test fails (never skips) without it."""
    found = str(CHROMIUM) if CHROMIUM.is_file() else shutil.which("chromium")
    if not found:
        pytest.fail(f"headless Chromium is required for the HTML report test but {CHROMIUM} is missing: "
                    f"{INSTALL_HINT}", pytrace=False)
    return found


def run_chromium(url: str, profile: Path, *extra: str) -> str:
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
               f"--user-data-dir={profile}", "--virtual-time-budget=2000", *extra, url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert result.returncode == 0, f"chromium exited {result.returncode}:\n{result.stderr[-3000:]}"
    return result.stdout


def dump_dom(url: str, profile: Path) -> tuple[str, BeautifulSoup]:
    dom = run_chromium(url, profile, "--dump-dom")
    assert "<html" in dom, f"chromium printed no DOM for {url}"
    return dom, BeautifulSoup(dom, "html.parser")


def shown(element: Tag) -> bool:
    """What a reviewer sees: neither the element nor an ancestor carries ``hidden``."""
    return not any(node.has_attr("hidden") for node in (element, *element.parents) if isinstance(node, Tag))


def post_section(soup: BeautifulSoup, title_part: str) -> Tag:
    for section in soup.select("section.post"):
        heading = section.find("h2")
        if heading and title_part in heading.get_text():
            return section
    raise AssertionError(f"no post section titled {title_part!r}")


def toggle(soup: BeautifulSoup, kind: str, value: str) -> Tag:
    button = soup.select_one(f'button.toggle[data-filter="{kind}"][data-value="{value}"]')
    assert button is not None, f"no {kind} filter button for {value}"
    return button


def filter_state(soup: BeautifulSoup) -> list[tuple[str, bool]]:
    """Every filterable element, in document order, with whether it is shown."""
    return [(f"{el.name}#{el.get('id', '')}[{el.get('data-check', '')}]", shown(el))
            for el in soup.select("[data-filter-item], [data-filter-group]")]


@dataclass
class Built:
    folder: Path
    page: Path
    report: ReviewReport
    text: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("html-report")
    content = folder / "content"
    shutil.copytree(POLICY, content / "policy")
    (content / "posts").mkdir(parents=True)
    for name in POSTS:
        shutil.copy2(CONTENT / "posts" / name, content / "posts" / name)
    (content / "posts" / "laser-facts.md").write_text(XSS_POST, encoding="utf-8")
    report = review_plain(ReviewOptions(content_dir=content, grammar=False))
    text = render(report)
    page = folder / "report.html"
    page.write_text(text, encoding="utf-8")
    return Built(folder, page, report, text)


def test_claims_filter_from_the_url_hides_other_checks(built: Built, tmp_path: Path) -> None:
    _, soup = dump_dom(built.page.as_uri() + "#check=claims", tmp_path / "profile")

    toolbar = soup.find(id="filters")
    assert toolbar is not None and shown(toolbar), "the report's script did not run (filter toolbar still hidden)"
    assert toggle(soup, "check", "claims")["aria-pressed"] == "true"
    for other in ("links", "readability", "disclaimers", "frontmatter"):
        assert toggle(soup, "check", other)["aria-pressed"] == "false"
    assert all(toggle(soup, "severity", sev)["aria-pressed"] == "true" for sev in ("error", "warning", "info"))

    findings = soup.select("article.finding")
    others = [f for f in findings if f["data-check"] != "claims"]
    claims = [f for f in findings if f["data-check"] == "claims"]
    assert others and claims, "the fixture posts should have claims findings and findings of other checks"
    assert all(f.has_attr("hidden") for f in others), "findings of other checks must carry the hidden attribute"
    assert all(shown(f) for f in claims)
    assert all(not shown(g) for g in soup.select('section.check-group:not([data-check="claims"])'))
    assert all(not shown(p) for p in soup.select("section.panel.readability"))

    glp1 = post_section(soup, "Medical Weight Loss")
    assert shown(glp1)
    panel = glp1.select_one("section.panel.claims")
    assert panel is not None and shown(panel), "the claims table of a post with claims must be visible"
    ozempic = [row for row in panel.select("tbody tr") if "Ozempic is another semaglutide" in row.get_text()]
    assert ozempic and "off-label-undisclosed" in ozempic[0].get_text()
    assert ozempic[0].select_one("td.kb") is not None
    assert any(a["href"].startswith("https://dailymed.nlm.nih.gov/") for a in panel.select("a.kb-source"))

    finding = next(f for f in claims if "Ozempic" in f.get_text() and "CLM004" in f.get_text())
    mark = finding.select_one("table.source tr.hit mark")
    assert mark is not None and mark.get_text().startswith("Ozempic is another semaglutide shot")
    assert finding.select_one(".suggestion") and finding.select_one(".rationale")

    expected = sum(f.check == "claims" for f in built.report.findings)
    status = soup.find(id="filter-status").get_text()
    assert status.startswith(f"Showing {expected} of {len(built.report.findings)} findings"), status


def test_query_string_filters_by_check_and_severity(built: Built, tmp_path: Path) -> None:
    _, soup = dump_dom(built.page.as_uri() + "?check=claims&severity=error", tmp_path / "profile")

    assert toggle(soup, "severity", "error")["aria-pressed"] == "true"
    assert toggle(soup, "severity", "warning")["aria-pressed"] == "false"
    findings = soup.select("article.finding")
    warnings = [f for f in findings if f["data-check"] == "claims" and f["data-severity"] == "warning"]
    errors = [f for f in findings if f["data-check"] == "claims" and f["data-severity"] == "error"]
    assert warnings and errors, "first-botox-appointment.md should give claims warnings (CLM009)"
    assert all(f.has_attr("hidden") for f in warnings)
    assert all(shown(f) for f in errors)
    assert shown(post_section(soup, "Medical Weight Loss").select_one("section.panel.claims"))


def test_clicking_the_buttons_gives_the_same_dom_as_the_url(built: Built, tmp_path: Path) -> None:
    clicks = ("(function () {"
              "document.querySelector('button.bulk[data-filter=\"check\"][data-action=\"none\"]').click();"
              "document.querySelector('button.toggle[data-filter=\"check\"][data-value=\"claims\"]').click();"
              "document.body.setAttribute('data-test-hash', location.hash);"
              "})();")
    digest = base64.b64encode(hashlib.sha256(clicks.encode()).digest()).decode()
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="[^"]*script-src ', built.text)
    assert csp is not None, "the report should restrict scripts with a CSP"
    variant = built.text.replace(csp.group(0), f"{csp.group(0)}'sha256-{digest}' ", 1)
    variant = variant.replace("</body>", f"<script>{clicks}</script>\n</body>", 1)
    clicked_page = built.folder / "report-clicked.html"
    clicked_page.write_text(variant, encoding="utf-8")

    _, clicked = dump_dom(clicked_page.as_uri(), tmp_path / "clicked")
    _, from_url = dump_dom(built.page.as_uri() + "#check=claims", tmp_path / "url")

    assert clicked.body.get("data-test-hash") == "#check=claims&severity=all", "a click should update the URL"
    assert filter_state(clicked) == filter_state(from_url)
    assert clicked.find(id="filter-status").get_text() == from_url.find(id="filter-status").get_text()
    pressed = [(b["data-value"], b["aria-pressed"]) for b in clicked.select("button.toggle")]
    assert pressed == [(b["data-value"], b["aria-pressed"]) for b in from_url.select("button.toggle")]


def test_draft_markup_is_shown_as_text_and_never_runs(built: Built, tmp_path: Path) -> None:
    assert "<script>alert(1)</script>" not in built.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in built.text
    expected_title = BeautifulSoup(built.text, "html.parser").title.get_text()

    dom, soup = dump_dom(built.page.as_uri(), tmp_path / "profile")

    assert soup.title.get_text() == expected_title, "an injected script changed document.title"
    assert "PWNED" not in soup.title.get_text()
    assert len(soup.find_all("script")) == 1, "only the report's own script may be in the DOM"
    assert not soup.find_all("img")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    post = post_section(soup, "Laser facts")
    assert "<script>document.title='PWNED-TITLE'</script>" in post.find("h2").get_text()
    hits = [row for row in post.select("article.finding[data-check=claims] table.source tr.hit")
            if row.select_one("mark") and row.select_one("mark").get_text() == "painless"]
    assert hits and "<script>alert(1)</script>" in hits[0].get_text(), "the draft's line shows as text"


def test_screenshot_of_the_claims_filter(built: Built, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.unlink(missing_ok=True)
    run_chromium(built.page.as_uri() + "#filter=claims", tmp_path / "profile",
                 f"--screenshot={SCREENSHOT}", "--window-size=1280,2000")

    assert SCREENSHOT.is_file(), "chromium wrote no screenshot"
    data = SCREENSHOT.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 2000)
    assert len(data) > 10_000, f"screenshot is only {len(data)} bytes: the page probably did not render"


def test_printing_ignores_the_filter(built: Built, tmp_path: Path) -> None:
    """@media print shows every finding: a filter that hides everything on screen prints the same pages."""

    def pages(fragment: str, name: str) -> int:
        pdf = tmp_path / f"{name}.pdf"
        run_chromium(built.page.as_uri() + fragment, tmp_path / name, "--no-pdf-header-footer",
                     f"--print-to-pdf={pdf}")
        return len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))

    everything, nothing = pages("", "all"), pages("#check=none", "none")
    assert everything > 1
    assert nothing == everything, "printing a filtered report should still show every finding"
    print_css = re.search(r"@media print \{(.*?)\n\}", built.text, re.S)
    assert print_css is not None and re.search(r"\.filters[^{]*\{\s*display:\s*none !important", print_css.group(1))


# ---------------------------------------------------------------------------------------------- what to sign off


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The demo blog (its ledger signs off 4 posts, 1 draft fails), with the sign-off states `medpress status`
    gives."""
    from flows.publish.report_status import approval_status

    folder = tmp_path_factory.mktemp("html-demo")
    content = folder / "content"
    shutil.copytree(ROOT / "content", content, ignore=AS_COMMITTED)
    report = review_plain(ReviewOptions(content_dir=content, grammar=False))
    page = folder / "report.html"
    text = render(report, approval=approval_status(content))
    page.write_text(text, encoding="utf-8")
    return Built(folder, page, report, text)


def test_each_post_shows_its_sign_off_state_as_medpress_status_says(demo: Built) -> None:
    from flows.publish.signoff import status

    states = {row.path: row.state for row in status(demo.folder / "content")}
    assert sorted(states.values()) == ["approved", "approved", "approved", "approved", "draft"]
    soup = BeautifulSoup(demo.text, "html.parser")
    for row in soup.select("table.summary tbody tr"):
        path = row.select_one("th a")["title"]
        assert row.select_one(".approval").get_text() == states[path]
    drafts = [s for s in soup.select("section.post") if s.select_one("h2 .approval").get_text() == "draft"]
    assert len(drafts) == 1 and "FAIL" in drafts[0].select_one("h2").get_text()


def test_the_full_text_is_there_collapsed_with_findings_in_place(demo: Built) -> None:
    soup = BeautifulSoup(demo.text, "html.parser")
    for view, post in zip(soup.select("section.post"), demo.report.posts, strict=True):
        details = view.select_one("details.full-text")
        assert details is not None and not details.has_attr("open"), post.path  # collapsed by default
        lines = Path(post.path).read_text(encoding="utf-8")
        shown_lines = [row.select_one("td").get_text() for row in details.select("tr")]
        assert shown_lines == lines.split("\n"), post.path  # every line, passing posts too
        marked = {rule for mark in details.select("mark") for rule in mark["data-rules"].split()}
        assert marked == {f.rule for f in post.findings if f.line}, post.path


def test_filter_by_rule_and_search_and_the_counts_follow(demo: Built, tmp_path: Path) -> None:
    failing = next(p for p in demo.report.posts if p.failed)
    rules = {f.rule for f in failing.findings}
    rule = sorted(rules)[0]
    expected = sum(f.rule == rule for f in failing.findings)
    assert 0 < expected < len(failing.findings)
    _, soup = dump_dom(demo.page.as_uri() + f"#rule={rule}", tmp_path / "profile")
    findings = soup.select("article.finding")
    assert all(shown(f) == (f["data-rule"] == rule) for f in findings)
    assert soup.select_one("#filter-rule option[selected], #filter-rule") is not None
    row = next(r for r in soup.select("table.summary tbody tr") if r.select_one("th a")["title"] == failing.path)
    errors = sum(f.rule == rule and f.severity.value == "error" for f in failing.findings)
    assert row.select_one('[data-count="severity:error"]').get_text() == str(errors)  # not the unfiltered count
    section = post_section(soup, failing.title)
    assert section.select_one(".shown-count").get_text() == f"{expected} of {len(failing.findings)} shown"
    assert toggle(soup, "severity", "error").select_one(".count").get_text() == str(errors)
    assert f"rule: {rule}" in soup.find(id="filter-status").get_text()

    word = failing.findings[0].message.split()[-1].strip(".'\"")
    _, searched = dump_dom(demo.page.as_uri() + f"#q={word}", tmp_path / "profile2")
    visible = [f for f in searched.select("article.finding") if shown(f)]
    assert visible and all(word.lower() in f.get_text().lower() or failing.title in
                           f.find_parent("section", class_="post").get_text() for f in visible)


def test_a_post_opened_from_the_summary_is_not_under_the_sticky_bar(demo: Built, tmp_path: Path) -> None:
    """The report in an iframe of a page that measures it once the browser has scrolled to #post-4."""
    probe = demo.folder / "probe.html"
    probe.write_text(
        '<!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="report.html#post-4" '
        'style="width:1280px;height:900px;border:0"></iframe><pre id="out">waiting</pre><script>'
        'document.getElementById("f").addEventListener("load", function () { setTimeout(function () {'
        'var d = document.getElementById("f").contentDocument;'
        'var bar = d.getElementById("filters").getBoundingClientRect();'
        'var head = d.getElementById("post-4-h").getBoundingClientRect();'
        'document.getElementById("out").textContent = JSON.stringify({bar: bar.bottom, head: head.top,'
        'scrolled: d.documentElement.scrollTop || d.body.scrollTop});'
        '}, 500); });</script></body></html>', encoding="utf-8")
    soup = BeautifulSoup(run_chromium(probe.as_uri(), tmp_path / "profile", "--allow-file-access-from-files",
                                      "--dump-dom", "--virtual-time-budget=5000"), "html.parser")

    measured = json.loads(soup.find(id="out").get_text())
    assert measured["scrolled"] > 0, measured  # the browser did jump to the post
    assert measured["head"] >= measured["bar"], f"the post's heading is under the filter bar: {measured}"


def test_a_grammar_stage_that_could_not_run_is_one_plain_sentence() -> None:
    from checks.grammar import UNAVAILABLE
    from checks.model import finding
    from reports.model import PostReport

    cause = ("LanguageTool request failed: ReadTimeout: timed out\nTraceback (most recent call last):\n"
             '  File "x.py", line 1, in <module>\nhttpx.ReadTimeout: timed out')
    posts = [PostReport(f"content/posts/p{n}.md", f"p{n}", f"P{n}", "sha256:x",
                        [finding(UNAVAILABLE, f"grammar check could not run: {cause}")]) for n in range(2)]
    posts.append(PostReport("content/posts/ok.md", "ok", "Ok", "sha256:y"))
    soup = BeautifulSoup(render(ReviewReport({}, posts), source_of=lambda _: None), "html.parser")
    notice = soup.select_one(".grammar-notice").get_text()
    assert notice == ("Grammar and spelling were not checked in 2 of 3 posts because LanguageTool request failed: "
                      "ReadTimeout: timed out; review them again once LanguageTool runs.")
    assert "Traceback" not in soup.get_text()


def test_a_trigger_is_described_in_words() -> None:
    from checks.pattern_words import describe_pattern

    assert describe_pattern(r"\bbefore[- ](?:and|&)[- ]after\b") == "before and after"
    assert describe_pattern(r"\b(?:results?|outcomes?)\s+(?:may|can)\s+vary\b") == "results may vary"
    assert describe_pattern(r"^\s*\w+\s*$") == "a pattern in the policy"


def test_a_disclaimer_required_by_a_pattern_says_why_in_words(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(POLICY, content / "policy")
    rule = ('\n  - id: words-test\n    title: Words test\n    text: Individual results vary from patient to '
            'patient.\n    applies:\n      content_patterns: ["\\\\bbefore[- ](?:and|&)[- ]after\\\\b", '
            '"\\\\bguarantee[ds]?\\\\b"]\n      pattern_words:\n        "\\\\bguarantee[ds]?\\\\b": a promise of '
            'results\n    placement: anywhere\n')
    policy = content / "policy" / "disclaimers.yaml"
    policy.write_text(policy.read_text().rstrip("\n") + "\n" + rule)
    (content / "posts").mkdir()
    for name, line in (("a.md", "See our before and after gallery."), ("b.md", "Smooth skin, guaranteed.")):
        (content / "posts" / name).write_text(f"---\ntitle: {name}\nslug: {name[0]}\ndate: 2024-05-01\n---\n{line}\n")
    report = review_plain(ReviewOptions(content_dir=content, grammar=False))
    why = {Path(p.path).name: f.message for p in report.posts for f in p.findings if "Words test" in f.message}
    assert why["a.md"].endswith("(required by text such as 'before and after')")
    assert why["b.md"].endswith("(required by a promise of results)")
    assert not any("\\b" in message or "(?:" in message for message in why.values())


def test_the_hardest_sentences_leave_out_the_required_disclaimer(tmp_path: Path) -> None:
    """Issue 23: required text is not the post's prose. The shipped disclaimer after an ordinary paragraph was
    matched to that paragraph, graded, and listed first among the hardest sentences."""
    from tests.conftest import ADVICE

    content = tmp_path / "content"
    shutil.copytree(POLICY, content / "policy")
    (content / "posts").mkdir()
    plain = "A peel takes off the top layer of skin. Your skin may be pink for a day. Use sunscreen. " * 4
    (content / "posts" / "peel.md").write_text("---\ntitle: Peels\nslug: peels\ndate: 2024-05-01\n---\n" + plain
                                              + "\n\nCall us to book a visit.\n\n" + ADVICE + "\n")
    soup = BeautifulSoup(render(review_plain(ReviewOptions(content_dir=content, grammar=False)),
                                source_of=lambda _: None), "html.parser")
    rows = [row.get_text(" ") for row in soup.select("table.hardest tbody tr")]
    assert rows  # the list is there, made of the post's own sentences
    assert not [row for row in rows if "medical advice" in row or "healthcare provider" in row], rows

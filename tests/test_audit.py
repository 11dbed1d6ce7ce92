"""``medpress audit``'s rules on their examples, what counts as visible on a page, and the static site's audit.
The WordPress audit runs against a real WordPress in tests/test_publish_wordpress.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checks.audit_rules import RULES
from checks.model import Rule
from flows.cli import main
from flows.publish.audit import audit, audit_example, visible
from flows.publish.signoff import publish
from flows.publish.static import StaticTarget
from flows.store.policy_files import read_policy_texts
from tests.conftest import POLICY, write_post
from tests.signing import approve_for_test

DEFAULT_POLICY = read_policy_texts(POLICY)
ADVICE = "This article is not medical advice. Talk to a qualified healthcare provider before any treatment."


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_failing_example_fires_the_rule(rule: Rule) -> None:
    found = audit_example(rule.failing, DEFAULT_POLICY)
    assert rule.id in {f.rule for f in found}, found


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_passing_example_fires_nothing(rule: Rule) -> None:
    assert audit_example(rule.passing, DEFAULT_POLICY) == []


def test_rule_ids_are_stable_and_documented() -> None:
    assert [(r.id, r.name) for r in RULES] == [
        ("AUD000", "audit-incomplete"), ("AUD001", "live-post-drifted"), ("AUD002", "unapproved-live-post"),
        ("AUD003", "approved-post-not-live"), ("AUD004", "disclaimer-not-visible"),
        ("AUD005", "references-not-rendered"), ("AUD006", "broken-live-link"), ("AUD007", "claim-on-rendered-page"),
        ("AUD008", "live-post-fails-policy")]
    for rule in RULES:
        assert re.fullmatch(r"AUD\d{3}", rule.id) and rule.rationale.endswith(".") and len(rule.rationale) < 200


@pytest.mark.parametrize("hidden", [
    "<!-- <p>secret</p> -->", '<p style="display: none">secret</p>', '<div style="visibility:hidden"><p>secret</p>'
    "</div>", "<p hidden>secret</p>", "<script>var a = 'secret';</script>", "<style>.secret{}</style>",
    '<p style="font-size:0">secret</p>'])
def test_hidden_text_is_not_visible(hidden: str) -> None:
    page = visible(f'<html><body><nav>menu</nav><article class="entry-content"><p>Shown.</p>{hidden}'
                   "<p>After.</p></article></body></html>")
    assert page.blocks == ["Shown.", "After."]


@pytest.mark.parametrize(("how", "hidden"), [
    ("comment", "<!-- <p>{advice}</p> -->"), ("display:none", '<p style="display:none">{advice}</p>'),
    ("stripped", "")])
def test_a_disclaimer_hidden_or_stripped_is_reported_and_hidden_says_so(how: str, hidden: str) -> None:
    rule = next(r for r in RULES if r.id == "AUD004")
    advice = "This article is not medical advice. Talk to a qualified healthcare provider."
    failing = rule.failing.replace('<p style="display:none">' + advice + "</p>", hidden.format(advice=advice))
    [found] = [f for f in audit_example(failing, DEFAULT_POLICY) if f.rule == "AUD004"]
    assert ("hidden from readers" in found.message) == (how != "stripped"), found.message


def test_visible_keeps_headings_and_links_of_the_content_only() -> None:
    page = visible('<body><a href="/home/">Home</a><div class="entry-content"><h2>Care</h2><p>See <a href="/x/">'
                   "the guide</a>.</p></div></body>")
    assert page.blocks == ["## Care", "See the guide ."] or page.blocks == ["## Care", "See the guide."]
    assert page.links == [("/x/", "the guide")]


def _post(slug: str, text: str) -> str:
    return f"---\ntitle: Care {slug}\nslug: {slug}\ndate: 2024-05-01\nsummary: Short.\n---\n{text}\n\n{ADVICE}\n"


def test_static_site_audit_drift_unapproved_and_unpublish(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    for name in ("one", "two"):
        approve_for_test(content, write_post(content, f"{name}.md", _post(name, f"Rest well after step {name}.")))
    publish(content, StaticTarget(site), grammar=False)
    args = ["audit", "--content", str(content), "--target", "static", "--out", str(site), "--no-grammar"]
    assert main(args) == 0 and "nothing needs action" in capsys.readouterr().out
    page = site / "blog" / "one" / "index.html"
    page.write_text(page.read_text().replace("Rest well", "Rest badly"))
    hand = site / "blog" / "offer" / "index.html"
    hand.parent.mkdir()
    hand.write_text("<html><body><article><p>Summer offer.</p></article></body></html>")
    report = audit(content, StaticTarget(site), grammar=False)
    assert [(p.slug, [f.rule for f in p.findings]) for p in report.posts if p.findings] == [
        ("offer", ["AUD002"]), ("one", ["AUD001"])]
    drift = next(p for p in report.posts if p.slug == "one").findings[0]
    assert "-<p>Rest well after step one.</p>" in drift.excerpt and "+<p>Rest badly" in drift.excerpt
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "AUD001" in out and "+<p>Rest badly" in out and "AUD002" in out
    repair = ["publish", "--repair", "--content", str(content), "--target", "static", "--out", str(site),
              "--no-grammar"]
    assert main([*repair, "--dry-run"]) == 0 and "would repair one:" in capsys.readouterr().out
    assert "Rest badly" in page.read_text()
    assert main(repair) == 0 and "Rest well" in page.read_text()
    capsys.readouterr()
    hand.unlink()
    assert main(args) == 0
    assert main(["unpublish", "two", "--content", str(content), "--target", "static", "--out", str(site)]) == 0
    assert not (site / "blog" / "two" / "index.html").exists()


def test_the_nightly_audit_flow_fails_when_something_needs_action(tmp_path: Path, prefect_api: str) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.audit_flow import audit_site

    content, site = tmp_path / "content", tmp_path / "site"
    approve_for_test(content, write_post(content, "one.md", _post("one", "Rest well after a peel.")))
    publish(content, StaticTarget(site), grammar=False)
    clean = audit_site(content=str(content), target="static", out=str(site), grammar=False, return_state=True)
    assert clean.is_completed() and clean.result()["findings"] == 0
    page = site / "blog" / "one" / "index.html"
    page.write_text(page.read_text().replace("Rest well", "Rest badly"))
    state = audit_site(content=str(content), target="static", out=str(site), grammar=False, return_state=True)
    assert state.is_failed() and "one" in (state.message or "")
    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))
    assert artifact.key == "audit-static" and "AUD001" in str(artifact.data)

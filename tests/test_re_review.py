"""Issue 17, end to end: approve and publish (static and a real WordPress) under knowledge base A; change to
knowledge base B, where one of a post's claims is no longer approved; `medpress status` says the post needs
re-review, `publish` holds it back (static) and reports it live but no longer passing (WordPress), the reports
name the fact that changed, and `unpublish` takes it down in one command. A post the change does not touch stays
approved. Also: a claims finding resting on a fact past its age says so."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from checks.policy import CLAIMS_FILE
from flows.cli import main
from flows.publish.signoff import publish
from flows.publish.static import StaticTarget
from flows.publish.wordpress import WordPressTarget
from reports import markdown_summary
from reports.html import render as render_html
from tests.conftest import ADVICE, write_post
from tests.signing import approve_for_test, own_policy

REFS = ("references:\n  - id: 1\n    title: JUVEDERM VOLUMA XC\n"
        "    url: https://www.accessdata.fda.gov/scripts/cdrh/cfdocs/cfpma/pma.cfm?id=P110033\n")


def _post(slug: str, title: str, body: str, refs: str = "") -> str:
    return (f"---\ntitle: \"{title}\"\nslug: {slug}\ndate: 2024-05-01\nsummary: Short.\n{refs}---\n{body}\n\n"
            f"{ADVICE}\n")


TEMPLES = ("Hollow temples can make a face look tired. Voluma is FDA-approved for temple hollowing in adults over "
           "21 [1]. Side effects include swelling, bruising and tenderness where the filler goes in.")
AFTERCARE = "Keep the area clean and dry for a day. Drink water and rest."


def _edit_kb(content: Path, edit: Any) -> None:
    path = content / "policy" / CLAIMS_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _knowledge_base_b(data: dict[str, Any]) -> None:
    """Temple hollowing no longer approved; and a typo fixed in an unrelated product's note."""
    data["version"] = "2026.12.2-test"
    filler = next(p for p in data["products"] if p["id"] == "hyaluronic-acid-filler")
    filler["approved_uses"] = [u for u in filler["approved_uses"] if u["condition"] != "temple-hollowing"]
    latisse = next(p for p in data["products"] if p["id"] == "latisse")
    latisse["note"] = latisse["note"].replace("Eyebrow growth", "Eyebrow  growth")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    slug = uuid.uuid4().hex[:8]
    write_post(folder, "temples.md", _post(f"temples-{slug}", "Filler for the temples", TEMPLES, REFS))
    write_post(folder, "aftercare.md", _post(f"aftercare-{slug}", "Aftercare tips", AFTERCARE))
    own_policy(folder)
    return folder


def _status(content: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    assert main(["status", "--content", str(content)]) == 0
    rows = {}
    for line in capsys.readouterr().out.splitlines():
        state = "needs re-review" if line.startswith("needs re-review") else line.split()[0]
        rows[line.split("posts/")[1].split()[0]] = state + " " + line
    return rows


def test_a_knowledge_base_change_sends_the_post_it_affects_back_to_review(
        content: Path, tmp_path: Path, wordpress: Any, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    temples, aftercare = content / "posts" / "temples.md", content / "posts" / "aftercare.md"
    site = tmp_path / "site"
    api = httpx.Client(base_url=f"{wordpress.url}/wp-json/wp/v2", auth=(wordpress.user, wordpress.app_password),
                       timeout=30)
    wp_slug = next(line.split()[1] for line in temples.read_text().splitlines() if line.startswith("slug:"))

    def wp_status() -> str:
        [post] = api.get("/posts", params={"slug": wp_slug, "status": "any", "context": "edit"}).json()
        return post["status"]

    def to_wordpress() -> Any:
        with WordPressTarget(wordpress.url, wordpress.user, wordpress.app_password) as target:
            return publish(content, target, grammar=False)

    # knowledge base A: both posts pass, are approved and published
    approve_for_test(content, temples)
    approve_for_test(content, aftercare)
    static_a = publish(content, StaticTarget(site), grammar=False)
    assert {d.path: d.action for d in static_a.decisions} == {"posts/aftercare.md": "publish",
                                                              "posts/temples.md": "publish"}
    assert [r.action for r in to_wordpress().results] == ["created", "created"]
    assert wp_status() == "publish"
    assert main(["recheck", "--content", str(content), "--no-grammar"]) == 0  # same policy: nothing to do
    capsys.readouterr()

    # knowledge base B
    _edit_kb(content, _knowledge_base_b)
    rows = _status(content, capsys)
    assert rows["temples.md"].startswith("needs re-review")
    assert "temple hollowing" in rows["temples.md"] and "knowledge base 2026.12.2-test" in rows["temples.md"]
    assert rows["aftercare.md"].startswith("published")  # its verdict did not change: still approved and live

    static_b = publish(content, StaticTarget(site), grammar=False)
    held = {d.path: d for d in static_b.decisions}
    assert held["posts/temples.md"].action == "hold"
    assert held["posts/temples.md"].reason.startswith("needs re-review:")
    assert "temple hollowing" in held["posts/temples.md"].reason  # the fact that changed
    assert held["posts/aftercare.md"].action == "publish"

    wp_b = to_wordpress()
    live = {d.path: d for d in wp_b.decisions}["posts/temples.md"]
    assert live.action == "hold" and "LIVE BUT NO LONGER PASSING" in live.reason
    assert f"`medpress unpublish {wp_slug} --target wordpress`" in live.reason
    assert wp_status() == "publish"  # publish never takes an approved page down by itself: it says so

    out = tmp_path / "review-output"
    assert main(["review", "--content", str(content), "--no-grammar", "--engine", "direct", "--format",
                 "json,html", "--output", str(out / "review.json"), "--output-dir", str(out),
                 "--fail-on", "never"]) == 0
    capsys.readouterr()
    report = json.loads((out / "review.json").read_text())
    posts = {p["path"].split("posts/")[1]: p for p in report["posts"]}
    assert posts["temples.md"]["sign_off"]["state"] == "needs re-review"
    assert posts["temples.md"]["sign_off"]["approved_under"]["kb_version"] == "2026.12.1"
    assert posts["temples.md"]["sign_off"]["policy_now"]["kb_version"] == "2026.12.2-test"
    assert any("CLM001" in e and "temple hollowing" in e for e in posts["temples.md"]["sign_off"]["new_errors"])
    assert posts["aftercare.md"]["sign_off"]["state"] == "approved"
    html = (out / "report.html").read_text()
    assert "NEEDS RE-REVIEW" in html and "temple hollowing" in html

    assert main(["recheck", "--content", str(content), "--no-grammar"]) == 1
    text = capsys.readouterr().out
    assert "needs re-review" in text and "1 need re-review, 1 stay approved" in text

    monkeypatch.setenv("MEDPRESS_WP_URL", wordpress.url)
    monkeypatch.setenv("MEDPRESS_WP_USER", wordpress.user)
    monkeypatch.setenv("MEDPRESS_WP_APP_PASSWORD", wordpress.app_password)
    assert main(["unpublish", wp_slug, "--content", str(content), "--target", "wordpress"]) == 0
    capsys.readouterr()
    assert wp_status() == "draft"
    assert "wordpress" not in _status(content, capsys)["temples.md"]


def test_the_markdown_summary_artifact_lists_posts_that_need_re_review(content: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from flows.engine.steps import ReviewOptions, review_plain

    approve_for_test(content, content / "posts" / "temples.md")
    _edit_kb(content, _knowledge_base_b)
    report = review_plain(ReviewOptions(content, (), None, False))
    summary = markdown_summary.render(report)  # the Prefect summary artifact's text
    assert "### Needs re-review (1)" in summary and "temple hollowing" in summary
    assert "NEEDS RE-REVIEW" in render_html(report)


def test_a_claims_finding_on_a_fact_past_its_age_says_so(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_post(content, "uncited.md", _post("uncited", "Fillers", "Voluma is FDA-approved for temple hollowing in "
                                            "adults over 21. Side effects include swelling and bruising."))
    _edit_kb(content, lambda data: next(u for p in data["products"] if p["id"] == "hyaluronic-acid-filler"
                                        for u in p["approved_uses"] if u["condition"] == "temple-hollowing")
             .update(checked_on="2024-01-02"))
    main(["review", str(content / "posts" / "uncited.md"), "--content", str(content), "--no-grammar",
          "--format", "json", "--output", str(content.parent / "r.json")])
    capsys.readouterr()
    report = json.loads((content.parent / "r.json").read_text())
    [finding] = [f for f in report["posts"][0]["findings"] if f["rule"] == "CLM003"]
    assert "checked 2024-01-02; EXPIRED: older than 365 days" in finding["message"]


@pytest.mark.usefixtures("prefect_api")
def test_prefect_artifacts_and_the_recheck_flow_say_needs_re_review(content: Path, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.recheck_flow import recheck
    from flows.review import review

    def artifacts(state: Any) -> dict[str, Any]:
        with get_client(sync_client=True) as client:
            found = client.read_artifacts(artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id])))
        return {a.key: a.data for a in found}

    approve_for_test(content, content / "posts" / "temples.md")
    approve_for_test(content, content / "posts" / "aftercare.md")
    assert recheck(content=str(content), grammar=False, return_state=True).is_completed()
    _edit_kb(content, _knowledge_base_b)
    reviewed = review(content=str(content), grammar=False, output=None, return_state=True)
    made = artifacts(reviewed)
    table = made["medpress-review-posts"]
    rows = {row["post"].split("posts/")[1]: row for row in (json.loads(table) if isinstance(table, str) else table)}
    assert rows["temples.md"]["sign_off"] == "needs re-review" and rows["aftercare.md"]["sign_off"] == "approved"
    assert "Needs re-review (1)" in made["medpress-review-summary"]
    rechecked = recheck(content=str(content), grammar=False, return_state=True)
    assert rechecked.is_failed() and "1 approved post(s) need re-review" in rechecked.message
    listed = artifacts(rechecked)["medpress-recheck"]
    assert "**needs re-review**" in listed and "temples.md" in listed and "temple hollowing" in listed
    assert "approved `" in listed and "aftercare.md" in listed


def test_unpublish_takes_a_static_page_down_in_one_command(content: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    approve_for_test(content, content / "posts" / "temples.md")
    approve_for_test(content, content / "posts" / "aftercare.md")
    publish(content, StaticTarget(site), grammar=False)
    [page] = [p for p in (site / "blog").iterdir() if p.name.startswith("temples-")]
    assert page.name in (site / "index.html").read_text()
    assert main(["unpublish", page.name, "--content", str(content), "--out", str(site)]) == 0
    assert not page.exists()
    assert any(p.name.startswith("aftercare-") for p in (site / "blog").iterdir())


def test_publishing_on_the_reviews_result_holds_a_post_it_sent_back_to_review(content: Path, tmp_path: Path) -> None:
    """`make review` publishes with --from-review: the stored report's sign-off state must hold the post too."""
    site = tmp_path / "site"
    approve_for_test(content, content / "posts" / "temples.md")
    approve_for_test(content, content / "posts" / "aftercare.md")
    first = publish(content, StaticTarget(site), grammar=False)
    assert sorted(d.action for d in first.decisions) == ["publish", "publish"]
    _edit_kb(content, _knowledge_base_b)
    report = tmp_path / "review.json"
    main(["review", "--content", str(content), "--no-grammar", "--engine", "direct", "--output", str(report)])
    by_slug = {p["slug"].split("-")[0]: p for p in json.loads(report.read_text())["posts"]}
    assert by_slug["temples"]["sign_off"]["state"] == "needs re-review"
    run = publish(content, StaticTarget(site), grammar=False, review=report)
    decisions = {d.slug.split("-")[0]: d for d in run.decisions}
    assert decisions["temples"].action == "hold" and "needs re-review" in decisions["temples"].reason
    assert decisions["aftercare"].action == "publish"

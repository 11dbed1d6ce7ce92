"""Approve a version, publish exactly it: the static target, sanitising, staleness, revocation."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.publish.signoff import Refused, publish, status
from flows.publish.static import StaticTarget
from flows.store import ledger
from tests.conftest import ADVICE, write_post
from tests.signing import approve_for_test, revoke_for_test


def _post(slug: str, body: str, title: str = "Aftercare tips") -> str:
    return f"---\ntitle: \"{title}\"\nslug: {slug}\ndate: 2024-05-01\nsummary: Short.\n---\n{body}\n\n{ADVICE}\n"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    write_post(folder, "a.md", _post("after-care", "Keep the area clean. Read [the other post](/blog/other/)."))
    write_post(folder, "b.md", _post("other", "Drink water and rest. See [after care](/blog/after-care/).",
                                     "Other tips"))
    write_post(folder, "evil.md", _post("evil", 'Text <script>alert(1)</script> and <img src="x" onerror="alert(2)">'
                                                ' and [click](javascript:alert(3)).', "Evil"))
    return folder


def _run(content: Path, site: Path):
    return publish(content, StaticTarget(site), grammar=False)


def test_only_approved_versions_are_published_and_a_rerun_writes_nothing(content: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    approve_for_test(content, content / "posts" / "a.md")
    run = _run(content, site)
    assert {d.slug: d.action for d in run.decisions} == {"after-care": "publish", "other": "hold", "evil": "hold"}
    page = (site / "blog" / "after-care" / "index.html").read_text()
    assert "Keep the area clean." in page and 'href="/blog/other/"' not in page  # unpublished: no dead link
    assert not (site / "blog" / "other").exists()
    mtimes = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    again = _run(content, site)
    assert [r.action for r in again.results] == ["unchanged"]
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == mtimes


def test_an_edit_after_sign_off_is_held_until_approved_again(content: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    post = content / "posts" / "a.md"
    approve_for_test(content, post)
    _run(content, site)
    post.write_text(post.read_text().replace("Keep the area clean.", "Keep the area clean and dry."))
    run = _run(content, site)
    held = next(d for d in run.decisions if d.slug == "after-care")
    assert held.action == "hold" and "edited after sign-off" in held.reason
    assert "clean and dry" not in (site / "blog" / "after-care" / "index.html").read_text()  # old version stays
    assert next(s for s in status(content) if s.slug == "after-care").state == "stale"
    approve_for_test(content, post)
    _run(content, site)
    assert "clean and dry" in (site / "blog" / "after-care" / "index.html").read_text()
    assert next(s for s in status(content) if s.slug == "after-care").state == "published"


def test_scripts_and_event_handlers_never_reach_the_site(content: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    approve_for_test(content, content / "posts" / "evil.md", role="medical-director",
                     override="Test of the sanitiser")
    _run(content, site)
    page = (site / "blog" / "evil" / "index.html").read_text()
    assert "<script" not in page and "onerror" not in page and "javascript:" not in page
    assert "Text" in page


def test_approval_with_errors_needs_an_allowed_override(content: Path) -> None:
    broken = content / "posts" / "broken.md"
    broken.write_text(_post("broken", "See [missing](/blog/nowhere/)."))
    with pytest.raises(Refused, match="error-level finding"):
        approve_for_test(content, broken)
    with pytest.raises(Refused, match="may not override"):
        approve_for_test(content, broken, "ann-lee", role="editor", override="We know")
    event = approve_for_test(content, broken, "dr-ray", role="medical-director", override="Link fixed in CMS")
    assert event.override == "Link fixed in CMS" and event.errors == 1 and event.role == "medical-director"
    lines = ledger.approvals_file(content).read_text().splitlines()
    assert len(lines) == 1 and '"override": "Link fixed in CMS"' in lines[0]


def test_revoking_takes_the_page_down_on_the_next_publish(content: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    approve_for_test(content, content / "posts" / "a.md")
    _run(content, site)
    revoke_for_test(content, content / "posts" / "a.md", note="Label changed")
    run = _run(content, site)
    assert [r.action for r in run.results] == ["unpublished"]
    assert not (site / "blog" / "after-care").exists()
    actions = [e.action for e in ledger.events(content)]
    assert actions == ["approve", "revoke"]  # append-only


def test_front_matter_approved_without_sign_off_is_a_finding(content: Path) -> None:
    from flows.engine.steps import ReviewOptions, review_plain

    post = content / "posts" / "a.md"
    post.write_text(post.read_text().replace("summary: Short.", "summary: Short.\nstatus: approved"))
    report = review_plain(ReviewOptions(content_dir=content, grammar=False, use_cache=False))
    found = [f.rule for p in report.posts if p.path.endswith("a.md") for f in p.findings]
    assert "PUB001" in found
    approve_for_test(content, post, role="medical-director", override="status line")
    report = review_plain(ReviewOptions(content_dir=content, grammar=False, use_cache=False))
    assert "PUB001" not in [f.rule for p in report.posts if p.path.endswith("a.md") for f in p.findings]


def test_slugs_cannot_escape_the_site(tmp_path: Path) -> None:
    from flows.publish.base import PublishItem

    result = StaticTarget(tmp_path / "site").publish(PublishItem("../../etc", "x", "<p>x</p>", "sha256:0", "2024"))
    assert result.action == "failed" and not (tmp_path / "etc").exists()


def test_a_publish_run_reads_the_ledger_and_the_publish_state_once(content: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """One read of the sign-off ledger serves the review's approval rules and the publish decisions; the publish
    state is read once and kept in step with what the run records (it was read once per post)."""
    for name in ("a.md", "b.md"):
        approve_for_test(content, content / "posts" / name)
    reads = {"read": 0, "published": 0}
    for name in reads:
        original = getattr(ledger, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            reads[_name] += 1
            return _original(*args, **kwargs)
        monkeypatch.setattr(ledger, name, counted)
    run = _run(content, tmp_path / "site")
    assert sorted(r.slug for r in run.results if r.ok) == ["after-care", "other"]
    assert reads["read"] == 1
    assert reads["published"] == 1


def test_status_draft_holds_an_approved_post_back_with_the_reason(content: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    post = content / "posts" / "a.md"
    post.write_text(post.read_text().replace("summary: Short.\n", "summary: Short.\nstatus: draft\n"))
    approve_for_test(content, post)
    run = _run(content, site)
    held = next(d for d in run.decisions if d.slug == "after-care")
    assert held.action == "hold" and "front matter says status: draft" in held.reason and "ann-lee" in held.reason
    assert not (site / "blog" / "after-care").exists()
    row = next(r for r in status(content) if r.slug == "after-care")
    assert row.state == "approved" and "status: draft, so it is not published" in row.detail


def test_a_post_whose_front_matter_says_approved_can_be_approved(content: Path, tmp_path: Path) -> None:
    post = content / "posts" / "b.md"
    post.write_text(post.read_text().replace("summary: Short.\n", "summary: Short.\nstatus: approved\n"))
    event = approve_for_test(content, post)  # PUB001 (no sign-off yet) does not block the sign-off that resolves it
    assert event.errors == 0
    run = _run(content, tmp_path / "site")
    assert next(d for d in run.decisions if d.slug == "other").action == "publish"


def test_approve_requires_a_role_from_the_policy(content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from flows.cli import main
    from tests.signing import register_reviewer

    key = register_reviewer(content, "ann-lee", "compliance-lead")
    base = ["approve", str(content / "posts" / "a.md"), "--content", str(content), "--reviewer", "ann-lee",
            "--key", str(key), "--no-grammar"]
    with pytest.raises(SystemExit) as missing:
        main(base)
    assert missing.value.code == 2 and "--role" in capsys.readouterr().err
    assert main([*base, "--role", "chief"]) == 2
    assert "'chief' is not a role in the policy; roles: compliance-lead, medical-director" in capsys.readouterr().err
    assert main([*base, "--role", "medical-director"]) == 1  # a role in policy, but not ann-lee's
    assert "is not ann-lee's role" in capsys.readouterr().err
    assert main([*base, "--role", "compliance-lead"]) == 0
    assert [e.action for e in ledger.events(content)] == ["approve"]

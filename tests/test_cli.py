"""`medpress` as editors and CI run it: the Prefect flow, the JSON contract, exit statuses, rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checks.registry import ALL_RULES, DOCUMENTED_RULES
from tests.conftest import CONTENT, ROOT, run_medpress, write_post

pytestmark = pytest.mark.usefixtures("prefect_api")

CLEAN = """---
title: "Microneedling: what to expect"
slug: microneedling-aftercare
date: 2024-05-01
---
A nurse uses a small pen with fine needles on your skin. It takes about an hour.

![A microneedling pen](/images/microneedling-pen.png)

This article is for general education and is not medical advice. Talk to a qualified healthcare provider
about your own health before you start any treatment.
"""


def _review(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict, str]:
    out = cwd / "out" / "review.json"
    done = run_medpress("review", "--content", "content", "--output", str(out), "--no-grammar", *args, cwd=cwd,
                        env=env)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done.returncode, json.loads(out.read_text()) if out.exists() else {}, done.stdout + done.stderr


def test_review_of_the_repository_content_writes_the_contract(content_copy: Path) -> None:
    status, report, output = _review(content_copy.parent)
    assert status == 1
    assert report["schema"] == "medpress.review/1"
    assert set(report["run"]) >= {"started", "finished", "content_dir", "policy_hash", "versions", "skipped"}
    assert any("grammar" in s for s in report["run"]["skipped"])
    posts = report["posts"]
    assert sorted(Path(p["path"]).name for p in posts) == sorted(p.name for p in (content_copy / "posts").iterdir())
    summary = report["summary"]
    assert summary["posts"] == len(posts) == summary["passed"] + summary["failed"]
    assert summary["errors"] == sum(f["severity"] == "error" for p in posts for f in p["findings"])
    for post in posts:
        assert post["status"] == ("fail" if any(f["severity"] == "error" for f in post["findings"]) else "pass")
        assert post["content_hash"].startswith("sha256:")
        for item in post["findings"]:
            assert set(item) == {"check", "rule", "severity", "line", "column", "end_line", "end_column",
                                 "message", "excerpt", "suggestion"}
            assert item["suggestion"], item
    # ruff-style lines an editor can click
    assert "content/posts/botox-pain-management.md:" in output and ": LNK001 [error] no post with slug" in output
    assert "posts reviewed:" in output


def test_exit_statuses_follow_fail_on(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    write_post(folder, "clean.md", CLEAN)
    (folder / "images").mkdir()
    for image in ("microneedling-pen.png",):
        (folder / "images" / image).write_bytes((CONTENT / "images" / image).read_bytes())
    assert _review(tmp_path)[0] == 0
    write_post(folder, "broken.md", CLEAN.replace("slug: microneedling-aftercare", "slug: broken")
               .replace("](/images/microneedling-pen.png)", "](/images/nope.png)"))
    assert _review(tmp_path)[0] == 1
    assert _review(tmp_path, "--fail-on", "never")[0] == 0
    write_post(folder, "broken.md", CLEAN.replace("slug: microneedling-aftercare", "slug: warned")
               .replace("date: ", "dat: 2024-01-01\ndate: "))
    status, report, _ = _review(tmp_path, "--fail-on", "warning")
    assert status == 1 and report["summary"]["errors"] == 0 and report["summary"]["warnings"] == 1
    assert _review(tmp_path)[0] == 0


def test_usage_and_policy_errors_exit_2_naming_the_file_and_key(content_copy: Path) -> None:
    cwd = content_copy.parent
    assert run_medpress("review", "--no-such-option", cwd=cwd).returncode == 2
    assert run_medpress("review", "--content", "nowhere", "--no-grammar", cwd=cwd).returncode == 2
    policy = content_copy / "policy" / "policy.yaml"
    policy.write_text(policy.read_text().replace("  target: 8 ", "  targett: 8 "))
    done = run_medpress("review", "--content", "content", "--no-grammar", cwd=cwd)
    assert done.returncode == 2
    assert "policy.yaml:" in done.stderr and "readability.targett: unknown key" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unchanged_rerun_does_no_check_work_and_an_edit_redoes_one_post(content_copy: Path) -> None:
    cwd = content_copy.parent
    env = {"MEDPRESS_CACHE": str(cwd / "cache")}  # its own result cache (the Prefect server is shared)
    count = len(list((content_copy / "posts").iterdir()))
    _, first, _ = _review(cwd, env=env)
    _, second, _ = _review(cwd, env=env)
    assert first["run"]["cache"] == {"hits": 0, "misses": count}
    assert second["run"]["cache"] == {"hits": count, "misses": 0}
    assert [p["findings"] for p in second["posts"]] == [p["findings"] for p in first["posts"]]
    post = content_copy / "posts" / "laser-hair-removal.md"
    post.write_text(post.read_text() + "\nOne more plain sentence.\n")
    _, third, _ = _review(cwd, env=env)
    assert third["run"]["cache"] == {"hits": count - 1, "misses": 1}


def test_review_of_one_path_reports_only_that_post(content_copy: Path) -> None:
    cwd = content_copy.parent
    status, report, _ = _review(cwd, "content/posts/first-botox-appointment.md")
    assert [p["path"] for p in report["posts"]] == ["content/posts/first-botox-appointment.md"]
    rules = {f["rule"] for f in report["posts"][0]["findings"]}
    assert "LNK001" in rules and "LNK004" in rules  # links resolved against the whole content folder
    assert status == 1


def test_json_to_stdout(content_copy: Path) -> None:
    done = run_medpress("review", "--content", "content", "--no-grammar", "--format", "json",
                        "--output", "out.json", cwd=content_copy.parent)
    assert json.loads(done.stdout)["summary"] == json.loads((content_copy.parent / "out.json").read_text())["summary"]


def test_rules_and_explain(tmp_path: Path) -> None:
    listed = run_medpress("rules", cwd=tmp_path)
    assert listed.returncode == 0
    assert len(listed.stdout.strip().splitlines()) == len(DOCUMENTED_RULES) + 1  # and the GR-* family line
    assert "AUD001  audit" in listed.stdout  # medpress audit's rules are listed with the others
    assert json.loads(run_medpress("rules", "--format", "json", cwd=tmp_path).stdout)[0]["id"] == ALL_RULES[0].id
    explained = run_medpress("explain", "LNK001", cwd=tmp_path)
    assert explained.returncode == 0
    assert "missing-post" in explained.stdout and "Fails:" in explained.stdout and "Passes:" in explained.stdout
    assert "/blog/sweat-no-mor/" in explained.stdout
    assert run_medpress("explain", "missing-disclaimer", cwd=tmp_path).returncode == 0
    assert "live-post-drifted" in run_medpress("explain", "AUD001", cwd=tmp_path).stdout
    assert run_medpress("explain", "XX999", cwd=tmp_path).returncode == 2
    family = run_medpress("explain", "GR-THEIR_IS", cwd=tmp_path)
    assert family.returncode == 0 and "LanguageTool rule THEIR_IS" in family.stdout


def test_the_rules_document_is_up_to_date(tmp_path: Path) -> None:
    done = run_medpress("rules", "--format", "markdown", cwd=tmp_path)
    assert done.returncode == 0
    expected = (ROOT / "docs" / "rules.md").read_text()
    assert expected == done.stdout, "regenerate: medpress rules --format markdown > docs/rules.md"
    for rule in ALL_RULES:
        assert f"## {rule.id.lower()}" in done.stdout


def test_the_editor_loop_runs_direct_with_the_same_report_as_the_flow(content_copy: Path) -> None:
    cwd = content_copy.parent
    one = "content/posts/first-botox-appointment.md"
    _, direct, _ = _review(cwd, one)
    _, flow, _ = _review(cwd, one, "--engine", "prefect")
    assert direct["run"]["engine"] == "direct" and "engine" not in flow["run"]
    assert direct["posts"] == flow["posts"]

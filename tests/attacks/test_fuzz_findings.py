"""Crashes the fuzz harness found (bench/fuzz.py; F-numbers as in bench/results/fuzz-findings.md), each now a
finding at its line while the other posts are still reviewed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_medpress, write_post

FRONT = "---\ntitle: Sun care\nslug: sun-care-{n}\ndate: 2024-05-01\n---\n"


def _review(tmp_path: Path, bodies: list[str]) -> tuple[int, dict[str, list[tuple[str, int | None]]], str]:
    content = tmp_path / "content"
    for n, body in enumerate(bodies):
        write_post(content, f"p{n}.md", FRONT.format(n=n) + body)
    write_post(content, "clean.md", FRONT.format(n="clean") + "Wear a hat.\n")
    out = tmp_path / "review.json"
    done = run_medpress("review", "--content", str(content), "--no-grammar", "--engine", "direct",
                        "--output", str(out), cwd=tmp_path)
    report = json.loads(out.read_text()) if out.exists() else {"posts": []}
    found = {Path(p["path"]).name: [(f["rule"], f["line"]) for f in p["findings"]] for p in report["posts"]}
    return done.returncode, found, done.stderr


@pytest.mark.parametrize("link", ["[a](http://[::1)", "<p://[>", "[](h://[)", "[b](https://x.org:abc/)"])
def test_f1_a_link_that_cannot_be_parsed_is_a_finding_not_the_end_of_the_review(tmp_path: Path, link: str) -> None:
    code, found, stderr = _review(tmp_path, [f"Wear a hat.\n\nSee {link} today.\n"])
    assert "Traceback" not in stderr
    assert code == 1
    assert ("LNK009", 8) in found["p0.md"]
    assert "clean.md" in found  # the other posts are still reviewed


@pytest.mark.parametrize(("body", "why"), [("- " * 494 + "x\n", "too deeply"), ("1. " * 494 + "x\n", "too deeply"),
                                           ("<a>" * 989 + "\n", "too deeply"),
                                           ("<div><![*\n", "rejected by the HTML parser")])
def test_f3_f7_a_body_too_deep_or_rejected_is_fm017_not_an_internal_error(tmp_path: Path, body: str,
                                                                        why: str) -> None:
    code, found, stderr = _review(tmp_path, [body])
    assert "Traceback" not in stderr and code == 1
    assert found["p0.md"] == [("FM017", 6)]  # the body's first line; nothing else claimed about an unread body
    assert "clean.md" in found


@pytest.mark.parametrize("tag", ["!!float x", "!!int x", "!!bool x", "!!timestamp x"])
def test_f6_a_yaml_tag_that_cannot_be_constructed_is_fm006(tmp_path: Path, tag: str) -> None:
    content = tmp_path / "content"
    write_post(content, "p.md", f"---\ntitle: Sun care\nslug: sun-care\ndate: 2024-05-01\nsummary: {tag}\n---\nHat.\n")
    out = tmp_path / "review.json"
    done = run_medpress("review", "--content", str(content), "--no-grammar", "--engine", "direct",
                        "--output", str(out), cwd=tmp_path)
    assert "Traceback" not in done.stderr and done.returncode == 1
    rules = [f["rule"] for f in json.loads(out.read_text())["posts"][0]["findings"]]
    assert "FM006" in rules and "FM014" not in rules


def test_a_post_after_an_unreadable_structure_is_read_as_before(tmp_path: Path) -> None:
    """A parse stopped half-way (a body nested too deeply) must leave nothing behind for the next post."""
    from checks.document import parse_post

    clean = (FRONT.format(n=1) + "Wear a hat.\n\n- one\n- two\n").encode()
    before = parse_post("posts/a.md", clean)
    assert parse_post("posts/deep.md", (FRONT.format(n=2) + "- " * 600 + "x\n").encode()).problems[0].kind \
        == "structure"
    after = parse_post("posts/a.md", clean)
    assert [b.text for b in after.blocks] == [b.text for b in before.blocks] == ["Wear a hat.", "one", "two"]
    assert after.html == before.html

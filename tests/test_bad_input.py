"""Bad input is a finding naming the file and line; every other post is still reviewed completely."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.engine.steps import ReviewOptions, review_plain
from reports.model import PostReport, ReviewReport
from tests.conftest import ADVICE, write_post

GOOD = f"""---
title: "Frown lines: what to expect"
slug: frown-lines
date: 2024-05-01
status: review
categories: [Injectables]
---
## What happens

A nurse injects a small dose into the muscles between your brows. See [the risks](#risks).

## Risks

Bruising can happen. Read [the other post](/blog/other-post/).

{ADVICE}
"""
OTHER = GOOD.replace("slug: frown-lines", "slug: other-post").replace("/blog/other-post/", "/blog/frown-lines/")


def _post(report: ReviewReport, name: str) -> PostReport:
    found = [p for p in report.posts if p.path.endswith("/" + name)]
    assert len(found) == 1, f"{name} appears {len(found)} times"
    return found[0]


def _rules_at(post: PostReport) -> set[tuple[str, int | None]]:
    return {(f.rule, f.line) for f in post.findings}


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReviewReport]:
    folder = tmp_path_factory.mktemp("bad") / "content"
    write_post(folder, "good.md", GOOD)
    write_post(folder, "other.md", OTHER)
    write_post(folder, "bad-yaml.md", "---\ntitle: Botox\nslug: bad-yaml\ndate: 2024-05-01\n"
                                      "tags: [botox, \n---\nText.\n")
    write_post(folder, "no-title.md", "---\nslug: no-title\ndate: 2024-05-01\n---\nText.\n")
    write_post(folder, "dup-a.md", "---\ntitle: A\nslug: same\ndate: 2024-05-01\n---\nText.\n")
    write_post(folder, "dup-b.md", "---\ntitle: B\nslug: same\ndate: 2024-05-01\n---\nText.\n")
    write_post(folder, "bad-date.md", "---\ntitle: Dates\nslug: bad-date\ndate: 2024-02-30\n---\nText.\n")
    write_post(folder, "latin1.md", "---\ntitle: Café\nslug: latin1\ndate: 2024-05-01\n---\n\nCrème brûlée.\n"
               .encode("latin-1"))
    write_post(folder, "empty.md", b"")
    write_post(folder, "huge.md", b"---\ntitle: Huge\nslug: huge\ndate: 2024-05-01\n---\n" + b"Lorem ipsum. " * 400_000)
    write_post(folder, "binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    write_post(folder, "empty-front-matter.md", "---\n---\nText.\n")
    write_post(folder, "comment-front-matter.md", "---\n# only a comment\n---\nText.\n")
    write_post(folder, "control-char.md", "---\ntitle: Bo\x01tox\nslug: control-char\ndate: 2024-05-01\n---\nText.\n")
    write_post(folder, "broken-links.md", GOOD.replace("slug: frown-lines", "slug: broken-links")
               .replace("(#risks)", "(#side-effects)").replace("/blog/other-post/", "/blog/no-such-post/"))
    return folder, review_plain(ReviewOptions(content_dir=folder, grammar=False, use_cache=False))


def test_every_file_appears_exactly_once(bad_corpus: tuple[Path, ReviewReport]) -> None:
    folder, report = bad_corpus
    names = sorted(p.name for p in (folder / "posts").iterdir())
    assert sorted(Path(p.path).name for p in report.posts) == names


def test_each_bad_file_gets_a_finding_with_its_line(bad_corpus: tuple[Path, ReviewReport]) -> None:
    folder, report = bad_corpus
    assert ("FM006", 6) in _rules_at(_post(report, "bad-yaml.md"))  # the YAML error's line, in the file
    assert ("FM007", 2) in _rules_at(_post(report, "no-title.md"))
    assert ("FM011", 3) in _rules_at(_post(report, "dup-a.md"))
    assert ("FM011", 3) in _rules_at(_post(report, "dup-b.md"))
    assert ("FM009", 4) in _rules_at(_post(report, "bad-date.md"))
    latin1 = _post(report, "latin1.md")
    assert ("FM001", 2) in _rules_at(latin1)
    assert "line 2, column 11" in latin1.findings[0].message
    assert {f.rule for f in _post(report, "empty.md").findings} == {"FM003"}
    huge = _post(report, "huge.md")
    assert {f.rule for f in huge.findings} == {"FM004"}
    assert "5,200,048 bytes" in huge.findings[0].message
    assert {f.rule for f in _post(report, "binary.md").findings} == {"FM002"}
    for name in ("empty-front-matter.md", "comment-front-matter.md"):  # missing fields, from line 2 on
        assert {("FM007", 2), ("FM007", 2)} <= _rules_at(_post(report, name)), name
    control = _post(report, "control-char.md")
    assert ("FM006", 2, 10) in [(f.rule, f.line, f.column) for f in control.findings]
    assert "U+0001" in control.findings[0].message
    broken = _post(report, "broken-links.md")
    lines = (folder / "posts" / "broken-links.md").read_text().splitlines()
    by_rule = {f.rule: f for f in broken.findings}
    assert "(#side-effects)" in lines[by_rule["LNK002"].line - 1]
    assert "/blog/no-such-post/" in lines[by_rule["LNK001"].line - 1]
    assert by_rule["LNK002"].suggestion == "Sections there: #what-happens, #risks."
    assert by_rule["LNK001"].suggestion == "Did you mean '/blog/other-post/'?"


def test_bad_files_fail_and_the_good_ones_pass(bad_corpus: tuple[Path, ReviewReport]) -> None:
    _, report = bad_corpus
    assert not _post(report, "good.md").failed
    assert not _post(report, "other.md").failed
    assert _post(report, "good.md").metrics["readability"]["words"] > 20
    failed = {Path(p.path).name for p in report.posts if p.failed}
    assert failed == {"bad-yaml.md", "no-title.md", "dup-a.md", "dup-b.md", "bad-date.md", "latin1.md",
                      "empty.md", "huge.md", "binary.md", "broken-links.md", "empty-front-matter.md",
                      "comment-front-matter.md", "control-char.md"}


def test_a_good_post_is_reviewed_the_same_beside_bad_ones(bad_corpus: tuple[Path, ReviewReport],
                                                          tmp_path: Path) -> None:
    _, report = bad_corpus
    alone = tmp_path / "content"
    write_post(alone, "good.md", GOOD)
    write_post(alone, "other.md", OTHER)
    clean = review_plain(ReviewOptions(content_dir=alone, grammar=False, use_cache=False))
    assert _post(clean, "good.md").findings == _post(report, "good.md").findings
    assert _post(clean, "good.md").metrics == _post(report, "good.md").metrics


def test_a_missing_path_is_reported_and_the_others_reviewed(bad_corpus: tuple[Path, ReviewReport]) -> None:
    folder, _ = bad_corpus
    report = review_plain(ReviewOptions(content_dir=folder, paths=[folder / "posts" / "good.md",
                                                                   folder / "posts" / "gone.md"],
                                        grammar=False, use_cache=False))
    assert [Path(p.path).name for p in report.posts] == ["gone.md", "good.md"]
    gone = _post(report, "gone.md")
    assert [(f.rule, f.message) for f in gone.findings] == [("FM014", "file not found")]
    assert not _post(report, "good.md").failed


def test_a_crash_while_checking_one_post_is_reported_and_the_others_reviewed(tmp_path: Path, monkeypatch) -> None:
    from flows.engine import check_posts

    folder = tmp_path / "content"
    write_post(folder, "good.md", GOOD)
    write_post(folder, "other.md", OTHER)
    real = check_posts.review_post

    def crash_on_other(post, policy, ctx=None):
        if post.rel_path.endswith("other.md"):
            raise KeyError("boom")
        return real(post, policy, ctx)

    monkeypatch.setattr(check_posts, "review_post", crash_on_other)
    report = review_plain(ReviewOptions(content_dir=folder, grammar=False, use_cache=False))
    other = _post(report, "other.md")
    assert [f.rule for f in other.findings] == ["FM014"] and "KeyError: 'boom'" in other.findings[0].message
    good = _post(report, "good.md")  # checked in full (its link to the other post's slug now fails: LNK001)
    assert good.metrics["readability"]["words"] > 20 and {f.rule for f in good.findings} == {"LNK001"}

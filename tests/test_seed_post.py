"""The seed post (a real clinic post) shows what medpress is for."""

from __future__ import annotations

import pytest

from flows.engine.steps import ReviewOptions, review_plain
from reports.model import PostReport
from tests.conftest import CONTENT

SEED = "tests/fixtures/content/posts/botox-pain-management.md"  # the seed post, as a fixture


@pytest.fixture(scope="module")
def seed() -> PostReport:
    report = review_plain(ReviewOptions(content_dir=CONTENT, grammar=False, use_cache=False))
    return next(p for p in report.posts if p.path.endswith("botox-pain-management.md"))


def _line_of(text: str) -> int:
    lines = (CONTENT / "posts" / "botox-pain-management.md").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_the_two_posts_it_names_are_reported_missing(seed: PostReport) -> None:
    missing = {(f.line, f.message) for f in seed.findings if f.rule == "LNK001"}
    assert missing == {
        (_line_of("/blog/how-does-botox-help-in-pain-management/"),
         "no post with slug 'how-does-botox-help-in-pain-management'"),
        (_line_of("/blog/sweat-no-more/"), "no post with slug 'sweat-no-more'"),
    }


def test_readability_is_above_target_with_its_hardest_sentences(seed: PostReport) -> None:
    metrics = seed.metrics["readability"]
    assert metrics["grade"] > 12
    assert {f.rule for f in seed.findings} >= {"RD002"}
    hardest = metrics["hardest"]
    assert len(hardest) == 3
    for sentence in hardest:
        line_text = (CONTENT / "posts" / "botox-pain-management.md").read_text().splitlines()[sentence["line"] - 1]
        assert line_text[sentence["column"] - 1 :].startswith(sentence["text"][:20])
    hotspots = [f for f in seed.findings if f.rule == "RD003"]
    assert 1 <= len(hotspots) <= 5 and all(f.line and f.excerpt for f in hotspots)


def test_its_medical_disclaimer_is_missing(seed: PostReport) -> None:
    missing = {f.message.split("'")[1]: f for f in seed.findings if f.rule == "DSC001"}
    assert set(missing) == {"Not medical advice", "Off-label use disclosed"}
    assert "not medical advice" in missing["Not medical advice"].suggestion
    assert missing["Off-label use disclosed"].line == _line_of("Neuropathic Pain Syndromes:")


def test_the_seed_post_fails_review(seed: PostReport) -> None:
    assert seed.failed
    assert seed.content_hash.startswith("sha256:")

"""Inline suppressions: a reason is required, every waiver is in the report, stale ones are flagged."""

from __future__ import annotations

import json
from pathlib import Path

from flows.engine.steps import ReviewOptions, review_plain
from reports import json_report
from reports.model import SuppressionRecord
from tests.conftest import write_post

HEAD = "---\ntitle: Botox and TMJ\nslug: botox-tmj\ndate: 2024-05-01\n---\n"
TAIL = ("\nSide effects include headache. The toxin can spread and cause trouble swallowing.\n\n"
        "Some uses described in this article are off-label.\n\n"
        "This article is for general education and is not medical advice. Talk to a qualified healthcare "
        "provider about your own health before you start any treatment.\n")


def _review(tmp_path: Path, body: str):
    folder = tmp_path / "content"
    write_post(folder, "p.md", HEAD + body + TAIL)
    report = review_plain(ReviewOptions(content_dir=folder, grammar=False, use_cache=False))
    return report, report.posts[0]


def _rules(post) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in post.findings if f.check in ("claims", "suppressions")]


def test_a_block_waives_its_rule_inside_it_only(tmp_path: Path) -> None:
    reason = "Reviewed by J. Doe, 2026-11-20: FAQ discloses it"
    report, post = _review(tmp_path, f"""<!-- medpress-disable CLM004 reason="{reason}" -->
BOTOX injections ease teeth grinding.
<!-- medpress-enable CLM004 -->

BOTOX injections also ease jaw clenching.
""")
    assert _rules(post) == [("CLM004", 10)]
    assert [(w.finding.rule, w.finding.line, w.reason) for w in post.waived] == [
        ("CLM004", 7, reason)]
    assert post.suppressions == [SuppressionRecord(("CLM004",), reason, line=6, end_line=8, form="block", waived=1)]
    data = json.loads(json_report.render(report))
    assert data["summary"]["waived"] == 1
    assert data["posts"][0]["waived"][0]["suppression_line"] == 6


def test_next_line_form_and_rule_names(tmp_path: Path) -> None:
    _, post = _review(tmp_path, """<!-- medpress-disable-next-line off-label-undisclosed reason="Disclosed below" -->
BOTOX injections ease teeth grinding.

BOTOX injections also ease jaw clenching.
""")
    assert _rules(post) == [("CLM004", 9)]
    assert post.waived[0].finding.line == 7


def test_a_suppression_without_a_reason_is_an_error_and_waives_nothing(tmp_path: Path) -> None:
    _, post = _review(tmp_path, """<!-- medpress-disable-next-line CLM004 -->
BOTOX injections ease teeth grinding.
""")
    assert sorted(_rules(post)) == [("CLM004", 7), ("SUP001", 6)]
    assert not post.waived and post.failed


def test_an_unused_or_unknown_suppression_is_reported(tmp_path: Path) -> None:
    _, post = _review(tmp_path, """<!-- medpress-disable-next-line LNK001 reason="Old link kept on purpose" -->
Plain words here.

<!-- medpress-disable-next-line CLM999 reason="typo" -->
More plain words.
""")
    assert sorted(_rules(post)) == [("SUP002", 9), ("SUP003", 6)]
    assert post.suppressions[0].waived == 0

"""The demo blog in content/ that `make review` reviews, apart from the test fixtures (issue 15 item 8)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import CONTENT, POLICY, ROOT, run_medpress

pytestmark = pytest.mark.usefixtures("prefect_api")

DEMO = ROOT / "content"
APPROVED = ["chemical-peel-aftercare", "forehead-lines-and-crows-feet", "glp1-medications-guide", "your-first-visit"]
HELD = "summer-glow-event"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    # as committed: what a `make review` run left (its publish record and ledger anchor, both git-ignored) is not
    # the demo's, and the README runs `make review` before `make test`
    shutil.copytree(DEMO, target, ignore=shutil.ignore_patterns("published.json", "approvals.anchor"))
    return target


def test_the_fixtures_run_under_the_shipped_default_policy() -> None:
    assert (CONTENT / "policy").resolve() == POLICY.resolve() == (ROOT / "content" / "policy").resolve()
    assert not set((CONTENT / "posts").iterdir()) & set((DEMO / "posts").iterdir())


def test_the_demo_review_passes_four_posts_and_shows_what_is_wrong_with_the_fifth(demo: Path) -> None:
    done = run_medpress("review", "--content", "content", "--no-grammar", "--fail-on", "never", "--output",
                        "out.json", cwd=demo.parent)
    assert done.returncode == 0, done.stderr
    report = json.loads((demo.parent / "out.json").read_text())
    verdicts = {Path(p["path"]).stem: p["status"] for p in report["posts"]}
    assert verdicts == {**dict.fromkeys(APPROVED, "pass"), HELD: "fail"}
    held = next(p for p in report["posts"] if Path(p["path"]).stem == HELD)
    assert {"CLM003", "CLM005", "CLM007", "DSC001", "LNK001"} <= {f["rule"] for f in held["findings"]}
    assert "content/posts/summer-glow-event.md:" in done.stdout
    gate = run_medpress("review", "--content", "content", "--no-grammar", "--fail-on", "error", "--output",
                        "gate.json", cwd=demo.parent)
    assert gate.returncode == 1  # `make review FAIL_ON=error`, the CI gate, fails on the draft


def test_the_demo_ledger_verifies_and_publishing_takes_the_four_approved_posts(demo: Path, tmp_path: Path) -> None:
    state = run_medpress("status", "--content", "content", cwd=demo.parent)
    assert state.returncode == 0, state.stdout + state.stderr
    for slug in APPROVED:
        assert f"approved   content/posts/{slug}.md" in state.stdout
    assert f"draft      content/posts/{HELD}.md" in state.stdout
    site = tmp_path / "site"
    done = run_medpress("publish", "--content", "content", "--target", "static", "--out", str(site), "--no-grammar",
                        cwd=demo.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 published, 0 unchanged, 0 taken down, 1 held back, 0 failed" in done.stdout
    assert sorted(p.name for p in (site / "blog").iterdir()) == APPROVED

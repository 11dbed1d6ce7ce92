"""Claims on what FDA and FTC letters cited (issue 22): tests/regulator_corpus holds the statements the letters
quote, each with its reason and the rules a reviewer expects, placed in clinic-style posts, plus careful
sentences. Scored with bench/regulator_score.py (the same code a reviewer runs by hand).

Issue 22's targets: recall >= 0.95 per reason with 5 or more quoted statements, and no error-level finding on a
careful sentence. Where the check does not reach them yet, the level reached is asserted as a floor (so it cannot
slip back unnoticed) and the gap is named below.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "regulator_score.py"
TARGET_RECALL, MIN_STATEMENTS = 0.95, 5
# floors below the target while the check did not reach it; on 2026-12-03 20:05 UTC (session 9) every reason with 5
# or more quoted statements reached it (99 of 100 statements; the miss is a broadened indication, 1 of 2), so none
RECALL_FLOORS: dict[str, float] = {}
# issue 22's target is 0; errors on careful sentences reached: see CAREFUL_ERRORS_FLOOR
CAREFUL_ERRORS_FLOOR = 0


@pytest.fixture(scope="module")
def result() -> dict[str, object]:
    spec = importlib.util.spec_from_file_location("regulator_score", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("regulator_score", module)  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    statements, careful = module._load("statements.yaml", "statements"), module._load("careful.yaml", "careful")
    letters = module._load("letters.yaml", "letters")
    assert not module._placement_errors(statements, careful)
    return module.score(statements, careful, letters)


def test_recall_per_reason_of_the_letters(result: dict[str, object], capsys: pytest.CaptureFixture[str]) -> None:
    rows: dict[str, dict[str, int]] = result["rows"]  # type: ignore[assignment]
    reached = {}
    for key, counts in rows.items():
        group, name = key.split("|", 1)
        if group == "quoted" and name.startswith("reason:") and counts["n"] >= MIN_STATEMENTS:
            reached[name.removeprefix("reason:")] = counts["found"] / counts["n"]
    with capsys.disabled():
        print("\nrecall per reason (quoted, 5+):", {k: round(v, 2) for k, v in sorted(reached.items())})
        print("missed:", *(f"{m['post']}:{m['line']} {m['reason']} want {m['expected']} got {m['got']}"
                           for m in result["missed"]), sep="\n  ")  # type: ignore[attr-defined]
    assert reached, "no reason has 5 statements"
    overall = rows["quoted|all:all"]
    assert overall["found"] / overall["n"] >= TARGET_RECALL, overall
    for reason, recall in reached.items():
        assert recall >= min(TARGET_RECALL, RECALL_FLOORS.get(reason, TARGET_RECALL)), (reason, recall)


def test_careful_sentences_get_no_error(result: dict[str, object], capsys: pytest.CaptureFixture[str]) -> None:
    wrong: list[dict[str, object]] = result["careful_errors"]  # type: ignore[assignment]
    with capsys.disabled():
        print("\nerrors on careful sentences:", *(f"{w['post']}:{w['line']} {w['rule']} {w['message']}"
                                                 for w in wrong), sep="\n  ")
    assert len(wrong) <= CAREFUL_ERRORS_FLOOR, wrong

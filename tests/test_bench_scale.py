"""bench/scale.py end to end on a tiny corpus (every case, against the session's Prefect and LanguageTool), and its
--compare and --update-docs helpers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import scale  # noqa: E402


def test_scale_runs_every_case_and_renders_the_tables(tmp_path: Path, languagetool: str, prefect_api: str) -> None:
    output = tmp_path / "scale.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "scale.py"), "--sizes", "5", "--grammar-sizes", "5",
                           "--repeat", "1", "--editor-sizes", "5", "--editor-repeat", "1", "--quiet",
                           "--settle-limit", "1",
                           "--output", str(output)],
                          env={**os.environ, "MEDPRESS_LT_URL": languagetool,
                               "PREFECT_API_URL": prefect_api},
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(output.read_text())
    assert results["sanity_problems"] == []
    cases = {(r["case"], r["grammar"]) for r in results["rows"]}
    assert cases == {(case, grammar) for case in scale.CHAIN for grammar in (False, True)}
    for row in results["rows"]:
        for mode in scale.MODES:
            run = row[mode]["runs"][0]
            assert run["review_s"] > 0 and run["process_s"] > run["review_s"] and run["peak_rss_mib"] > 0
            assert run["posts"] == 5 and 0 <= run["settle_s"] < 2  # waited for an idle machine, at most --settle-limit
            if row["grammar"]:
                assert run["grammar_stage_s"] > 0
    raw = results["raw_languagetool"]["5"]
    assert raw["median_s"] > 0 and raw["once"]["median_s"] > 0
    assert 0 < raw["once"]["requests"] <= raw["requests"]  # each paragraph once: never more requests than all
    assert [(e["blog"], e["grammar"]) for e in results["editor_loop"]] == [("5", False), ("5", True)]
    assert all(e["median_s"] > 0 and e["baseline_review_s"] > 0 for e in results["editor_loop"])
    assert results["medpress_code"]["commit"] and results["generated"]["5"]["sha256"]
    table = output.with_suffix(".md").read_text()
    assert "| target | measured | baseline in the same command | limit | result |" in table
    assert all(t["target"] in table for t in results["targets"])
    assert table in done.stdout


def test_each_case_waits_for_an_idle_machine_but_not_forever() -> None:
    assert scale.settle(threshold=0.0, limit=5.0) < 1.0  # any machine is 0 % idle: no wait beyond one sample
    waited = scale.settle(threshold=1.01, limit=1.0)  # never that idle: gives up after the limit
    assert 1.0 <= waited < 2.0


def test_compare_flags_only_medians_more_than_20_percent_slower() -> None:
    def result(cold: float, warm: float) -> dict[str, object]:
        return {"rows": [{"posts": 100, "case": "cold", "grammar": False, "flow": {"median_s": cold},
                          "plain": {"median_s": 1.0}},
                         {"posts": 100, "case": "warm", "grammar": False, "flow": {"median_s": warm},
                          "plain": {"median_s": 0.1}}],
                "raw_languagetool": {"100": {"median_s": 5.0}}, "editor_loop": []}

    old = result(cold=2.0, warm=0.10)
    assert scale.compare(result(cold=2.3, warm=0.14), old) == []  # +15 %; +40 % but only 0.04 s
    assert scale.compare(result(cold=2.5, warm=0.10), old) == ["100 cold flow: 2.000 s -> 2.500 s (1.25x)"]


def test_update_docs_replaces_only_the_marked_block(tmp_path: Path) -> None:
    page = tmp_path / "benchmarks.md"
    page.write_text(f"before\n{scale.DOCS_START}\nold table\n{scale.DOCS_END}\nafter\n")
    scale.update_docs("| new |\n", page)
    assert page.read_text() == f"before\n{scale.DOCS_START}\n| new |\n{scale.DOCS_END}\nafter\n"
    unmarked = tmp_path / "unmarked.md"
    unmarked.write_text("no markers\n")
    with pytest.raises(ValueError):  # nothing to replace: say so rather than append
        scale.update_docs("| x |\n", unmarked)

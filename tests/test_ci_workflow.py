"""The GitHub workflow and the action it runs (action.yml), as CI users need them: cached installs keyed on the
files that decide them, the direct engine (no Prefect server), push and pull-request triggers, each finding
reported once, only the reports uploaded. No GitHub runner emulator works here (act needs a Docker engine), so the
review step's own script runs with a recording `medpress` in its place; tools/ci_local.py times whole runs."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
WORKFLOW = yaml.load((ROOT / ".github/workflows/content-review.yml").read_text(), Loader=yaml.BaseLoader)
STEPS = ACTION["runs"]["steps"]


def _step(name: str) -> dict:
    return next(step for step in STEPS if step.get("name") == name)


def _uses(prefix: str) -> list[dict]:
    return [step for step in STEPS if step.get("uses", "").startswith(prefix)]


def test_the_workflow_runs_on_pushes_to_the_default_branch_and_on_pull_requests_through_the_action() -> None:
    triggers = WORKFLOW["on"]
    assert triggers["push"]["branches"] == ["main"]  # code scanning compares a pull request with its base
    assert "pull_request" in triggers
    steps = WORKFLOW["jobs"]["review"]["steps"]
    assert steps[0]["uses"].startswith("actions/checkout@") and steps[0]["with"]["fetch-depth"] == "0"
    assert steps[1]["uses"] == "./"  # the same action a clinic's content repository uses
    assert "pull_request" in steps[1]["with"]["changed-since"]  # pull requests review what changed, pushes all


def test_installs_are_cached_under_keys_from_the_files_that_decide_them() -> None:
    keys = next(step for step in STEPS if step.get("id") == "keys")["run"]
    assert "pyproject.toml" in keys and "tools/languagetool/pom.xml" in keys
    venv, languagetool = _uses("actions/cache@")
    assert venv["with"]["key"] == "${{ steps.keys.outputs.venv }}"
    assert languagetool["with"]["key"] == "${{ steps.keys.outputs.languagetool }}"
    assert "~/.m2/repository" in languagetool["with"]["path"] and "languagetool-" in languagetool["with"]["path"]
    install = _step("Install medpress")["run"]
    assert "--no-deps" in install  # medpress itself always from this checkout, its dependencies from the cache


def _run_review(tmp_path: Path, **inputs: str) -> tuple[int, list[str]]:
    """The review step's script, with its inputs, and a `medpress` that records its arguments."""
    fake = tmp_path / "bin" / "medpress"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done > "$RECORD"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    step = _step("Review")
    given = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()} | inputs
    env = {key: value.replace("${{ inputs.", "").replace(" }}", "") for key, value in step["env"].items()}
    env = {key: given[value] for key, value in env.items()}
    record = tmp_path / "args"
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, **env, "RECORD": str(record),
                               "PATH": f"{fake.parent}{os.pathsep}{os.environ['PATH']}"})
    return done.returncode, record.read_text().splitlines() if record.exists() else [done.stdout]


@pytest.mark.parametrize(("findings", "shown", "not_shown"), [("code-scanning", "sarif", "github"),
                                                              ("annotations", "github", "sarif")])
def test_each_finding_is_reported_once_with_the_direct_engine(tmp_path: Path, findings: str, shown: str,
                                                               not_shown: str) -> None:
    code, args = _run_review(tmp_path, findings=findings)
    assert code == 0
    formats = args[args.index("--format") + 1].split(",")
    assert shown in formats and not_shown not in formats
    assert args[args.index("--engine") + 1] == "direct"  # no Prefect server in CI: the same report
    assert "--changed-since" not in args and "--baseline" not in args and "--no-grammar" not in args


def test_the_review_step_passes_what_was_asked(tmp_path: Path) -> None:
    (tmp_path / ".medpress-baseline.json").write_text("{}")
    code, args = _run_review(tmp_path, **{"changed-since": "origin/main", "grammar": "false", "fail-on": "warning"})
    assert code == 0
    assert args[args.index("--changed-since") + 1] == "origin/main"
    assert args[args.index("--baseline") + 1] == ".medpress-baseline.json"
    assert args[args.index("--fail-on") + 1] == "warning" and "--no-grammar" in args


def test_an_unknown_findings_channel_stops_the_job_with_a_message(tmp_path: Path) -> None:
    code, output = _run_review(tmp_path, findings="both")
    assert code == 2 and "findings must be code-scanning or annotations" in output[0]


def test_only_the_reports_are_uploaded_and_sarif_only_for_code_scanning() -> None:
    (artifact,) = _uses("actions/upload-artifact@")
    assert artifact["with"]["path"] == "${{ inputs.output-dir }}/"
    (sarif,) = _uses("github/codeql-action/upload-sarif@")
    assert "inputs.findings == 'code-scanning'" in sarif["if"]

"""The CLI helps a person who mistypes: "did you mean" for commands, options, choices and rule ids, the
subcommand's own usage on a bad option, help text on every option, plurals right, a one-post review that keeps
the blog's report, and a dry run whose totals match its lines."""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

import pytest

from flows.cli import build_parser
from tests.conftest import CONTENT, run_medpress, write_post

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.mark.parametrize(("argv", "usage", "hint"), [
    (["reviw"], "usage: medpress [-h]", "did you mean 'review'?"),
    (["review", "--no-gramar"], "usage: medpress review", "did you mean '--no-grammar'?"),
    (["publish", "--dry-rn"], "usage: medpress publish", "did you mean '--dry-run'?"),
    (["publish", "--target", "wordpres"], "usage: medpress publish", "did you mean 'wordpress'?"),
    (["explain", "CLM04"], "", "did you mean 'CLM004'?"),
    (["explain", "fals-approval"], "", "did you mean 'false-approval'?"),
])
def test_a_typo_gets_a_did_you_mean_and_the_right_usage(argv: list[str], usage: str, hint: str,
                                                        tmp_path: Path) -> None:
    done = run_medpress(*argv, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert hint in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.startswith(usage)


def test_every_option_of_every_command_has_help() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = [f"{name} {action.option_strings or action.dest}"
               for name, sub in commands.choices.items() for action in sub._actions
               if not isinstance(action, argparse._HelpAction) and not action.help]
    assert not missing


def test_one_post_and_one_finding_are_singular(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    write_post(folder, "one.md", "---\ntitle: One\nslug: one\ndate: 2024-05-01\n---\nSee [it](/blog/nope/).\n")
    done = run_medpress("review", "--content", "content", "--no-grammar", "--engine", "direct", cwd=tmp_path)
    assert "1 post reviewed:" in done.stdout
    assert not re.search(r"\b1 (posts|findings|errors|warnings|infos)\b", done.stdout), done.stdout


def test_a_one_post_review_keeps_the_blogs_report(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    run_medpress("review", "--content", "content", "--no-grammar", cwd=tmp_path)
    blog = json.loads((tmp_path / "review-output" / "review.json").read_text())
    post = tmp_path / "content" / "posts" / "your-first-visit.md"
    run_medpress("review", "--content", "content", "--no-grammar", str(post), cwd=tmp_path)
    assert json.loads((tmp_path / "review-output" / "review.json").read_text())["summary"] == blog["summary"]
    own = json.loads((tmp_path / "review-output" / "your-first-visit.review.json").read_text())
    assert [Path(p["path"]).name for p in own["posts"]] == ["your-first-visit.md"]


def test_a_dry_run_totals_what_it_listed(tmp_path: Path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    done = run_medpress("publish", "--content", "content", "--out", "site", "--dry-run", "--no-grammar", cwd=tmp_path)
    lines = [line for line in done.stdout.splitlines() if line.startswith(("publish ", "hold "))]
    would = sum(line.startswith("publish ") for line in lines)
    held = sum(line.startswith("hold ") for line in lines)
    assert would and held
    assert f"{would} would publish" in done.stdout and f"{held} held back" in done.stdout
    assert "0 published" not in done.stdout and not (tmp_path / "site").exists()

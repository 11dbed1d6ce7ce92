"""The CI gate: --changed-since reviews changed posts and their linkers; a baseline fails only new findings."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CONTENT, run_medpress

pytestmark = pytest.mark.usefixtures("prefect_api")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin"})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copytree(CONTENT, tmp_path / "content")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "content")
    return tmp_path


def _review(repo: Path, *args: str) -> tuple[int, dict]:
    done = run_medpress("review", "--content", "content", "--no-grammar", "--output", "out.json", *args, cwd=repo)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads((repo / "out.json").read_text())


def test_changed_since_reviews_the_changed_post_and_the_posts_linking_to_it(repo: Path) -> None:
    post = repo / "content" / "posts" / "microneedling-aftercare.md"
    post.write_text(post.read_text() + "\nOne more plain line.\n")
    linkers = {p.name for p in (repo / "content" / "posts").iterdir()
               if "microneedling-aftercare" in p.read_text() and p != post}
    assert linkers, "the shipped content links to this post"
    _, report = _review(repo, "--changed-since", "HEAD")
    reviewed = {Path(p["path"]).name for p in report["posts"]}
    assert reviewed == {post.name} | linkers
    assert any("changed post" in s for s in report["run"]["skipped"])


def test_changed_since_with_nothing_changed_reviews_nothing(repo: Path) -> None:
    status, report = _review(repo, "--changed-since", "HEAD")
    assert status == 0 and report["posts"] == []


def test_an_unknown_ref_is_a_usage_error(repo: Path) -> None:
    done = run_medpress("review", "--content", "content", "--no-grammar", "--changed-since", "no-such-ref", cwd=repo)
    assert done.returncode == 2 and "no-such-ref" in done.stderr


def test_a_baseline_run_fails_only_on_a_new_problem(repo: Path) -> None:
    made = run_medpress("baseline", "--content", "content", "--no-grammar", "--output", "base.json", cwd=repo)
    assert made.returncode == 0, made.stderr
    status, report = _review(repo, "--baseline", "base.json")
    assert status == 0 and report["summary"]["errors"] == 0
    assert report["run"]["baseline"]["accepted"] == sum(len(p["baselined"]) for p in report["posts"]) > 10
    post = repo / "content" / "posts" / "microneedling-aftercare.md"
    text = post.read_text()
    post.write_text(text.replace("\n\n", "\n\nSee [our new page](/blog/does-not-exist/).\n\n", 1))
    status, report = _review(repo, "--baseline", "base.json")
    new = [(Path(p["path"]).name, f["rule"]) for p in report["posts"] for f in p["findings"]
           if f["severity"] == "error"]
    assert status == 1 and new == [("microneedling-aftercare.md", "LNK001")]

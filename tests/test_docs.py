"""The documentation: the MkDocs site builds with --strict, and the README stays a short front page."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
README_MAX_LINES = 150


def mkdocs_build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                          cwd=project, capture_output=True, text=True, timeout=300, check=False)


def test_the_site_builds_strict_without_a_warning(tmp_path: Path) -> None:
    done = mkdocs_build(ROOT, tmp_path / "site")
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}{done.stderr}"
    assert "WARNING" not in done.stderr, done.stderr
    site = tmp_path / "site"
    for page in ("getting-started", "editors-guide", "reviewers-guide", "configuration", "rules", "json-report",
                 "ci", "publishing", "architecture", "benchmarks", "troubleshooting", "attacks"):
        assert (site / page / "index.html").is_file(), f"the site has no {page} page"
    guide = (site / "reviewers-guide" / "index.html").read_text(encoding="utf-8")
    for image in ("report.png", "sign-off.png", "desk-queue.png", "desk-post.png"):  # what a reviewer is shown
        assert f"images/{image}" in guide and (site / "images" / image).stat().st_size > 10_000, image


def test_a_broken_link_fails_the_strict_build(tmp_path: Path) -> None:
    """--strict with the validation settings of mkdocs.yml turns a dead link or anchor into a failure."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    with (project / "docs" / "ci.md").open("a", encoding="utf-8") as page:
        page.write("\nSee [the sign-off](reviewers-guide.md#no-such-section) and [gone](gone.md).\n")
    done = mkdocs_build(project, tmp_path / "site")
    assert done.returncode != 0
    assert "'reviewers-guide.md#no-such-section'" in done.stderr and "'gone.md'" in done.stderr, done.stderr


def test_the_readme_is_a_short_front_page() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines (at most {README_MAX_LINES}): " \
                                           "move the detail to a page under docs/"


def test_the_readme_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"^```\n(.*?)^```", text, re.S | re.M).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if not line.startswith(" ")]
    assert commands == ["make review", "make test"]


def test_the_readmes_links_lead_somewhere() -> None:
    """GitHub shows the README's relative links; mkdocs does not check them, so this does."""
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README.read_text(encoding="utf-8"))
    local = [target for target in targets if "://" not in target]
    assert local, "the README links to no page of the documentation"
    missing = [target for target in local if not (ROOT / target).exists()]
    assert not missing, f"README.md links to files that do not exist: {missing}"


def test_the_benchmark_page_has_the_markers_bench_scale_fills() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import scale
    finally:
        sys.path.remove(str(ROOT / "bench"))
    page = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert page.index(scale.DOCS_START) < page.index(scale.DOCS_END)

"""The result cache is keyed on the checks' code (flows/store/code_version.py), not on a hand-bumped number,
and a result
that records a crash is never cached."""

from __future__ import annotations

import ast
import re
import shutil
import sys
from importlib import metadata
from pathlib import Path

import pytest

import flows.engine.check_posts
from checks.model import Finding, PostResult, Severity
from flows.engine.check_posts import Source, check_sources
from flows.engine.steps import ReviewOptions, review_plain
from flows.store import code_version
from flows.store.cache import ResultCache
from flows.store.policy_files import load_policy
from reports.model import ReviewReport
from tests.conftest import CONTENT, POLICY

CHECKS = Path(code_version.checks.__file__).parent
CRASHING = "posts/microneedling-aftercare.md"


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEDPRESS_CACHE", str(tmp_path / "cache"))  # this test's own, empty cache
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture
def fresh_key() -> object:
    """The key is computed once per process: forget it before and after a test that changes the code."""
    code_version.code_key.cache_clear()
    yield
    code_version.code_key.cache_clear()


def _review(content: Path) -> ReviewReport:
    return review_plain(ReviewOptions(content_dir=content, grammar=False))


def test_the_key_covers_every_source_of_the_checks_package() -> None:
    listed = {path.relative_to(CHECKS).as_posix() for path in code_version.source_files()}
    assert {"pipeline.py", "claims.py", "readability.py", "__init__.py"} <= listed
    every = [*CHECKS.rglob("*.py"), *CHECKS.glob("data/*.txt")]
    assert listed == {path.relative_to(CHECKS).as_posix() for path in every}
    assert "data/easy_words.txt" in listed  # readability's word list shapes findings too


def test_editing_one_line_of_a_check_changes_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     fresh_key: object) -> None:
    copy = tmp_path / "checks"
    shutil.copytree(CHECKS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(code_version, "source_files", lambda: sorted(copy.rglob("*.py")))
    before = code_version.compute()
    assert code_version.compute() == before  # stable for unchanged code
    readability = copy / "readability.py"
    lines = readability.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith(("#", '"""')))
    lines[index] = lines[index].rstrip("\n") + "  # one line edited\n"
    readability.write_text("".join(lines), encoding="utf-8")
    after = code_version.compute()
    assert after != before
    assert code_version.code_key() == after  # what the cache's namespace is built from


def test_a_changed_library_version_changes_the_key(monkeypatch: pytest.MonkeyPatch, fresh_key: object) -> None:
    before = code_version.compute()
    real = metadata.version
    monkeypatch.setattr(code_version.metadata, "version",
                        lambda name: "99.0" if name == "Markdown" else real(name))
    assert code_version.compute() != before


def test_every_library_checks_imports_is_in_the_key() -> None:
    """A new import in checks/ of a library that is not listed would let its upgrade reuse stale results."""
    owners = metadata.packages_distributions()
    imported: set[str] = set()
    for path in CHECKS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {name for name in imported if name not in sys.stdlib_module_names and name != "checks"}
    assert third_party, "no library found: the import walk is broken"
    listed = {_normal(name) for name in code_version.LIBRARIES}
    missing = {name: owners.get(name) for name in third_party
               if not {_normal(dist) for dist in owners.get(name, [name])} & listed}
    assert not missing, f"add the distributions of these imports to flows.store.code_version.LIBRARIES: {missing}"


def _normal(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def test_an_edited_check_makes_every_cached_post_a_miss(content: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch, fresh_key: object) -> None:
    extra = tmp_path / "edited_check.py"
    extra.write_text("THRESHOLD = 1\n")
    real = code_version.source_files()
    monkeypatch.setattr(code_version, "source_files", lambda: [*real, extra])
    posts = len(list((content / "posts").glob("*.md")))
    first = _review(content)
    assert first.run["work"]["parsed"] == posts > 1
    assert _review(content).run["work"]["parsed"] == 0  # same code: all from the cache
    extra.write_text("THRESHOLD = 2\n")
    code_version.code_key.cache_clear()  # a new process, after the edit
    again = _review(content)
    assert again.run["work"]["parsed"] == posts and again.run["cache"]["hits"] == 0


def test_a_crash_is_reported_and_not_cached(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = flows.engine.check_posts.review_post

    def crashing(post, policy, ctx=None):  # type: ignore[no-untyped-def]
        if post.rel_path == CRASHING:
            raise RuntimeError("a bug in a check")
        return real(post, policy, ctx)

    monkeypatch.setattr(flows.engine.check_posts, "review_post", crashing)
    first = _review(content)
    crashed = next(post for post in first.posts if post.path.endswith(CRASHING))
    assert [(f.rule, "a bug in a check" in f.message) for f in crashed.findings] == [("FM014", True)]
    assert first.run["work"]["parsed"] == len(list((content / "posts").glob("*.md")))

    monkeypatch.setattr(flows.engine.check_posts, "review_post", real)  # the bug fixed
    second = _review(content)
    assert second.run["work"]["parsed"] == 1  # the crashed post is checked again, the others come from the cache
    fixed = next(post for post in second.posts if post.path.endswith(CRASHING))
    assert "FM014" not in {f.rule for f in fixed.findings}


@pytest.mark.parametrize("rule", ["FM014", "FM015"])
def test_the_result_cache_never_stores_a_result_recording_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  rule: str) -> None:
    monkeypatch.setenv("MEDPRESS_CACHE", str(tmp_path / "cache"))
    data = (CONTENT / CRASHING).read_bytes()
    policy = load_policy(POLICY)
    checked = check_sources(policy, [Source(CRASHING, CRASHING, data)], False)[0]
    crash = PostResult([Finding("frontmatter", rule, Severity.ERROR, "medpress failed while checking this file")])
    cache = ResultCache(tmp_path / "results.sqlite", "ns")
    digest = checked.summary.content_hash
    cache.put_many([(digest, crash, checked.summary), ("sha256:other", checked.result, checked.summary)])
    assert cache.get_many([digest, "sha256:other"])[0] is None  # a real content hash, yet not stored
    assert cache.get_many(["sha256:other"])[0] is not None  # an ordinary result is

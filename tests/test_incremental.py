"""Reviews redo only what an edit affects, and give the same report as a review from scratch.

A post's per-post result and summary are cached by its bytes; its checks across posts are redone only when
it changed or when something they read of another post did (the posts linking to an edited heading, say).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from checks.corpus import Corpus
from checks.links import linking_posts
from flows.engine.check_posts import check_sources
from flows.engine.steps import ReviewOptions, make_plan, read_sources, review_plain
from flows.store.cache import ResultCache
from flows.store.policy_files import load_policy
from reports.model import ReviewReport
from tests.conftest import CONTENT

EDITED = "posts/microneedling-aftercare.md"


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEDPRESS_CACHE", str(tmp_path / "cache"))  # this test's own, empty cache
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def _review(content: Path, *, use_cache: bool = True) -> ReviewReport:
    return review_plain(ReviewOptions(content_dir=content, grammar=False, use_cache=use_cache))


def _findings(report: ReviewReport) -> dict[str, list[dict[str, object]]]:
    return {p.path: [f.to_dict() for f in p.findings] for p in report.posts}


def _linking(content: Path, targets: set[str]) -> set[str]:
    plan = make_plan(ReviewOptions(content_dir=content, grammar=False, use_cache=False))
    todo = read_sources(plan, ResultCache(None, "")).todo
    summaries = [item.summary for item in check_sources(plan.policy, todo, False)]
    return linking_posts(Corpus(summaries), targets, load_policy(content / "policy").links)


def _shown(content: Path, rel: str) -> str:
    return str(Path(content, rel).relative_to(Path.cwd()) if Path(content).is_relative_to(Path.cwd())
               else Path(content, rel))


def test_an_unchanged_rerun_parses_nothing_and_rechecks_nothing(content: Path) -> None:
    first = _review(content)
    assert first.run["work"]["parsed"] == first.run["work"]["posts"] == 9
    second = _review(content)
    assert second.run["work"]["parsed"] == 0
    assert second.run["work"]["cross_checked"] == 0 and second.run["work"]["cross_reused"] == 9
    assert _findings(second) == _findings(first)


def test_a_body_edit_rechecks_only_the_edited_post(content: Path) -> None:
    first = _review(content)
    _replace(content / EDITED, "This is normal.", "This is normal and expected.")
    second = _review(content)
    assert second.run["work"]["parsed"] == 1
    assert second.run["work"]["cross_checked_posts"] == [_shown(content, EDITED)]
    unchanged = {k: v for k, v in _findings(first).items() if not k.endswith(EDITED)}
    assert {k: v for k, v in _findings(second).items() if not k.endswith(EDITED)} == unchanged


def test_a_heading_edit_rechecks_the_post_and_exactly_the_posts_linking_to_it(content: Path) -> None:
    _review(content)
    linkers = _linking(content, {EDITED})
    assert len(linkers) >= 2  # laser-hair-removal and lip-filler-guide link into its sections
    _replace(content / EDITED, "## Protect Your Skin from the Sun", "## Sun Care")
    second = _review(content)
    assert second.run["work"]["parsed"] == 1
    expected = sorted(_shown(content, rel) for rel in {EDITED, *linkers})
    assert second.run["work"]["cross_checked_posts"] == expected
    assert second.run["work"]["cross_reused"] == 9 - len(expected)
    # and a linking post now reports the section that is gone
    laser = next(p for p in second.posts if p.path.endswith("laser-hair-removal.md"))
    assert any(f.rule == "LNK002" and "protect-your-skin-from-the-sun" in f.message for f in laser.findings)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def _edits(content: Path) -> list[tuple[str, Callable[[], object]]]:
    posts = content / "posts"

    def replace(name: str, old: str, new: str) -> None:
        _replace(posts / name, old, new)

    return [
        ("heading renamed", lambda: replace("microneedling-aftercare.md", "## Protect Your Skin from the Sun",
                                            "## Sun Care")),
        ("slug taken by another post", lambda: replace("lip-filler-guide.md", "slug: lip-filler-guide",
                                                       "slug: laser-hair-removal")),
        ("title renamed", lambda: replace("laser-hair-removal.md", "title:", "title: New:")),
        ("a linked post deleted", lambda: (posts / "glp1-weight-loss.md").unlink()),
        ("a post added that fixes a broken link", lambda: (posts / "new.md").write_text(
            "---\ntitle: A Guide to Wrinkle Relaxers\nslug: chosing-a-wrinkle-relaxer\ndate: 2024-06-01\n---\n"
            "## Side Effects and Risks\n\nSee “Sweat No More” and [glp](/blog/medical-weight-loss-glp1/).\n")),
        ("an image removed", lambda: next((content / "images").iterdir()).unlink()),
        ("heading restored", lambda: replace("microneedling-aftercare.md", "## Sun Care",
                                             "## Protect Your Skin from the Sun")),
    ]


def test_after_each_edit_the_incremental_review_equals_a_review_from_scratch(content: Path) -> None:
    _review(content)
    for name, edit in _edits(content):
        edit()
        incremental = _review(content)
        scratch = _review(content, use_cache=False)
        assert _findings(incremental) == _findings(scratch), name
        assert incremental.run["work"]["cross_checked"] < 9 or name == "title renamed", name


def test_one_path_without_the_cache_checks_that_post_alone_and_finds_what_a_full_review_finds(
        content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--no-cache with one PATH: the other posts are parsed for their summaries only (what the checks across
    posts read), never checked themselves, and the post's findings are those of a full review without the cache."""
    from flows.engine import check_posts

    full = _findings(_review(content, use_cache=False))
    assert any(f["rule"].startswith(("LNK", "CLM010")) for found in full.values() for f in found)  # across posts
    checked: list[str] = []
    real = check_posts.review_post

    def counted(post, policy, ctx=None):  # type: ignore[no-untyped-def]
        checked.append(post.rel_path)
        return real(post, policy, ctx)

    monkeypatch.setattr(check_posts, "review_post", counted)
    for path in sorted((content / "posts").glob("*.md")):
        checked.clear()
        report = review_plain(ReviewOptions(content_dir=content, paths=[path], grammar=False, use_cache=False))
        assert checked == [path.relative_to(content).as_posix()]
        assert report.run["work"]["posts"] == 9
        assert _findings(report) == {k: v for k, v in full.items() if k.endswith(path.name)}, path.name


def test_one_path_with_the_cache_decodes_only_the_other_posts_summaries(content: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The editor's loop: of the other posts only their summaries are read from the cache (a tenth of the bytes of
    their results), and the post's findings are those of the whole blog's review."""
    full = _findings(_review(content))
    asked: dict[str, int] = {"results": 0, "summaries": 0}
    real_full, real_summaries = ResultCache.get_many, ResultCache.get_summaries

    def get_many(self: ResultCache, hashes: list[str]):  # type: ignore[no-untyped-def]
        asked["results"] += len(hashes)
        return real_full(self, hashes)

    def get_summaries(self: ResultCache, hashes: list[str]):  # type: ignore[no-untyped-def]
        asked["summaries"] += len(hashes)
        return real_summaries(self, hashes)

    monkeypatch.setattr(ResultCache, "get_many", get_many)
    monkeypatch.setattr(ResultCache, "get_summaries", get_summaries)
    path = content / EDITED
    report = review_plain(ReviewOptions(content_dir=content, paths=[path], grammar=False))
    assert asked == {"results": 1, "summaries": 8} and report.run["cache"] == {"hits": 9, "misses": 0}
    assert _findings(report) == {k: v for k, v in full.items() if k.endswith(EDITED)}


def test_posts_checked_in_worker_processes_give_the_same_report(content: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.engine import workers

    here = _review(content, use_cache=False)
    monkeypatch.setattr(workers, "MIN_POSTS", 1)  # spread even these 9 posts over the worker processes
    monkeypatch.setenv("MEDPRESS_WORKERS", "2")
    workers.shutdown()
    spread = _review(content, use_cache=False)
    ran = workers.process_ids()
    assert ran and os.getpid() not in ran  # the pool ran, in processes other than this one
    assert _findings(spread) == _findings(here) and spread.run["work"]["parsed"] == 9
    assert [p.metrics for p in spread.posts] == [p.metrics for p in here.posts]
    workers.shutdown()


def test_a_review_stopped_half_way_keeps_the_posts_it_checked(content: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Each batch is cached as it finishes: after a crash (or Ctrl-C) in the third batch, the next review parses
    only the posts of that batch and after it."""
    import flows.engine.steps as steps

    monkeypatch.setattr(steps, "BATCH_SIZE", 2)
    calls = []
    real = steps.check_sources

    def crashing(*arguments):
        calls.append(arguments)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*arguments)

    monkeypatch.setattr(steps, "check_sources", crashing)
    with pytest.raises(KeyboardInterrupt):
        _review(content)
    monkeypatch.setattr(steps, "check_sources", real)
    again = _review(content)
    assert again.run["work"]["parsed"] == 9 - 2 * 2 and again.run["cache"]["hits"] == 4
    assert _findings(again) == _findings(_review(content, use_cache=False))


def test_commands_start_the_workers_early_only_for_reviews_that_may_spread(content: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """`medpress review` starts the worker processes' fork server before it imports Prefect, when it reads enough
    posts to spread them; never for the editor's one-post loop."""
    from flows.engine import workers

    started = []
    monkeypatch.setattr(workers, "prepare", lambda: started.append(True))
    monkeypatch.setenv("MEDPRESS_WORKERS", "2")
    monkeypatch.setattr(workers, "MIN_POSTS", 9)
    one_post = sorted((content / "posts").glob("*.md"))[0]
    for paths, expected in (([], 1), ([one_post], 0), ([content / "posts"], 1), ([content / "images"], 0)):
        started.clear()
        workers.prepare_for(content, paths)
        assert len(started) == expected, paths
    monkeypatch.setattr(workers, "MIN_POSTS", 10)  # 9 posts: one too few
    started.clear()
    workers.prepare_for(content)
    assert not started

"""A post review passes must be one publishing can render: the parse renders with Python-Markdown (under the post's
time budget) exactly the bodies checks.render_guard flags; what it lets through renders quickly; and publishing
renders under its own per-post budget, holding a post that runs past it with a message naming why."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from checks.document import parse_post, render_markdown
from checks.render_guard import MAX_BODY, MAX_MARKUP, MAX_PREFIX, may_stall_rendering
from flows.engine import ingest
from tests.conftest import ROOT, write_post

POSTS = sorted([*(ROOT / "content" / "posts").glob("*.md"), *(ROOT / "tests" / "fixtures" / "content" / "posts")
                .glob("*.md"), *(ROOT / "tests" / "claims_corpus").glob("*.md")])
FRONT = "---\ntitle: Sun care\nslug: sun-care-{n}\ndate: 2024-05-01\n---\n"
# Bodies that cost Python-Markdown minutes or its recursion limit (issue 14 items 5 and F3/F7)
STALLING = ["[" * 16000, "[" * 200_000, "`" * 200_000, "&amp;" * 150_000, "![" * 8000, "*" * 900_000,
            "- " * 494 + "x", "1. " * 494 + "x", "<a>" * 989, "> " * 600 + "x", "[" * 4000 + "a" + "]" * 4000]


def _spread(mark: str, count: int, size: int) -> str:
    """``count`` marks spread over ``size`` characters of words, in one paragraph."""
    words = " word" * ((size - count * len(mark)) // count // 5)
    return (mark + words) * count


# The worst bodies the screen lets through: the most markup per paragraph, the longest body, the deepest prefix
UNDER_THE_LIMITS = {
    "brackets spread": _spread("[", MAX_MARKUP, MAX_BODY - 500),
    "bracket runs": ("[" * MAX_MARKUP + "\n\n") * ((MAX_BODY - 500) // (MAX_MARKUP + 2)),
    "images spread": _spread("![", MAX_MARKUP // 2, MAX_BODY - 500),
    "entities": ("&amp;" * MAX_MARKUP + "\n\n") * ((MAX_BODY - 500) // (5 * MAX_MARKUP + 2)),
    "nested brackets": ("[" * (MAX_MARKUP // 2) + "a" + "]" * (MAX_MARKUP // 2) + "\n\n") * 240,
    "html": ("<a>" * (MAX_MARKUP // 3) + "\n\n") * ((MAX_BODY - 500) // MAX_MARKUP),
    "quotes": ("> " * (MAX_PREFIX // 2 - 1) + "x\n\n") * 500,
}


def test_ordinary_posts_are_not_rendered_by_the_parse() -> None:
    # The point of the screen: the demo blog, the fixtures and the claims corpus parse without Python-Markdown.
    flagged = [p.name for p in POSTS if may_stall_rendering(p.read_text(encoding="utf-8").split("\n---\n", 1)[-1])]
    assert len(POSTS) > 20 and flagged == []


@pytest.mark.parametrize("body", STALLING, ids=lambda b: f"{b[:6]!r}x{len(b)}")
def test_every_body_known_to_stall_or_break_python_markdown_is_flagged(body: str) -> None:
    assert may_stall_rendering(body)


@pytest.mark.parametrize("name", UNDER_THE_LIMITS)
def test_what_the_screen_lets_through_renders_in_well_under_a_budget(name: str) -> None:
    body = UNDER_THE_LIMITS[name]
    assert not may_stall_rendering(body), name
    started = time.process_time()
    render_markdown(body)
    assert time.process_time() - started < 2.0, name  # about 0.4 s of CPU at worst; the default budget is 20 s


def test_a_flagged_body_python_markdown_cannot_render_is_fm017_at_review() -> None:
    # Within markdown-it's nesting limit, past Python-Markdown's recursion: only the render at parse finds it.
    body = "> " * 90 + "x\n"
    assert may_stall_rendering(body)
    post = parse_post("posts/q.md", (FRONT.format(n=1) + body).encode())
    assert [p.kind for p in post.problems] in ([], ["structure"])
    if not post.problems:  # Python-Markdown rendered it after all: publishing can too
        assert "<blockquote>" in post.html


def test_publishing_renders_each_post_under_its_budget_and_holds_one_past_it(tmp_path: Path) -> None:
    content = tmp_path / "content"
    slow = UNDER_THE_LIMITS["brackets spread"]  # let through by the screen: parsed in ~15 ms, rendered in ~0.4 s
    write_post(content, "slow.md", FRONT.format(n=1) + slow)
    write_post(content, "fine.md", FRONT.format(n=2) + "Wear a hat.\n")
    budget = 0.15
    parsed = {p.rel_path: p for p in ingest.read_posts(content, ["posts/slow.md", "posts/fine.md"], 1_000_000,
                                                       budget, render=True)}
    held, fine = parsed["posts/slow.md"], parsed["posts/fine.md"]
    assert not held.readable and held.content_hash == parse_post("posts/slow.md", (content / "posts/slow.md")
                                                                 .read_bytes()).content_hash
    assert held.problems[0].message == (f"rendering it to HTML took longer than its time budget of {budget:g} s; "
                                        "it is held, not published")
    assert fine.readable and "<p>Wear a hat.</p>" in fine.__dict__["html"]  # rendered inside the budget, kept


def test_a_post_whose_render_stalls_at_publishing_is_held_and_the_others_go_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review passed it (nothing flagged, nothing rendered); Python-Markdown then stalls on it at publishing (here
    a stand-in that sleeps): held at the budget with the reason, nothing of it written, the other post published."""
    import re

    from checks import document
    from flows.publish.signoff import publish
    from flows.publish.static import StaticTarget
    from tests.attacks.publish_support import approve_post
    from tests.conftest import ADVICE
    from tests.signing import reviewer_key

    content, site = tmp_path / "content", tmp_path / "site"
    front = "---\ntitle: Sun care\nslug: {slug}\ndate: 2024-05-01\nsummary: Short.\n---\n"
    stalls = write_post(content, "stalls.md", front.format(slug="stalls") + f"Wear a hat, STALL.\n\n{ADVICE}\n")
    fine = write_post(content, "fine.md", front.format(slug="fine") + f"Wear a hat.\n\n{ADVICE}\n")
    reviewer_key(content, "ann-lee", "medical-director")  # writes the content's policy: give it a 5 s budget
    policy = content / "policy" / "policy.yaml"
    policy.write_text(re.sub(r"(?m)^  max_seconds: \S+", "  max_seconds: 5", policy.read_text()))
    approve_post(content, stalls)
    approve_post(content, fine)
    real = document.render_markdown

    def render(body: str) -> str:
        if "STALL" in body:
            time.sleep(60)
        return real(body)

    monkeypatch.setattr(document, "render_markdown", render)
    started = time.monotonic()
    run = publish(content, StaticTarget(site), grammar=False)
    assert time.monotonic() - started < 40  # the budget (5 s), not the stall (60 s)
    decisions = {d.slug: d for d in run.decisions}
    assert decisions["stalls"].action == "hold" and decisions["stalls"].path == "posts/stalls.md"
    assert "rendering it to HTML took longer than its time budget of 5 s" in decisions["stalls"].reason
    assert decisions["fine"].action == "publish" and (site / "blog" / "fine" / "index.html").is_file()
    assert not (site / "blog" / "stalls").exists()

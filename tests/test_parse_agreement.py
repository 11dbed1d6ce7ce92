"""Checks read posts with markdown-it-py; publishing renders them with Python-Markdown (flows/publish/render.py).
The two must agree on what a reader gets: the same paragraphs, headings, lists and links, in the same order, for
every post of content/ and tests/fixtures/content."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from checks.document import Post, parse_post
from checks.markdown_body import PARSER, collect_blocks
from checks.normalise import normalise
from tests.conftest import ROOT

POSTS = sorted([*(ROOT / "content" / "posts").glob("*.md"),
                *(ROOT / "tests" / "fixtures" / "content" / "posts").glob("*.md")])


def _words(text: str) -> str:
    return " ".join(normalise(text, tuple(range(len(text))))[0].split())


def structure_checked(post: Post) -> dict[str, list[object]]:
    """The block structure the checks read."""
    tokens = PARSER.parse(post.text[post.body_start :])
    return {
        "blocks": [(b.tag, _words(b.text)) for b in post.blocks],
        "headings": [(b.tag, _words(b.text), b.anchor) for b in post.headings],
        "lists": [t.tag for t in tokens if t.type in ("bullet_list_open", "ordered_list_open")],
        "links": [(link.kind, link.target) for link in post.links],
    }


def structure_published(post: Post) -> dict[str, list[object]]:
    """The same read from the HTML publishing renders (Python-Markdown)."""
    soup = BeautifulSoup(post.html, "html.parser")
    prose, _ = collect_blocks(soup)
    return {
        "blocks": [(tag, _words("".join(parts))) for tag, parts, _, _ in prose],
        "headings": [(h.name, _words(h.get_text()), h.get("id")) for h in soup.find_all(["h1", "h2", "h3", "h4",
                                                                                         "h5", "h6"])],
        "lists": [tag.name for tag in soup.find_all(["ul", "ol"])],
        "links": [("link", tag["href"]) if tag.name == "a" else ("image", tag["src"])
                  for tag in soup.find_all(_links)],
    }


def _links(tag: object) -> bool:
    name = getattr(tag, "name", None)
    return bool((name == "a" and tag.get("href")) or (name == "img" and tag.get("src")))  # type: ignore[attr-defined]


def test_there_are_posts_to_compare() -> None:
    assert len(POSTS) >= 14


@pytest.mark.parametrize("path", POSTS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_checks_and_publishing_read_the_same_structure(path: Path) -> None:
    post = parse_post(f"posts/{path.name}", path.read_bytes())
    assert post.readable, post.problems
    checked, published = structure_checked(post), structure_published(post)
    assert checked["blocks"], "no text read"
    for part in ("blocks", "headings", "lists", "links"):
        assert checked[part] == published[part], part


def test_a_list_right_under_its_lead_in_stays_in_the_paragraph_for_both() -> None:
    # Python-Markdown needs a blank line before a list; CommonMark does not. Checks read it as publishing does:
    # one paragraph whose lines are the items (the claims analysis gives each item its own claim and line).
    post = parse_post("posts/x.md", b"---\ntitle: T\n---\nBring these:\n- a card\n- a list of medicines\n")
    checked, published = structure_checked(post), structure_published(post)
    assert checked == published
    assert checked["lists"] == [] and [tag for tag, _ in checked["blocks"]] == ["p"]


def test_plain_commonmark_would_read_that_list_differently() -> None:
    # Why checks.markdown_body replaces markdown-it's list rule: CommonMark alone reads the items as a list,
    # publishing (Python-Markdown) as the lead-in's paragraph.
    body = "Bring these:\n- a card\n- a list of medicines\n"
    post = parse_post("posts/x.md", ("---\ntitle: T\n---\n" + body).encode())
    plain = MarkdownIt("commonmark").parse(body)
    assert [t.tag for t in plain if t.type == "bullet_list_open"] == ["ul"]
    assert structure_published(post)["lists"] == []

"""Blocks, links and anchors read from Python-Markdown's element tree equal those read from its HTML.

Most posts are read from the tree (BeautifulSoup parsing the HTML again cost 0.7 ms a post); a post whose tree
holds raw HTML, entities or text its HTML would read otherwise is read from the HTML. Either way the model must
be the same, to the character offset.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from checks import document
from checks.document import Post, parse_post
from tests.conftest import CONTENT, ROOT
from tests.test_align import FRAGMENTS

# Markdown that stays in the tree (no raw HTML or entities), so the random posts below take the tree path too
PLAIN_FRAGMENTS = [f for f in FRAGMENTS if "<" not in f and "&" not in f and "```" not in f] + [
    "a & b", "x < y > z", "\\<", "\\&", "[a](/x?y=1&z=2)", "![a&b](/i.png)", "\n    indented code\n",
    "## H {: #h1 }\n", "\n### `code` head\n", "{: .footnote-ref}", "\n[^n]: see `x`\n", "[^n]",
    "\n\n*[Botox]: brand\n", "a\\\nb"]
# Markdown whose tree reads otherwise than its HTML (or holds stashed HTML): entities in code spans, valueless or
# upper-case attributes, fenced code
EDGE_FRAGMENTS = ["`&amp;`", "`<b>`", "[`a&b`](/x)", "{: ID=x}", "{: checked=checked}", "\n```\n  \n```\n"]


def _model(post: Post) -> tuple[object, ...]:
    return ([(b.tag, b.text, b.offsets, b.in_blockquote, b.anchor) for b in post.blocks], post.links,
            post.anchors, post.problems, post.extras, post.disguises, post.markup)


def _both_ways(data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[bool, tuple[object, ...], tuple[object, ...]]:
    """Whether the tree was read, the model read that way, and the model read from the HTML."""
    reading_tree = document._reading_tree
    post = parse_post("posts/x.md", data)
    from_tree = post.readable and reading_tree(post.text[post.body_start :]) is not None
    with monkeypatch.context() as patch:
        patch.setattr(document, "_reading_tree", lambda body: None)
        from_html = parse_post("posts/x.md", data)
    return from_tree, _model(post), _model(from_html)


@pytest.mark.parametrize("folder", [CONTENT / "posts", ROOT / "tests" / "claims_corpus"], ids=["content", "claims"])
def test_real_posts_read_the_same_from_the_tree(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree_read = 0
    for path in sorted(folder.glob("*.md")):
        from_tree, model, expected = _both_ways(path.read_bytes(), monkeypatch)
        assert model == expected, path.name
        tree_read += from_tree
    if folder.parent == CONTENT:
        assert tree_read == len(list(folder.glob("*.md")))  # every fixture post takes the fast path


def test_random_posts_read_the_same_from_the_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    tree_read = html_read = 0
    for n in range(1200):
        pool = PLAIN_FRAGMENTS if n % 2 else FRAGMENTS + PLAIN_FRAGMENTS + EDGE_FRAGMENTS
        body = "".join(rng.choice(pool) for _ in range(rng.randint(1, 60)))
        data = ("---\ntitle: T\nslug: t\n---\n" + body).encode()
        try:
            from_tree, model, expected = _both_ways(data, monkeypatch)
        except Exception:  # BeautifulSoup rejects some markup ("<![" ...); the checks report that post as failed
            continue
        assert model == expected, body
        tree_read += from_tree
        html_read += not from_tree
    assert tree_read > 400 and html_read > 300  # both readers were compared on many posts


def test_raw_html_and_entities_are_read_from_the_html() -> None:
    for body in ("Text <span>x</span>.", "A &copy; B.", "<!-- note -->\nText.", "`&amp;` in code."):
        assert document._reading_tree(body) is None, body
    for body in ("Plain *text* with a [link](/blog/x/#a) and a & b.", "# Title\n\n- one\n- two [^1]\n\n[^1]: A note."):
        assert document._reading_tree(body) is not None, body

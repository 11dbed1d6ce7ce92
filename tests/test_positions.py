"""Findings point at the Markdown source (line and column in the raw file), not at rendered HTML."""

from __future__ import annotations

from checks.document import parse_post
from checks.source import SourceMap

SOURCE = """---
title: "Positions"
slug: positions
date: 2024-05-01
---
# Hello *World*

Read [our blog](/blog/sweat-no-more/) to learn more about **Botox**, and `code here` then.
A second line with an ![image](/images/x.png) inside & more.

1. **Chronic Migraines:** Chronic migraines are bad.
2. Item two with <https://example.com> autolink.

> “I love my results,” said a patient.

Café crème, naïve — then the end.
"""


def _locate(word: str, occurrence: int = 0) -> tuple[int, int]:
    """Line and column of ``word`` as found in the rendered text, mapped back to the source."""
    post = parse_post("posts/p.md", SOURCE.encode())
    seen = 0
    for block in post.blocks:
        start = block.text.find(word)
        while start >= 0:
            if seen == occurrence:
                found = block.source_range(start, start + len(word))
                assert found is not None
                assert post.text[found[0] : found[1]] == word
                return post.source.position(found[0])
            seen += 1
            start = block.text.find(word, start + 1)
    raise AssertionError(f"{word!r} not in rendered text")


def _expected(word: str, occurrence: int = 0) -> tuple[int, int]:
    index = -1
    for _ in range(occurrence + 1):
        index = SOURCE.index(word, index + 1)
    return SourceMap(SOURCE).position(index)


def test_words_map_to_their_source_line_and_column() -> None:
    for word in ("Hello", "World", "learn", "Botox", "then", "second", "inside", "Chronic", "bad",
                 "autolink", "patient", "crème", "naïve", "end"):
        assert _locate(word) == _expected(word), word


def test_word_after_a_link_is_not_matched_inside_the_url() -> None:
    # "more" first appears in the URL /blog/sweat-no-more/; the prose one follows "learn".
    line, column = _expected("learn more")
    assert _locate("more") == (line, column + len("learn "))


def test_code_and_link_targets_are_not_prose() -> None:
    post = parse_post("posts/p.md", SOURCE.encode())
    text = " ".join(b.text for b in post.blocks)
    assert "code here" not in text
    assert "/blog/sweat-no-more/" not in text


def test_links_carry_the_position_of_their_target() -> None:
    post = parse_post("posts/p.md", SOURCE.encode())
    by_target = {link.target: post.source.position(link.start) for link in post.links}
    assert by_target["/blog/sweat-no-more/"] == _expected("/blog/sweat-no-more/")
    assert by_target["/images/x.png"] == _expected("/images/x.png")
    assert by_target["https://example.com"] == _expected("https://example.com")


def test_headings_get_github_anchors() -> None:
    post = parse_post("posts/p.md", b"---\ntitle: t\nslug: t\ndate: 2024-01-01\n---\n## Side Effects\n\n"
                                    b"## Side Effects\n\n## What's FDA-approved?\n")
    assert [b.anchor for b in post.headings] == ["side-effects", "side-effects-1", "whats-fda-approved"]
    assert 'id="side-effects-1"' in post.html


def test_source_map_counts_characters_not_bytes() -> None:
    source = SourceMap("ab\nçé x\n")
    assert source.position(0) == (1, 1)
    assert source.position(3) == (2, 1)
    assert source.position(6) == (2, 4)

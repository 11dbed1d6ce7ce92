"""Findings point at the Markdown source (line and column in the raw file), not at rendered HTML."""

from __future__ import annotations

import random
import unicodedata
from itertools import pairwise

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


# Pieces of Markdown, raw HTML, entities and odd characters that random posts are built of (tests/test_speedups.py
# uses them too)
FRAGMENTS = ["word", "Botox", " ", "  ", "\n", "\n\n", "**bold**", "*em*", "_u_", "[link](/blog/x/)", "`code`",
             "[l](http://a.b/c \"t\")", "``a`b``", "&amp;", "&copy;", "&#8212;", "\u00a0", "\u2009", "<span>x</span>",
             "<!-- c -->", "![img](/images/a.png)", "[^1]", "\n[^1]: note text\n", "\n> quote\n", "\n## Heading\n",
             "\n| a | b |\n|---|---|\n| c | d |\n", "\n- item\n- item two\n", "\n1. one\n2. two\n",
             "\n```\ncode block\n```\n", "\t", "😀", "é", "e\u0301", "<https://x.y/z>", "[ref][r]", "\n[r]: /blog/y/\n",
             "Dr. Lee", "...", "“q”", "\\*", "\n---\n", "<br>", "x<sup>2</sup>", "\nTerm\n: definition\n", "a  \nb",
             "\u2028", "\x1c"]


def test_every_placed_character_is_that_character_in_the_source() -> None:
    """Each text's characters are found in its own block's source lines: a placed character is the same character
    there (or the '&' of the entity that spells it), and prose runs forward through the source."""
    rng = random.Random(11)
    for _ in range(1500):
        source = "---\ntitle: T\n---\n" + "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 60)))
        post = parse_post("posts/r.md", source.encode())
        if not post.readable:
            continue
        for block in (*post.blocks, *(b for b in post.extras if b.where not in ("title", "slug"))):
            placed = [(char, at) for char, at in zip(block.text, block.offsets, strict=True) if at >= 0]
            for char, at in placed:  # as written, or as a reader reads it (é written e + a combining mark)
                written = unicodedata.normalize("NFKC", source[at : at + 3])
                assert source[at] in (char, "&") or written.startswith(char), (source, block.text, char, at)
            if block.where == "body":
                assert all(a < b for (_, a), (_, b) in pairwise(placed)), (source, block.text)


def _line_of(source: str, needle: str) -> int:
    return source[: source.index(needle)].count("\n") + 1


def test_alt_text_is_placed_on_its_image_line() -> None:
    # The old alignment of the whole rendered text placed each word of an alt text at the first earlier
    # occurrence of its letters, spread over the paragraphs above the image.
    source = ("---\ntitle: T\nslug: t\ndate: 2024-05-01\n---\nDark spots show where the test is most active.\n\n"
              "Sweat glands work hardest under the arms.\n\n![Underarm test with dark spots where the sweat glands "
              "are most active](/images/x.png)\n")
    post = parse_post("posts/a.md", source.encode())
    alt = next(b for b in post.extras if b.where == "alt")
    found = alt.source_range()
    assert found is not None and source[found[0] : found[1]] == alt.text
    assert post.source.position(found[0])[0] == _line_of(source, "![Underarm")


def test_a_footnote_is_read_at_its_definition() -> None:
    # The old alignment placed no character of a footnote (read at the end of the rendered page) at all.
    source = ("---\ntitle: T\nslug: t\ndate: 2024-05-01\n---\nBOTOX can reduce sweaty palms[^p].\n\n"
              "[^p]: Treating the palms is an off-label use of BOTOX.\n")
    post = parse_post("posts/f.md", source.encode())
    assert [b.text for b in post.blocks] == ["BOTOX can reduce sweaty palms.", "Treating the palms is an "
                                             "off-label use of BOTOX. "]
    found = post.blocks[1].source_range()
    assert found is not None and post.source.position(found[0]) == (_line_of(source, "[^p]:"), len("[^p]: ") + 1)
    assert {"fn:p", "fnref:p"} <= post.anchors

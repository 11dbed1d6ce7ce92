"""The run-at-a-time alignment gives exactly the offsets of the plain character-by-character walk."""

from __future__ import annotations

import random

from bs4 import BeautifulSoup

from checks import document
from checks.document import _CONFIRM, _NEAR, _RESYNC, _collect_blocks, render_markdown

FRAGMENTS = ["word", "Botox", " ", "  ", "\n", "\n\n", "**bold**", "*em*", "_u_", "[link](/blog/x/)", "`code`",
             "[l](http://a.b/c \"t\")", "``a`b``", "&amp;", "&copy;", "&#8212;", "\u00a0", "\u2009", "<span>x</span>",
             "<!-- c -->", "![img](/images/a.png)", "[^1]", "\n[^1]: note text\n", "\n> quote\n", "\n## Heading\n",
             "\n| a | b |\n|---|---|\n| c | d |\n", "\n- item\n- item two\n", "\n1. one\n2. two\n",
             "\n```\ncode block\n```\n", "\t", "😀", "é", "e\u0301", "<https://x.y/z>", "[ref][r]", "\n[r]: /blog/y/\n",
             "Dr. Lee", "...", "“q”", "\\*", "\n---\n", "<br>", "x<sup>2</sup>", "\nTerm\n: definition\n", "a  \nb",
             "\u2028", "\x1c"]


def _reference_align(text: str, body_start: int, raw_blocks: list) -> list[tuple[str, tuple[int, ...]]]:
    """The walk _align replaces: each rendered character searched a few visible characters ahead."""
    masked = bytearray(len(text))
    for pattern in document._MASKS:
        for match in pattern.finditer(text, body_start):
            masked[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    for match in document.re.finditer(r"<(https?://[^>\s]+)>", text[body_start:]):
        masked[body_start + match.start(1) : body_start + match.end(1)] = b"\x00" * len(match.group(1))
    positions = [i for i in range(body_start, len(text)) if not masked[i] and not text[i].isspace()]
    visible = "".join(text[i] for i in positions)
    cursor = 0
    blocks = []
    for raw in raw_blocks:
        block_text = "".join(raw.parts)
        offsets = [-1] * len(block_text)
        chars = [(i, ch) for i, ch in enumerate(block_text) if not ch.isspace()]
        for n, (i, ch) in enumerate(chars):
            found = visible.find(ch, cursor, cursor + _NEAR)
            if found < 0:
                needle = "".join(c for _, c in chars[n : n + _CONFIRM])
                found = visible.find(needle, cursor, cursor + _RESYNC + len(needle))
            if found >= 0:
                offsets[i] = positions[found]
                cursor = found + 1
        blocks.append((block_text, tuple(offsets)))
    return blocks


def test_alignment_equals_the_character_walk() -> None:
    rng = random.Random(11)
    for _ in range(1500):
        text = "---\ntitle: T\n---\n" + "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 60)))
        body_start = text.index("---\n", 4) + 4
        soup = BeautifulSoup(render_markdown(text[body_start:]), "html.parser")
        raw_blocks = _collect_blocks(soup, document._soup_children)
        aligned = [(b.text, b.offsets) for b in document._align(text, body_start, raw_blocks)]
        assert aligned == _reference_align(text, body_start, raw_blocks), text

"""Python-Markdown's inline pass, gated (checks/document.py): the same HTML as the library's own converter."""

from __future__ import annotations

import random

import markdown

from checks import document
from checks.document import MARKDOWN_EXTENSIONS, render_markdown
from tests.conftest import CONTENT

PIECES = ["word", "Botox", "*em*", "**strong**", "_u_", "__uu__", "`code`", "``a ` b``", "[link](/posts/x/)",
          "![alt](/img.png)", "[ref][1]", "[1]", "\n[1]: /target\n", "<b>bold</b>", "<span>x</span>", "&amp;",
          "&copy;", "&#169;", "\\*", "\\", "  \n", "<http://example.com>", "<me@example.com>", "http://bare.com",
          "[^n]", "\n[^n]: a note\n", "\n*[HTML]: Hyper Text\n", "HTML", "İt", "ſ", "-", "#", "\n\n", "\n- item",
          "\n1. one", "\n> quote", "\n    code block", "\n```\nfenced *x*\n```\n", "| a | b |\n|---|---|\n| 1 | 2 |",
          "{: .class }", "Term\n: definition", "<!-- comment -->", "~~x~~", "'", "\"", "!", "[", "]", "(", ")"]


def _plain_converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS))


def test_gated_inline_pass_renders_the_same_html() -> None:
    plain = _plain_converter()
    texts = [path.read_text(encoding="utf-8") for path in sorted((CONTENT / "posts").glob("*.md"))]
    rng = random.Random(11)
    texts += [" ".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40))) for _ in range(1500)]
    for text in texts:
        plain.reset()
        assert render_markdown(text) == plain.convert(text), text


def test_the_gate_skips_plain_text() -> None:
    from markdown.treeprocessors import InlineProcessor

    calls = []
    original = InlineProcessor._InlineProcessor__handleInline  # the library's own, behind the gate

    def counting(self: InlineProcessor, data: str, patternIndex: int = 0) -> str:
        calls.append(data)
        return original(self, data, patternIndex)

    InlineProcessor._InlineProcessor__handleInline = counting
    try:
        document._converter().convert("# A plain heading\n\n- plain item\n- item with *emphasis*\n\nA [link](/x/).\n")
    finally:
        InlineProcessor._InlineProcessor__handleInline = original
    # only the texts with inline marks reach the patterns (the heading and the plain item do not)
    assert calls and all(any(mark in data for mark in "*[") for data in calls), calls

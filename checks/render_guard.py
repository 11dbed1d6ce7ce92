"""Which bodies Python-Markdown (publishing's renderer) could take long over, or fail on.

Checks read a body with markdown-it-py, which is linear; publishing renders it with Python-Markdown, whose inline
patterns cost about (markup characters in a paragraph) x (the paragraph's length) and whose block parser recurses
once per level of nesting: '[' * 16000 takes minutes, a quote nested 500 deep runs out of recursion. A body review
passes must not be one publishing cannot render, so the parse renders it once with Python-Markdown under the post's
time budget: but only a body this screen flags, since an ordinary post (a few KB, under 30 markup characters per
paragraph) renders in milliseconds and rendering every post would double the parse. What the screen lets through
is bounded (tests/test_render_guard.py renders the worst bodies just under each limit), and publishing renders
under its own time budget as well (flows.engine.ingest.read_posts with ``render``).
"""

from __future__ import annotations

import re

MAX_BODY = 32_000  # characters; the largest post of the demo blog, the fixtures and 1,000 generated ones: 11 KB
MAX_MARKUP = 128  # markup characters in one paragraph (block between blank lines); ordinary posts: at most 26
MAX_PREFIX = 32  # characters of quote markers, list markers and indentation opening one line; ordinary: 12
# What Python-Markdown's inline patterns start from: links and images, code spans, entities, HTML, emphasis
_MARKUP = re.compile(r"[\[`&<*_!>\\]")
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
_DEEP_PREFIX = re.compile(rf"^(?:[ \t>*+\-]|\d+[.)]){{{MAX_PREFIX}}}", re.MULTILINE)


def may_stall_rendering(body: str) -> bool:
    """True when Python-Markdown's cost for ``body`` is not bounded by the limits above (render it to know)."""
    if len(body) > MAX_BODY or _DEEP_PREFIX.search(body):
        return True
    if len(_MARKUP.findall(body)) <= MAX_MARKUP:
        return False
    return any(len(_MARKUP.findall(block)) > MAX_MARKUP for block in _BLANK_LINE.split(body))

"""Heading anchors in GitHub's style; publishing uses the same function."""

from __future__ import annotations

import re
from collections.abc import Iterable

_NOT_ANCHOR = re.compile(r"[^\w\- ]", re.UNICODE)


def github_anchor(text: str) -> str:
    """``## Side Effects`` -> ``side-effects`` (lowercase, punctuation dropped, spaces to hyphens)."""
    return _NOT_ANCHOR.sub("", text.strip().lower()).replace(" ", "-")


def unique_anchors(texts: Iterable[str]) -> list[str]:
    """Anchors for headings in order; repeats get ``-1``, ``-2`` as on GitHub."""
    seen: dict[str, int] = {}
    anchors = []
    for text in texts:
        base = github_anchor(text)
        count = seen.get(base, 0)
        anchors.append(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return anchors

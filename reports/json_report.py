"""The JSON report (schema medpress.review/1), documented in README.md.

Written in pieces (:func:`chunks`), finding by finding: the whole report is never one string nor one tree of
dicts. The bytes are those of ``json.dumps(report.to_dict(), indent=2, ensure_ascii=False)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import GeneratorType

from reports.model import SCHEMA, ReviewReport


def render(report: ReviewReport) -> str:
    return "".join(chunks(report))


def chunks(report: ReviewReport) -> Iterator[str]:
    # Generators stand for the lists that can be long (posts, each post's findings): made as they are written.
    top = {"schema": SCHEMA, "run": report.run, "summary": report.summary(),
           "posts": (post.to_dict(listed=iter) for post in report.posts)}
    yield from _pieces(top, "", depth=1)
    yield "\n"


def _pieces(value: object, indent: str, depth: int) -> Iterator[str]:
    """``value`` as ``json.dumps(value, indent=2)`` writes it nested at ``indent``, in pieces. Dicts are walked
    ``depth`` levels down and generators always; anything else is one ``json.dumps`` (JSON text holds no raw
    newline but its indentation, so nesting it is re-indenting it)."""
    inner = indent + "  "
    if isinstance(value, GeneratorType):
        empty = True
        for item in value:
            yield ("[" if empty else ",") + "\n" + inner
            yield from _pieces(item, inner, depth)  # a list's items are as deep as the list
            empty = False
        yield "[]" if empty else "\n" + indent + "]"
    elif isinstance(value, dict) and value and depth >= 0 and all(isinstance(key, str) for key in value):
        for number, (key, item) in enumerate(value.items()):
            yield ("," if number else "{") + "\n" + inner + json.dumps(key, ensure_ascii=False) + ": "
            yield from _pieces(item, inner, depth - 1)
        yield "\n" + indent + "}"
    else:
        yield json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)

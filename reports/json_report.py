"""The JSON report (schema medpress.review/1), documented in README.md.

Written post by post (:func:`chunks`): the whole report is never one string nor one tree of dicts. The bytes are
those of ``json.dumps(report.to_dict(), indent=2, ensure_ascii=False)``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from reports.model import SCHEMA, ReviewReport


def render(report: ReviewReport) -> str:
    return "".join(chunks(report))


def chunks(report: ReviewReport) -> Iterator[str]:
    head = {"schema": SCHEMA, "run": report.run, "summary": report.summary()}  # then "posts", one at a time
    text = json.dumps(head, indent=2, ensure_ascii=False)
    yield text.removesuffix("\n}") + ',\n  "posts": ['
    for number, post in enumerate(report.posts):
        # Inside the list a post sits two levels deep: JSON text holds no raw newline but its own indentation.
        body = json.dumps(post.to_dict(), indent=2, ensure_ascii=False).replace("\n", "\n    ")
        yield ("," if number else "") + "\n    " + body
    yield "\n  ]\n}\n" if report.posts else "]\n}\n"

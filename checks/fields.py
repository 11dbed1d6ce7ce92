"""Where a post's front-matter fields stand in its source (the front-matter check and the summary read it)."""

from __future__ import annotations

from checks.document import Post
from checks.model import Span


def key_span(post: Post, key: str) -> Span:
    field = post.meta_fields.get(key)
    if field:
        return post.source.span(field.key_start, field.key_start + len(key))
    start = post.front_matter_start
    return post.source.span(start, start)


def value_span(post: Post, key: str) -> Span:
    field = post.meta_fields.get(key)
    if not field:
        return key_span(post, key)
    return post.source.span(field.value_start, max(field.value_start, field.value_end))


def field_line(post: Post, key: str) -> str:
    field = post.meta_fields.get(key)
    if not field:
        return ""
    return post.source.line_text(post.source.position(field.key_start)[0]).strip()

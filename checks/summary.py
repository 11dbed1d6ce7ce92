"""What the cross-post checks need of a post, taken out of it once while it is parsed.

A :class:`PostSummary` is small, plain data (it round-trips through JSON), so an unchanged post is never
parsed again: its summary comes from the cache, and the checks across posts (links, anchors, duplicate
slugs, facts stated differently, sign-offs) and the suppressions run on summaries alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from checks.document import Post
from checks.fields import field_line, value_span
from checks.model import Span
from checks.suppression_comments import Suppression

_QUOTED = re.compile(r"[“\"‘'](?P<q>[^“”\"‘’'\n]{8,120}?)[”\"’'‘]")


@dataclass(frozen=True)
class LinkRef:
    kind: str  # "link" or "image"
    target: str
    has_text: bool  # link text, or an image's alt text
    span: Span


@dataclass(frozen=True)
class Quote:
    """A quoted phrase in prose: it may name another post by its title (LNK004)."""

    text: str
    excerpt: str
    span: Span | None


@dataclass(frozen=True)
class Fact:
    """A figure stated about a product (e.g. onset in days), compared across posts (CLM010)."""

    fact: str
    product: str
    value: tuple[float, float]
    span: Span | None
    text: str


@dataclass(frozen=True)
class FieldRef:
    """Where a front-matter value sits, and the line it is on."""

    span: Span
    excerpt: str


@dataclass
class PostSummary:
    rel_path: str
    display_path: str
    content_hash: str
    readable: bool
    title: str = ""
    slug: str = ""
    status: str | None = None
    fields: dict[str, FieldRef] = field(default_factory=dict)  # slug, status
    anchors: frozenset[str] = frozenset()
    heading_anchors: tuple[str, ...] = ()
    links: tuple[LinkRef, ...] = ()
    quotes: tuple[Quote, ...] = ()
    facts: tuple[Fact, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    start: Span = field(default_factory=lambda: Span(1, 1, 1, 1))  # where the front matter starts

    def to_dict(self) -> dict[str, Any]:
        return {
            "rel_path": self.rel_path, "display_path": self.display_path, "content_hash": self.content_hash,
            "readable": self.readable, "title": self.title, "slug": self.slug, "status": self.status,
            "fields": {k: [v.span.to_list(), v.excerpt] for k, v in self.fields.items()},
            "anchors": sorted(self.anchors), "heading_anchors": list(self.heading_anchors),
            "links": [[x.kind, x.target, x.has_text, x.span.to_list()] for x in self.links],
            "quotes": [[q.text, q.excerpt, _list(q.span)] for q in self.quotes],
            "facts": [[f.fact, f.product, list(f.value), _list(f.span), f.text] for f in self.facts],
            "suppressions": [s.to_state() for s in self.suppressions],
            "start": self.start.to_list(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PostSummary:
        return cls(
            rel_path=data["rel_path"], display_path=data["display_path"], content_hash=data["content_hash"],
            readable=data["readable"], title=data["title"], slug=data["slug"], status=data["status"],
            fields={k: FieldRef(Span(*s), excerpt) for k, (s, excerpt) in data["fields"].items()},
            anchors=frozenset(data["anchors"]), heading_anchors=tuple(data["heading_anchors"]),
            links=tuple(LinkRef(k, t, h, Span(*s)) for k, t, h, s in data["links"]),
            quotes=tuple(Quote(t, e, Span.from_list(s)) for t, e, s in data["quotes"]),
            facts=tuple(Fact(f, p, (v[0], v[1]), Span.from_list(s), t) for f, p, v, s, t in data["facts"]),
            suppressions=tuple(Suppression.from_state(s) for s in data["suppressions"]),
            start=Span(*data["start"]),
        )


def summarize(post: Post, suppressions: tuple[Suppression, ...], facts: Callable[[], Iterable[Fact]]) -> PostSummary:
    """The summary of a parsed post (``suppressions``: its parsed suppression comments; ``facts``: the figures it
    states about products, asked only of a readable post). :attr:`checks.context.PostContext.summary` calls it."""

    summary = PostSummary(post.rel_path, post.display_path, post.content_hash, post.readable, post.title,
                          post.slug, _status(post), start=post.source.span(post.front_matter_start,
                                                                           post.front_matter_start))
    if not post.readable:
        return summary
    for key in ("slug", "status"):
        if key in post.meta_fields:
            summary.fields[key] = FieldRef(value_span(post, key), field_line(post, key))
    summary.anchors = post.anchors
    summary.heading_anchors = tuple(b.anchor for b in post.headings if b.anchor)
    summary.links = tuple(LinkRef(link.kind, link.target, bool(link.text.strip()),
                                  post.source.span(link.start, link.end)) for link in post.links)
    summary.quotes = tuple(_quotes(post))
    summary.facts = tuple(facts())
    summary.suppressions = suppressions
    return summary


def _status(post: Post) -> str | None:
    value = post.meta.get("status")
    return value if isinstance(value, str) else None


def _quotes(post: Post) -> list[Quote]:
    found = []
    for block in post.blocks:
        if block.is_heading:
            continue
        for match in _QUOTED.finditer(block.text):
            source_range = block.source_range(match.start("q"), match.end("q"))
            found.append(Quote(match["q"].strip(), match.group(0),
                               post.source.span(*source_range) if source_range else None))
    return found


def _list(span: Span | None) -> list[int] | None:
    return None if span is None else span.to_list()

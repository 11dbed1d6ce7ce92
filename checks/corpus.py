"""Every post of a review, plus the other files of the content folder (images), for cross-post checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from checks.document import Post


@dataclass(frozen=True)
class Corpus:
    posts: Sequence[Post]
    files: frozenset[str] = field(default_factory=frozenset)  # content-relative posix paths of all files
    approvals: Mapping[str, str] | None = None  # post path -> the content hash compliance signed off

    @cached_property
    def by_slug(self) -> dict[str, list[Post]]:
        found: dict[str, list[Post]] = {}
        for post in self.posts:
            if post.slug:
                found.setdefault(post.slug, []).append(post)
        return found

    @cached_property
    def by_path(self) -> dict[str, Post]:
        return {post.rel_path: post for post in self.posts}

    def post_for_slug(self, slug: str) -> Post | None:
        posts = self.by_slug.get(slug)
        return posts[0] if posts else None

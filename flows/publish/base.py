"""The one small interface every publishing target implements."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

IMAGES_PATH = "/images/"


@dataclass(frozen=True)
class Image:
    """A file a post shows or links to, always one under ``<content>/images/``."""

    name: str  # its path under images/, e.g. "a/photo.png": two photo.png in two folders never collide
    path: Path  # the file itself, resolved (symlinks followed) and checked to lie inside the content folder
    alt: str = ""

    def read(self) -> bytes:
        """The file's bytes. A symbolic link or a FIFO put in its place since it was checked is refused (the
        open neither follows the link nor waits for a writer)."""
        descriptor = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise OSError(f"{self.path} is not a regular file")
            return handle.read()


def media_url(name: str) -> str:
    """The site path of an image: ``/images/`` plus its path under images/, percent-encoded."""
    return IMAGES_PATH + quote(name)


@dataclass(frozen=True)
class PublishItem:
    """One approved post, rendered and sanitised, ready for a target."""

    slug: str
    title: str
    html: str  # sanitised body HTML; internal links already point at the target's URLs
    content_hash: str  # "sha256:..." of the approved source file
    date: str  # ISO date
    summary: str = ""
    author: str = ""
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()


@dataclass
class PublishResult:
    slug: str
    action: str  # created | updated | unchanged | unpublished | failed | skipped
    location: str = ""  # URL, file path or CMS id
    remote_id: str = ""  # e.g. the WordPress post id
    writes: int = 0  # write requests or files written
    error: str = ""
    details: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.action != "failed"


class Target(Protocol):
    """A place approved posts go. Implementations must be idempotent: publishing the same item twice
    writes nothing the second time, and a crash never leaves a duplicate for the next run to make."""

    name: str

    def url_for(self, slug: str) -> str:
        """The public URL of a post, for rewriting internal links before rendering."""
        ...

    def publish(self, item: PublishItem) -> PublishResult:
        ...

    def unpublish(self, slug: str) -> PublishResult:
        """Take a post down (WordPress: back to draft; static: remove its page)."""
        ...

    def remember(self, entries: Mapping[str, Mapping[str, str]]) -> None:
        """What medpress's publish ledger recorded for this target (slug -> entry), read once per publish: a
        target that cannot store its own change marks (a stock WordPress) detects changes from it."""
        ...

    def close(self) -> None:
        ...

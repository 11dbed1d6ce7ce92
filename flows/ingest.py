"""Read the content folder: every post's bytes (a failure is recorded, never raised) and the file list."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from checks.document import Post, parse_post, too_large_post, unreadable_post

POSTS_DIR = "posts"


def content_files(content_dir: Path) -> frozenset[str]:
    """Every file under the content folder, as posix paths relative to it."""
    found = set()
    for root, dirs, files in os.walk(content_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            found.add((Path(root) / name).relative_to(content_dir).as_posix())
    return frozenset(found)


def post_paths(content_dir: Path, files: frozenset[str]) -> list[str]:
    return sorted(f for f in files if f.startswith(POSTS_DIR + "/") and f.endswith(".md"))


def post_count(content_dir: Path, paths: Sequence[Path] = ()) -> int:
    """How many posts a review of ``paths`` (else of the whole content folder) reads, counted cheaply (0 for a
    folder that does not exist: the review itself reports that)."""
    if not paths:
        return len(post_paths(content_dir, content_files(content_dir))) if content_dir.is_dir() else 0
    return sum(sum(1 for f in content_files(p) if f.endswith(".md")) if p.is_dir() else 1 for p in paths)


def display_path(path: Path) -> str:
    """Relative to the working folder when possible, as CI annotations want."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_source(content_dir: Path, rel_path: str, max_bytes: int) -> bytes | Post:
    """The post's bytes; or, when it cannot be read or is over the size limit, the post as a reported problem."""
    path = content_dir / rel_path
    try:
        size = path.stat().st_size
        if size > max_bytes:  # hash it in chunks, never hold a huge file in memory
            with path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            return too_large_post(rel_path, size, "sha256:" + digest, max_bytes, display_path=display_path(path))
        return path.read_bytes()
    except FileNotFoundError:
        reason = "file not found"
    except IsADirectoryError:
        reason = "is a folder, not a file"
    except OSError as err:
        reason = f"cannot be read: {err.strerror or err}"
    return unreadable_post(rel_path, reason, display_path=display_path(path))


def read_post(content_dir: Path, rel_path: str, max_bytes: int) -> Post:
    source = read_source(content_dir, rel_path, max_bytes)
    if isinstance(source, Post):
        return source
    return parse_post(rel_path, source, display_path=display_path(content_dir / rel_path), max_bytes=max_bytes)


def rel_to_content(content_dir: Path, path: Path) -> str:
    """A command-line PATH as a content-relative path (a file outside the folder keeps its own path)."""
    try:
        return path.resolve().relative_to(content_dir.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_posts(content_dir: Path, selected: Sequence[str], max_bytes: int) -> list[Post]:
    return [read_post(content_dir, rel, max_bytes) for rel in selected]

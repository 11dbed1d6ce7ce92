"""Read the content folder: every post's bytes (a failure is recorded, never raised) and the file list."""

from __future__ import annotations

import errno
import functools
import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bs4.exceptions import ParserRejectedMarkup

from checks.document import (
    LoadProblem,
    Post,
    content_hash_of,
    forget_converters,
    parse_post,
    timed_out_post,
    too_large_post,
    unreadable_post,
)
from checks.markdown_body import TooDeep

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
    """Relative to the working folder when possible, as CI annotations want. The path itself, never where a
    symlink leads (a post that links elsewhere is named by its own name; a symlink loop cannot be resolved)."""
    try:
        base = _resolved(os.getcwd())
    except OSError:
        return path.as_posix()
    absolute = os.path.abspath(path)  # as Path.relative_to would compare them, without a Path per post
    if absolute == base:
        return "."
    prefix = base if base.endswith("/") else base + "/"
    return absolute[len(prefix):] if absolute.startswith(prefix) else path.as_posix()


@functools.lru_cache(maxsize=4)
def _resolved(cwd: str) -> str:
    """The working folder with its symlinks resolved (once per folder, not once per post of a review)."""
    return Path(cwd).resolve().as_posix()


def outside_reason(content_dir: Path, path: Path) -> str | None:
    """Why ``path`` must not be read as part of ``content_dir`` (it resolves outside it, or cannot be
    resolved), or None when it is inside."""
    try:
        real = Path(os.path.realpath(path, strict=True))
        root = Path(os.path.realpath(content_dir, strict=True))
    except FileNotFoundError:
        return "file not found" if not os.path.lexists(path) else "a symlink to a file that does not exist"
    except OSError as err:
        return _os_reason(err)
    if real != root and root not in real.parents:
        link = " (a symlink)" if os.path.islink(path) else ""
        return f"resolves outside the content folder{link}; it is not read"
    return None


def _os_reason(err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return "a symlink loop (the link leads back to itself)"
    return f"cannot be read: {err.strerror or err}"


def read_source(content_dir: Path, rel_path: str, max_bytes: int) -> bytes | Post:
    """The post's bytes; or, when it cannot be read, resolves outside the content folder, is not a regular
    file (a folder, a FIFO: never opened, so never waited on) or is over the size limit, the post as a
    reported problem."""
    path = content_dir / rel_path

    def shown() -> str:  # only for a post that cannot be read: the others are named by the caller
        return display_path(path)

    reason = outside_reason(content_dir, path)
    if reason is not None:
        return unreadable_post(rel_path, reason, display_path=shown())
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a FIFO, socket or device)"
            return unreadable_post(rel_path, f"is {kind}, not a post file; it is not read", display_path=shown())
        # O_NONBLOCK: should the file have been swapped for a FIFO since, opening it does not wait for a writer
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(handle, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode):
                return unreadable_post(rel_path, "is not a regular file; it is not read", display_path=shown())
            if info.st_size > max_bytes:  # hash it in chunks, never hold a huge file in memory
                digest = hashlib.file_digest(stream, "sha256").hexdigest()
                return too_large_post(rel_path, info.st_size, "sha256:" + digest, max_bytes, display_path=shown())
            data = stream.read(max_bytes + 1)
            if len(data) > max_bytes:  # grew since fstat: read no more than the limit
                return too_large_post(rel_path, len(data), "", max_bytes, display_path=shown())
            return data
    except FileNotFoundError:
        reason = "file not found"
    except IsADirectoryError:
        reason = "is a folder, not a file"
    except OSError as err:
        reason = _os_reason(err)
    return unreadable_post(rel_path, reason, display_path=shown())


def read_post(content_dir: Path, rel_path: str, max_bytes: int, body: bool = True) -> Post:
    """The post read and parsed (``body`` False: its front matter only, see :func:`parse_post`)."""
    source = read_source(content_dir, rel_path, max_bytes)
    if isinstance(source, Post):
        return source
    return parse_post(rel_path, source, display_path=display_path(content_dir / rel_path), max_bytes=max_bytes,
                      body=body)


def rel_to_content(content_dir: Path, path: Path) -> str:
    """A command-line PATH as a content-relative path (a file outside the folder keeps its own path)."""
    try:  # the path as given (a symlink is named by its own name; where it leads is checked on reading)
        return Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(content_dir))).as_posix()
    except ValueError:
        pass
    try:
        return Path(os.path.abspath(path)).relative_to(content_dir.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return path.as_posix()


def read_posts(content_dir: Path, selected: Sequence[str], max_bytes: int, max_seconds: float | None = None,
               *, render: bool = False) -> list[Post]:
    """Each post read and parsed; with ``max_seconds``, a post whose parsing runs past it is the post as timed
    out (FM015), so one pathological post cannot stall publishing. ``render`` (publishing): each post is also
    rendered to HTML inside its budget; one that renders past it, or cannot be rendered, is unreadable with a
    message saying so (publishing holds it, the others go on)."""
    if max_seconds is None:
        return [read_post(content_dir, rel, max_bytes) for rel in selected]
    from flows.engine.check_posts import OverBudget, time_budget

    posts = []
    for rel in selected:
        source = read_source(content_dir, rel, max_bytes)
        if isinstance(source, Post):
            posts.append(source)
            continue
        shown = display_path(content_dir / rel)
        post: Post | None = None
        try:
            with time_budget(max_seconds):
                post = parse_post(rel, source, display_path=shown, max_bytes=max_bytes)
                if render and post.readable:
                    _ = post.html  # Python-Markdown, cached on the post for publishing
            posts.append(post)
        except OverBudget:  # keeps its content hash: it is the signed-off version, held for FM015, not "edited"
            forget_converters()
            late = timed_out_post(rel, max_seconds, content_hash_of(source), display_path=shown)
            posts.append(late if post is None else _unrenderable(
                late, "timeout", f"rendering it to HTML took longer than its time budget of {max_seconds:g} s"))
        except (RecursionError, TooDeep, ParserRejectedMarkup) as err:
            if post is None:  # parse_post reports these itself (FM017): not expected from it
                raise
            forget_converters()
            why = "its raw HTML is rejected by the HTML parser" if isinstance(err, ParserRejectedMarkup) else \
                "it nests lists, quotes or HTML elements too deeply to render"
            posts.append(_unrenderable(post, "structure", why))
    return posts


def _unrenderable(post: Post, kind: str, why: str) -> Post:
    """``post`` as unreadable for publishing (same path and content hash): it is held, saying ``why``."""
    return replace(post, problems=(LoadProblem(kind, f"{why}; it is held, not published"),))

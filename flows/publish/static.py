"""The default target: a static site folder (one page per post, an index), written atomically.

Pages go to ``<out>/blog/<slug>/index.html`` and images to ``<out>/images/<their path under
content/images/>``, so ``a/photo.png`` and ``b/photo.png`` stay two files. A file whose bytes would not change
is not rewritten, so a re-run with nothing changed writes nothing.

Medpress only ever replaces or removes files it wrote. ``<out>/.medpress-manifest.json`` lists each file it
wrote with the posts that use it; the manifest is saved before the files are written, so a crash never leaves a
file of ours unlisted. Taking a post down removes its page and the images no other live post uses, and
nothing else: a file a person put into ``blog/<slug>/`` stays, and so does its folder. Pages written before the
manifest existed are recognised by their ``medpress-content-hash`` meta tag, images by their bytes.

A file in the way that medpress did not write is never replaced: a post page or image fails that post (the
message says which file to move away), and an ``index.html`` of someone else's is kept as it is, the article
list is not written, and the run says so (``notices``).
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

from flows.publish.base import PublishItem, PublishResult, media_url

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MANIFEST = ".medpress-manifest.json"
INDEX = "index.html"
INDEX_OWNER = "(index)"
MARKER = b'<meta name="medpress-content-hash"'  # every page medpress writes carries it

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="medpress-content-hash" content="{hash}">
<title>{title}</title>
<style>body{{font:17px/1.6 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}}
img{{max-width:100%;height:auto}}a{{color:#0b5394}}.meta{{color:#555}}</style>
</head>
<body>
<p><a href="{home}">All articles</a></p>
<article>
<h1>{title}</h1>
<p class="meta">{byline}</p>
{body}
</article>
</body>
</html>
"""


_UMASK = os.umask(0o022)  # read once, at import: changing it later would race other threads' file creation
os.umask(_UMASK)


class ForeignFile(Exception):
    """A file in the site that medpress did not write stands where it would write."""


class StaticTarget:
    name = "static"

    def __init__(self, out_dir: Path) -> None:
        self.out = out_dir
        self.writes = 0
        self.notices: list[str] = []  # what the run must tell the user (a file kept, not replaced)
        self._manifest: dict[str, list[str]] | None = None

    def remember(self, entries: Mapping[str, Mapping[str, str]]) -> None:
        """Nothing to learn: the site folder's manifest and the files themselves say what was written."""

    def url_for(self, slug: str) -> str:
        return f"/blog/{slug}/"

    def image_url(self, name: str) -> str:
        return media_url(name)

    def _page(self, slug: str) -> str:
        if not SLUG.match(slug):  # never a path outside the site
            raise ValueError(f"invalid slug {slug!r}")
        return f"blog/{slug}/{INDEX}"

    # -- publish and unpublish ------------------------------------------------------------------------
    def page_bytes(self, item: PublishItem) -> bytes:
        """The page medpress writes for ``item`` (the audit compares the live file with it)."""
        byline = " · ".join(html.escape(x) for x in (item.author, item.date) if x)
        return PAGE.format(title=html.escape(item.title), hash=html.escape(item.content_hash), home="/",
                           byline=byline, body=item.html).encode("utf-8")

    def publish(self, item: PublishItem) -> PublishResult:
        try:
            page = self._page(item.slug)
            images = {f"images/{image.name}": image.read() for image in item.images}
            wanted: dict[str, bytes] = {**images, page: self.page_bytes(item)}
            for rel, data in wanted.items():
                self._claim(rel, data)
            existed = (self.out / page).is_file()
            dropped = self._own(item.slug, set(wanted))
            writes = sum(self._write(rel, data) for rel, data in wanted.items()) + self._remove(dropped)
        except (ForeignFile, ValueError, OSError) as err:
            return PublishResult(item.slug, "failed", error=str(err))
        action = "unchanged" if writes == 0 else ("updated" if existed else "created")
        return PublishResult(item.slug, action, location=str(self.out / page), writes=writes)

    def unpublish(self, slug: str) -> PublishResult:
        try:
            page = self._page(slug)
            if page not in self._files() and self._legacy(page):
                self._own(slug, {page})  # a page written before the manifest existed
            gone = self._own(slug, set())
            removed = self._remove(gone)
        except (ValueError, OSError) as err:
            return PublishResult(slug, "failed", error=str(err))
        if not removed:
            return PublishResult(slug, "unchanged")
        kept = self._leftovers(page)
        details: dict[str, object] = {"removed": sorted(gone)}
        if kept:
            details["kept"] = kept
        return PublishResult(slug, "unpublished", location=str(self.out / page), writes=removed, details=details)

    def write_index(self, entries: list[tuple[str, str, str]]) -> int:
        """``entries``: (slug, title, date) of every published post. An index.html medpress did not write is
        kept: nothing is written and a notice says so."""
        items = "\n".join(f'<li><a href="{self.url_for(s)}">{html.escape(t)}</a> <span class="meta">'
                          f"{html.escape(d)}</span></li>" for s, t, d in sorted(entries, key=lambda e: e[2],
                                                                                   reverse=True))
        text = PAGE.format(title="Health articles", hash="", home="/", byline="", body=f"<ul>\n{items}\n</ul>")
        try:
            self._claim(INDEX, text.encode("utf-8"))
            self._own(INDEX_OWNER, {INDEX})
            return self._write(INDEX, text.encode("utf-8"))
        except ForeignFile:
            self.notices.append(f"{self.out / INDEX} was not written by medpress: kept as it is, the article list "
                                f"was not written (move the file away to let medpress write it)")
        except (ValueError, OSError) as err:
            self.notices.append(f"the article list {self.out / INDEX} was not written: {err}")
        return 0

    # -- the manifest ---------------------------------------------------------------------------------
    def _files(self) -> dict[str, list[str]]:
        if self._manifest is None:
            path = self.out / MANIFEST
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                data = {"files": {}}
            except ValueError as err:  # refuse rather than guess what is ours
                raise ValueError(f"{path} is damaged ({err}): medpress cannot tell which files it wrote") from None
            files = data.get("files") if isinstance(data, dict) else None
            if not isinstance(files, dict):
                raise ValueError(f"{path} is not a medpress manifest")
            self._manifest = {str(rel): [str(o) for o in owners] for rel, owners in files.items()
                              if isinstance(owners, list)}
        return self._manifest

    def _own(self, owner: str, rels: set[str]) -> list[str]:
        """Make ``rels`` the files ``owner`` uses, saving the manifest first; return the files nobody uses
        any more (to remove)."""
        files = self._files()
        before = json.dumps(files, sort_keys=True)
        unused = []
        for rel in sorted(set(files) | rels):
            owners = set(files.get(rel, []))
            owners.discard(owner)
            if rel in rels:
                owners.add(owner)
            if owners:
                files[rel] = sorted(owners)
            elif rel in files:
                del files[rel]
                unused.append(rel)
        text = json.dumps({"version": 1, "files": files}, indent=1, sort_keys=True) + "\n"
        if json.dumps(files, sort_keys=True) != before:
            _write_atomically(self._path(MANIFEST), text.encode("utf-8"))
        return unused

    def _claim(self, rel: str, data: bytes) -> None:
        """Refuse to replace a file medpress did not write."""
        path = self._path(rel)
        if rel in self._files() or (not path.exists() and not path.is_symlink()):
            return
        if path.is_file() and not path.is_symlink() and (path.read_bytes() == data or self._legacy(rel)):
            return  # ours from before the manifest: identical bytes, or a page with medpress's marker
        raise ForeignFile(f"{path} exists and was not written by medpress: move it away, then publish again")

    def _legacy(self, rel: str) -> bool:
        path = self._path(rel)
        if not rel.endswith(".html") or path.is_symlink() or not path.is_file():
            return False
        with path.open("rb") as handle:
            return MARKER in handle.read(4096)

    # -- files ----------------------------------------------------------------------------------------
    def _path(self, rel: str) -> Path:
        """``rel`` under the site folder; refused when a symlinked folder would take it elsewhere."""
        path = self.out / rel
        root = self.out.resolve()
        if not path.parent.resolve().is_relative_to(root):
            raise ValueError(f"{path}: its folder leads outside {self.out}")
        return path

    def _write(self, rel: str, data: bytes) -> int:
        path = self._path(rel)
        if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
            return 0
        if path.is_symlink():
            path.unlink()  # replace the link itself, never write through it
        _write_atomically(path, data)
        self.writes += 1
        return 1

    def _remove(self, rels: list[str]) -> int:
        removed = 0
        for rel in rels:
            path = self._path(rel)
            if path.is_file() or path.is_symlink():
                path.unlink()
                removed += 1
            folder = path.parent
            while folder != self.out and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        self.writes += removed
        return removed

    def _leftovers(self, page: str) -> list[str]:
        folder = self.out / Path(page).parent
        return sorted(str(p.relative_to(self.out)) for p in folder.rglob("*")) if folder.is_dir() else []

    def close(self) -> None:
        pass


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a temporary file beside ``path``, then rename it over: readers see the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, prefix=f".{path.name}.",
                                     suffix=".tmp") as handle:
        handle.write(data)
    try:
        os.chmod(handle.name, 0o666 & ~_UMASK)  # temporary files are private (0600); a site is not
        os.replace(handle.name, path)
    except OSError:
        Path(handle.name).unlink(missing_ok=True)
        raise

"""The default target: a static site folder (one page per post, an index), written atomically.

Pages go to ``<out>/blog/<slug>/index.html`` and images to ``<out>/images/``; a file whose bytes would not
change is not rewritten, so a re-run with nothing changed writes nothing.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from flows.publish.base import PublishItem, PublishResult
from reports.files import write_atomically

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

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


class StaticTarget:
    name = "static"

    def __init__(self, out_dir: Path) -> None:
        self.out = out_dir
        self.writes = 0

    def url_for(self, slug: str) -> str:
        return f"/blog/{slug}/"

    def image_url(self, name: str) -> str:
        return f"/images/{name}"

    def _page(self, slug: str) -> Path:
        if not SLUG.match(slug):  # never a path outside the site
            raise ValueError(f"invalid slug {slug!r}")
        return self.out / "blog" / slug / "index.html"

    def publish(self, item: PublishItem) -> PublishResult:
        try:
            page = self._page(item.slug)
        except ValueError as err:
            return PublishResult(item.slug, "failed", error=str(err))
        byline = " · ".join(html.escape(x) for x in (item.author, item.date) if x)
        text = PAGE.format(title=html.escape(item.title), hash=html.escape(item.content_hash), home="/",
                           byline=byline, body=item.html)
        writes = 0
        for image in item.images:
            writes += self._copy(image.path, self.out / "images" / Path(image.name).name)
        existed = page.is_file()
        writes += self._write(page, text)
        action = "unchanged" if writes == 0 else ("updated" if existed else "created")
        return PublishResult(item.slug, action, location=str(page), writes=writes)

    def unpublish(self, slug: str) -> PublishResult:
        try:
            page = self._page(slug)
        except ValueError as err:
            return PublishResult(slug, "failed", error=str(err))
        if not page.parent.exists():
            return PublishResult(slug, "unchanged")
        shutil.rmtree(page.parent)
        self.writes += 1
        return PublishResult(slug, "unpublished", location=str(page), writes=1)

    def write_index(self, entries: list[tuple[str, str, str]]) -> int:
        """``entries``: (slug, title, date) of every published post."""
        items = "\n".join(f'<li><a href="{self.url_for(s)}">{html.escape(t)}</a> <span class="meta">'
                          f"{html.escape(d)}</span></li>" for s, t, d in sorted(entries, key=lambda e: e[2],
                                                                                   reverse=True))
        text = PAGE.format(title="Health articles", hash="", home="/", byline="", body=f"<ul>\n{items}\n</ul>")
        return self._write(self.out / "index.html", text)

    def _write(self, path: Path, text: str) -> int:
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            return 0
        write_atomically(path, text)
        self.writes += 1
        return 1

    def _copy(self, source: Path, target: Path) -> int:
        data = source.read_bytes()
        if target.is_file() and target.read_bytes() == data:
            return 0
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(target)
        self.writes += 1
        return 1

    def close(self) -> None:
        pass

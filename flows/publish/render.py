"""A post as publishable HTML: Python-Markdown, then an allow-list sanitiser (nh3), then link rewriting.

Sanitising comes before link rewriting, so nothing the draft contains can survive as script, iframe,
event handler or ``javascript:`` URL; rewriting then only touches href/src values medpress understands.

Files a post shows (``<img src>``) or links to under ``/images/`` are published only when they are regular
files under ``<content>/images/`` once every ``..`` and symbolic link is resolved; anything else makes the
post unpublishable (:class:`Unpublishable`), whatever its approval says, so a link or a symlink can never
copy a file from elsewhere on the machine into the site or the CMS.
"""

from __future__ import annotations

import html as html_lib
import posixpath
from collections.abc import Callable
from pathlib import Path

import nh3
from bs4 import BeautifulSoup

from checks.corpus import Corpus
from checks.document import Post
from checks.links import resolve
from checks.policy import Policy
from flows.publish.base import Image, PublishItem, media_url

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "sup", "sub",
    "blockquote", "ul", "ol", "li", "a", "img", "figure", "figcaption", "table", "thead", "tbody", "tr", "th",
    "td", "caption", "code", "pre", "abbr", "dl", "dt", "dd", "div", "span", "section",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
    "div": {"class"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitise(body_html: str) -> str:
    """Allow-list sanitising: no script, iframe, style, event handlers or javascript: URLs."""
    return nh3.clean(body_html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript"},
                     link_rel="noopener noreferrer", strip_comments=True)


class Unpublishable(Exception):
    """A post that must not be published as it stands (the message names the file and why)."""


def build_item(post: Post, corpus: Corpus, policy: Policy, content_dir: Path,
               url_for: Callable[[str], str], image_url: Callable[[str], str] = media_url,
               live: set[str] | None = None) -> PublishItem:
    """Render, sanitise and rewrite one post for a target.

    A link to a post that will not be live on the target (not approved) becomes plain text, so readers
    never meet a dead link; ``live`` is the set of slugs that will be. ``image_url`` gets an image's path
    under images/ (``a/photo.png``). Raises :class:`Unpublishable` for a file outside the content folder.
    """
    soup = BeautifulSoup(sanitise(post.html), "html.parser")
    root = content_dir.resolve()
    images: dict[str, Image] = {}
    for tag in soup.find_all("a", href=True):
        slug = _linked_slug(str(tag["href"]), post, corpus, policy)
        if slug and live is not None and slug not in live and slug != post.slug:
            tag.unwrap()
            continue
        image = _local_file(str(tag["href"]), post, policy, root, "link")
        if image is not None:
            images.setdefault(image.name, image)
            tag["href"] = image_url(image.name)
        else:
            tag["href"] = _rewrite_link(str(tag["href"]), post, corpus, policy, url_for)
    for tag in soup.find_all("img", src=True):
        image = _local_file(str(tag["src"]), post, policy, root, "image", str(tag.get("alt", "")))
        if image is not None:
            known = images.get(image.name)
            if known is None or not known.alt:  # an image's alt text wins over a plain link's none
                images[image.name] = image
            tag["src"] = image_url(image.name)
    body = str(soup) + _references(post)
    meta = post.meta
    return PublishItem(
        slug=post.slug, title=post.title, html=body, content_hash=post.content_hash, date=str(meta.get("date", "")),
        summary=str(meta.get("summary") or ""), author=str(meta.get("author") or ""),
        categories=tuple(str(c) for c in post.meta_list("categories")),
        tags=tuple(str(t) for t in post.meta_list("tags")), images=tuple(images.values()))


def _local_file(url: str, post: Post, policy: Policy, root: Path, what: str, alt: str = "") -> Image | None:
    """The file under ``<root>/images/`` that ``url`` names, checked; None when ``url`` names no file in the
    content folder that exists (another kind of link, or a missing file: LNK003 reports those)."""
    target = resolve(url, post.rel_path, policy.links)
    if target.kind != "file":
        return None
    rel = posixpath.normpath(target.value)
    if rel == ".." or rel.startswith(("../", "/")):
        raise Unpublishable(f"{what} '{url}' points outside the content folder")
    try:
        real = (root / rel).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a symlink loop
        if (root / rel).is_symlink():
            raise Unpublishable(f"{what} '{url}' is a symbolic link that leads nowhere") from None
        return None
    if not real.is_relative_to(root):
        raise Unpublishable(f"{what} '{url}' resolves outside the content folder (a symbolic link or '..'): "
                            "it is never copied")
    if not rel.startswith("images/") or not real.is_file():
        if what == "link":
            return None  # a link to another file in the content folder stays as it is, nothing is copied
        raise Unpublishable(f"{what} '{url}' is content/{rel}: only regular files under content/images/ are "
                            "published")
    return Image(rel[len("images/"):], real, alt)


def _linked_slug(href: str, post: Post, corpus: Corpus, policy: Policy) -> str | None:
    target = resolve(href, post.rel_path, policy.links)
    if target.kind == "post-slug":
        return target.value
    if target.kind == "post-path":
        other = corpus.by_path.get(target.value)
        return other.slug if other else None
    return None


def _rewrite_link(href: str, post: Post, corpus: Corpus, policy: Policy, url_for: Callable[[str], str]) -> str:
    target = resolve(href, post.rel_path, policy.links)
    fragment = f"#{target.fragment}" if target.fragment else ""
    if target.kind == "post-slug" and corpus.post_for_slug(target.value):
        return url_for(target.value) + fragment
    if target.kind == "post-path" and target.value in corpus.by_path:
        return url_for(corpus.by_path[target.value].slug) + fragment
    return href


def _references(post: Post) -> str:
    references = [r for r in post.meta_list("references") if isinstance(r, dict)]
    if not references:
        return ""
    items = "".join(
        f'<li id="ref-{html_lib.escape(str(r.get("id")))}">[{html_lib.escape(str(r.get("id")))}] '
        f'<a href="{html_lib.escape(str(r.get("url", "")))}" rel="noopener noreferrer">'
        f'{html_lib.escape(str(r.get("title", "")))}</a></li>'
        for r in references if str(r.get("url", "")).startswith(("http://", "https://")))
    return f'\n<section class="references"><h2 id="references">References</h2><ol>{items}</ol></section>'

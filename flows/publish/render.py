"""A post as publishable HTML: Python-Markdown, then an allow-list sanitiser (nh3), then link rewriting.

Sanitising comes before link rewriting, so nothing the draft contains can survive as script, iframe,
event handler or ``javascript:`` URL; rewriting then only touches href/src values medpress understands.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Callable
from pathlib import Path

import nh3
from bs4 import BeautifulSoup

from checks.corpus import Corpus
from checks.document import Post
from checks.links import resolve
from checks.policy import Policy
from flows.publish.base import Image, PublishItem

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


def build_item(post: Post, corpus: Corpus, policy: Policy, content_dir: Path,
               url_for: Callable[[str], str], image_url: Callable[[str], str],
               live: set[str] | None = None) -> PublishItem:
    """Render, sanitise and rewrite one post for a target.

    A link to a post that will not be live on the target (not approved) becomes plain text, so readers
    never meet a dead link; ``live`` is the set of slugs that will be.
    """
    soup = BeautifulSoup(sanitise(post.html), "html.parser")
    images: list[Image] = []
    for tag in soup.find_all("a", href=True):
        slug = _linked_slug(str(tag["href"]), post, corpus, policy)
        if slug and live is not None and slug not in live and slug != post.slug:
            tag.unwrap()
            continue
        tag["href"] = _rewrite_link(str(tag["href"]), post, corpus, policy, url_for, image_url)
    for tag in soup.find_all("img", src=True):
        target = resolve(str(tag["src"]), post.rel_path, policy.links)
        if target.kind == "file" and (content_dir / target.value).is_file():
            name = Path(target.value).name
            images.append(Image(name, content_dir / target.value, str(tag.get("alt", ""))))
            tag["src"] = image_url(name)
    body = str(soup) + _references(post)
    meta = post.meta
    return PublishItem(
        slug=post.slug, title=post.title, html=body, content_hash=post.content_hash, date=str(meta.get("date", "")),
        summary=str(meta.get("summary") or ""), author=str(meta.get("author") or ""),
        categories=tuple(str(c) for c in post.meta_list("categories")),
        tags=tuple(str(t) for t in post.meta_list("tags")), images=tuple(images))


def _linked_slug(href: str, post: Post, corpus: Corpus, policy: Policy) -> str | None:
    target = resolve(href, post.rel_path, policy.links)
    if target.kind == "post-slug":
        return target.value
    if target.kind == "post-path":
        other = corpus.by_path.get(target.value)
        return other.slug if other else None
    return None


def _rewrite_link(href: str, post: Post, corpus: Corpus, policy: Policy, url_for: Callable[[str], str],
                  image_url: Callable[[str], str]) -> str:
    target = resolve(href, post.rel_path, policy.links)
    fragment = f"#{target.fragment}" if target.fragment else ""
    if target.kind == "post-slug" and corpus.post_for_slug(target.value):
        return url_for(target.value) + fragment
    if target.kind == "post-path" and target.value in corpus.by_path:
        return url_for(corpus.by_path[target.value].slug) + fragment
    if target.kind == "file" and target.value.startswith("images/"):
        return image_url(Path(target.value).name)
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

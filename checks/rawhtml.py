"""Raw HTML in a post that the checks cannot vouch for, found while the post is parsed.

- *active* markup: elements and attributes that run code or pull in other pages (``<script>``, ``<iframe>``,
  ``onerror=``, a ``javascript:`` link). Publishing strips them, so the reviewed page would not be the
  published one, and where a target does not strip them they run in readers' browsers.
- *unclosed* markup: a raw HTML block Python-Markdown never saw closed. It takes the rest of the post as raw
  HTML (no Markdown is rendered after it), so what the checks read is not what a browser shows.

Positions are raw-file offsets, found by searching the source in document order.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

# Elements that run code, embed other documents, or change how the page or its links behave.
ACTIVE_TAGS = frozenset({"script", "iframe", "frame", "frameset", "object", "embed", "applet", "style", "base",
                         "link", "meta", "form", "input", "button", "textarea", "select", "template", "portal"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
                            "srcset", "lowsrc", "dynsrc", "ping"})
ACTIVE_SCHEMES = ("javascript:", "vbscript:", "data:")
_LINKS = frozenset({("a", "href"), ("img", "src")})  # the links check reads these (LNK006, unsafe-link)
# Elements whose content a browser reads as text up to their end tag: left open, they take the rest.
SWALLOWING = frozenset({"pre", "script", "style", "textarea", "title", "xmp", "plaintext", "iframe", "noscript",
                        "noembed", "noframes", "template", "listing"})
_SCHEME_NOISE = re.compile(r"[\x00-\x20]")  # browsers drop these from a URL before reading its scheme


@dataclass(frozen=True)
class Markup:
    """Raw HTML the page would not show as checked: ``kind`` "unclosed" (a raw HTML block never closed, that
    swallows the rest of the post) or "active" (script, an embed, an event handler, a javascript: URL)."""

    kind: str
    what: str  # "<pre>", "<script>", "onerror=", "javascript: URL"
    start: int  # raw-file offset
    end: int


def active_scheme(url: str) -> str | None:
    """``javascript:`` (or ``vbscript:``, ``data:``) when a browser would read ``url`` with that scheme."""
    cleaned = _SCHEME_NOISE.sub("", url).lower()
    return next((scheme for scheme in ACTIVE_SCHEMES if cleaned.startswith(scheme)), None)


def active_markup(text: str, body_start: int, nodes: Iterable[tuple[str, Iterable[tuple[str, Any]]]]) -> list[Markup]:
    """Active elements, event handlers and script URLs among ``nodes`` (name and attributes, in document
    order), each placed at its tag, attribute or URL in the source."""
    found = []
    cursor = body_start
    decoded: list[Decoded] = []
    for name, attributes in nodes:
        issues: list[tuple[str, re.Pattern[str] | str]] = []
        if name in ACTIVE_TAGS:
            issues.append((f"<{name}>", re.compile(rf"<{re.escape(name)}(?=[\s/>])", re.IGNORECASE)))
        for key, value in attributes:
            key = str(key).lower()
            if key.startswith("on"):
                issues.append((f"{key}=", re.compile(rf"(?<![\w-]){re.escape(key)}\s*=", re.IGNORECASE)))
            elif key in URL_ATTRIBUTES and isinstance(value, str) and (name, key) not in _LINKS:
                scheme = active_scheme(value)
                if scheme:
                    issues.append((f"{scheme} URL", value))
        for what, needle in issues:
            if isinstance(needle, str):
                at, end = find_encoded(text, needle, cursor, decoded)
            else:
                match = needle.search(text, cursor)
                at, end = (match.start(), match.end()) if match else (-1, -1)
            if at < 0:
                at, end = cursor, cursor
            else:
                cursor = at
            found.append(Markup("active", what, at, end))
    return found


def find_encoded(text: str, target: str, start: int, decoded: list[Decoded] | None = None) -> tuple[int, int]:
    """Where ``target`` is written in ``text`` from ``start``: as it is, or with some characters as HTML
    entities or backslash escapes (``java&#x73;cript:``); (-1, -1) when it is not there. ``decoded`` holds the
    decoded text once it is made (a list, empty at first: the caller keeps it for the next search)."""
    at = text.find(target, start)
    if at >= 0:
        return at, at + len(target)
    if not target:
        return -1, -1
    if decoded is None:
        decoded = []
    if not decoded:
        decoded.append(Decoded(text))
    return decoded[0].find(target, start)


_ENCODED = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});|\\(?=[!-/:-@\[-`{-~])")


class Decoded:
    """``text`` with entities decoded and backslash escapes dropped, each character's offset in ``text`` kept."""

    def __init__(self, text: str) -> None:
        parts: list[str] = []
        where: list[int] = []
        done = 0
        for match in _ENCODED.finditer(text):
            parts.append(text[done : match.start()])
            where.extend(range(done, match.start()))
            value = "" if match.group() == "\\" else html.unescape(match.group())
            parts.append(value)
            where.extend([match.start()] * len(value))
            done = match.end()
        parts.append(text[done:])
        where.extend(range(done, len(text)))
        where.append(len(text))  # the end
        self.text = "".join(parts)
        self.where = where

    def find(self, target: str, start: int) -> tuple[int, int]:
        at = self.text.find(target, bisect.bisect_left(self.where, start))
        if at < 0:
            return -1, -1
        return self.where[at], self.where[at + len(target)]


def unclosed_markup(text: str, body_start: int, stash: Iterable[str]) -> list[Markup]:
    """Raw HTML blocks (as Python-Markdown kept them) whose first element is never closed, inline tags that
    swallow what follows (``<pre>``) never closed, and HTML comments never closed."""
    found = []
    cursor = body_start
    for raw in stash:
        single = _SINGLE_TAG.fullmatch(raw.strip())
        if single:  # an inline tag: Python-Markdown stashes each one on its own
            name = single.group(1).lower()
            if name in SWALLOWING:
                opening = _open_without_close(text, body_start, name)
                if opening is not None:
                    found.append(Markup("unclosed", f"<{name}>", opening, opening + len(name) + 1))
            continue
        name = _unclosed_outer(raw)
        if name is None:
            continue
        first = raw.strip().split("\n", 1)[0]
        at = text.find(first, cursor)
        at = at if at >= 0 else text.find(first, body_start)
        if at >= 0:
            cursor = at + 1
        found.append(Markup("unclosed", f"<{name}>", max(at, body_start), max(at, body_start) + len(first)))
    for match in _COMMENT_OPEN.finditer(text, body_start):
        if text.find("-->", match.end()) < 0:
            found.append(Markup("unclosed", "<!--", match.start(), match.end()))
            break
    return _dedupe(found)


_SINGLE_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>")
_COMMENT_OPEN = re.compile(r"<!--")


def _open_without_close(text: str, body_start: int, name: str) -> int | None:
    """The first ``<name`` after which no ``</name`` follows."""
    opening = re.compile(rf"<{re.escape(name)}(?=[\s/>])", re.IGNORECASE)
    closing = re.compile(rf"</{re.escape(name)}\s*>", re.IGNORECASE)
    for match in opening.finditer(text, body_start):
        if not closing.search(text, match.end()):
            return match.start()
    return None


class _Balance(HTMLParser):
    """Counts how deep the first element of a chunk of HTML is still open at its end."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.first: str | None = None
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.first is None:
            self.first = tag
        if tag == self.first:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == self.first and self.depth:
            self.depth -= 1


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})


def _unclosed_outer(raw: str) -> str | None:
    """The first element of a raw HTML block when it is never closed in the block, else None."""
    parser = _Balance()
    try:
        parser.feed(raw)
        parser.close()
    except Exception:  # html.parser gives up on some markup: then it is not known to be closed either
        return None
    if parser.first is None or parser.first in _VOID or not parser.depth:
        return None
    return parser.first


def _dedupe(found: list[Markup]) -> list[Markup]:
    seen = set()
    kept = []
    for item in found:
        key = (item.what, item.start)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept

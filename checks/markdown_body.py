"""A post's body read with markdown-it-py, positions taken from its token line maps.

Every block token carries the source lines it came from (``token.map``). A block's text is found inside
those lines only: each text token is searched from where the previous one ended, and a character that is not
written as it reads (an entity, an escape) is searched a few characters ahead. No alignment of the whole
rendered text. Raw HTML blocks are read as BeautifulSoup parses them, placed the same way inside their lines.

The result is plain data (texts with offsets, links, tags in order); checks.document builds the post from it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.list import list_block
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from checks.anchors import unique_anchors
from checks.rawhtml import Decoded, find_encoded

BLOCK_TAGS = frozenset({"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd",
                        "figcaption", "caption", "summary"})
CONTAINER_TAGS = frozenset({"ul", "ol", "blockquote", "div", "table", "thead", "tbody", "tr", "dl",
                            "section", "figure", "details", "hr", "br"})
SKIP_TAGS = frozenset({"pre", "code", "script", "style", "img", "kbd", "samp", "svg", "math"})
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Skipped in prose, but their text is on the page: read as reader-visible texts (where "code")
CODE_TAGS = frozenset({"pre", "code", "kbd", "samp", "svg", "math"})
# Attributes a reader sees (a tooltip, the text shown in place of an image) or hears (a screen reader)
VISIBLE_ATTRIBUTES = ("alt", "title", "aria-label", "aria-description", "placeholder", "label")

# CommonMark with raw HTML and tables: what Python-Markdown's "extra" renders in our posts (publishing keeps
# Python-Markdown; tests/test_parse_agreement.py holds the two to the same block structure).
MAX_DEPTH = 100  # lists, quotes or raw HTML elements nested deeper: the structure is not read (TooDeep)
PARSER = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_DEPTH}).enable("table")
# Targets as written (entities and escapes decoded), as Python-Markdown gives them: markdown-it would drop a
# javascript: link to text and percent-encode the rest, but the links and markup checks must see both.
PARSER.validateLink = lambda url: True  # type: ignore[method-assign]
PARSER.normalizeLink = lambda url: url  # type: ignore[method-assign]
PARSER.normalizeLinkText = lambda url: url  # type: ignore[method-assign]
# Python-Markdown's autolink: any "<scheme://...>", wider than CommonMark's (a one-letter scheme, a space, "[")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>")


def _autolink(state: StateInline, silent: bool) -> bool:
    match = _AUTOLINK.match(state.src, state.pos) if state.src[state.pos] == "<" else None
    if match is None:
        return False
    if not silent:
        url = match.group(1)
        state.push("link_open", "a", 1).attrs = {"href": url}
        state.push("text", "", 0).content = url
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


PARSER.inline.ruler.before("autolink", "python_markdown_autolink", _autolink)


def _list_after_paragraph(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    # Python-Markdown needs a blank line before a list: "Bring these:\n- a card" stays one paragraph, its item
    # lines part of the lead-in's text (the claims analysis reads them there). Inside a list item a nested list
    # may still follow its text directly, as in Python-Markdown.
    if silent and state.parentType == "paragraph" and state.listIndent < 0:
        return False
    return list_block(state, start, end, silent)


PARSER.block.ruler.at("list", _list_after_paragraph, {"alt": ["paragraph", "reference", "blockquote"]})

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
_NEAR = 12  # source characters searched ahead for a character not written as it reads (&amp; -> &)
_NEWLINE = re.compile(r"\r\n?|\n")  # how markdown-it splits lines
# Python-Markdown's attr_list at the end of a heading: "## Title {#id .class}"
_HEADING_ATTRS = re.compile(r"\s*\{:?\s*([^{}]*)\}\s*$")
_ABBREVIATION = re.compile(r"^\*\[([^\]]+)\]:[ \t]*(.*)$")  # Python-Markdown's abbr definition line
# Python-Markdown's attr_list right after an image or link: "![x](y){: onload=...}" sets the element's attributes
_INLINE_ATTRS = re.compile(r"\{:?[ ]*([^}\n ][^}\n]*)[ ]*\}")
_ATTR = re.compile(r"""([^\s=]+)=(?:"([^"]*)"|'([^']*)'|(\S+))|#(\S+)|\.(\S+)""")
_FOOTNOTE_DEFINITION = re.compile(r"\[\^([^\]]+)\]:[ \t]*")
_FOOTNOTE_REFERENCE = re.compile(r"\[\^([^\]]+)\](?!:)")
_FOOTNOTE_LABELS = re.compile(r"^ {0,3}\[\^([^\]]+)\]:", re.MULTILINE)
_INLINE_DESTINATION = re.compile(r"[*_`]*\]\(")  # the text's closing marks, then "]("
_AFTER_TARGET = re.compile(r"""\s*(?:"[^"]*"|'[^']*'|\([^)]*\))?\s*\)|\]\[[^\]]*\]|\]""")


class TooDeep(Exception):
    """The body nests deeper than :data:`MAX_DEPTH`: markdown-it stops reading there (and Python-Markdown, which
    renders it for publishing, runs out of recursion), so what a reader sees cannot be checked."""


@dataclass
class Text:
    """A text a reader sees and the raw offset of each character (-1: white space, or not written as read)."""

    tag: str
    text: str
    offsets: list[int]
    in_blockquote: bool = False
    anchor: str | None = None
    where: str = "body"  # "body" (prose), "code", "alt", "attribute"


@dataclass
class Body:
    blocks: list[Text] = field(default_factory=list)  # prose, in document order
    extras: list[Text] = field(default_factory=list)  # code, alt text, visible attributes, in document order
    links: list[tuple[str, str, str, int, int]] = field(default_factory=list)  # kind, target, text, start, end
    tags: list[tuple[str, list[tuple[str, Any]]]] = field(default_factory=list)  # every element, for active HTML
    raw_html: list[str] = field(default_factory=list)  # raw HTML as written: blocks and inline tags
    anchors: set[str] = field(default_factory=set)


def read_body(text: str, body_start: int) -> Body:
    """The body of ``text`` (from ``body_start``) read into texts with raw offsets."""
    return _Reader(text, body_start).read()


class _Reader:
    def __init__(self, text: str, body_start: int) -> None:
        self.text = text
        self.body_start = body_start
        self.line_starts = [body_start, *(m.end() + body_start for m in _NEWLINE.finditer(text[body_start:]))]
        self.body = Body()
        self.quote = 0
        self.decoded: list[Decoded] = []
        self.headings: list[tuple[Text, str | None]] = []  # a heading and the id written for it, if any
        self.open_html = 0  # raw inline HTML elements open
        self.footnote_labels = set(_FOOTNOTE_LABELS.findall(text, body_start))
        self.footnotes: list[Text] = []  # footnote definitions: read after the body, where they are shown

    def region(self, line_map: list[int] | None, fallback: tuple[int, int]) -> tuple[int, int]:
        if not line_map:
            return fallback
        start, end = line_map
        last = len(self.line_starts)
        return self.line_starts[min(start, last - 1)], (self.line_starts[end] if end < last else len(self.text))

    def read(self) -> Body:
        tokens = PARSER.parse(self.text[self.body_start :])
        region = (self.body_start, len(self.text))
        for index, token in enumerate(tokens):
            kind = token.type
            if token.level >= MAX_DEPTH - 1:
                raise TooDeep
            if token.map:
                region = self.region(token.map, region)
            if kind == "blockquote_open":
                self.quote += 1
            elif kind == "blockquote_close":
                self.quote -= 1
            elif kind == "inline":
                opener = tokens[index - 1]
                tag = ("li" if opener.hidden else "p") if opener.type == "paragraph_open" else opener.tag or "p"
                self.inline(token, tag, region)
            elif kind in ("fence", "code_block"):
                self.extra("pre", token.content, "code", region)
            elif kind == "html_block":
                self.html_block(token.content, region)
        self.body.blocks.extend(self.footnotes)
        self.body.links = [link for link in self.body.links if link[1]]
        self.name_headings()
        return self.body

    # -- texts

    def place(self, value: str, cursor: int, end: int) -> tuple[list[int], int]:
        """Raw offsets of ``value``'s characters written in ``text[cursor:end]``, and the cursor after them:
        as written; else with entities and escapes read (``cur&#101;s``); else character by character, each
        a few characters ahead of the last one found."""
        written = self.find_written(value, cursor, end)
        if written is not None:
            return written
        source = self.text
        offsets = []
        for char in value:
            found = -1 if char.isspace() else source.find(char, cursor, min(end, cursor + _NEAR))
            offsets.append(found)
            if found >= 0:
                cursor = found + 1
        return offsets, cursor

    def find_written(self, value: str, cursor: int, end: int) -> tuple[list[int], int] | None:
        """:meth:`place` when ``value`` is written whole in ``text[cursor:end]`` (as it reads, or with entities
        and escapes); None when it is not."""
        if not value.strip():
            return None
        at = self.text.find(value, cursor, end)
        if at >= 0:
            return [-1 if char.isspace() else at + i for i, char in enumerate(value)], at + len(value)
        decoded = self.decoded_text()
        first = bisect.bisect_left(decoded.where, cursor)
        found = decoded.text.find(value, first, bisect.bisect_left(decoded.where, end))
        if found < 0:
            return None
        offsets = [-1 if char.isspace() else decoded.where[found + i] for i, char in enumerate(value)]
        return offsets, decoded.where[found + len(value)]

    def decoded_text(self) -> Decoded:
        if not self.decoded:
            self.decoded.append(Decoded(self.text))
        return self.decoded[0]

    def extra(self, tag: str, value: str, where: str, region: tuple[int, int], cursor: int | None = None) -> int:
        """A reader-visible text that is not prose; returns the cursor after it."""
        start = region[0] if cursor is None else cursor
        if not value.strip():
            return start
        # in its block's lines; else elsewhere (a reference link's title sits in its definition)
        found = self.find_written(value, start, region[1])
        elsewhere = None if found else self.find_written(value, self.body_start, len(self.text))
        if found:
            offsets, after = found
        elif elsewhere:
            offsets, after = elsewhere[0], start
        else:
            offsets, after = self.place(value, start, region[1])
        self.body.extras.append(Text(tag, value, offsets, self.quote > 0, None, where))
        return after

    def inline(self, token: Token, tag: str, region: tuple[int, int]) -> None:
        """One block's inline tokens: prose parts placed from the start of its lines on."""
        start, end = region
        if tag == "p" and self.abbreviations(token.content, region):
            return
        children = list(token.children or [])
        footnote = self.footnote_definition(tag, children)
        parts: list[str] = []
        offsets: list[int] = []
        cursor = start
        skip: list[str] = []  # raw inline HTML elements whose text is not prose (<code>, <kbd>)
        skipped: list[str] = []
        links: list[list[Any]] = []  # open links: [index in body.links, target, label parts, where it opened]

        def flush() -> None:
            if "".join(parts).strip():
                block = Text(tag, "".join(parts), list(offsets), self.quote > 0)
                (self.footnotes if footnote else self.body.blocks).append(block)
                if tag in HEADING_TAGS:
                    self.heading(block)
            parts.clear()
            offsets.clear()

        def add(value: str, placed: list[int] | None = None) -> None:
            nonlocal cursor
            if skip:
                skipped.append(value)
                return
            if placed is None:
                placed, cursor = self.place(value, cursor, end)
            parts.append(value)
            offsets.extend(placed)
            for link in links:
                link[2].append(value)

        def open_link(kind: str, target: str) -> None:
            links.append([len(self.body.links), target, [], cursor])
            self.body.links.append((kind, target, "", cursor, cursor))  # placed when it closes

        def close_link() -> None:
            nonlocal cursor
            index, target, label, opened = links.pop()
            cursor = self.link(index, target, "".join(label), opened, cursor, region)

        attributable = False  # the last token was an image or a link: an attr_list may follow
        for child in children:
            kind = child.type
            if kind == "text" and attributable and (attrs := _INLINE_ATTRS.match(child.content)):
                self.body.tags[-1][1].extend(_attributes(attrs.group(1)))
                written = self.text.find(attrs.group(), cursor, end)
                cursor = written + len(attrs.group()) if written >= 0 else cursor
                if attrs.end() < len(child.content):
                    add(child.content[attrs.end() :])
            elif kind == "text":
                add(self.without_footnote_references(child.content))
            elif kind == "softbreak":
                add("\n", [-1])
            elif kind == "hardbreak":  # a <br>: what follows is read as another block, as before
                flush()
                add("\n", [-1])
            elif kind == "code_inline":
                cursor = self.extra("code", child.content, "code", region, cursor)
                for link in links:
                    link[2].append(child.content)
            elif kind == "link_open":
                self.body.tags.append(("a", list(child.attrs.items())))
                title = child.attrs.get("title")
                if isinstance(title, str):
                    self.extra("a", title, "attribute", region, cursor)
                open_link("link", str(child.attrs.get("href", "")))
            elif kind == "link_close" and links:
                close_link()
            elif kind == "image":
                self.body.tags.append(("img", [(k, v) for k, v in child.attrs.items() if k != "alt"]
                                       + [("alt", child.content)]))
                self.extra("img", child.content, "alt", region, cursor)
                title = child.attrs.get("title")
                if isinstance(title, str):
                    self.extra("img", title, "attribute", region, cursor)
                open_link("image", str(child.attrs.get("src", "")))
                links[-1][2].append(child.content)
                close_link()
            elif kind == "html_inline":
                self.body.raw_html.append(child.content)
                cursor, element = self.html_inline(child.content, cursor, region, skip, skipped, flush)
                if element and element[0] == "a" and not element[2]:
                    open_link("link", str(dict(element[1]).get("href") or ""))
                elif element and element[0] == "img" and not element[2]:
                    open_link("image", str(dict(element[1]).get("src") or ""))
                    links[-1][2].append(str(dict(element[1]).get("alt") or ""))
                    close_link()
                elif element and element[0] == "a" and links:
                    close_link()
            attributable = kind in ("image", "link_close")
        if tag in ("p", "li") and parts:  # Python-Markdown keeps a paragraph's trailing spaces
            last = self.text[start:end].rstrip("\r\n")
            trailing = last[len(last.rstrip(" \t")) :]
            parts.append(trailing)
            offsets.extend([-1] * len(trailing))
        if footnote:
            add("\xa0", [-1])  # before the back link Python-Markdown adds (generated, not read)
        flush()

    def link(self, index: int, target: str, label: str, opened: int, cursor: int, region: tuple[int, int]) -> int:
        """Place link ``index`` at its target (searched from where the link opened); ``cursor`` (after its text)
        moved past the target when it is written right there ("[text](target)")."""
        kind = self.body.links[index][0]
        if not target:
            self.body.links[index] = (kind, target, label, -1, -1)  # no target: no link (dropped below)
            return cursor
        at, end = find_encoded(self.text, target, opened, self.decoded)
        if at < 0:
            at = self.text.find(label, opened) if label else -1
            end = at + len(label)
        if at < 0:
            at, end = opened, opened
        self.body.links[index] = (kind, target, label, at, end)
        inline = _INLINE_DESTINATION.match(self.text, cursor)
        if (inline or kind == "image") and region[0] <= at and end <= region[1]:  # "[text](target)": past it
            cursor = max(cursor, end)
        after = _AFTER_TARGET.match(self.text, cursor)
        return after.end() if after and after.end() <= region[1] else cursor

    def html_inline(self, raw: str, cursor: int, region: tuple[int, int], skip: list[str], skipped: list[str],
                    flush: Callable[[], None]) -> tuple[int, tuple[str, list[tuple[str, Any]], bool] | None]:
        """One raw inline tag: its attributes read; the cursor after it, and the tag."""
        at = self.text.find(raw, cursor, region[1])
        after = at + len(raw) if at >= 0 else cursor
        element = _tag_of(raw)
        if element is None:
            return after, None
        name, attributes, closing = element
        if name not in _VOID and not raw.rstrip().endswith("/>"):
            self.open_html += -1 if closing else 1
            if self.open_html > MAX_DEPTH:
                raise TooDeep
        if closing:
            if skip and skip[-1] == name:
                skip.pop()
                if not skip:
                    self.extra(name, "".join(skipped), "code", region, cursor)
                    skipped.clear()
            return after, element
        self.body.tags.append((name, attributes))
        for key, value in attributes:
            if key in VISIBLE_ATTRIBUTES and isinstance(value, str):
                self.extra(name, value, "alt" if key == "alt" else "attribute", region, cursor)
            if key == "id" and isinstance(value, str):
                self.body.anchors.add(value)
        if name in SKIP_TAGS and name not in ("img",) and not raw.rstrip().endswith("/>"):
            skip.append(name)
        elif name in BLOCK_TAGS or name in CONTAINER_TAGS:
            flush()
        return after, element

    # -- footnotes (Python-Markdown's extension): a marker is generated, a definition is read at the end

    def footnote_definition(self, tag: str, children: list[Token]) -> bool:
        """True when the paragraph is a footnote definition (``[^x]: text``); its marker is taken off."""
        if tag != "p" or not children or children[0].type != "text":
            return False
        match = _FOOTNOTE_DEFINITION.match(children[0].content)
        if not match or match.group(1) not in self.footnote_labels:
            return False
        children[0] = Token("text", "", 0, content=children[0].content[match.end() :])
        self.body.anchors.add(f"fn:{match.group(1)}")
        return True

    def without_footnote_references(self, value: str) -> str:
        if "[^" not in value:
            return value
        def drop(match: re.Match[str]) -> str:
            if match.group(1) not in self.footnote_labels:
                return match.group()
            self.body.anchors.add(f"fnref:{match.group(1)}")
            return ""
        return _FOOTNOTE_REFERENCE.sub(drop, value)

    def abbreviations(self, content: str, region: tuple[int, int]) -> bool:
        """A paragraph of abbreviation definitions (``*[X]: text``): their texts show as tooltips."""
        lines = content.split("\n")
        found = [_ABBREVIATION.match(line) for line in lines]
        if not all(found):
            return False
        cursor = region[0]
        for match in found:
            assert match is not None
            cursor = self.extra("abbr", match.group(2), "attribute", region, cursor)
        return True

    # -- headings

    def heading(self, block: Text) -> None:
        written = None
        attrs = _HEADING_ATTRS.search(block.text)
        if attrs:
            ids = [word[1:] for word in attrs.group(1).split() if word.startswith("#")]
            written = ids[0] if ids else None
            keep = attrs.start()
            block.text, block.offsets = block.text[:keep], block.offsets[:keep]
        self.headings.append((block, written))

    def name_headings(self) -> None:
        names = unique_anchors(block.text for block, _ in self.headings)
        for (block, written), name in zip(self.headings, names, strict=True):
            block.anchor = written or name
            self.body.anchors.add(block.anchor)

    # -- raw HTML blocks

    def html_block(self, raw: str, region: tuple[int, int]) -> None:
        self.body.raw_html.append(raw)
        soup = BeautifulSoup(raw.rstrip("\n"), "html.parser")  # the block's own lines, as Python-Markdown keeps it
        cursor = region[0]
        for tag in soup.descendants:
            if not isinstance(tag, Tag):
                continue
            self.body.tags.append((tag.name, list(tag.attrs.items())))
            if tag.get("id") is not None:
                self.body.anchors.add(str(tag.get("id")))
            target = tag.get("href") if tag.name == "a" else tag.get("src") if tag.name == "img" else None
            if target:
                self.body.links.append(("link" if tag.name == "a" else "image", str(target), "", cursor, cursor))
                label = tag.get_text() if tag.name == "a" else str(tag.get("alt") or "")
                cursor = self.link(len(self.body.links) - 1, str(target), label, cursor, cursor, region)
        blocks, extras = collect_blocks(soup)
        cursor = region[0]
        for tag, pieces, _where, written_id in blocks:
            offsets = []
            for piece in pieces:  # each text of the HTML is written whole in the source (entities aside)
                placed, cursor = self.place(piece, cursor, region[1])
                offsets.extend(placed)
            block = Text(tag, "".join(pieces), offsets, self.quote > 0)
            self.body.blocks.append(block)
            if tag in HEADING_TAGS:
                self.headings.append((block, written_id))
        for tag, value, where, _ in extras:
            offsets, _after = self.place(value, region[0], region[1])
            self.body.extras.append(Text(tag, value, offsets, self.quote > 0, None, where))


class _OneTag(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: tuple[str, list[tuple[str, Any]], bool] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found = self.found or (tag, list(attrs), False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.found = self.found or (tag, [], True)


def _attributes(written: str) -> list[tuple[str, str]]:
    """An attr_list's attributes (``#id`` and ``.class`` too)."""
    found = []
    for match in _ATTR.finditer(written):
        key, double, single, bare, id_, class_ = match.groups()
        if key:
            found.append((key.lower(), next(v for v in (double, single, bare) if v is not None)))
        elif id_:
            found.append(("id", id_))
        else:
            found.append(("class", class_))
    return found


def _tag_of(raw: str) -> tuple[str, list[tuple[str, Any]], bool] | None:
    """(name, attributes, is a closing tag) of one raw inline tag; None for a comment or declaration."""
    parser = _OneTag()
    try:
        parser.feed(raw)
        parser.close()
    except Exception:  # html.parser gives up on some markup: it is not an element then
        return None
    return parser.found


# A text found in raw HTML: tag, text, where ("body" prose, "code", "alt", "attribute"), the heading id written
_Found = tuple[str, str, str, str | None]
_Prose = tuple[str, list[str], str, str | None]  # the same for prose, its text in the pieces the HTML holds


def _children(node: Any) -> Iterator[str | Tag]:
    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            yield str(child)
        elif isinstance(child, Tag):
            yield child


def collect_blocks(root: Any) -> tuple[list[_Prose], list[_Found]]:
    """The prose blocks under ``root`` (BeautifulSoup) and the other texts a reader sees (code, alt text,
    visible attributes), each in document order."""
    blocks: list[list[Any]] = []  # [tag, parts, heading id]
    others: list[_Found] = []

    def walk(node: Any, current: list[Any] | None) -> list[Any] | None:
        for child in _children(node):
            if isinstance(child, str):
                if current is None:
                    if not child.strip():
                        continue
                    current = ["p", [], None]
                    blocks.append(current)
                current[1].append(child)
                continue
            name = child.name
            for attribute in VISIBLE_ATTRIBUTES:
                value = child.get(attribute)
                if isinstance(value, str) and value.strip():
                    others.append((name, value, "alt" if attribute == "alt" else "attribute", None))
            if name in SKIP_TAGS:
                if name in CODE_TAGS and child.get_text().strip():
                    others.append((name, child.get_text(), "code", None))
                continue
            if name in BLOCK_TAGS:
                block = [name, [], child.get("id") if name in HEADING_TAGS else None]
                blocks.append(block)
                walk(child, block)
                current = None
            elif name in CONTAINER_TAGS:
                walk(child, None)
                current = None
            else:
                current = walk(child, current)
        return current

    walk(root, None)
    return [(tag, parts, "body", anchor) for tag, parts, anchor in blocks if "".join(parts).strip()], others

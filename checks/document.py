"""Parse a post's bytes into the model every check reads.

Python-Markdown renders the body; text blocks, links and headings are read out of its element tree (or, where
the tree holds raw HTML, out of the HTML as BeautifulSoup parses it); and :func:`_align` ties every character
of block text back to its offset in the raw file, so findings carry positions in the Markdown source, never in
rendered HTML.
"""

from __future__ import annotations

import bisect
import hashlib
import html
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, NamedTuple
from xml.etree.ElementTree import Element

import frontmatter
import markdown
import yaml
from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.exceptions import ParserRejectedMarkup
from markdown.extensions import footnotes

from checks import speedups
from checks.anchors import unique_anchors
from checks.normalise import Disguise, normalise
from checks.prefilter import gate_for
from checks.rawhtml import Decoded, Markup, active_markup, find_encoded, unclosed_markup
from checks.source import SourceMap

DEFAULT_MAX_BYTES = 1_000_000
MARKDOWN_EXTENSIONS = ("extra", "sane_lists")

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
# Front-matter fields shown on the page or sent to the CMS (title, excerpt, terms, byline, the page address;
# reference titles too, read from the references list)
META_TEXTS = ("title", "summary", "author", "tags", "categories", "slug")
UNREADABLE = frozenset({"unreadable", "too-large", "binary", "not-utf8", "empty", "timeout", "structure"})


@dataclass(frozen=True)
class LoadProblem:
    """Something that stopped the file from being read as a post (reported by the frontmatter check)."""

    # unreadable | too-large | binary | not-utf8 | empty | timeout | structure | no-front-matter | yaml | not-mapping
    kind: str
    message: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class Block:
    """A paragraph, list item, heading or cell of rendered text, with a source offset per character.

    ``offsets[i]`` is the raw-file offset of ``text[i]``, or -1 for white space and generated text.
    """

    tag: str
    text: str
    offsets: tuple[int, ...]
    in_blockquote: bool = False
    anchor: str | None = None
    # "body" for prose; else where else a reader sees it: "title", "summary", "author", "tags", "categories",
    # "references" (front matter), "code" (code, pre, kbd...), "alt" (image text), "attribute" (title=...)
    where: str = "body"

    @property
    def is_heading(self) -> bool:
        return self.tag in HEADING_TAGS

    def source_range(self, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
        """Raw-file offsets covering ``text[start:end]``, or None when none of it maps."""
        end = len(self.text) if end is None else end
        window = self.offsets[start:end]
        first = next((o for o in window if o >= 0), -1)  # both ends are usually mapped: no full scan
        if first < 0:
            return None
        return first, next(o for o in reversed(window) if o >= 0) + 1

    @property
    def start(self) -> int:
        found = self.source_range()
        return found[0] if found else -1


@dataclass(frozen=True)
class Link:
    kind: str  # "link" or "image"
    target: str
    text: str
    start: int  # raw-file offset of the target (or of the link text when the target is not found)
    end: int


@dataclass(frozen=True)
class MetaField:
    key_start: int
    value_start: int
    value_end: int


@dataclass(eq=False)  # compared and hashed by identity: a post is one file read once
class Post:
    """A post as read: raw text, front matter with positions, and the rendered body."""

    rel_path: str  # relative to the content folder, posix: "posts/x.md"
    display_path: str  # how reports name the file, e.g. "content/posts/x.md"
    content_hash: str
    size: int
    text: str = ""
    problems: tuple[LoadProblem, ...] = ()
    encoding: str = "utf-8"  # what the file was decoded from: UTF-16 or UTF-32 when its byte-order mark says so
    meta: dict[str, Any] = field(default_factory=dict)
    meta_fields: dict[str, MetaField] = field(default_factory=dict)
    duplicate_keys: tuple[tuple[str, int], ...] = ()
    front_matter_start: int = 0  # offset of the first YAML character
    body_start: int = 0
    blocks: tuple[Block, ...] = ()  # prose (readability and grammar read these)
    extras: tuple[Block, ...] = ()  # every other text a reader sees: front matter, code, alt, title=...
    links: tuple[Link, ...] = ()
    anchors: frozenset[str] = frozenset()
    disguises: tuple[Disguise, ...] = ()  # invisible or look-alike characters inside words
    markup: tuple[Markup, ...] = ()

    @cached_property
    def source(self) -> SourceMap:
        return SourceMap(self.text)

    @cached_property
    def html(self) -> str:
        """The rendered body as HTML, heading ids added. Only publishing reads it, for the posts it publishes:
        rendered again on first use rather than serialised for every post checked (or kept, a tree per post)."""
        return str(_rendered(self.text[self.body_start :])[0]) if self.readable and self.text else ""

    @property
    def readable(self) -> bool:
        """False when the file could not be decoded or split; only the frontmatter check reports on it."""
        return not any(p.kind in UNREADABLE for p in self.problems)

    @property
    def title(self) -> str:
        value = self.meta.get("title")
        return value if isinstance(value, str) else ""

    @property
    def slug(self) -> str:
        value = self.meta.get("slug")
        return value if isinstance(value, str) else ""

    def meta_list(self, key: str) -> list[Any]:
        """A front-matter list (categories, tags, references) as a list whatever was written: a lone text is
        one item, any other value (``tags: 5``) none; the frontmatter check reports the wrong form."""
        value = self.meta.get(key)
        if isinstance(value, list):
            return value
        return [value] if isinstance(value, str) and value else []

    @property
    def headings(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.is_heading)

    @property
    def body_end(self) -> int:
        return len(self.text.rstrip())


# ---------------------------------------------------------------------------------------------------
# Reading


def content_hash_of(data: bytes) -> str:
    """How a post's version is named everywhere (cache keys, reports, the sign-off ledger)."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def unreadable_post(rel_path: str, reason: str, *, display_path: str | None = None) -> Post:
    """A post whose file could not be read at all (missing, no permission): reported, never dropped."""
    return Post(rel_path=rel_path, display_path=display_path or rel_path, content_hash="", size=0,
                problems=(LoadProblem("unreadable", reason),))


def timed_out_post(rel_path: str, seconds: float, content_hash: str = "", *,
                   display_path: str | None = None) -> Post:
    """A post whose parsing and checks ran past its time budget: stopped, reported, never reviewed."""
    return Post(rel_path=rel_path, display_path=display_path or rel_path, content_hash=content_hash, size=0,
                problems=(LoadProblem("timeout", f"parsing and checking this post took longer than its time budget "
                                                 f"of {seconds:g} s; it was stopped and is not reviewed"),))


def parse_post(rel_path: str, data: bytes, *, display_path: str | None = None,
               max_bytes: int = DEFAULT_MAX_BYTES, body: bool = True) -> Post:
    """The post read: decoded, its front matter, and (unless ``body`` is False: a caller that needs the front
    matter alone, such as ``medpress status``, must not pay for rendering a pathological body) its body."""
    post = decoded_post(rel_path, data, display_path=display_path, max_bytes=max_bytes)
    if post.problems:
        return post
    problems = _read_front_matter(post)
    if body:
        try:
            _render_body(post)
        except (RecursionError, ParserRejectedMarkup) as err:  # nested too deep to walk; HTML the parser refuses
            forget_converters()  # a conversion stopped half-way leaves a converter its reset() does not mend
            problems.append(_unreadable_structure(err, post.source.position(post.body_start + 1)[0]))
    post.problems = tuple(problems)
    return post


def _unreadable_structure(err: Exception, body_line: int) -> LoadProblem:
    why = ("it nests lists, quotes or HTML elements too deeply to read" if isinstance(err, RecursionError)
           else "its raw HTML is rejected by the HTML parser")
    return LoadProblem("structure", f"medpress cannot read this post's structure reliably: {why}, so what a "
                                    "reader would see is not checked", body_line, 1)


def decoded_post(rel_path: str, data: bytes, *, display_path: str | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> Post:
    """The post decoded as :func:`parse_post` decodes it (its text and positions), not parsed: enough to place
    findings whose offsets came from an earlier parse (grammar's)."""
    post = Post(rel_path=rel_path, display_path=display_path or rel_path,
                content_hash=content_hash_of(data), size=len(data))
    problem = _decode(post, data, max_bytes)
    if problem:
        post.problems = (problem,)
    return post


def too_large_post(rel_path: str, size: int, content_hash: str, max_bytes: int, *,
                   display_path: str | None = None) -> Post:
    """A post over the size limit, known by its size and hash alone (its text is never decoded)."""
    return Post(rel_path=rel_path, display_path=display_path or rel_path, content_hash=content_hash,
                size=size, problems=(_too_large(size, max_bytes),))


def _too_large(size: int, max_bytes: int) -> LoadProblem:
    return LoadProblem("too-large", f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes")


# Byte-order marks of the encodings a post is decoded from besides UTF-8 (UTF-32's first: it starts as UTF-16's)
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32", "UTF-32"), (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
         (b"\xff\xfe", "utf-16", "UTF-16"), (b"\xfe\xff", "utf-16", "UTF-16"))


def _decode(post: Post, data: bytes, max_bytes: int) -> LoadProblem | None:
    if len(data) > max_bytes:
        return _too_large(len(data), max_bytes)
    for bom, codec, name in _BOMS:
        if data.startswith(bom):  # an editor's "Unicode" save: readable, but the post should be UTF-8
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as err:
                return LoadProblem("not-utf8", f"{name} (its byte-order mark says so) that cannot be decoded at byte "
                                               f"{err.start}; re-save it as UTF-8")
            text = text.removeprefix("\ufeff")
            post.encoding = name
            if not text.strip():
                return LoadProblem("empty", "the file is empty")
            post.text = text
            return None
    if b"\x00" in data:
        looks = _utf16_without_bom(data)
        if looks:
            return LoadProblem("not-utf8", f"{looks} without a byte-order mark, not UTF-8; re-save it as UTF-8")
        at = data.index(b"\x00")
        line = data.count(b"\n", 0, at) + 1
        return LoadProblem("binary", f"binary data (a NUL byte at byte {at}); not a Markdown text file", line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        line = data.count(b"\n", 0, err.start) + 1
        column = len(data[line_start : err.start].decode("utf-8", "replace")) + 1
        return LoadProblem("not-utf8", f"not UTF-8: byte 0x{data[err.start]:02x} at line {line}, "
                                       f"column {column} cannot be decoded", line, column)
    if not text.strip():
        return LoadProblem("empty", "the file is empty")
    post.text = text
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """"UTF-16LE" or "UTF-16BE" when every other byte of the start is NUL, as mostly-ASCII UTF-16 text is."""
    head = data[:4096]
    if len(head) < 4 or len(head) % 2:
        return None
    for name, nuls, chars in (("UTF-16LE", head[1::2], head[0::2]), ("UTF-16BE", head[0::2], head[1::2])):
        if nuls.count(0) >= len(nuls) * 0.9 and chars.count(0) == 0:
            return name
    return None


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, so an impossible date is a finding, not a crash."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_YAML_HANDLER = frontmatter.YAMLHandler()
_PLAIN_LOADER = speedups.plain_yaml_loader(_FrontMatterLoader.yaml_implicit_resolvers)


def _compose(source: str) -> tuple[yaml.Node | None, Any]:
    """The front matter's node tree (for positions) and its data, by PyYAML's pure-Python parser."""
    loader = _FrontMatterLoader(source)  # reads the text: a disallowed character raises here already
    try:
        node = loader.get_single_node()
        return node, loader.construct_document(node) if node is not None else {}
    finally:
        loader.dispose()


def _read_front_matter(post: Post) -> list[LoadProblem]:
    text = post.text
    boundary = _YAML_HANDLER.FM_BOUNDARY
    opening = boundary.match(text)
    closing = boundary.search(text, opening.end()) if opening else None
    if not opening or not closing:
        return [LoadProblem("no-front-matter", "no YAML front matter: the file must start with a '---' line "
                                               "and the front matter must end with another", 1, 1)]
    fm_start = opening.end() + (1 if text[opening.end() : opening.end() + 1] == "\n" else 0)
    post.front_matter_start = fm_start
    post.body_start = closing.end()
    source = text[fm_start : closing.start()]
    composed = speedups.compose_plain_yaml(_PLAIN_LOADER, source)
    if composed is not None:
        node, data = composed
    else:
        try:
            node, data = _compose(source)
        except yaml.reader.ReaderError as err:  # a character YAML does not allow (a control character)
            line, column = post.source.position(fm_start + err.position)
            return [LoadProblem("yaml", f"invalid YAML in front matter: character U+{err.character:04X} is not "
                                        "allowed (a control character; delete it)", line, column)]
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
            line, column = post.source.position(fm_start + mark.index) if mark else (None, None)
            problem = getattr(err, "problem", None) or str(err)
            return [LoadProblem("yaml", f"invalid YAML in front matter: {problem}", line, column)]
        except Exception as err:  # PyYAML's constructors raise anything on a bad tagged value
            # ("!!float x" ValueError, "!!bool x" KeyError, "!!timestamp x" TypeError): the YAML is invalid
            line, column = post.source.position(fm_start)
            return [LoadProblem("yaml", f"invalid YAML in front matter: a value cannot be read as its tag says "
                                        f"({err})", line, column)]
    if not isinstance(data, dict):
        line, column = post.source.position(fm_start)
        return [LoadProblem("not-mapping", "front matter must be a mapping of keys to values", line, column)]
    post.meta = {str(k): v for k, v in data.items()}
    seen: set[str] = set()
    duplicates = []
    for key_node, value_node in node.value if node is not None else ():  # None: empty front matter
        key = str(key_node.value)
        if key in seen:
            duplicates.append((key, fm_start + key_node.start_mark.index))
        seen.add(key)
        post.meta_fields[key] = MetaField(fm_start + key_node.start_mark.index,
                                          fm_start + value_node.start_mark.index,
                                          fm_start + value_node.end_mark.index)
    post.duplicate_keys = tuple(duplicates)
    return []


# ---------------------------------------------------------------------------------------------------
# Rendering and blocks

_local = threading.local()


def _converter() -> markdown.Markdown:
    """A Markdown converter with the extensions medpress supports (its inline pass gated: checks.speedups)."""
    converter = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS))
    speedups.gate_inline_pass(converter, gate_for)
    return converter


def forget_converters() -> None:
    """Drop this thread's Markdown converters (a conversion stopped half-way, by a time budget, may have left
    one in a state its reset() does not undo); the next post builds new ones."""
    _local.__dict__.clear()


def render_markdown(body: str) -> str:
    """Markdown to HTML with the extensions medpress supports (one converter per thread)."""
    return _render_with_stash(body)[0]


def _render_with_stash(body: str) -> tuple[str, list[str]]:
    """The HTML, and the raw HTML Python-Markdown kept as it was (its HtmlStash: blocks and inline tags)."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = _converter()
    converter.reset()
    rendered = converter.convert(body)
    return rendered, [item for item in converter.htmlStash.rawHtmlBlocks if isinstance(item, str)]


def _rendered(body: str) -> tuple[BeautifulSoup, list[Tag]]:
    """The body rendered, with an id on every heading (as links to #anchors expect), and its tags in order."""
    soup, tags, _ = _rendered_and_stash(body)
    return soup, tags


def _rendered_and_stash(body: str) -> tuple[BeautifulSoup, list[Tag], list[str]]:
    rendered, stash = _render_with_stash(body)
    soup = BeautifulSoup(rendered, "html.parser")
    tags = [node for node in soup.descendants if isinstance(node, Tag)]  # one walk, in document order
    _name_headings([_soup_node(tag) for tag in tags])
    return soup, tags, stash


def _render_body(post: Post) -> None:
    body = post.text[post.body_start :]
    tree = _reading_tree(body)
    stash: list[str] = []
    if tree is None:  # raw HTML (or text the tree holds otherwise than its HTML reads): read the HTML
        soup, tags, stash = _rendered_and_stash(body)
        root, children, nodes = soup, _soup_children, [_soup_node(tag) for tag in tags]
    else:
        root, children = tree, _tree_children
        nodes = [_tree_node(element) for element in tree.iter() if element is not tree]  # in document order
        _name_headings(nodes)
    post.anchors = frozenset(str(node.get("id")) for node in nodes if node.get("id") is not None)
    raw_extras: list[_RawBlock] = []
    raw_blocks = _collect_blocks(root, children, raw_extras)
    prose = _align(post.text, post.body_start, raw_blocks)
    extras = _align_extras(post.text, post.body_start, raw_extras, dict(zip(map(id, raw_blocks), prose,
                                                                            strict=True)))
    disguises: list[Disguise] = []
    post.blocks = tuple(_read_as_seen(prose, disguises))
    post.extras = tuple(_read_as_seen([*_front_matter_texts(post), *extras], disguises))
    post.disguises = tuple(disguises)
    post.links = tuple(_locate_links(post.text, post.body_start, [n for n in nodes if n.name in ("a", "img")]))
    post.markup = tuple(sorted([*active_markup(post.text, post.body_start, ((n.name, n.items()) for n in nodes)),
                                *unclosed_markup(post.text, post.body_start, stash)], key=lambda m: m.start))


# ---------------------------------------------------------------------------------------------------
# The rendered body, read from Python-Markdown's element tree where that reads exactly as the HTML would
# (BeautifulSoup parsing the serialised HTML, 0.7 ms a post, is then not needed), else from the HTML.


class _Node(NamedTuple):
    """An element of either tree, as the readers below see it."""

    name: str
    get: Callable[[str], Any]  # attribute value, or None
    set: Callable[[str, str], None]
    text: Callable[[], str]  # all text inside
    node: Any
    items: Callable[[], Iterable[tuple[str, Any]]]  # every attribute


def _soup_node(tag: Tag) -> _Node:
    return _Node(tag.name, tag.get, tag.__setitem__, tag.get_text, tag, tag.attrs.items)


def _tree_node(element: Element) -> _Node:
    return _Node(element.tag, element.get, element.set, lambda: _tree_text(element), element, element.items)


def _soup_children(node: Any) -> Iterator[str | _Node]:
    for child in node.children:
        if isinstance(child, Comment):
            continue
        if isinstance(child, NavigableString):
            yield str(child)
        elif isinstance(child, Tag):
            yield _soup_node(child)


# BeautifulSoup turns a string of ASCII white space into one space (or one newline), except inside these.
_ASCII_SPACES = " \n\t\x0c\r"
_KEEPS_SPACES = frozenset({"pre", "textarea"})


def _as_parsed(text: str | None, keep_spaces: bool = False) -> str:
    """A text of the tree as BeautifulSoup has it."""
    if not text or keep_spaces or text.strip(_ASCII_SPACES):
        return text or ""
    return "\n" if "\n" in text else " "


def _tree_children(element: Any) -> Iterator[str | _Node]:
    if element.text:
        yield _as_parsed(element.text)
    for child in element:
        yield _tree_node(child)
        if child.tail:
            yield _as_parsed(child.tail)


def _tree_text(element: Element, keep_spaces: bool = False) -> str:
    """All text inside ``element``, as BeautifulSoup's get_text() reads it."""
    keep_spaces = keep_spaces or element.tag in _KEEPS_SPACES
    parts = [_as_parsed(element.text, keep_spaces)]
    for child in element:
        parts.append(_tree_text(child, keep_spaces))
        parts.append(_as_parsed(child.tail, keep_spaces))
    return "".join(parts)


def _name_headings(nodes: list[_Node]) -> None:
    """An id on every heading that has none, as links to #anchors expect."""
    headings = [node for node in nodes if node.name in HEADING_TAGS]
    for heading, anchor in zip(headings, unique_anchors(h.text() for h in headings), strict=True):
        if not heading.get("id"):
            heading.set("id", anchor)


# Where the tree and its HTML (as html.parser reads it back) could differ, the HTML is read instead:
# placeholders of stashed raw HTML, entities and escapes (STX/ETX), text the serialiser would not escape
# (an entity such as "&amp;", which a code span holds), valueless or upper-case attributes, non-element nodes.
_NOT_AS_TEXT = re.compile(r"[\x02\x03]|&(?:#[0-9]+|#x[0-9a-f]+|[0-9a-z]+);", re.IGNORECASE)
_EMPTY_TAGS = frozenset({"area", "base", "basefont", "br", "col", "frame", "hr", "img", "input", "isindex",
                         "link", "meta", "param", "embed", "source", "track", "wbr"})
_TOP_LEVEL = BLOCK_TAGS | CONTAINER_TAGS | SKIP_TAGS
_FOOTNOTE_TEXT = {footnotes.NBSP_PLACEHOLDER: "\xa0",  # as its postprocessor writes them, then html.parser reads
                  footnotes.FN_BACKLINK_TEXT: html.unescape(footnotes.FootnoteExtension().getConfig("BACKLINK_TEXT"))}


def _reads_as_html(root: Element) -> bool:
    """True when every text, tail and attribute of ``root`` reads the same as in its HTML, parsed back. Footnote
    placeholders are replaced on the way by the text Python-Markdown's postprocessor would put there."""
    if root.text and root.text.strip():
        return False
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str) or not tag.islower() or tag == "textarea":
            return False
        element.text, element.tail = _footnote_text(element.text), _footnote_text(element.tail)
        for text in (element.text, element.tail):
            if text and _NOT_AS_TEXT.search(text):
                return False
        for key, value in element.items():
            if not isinstance(value, str) or not key.islower() or key == value or _NOT_AS_TEXT.search(value):
                return False
        if tag in _EMPTY_TAGS and (element.text or len(element)):
            return False
    return all(child.tag in _TOP_LEVEL and not (child.tail or "").strip() for child in root)


def _footnote_text(text: str | None) -> str | None:
    if text and "\x02" in text:
        for placeholder, replacement in _FOOTNOTE_TEXT.items():
            text = text.replace(placeholder, replacement)
    return text


def _reading_tree(body: str) -> Element | None:
    """The body's element tree when it reads exactly as its HTML would (most posts), else None (checks.speedups:
    always None with speed-ups off)."""
    converter = getattr(_local, "reader", None)
    if converter is None:
        converter = _local.reader = speedups.tree_reader(_converter, _reads_as_html)
    return speedups.finished_tree(converter, body)


@dataclass
class _RawBlock:
    tag: str
    in_blockquote: bool
    anchor: str | None
    parts: list[str] = field(default_factory=list)
    where: str = "body"
    after: _RawBlock | None = None  # for a text that is not prose: the prose block it sits in or follows


def _collect_blocks(root: Any, children: Callable[[Any], Iterable[str | _Node]],
                   extras: list[_RawBlock] | None = None) -> list[_RawBlock]:
    """The text blocks under ``root``; ``children`` lists a node's text and elements in order. ``extras``
    receives the other texts a reader sees (code, alt text, title attributes), in document order."""
    blocks: list[_RawBlock] = []
    others: list[_RawBlock] = [] if extras is None else extras

    def other(name: str, text: str, in_quote: bool, where: str) -> None:
        if text.strip():
            others.append(_RawBlock(name, in_quote, None, [text], where, blocks[-1] if blocks else None))

    def walk(node: Any, current: _RawBlock | None, in_quote: bool) -> _RawBlock | None:
        for child in children(node):
            if isinstance(child, str):
                if current is None:
                    if not child.strip():
                        continue
                    current = _RawBlock("p", in_quote, None)
                    blocks.append(current)
                current.parts.append(child)
                continue
            name = child.name
            if _is_footnote_marker(child):  # generated: its title is Python-Markdown's, not the author's
                continue
            for attribute in VISIBLE_ATTRIBUTES:
                value = child.get(attribute)
                if isinstance(value, str):
                    other(name, value, in_quote, "alt" if attribute == "alt" else "attribute")
            if name in SKIP_TAGS:
                if name in CODE_TAGS:
                    other(name, child.text(), in_quote, "code")
                continue
            if name in BLOCK_TAGS:
                block = _RawBlock(name, in_quote, child.get("id") if name in HEADING_TAGS else None)
                blocks.append(block)
                walk(child.node, block, in_quote)
                current = None
            elif name in CONTAINER_TAGS:
                walk(child.node, None, in_quote or name == "blockquote")
                current = None
            else:
                current = walk(child.node, current, in_quote)
        return current

    walk(root, None, False)
    return [b for b in blocks if "".join(b.parts).strip()]


def _is_footnote_marker(node: _Node) -> bool:
    classes = node.get("class") or ()
    if isinstance(classes, str):  # the element tree's attribute; BeautifulSoup splits class lists
        classes = classes.split()
    return "footnote-ref" in classes or "footnote-backref" in classes


# Markdown syntax whose characters never appear in rendered text: masked so alignment cannot land there.
_MASKS = [
    re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[ \t]*$", re.M | re.S),  # fenced code
    re.compile(r"<!--.*?-->", re.S),  # HTML comments
    re.compile(r"(`+)[^`].*?\1", re.S),  # inline code
    re.compile(r"!\[[^\]]*\](\([^)]*\)|\[[^\]]*\])"),  # images
    re.compile(r"\]\((?:[^()\s]|\([^)]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)"),  # link destinations
    re.compile(r"\]\[[^\]]*\]"),  # reference link labels
    re.compile(r"^ {0,3}\[[^\]^][^\]]*\]:.*$", re.M),  # reference definitions
    re.compile(r"\[\^[^\]]+\](?!:)"),  # footnote references
    re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"),  # HTML tags (not autolinks)
    re.compile(r"^[ \t]*[-=*_|: ]{3,}[ \t]*$", re.M),  # rules, setext underlines, table separators
]
_NEAR = 12  # visible source characters allowed between two rendered characters (Markdown syntax)
_RESYNC = 400  # how far to look for a block's text when confirmed by the characters that follow
_CONFIRM = 3


_NON_SPACE = re.compile(r"\S+")  # \s is exactly str.isspace()
_UNMASKED = re.compile(rb"\x00+")


def _visible_source(text: str, body_start: int) -> tuple[str, list[int]]:
    """The body's unmasked, non-space characters, and each one's raw offset."""
    masked = bytearray(len(text))
    for pattern in _MASKS:
        for match in pattern.finditer(text, body_start):
            masked[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    for match in re.finditer(r"<(https?://[^>\s]+)>", text[body_start:]):
        masked[body_start + match.start(1) : body_start + match.end(1)] = b"\x00" * len(match.group(1))
    positions: list[int] = []
    parts = []
    for run in _UNMASKED.finditer(masked, body_start):  # whole words at a time, not characters
        for word in _NON_SPACE.finditer(text, run.start(), run.end()):
            positions.extend(range(word.start(), word.end()))
            parts.append(word.group())
    return "".join(parts), positions


def _align(text: str, body_start: int, raw_blocks: list[_RawBlock]) -> list[Block]:
    """Map each rendered character to its raw offset by walking both in order.

    Rendered text is the source minus Markdown syntax, so each character is searched a few visible
    characters ahead; a character with no nearby match (an entity, generated text) gets -1 and the
    cursor stays, and a block whose start is further away is accepted only when the next characters agree.
    Where rendered and visible text run on alike (most of it), whole runs are mapped at once.
    """
    visible, positions = _visible_source(text, body_start)
    cursor = 0
    blocks = []
    for raw in raw_blocks:
        block_text = "".join(raw.parts)
        chars = "".join(block_text.split())  # the block's non-space characters
        mapped, cursor = _map_chars(chars, visible, positions, cursor)  # raw offset of each of them
        blocks.append(Block(raw.tag, block_text, _spread(block_text, mapped), raw.in_blockquote, raw.anchor))
    return blocks


_FIRST = 6  # characters of a non-prose text looked for to place it
_AHEAD = 100_000  # how far ahead of its prose block (characters) such a text is looked for
_BEHIND = 20_000  # and behind it (an abbreviation or link reference defined above its use)
_NEAR_PARAGRAPH = 2_000


def _align_extras(text: str, body_start: int, raw_extras: list[_RawBlock],
                  prose: dict[int, Block]) -> list[Block]:
    """Raw offsets for texts that are not prose (code, alt text, attributes), searched in the whole source:
    the masks that keep prose alignment off Markdown syntax hide exactly these. Each is looked for from the
    prose block it sits in (or follows), else before it; duplicates (an abbreviation's title on each use)
    are kept once."""
    if not raw_extras:
        return []
    source, positions = _raw_source(text, body_start)
    found: dict[tuple[str, str, tuple[int, ...]], Block] = {}
    last_anchor, cursor = -1, 0
    for raw in raw_extras:
        anchor_block = prose.get(id(raw.after)) if raw.after is not None else None
        anchor = anchor_block.start if anchor_block is not None and anchor_block.start >= 0 else body_start
        start = bisect.bisect_left(positions, anchor)
        if anchor == last_anchor:
            start = max(start, cursor)  # the next text in the same paragraph
        block_text = "".join(raw.parts)
        chars = "".join(block_text.split())
        probe = chars[:_FIRST]
        at = source.find(probe, start, start + _AHEAD)
        if at < 0:
            at = source.find(probe, max(0, start - _BEHIND), start)
        mapped, end = _map_chars(chars, source, positions, at if at >= 0 else start)
        # the next text of the same paragraph is looked for after this one, unless this one was found far off
        # (an abbreviation defined at the end of the post)
        last_anchor, cursor = anchor, (end if 0 <= at < start + _NEAR_PARAGRAPH else cursor)
        block = Block(raw.tag, block_text, _spread(block_text, mapped), raw.in_blockquote, None, raw.where)
        found.setdefault((block.where, block.text, block.offsets), block)
    return list(found.values())


def _raw_source(text: str, body_start: int) -> tuple[str, list[int]]:
    """The body's non-space characters, and each one's raw offset."""
    positions: list[int] = []
    parts = []
    for word in _NON_SPACE.finditer(text, body_start):
        positions.extend(range(word.start(), word.end()))
        parts.append(word.group())
    return "".join(parts), positions


def _map_chars(chars: str, visible: str, positions: list[int], cursor: int) -> tuple[list[int], int]:
    """:func:`_align`'s walk for one text: the raw offset of each of ``chars`` (or -1), and the cursor after."""
    mapped: list[int] = []
    n = 0
    while n < len(chars):
        same = _common_prefix(chars, n, visible, cursor)
        if same:
            mapped.extend(positions[cursor : cursor + same])
            n += same
            cursor += same
            continue
        found = visible.find(chars[n], cursor, cursor + _NEAR)
        if found < 0:
            found = _resync(visible, cursor, chars[n : n + _CONFIRM])
        if found >= 0:
            mapped.append(positions[found])
            cursor = found + 1
        else:
            mapped.append(-1)
        n += 1
    return mapped, cursor


def _spread(block_text: str, mapped: list[int]) -> tuple[int, ...]:
    """Offsets of the non-space characters ``mapped`` spread over ``block_text`` (-1 for its white space)."""
    offsets = [-1] * len(block_text)
    done = 0
    for word in _NON_SPACE.finditer(block_text):
        start, end = word.span()
        offsets[start:end] = mapped[done : done + end - start]
        done += end - start
    return tuple(offsets)


def _read_as_seen(blocks: Iterable[Block], disguises: list[Disguise]) -> Iterator[Block]:
    """Each block's text as a reader reads it (checks.normalise), offsets kept; disguises collected."""
    for block in blocks:
        text, offsets, found = normalise(block.text, block.offsets)
        disguises.extend(found)
        yield block if text == block.text and not found else replace(block, text=text, offsets=offsets)


# Tags in a front-matter value are dropped (a CMS renders them), entities read as the characters they name.
_VALUE_MARKUP = re.compile(r"<[A-Za-z/!][^<>]*>|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def front_matter_values(post: Post) -> Iterator[tuple[str, MetaField, str]]:
    """(key, field, text) of each front-matter text a reader sees: title, summary, byline, terms, slug and the
    reference titles, one per list item."""
    for key in (*META_TEXTS, "references"):
        spot = post.meta_fields.get(key)
        value = post.meta.get(key)
        if spot is None or value is None:
            continue
        items = value if isinstance(value, list) else [value]
        if key == "references":
            items = [item.get("title") for item in items if isinstance(item, dict)]
        yield from ((key, spot, item) for item in items if isinstance(item, str) and item.strip())


def _front_matter_texts(post: Post) -> list[Block]:
    """The front-matter texts a reader sees, each character placed in the YAML source (an escape such as \u200b,
    which has no single source character, gets -1)."""
    found = []
    cursors: dict[str, int] = {}  # a list's items are placed one after the other within its field
    for key, spot, item in front_matter_values(post):
        offsets, cursors[key] = _place_value(post.text, item, cursors.get(key, spot.value_start), spot.value_end)
        shown, index = _without_markup(item)
        found.append(Block(key, shown, tuple(offsets[i] for i in index), where=key))
    return found


def _place_value(text: str, value: str, start: int, end: int) -> tuple[list[int], int]:
    offsets = []
    cursor = start
    for char in value:
        at = -1 if char.isspace() else text.find(char, cursor, min(end, cursor + _NEAR + 4))
        offsets.append(at)
        cursor = at + 1 if at >= 0 else cursor
    return offsets, cursor


def _without_markup(value: str) -> tuple[str, list[int]]:
    """``value`` with tags dropped and entities decoded, and the index in ``value`` of each character."""
    chars: list[str] = []
    index: list[int] = []
    done = 0
    for match in _VALUE_MARKUP.finditer(value):
        chars.extend(value[done : match.start()])
        index.extend(range(done, match.start()))
        if not match.group().startswith("<"):
            decoded = html.unescape(match.group())
            chars.extend(decoded)
            index.extend([match.start()] * len(decoded))
        done = match.end()
    chars.extend(value[done:])
    index.extend(range(done, len(value)))
    return "".join(chars), index


def _common_prefix(a: str, i: int, b: str, j: int) -> int:
    """Length of the common prefix of ``a[i:]`` and ``b[j:]`` (compared in slices, not characters)."""
    limit = min(len(a) - i, len(b) - j)
    if a[i : i + limit] == b[j : j + limit]:
        return limit
    low, high = 0, limit  # a[i:i+low] == b[j:j+low], a[i:i+high] != b[j:j+high]
    step = 16  # mismatches are usually near: gallop before bisecting
    while step < high and a[i : i + step] == b[j : j + step]:
        low, step = step, step * 2
    high = min(high, step)
    while high - low > 1:
        middle = (low + high) // 2
        if a[i : i + middle] == b[j : j + middle]:
            low = middle
        else:
            high = middle
    return low


def _resync(visible: str, cursor: int, needle: str) -> int:
    return visible.find(needle, cursor, cursor + _RESYNC + len(needle))


def _locate_links(text: str, body_start: int, tags: list[_Node]) -> list[Link]:
    """Links and images (``tags``, in document order) with the raw offsets of their targets."""
    links = []
    cursor = body_start
    decoded: list[Decoded] = []  # the source with entities decoded, made when a target is not found as written
    for tag in tags:
        if _is_footnote_marker(tag):
            continue
        if tag.name == "a":
            target, label, kind = tag.get("href"), tag.text(), "link"
        else:
            target, label, kind = tag.get("src"), tag.get("alt") or "", "image"
        if not target:
            continue
        target = str(target)
        at, end = find_encoded(text, target, cursor, decoded)  # as written, or spelled with entities (java&#x73;cript:)
        if at < 0:
            at = text.find(label, cursor) if label else -1
            end = at + len(label)
        if at < 0:
            at, end = cursor, cursor
        else:
            cursor = end
        links.append(Link(kind, target, str(label), at, end))
    return links

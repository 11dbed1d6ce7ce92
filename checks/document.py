"""Parse a post's bytes into the model every check reads.

markdown-it-py reads the body (checks.markdown_body): every block token knows its source lines, so a text's
characters are found inside its own block's lines and findings carry positions in the Markdown source, never
in rendered HTML. Python-Markdown renders the HTML that publishing writes (:attr:`Post.html`);
tests/test_parse_agreement.py holds the two parsers to the same block structure.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import frontmatter
import markdown
import yaml
from bs4 import BeautifulSoup
from bs4.exceptions import ParserRejectedMarkup

from checks import speedups
from checks.anchors import unique_anchors
from checks.markdown_body import HEADING_TAGS, TooDeep, read_body
from checks.normalise import Disguise, normalise
from checks.rawhtml import Markup, active_markup, unclosed_markup
from checks.render_guard import may_stall_rendering
from checks.source import SourceMap

DEFAULT_MAX_BYTES = 1_000_000
MARKDOWN_EXTENSIONS = ("extra", "sane_lists")

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
        return str(_rendered(self.text[self.body_start :])) if self.readable and self.text else ""

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
        except (RecursionError, TooDeep, ParserRejectedMarkup) as err:  # nested too deep; HTML the parser refuses
            forget_converters()  # a conversion stopped half-way leaves a converter its reset() does not mend
            problems.append(_unreadable_structure(err, post.source.position(post.body_start + 1)[0]))
    post.problems = tuple(problems)
    return post


def _unreadable_structure(err: Exception, body_line: int) -> LoadProblem:
    why = ("it nests lists, quotes or HTML elements too deeply to read" if isinstance(err, RecursionError | TooDeep)
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
# The body: read by markdown-it-py (checks.markdown_body) for the checks; rendered by Python-Markdown for
# publishing only (Post.html)

_local = threading.local()


def _converter() -> markdown.Markdown:
    """A Markdown converter with the extensions publishing renders with."""
    return markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS))


def forget_converters() -> None:
    """Drop this thread's Markdown converters (a conversion stopped half-way, by a time budget, may have left
    one in a state its reset() does not undo); the next post builds new ones."""
    _local.__dict__.clear()


def render_markdown(body: str) -> str:
    """Markdown to HTML with the extensions medpress supports (one converter per thread)."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = _converter()
    converter.reset()
    return converter.convert(body)


def _rendered(body: str) -> BeautifulSoup:
    """The body rendered, with an id on every heading that has none (as links to #anchors expect)."""
    soup = BeautifulSoup(render_markdown(body), "html.parser")
    headings = soup.find_all(HEADING_TAGS)
    for heading, anchor in zip(headings, unique_anchors(h.get_text() for h in headings), strict=True):
        if not heading.get("id"):
            heading["id"] = anchor
    return soup


def _render_body(post: Post) -> None:
    # Publishing renders the body with Python-Markdown: a body it could fail on (nested too deep) or render only
    # after minutes ('[' * 16000) is rendered here once, under the post's time budget, so it is FM017 or FM015
    # at review rather than a stall at publishing. Ordinary bodies render in milliseconds: not rendered here.
    if may_stall_rendering(post.text[post.body_start :]):
        render_markdown(post.text[post.body_start :])
    body = read_body(post.text, post.body_start)
    post.anchors = frozenset(body.anchors)
    prose = [Block(t.tag, t.text, tuple(t.offsets), t.in_blockquote, t.anchor) for t in body.blocks]
    extras: dict[tuple[str, str, tuple[int, ...]], Block] = {}  # an abbreviation's title on each use: once
    for t in body.extras:
        block = Block(t.tag, t.text, tuple(t.offsets), t.in_blockquote, None, t.where)
        extras.setdefault((block.where, block.text, block.offsets), block)
    disguises: list[Disguise] = []
    post.blocks = tuple(_read_as_seen(prose, disguises))
    post.extras = tuple(_read_as_seen([*_front_matter_texts(post), *extras.values()], disguises))
    post.disguises = tuple(disguises)
    post.links = tuple(Link(*link) for link in body.links)
    post.markup = tuple(sorted([*active_markup(post.text, post.body_start, body.tags),
                                *unclosed_markup(post.text, post.body_start, body.raw_html)],
                               key=lambda m: m.start))


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
        at = -1 if char.isspace() else text.find(char, cursor, min(end, cursor + 16))
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



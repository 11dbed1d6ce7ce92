"""Every speed-up whose answer must equal a plainer path's, in one place, behind one switch.

``MEDPRESS_SPEEDUPS=0`` (read once, here, at import) runs the plain path: public APIs only, and the reference
that tests/test_speedups.py compares the fast path with, byte for byte. What each one buys (CPU ms per post,
parse + per-post checks of 300 generated posts, 11.1 ms with all of them; bench/README.md has the run):

* :func:`required_literals` (+2.0 ms without it, with the inline gate below): the literals every match of a
  pattern must hold, read from ``re``'s own parser (``re._parser``, private: there is no public one). Every
  policy pattern goes through ``checks.prefilter.compile_pattern``, which asks here; plain path: no literals,
  every pattern is always run.
* :func:`gate_inline_pass` (+0.5 ms): Python-Markdown's inline pass skips a text none of its patterns can
  match (those literals again), through its public ``AtomicString``; plain path: every text goes through it.
* :func:`tree_reader` (+1.5 ms): a post is read from Python-Markdown's finished element tree when that
  reads exactly as its HTML would, instead of BeautifulSoup parsing the HTML; plain path: always the HTML.
* :func:`compose_plain_yaml` (+0.75 ms): libyaml reads front matter in a plain subset of YAML on which it
  agrees with PyYAML's pure-Python parser; plain path: always the pure-Python parser (its error messages and
  marks are the ones reported anyway).

flows/engine/workers.py starts the worker processes' fork server early only when :data:`ENABLED`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol
from xml.etree.ElementTree import Element

import markdown
import yaml
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

ENABLED: bool = os.environ.get("MEDPRESS_SPEEDUPS", "1").strip() != "0"

Needed = frozenset[str]  # a match contains (lower-cased) at least one of these


# ---------------------------------------------------------------------------------------------------
# Literals every match of a pattern holds, read from re's own parse tree


def required_literals(pattern: re.Pattern[str]) -> Needed | None:
    """Lower-case strings one of which every match of ``pattern`` contains (lower-cased), or None when the
    pattern promises no such strings, cannot be read, or speed-ups are off."""
    if not ENABLED:
        return None
    try:
        from re import _constants as sre  # type: ignore[attr-defined]  # re's own parser (Python 3.11+)
        from re import _parser  # type: ignore[attr-defined]

        tree = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # a parser of another Python version: no gate, never a wrong one
        return None
    return _sequence(sre, list(tree))


def given_literals(need: Needed | None) -> Needed | None:
    """Literals a caller knows every match holds (a pattern of hundreds of names costs more to read than its
    gate saves), or None with speed-ups off."""
    return need if ENABLED else None


def _sequence(sre: Any, items: list[tuple[Any, Any]]) -> Needed | None:
    """What a run of items in order needs: the most selective need of any one of them (each must match)."""
    best: Needed | None = None
    run: list[str] = []

    def consider(need: Needed | None) -> None:
        nonlocal best
        if need and all(need) and (best is None or _selectivity(need) > _selectivity(best)):
            best = need

    for op, av in items:
        if op is sre.LITERAL and isinstance(av, int) and av < 128:
            run.append(chr(av).lower())  # consecutive literals match consecutive characters
            continue
        consider(frozenset({"".join(run)}) if run else None)
        run = []
        consider(_item(sre, op, av))
    consider(frozenset({"".join(run)}) if run else None)
    return best


def _item(sre: Any, op: Any, av: Any) -> Needed | None:
    repeats = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}
    if op is sre.SUBPATTERN:  # (group, add_flags, del_flags, contents): flags only change case, and we lower all
        return _sequence(sre, list(av[3]))
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _sequence(sre, list(av))
    if op is sre.BRANCH:  # one alternative matches: the need is the union of theirs, if each has one
        needs = [_sequence(sre, list(alternative)) for alternative in av[1]]
        return frozenset().union(*needs) if all(needs) else None
    if op in repeats and av[0] >= 1:  # (min, max, item) repeated at least once
        return _sequence(sre, list(av[2]))
    if op is sre.ASSERT:  # a positive lookaround: its text is in the searched text too, next to the match
        return _sequence(sre, list(av[1]))
    if op is sre.IN and all(kind is sre.LITERAL and char < 128 for kind, char in av):
        return frozenset(chr(char).lower() for _, char in av)  # [*_]: one of these
    return None  # other classes, anchors, negative lookarounds, back-references: nothing certain


def _selectivity(need: Needed) -> tuple[int, int]:
    """Longer shortest string first (fewer texts hold it), then fewer strings."""
    return min(map(len, need)), -len(need)


# ---------------------------------------------------------------------------------------------------
# Python-Markdown: the inline pass gated, the finished tree kept (public extension API only)


class Gate(Protocol):
    def may_match(self, text: str) -> bool: ...


def gate_inline_pass(converter: markdown.Markdown,
                     gate_for: Callable[[Iterable[re.Pattern[str]]], Gate | None]) -> None:
    """Python-Markdown tries each of its inline patterns on every text of the tree, a Python call each. A text
    holding none of the literals those patterns need cannot match any, and the pass would hand it back as it
    is: it is marked an ``AtomicString`` (which the pass skips) just before the pass, and made a plain string
    again just after it. The same tree, byte for byte."""
    if ENABLED:
        marked: list[tuple[Element, str, str]] = []
        converter.treeprocessors.register(_MarkPlain(converter, gate_for, marked), "medpress-mark-plain", 20.5)
        converter.treeprocessors.register(_UnmarkPlain(converter, marked), "medpress-unmark-plain", 19.5)


class _MarkPlain(Treeprocessor):
    def __init__(self, md: markdown.Markdown, gate_for: Callable[[Iterable[re.Pattern[str]]], Gate | None],
                 marked: list[tuple[Element, str, str]]) -> None:
        super().__init__(md)
        self.gate_for, self.marked = gate_for, marked
        self.known: tuple[tuple[int, ...], Gate | None] = ((), None)

    def run(self, root: Element) -> None:
        self.marked.clear()
        patterns = list(self.md.inlinePatterns)  # an extension may add some while converting
        key = tuple(map(id, patterns))
        if self.known[0] != key:
            self.known = (key, self.gate_for(p.getCompiledRegExp() for p in patterns))
        gate = self.known[1]
        if gate is None:
            return
        for element in root.iter():
            if element is root:
                continue
            for where in ("text", "tail"):
                text = getattr(element, where)
                if text and not isinstance(text, AtomicString) and not gate.may_match(text):
                    setattr(element, where, AtomicString(text))
                    self.marked.append((element, where, text))


class _UnmarkPlain(Treeprocessor):
    def __init__(self, md: markdown.Markdown, marked: list[tuple[Element, str, str]]) -> None:
        super().__init__(md)
        self.marked = marked

    def run(self, root: Element) -> None:
        for element, where, text in self.marked:
            value = getattr(element, where)
            if isinstance(value, AtomicString) and value == text:
                setattr(element, where, text)
        self.marked.clear()


class TreeKept(Exception):
    """Raised at the end of the tree processors: ``tree`` is the finished tree when it reads as its HTML
    would (no serialising needed), else None."""

    def __init__(self, tree: Element | None) -> None:
        self.tree = tree


class _KeepRoot(Treeprocessor):
    """Runs after every other tree processor, on the tree the serialiser would get, and stops the conversion."""

    def __init__(self, md: markdown.Markdown, reads_as_html: Callable[[Element], bool]) -> None:
        super().__init__(md)
        self.reads_as_html = reads_as_html

    def run(self, root: Element) -> None:
        raise TreeKept(root if self.reads_as_html(root) else None)


def tree_reader(make_converter: Callable[[], markdown.Markdown],
                reads_as_html: Callable[[Element], bool]) -> markdown.Markdown | None:
    """A converter that stops after its tree processors (see :func:`finished_tree`); None with speed-ups off."""
    if not ENABLED:
        return None
    converter = make_converter()
    converter.treeprocessors.register(_KeepRoot(converter, reads_as_html), "medpress-keep-root", -1)
    return converter


def finished_tree(converter: markdown.Markdown | None, body: str) -> Element | None:
    """The body's finished element tree when it reads exactly as its HTML would, else None (always None when
    speed-ups are off: the HTML is read). ``converter`` comes from :func:`tree_reader`."""
    if converter is None:
        return None
    converter.reset()
    try:
        converter.convert(body)
    except TreeKept as kept:
        return kept.tree
    return None


# ---------------------------------------------------------------------------------------------------
# libyaml for plain front matter

# libyaml composes front matter 15x faster than PyYAML's pure-Python parser, but the two disagree at the
# edges: libyaml accepts "[? x, a:b]", "|#" and tabs where PyYAML fails, and resolves a bare "!" differently.
# So libyaml only reads front matter in a plain subset, on which both were fuzzed to agree: "key: value" and
# "- value" lines, plain words, quoted text without escapes, flow lists of those, whole-line comments.
_LIBYAML = getattr(yaml, "CSafeLoader", None) if ENABLED else None
_TEXT = r"[^\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff"  # printable, open class
_QUOTED = rf'"{_TEXT}"\\]*"|\'{_TEXT}\']*\''
_PLAIN = r"[A-Za-z0-9_(](?:[A-Za-z0-9 _(),./;+=-]*[A-Za-z0-9_(),./;+=-])?"
_ITEM = rf"[A-Za-z0-9_(](?:[A-Za-z0-9 _()./;+=-]*[A-Za-z0-9_()./;+=-])?|{_QUOTED}"
_VALUE = rf"{_PLAIN}|{_QUOTED}|\[ *(?:(?:{_ITEM})(?: *, *(?:{_ITEM}))*)? *\]"
_LINE = rf" *(?:(?:- +)?[A-Za-z_][A-Za-z0-9_-]*:(?: +(?:{_VALUE}))?|- +(?:{_VALUE})|#{_TEXT}]*)? *"
PLAIN_FRONT_MATTER = re.compile(rf"(?:{_LINE}\n)*(?:{_LINE})?")


def plain_yaml_loader(resolvers: dict[Any, Any]) -> type | None:
    """libyaml's loader with these implicit resolvers; None without libyaml or with speed-ups off."""
    if _LIBYAML is None:
        return None
    loader = type("FrontMatterCLoader", (_LIBYAML,), {})
    loader.yaml_implicit_resolvers = resolvers
    return loader


def compose_plain_yaml(loader: type | None, source: str) -> tuple[yaml.Node | None, Any] | None:
    """Node and data of plain front matter read by ``loader`` (from :func:`plain_yaml_loader`); None when the
    pure-Python loader must read it (no libyaml, speed-ups off, not plain, or invalid: its error messages and
    marks are the ones reported)."""
    if loader is None or not PLAIN_FRONT_MATTER.fullmatch(source):
        return None
    reading = loader(source)
    try:
        node = reading.get_single_node()
        return node, reading.construct_document(node) if node is not None else {}
    except yaml.YAMLError:
        return None
    finally:
        reading.dispose()

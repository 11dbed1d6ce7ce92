"""Every speed-up whose answer must equal a plainer path's, in one place, behind one switch.

``MEDPRESS_SPEEDUPS=0`` (read once, here, at import) runs the plain path: public APIs only, and the reference
that tests/test_speedups.py compares the fast path with, byte for byte. What each one buys (CPU ms per post,
parse + per-post checks of 300 generated posts; bench/README.md has the run). The two Python-Markdown
speed-ups (its inline pass gated, its element tree read instead of the HTML) went with the parse they sped up:
checks read the body with markdown-it-py (checks.markdown_body), which needs neither.

* :func:`required_literals` (+2.0 ms without it): the literals every match of a
  pattern must hold, read from ``re``'s own parser (``re._parser``, private: there is no public one). Every
  policy pattern goes through ``checks.prefilter.compile_pattern``, which asks here; plain path: no literals,
  every pattern is always run.
* :func:`compose_plain_yaml` (+0.75 ms): libyaml reads front matter in a plain subset of YAML on which it
  agrees with PyYAML's pure-Python parser; plain path: always the pure-Python parser (its error messages and
  marks are the ones reported anyway).

flows/engine/workers.py starts the worker processes' fork server early only when :data:`ENABLED`.
"""

from __future__ import annotations

import os
import re
from typing import Any

import yaml

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

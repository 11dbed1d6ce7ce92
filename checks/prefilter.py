"""A cheap necessary test in front of a policy pattern: the literal text every match of it must contain.

The claim language, the disclaimer signals and the fact patterns are case-insensitive alternations whose
alternatives start with ``\\b``: Python's ``re`` then tries every alternative at every position of a sentence
(8-9 µs a sentence). Nearly every alternative spells out some letters ("approv", "treat", "fda"). When the
lower-cased sentence holds none of them no alternative can match, and a search for those plain strings
(case-sensitive, so ``re`` jumps to the letters that can start one) says so in under 2 µs.

The strings are read from the pattern's own parse tree, so whatever pattern a policy file gives is gated
exactly: a text the gate turns away cannot match the pattern. A pattern with an alternative that needs no
certain letters (``\\w+``, a character class) gets no gate and is always run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from re import _constants as sre  # type: ignore[attr-defined]  # re's own parser (Python 3.11+)
from re import _parser  # type: ignore[attr-defined]

from checks.text import literal_alternation

# Characters outside ASCII that ``re.IGNORECASE`` matches to an ASCII letter while ``str.lower`` does not turn
# them into it (İ, ı: i; ſ: s). The gate reads the lower-cased text, so a text holding one is never turned away.
# tests/test_prefilter.py derives this set from the running Python's ``re`` over all of Unicode.
UNFOLDED = "\u0130\u0131\u017f"
_UNFOLDED = re.compile(f"[{UNFOLDED}]")
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}

Needed = frozenset[str]  # a match contains (lower-cased) at least one of these


def required_literals(pattern: re.Pattern[str]) -> Needed | None:
    """Lower-case strings one of which every match of ``pattern`` contains (lower-cased), or None when the
    pattern promises no such strings (or cannot be read)."""
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # a parser of another Python version: no gate, never a wrong one
        return None
    return _sequence(list(tree))


def _sequence(items: list[tuple[object, object]]) -> Needed | None:
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
        consider(_item(op, av))
    consider(frozenset({"".join(run)}) if run else None)
    return best


def _item(op: object, av: object) -> Needed | None:
    if op is sre.SUBPATTERN:  # (group, add_flags, del_flags, contents): flags only change case, and we lower all
        return _sequence(list(av[3]))  # type: ignore[index]
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _sequence(list(av))  # type: ignore[call-overload]
    if op is sre.BRANCH:  # one alternative matches: the need is the union of theirs, if each has one
        needs = [_sequence(list(alternative)) for alternative in av[1]]  # type: ignore[index]
        return frozenset().union(*needs) if all(needs) else None
    if op in _REPEATS and av[0] >= 1:  # type: ignore[index]  # (min, max, item) repeated at least once
        return _sequence(list(av[2]))  # type: ignore[index]
    if op is sre.ASSERT:  # a positive lookaround: its text is in the searched text too, next to the match
        return _sequence(list(av[1]))  # type: ignore[index]
    if op is sre.IN and all(kind is sre.LITERAL and char < 128 for kind, char in av):  # type: ignore[attr-defined]
        return frozenset(chr(char).lower() for _, char in av)  # type: ignore[misc]  # [*_]: one of these
    return None  # other classes, anchors, negative lookarounds, back-references: nothing certain


def _selectivity(need: Needed) -> tuple[int, int]:
    """Longer shortest string first (fewer texts hold it), then fewer strings."""
    return min(map(len, need)), -len(need)


class LiteralGate:
    """False only for a text that holds, lower-cased, none of the strings ``need``."""

    __slots__ = ("_regex",)

    def __init__(self, need: Needed) -> None:
        self._regex = re.compile(literal_alternation(sorted(need, key=len, reverse=True)))

    def may_match(self, text: str, lower: str | None = None) -> bool:
        """``lower``: ``text.lower()`` when the caller has it (many gates asked of one sentence)."""
        if self._regex.search(text.lower() if lower is None else lower) is not None:
            return True
        return not text.isascii() and _UNFOLDED.search(text) is not None  # lower() turns İ into "i" + a dot


def gate_for(patterns: Iterable[re.Pattern[str]]) -> LiteralGate | None:
    """A gate that lets through every text any of ``patterns`` can match; None when one of them promises no
    literal text."""
    needs = [required_literals(pattern) for pattern in patterns]
    if not needs or not all(needs):
        return None
    return LiteralGate(frozenset().union(*needs))  # type: ignore[arg-type]


class Gated:
    """``pattern`` with its literal gate: ``search`` and ``finditer`` answer exactly as the pattern's own."""

    __slots__ = ("_gate", "regex")

    def __init__(self, pattern: re.Pattern[str], need: Needed | None = None, *, read: bool = True) -> None:
        """``need``: lower-case ASCII strings one of which every match holds, when the caller knows them; else
        they are read from the pattern, unless ``read`` is False (no gate: the pattern is always run)."""
        self.regex = pattern
        self._gate = LiteralGate(need) if need else gate_for([pattern]) if read else None

    def may_match(self, text: str, lower: str | None = None) -> bool:
        """False only when ``text`` cannot hold a match (``lower``: ``text.lower()`` when the caller has it)."""
        return self._gate is None or self._gate.may_match(text, lower)

    def search(self, text: str, lower: str | None = None) -> re.Match[str] | None:
        """``lower``: ``text.lower()``, when the caller asks many gated patterns of one text."""
        if self._gate is not None and not self._gate.may_match(text, lower):
            return None
        return self.regex.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text) if self.may_match(text) else iter(())


def gated(pattern: re.Pattern[str] | None) -> Gated | None:
    return Gated(pattern) if pattern is not None else None

"""Every policy pattern is compiled here, with a cheap necessary test in front: the literal text any match holds.

The claim language, the disclaimer signals and the fact patterns are case-insensitive alternations whose
alternatives start with ``\\b``: Python's ``re`` then tries every alternative at every position of a sentence
(8-9 µs a sentence). Nearly every alternative spells out some letters ("approv", "treat", "fda"). When the
lower-cased sentence holds none of them no alternative can match, and a search for those plain strings
(case-sensitive, so ``re`` jumps to the letters that can start one) says so in under 2 µs.

:func:`compile_pattern` is the one entry point (as Vale gives every compiled expression its required literals):
the literals are read from the pattern's own parse tree (``checks.speedups.required_literals``), so whatever
pattern a policy file gives is gated exactly: a text the gate turns away cannot match the pattern. A pattern
with an alternative that needs no certain letters (``\\w+``, a character class) gets no gate and is always run,
and so does every pattern when speed-ups are off (``MEDPRESS_SPEEDUPS=0``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from checks.speedups import Needed, given_literals, required_literals

__all__ = ["UNFOLDED", "Gated", "LiteralGate", "LiteralScan", "Needed", "compile_pattern", "gate_for", "gated",
           "literal_alternation", "may_match_held", "required_literals"]

# Characters outside ASCII that ``re.IGNORECASE`` matches to an ASCII letter while ``str.lower`` does not turn
# them into it (İ, ı: i; ſ: s). The gate reads the lower-cased text, so a text holding one is never turned away.
# tests/test_prefilter.py derives this set from the running Python's ``re`` over all of Unicode.
UNFOLDED = "\u0130\u0131\u017f"
_UNFOLDED = re.compile(f"[{UNFOLDED}]")


def literal_alternation(words: Sequence[str]) -> str:
    """Regex source matching exactly what ``"|".join(map(re.escape, words))`` matches, as a prefix tree.

    A plain alternation of hundreds of names tries every one at each word start. The tree tries only the
    branch for the next letter, and keeps the order that decides which alternative wins: ``words`` must list
    every word before its own prefixes (longest first does). For case-insensitive patterns: where a non-ASCII
    letter comes next (case folding could let one text character enter two branches) the plain form is kept.
    """
    if any(not w[:1].isascii() and w[:1].lower() + w[:1].upper() != w[:1] * 2 for w in words):
        return "|".join(re.escape(w) for w in words)
    branches: dict[str, list[str]] = {}
    for word in words:
        branches.setdefault(word[:1].lower(), []).append(word)
    parts = []
    for first, group in branches.items():
        if not first:
            continue
        if len(group) == 1:
            parts.append(re.escape(group[0]))
        else:
            parts.append(f"{re.escape(group[0][0])}(?:{literal_alternation([w[1:] for w in group])})")
    if "" in branches:
        parts.append("")  # a word that ends here: after every longer one, as in the plain alternation
    return "|".join(parts)


# Up to this many strings a gate tests each with ``in`` (0.3 µs for 8 in a sentence); more, one search of their
# alternation (1.5 µs for 8 or 17, about as fast for 300: it tries only the branch of the letter it reads).
_FEW = 10


class LiteralGate:
    """False only for a text that holds, lower-cased, none of the strings ``need``."""

    __slots__ = ("_regex", "_words", "need")

    def __init__(self, need: Needed) -> None:
        self.need = frozenset(need)
        ordered = sorted(need, key=len, reverse=True)
        self._words = tuple(ordered) if len(ordered) <= _FEW else None
        self._regex = None if self._words is not None else re.compile(literal_alternation(ordered))

    def may_match(self, text: str, lower: str | None = None) -> bool:
        """``lower``: ``text.lower()`` when the caller has it (many gates asked of one sentence)."""
        low = text.lower() if lower is None else lower
        if self._words is not None:
            for word in self._words:
                if word in low:
                    return True
        elif self._regex.search(low) is not None:  # type: ignore[union-attr]
            return True
        return not text.isascii() and _UNFOLDED.search(text) is not None  # lower() turns İ into "i" + a dot


def gate_for(patterns: Iterable[re.Pattern[str]]) -> LiteralGate | None:
    """A gate that lets through every text any of ``patterns`` can match; None when one of them promises no
    literal text (or speed-ups are off)."""
    needs = [required_literals(pattern) for pattern in patterns]
    if not needs or not all(needs):
        return None
    return LiteralGate(frozenset().union(*needs))  # type: ignore[arg-type]


class Gated:
    """A pattern with its literal gate: ``search`` and ``finditer`` answer exactly as the pattern's own. Made by
    :func:`compile_pattern`."""

    __slots__ = ("_gate", "regex")

    def __init__(self, pattern: re.Pattern[str], need: Needed | None = None, *, read: bool = True) -> None:
        self.regex = pattern
        need = given_literals(need)
        self._gate = LiteralGate(need) if need else gate_for([pattern]) if read else None

    @property
    def need(self) -> Needed | None:
        """The strings one of which (lower-cased) a text must hold to match; None: the pattern is always run."""
        return self._gate.need if self._gate is not None else None

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


def compile_pattern(pattern: str | re.Pattern[str], flags: int = re.IGNORECASE, *, need: Needed | None = None,
                    read: bool = True) -> Gated:
    """``pattern`` (source, compiled with ``flags``, or already compiled) with its literal gate. ``need``:
    lower-case ASCII strings one of which every match holds, when the caller knows them (a pattern of hundreds
    of names costs more to read than its gate saves); ``read=False``: no gate, the pattern is always run."""
    compiled = pattern if isinstance(pattern, re.Pattern) else re.compile(pattern, flags)
    return Gated(compiled, need, read=read)


def gated(pattern: re.Pattern[str] | None) -> Gated | None:
    """:func:`compile_pattern` of an optional pattern."""
    return compile_pattern(pattern) if pattern is not None else None


class LiteralScan:
    """Which of many gates' strings a text holds, found in one pass: a sentence asked of dozens of phrase gates
    (the claims check's phrase lists) is read once instead of once a gate, and each gate's answer is then a set
    test that equals its own :meth:`LiteralGate.may_match`."""

    __slots__ = ("_prefixes", "_regex")

    def __init__(self, needs: Iterable[Needed]) -> None:
        words = sorted(frozenset().union(*needs), key=len, reverse=True)
        known = set(words)
        # at each position the prefix tree finds the longest string starting there; the shorter ones starting
        # there are its prefixes
        self._prefixes = {w: frozenset(w[:i] for i in range(1, len(w) + 1) if w[:i] in known) for w in words}
        self._regex = re.compile(f"(?=({literal_alternation(words)}))") if words else None

    def held(self, text: str, lower: str | None = None) -> frozenset[str] | None:
        """The strings ``text`` holds lower-cased; None when every gate must let it through (İ, ı, ſ)."""
        if not text.isascii() and _UNFOLDED.search(text) is not None:
            return None
        if self._regex is None:
            return frozenset()
        prefixes = self._prefixes
        return frozenset().union(*(prefixes[m.group(1)] for m in self._regex.finditer(
            text.lower() if lower is None else lower)))


def may_match_held(gate: Gated | None, held: frozenset[str] | None) -> bool:
    """:meth:`Gated.may_match` from what :meth:`LiteralScan.held` found (the scan read every need of ``gate``)."""
    need = gate.need if gate is not None else None
    return need is None or held is None or not need.isdisjoint(held)

"""Negation scope for claim phrases (issue 16, kind 2): a verb's negation covers the clause it governs, not a fixed
window of words. "It doesn't guarantee permanent removal" and "PRP is not a permanent fix" promise nothing;
"this leaflet does not assure that the product is safe" asserts no safety. Rule-based and cheap: it runs only for a
phrase that already matched."""

from __future__ import annotations

import re

# where a clause starts: punctuation, a dash, or a conjunction that turns the sentence ("not cheap but safe")
# ("Since it is not made from animals, there is minimal risk": the comma ends the clause "not" governs)
_CLAUSE_START = re.compile(r"[.,;:!?()\n]|\s[-–—]\s|\b(?:but|although|though|however|whereas)\b", re.IGNORECASE)
# a negated or merely apparent predicate: "not", "doesn't", "never", "cannot", "neither ... nor", "might seem like"
# ("no" and "without" negate a noun - "no downtime, permanent results" - so they are not here)
_NEGATOR = re.compile(r"\b(?:not|never|cannot|neither|nor)\b|n[’']t\b|\b(?:may|might|could) (?:seem|look|sound)\b",
                      re.IGNORECASE)


def _clause_begin(text: str, start: int) -> int:
    """Where the clause holding ``text[start]`` begins."""
    begin = 0
    for match in _CLAUSE_START.finditer(text, 0, start):
        begin = match.end()
    return begin


def negated(text: str, start: int) -> bool:
    """True when the clause holding ``text[start]`` negates its predicate before ``start``."""
    return bool(_NEGATOR.search(text, _clause_begin(text, start), start))


# "find out if it is the best option for you": a condition or a question in the clause asks, it does not claim
_CONDITIONAL = re.compile(r"\b(?:if|whether)\b", re.IGNORECASE)
# "one may work better than the other for some people": no product is said to be the better one
_NEITHER_NAMED = re.compile(r"\s*(?:the other|another)\b", re.IGNORECASE)


def no_comparison(text: str, start: int, end: int) -> bool:
    """True when a comparative phrase at ``text[start:end]`` claims nothing: negated or asked about in its
    clause ("whether it is better than ..."), or between two unnamed ones ("one ... better than the other")."""
    begin = _clause_begin(text, start)
    return bool(_NEGATOR.search(text, begin, start) or _CONDITIONAL.search(text, begin, start)
                or _NEITHER_NAMED.match(text, end))

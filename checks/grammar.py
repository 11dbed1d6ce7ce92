"""grammar: LanguageTool's matches on the prose of a post, mapped back to the Markdown source.

Pure: this module turns a post into *paragraphs* of LanguageTool annotated text and turns the
server's matches (fetched by ``flows.services.languagetool``) into findings. Each paragraph is one rendered block;
its annotation is the block's raw source range, where characters that are not prose (Markdown marks,
link targets, inline code, line-continuation indents) are ``markup``. LanguageTool counts offsets over
text and markup alike, so a match maps straight back to a raw offset.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from checks.document import Post
from checks.model import Finding, Rule, Severity, finding
from checks.policy import Policy

CHECK = "grammar"
RULE_PREFIX = "GR-"

_HEAD = "---\ntitle: Botox basics\nslug: botox-basics\ndate: 2024-05-01\n---\n"

UNAVAILABLE = Rule(
    "GR000", "grammar-unavailable", CHECK, Severity.ERROR,
    "A grammar check that could not run must never pass silently.",
    _HEAD + "Any post, reviewed while the LanguageTool server is down.\n",
    _HEAD + "Any post, reviewed while the LanguageTool server answers.\n",
)
RULES = (UNAVAILABLE,)

# What a LanguageTool rule family means, for `medpress explain GR-...` and the reports.
FAMILY_RATIONALE = ("LanguageTool rule {rule}: typos and grammar slips undermine a medical post's credibility "
                    "and can change its meaning; the severity follows the policy's grammar.severity mapping.")


@dataclass(frozen=True)
class Piece:
    """``length`` characters at ``annotated`` in the annotated text are raw offsets from ``raw``."""

    annotated: int
    raw: int
    length: int


@dataclass(frozen=True)
class Paragraph:
    """One block as annotated text: what is sent to LanguageTool and how to map matches back."""

    annotation: tuple[dict[str, str], ...]
    pieces: tuple[Piece, ...]
    length: int  # of the annotated text, in Python characters

    @property
    def key_material(self) -> str:
        return json.dumps(self.annotation, ensure_ascii=False, sort_keys=True)

    def to_raw(self, offset: int) -> int | None:
        for piece in self.pieces:
            if piece.annotated <= offset < piece.annotated + piece.length:
                return piece.raw + offset - piece.annotated
        return None


@dataclass(frozen=True)
class Match:
    """A LanguageTool match relative to its paragraph (Python character offsets)."""

    offset: int
    length: int
    rule_id: str
    category: str
    issue_type: str
    message: str
    replacements: tuple[str, ...] = ()
    context: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any], offset: int) -> Match:
        rule = data.get("rule") or {}
        return cls(offset=offset, length=int(data.get("length", 0)), rule_id=str(rule.get("id", "UNKNOWN")),
                   category=str((rule.get("category") or {}).get("id", "MISC")),
                   issue_type=str(rule.get("issueType", "uncategorized")), message=str(data.get("message", "")),
                   replacements=tuple(str(r.get("value", "")) for r in (data.get("replacements") or [])[:5]),
                   context=str(data.get("sentence", "")))

    def to_json(self) -> dict[str, Any]:
        return {"offset": self.offset, "length": self.length, "rule_id": self.rule_id, "category": self.category,
                "issue_type": self.issue_type, "message": self.message, "replacements": list(self.replacements),
                "context": self.context}

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> Match:
        return cls(**{**data, "replacements": tuple(data["replacements"])})


class InvalidAnswer(ValueError):
    """LanguageTool's answer is not a check result: the grammar check could not run (GR000), nothing is cached."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text_or_absent(data: dict[str, Any], name: str) -> bool:
    return name not in data or isinstance(data[name], str)


def validated_matches(answer: object, text_units: int) -> list[dict[str, Any]]:
    """The matches of a LanguageTool /v2/check answer for a text of ``text_units`` UTF-16 code units.

    Every answer is checked before it is believed: one without a ``matches`` list, or with a match whose
    offsets fall outside the text or whose fields have the wrong types, says nothing about the text (a proxy's
    error page, another service, a truncated body) and must never read as "no mistakes".
    """
    if not isinstance(answer, dict):
        raise InvalidAnswer(f"a JSON {type(answer).__name__}, not an object")
    if "matches" not in answer:
        raise InvalidAnswer("no 'matches' in it")
    matches = answer["matches"]
    if not isinstance(matches, list):
        raise InvalidAnswer(f"'matches' is a JSON {type(matches).__name__}, not a list")
    for number, match in enumerate(matches, 1):
        problem = _match_problem(match, text_units)
        if problem:
            raise InvalidAnswer(f"match {number} of {len(matches)} {problem}")
    return matches


def _match_problem(match: object, text_units: int) -> str | None:
    if not isinstance(match, dict):
        return "is not an object"
    offset, length = match.get("offset"), match.get("length")
    if not _is_int(offset) or not _is_int(length):
        return "has no whole-number offset and length"
    assert isinstance(offset, int) and isinstance(length, int)
    if offset < 0 or length < 0 or offset + length > text_units:
        return f"covers {offset}..{offset + length}, outside the {text_units}-character text sent"
    if not isinstance(match.get("message"), str) or not _text_or_absent(match, "sentence"):
        return "has no text message"
    rule = match.get("rule")
    if not isinstance(rule, dict) or not isinstance(rule.get("id"), str) or not rule["id"]:
        return "names no rule"
    category = rule.get("category", {})
    if not isinstance(category, dict) or not _text_or_absent(category, "id") or not _text_or_absent(rule, "issueType"):
        return "has a malformed rule category"
    replacements = match.get("replacements", [])
    if not isinstance(replacements, list) or not all(isinstance(r, dict) and _text_or_absent(r, "value")
                                                     for r in replacements):
        return "has malformed replacements"
    return None


@dataclass
class GrammarResult:
    """What the grammar stage found for one post: matches per paragraph, or why it could not run."""

    matches: dict[int, list[Match]] = field(default_factory=dict)  # paragraph index -> matches
    error: str | None = None
    help: str | None = None  # what to do about the error, when the grammar stage knows the cause


_NEWLINE_OR_MARK = re.compile(r"\S|\n")


def paragraphs(post: Post) -> list[Paragraph]:
    """The post's blocks as annotated text (headings and prose; code and front matter never)."""
    if not post.readable:
        return []
    found = []
    for block in post.blocks:
        span = block.source_range()
        if span is None:
            continue
        found.append(_annotate(post.text, span[0], span[1], frozenset(o for o in block.offsets if o >= 0)))
    return found


def _annotate(raw: str, start: int, end: int, prose: frozenset[int]) -> Paragraph:
    annotation: list[dict[str, str]] = []
    pieces: list[Piece] = []
    at = 0
    index = start
    while index < end:
        is_text = index in prose
        stop = index + 1
        while stop < end and (stop in prose) == is_text:
            stop += 1
        chunk = raw[index:stop]
        if is_text or not _NEWLINE_OR_MARK.search(chunk):
            annotation.append({"text": chunk})
            last = pieces[-1] if pieces else None
            if last is not None and last.annotated + last.length == at and last.raw + last.length == index:
                # runs on from the last piece in both texts: one piece (one per word and space would take
                # ~200 MiB for 1,000 posts' paragraphs, kept for the grammar stage)
                pieces[-1] = Piece(last.annotated, last.raw, last.length + len(chunk))
            else:
                pieces.append(Piece(at, index, len(chunk)))
        else:  # Markdown marks, link targets, code, line breaks: read as one space (or nothing)
            annotation.append({"markup": chunk, "interpretAs": " " if any(c.isspace() for c in chunk) else ""})
        at += len(chunk)
        index = stop
    return Paragraph(tuple(_merge(annotation)), tuple(pieces), at)


def _merge(annotation: list[dict[str, str]]) -> list[dict[str, str]]:
    merged: list[dict[str, str]] = []
    for item in annotation:
        if merged and "text" in item and "text" in merged[-1]:
            merged[-1] = {"text": merged[-1]["text"] + item["text"]}
        else:
            merged.append(item)
    return merged


def cache_key(paragraph: Paragraph, config_fingerprint: str) -> str:
    return hashlib.sha256(f"{config_fingerprint}\0{paragraph.key_material}".encode()).hexdigest()


def findings_from(post: Post, paras: Sequence[Paragraph], result: GrammarResult, policy: Policy) -> list[Finding]:
    if result.error is not None:
        return [finding(UNAVAILABLE, f"grammar check could not run: {result.error}",
                        suggestion=result.help or "Start LanguageTool (`medpress lt start`) or set MEDPRESS_LT_URL, "
                                                  "then review again; --no-grammar skips the check on purpose.")]
    found = []
    vocabulary = _vocabulary_words(policy.vocabulary)
    for index, matches in sorted(result.matches.items()):
        paragraph = paras[index]
        for match in matches:
            start = paragraph.to_raw(match.offset)
            end = paragraph.to_raw(match.offset + match.length - 1) if match.length else start
            if start is None or end is None:
                continue  # the match covers only markup
            flagged = post.text[start : end + 1]
            if _is_spelling(match) and _in_vocabulary(flagged, vocabulary):
                continue
            found.append(_to_finding(post, match, start, end + 1, flagged, policy))
    return found


def _to_finding(post: Post, match: Match, start: int, end: int, flagged: str, policy: Policy) -> Finding:
    severity = policy.grammar.severity_for(match.category, match.issue_type)
    replacements = [r for r in match.replacements if r]
    if replacements:
        suggestion = "Replace with " + " or ".join(f"“{r}”" for r in replacements[:3]) + "."
    elif _is_spelling(match):
        suggestion = (f"Check the spelling of “{flagged}”; if it is a correct medical or brand name, add it to "
                      f"content/policy/vocabulary.txt.")
    else:
        suggestion = "Rephrase the sentence."
    rule = Rule(RULE_PREFIX + match.rule_id, match.rule_id.lower(), CHECK, severity, "", "", "")
    return finding(rule, f"{match.message} (“{flagged}”, {match.category.lower()})", post.source.span(start, end),
                   excerpt=match.context[:240] or flagged, suggestion=suggestion)


def _is_spelling(match: Match) -> bool:
    return match.category == "TYPOS" and (match.rule_id.startswith(("MORFOLOGIK", "HUNSPELL"))
                                          or (match.issue_type == "misspelling" and " " not in match.rule_id))


_POSSESSIVE = re.compile(r"(?:['’]s|s['’]|es|s)$", re.IGNORECASE)


def _vocabulary_words(vocabulary: frozenset[str]) -> frozenset[str]:
    words = set()
    for term in vocabulary:
        words.add(term.lower())
        words.update(part.lower() for part in re.split(r"[\s/-]+", term) if part)
    return frozenset(words)


def _in_vocabulary(word: str, vocabulary: frozenset[str]) -> bool:
    """Case variants, plurals and possessives of a vocabulary term are the term."""
    candidate = word.strip(" '’\"“”.,;:!?()").lower()
    if candidate in vocabulary:
        return True
    stem = _POSSESSIVE.sub("", candidate)
    return stem in vocabulary or (candidate.endswith("s") and candidate[:-1] in vocabulary)


def explain_dynamic(rule_id: str) -> str | None:
    if not rule_id.upper().startswith(RULE_PREFIX):
        return None
    return FAMILY_RATIONALE.format(rule=rule_id[len(RULE_PREFIX) :])


class Grammar:
    """Spelling and grammar (LanguageTool): run by the review's grammar step, which needs its server."""

    name = CHECK
    rules = RULES

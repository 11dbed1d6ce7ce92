"""Disclaimer matching, shared by the disclaimers check and readability (through the post's context): where a
policy disclaimer stands in a post and how closely it matches, and why a rule applies to a post."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from checks import disclaimer_triggers
from checks.document import Block, Post
from checks.pattern_words import describe_pattern
from checks.policy import Applies, DisclaimerRule
from checks.prefilter import Gated, compile_pattern
from checks.text import any_of


@dataclass(frozen=True)
class Match:
    rule: DisclaimerRule
    status: str  # present | altered | missing
    score: float
    block_index: int | None  # index into the post's prose blocks
    missing_ideas: tuple[str, ...] = ()  # what an altered disclaimer leaves out (the ideas' plain words)
    reworded: bool = False  # every idea is there, in other words than the approved wording
    blocks: int = 1  # how many blocks from block_index it covers: 2 when split over two paragraphs

    def covered(self) -> range:
        """The indexes of the blocks the disclaimer stands in (none when missing)."""
        return range(self.block_index, self.block_index + self.blocks) if self.block_index is not None else range(0)


def _normalize(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(re.sub(r"[^\w\s']", " ", text).split())


@lru_cache(maxsize=8192)
def _normalized(text: str) -> str:
    return _normalize(text)


def score(rule_text: str, text: str, cutoff: float = 0.0) -> float:
    """0-100 similarity of ``text`` to the approved wording; extra surrounding text does not lower it.

    A similarity under ``cutoff`` may come back as 0 (rapidfuzz's ``score_cutoff``), which is cheaper.
    """
    return _similarity(_normalized(rule_text), _normalized(text), cutoff)


def _similarity(wanted: str, got: str, cutoff: float = 0.0) -> float:
    """:func:`score` of normalised texts."""
    if not got:
        return 0.0
    # rapidfuzz compares with the cutoff after rounding, so a score equal to it can come back as 0: the
    # slack keeps ties, which decide the block reported
    slack = max(0.0, cutoff - 1e-6)
    if len(got) <= len(wanted) * 1.15:
        if cutoff >= 100 and got != wanted:  # only equal strings score 100
            return 0.0
        return fuzz.ratio(wanted, got, score_cutoff=slack)
    if cutoff >= 100 and wanted not in got:  # 100 needs the wording word for word
        return 0.0
    if slack and _partial_ceiling(wanted, got) < slack:
        return 0.0
    return fuzz.partial_ratio(wanted, got, score_cutoff=slack)


def _partial_ceiling(wanted: str, got: str) -> float:
    """A score ``fuzz.partial_ratio(wanted, got)`` cannot exceed, for ``got`` longer than ``wanted``: 15 times
    cheaper to compute, and under the cutoff for most blocks once a post's disclaimer has been found.

    partial_ratio is the best ``200 * LCS(wanted, w) / (len(wanted) + len(w))`` over the windows ``w`` of ``got``
    no longer than ``wanted``. A window's longest common subsequence with ``wanted`` is at most ``got``'s, ``L``,
    and at most ``len(w)``; either way the window scores at most ``200 * L / (len(wanted) + L)``.
    """
    common = LCSseq.similarity(wanted, got)
    return 200 * common / (len(wanted) + common)


def body_blocks(post: Post) -> list[Block]:
    return [b for b in post.blocks if not b.is_heading]


def match(post: Post, rule: DisclaimerRule) -> Match:
    """Where ``rule``'s disclaimer stands in ``post``, and how closely it matches (the context keeps it per post
    and rule: the disclaimers check and readability both ask)."""
    blocks = body_blocks(post)
    texts = [b.text for b in blocks]
    if rule.ideas:
        return _find_by_ideas(rule, texts)
    signals = _signals(rule.signals)
    signalled = next((i for i, text in enumerate(texts) if any(s.search(text) for s in signals)), None)
    # Score only as finely as the outcome needs: blocks that cannot reach the floor are scored cheaply
    # (rapidfuzz's cutoff; 2.5 -> 1.8 ms a post). A signal that counts as present leaves one question (is
    # the approved wording there, at present_score?); without a signal, scores under altered_score mean
    # "missing" whatever they are; only an "altered" signal shows the exact score, however low.
    if signalled is None:
        floor = rule.altered_score
    elif rule.signals_count_as_present:
        floor = rule.present_score
    else:
        floor = 0.0
    best, best_index, span = _best_block(rule.text, texts, floor)
    if best >= rule.present_score:
        return Match(rule, "present", best, best_index, blocks=span)
    if signalled is not None:
        return Match(rule, "present" if rule.signals_count_as_present else "altered", max(best, 0.0), signalled)
    if best >= rule.altered_score:
        return Match(rule, "altered", best, best_index, blocks=span)
    return Match(rule, "missing", best, None)


def _find_by_ideas(rule: DisclaimerRule, texts: list[str]) -> Match:
    """The disclaimer by meaning: the block (or two adjacent blocks: a disclaimer may be split) carrying the most
    of the rule's ideas, the later one on a tie (disclaimers stand at the end). All of them: present, in other
    words unless the approved wording is there too (reported only when the policy requires that wording).
    A key idea, or two ideas: an attempt that leaves something out, altered. Otherwise missing."""
    carried = [frozenset(idea.id for idea in rule.ideas if _says(idea.patterns, text)) for text in texts]
    keys = {idea.id for idea in rule.ideas if idea.key}
    best: frozenset[str] = frozenset()
    best_index: int | None = None
    span = 1
    for index, ideas in enumerate(carried):
        for candidate in (ideas, ideas | carried[index + 1] if ideas and index + 1 < len(carried) else ideas):
            if candidate and (len(candidate), bool(candidate & keys)) >= (len(best), bool(best & keys)):
                best, best_index, span = candidate, index, 1 if candidate == ideas else 2
    wanted = {idea.id for idea in rule.ideas}
    wording, wording_index, wording_span = _best_block(rule.text, texts, rule.present_score)
    if best == wanted:
        if wording >= rule.present_score:
            return Match(rule, "present", wording, wording_index, blocks=wording_span)
        status = "altered" if rule.exact_wording else "present"
        return Match(rule, status, score(rule.text, texts[best_index]) if best_index is not None else 0.0,
                     best_index, reworded=True, blocks=span)
    if wording >= rule.present_score:  # the approved wording, whatever the ideas' patterns say
        return Match(rule, "present", wording, wording_index, blocks=wording_span)
    if best and (best & keys or len(best) >= 2):
        left_out = tuple(idea.says for idea in rule.ideas if idea.id not in best)
        return Match(rule, "altered", score(rule.text, texts[best_index]) if best_index is not None else 0.0,
                     best_index, missing_ideas=left_out, blocks=span)
    return Match(rule, "missing", 0.0, None)


def _says(patterns: tuple[str, ...], text: str) -> bool:
    compiled, union = _content_patterns(patterns)
    if union is not None:
        return union.search(text) is not None
    return any(c.search(text) for _, c in compiled)


def _best_block(rule_text: str, texts: list[str], floor: float = 0.0) -> tuple[float, int | None, int]:
    """The best score of a block (or of it and the next: a disclaimer may be split over two paragraphs), the
    first block that has it (None when every score is 0) and how many blocks it takes (1, or 2 for a pair
    that scores more than its blocks alone: a pair that only ties with its second block is that block). A
    best under ``floor`` comes back as 0.

    Disclaimers mostly stand at the end, so walking backwards finds the best early, and any block that
    cannot reach it (or the floor) is scored cheaply (cutoff).
    """
    wanted = _normalized(rule_text)
    normal = [_normalized(text) for text in texts]
    best, best_index, span = 0.0, None, 1
    for index in reversed(range(len(texts))):
        cutoff = max(best, floor)
        single = value = _similarity(wanted, normal[index], cutoff)
        if index + 1 < len(texts):
            # normalising works character by character and joins words with one space, so a pair's normal
            # form is its parts' joined
            pair = " ".join(text for text in normal[index : index + 2] if text)
            value = max(value, _similarity(wanted, pair, cutoff))
        if value < floor:  # rapidfuzz may return a score just under its cutoff (see _similarity's slack)
            value = 0.0
        from_pair = value > single
        if value > best or (value == best and value > 0 and not from_pair):
            best, best_index, span = value, index, 2 if from_pair else 1
    return best, best_index, span


def trigger(post: Post, rule: DisclaimerRule, off_label: Callable[[], Block | None]) -> tuple[str, Block | None] | None:
    """Why ``rule`` applies to ``post`` (and the block that triggers it), or None when it does not.
    ``off_label``: the block of the post's first claim for an off-label use (the claims analysis), asked only
    when the rule depends on it."""
    applies = rule.applies
    if applies.always:
        return "every post", None
    categories = {str(c).lower() for c in post.meta_list("categories") if isinstance(c, str)}
    if categories & {c.lower() for c in applies.categories}:
        return "the post's category", None
    tags = {str(t).lower() for t in post.meta_list("tags") if isinstance(t, str)}
    if tags & {t.lower() for t in applies.tags}:
        return "the post's tags", None
    if applies.off_label_claims:
        block = off_label()
        if block is not None:
            return "a claim for an off-label use", block
    content, any_content = _content_patterns(applies.content_patterns)
    previous = ""
    for block in (*body_blocks(post), *post.extras):  # text a reader sees outside the prose counts too
        if applies.blockquotes and block.in_blockquote and block.where == "body":
            return "a quoted testimonial", block
        structural = _structural_trigger(applies, block, previous)
        previous = block.text
        if structural:
            return structural, block
        if any_content is not None and not any_content.search(block.text):
            continue
        for pattern, compiled in content:
            if compiled.search(block.text):
                words = applies.pattern_words.get(pattern)  # words, never the regex
                return (words or f"text such as '{describe_pattern(pattern)}'"), block
    return None


def _structural_trigger(applies: Applies, block: Block, previous: str) -> str | None:
    """Why ``block`` triggers the rule by what it is (a testimonial, a before-and-after mention, an offer)."""
    text = block.text
    if applies.testimonials and disclaimer_triggers.testimonial(text, previous, block.in_blockquote):
        return "a testimonial"
    if applies.before_after and disclaimer_triggers.before_after(text, previous):
        return "a before-and-after mention"
    if applies.offers and disclaimer_triggers.offer(text):
        return "an offer"
    return None


@lru_cache(maxsize=64)
def _signals(patterns: tuple[str, ...]) -> list[Gated]:
    """A rule's signals as the fewest patterns to test a block with: their union when it can be made."""
    compiled, union = _content_patterns(patterns)
    return [union] if union is not None else [c for _, c in compiled]


@lru_cache(maxsize=64)
def _content_patterns(patterns: tuple[str, ...]) -> tuple[list[tuple[str, Gated]], Gated | None]:
    """Each pattern compiled, and their union to test a block once (see checks.text.any_of)."""
    compiled = [(pattern, compile_pattern(pattern)) for pattern in patterns]
    union = any_of(*(c.regex for _, c in compiled))
    return compiled, compile_pattern(union) if union is not None else None

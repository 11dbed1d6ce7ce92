"""readability: prose at a reading grade patients can follow, and the hardest sentences to fix first.

Scores are textstat 0.7.13's formulas (computed here; tests/test_readability.py pins them to textstat's) on the
post's own prose only: paragraphs and list items, never headings, code, tables, front matter, or required text it
must carry as written (disclaimers, boxed warnings, important safety information: :func:`excluded_blocks`; the
metrics say how much was left out). Each term of the policy vocabulary (drug, device and condition names) is
scored as a stand-in easy word (policy ``readability.vocabulary_stand_in``), so "onabotulinumtoxinA" alone never
makes a sentence hard: patients must read it anyway, and no plainer word exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from checks.context import PostContext
from checks.document import Block, Post
from checks.model import Finding, Rule, Severity, finding
from checks.policy import Policy
from checks.prefilter import literal_alternation
from checks.protocol import Outcome
from checks.syllables import list_words, syllable_count
from checks.text import Sentence

CHECK = "readability"
PROSE_TAGS = frozenset({"p", "li", "dd", "dt"})
FORMULAS = ("flesch_kincaid_grade", "smog_index", "flesch_reading_ease", "dale_chall_readability_score",
            "gunning_fog", "coleman_liau_index")

_HEAD = "---\ntitle: Botox basics\nslug: botox-basics\ndate: 2024-05-01\n---\n"
_HARD = ("The pharmacological administration of botulinum neurotoxin necessitates meticulous "
         "anatomical consideration, particularly regarding the individualized determination of "
         "appropriate dosage, injection localization and concomitant contraindications. ")
_PLAIN = "BOTOX is a shot that relaxes a muscle. It can soften lines on your face. The effect lasts a few months. "


def _rule(id: str, name: str, severity: Severity, rationale: str, failing: str, passing: str) -> Rule:
    return Rule(id, name, CHECK, severity, rationale, _HEAD + failing, _HEAD + passing)


ABOVE_TARGET = _rule("RD001", "above-target-grade", Severity.WARNING,
                     "Patient material should read at grade 8 or below (NIH); harder text is misread.",
                     (_PLAIN + "Neuromodulator treatment requires individualized anatomical evaluation. ") * 12,
                     _PLAIN * 12)
ABOVE_LIMIT = _rule("RD002", "above-grade-limit", Severity.ERROR,
                    "Above the policy's hard limit (grade 14 by default) most patients cannot follow the text.",
                    _HARD * 8, _PLAIN * 12)
HARD_SENTENCE = _rule("RD003", "hard-sentence", Severity.INFO,
                      "A very long or very hard sentence is where readers give up; fix these first.",
                      _PLAIN + "\n\n" + _HARD + "\n", _PLAIN + "\n")

RULES = (ABOVE_TARGET, ABOVE_LIMIT, HARD_SENTENCE)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def prose_blocks(ctx: PostContext) -> list[Block]:
    """The post's own prose: what its grade and hard sentences are measured on."""
    skip = excluded_blocks(ctx)
    return [b for b in ctx.post.blocks if b.tag in PROSE_TAGS and id(b) not in skip]


def excluded_blocks(ctx: PostContext) -> dict[int, str]:
    """Blocks of required text the post must carry as written, by id, and why: the disclaimers, and safety
    text (a section under a heading such as "Important Safety Information" or "Boxed warning", up to the next
    heading of its level or higher; a block opening with such words). A post is not "too hard" for them."""
    post, policy = ctx.post, ctx.policy
    skip = {block_id: "disclaimer" for block_id in ctx.disclaimer_blocks}
    rp = policy.readability
    headings = _anchored(rp.safety_headings)
    openings = _anchored(rp.safety_openings)
    section_level: int | None = None  # inside a safety section opened by a heading of this level
    for block in post.blocks:
        if block.is_heading:
            level = int(block.tag[1]) if block.tag[1:].isdigit() else 6
            if section_level is not None and level <= section_level:
                section_level = None
            if headings is not None and headings.match(block.text.strip()):
                section_level = level
            continue
        if section_level is not None or (openings is not None and openings.match(block.text.strip())):
            skip.setdefault(id(block), "safety text")
    return skip


@lru_cache(maxsize=16)
def _anchored(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """The patterns as one, matched at the start of a text (a heading's or a block's opening words)."""
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@lru_cache(maxsize=16)
def _vocabulary_pattern(vocabulary: frozenset[str]) -> re.Pattern[str] | None:
    if not vocabulary:
        return None
    terms = sorted(vocabulary, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + literal_alternation(terms) + r")(?:['’]s|es|s)?(?![\w-])",
                      re.IGNORECASE)


def scored_text(text: str, policy: Policy) -> str:
    """``text`` with every vocabulary term replaced by the stand-in word."""
    pattern = _vocabulary_pattern(policy.vocabulary)
    return pattern.sub(policy.readability.vocabulary_stand_in, text) if pattern else text


def measure(ctx: PostContext) -> tuple[dict[str, object], list[tuple[Sentence, float, int]]]:
    """Scores for the post's prose and its hardest sentences."""
    post, policy = ctx.post, ctx.policy
    rp = policy.readability
    skip = excluded_blocks(ctx)
    all_sentences = [s for b in post.blocks if b.tag in PROSE_TAGS and id(b) not in skip
                     for s in ctx.sentences(b)]
    scored = [scored_text(s.text, policy) for s in all_sentences]
    terminated = [_terminated(text) for text in scored]
    parts = [_count(text) for text in terminated]
    prose = " ".join(terminated)
    counts = _prose_counts(prose, parts) if prose else None
    metrics: dict[str, object] = {"formula": rp.formula, "target": rp.target, "limit": rp.limit,
                                  "words": counts.words if counts else 0, "sentences": len(all_sentences)}
    for name in FORMULAS:
        metrics[name] = round(float(_FORMULAS[name](counts)), 2) if counts else None
    metrics["grade"] = metrics[rp.formula]
    metrics["excluded"] = _excluded_metric(post, skip)
    rated = []
    for sentence, text, part in zip(all_sentences, scored, parts, strict=True):
        count = len(_WORD.findall(text))
        grade = float(_flesch_kincaid_grade(part)) if count else 0.0
        rated.append((grade, count, sentence))
    rated.sort(key=lambda item: (item[0], item[1]), reverse=True)
    metrics["hardest"] = [_describe(post, s, g, n) for g, n, s in rated[: rp.hardest]]
    hotspots = [(s, g, n) for g, n, s in rated
                if n >= rp.sentence_min_words and (n > rp.sentence_max_words or g > rp.sentence_max_grade)]
    hotspots = hotspots[: rp.max_hotspots]
    return metrics, hotspots


# ---------------------------------------------------------------------------------------------------
# textstat 0.7.13's formulas, owned here, on counts taken once per text (textstat recounts words and syllables
# for every formula: calling it costs 6.6 ms a post against 1.4 ms). Words and syllables are counted as textstat
# counts them (checks/syllables.py); tests/test_readability.py pins every score to textstat's own.


@dataclass(frozen=True)
class _Counts:
    words: int
    sentences: int
    syllables: int
    polysyllables: int  # 3+ syllables (SMOG)
    difficult: int  # not an easy word, and 3+ syllables (Gunning fog)
    unfamiliar: int  # not an easy word (Dale-Chall)
    letters: int = 0  # counted for the whole prose only (Coleman-Liau)


_SYLLABLE_THRESHOLD = 3  # textstat's "difficult" words have this many syllables (English)
_FRE_BASE, _FRE_SENTENCE_LENGTH, _FRE_SYLLABLES_PER_WORD = 206.835, 1.015, 84.6  # Flesch reading ease, English


@cache
def _easy_words() -> frozenset[str]:
    """The Dale-Chall familiar words (checks/data/easy_words.txt, as textstat ships them)."""
    text = resources.files("checks").joinpath("data/easy_words.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines())


def _count(text: str) -> _Counts:
    words = list_words(text)
    syllables = polysyllables = difficult = unfamiliar = 0
    for word in words:
        facts = _word_facts(word)
        syllables += facts[0]
        polysyllables += facts[0] >= 3
        unfamiliar += facts[1]
        difficult += facts[2]
    return _Counts(len(words), _sentence_count(text), syllables, polysyllables, difficult, unfamiliar)


@lru_cache(maxsize=1 << 17)  # a fact of the word as written, not of a post: kept across posts, bounded
def _word_facts(word: str) -> tuple[int, bool, bool]:
    """A word's syllables, whether it is unfamiliar (not an easy word) and difficult (unfamiliar, and as many
    syllables as the threshold once lower-cased: textstat counts those on the lowered word, and lowering first
    can change which apostrophes its punctuation rule keeps). Kept per word: a post repeats most of its words."""
    lowered = word.lower()
    unfamiliar = lowered not in _easy_words()
    # textstat counts a text's syllables on its lowercased words, which is each word's own count
    return syllable_count(word), unfamiliar, unfamiliar and syllable_count(lowered) >= _SYLLABLE_THRESHOLD


def _prose_counts(prose: str, parts: list[_Counts]) -> _Counts:
    """Counts for ``prose``, its sentences (counted in ``parts``) joined by spaces. textstat splits words at
    white space, and its punctuation rule looks only at the characters right after an apostrophe, never past
    a space: so the prose's words are its sentences' words, and their counts add up. Sentences and letters
    are counted on the prose itself."""
    return _Counts(sum(p.words for p in parts), _sentence_count(prose), sum(p.syllables for p in parts),
                   sum(p.polysyllables for p in parts), sum(p.difficult for p in parts),
                   sum(p.unfamiliar for p in parts), _letter_count(prose))


_PIECES = re.compile(r"\b[^.!?]+[.!?]*")  # how textstat's count_sentences splits a text


def _sentence_count(text: str) -> int:
    """textstat's count_sentences: its pieces, less those of two words or fewer, at least 1 (0 for no text)."""
    if not text:
        return 0
    pieces = _PIECES.findall(text)
    if len(pieces) <= 1:
        return 1
    return max(1, sum(len(list_words(piece)) > 2 for piece in pieces))


_SPACE = re.compile(r"\s")
_NOT_LETTER = re.compile(r"[^\w\s]")


def _letter_count(text: str) -> int:
    """textstat's count_letters: characters that are neither white space nor punctuation."""
    return len(_NOT_LETTER.sub("", _SPACE.sub("", text)))


def _words_per_sentence(c: _Counts) -> float:
    return c.words / c.sentences if c.sentences else 0.0


def _syllables_per_word(c: _Counts) -> float:
    return c.syllables / c.words if c.words else 0.0


def _flesch_kincaid_grade(c: _Counts) -> float:
    sentence_length, syllables = _words_per_sentence(c), _syllables_per_word(c)
    if sentence_length == 0 or syllables == 0:
        return 0.0
    return (0.39 * sentence_length) + (11.8 * syllables) - 15.59


def _flesch_reading_ease(c: _Counts) -> float:
    sentence_length, syllables = _words_per_sentence(c), _syllables_per_word(c)
    if sentence_length == 0 or syllables == 0:
        return 0.0
    return _FRE_BASE - _FRE_SENTENCE_LENGTH * sentence_length - _FRE_SYLLABLES_PER_WORD * syllables


def _smog_index(c: _Counts) -> float:
    if not c.sentences:
        return 0.0
    return (1.043 * (30 * (c.polysyllables / c.sentences)) ** 0.5) + 3.1291


def _dale_chall_readability_score(c: _Counts) -> float:
    if not c.words:
        return 0.0
    per_difficult_words = 100 * c.unfamiliar / c.words
    score = (0.1579 * per_difficult_words) + (0.0496 * _words_per_sentence(c))
    if per_difficult_words > 5:
        score += 3.6365
    return score


def _gunning_fog(c: _Counts) -> float:
    if not c.words:
        return 0.0
    return 0.4 * (_words_per_sentence(c) + 100 * c.difficult / c.words)


def _coleman_liau_index(c: _Counts) -> float:
    letters = (c.letters / c.words if c.words else 0.0) * 100
    sentences = (c.sentences / c.words if c.words else 0.0) * 100
    if letters == 0 or sentences == 0:
        return 0.0
    return (0.058 * letters) - (0.296 * sentences) - 15.8


_FORMULAS: dict[str, Callable[[_Counts], float]] = {
    "flesch_kincaid_grade": _flesch_kincaid_grade, "smog_index": _smog_index,
    "flesch_reading_ease": _flesch_reading_ease, "dale_chall_readability_score": _dale_chall_readability_score,
    "gunning_fog": _gunning_fog, "coleman_liau_index": _coleman_liau_index}


def _terminated(text: str) -> str:
    return text if text.rstrip().endswith((".", "!", "?", ":")) else text + "."


def _describe(post: Post, sentence: Sentence, grade: float, count: int) -> dict[str, object]:
    found = sentence.block.source_range(sentence.start, sentence.end)
    line, column = post.source.position(found[0]) if found else (None, None)
    end_line, end_column = post.source.position(found[1]) if found else (None, None)
    return {"line": line, "column": column, "end_line": end_line, "end_column": end_column,
            "grade": round(grade, 1), "words": count, "text": sentence.text}


def _excluded_metric(post: Post, skip: dict[int, str]) -> dict[str, object]:
    """What was left out of the scores, so the report says so: blocks and words, by reason."""
    blocks = [b for b in post.blocks if id(b) in skip and b.tag in PROSE_TAGS]
    by_reason: dict[str, int] = {}
    for block in blocks:
        by_reason[skip[id(block)]] = by_reason.get(skip[id(block)], 0) + len(_WORD.findall(block.text))
    return {"blocks": len(blocks), "words": sum(by_reason.values()), "words_by_reason": by_reason}


def _excluded_note(metrics: dict[str, object]) -> str:
    excluded = metrics.get("excluded")
    if not isinstance(excluded, dict) or not excluded.get("words"):
        return ""
    reasons = excluded.get("words_by_reason") or {}
    parts = ", ".join(f"{words} words of {reason}" for reason, words in reasons.items())  # type: ignore[union-attr]
    return f"; {parts} left out, as required text"


def findings_from(post: Post, metrics: dict[str, object], hotspots: list[tuple[Sentence, float, int]],
                  policy: Policy) -> Iterable[Finding]:
    rp = policy.readability
    grade = metrics.get("grade")
    hardest = metrics.get("hardest") or []
    lines = ", ".join(f"line {h['line']}" for h in hardest if h["line"])  # type: ignore[index]
    if isinstance(grade, float) and int(metrics["words"]) >= rp.min_words:  # type: ignore[call-overload]
        hint = f"Shorten the hardest sentences first ({lines}); prefer short, everyday words."
        if rp.formula == "flesch_reading_ease":
            pass  # ease rises as text gets easier: thresholds are grades, so not applied to it
        elif grade > rp.limit:
            yield finding(ABOVE_LIMIT, f"reading grade {grade:.1f} ({rp.formula}) is above the limit of "
                                       f"{rp.limit:g} (target {rp.target:g}){_excluded_note(metrics)}",
                          suggestion=hint)
        elif grade > rp.target:
            yield finding(ABOVE_TARGET, f"reading grade {grade:.1f} ({rp.formula}) is above the target of "
                                        f"{rp.target:g}{_excluded_note(metrics)}", suggestion=hint)
    for sentence, grade, count in hotspots:
        found = sentence.block.source_range(sentence.start, sentence.end)
        if found is None:
            continue
        yield finding(HARD_SENTENCE, f"hard sentence: grade {grade:.1f}, {count} words",
                      post.source.span(*found), excerpt=sentence.text[:240],
                      suggestion=_sentence_hint(sentence.text, policy))


def _sentence_hint(text: str, policy: Policy) -> str:
    pattern = _vocabulary_pattern(policy.vocabulary)
    words = {w.strip("'’-") for w in _WORD.findall(text) if not (pattern and pattern.fullmatch(w))}
    long_words = sorted((w for w in words if syllable_count(w) >= 4), key=lambda w: (-len(w), w))[:3]
    hint = "Split it into sentences of 20 words or fewer"
    if long_words:
        hint += "; replace long words such as " + ", ".join(f"'{w}'" for w in long_words)
    return hint + "."


class Readability:
    """The post's own prose against the policy's grade limit, and its hardest sentences; the scores as metrics."""

    name = CHECK
    rules = RULES

    def run(self, ctx: PostContext) -> Outcome:
        found, metrics = _check(ctx)
        return Outcome(found, metrics or None)


def check_post(post: Post, policy: Policy) -> tuple[list[Finding], dict[str, object]]:
    """Findings and metrics on one post alone (tests; the pipeline runs :class:`Readability` on its context)."""
    return _check(PostContext(post, policy))


def _check(ctx: PostContext) -> tuple[list[Finding], dict[str, object]]:
    if not ctx.post.readable:
        return [], {}
    metrics, hotspots = measure(ctx)
    return list(findings_from(ctx.post, metrics, hotspots, ctx.policy)), metrics

"""readability: prose at a reading grade patients can follow, and the hardest sentences to fix first.

Scores come from textstat on prose only: paragraphs and list items, never headings, code, tables,
front matter or disclaimers. Each term of the policy vocabulary (drug, device and condition names) is
scored as a stand-in easy word (policy ``readability.vocabulary_stand_in``), so "onabotulinumtoxinA"
alone never makes a sentence hard: patients must read it anyway, and no plainer word exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from checks import disclaimers
from checks.document import Block, Post
from checks.model import Finding, Rule, Severity, finding
from checks.policy import Policy
from checks.syllables import textstat_with_cmudict
from checks.text import Sentence, sentences

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
                    "Above the policy's hard limit (grade 12 by default) most patients cannot follow the text.",
                    _HARD * 8, _PLAIN * 12)
HARD_SENTENCE = _rule("RD003", "hard-sentence", Severity.INFO,
                      "A very long or very hard sentence is where readers give up; fix these first.",
                      _PLAIN + "\n\n" + _HARD + "\n", _PLAIN + "\n")

RULES = (ABOVE_TARGET, ABOVE_LIMIT, HARD_SENTENCE)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def prose_blocks(post: Post, policy: Policy) -> list[Block]:
    skip = disclaimers.disclaimer_blocks(post, policy)
    return [b for b in post.blocks if b.tag in PROSE_TAGS and id(b) not in skip]


@lru_cache(maxsize=16)
def _vocabulary_pattern(vocabulary: frozenset[str]) -> re.Pattern[str] | None:
    if not vocabulary:
        return None
    terms = sorted(vocabulary, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(t) for t in terms) + r")(?:['’]s|es|s)?(?![\w-])",
                      re.IGNORECASE)


def scored_text(text: str, policy: Policy) -> str:
    """``text`` with every vocabulary term replaced by the stand-in word."""
    pattern = _vocabulary_pattern(policy.vocabulary)
    return pattern.sub(policy.readability.vocabulary_stand_in, text) if pattern else text


def measure(post: Post, policy: Policy) -> tuple[dict[str, object], list[tuple[Sentence, float, int]]]:
    """Scores for the post's prose and its hardest sentences."""
    textstat = textstat_with_cmudict()
    rp = policy.readability
    all_sentences = [s for b in prose_blocks(post, policy) for s in sentences(b)]
    prose = " ".join(_terminated(scored_text(s.text, policy)) for s in all_sentences)
    words = textstat.lexicon_count(prose) if prose else 0
    metrics: dict[str, object] = {"formula": rp.formula, "target": rp.target, "limit": rp.limit,
                                  "words": words, "sentences": len(all_sentences)}
    for name in FORMULAS:
        metrics[name] = round(float(getattr(textstat, name)(prose)), 2) if prose else None
    metrics["grade"] = metrics[rp.formula]
    rated = []
    for sentence in all_sentences:
        text = scored_text(sentence.text, policy)
        count = len(_WORD.findall(text))
        grade = float(textstat.flesch_kincaid_grade(_terminated(text))) if count else 0.0
        rated.append((grade, count, sentence))
    rated.sort(key=lambda item: (item[0], item[1]), reverse=True)
    metrics["hardest"] = [_describe(post, s, g, n) for g, n, s in rated[: rp.hardest]]
    hotspots = [(s, g, n) for g, n, s in rated
                if n >= rp.sentence_min_words and (n > rp.sentence_max_words or g > rp.sentence_max_grade)]
    hotspots = hotspots[: rp.max_hotspots]
    return metrics, hotspots


def _terminated(text: str) -> str:
    return text if text.rstrip().endswith((".", "!", "?", ":")) else text + "."


def _describe(post: Post, sentence: Sentence, grade: float, count: int) -> dict[str, object]:
    found = sentence.block.source_range(sentence.start, sentence.end)
    line, column = post.source.position(found[0]) if found else (None, None)
    end_line, end_column = post.source.position(found[1]) if found else (None, None)
    return {"line": line, "column": column, "end_line": end_line, "end_column": end_column,
            "grade": round(grade, 1), "words": count, "text": sentence.text}


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
                                       f"{rp.limit:g} (target {rp.target:g})", suggestion=hint)
        elif grade > rp.target:
            yield finding(ABOVE_TARGET, f"reading grade {grade:.1f} ({rp.formula}) is above the target of "
                                        f"{rp.target:g}", suggestion=hint)
    for sentence, grade, count in hotspots:
        found = sentence.block.source_range(sentence.start, sentence.end)
        if found is None:
            continue
        yield finding(HARD_SENTENCE, f"hard sentence: grade {grade:.1f}, {count} words",
                      post.source.span(*found), excerpt=sentence.text[:240],
                      suggestion=_sentence_hint(sentence.text, policy))


def _sentence_hint(text: str, policy: Policy) -> str:
    textstat = textstat_with_cmudict()
    pattern = _vocabulary_pattern(policy.vocabulary)
    words = {w.strip("'’-") for w in _WORD.findall(text) if not (pattern and pattern.fullmatch(w))}
    long_words = sorted((w for w in words if textstat.syllable_count(w) >= 4), key=lambda w: (-len(w), w))[:3]
    hint = "Split it into sentences of 20 words or fewer"
    if long_words:
        hint += "; replace long words such as " + ", ".join(f"'{w}'" for w in long_words)
    return hint + "."


def check_post(post: Post, policy: Policy) -> tuple[list[Finding], dict[str, object]]:
    """Findings and metrics (the report shows both)."""
    if not post.readable:
        return [], {}
    metrics, hotspots = measure(post, policy)
    return list(findings_from(post, metrics, hotspots, policy)), metrics

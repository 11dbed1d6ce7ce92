"""disclaimers: each required disclaimer is present, in its approved wording, where policy puts it."""

from __future__ import annotations

from collections.abc import Iterable

from checks.context import PostContext
from checks.disclaimer_match import Match
from checks.document import Block, Post
from checks.model import Finding, Rule, Severity, Span, finding
from checks.policy import DisclaimerRule, Policy
from checks.protocol import Outcome

CHECK = "disclaimers"

_POLICY = """==> policy/disclaimers.yaml <==
version: example
disclaimers:
  - id: not-medical-advice
    title: Not medical advice
    text: "This article is not medical advice. Talk to a qualified healthcare provider."
    applies: {always: true}
    placement: end
    signals: ["medical advice"]
  - id: results-vary
    title: Individual results vary
    text: "Individual results vary, and your results may differ."
    applies: {content_patterns: ["before[- ]and[- ]after"], blockquotes: true}
"""
_HEAD = "==> posts/example.md <==\n---\ntitle: Botox basics\nslug: botox-basics\ndate: 2024-05-01\n---\n"
_ADVICE = "This article is not medical advice. Talk to a qualified healthcare provider.\n"


def _rule(id: str, name: str, severity: Severity, rationale: str, failing: str, passing: str) -> Rule:
    return Rule(id, name, CHECK, severity, rationale, _POLICY + _HEAD + failing, _POLICY + _HEAD + passing)


MISSING = _rule("DSC001", "missing-disclaimer", Severity.ERROR,
                "Policy requires these disclaimers (e.g. 'not medical advice'; 'results vary' next to "
                "testimonials), and their absence exposes patients and the clinic.",
                "BOTOX can soften frown lines.\n\n> “I look ten years younger!” said one patient.\n\n" + _ADVICE,
                "BOTOX can soften frown lines.\n\n> “I look ten years younger!” said one patient.\n\n"
                "Individual results vary, and your results may differ.\n\n" + _ADVICE)
ALTERED = _rule("DSC002", "altered-disclaimer", Severity.WARNING,
                "Compliance approved one wording; a paraphrase may drop the part that matters.",
                "BOTOX can soften frown lines.\n\nThis is not medical advice, so ask your doctor.\n",
                "BOTOX can soften frown lines.\n\n" + _ADVICE)
MISPLACED = _rule("DSC003", "misplaced-disclaimer", Severity.WARNING,
                  "A disclaimer must stand where policy puts it (e.g. at the end) so readers find it.",
                  _ADVICE + "\nBOTOX can soften frown lines.\n\nIt lasts three to four months.\n\n"
                  "Ask us about it.\n\nBook a visit.\n",
                  "BOTOX can soften frown lines.\n\nIt lasts three to four months.\n\n" + _ADVICE)

RULES = (MISSING, ALTERED, MISPLACED)


class Disclaimers:
    """Each disclaimer the policy requires of the post: there, in its approved wording, where it belongs."""

    name = CHECK
    rules = RULES

    def run(self, ctx: PostContext) -> Outcome:
        return Outcome(list(_findings(ctx)))


def check_post(post: Post, policy: Policy) -> list[Finding]:
    """The check on one post alone (tests and examples; the pipeline runs :class:`Disclaimers` on its context)."""
    return list(_findings(PostContext(post, policy)))


def _findings(ctx: PostContext) -> Iterable[Finding]:
    post = ctx.post
    if not post.readable:
        return
    blocks = ctx.body_blocks
    for rule in ctx.policy.disclaimers:
        why = ctx.disclaimer_trigger(rule)
        if why is None:
            continue
        reason, cause = why
        match = ctx.disclaimer(rule)
        if match.status == "missing":
            span = _block_span(post, cause) if cause else _end_span(post)
            yield finding(MISSING, f"required disclaimer '{rule.title}' is missing (required by {reason})",
                          span, excerpt=cause.text[:160] if cause else "",
                          suggestion=f"Add the approved wording{_placement_hint(rule)}: {rule.text}")
            continue
        block = blocks[match.block_index] if match.block_index is not None else None
        if match.status == "altered":
            yield finding(ALTERED, _altered_message(rule, match),
                          _block_span(post, block), excerpt=block.text[:200] if block else "",
                          suggestion=f"Use the approved wording: {rule.text}")
        if match.block_index is not None and not _placed(rule, match.block_index, len(blocks)):
            yield finding(MISPLACED, f"disclaimer '{rule.title}' must stand at the {rule.placement} of the post",
                          _block_span(post, block), excerpt=block.text[:200] if block else "",
                          suggestion=f"Move it to the {rule.placement} of the post.")


def _altered_message(rule: DisclaimerRule, match: Match) -> str:
    if match.missing_ideas:
        return (f"disclaimer '{rule.title}' is present but altered: it does not say "
                + "; ".join(f"'{idea}'" for idea in match.missing_ideas))
    if match.reworded:
        return (f"disclaimer '{rule.title}' says what it must in other words, and the policy requires the "
                f"approved wording ({match.score:.0f}% like it)")
    return f"disclaimer '{rule.title}' is present but altered ({match.score:.0f}% like the approved wording)"


def _placed(rule: DisclaimerRule, index: int, count: int) -> bool:
    if rule.placement == "end":
        return index >= count - rule.window
    if rule.placement == "start":
        return index < rule.window
    return True


def _placement_hint(rule: DisclaimerRule) -> str:
    return {"end": " at the end of the post", "start": " at the start of the post"}.get(rule.placement, "")


def _block_span(post: Post, block: Block | None) -> Span | None:
    found = block.source_range() if block else None
    return post.source.span(*found) if found else None


def _end_span(post: Post) -> Span:
    end = post.body_end
    line = post.source.position(end)[0]
    return post.source.line_span(line)

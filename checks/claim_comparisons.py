"""Whether a comparative phrase is a comparison claim (issue 16, kind 8; rule CLM006).

The phrases themselves are policy data (``comparative`` in content/policy/claim-language.yaml). This module
judges a match in its sentence: some comparisons are not claims about a treatment against others (a time or an
amount, a patient's own before and after, how long recovery takes, which option suits a person, what diet and
exercise do), and some phrases are claims only when an alternative is named beside them ("a purer toxin" after
Botox and Dysport, "fewer side effects" against synthetic hormones). Pure functions of the text: no state.
"""

from __future__ import annotations

import re

# phrase ids (policy) that compare only when an alternative is named in the sentence or the text just before it
NEEDS_RIVAL = frozenset({"rival-quality", "rival-risk", "compared-to"})
# phrase ids whose object after "than" is read: a time, an amount or the reader's own past is no rival
_THAN_IDS = frozenset({"better", "than-rival"})
_SUPERLATIVE_IDS = frozenset({"best", "gold-standard"})

# an alternative a treatment is set against: another kind of treatment, or other products (brands are passed in)
_RIVAL = re.compile(
    r"\b(?:other (?:\w+ )?(?:treatments?|methods?|toxins?|neurotoxins?|brands?|products?|options?|procedures?|"
    r"fillers?|injectables?|therapies|devices?|lasers?)|others|traditional|conventional|older|oral|synthetic|surgery|"
    r"surgical|liposuction|facelifts?|competitors?|competing|alternatives?|standard|generic)\b", re.IGNORECASE)
# "people with ... have a higher risk of side effects": the reader's own risk, stated on a careful page
_READERS_RISK = re.compile(r"\b(?:if you|when you|people (?:with|who)|patients (?:with|who)|tell your|in (?:people|"
                           r"patients|those|adults|children))\b", re.IGNORECASE)
# "than" followed by a time, an amount, the reader's own past or nothing at all
_NOT_A_RIVAL = re.compile(
    r"\s*(?:(?:about|around|roughly|just|only|a|an|one|two|three|four|five|six|a few|several|\d[\d.,%-]*)\s+"
    r"(?:\w+\s+)?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|sessions?|treatments?|visits?|"
    r"units?|pounds?|lbs|percent)\b|\d|before\b|(?:it |they |you |we )?(?:did|was|were|used to)\b|in years\b|"
    r"(?:you |they )?(?:have )?(?:in|for) (?:years|a long time|decades)\b|last (?:time|year)\b|"
    r"(?:your|their) (?:own )?(?:first|last|previous|earlier)\b|expected\b|usual\b|normal\b|"
    r"you (?:might |may |would |[’']d )?(?:think|expect)\b)",
    re.IGNORECASE)
# how long recovery or a visit takes, compared: logistics, not a claim about the treatment's effect
_LOGISTICS = re.compile(
    r"\b(?:recovery|downtime|healing|appointments?|visits?|sessions?|check-?in|wait(?:ing)?)(?: times?| periods?)?"
    r"(?: (?:is|are|was|will be|tends to be|takes|feels))?(?: \w+)?\s*$", re.IGNORECASE)
# the sentence denies the comparison or says it is unproven
_DENIED = re.compile(
    r"\b(?:no|not|never|little|without)\b[^.;]{0,30}\b(?:data|evidence|difference|advantage|proof|studies)\b|"
    r"\b(?:have|has|was|were) not (?:been )?(?:shown|proven|found)\b|\bnot (?:been )?proven\b|\bno better\b|"
    r"\bnot (?:necessarily |always |clearly )?(?:better|safer|more effective|superior)\b|"
    r"\bneither (?:one|option|product|brand|toxin|treatment|is)\b", re.IGNORECASE)
_THAN = re.compile(r"\s*(?:than|compared (?:to|with)|versus|vs\b)", re.IGNORECASE)
_PLACEBO = re.compile(r"\bplacebo\b|\bsugar pill\b|\bdummy\b", re.IGNORECASE)
_RISK_WORDS = re.compile(r"\b(?:side[- ]effects?|risks?|adverse|headaches?|nausea|bruis\w*|swelling|reactions?|"
                         r"complications?|infections?)\b", re.IGNORECASE)
_EVER = re.compile(r"\s*ever\b", re.IGNORECASE)
_OWN_LOOK = re.compile(r"\b(?:look|feel|looks|feels|looking|feeling)\s+\w?$", re.IGNORECASE)
_LOGISTICS_WORDS = re.compile(r"\b(?:down ?time|recovery|appointments?|drive (?:yourself|themselves|home)|"
                              r"back to work|anesthe\w*|lunch ?(?:break|hour))\b", re.IGNORECASE)
# one option may suit a person better than another: a statement of individual fit, not superiority
_FIT = re.compile(
    r"\b(?:may|might|could|can)\s+(?:work|suit|be)\b[^.;]{0,30}\bbetter than (?:the other|another|the others)\b|"
    r"\bbetter than (?:the other|another)\b[^.;]{0,20}\bfor (?:some|different|certain|"
    r"particular|individual|each)\b", re.IGNORECASE)
# "if Botox is the best option for you", "which filler is best for you": a question of fit for the reader
_FIT_QUESTION = re.compile(
    r"\b(?:if|whether|which|what|decide|determine|discuss|find out|choose|help you)\b[^.;]{0,60}$", re.IGNORECASE)
_FOR_YOU = re.compile(r"^[^.;]{0,40}?\bfor (?:you|your (?:needs|goals|skin|face|body|situation|case))\b",
                      re.IGNORECASE)
# a question that asks rather than presupposes ("why is it better?" presupposes)
_YES_NO = re.compile(r"^\W*(?:is|are|does|do|can|will|would|should|could|was|were|has|have|which|what|how|who|"
                     r"when|where)\b", re.IGNORECASE)
# the schedule that gets the most out of a treatment, in the clause before the superlative
_REGIMEN = re.compile(r"\b(?:series|sessions?|weeks? apart|months? apart|regimen|schedule|dosing|doses?)\b"
                      r"[^.;]{0,40}$", re.IGNORECASE)
# "diet and exercise remain the most effective way": a general statement about lifestyle, not about a product
_LIFESTYLE = re.compile(r"\b(?:diet|exercise|lifestyle|healthy habits|sleep|nutrition)\b[^.;]{0,40}$",
                        re.IGNORECASE)


def is_comparison_claim(phrase_id: str, text: str, start: int, end: int, before: str,
                        brands: re.Pattern[str] | None) -> bool:
    """Whether the phrase ``phrase_id`` matched at ``text[start:end]`` claims a treatment against others.

    ``before``: the text of the paragraph before the sentence (where a rival may be named); ``brands``: the
    product names of the knowledge base (two products named side by side are rivals)."""
    head, tail = text[:start], text[end:]
    if _YES_NO.match(text) and text.rstrip().endswith("?"):
        return False  # "Is it better than drinking water?" asks (a "why is it better" presupposes, and counts)
    if phrase_id != "exclusive" and _DENIED.search(text):
        return False  # "studies have not shown a clear advantage over drinking fluids": the comparison is denied
    if phrase_id == "unlike-rivals" and _LOGISTICS_WORDS.search(text):
        return False  # "no downtime, and you can drive home, unlike other procedures": the visit, not the effect
    if phrase_id in _THAN_IDS:
        if text[start:end].lower().endswith("than") and _NOT_A_RIVAL.match(tail) and not _EVER.match(tail):
            return False  # "lasts longer than 6 months", "looks better than before"
        if _EVER.match(tail) and _OWN_LOOK.search(text[:start + 1]):
            return False  # "you will look better than ever": the reader's own before and after
        if _LOGISTICS.search(head):
            return False  # "recovery is faster than after surgery"
        if _FIT.search(text):
            return False  # "one may work better than the other for some people"
    if phrase_id in _SUPERLATIVE_IDS:
        if _FOR_YOU.match(tail) and _FIT_QUESTION.search(head):
            return False  # "to find out if Botox is the best option for you"
        if _REGIMEN.search(head):
            return False  # "three sessions, four weeks apart, give the best glow": how to use it, not a rival
        if _LIFESTYLE.search(head):
            return False  # "diet and exercise remain the most effective ways to lose weight"
    if phrase_id == "rival-risk" and _READERS_RISK.search(text):
        return False
    if phrase_id == "compared-to":
        compared = text[start:end]
        if _PLACEBO.search(text) or _RISK_WORDS.search(compared):
            return False  # a trial against placebo, or a risk reported: not one treatment set against another
        return _rival_named(compared, "", brands, least=1)
    if phrase_id in NEEDS_RIVAL:
        than = _THAN.match(tail)
        if than:  # "fewer side effects than surgery" names its own object; "lasts longer than 6 months" none
            return not _NOT_A_RIVAL.match(tail, than.end())
        return _rival_named(text, before, brands)
    return True


def _rival_named(text: str, before: str, brands: re.Pattern[str] | None, least: int = 2) -> bool:
    """An alternative named in the sentence or the paragraph's text before it: a kind of treatment, or two
    different products (the one praised and the one it is set against; ``least``: 1 when the text is the
    compared part itself)."""
    context = f"{before} {text}"
    if _RIVAL.search(context):
        return True
    if brands is None:
        return False
    return len({m.group(0).lower() for m in brands.finditer(context)}) >= least

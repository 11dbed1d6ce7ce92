"""The claims analysis, run once per post by its context (the check is :mod:`checks.claims`): every
approval claim true and cited, off-label uses disclosed, no absolutes, fair balance.

Sentence by sentence, a claim is a product (named, or carried over by "it" / "these injections" from
the paragraph or the title), a use or condition from the knowledge base, and an approval word or a
benefit verb. Each claim is judged against the knowledge base (``content/policy/claims.yaml``); the
words are data too (``content/policy/claim-language.yaml``).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from checks.brand_spelling import BrandSpelling, brand_spelling
from checks.claim_comparisons import is_comparison_claim
from checks.claim_scope import negated, no_comparison
from checks.claims_kb import DEVICE_KINDS, ApprovedUse, Condition, Phrase, Product
from checks.corpus import Corpus
from checks.document import Block, Post
from checks.model import Finding, Rule, Severity, Span, finding
from checks.policy import Policy
from checks.prefilter import Gated, LiteralScan, gated, may_match_held
from checks.summary import Fact, PostSummary
from checks.text import Sentence, any_of, literal_alternation, sentences

CHECK = "claims"

_REF = "references:\n  - id: 1\n    title: BOTOX label\n    url: https://www.accessdata.fda.gov/drugsatfda_docs/label/2023/103000s5332lbl.pdf\n"
_HEAD = "---\ntitle: BOTOX for migraine\nslug: botox-migraine\ndate: 2024-05-01\n" + _REF + "---\n"
_RISK = ("\n\nSide effects include neck pain and headache. The boxed warning: the toxin can spread and cause "
         "trouble swallowing or breathing.\n")


CITATIONS = (
    "What counts as a citation: a numbered reference [n] whose id is in the post's front-matter `references`; a "
    "footnote mark [^x]; or a link to the label or an FDA record (prescribing-information PDF on fda.gov, "
    "DailyMed, Drugs@FDA, an FDA 510(k)/PMA/De Novo device record; domains in claim-language.yaml "
    "`authoritative_domains`), or to the maker's prescribing information (a label PDF on its own site, "
    "`label_links`), inline ([FDA label](url)) or as a reference link. It must stand in the claim's "
    "sentence or right after its full stop, or at the end of its list item. A link elsewhere in the post, a "
    "bare 'per the FDA' or a manufacturer's marketing page does not count.")


def _rule(id: str, name: str, severity: Severity, rationale: str, failing: str, passing: str,
          corpus: bool = False) -> Rule:
    details = CITATIONS if id in ("CLM003", "CLM006", "CLM011", "CLM015") else ""
    return Rule(id, name, CHECK, severity, rationale, failing, passing, corpus, details)


FALSE_APPROVAL = _rule(
    "CLM001", "false-approval", Severity.ERROR,
    "Calling a use, population or area FDA-approved when the label does not list it is misbranding.",
    _HEAD + "BOTOX is FDA-approved to treat teeth grinding [1]." + _RISK,
    _HEAD + "BOTOX is FDA-approved to prevent chronic migraine in adults [1]." + _RISK)
CLEARED_CALLED_APPROVED = _rule(
    "CLM002", "cleared-called-approved", Severity.ERROR,
    "A 510(k) device is cleared, never approved (21 CFR 807.97); compounded drugs are not FDA-approved.",
    _HEAD + "CoolSculpting is FDA-approved for a double chin." + _RISK,
    _HEAD + "CoolSculpting is FDA-cleared for a double chin." + _RISK)
UNCITED_APPROVAL = _rule(
    "CLM003", "uncited-approval", Severity.ERROR,
    "A true approval claim still needs its source (the label), so a reviewer and a reader can check it.",
    _HEAD + "BOTOX is FDA-approved to prevent chronic migraine in adults." + _RISK,
    _HEAD + "BOTOX is FDA-approved to prevent chronic migraine in adults [1]." + _RISK)
OFF_LABEL_UNDISCLOSED = _rule(
    "CLM004", "off-label-undisclosed", Severity.ERROR,
    "An off-label use may be offered, but presenting it as a treatment without saying so misleads.",
    _HEAD + "BOTOX injections also relieve teeth grinding." + _RISK,
    _HEAD + "BOTOX injections can relieve teeth grinding. This is an off-label use: the FDA has not "
            "approved BOTOX for it." + _RISK)
PROHIBITED_ABSOLUTE = _rule(
    "CLM005", "prohibited-absolute", Severity.ERROR,
    "Words like 'cure', 'guaranteed', '100% safe', 'painless' and 'permanent' promise what no treatment can.",
    _HEAD + "Our laser hair removal is painless and permanent." + _RISK,
    _HEAD + "Laser treatment gives permanent hair reduction, and the results of BOTOX are not permanent."
    + _RISK)
UNCITED_COMPARISON = _rule(
    "CLM006", "uncited-comparison", Severity.ERROR,
    "Comparative safety or superiority claims need head-to-head evidence, cited next to the claim.",
    _HEAD + "BOTOX is a safer alternative to opioids." + _RISK,
    _HEAD + "BOTOX is a safer alternative to opioids for some patients [1]." + _RISK)
MISSING_RISK = _rule(
    "CLM007", "missing-risk-information", Severity.ERROR,
    "Benefit claims for a prescription product need its risks too (fair balance, 21 CFR 202.1).",
    "---\ntitle: Kybella\nslug: kybella\ndate: 2024-05-01\n---\nKybella reduces fat under the chin.\n",
    "---\ntitle: Kybella\nslug: kybella\ndate: 2024-05-01\n---\nKybella reduces fat under the chin. "
    "Swelling and bruising are common side effects.\n")
MISSING_BOXED_WARNING = _rule(
    "CLM008", "missing-boxed-warning", Severity.ERROR,
    "Every botulinum toxin carries a boxed warning (spread of toxin effect) that patients must be told.",
    _HEAD + "BOTOX relieves neck spasms from cervical dystonia. Side effects include neck pain.\n",
    _HEAD + "BOTOX relieves neck spasms from cervical dystonia." + _RISK)
BRAND_TERMINOLOGY = _rule(
    "CLM009", "brand-terminology", Severity.WARNING,
    "A brand is a trademark: written as the maker writes it, never a verb or a name for rivals' products.",
    _HEAD + "Many patients get botoxed before a wedding." + _RISK,
    _HEAD + "Many patients have BOTOX Cosmetic before a wedding." + _RISK)
INCONSISTENT_FACT = _rule(
    "CLM010", "inconsistent-fact", Severity.WARNING,
    "Two posts that state the same fact differently (how long results last) confuse patients.",
    "==> posts/a.md <==\n---\ntitle: A\nslug: a\ndate: 2024-05-01\n---\nBOTOX results last 3 to 4 months.\n"
    "==> posts/b.md <==\n---\ntitle: B\nslug: b\ndate: 2024-05-01\n---\nBOTOX results last 6 to 8 months.\n",
    "==> posts/a.md <==\n---\ntitle: A\nslug: a\ndate: 2024-05-01\n---\nBOTOX results last 3 to 4 months.\n"
    "==> posts/b.md <==\n---\ntitle: B\nslug: b\ndate: 2024-05-01\n---\nBOTOX results last 3 to 4 months.\n",
    corpus=True)

_GLP = ("---\ntitle: Weight care\nslug: weight-care\ndate: 2024-05-01\n---\n")
_GLP_RISK = (" Side effects include nausea and vomiting; the boxed warning is about thyroid C-cell tumors.\n")
UNVERIFIABLE_APPROVAL = _rule(
    "CLM011", "unverifiable-approval", Severity.ERROR,
    "An approval claim naming no use, or a product the knowledge base does not list, cannot be checked "
    "(FD&C Act 502(a): false or misleading labeling).",
    _HEAD + "BOTOX is FDA-approved and has been trusted for decades." + _RISK,
    _HEAD + "BOTOX is FDA-approved to prevent chronic migraine in adults [1]." + _RISK)
OUTDATED_EXCLUSIVITY = _rule(
    "CLM012", "outdated-exclusivity", Severity.ERROR,
    "'The only FDA-approved treatment for Y' is false once another product is approved for Y (21 CFR "
    "202.1(e)(6): false or misleading).",
    _HEAD + "Jeuveau is the only FDA-approved treatment for frown lines." + _RISK,
    _HEAD + "Jeuveau is one of several FDA-approved treatments for frown lines [1]." + _RISK)
RISK_MINIMISED = _rule(
    "CLM013", "risk-minimised", Severity.ERROR,
    "Calling a treatment safe without its risks beside it minimises risk (FD&C Act 502(a), 21 CFR "
    "202.1(e)(5); the FTC Act needs support for safety claims).",
    _HEAD + "BOTOX injections are very safe and used safely for decades." + _RISK,
    _HEAD + "BOTOX injections are generally well tolerated; side effects include headache and drooping eyelids."
    + _RISK)
COMPOUNDED_SAMENESS = _rule(
    "CLM014", "compounded-sameness", Severity.ERROR,
    "A compounded or unapproved drug presented as the approved brand or its generic misleads (FD&C Act 502(a), "
    "502(bb); FDA's 2025 GLP-1 letters).",
    _GLP + "Our compounded semaglutide has the same active ingredient as Wegovy at a lower price." + _GLP_RISK,
    _GLP + "Compounded semaglutide is not FDA-approved and is not the same as Wegovy." + _GLP_RISK)
UNSUBSTANTIATED_EFFICACY = _rule(
    "CLM015", "unsubstantiated-efficacy", Severity.ERROR,
    "Efficacy claims ('clinically proven', 'lose 20 lbs in a month') need competent and reliable evidence, "
    "cited (FTC Act 5 and 12; 21 CFR 202.1(e)(6)).",
    _GLP + "Our clinically proven program helps you lose 20 lbs in a month." + _GLP_RISK,
    _GLP + "In the clinical trial, adults lost 15% of body weight on average over 68 weeks [1].\n\n[1]: "
           "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=ee06186f-2aa3-4990-a760-757579d8f77b\n")
UNAPPROVED_DISEASE_CLAIM = _rule(
    "CLM016", "unapproved-disease-claim", Severity.ERROR,
    "Saying an unapproved product prevents or treats an illness (COVID-19, flu, cancer) or detoxes the body "
    "is unsubstantiated (FTC Act 5 and 12; FD&C Act 502(a)).",
    "---\ntitle: IV drips\nslug: iv\ndate: 2024-05-01\n---\nOur IV vitamin drips boost immunity against "
    "COVID-19 and the flu.\n",
    "---\ntitle: IV drips\nslug: iv\ndate: 2024-05-01\n---\nIV vitamin drips are not FDA-approved to "
    "prevent or treat COVID-19 or the flu.\n")
BROADENED_INDICATION = _rule(
    "CLM017", "broadened-indication", Severity.ERROR,
    "An approved use stretched in area, degree or time overstates the label (21 CFR 202.1(e)(6)(i); FD&C Act "
    "502(a)).",
    _HEAD + "BOTOX Cosmetic is FDA-approved to erase wrinkles anywhere on the face." + _RISK,
    _HEAD + "BOTOX Cosmetic is FDA-approved for moderate to severe frown lines in adults [1]." + _RISK)
FALSE_SUBSTANTIATION = _rule(
    "CLM018", "false-substantiation", Severity.ERROR,
    "'FDA-registered', an 'FDA-approved facility' or an uncited 'backed by studies' implies approval or evidence "
    "the product lacks (FD&C Act 301(p); FTC Act 5).",
    _GLP + "Our semaglutide comes from an FDA-registered pharmacy." + _GLP_RISK,
    _GLP + "Our semaglutide is compounded by a state-licensed pharmacy; compounded drugs are not FDA-approved."
    + _GLP_RISK)
DEVICE_BEYOND_CLEARANCE = _rule(
    "CLM019", "device-beyond-clearance", Severity.ERROR,
    "A 510(k) device promoted for a use outside its clearance is adulterated and misbranded (FD&C Act 501(f), "
    "502(o)).",
    "---\ntitle: CoolSculpting\nslug: cs\ndate: 2024-05-01\n---\nCoolSculpting helps with weight loss. "
    "Side effects include redness and numbness.\n",
    "---\ntitle: CoolSculpting\nslug: cs\ndate: 2024-05-01\n---\nCoolSculpting is not a weight-loss "
    "treatment. Side effects include redness and numbness.\n")

RULES = (FALSE_APPROVAL, CLEARED_CALLED_APPROVED, UNCITED_APPROVAL, OFF_LABEL_UNDISCLOSED, PROHIBITED_ABSOLUTE,
         UNCITED_COMPARISON, MISSING_RISK, MISSING_BOXED_WARNING, BRAND_TERMINOLOGY, INCONSISTENT_FACT,
         UNVERIFIABLE_APPROVAL, OUTDATED_EXCLUSIVITY, RISK_MINIMISED, COMPOUNDED_SAMENESS, UNSUBSTANTIATED_EFFICACY,
         UNAPPROVED_DISEASE_CLAIM, BROADENED_INDICATION, FALSE_SUBSTANTIATION, DEVICE_BEYOND_CLEARANCE)

CLAIM_TAGS = frozenset({"p", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "figcaption",
                        "caption", "summary"})
APPROVED_KINDS = frozenset({"biologic", "drug", "pma-device"})
_TERMS = frozenset({"tags", "categories", "slug"})  # written as slugs ("botox"): no brand spelling to judge


# ---------------------------------------------------------------------------------------------------
# Compiled knowledge


def _union(patterns: Iterable[str]) -> re.Pattern[str] | None:
    parts = [f"(?:{p})" for p in patterns]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _names_pattern(names: Iterable[str], gate: bool) -> Gated | None:
    """Any of ``names`` as a word (plural and possessive allowed). ``gate``: with the gate that every match
    holds the first letters of a name's (longest) ASCII part, known from the names: reading it from a pattern
    of hundreds of names costs the one-post editor loop 30 ms, more than its gate saves it."""
    ordered = sorted({n for n in names if n}, key=len, reverse=True)
    if not ordered:
        return None
    # NFKC writes "Botox™" as "BotoxTM": the mark after a name is no other word
    pattern = re.compile(r"(?<![\w-])(?:" + literal_alternation(ordered) + r")(?:e?s)?(?:['’]s)?(?=(?-i:TM)?(?![\w-]))",
                         re.IGNORECASE)
    if not gate:
        return Gated(pattern, read=False)
    parts = [max(_ASCII_RUN.findall(name), key=len, default="").lower()[:4] for name in ordered]
    return Gated(pattern, frozenset(parts)) if all(parts) else Gated(pattern)


_ASCII_RUN = re.compile(r"[\x00-\x7f]+")


@dataclass
class Knowledge:
    """The knowledge base and claim language, compiled. The patterns the checks run on every sentence are
    :class:`checks.prefilter.Gated`: a cheap literal test first, the same answers."""

    products: dict[str, Product]
    conditions: dict[str, Condition]
    product_names: dict[str, str]  # lowercase name -> product id
    condition_names: dict[str, str]  # lowercase synonym -> condition id
    product_re: Gated | None
    condition_re: Gated | None
    approval: Gated | None
    clearance: Gated | None
    negation: Gated | None
    disclosure: Gated | None
    benefit: Gated | None
    benefit_negation: Gated | None
    subject: Gated | None
    children: Gated | None
    risk: Gated | None
    prohibited: list[tuple[Phrase, Gated, re.Pattern[str] | None]]
    comparative: list[tuple[Phrase, Gated, re.Pattern[str] | None]]
    facts: dict[str, Gated]
    domains: tuple[str, ...]
    narrower: dict[str, set[str]] = field(default_factory=dict)  # condition -> conditions it is broader than
    brands: dict[str, Product] = field(default_factory=dict)  # lowercase brand -> product
    brand_verb: Gated | None = None  # "botoxed"
    brand_generic: Gated | None = None  # "a type of Botox"
    brand_names: Gated | None = None  # any brand, anywhere: neither of the above without one
    spelling: BrandSpelling | None = None  # "Zepbond", "Cool Sculpting": one letter or a space off
    claim_words: Gated | None = None  # approval, clearance or benefit words (see checks.text.any_of)
    phrase_words: Gated | None = None  # prohibited or comparative phrases (see checks.text.any_of)
    readings: tuple[tuple[re.Pattern[str], str], ...] = ()  # area phrase -> the one condition it names
    reading_words: Gated | None = None  # any of the readings (one test before trying each)
    claiming_questions: Gated | None = None  # questions that still claim ("Did you know ...?")
    wording: Gated | None = None  # a sentence about wording: its quoted approval words are mentions
    condition_reference: Gated | None = None  # "these symptoms", "those areas": the conditions named just before
    class_reference: Gated | None = None  # "Neurotoxins are used for ...": every product the post named before
    heading_use: Gated | None = None  # in a heading, "BOTOX for TMJ" claims the use
    topic_titles: Gated | None = None  # "...: Your Questions Answered": a title that introduces, not offers
    # issue 22 (CLM011-CLM019)
    safety: list[tuple[Phrase, Gated, re.Pattern[str] | None]] = field(default_factory=list)
    sameness: list[tuple[Phrase, Gated, re.Pattern[str] | None]] = field(default_factory=list)
    efficacy: list[tuple[Phrase, Gated, re.Pattern[str] | None]] = field(default_factory=list)
    substantiation: list[tuple[Phrase, Gated, re.Pattern[str] | None]] = field(default_factory=list)
    risk_statement: Gated | None = None
    compounded_context: Gated | None = None
    disease: Gated | None = None
    disease_claim: Gated | None = None
    unlisted: Gated | None = None
    unapproved_classes: Gated | None = None  # NAD+, peptides, pellets, exosomes: no approval for clinic uses
    wellness_uses: Gated | None = None  # "more energy", "better sleep": uses the conditions do not list
    other_treatments: Gated | None = None  # "vaccination", "antiviral medicines": a sentence's own subject
    broadened: Gated | None = None
    approval_places: re.Pattern[str] | None = None
    general: Gated | None = None  # "when a drug gets FDA approval, ...": about drugs in general
    use_kinds: Gated | None = None  # "approved for cosmetic use": a kind of use, not none
    label_links: re.Pattern[str] | None = None  # a maker's prescribing information on its own domain
    beyond_clearance: Gated | None = None  # uses no clinic device is cleared for
    reasons: Gated | None = None  # one literal gate before the unlisted, disease and device-use tests
    list_gates: dict[str, Gated | None] = field(default_factory=dict)  # per phrase list: its phrases' union gate
    phrase_scan: LiteralScan | None = None  # every phrase gate and list gate read in one pass of a sentence
    device_words: Gated | None = None
    unapproved_ids: frozenset[str] = frozenset()  # products of kind not-approved (PRP, IV drips)
    subject_word: Gated | None = None  # the subject references but bare "it" / "they": "injections", "our tox"
    unapproved_biologics: Gated | None = None  # umbilical cord, amniotic, "stem cell derived": offered is a finding
    tissue_effects: Gated | None = None  # "new collagen", "fibroblasts": a device claim continued (CLM019)


def knowledge(policy: Policy) -> Knowledge:
    """The policy's knowledge base and claim language, compiled once per policy object (kept on it)."""
    return policy.compiled("claims", _compile)


def _compile(policy: Policy) -> Knowledge:
    kb, words = policy.kb, policy.claim_language
    product_names = {n.lower(): p.id for p in kb.products for n in p.names}
    condition_names: dict[str, str] = {}
    for condition in kb.conditions:
        for name in (condition.name, *condition.synonyms):
            condition_names.setdefault(name.lower(), condition.id)
    narrower: dict[str, set[str]] = {}
    for condition in kb.conditions:
        for broader in condition.broader:
            narrower.setdefault(broader, set()).add(condition.id)
    changed = True
    while changed:  # transitive: headache > migraine > chronic migraine
        changed = False
        for children in narrower.values():
            grandchildren = set().union(*(narrower.get(c, set()) for c in children)) - children
            if grandchildren:
                children |= grandchildren
                changed = True

    def phrases(items: Iterable[Phrase]) -> list[tuple[Phrase, Gated, re.Pattern[str] | None]]:
        # each phrase behind its own literal gate: most sentences hold none of its letters ("safe", "proven")
        return [(p, Gated(re.compile(p.pattern, re.IGNORECASE)), _union(p.allowed)) for p in items]

    brands = {p.brand.lower(): p for p in kb.products if p.brand}
    names = literal_alternation(sorted(brands, key=len, reverse=True))
    brand_verb = re.compile(rf"\b(?P<brand>{names})(?:ed|ing|es|['’]d)\b", re.IGNORECASE) if brands else None
    brand_generic = re.compile(rf"\b(?:types?|kinds?|brands?|forms?|versions?) of (?P<a>{names})\b"
                               rf"|\b(?P<b>{names}) (?:brands?|types?|products?)\b", re.IGNORECASE) if brands else None
    approval, clearance, benefit = _union(words.approval), _union(words.clearance), _union(words.benefit)
    prohibited, comparative = phrases(words.prohibited), phrases(words.comparative)
    safety, sameness = phrases(words.safety), phrases(words.sameness)
    efficacy, substantiation = phrases(words.efficacy), phrases(words.substantiation)
    readings = tuple((re.compile(r.pattern, re.IGNORECASE), r.condition) for r in words.area_readings)
    list_gates = {name: gated(any_of(*(gate.regex for _, gate, _ in items))) for name, items in (
        ("prohibited", prohibited), ("comparative", comparative), ("safety", safety), ("sameness", sameness),
        ("efficacy", efficacy), ("substantiation", substantiation))}
    return Knowledge(
        readings=readings, reading_words=gated(any_of(*(pattern for pattern, _ in readings))),
        claiming_questions=gated(_union(words.claiming_questions)), wording=gated(_union(words.wording)),
        condition_reference=gated(_union(words.condition_reference)),
        class_reference=gated(_union(words.class_reference)), heading_use=gated(_union(words.heading_use)),
        topic_titles=gated(_union(words.topic_titles)),
        brands=brands, brand_verb=gated(brand_verb), brand_generic=gated(brand_generic),
        brand_names=gated(re.compile(names, re.IGNORECASE) if brands else None),
        spelling=brand_spelling({p.brand: p.names for p in brands.values()}, words.brand_lookalike_words),
        claim_words=gated(any_of(approval, clearance, benefit)),
        phrase_words=gated(any_of(*(gate.regex for _, gate, _ in (*prohibited, *comparative, *safety, *sameness,
                                                                   *efficacy, *substantiation)))),
        safety=safety, sameness=sameness, efficacy=efficacy, substantiation=substantiation,
        risk_statement=gated(_union(words.risk_statement)), compounded_context=gated(_union(words.compounded_context)),
        disease=gated(_union(words.disease)), disease_claim=gated(_union(words.disease_claim)),
        unlisted=gated(_union(words.unlisted_products)),
        unapproved_classes=gated(_union(words.unapproved_classes)),
        wellness_uses=gated(_union(words.wellness_uses)),
        other_treatments=gated(_union(words.other_treatments)), broadened=gated(_union(words.broadened)),
        approval_places=_union(words.approval_places), general=gated(_union(words.general)),
        use_kinds=gated(_union(words.approval_use_kinds)),
        beyond_clearance=gated(_union(words.beyond_clearance)), label_links=_union(words.label_links),
        device_words=gated(_union(words.device_words)),
        unapproved_biologics=gated(_union(words.unapproved_biologics)),
        tissue_effects=gated(_union(words.tissue_effects)),
        list_gates=list_gates, phrase_scan=_phrase_scan(list_gates.values(), prohibited, comparative, safety,
                                                        sameness, efficacy, substantiation),
        reasons=gated(any_of(_union(words.unlisted_products), _union(words.disease), _union(words.beyond_clearance),
                             _union(words.unapproved_classes), _union(words.unapproved_biologics))),
        unapproved_ids=frozenset(p.id for p in kb.products if p.kind == "not-approved"),
        products=_with_molecules(kb.products), conditions={c.id: c for c in kb.conditions},
        product_names=product_names, condition_names=condition_names,
        product_re=_names_pattern(product_names, gate=True),
        condition_re=_names_pattern(condition_names, gate=False),  # asked only of sentences that may claim
        approval=gated(approval), clearance=gated(clearance), negation=gated(_union(words.negation)),
        disclosure=gated(_union(words.off_label_disclosure)), benefit=gated(benefit),
        benefit_negation=gated(_union(words.benefit_negation)),
        subject=gated(_union(words.subject_reference)), children=gated(_union(words.population_children)),
        # the nouns a clinic calls its product by: what a later paragraph names it with (not "it", a fragment's
        # opening or a passive: those refer within their paragraph, and their weak literals would gate nothing)
        subject_word=gated(_union(p for p in words.subject_reference if p not in ("\\bit\\b", "\\bthey\\b")
                                  and not p.startswith("^") and "be (?:" not in p)),
        risk=gated(_union(words.risk)), prohibited=prohibited, comparative=comparative,
        facts={name: Gated(re.compile(p, re.IGNORECASE)) for name, p in words.facts.items()},
        domains=words.authoritative_domains, narrower=narrower)


def _phrase_scan(list_gates: Iterable[Gated | None],
                 *lists: list[tuple[Phrase, Gated, re.Pattern[str] | None]]) -> LiteralScan | None:
    """One scan for the gates of every phrase and of every list."""
    needs = [gate.need for gate in list_gates if gate is not None]
    needs += [gate.need for items in lists for _, gate, _ in items]
    return LiteralScan([n for n in needs if n]) if any(needs) else None


def _with_molecules(products: Iterable[Product]) -> dict[str, Product]:
    """Products by id; a molecule (semaglutide) gets the approved uses and boxed warning of its brands."""
    found = {p.id: p for p in products}
    for product in list(found.values()):
        brands = [found[b] for b in product.molecule_of]
        if brands:
            found[product.id] = product.model_copy(update={
                "approved_uses": tuple(u.model_copy(update={"checked_on": b.checked(u)})  # the brand's date
                                       for b in brands for u in b.approved_uses),
                "boxed_warning": product.boxed_warning or next((b.boxed_warning for b in brands if b.boxed_warning),
                                                               None)})
    return found


# ---------------------------------------------------------------------------------------------------
# Analysis


@dataclass
class Claim:
    sentence: Sentence
    product: str
    condition: str | None
    kind: str  # approval | clearance | benefit
    verdict: str  # ok | false-approval | cleared-called-approved | uncited-approval | off-label-undisclosed
    kb_says: str
    source: str = ""
    cited: bool = False
    disclosed: bool = False
    span: tuple[int, int] | None = None
    modality: str = "asserted"  # asserted | hedged | negated | hypothetical | disclosed
    evidence: str = ""  # what cites it: "reference [1]", "footnote [^a]", "link dailymed.nlm.nih.gov"


@dataclass
class Analysis:
    claims: list[Claim] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


_POSSESSIVE = re.compile(r"['’]s$")


def _lookup(text: str, names: dict[str, str]) -> str | None:
    """The id for a matched name, allowing a plural or possessive ending."""
    key = _POSSESSIVE.sub("", text.lower())
    for candidate in (key, key[:-1] if key.endswith("s") else None, key[:-2] if key.endswith("es") else None):
        if candidate and candidate in names:
            return names[candidate]
    return None


def _mentions(pattern: Gated | None, names: dict[str, str], text: str) -> list[tuple[str, int, int]]:
    if pattern is None:
        return []
    found = []
    for match in pattern.finditer(text):
        found_id = _lookup(match.group(0), names)
        if found_id:
            found.append((found_id, match.start(), match.end()))
    return found


class Reading:
    """A post as the claims analysis reads it: its sentences (``sentences``: the post's context splits each block
    once for every check) and the products each of its texts names, found once (the claims and the facts)."""

    def __init__(self, post: Post, sentences: Callable[[Block], tuple[Sentence, ...]] | None = None) -> None:
        self.post = post
        self.sentences = sentences or _splitter()
        self.products: dict[tuple[int, str], list[tuple[str, int, int]]] = {}


def _splitter() -> Callable[[Block], tuple[Sentence, ...]]:
    """Each block split into sentences once, for a post read without a context (tests, benchmarks)."""
    split: dict[int, tuple[Sentence, ...]] = {}

    def of(block: Block) -> tuple[Sentence, ...]:
        found = split.get(id(block))  # the post holds its blocks: an id stays theirs while it lives
        if found is None:
            found = split[id(block)] = tuple(sentences(block))
        return found

    return of


def _products(reading: Reading, k: Knowledge, text: str) -> list[tuple[str, int, int]]:
    """The products a text of the post names, found once per post (the claims and the facts read them)."""
    found = reading.products
    key = (id(k), text)  # one reading, one policy: the key guards against another knowledge base all the same
    if key not in found:
        mentions = _mentions(k.product_re, k.product_names, text)
        if len(mentions) > 1 and any(k.products[m[0]].molecule_of for m in mentions):
            # "Ozempic (semaglutide)", "semaglutide, sold as Wegovy": the brand beside the molecule is the product
            mentions = [m for m in mentions if not k.products[m[0]].molecule_of or not any(
                o[0] in k.products[m[0]].molecule_of and (0 <= m[1] - o[2] <= 30 or 0 <= o[1] - m[2] <= 30)
                for o in mentions)]
        found[key] = mentions
    return found[key]


def _compounded(products: list[tuple[str, int, int]], k: Knowledge, context: bool) -> list[tuple[str, int, int]]:
    """In a paragraph or post about compounding, the molecule named alone is the compounded product."""
    if not context or not any(k.products[p].compounded_as for p, _, _ in products):
        return products
    return [(k.products[p].compounded_as or p, a, b) for p, a, b in products]


def _title(post: Post) -> str:
    """The title as a reader reads it (tags dropped, entities decoded, normalised: see checks.normalise)."""
    return next((b.text for b in post.extras if b.where == "title"), post.title)


def _search(pattern: Gated | None, text: str) -> re.Match[str] | None:
    return pattern.search(text) if pattern else None


def analyze(post: Post, policy: Policy, reading: Reading | None = None) -> Analysis:
    """Every claim in the post, judged, and the findings they give (the post's context keeps the result:
    the disclaimers check asks too)."""
    reading = reading or Reading(post)
    post = reading.post
    result = Analysis()
    if not post.readable or not (post.blocks or post.extras):
        return result
    k = knowledge(policy)
    misspelt = k.spelling is not None and k.spelling.may_hold(post.text)  # a near-miss brand spelling anywhere
    # every text a reader sees: the prose, and the title, summary, code, alt text, title attributes...
    blocks = [*(b for b in post.blocks if b.tag in CLAIM_TAGS), *post.extras]
    title = _title(post)
    title_compounding = bool(_search(k.compounded_context, title))
    # a post whose title or a heading is about compounding ("## What is compounded tirzepatide?")
    about_compounding = title_compounding or any(
        b.is_heading and _search(k.compounded_context, b.text) for b in post.blocks)
    title_product = next((p for p, _, _ in _compounded(_products(reading, k, title), k, title_compounding)), None)
    notes = _footnotes(post.text)
    sections = _sections(post)
    citations = _citations(post, k)
    # a post about an unapproved product (an IV drip, PRP, peptides): its disease claims need no product named
    post_unapproved = title_product in k.unapproved_ids or bool(_search(k.unlisted, title))
    # a post about an unapproved class ("Bioidentical hormone pellets"): its list items claim for it
    title_class = bool(_search(k.unapproved_classes, title)) and not _search(k.topic_titles, title)
    lead_text = ""
    topic: list[str] = []  # the conditions the body named last: what "It works well for teens" is about
    recent: str | None = None  # the product the body named last
    lead: str | None = None  # the product of a lead-in ("Patients come to us for:") its list items continue
    named: dict[str, None] = {}  # every product the body named so far: what "neurotoxins" stand for
    lead_all: list[str] = []  # ... and all of them when the lead-in names their class ("Toxins treat:")
    section = _Section()  # what the current section (since the last heading) is about (issue 22)
    # the H1 that repeats the title carries its claims once, where the reader sees them in the body
    shown = title.strip().lower()
    repeated = any(b.tag == "h1" and b.text.strip().lower() == shown for b in post.blocks)
    title_words = set(re.findall(r"[a-z0-9]+", shown))
    for block in blocks:
        if (repeated and block.where == "title") or (block.where == "slug" and title_words.issuperset(
                re.findall(r"[a-z0-9]+", block.text.lower()))):
            continue  # said once: an address made of the title's words says nothing the title does not
        # "it" refers to the product named last before it (in this paragraph or one before), else the title's
        last_product = title_product
        before = recent if recent != title_product else None  # a product of an earlier paragraph
        last_named: list[str] = [title_product] if title_product else []  # "both of these medicines"
        if block.tag != "li":
            lead, lead_all = None, []
        block_disclosed = bool(_search(k.disclosure, block.text))
        section.enter(block, k)
        brands = k.brand_names is None or bool(k.brand_names.search(block.text))  # sentences are parts of it
        compounding: bool | None = None  # the paragraph is about compounding: read when a molecule is named
        for sentence in reading.sentences(block):
            text = sentence.text
            # the molecule is the compounded product when the sentence says so, or speaks of the clinic's own
            # ("our semaglutide") in a paragraph or post about compounding
            products = _products(reading, k, text)
            if before and not products and (_OPENS_WITH_IT.match(text) or _names_by_word(text, k)):
                last_product = before  # "It works well for teens, too." opening the next paragraph
            if any(k.products[p].compounded_as for p, _, _ in products):
                if compounding is None:
                    compounding = title_compounding or bool(_search(k.compounded_context, block.text))
                products = _compounded(products, k, bool(_search(k.compounded_context, text)) or (
                    compounding and bool(_OURS.search(text))))
            question = text.rstrip().endswith("?") and not _search(k.claiming_questions, text)
            listed = block.tag == "li" and lead is not None
            class_all = lead_all if listed else []
            if not products and not listed and named and _search(k.class_reference, text):
                class_all = list(named)  # "Neurotoxins are commonly used to treat ..."
                last_product = class_all[-1]
            headline = block.is_heading or block.where == "title"  # a title is read as a heading: "Botox for TMJ"
            may_claim = not question and (listed or _may_claim(text, products, last_product, k, headline))
            # the union's literal gate only: running the union itself costs more than the phrases' own gates
            phrased = k.phrase_words is None or k.phrase_words.may_match(text)
            if may_claim or phrased:  # where the sentence stands, with its citations: only for these two
                span = _with_trailing_citations(post.text, block.source_range(sentence.start, sentence.end))
                raw = post.text[span[0] : span[1]] if span else text
                cited = _cited(raw, span, citations)
                if may_claim:
                    conditions = _eligibility(_read_areas(_mentions(k.condition_re, k.condition_names, text), text,
                                                          k), text, k)
                    if not conditions:
                        conditions = _referred_conditions(reading, block, sentence, k)
                    disclosed = block_disclosed or _linked_disclosure(raw, notes, sections, k)
                    if (block.where == "title" or block.tag == "h1") and not disclosed:
                        disclosed = bool(_search(k.disclosure, post.text))  # a headline speaks for the post
                    claims = _claims(sentence, text, products, conditions, lead if listed else last_product, k,
                                     cited, disclosed, listed, class_all or last_named, topic, bool(class_all))
                    if listed and _not_a_benefit_item(lead_text, text, k):
                        claims = []
                    _use_beside(claims, post, block, text, k)
                    claims = _respective(claims, products)
                    if conditions and block.where == "body":
                        topic = [c for c, _, _ in conditions]
                    evidence = _evidence(raw, span, citations, post) if cited and claims else ""
                    modality = _modality(text, k) if claims else ""
                    items = _item_lines(text) if "\n" in text else {}
                    if items and any(_item_of(c.condition, conditions, items) for c in claims):
                        # "used for pain associated with:" - the items under the lead-in name the uses it claims
                        lead_end = min(items)
                        claims = [c for c in claims if not text[:lead_end].rstrip().endswith(":") or not any(
                            c2 == c.condition and start < lead_end for c2, start, _ in conditions)]
                    for claim in claims:
                        claim.span, claim.evidence = span, evidence
                        where = _item_of(claim.condition, conditions, items)
                        if where is not None:  # a list written under its lead-in without a blank line
                            claim.span = block.source_range(sentence.start + where[0], sentence.start + where[1])
                        claim.modality = "disclosed" if claim.disclosed and claim.kind == "benefit" else modality
                    result.claims.extend(claims)
                if phrased:
                    result.findings.extend(_phrases(post, sentence, cited, k, products, question,
                                                    about_compounding))
            reasons = not question and (k.reasons is None or k.reasons.may_match(text))
            carried = section.unapproved_class and block.where == "body"
            if not question and not products and (reasons or (block.tag == "li" and title_class) or carried):
                result.findings.extend(_unapproved_benefit(post, sentence, k, block_disclosed, title_class, lead_text,
                                                           carried))
            if reasons:
                result.findings.extend(_unlisted_approval(post, sentence, products, k, citations))
                result.findings.extend(_disease_claim(post, sentence, products, last_product, k, post_unapproved))
                device = list(_beyond_clearance(post, sentence, products, last_product, k, title))
                section.beyond_clearance = section.beyond_clearance or bool(device)
                result.findings.extend(device)
                if not question:
                    result.findings.extend(_unapproved_biologic(post, sentence, k))
            elif section.beyond_clearance and not question:
                result.findings.extend(_device_claim_continued(post, sentence, products, k))
            if block.where not in _TERMS:
                result.findings.extend(_terminology(post, sentence, products, k, brands, misspelt))
            if products:
                if block.where == "body":
                    named.update(dict.fromkeys(p for p, _, _ in products))
                last_product = products[-1][0]
                before = None
                if block.where == "body":
                    recent = last_product
                last_named = list(dict.fromkeys(p for p, _, _ in products))
        if block.tag != "li" and block.where == "body":
            lead_text = block.text  # what a list below continues: "## Benefits women report", "Risks:"
        if _leads_a_list(reading, block, k):
            lead = last_product or recent or _first_product(reading, k)  # "Our patients come to us for:": each
            lead_all = list(named) if named and _search(k.class_reference, block.text) and not _products(
                reading, k, block.text) else []
            # item below claims for it (for the product the post names next, when none was named before)
    result.findings.extend(_claim_findings(post, result.claims, k))
    result.findings.extend(_fair_balance(reading, result.claims, k, result.findings))
    result.findings = _one_reason(result.findings)
    return result


# a list item that says what the product is not or must not do: "- Has not been studied with weight-loss drugs"
_NOT_CLAIMED = re.compile(r"\b(?:not|never|no|avoid)\b|n[’']t\b", re.IGNORECASE)


def _names_by_word(text: str, k: Knowledge) -> bool:
    """The sentence names a product by the clinic's word for it ("a few tiny injections", "our tox"), not only by
    "it" or "they": the word stands for the product an earlier paragraph named, for a benefit it claims (an approval
    said of "the device" or "the medicine" paragraphs later is too loose a reference to judge)."""
    return bool(_search(k.subject_word, text)) and not _search(k.approval, text) and not _search(k.clearance, text)


def _leads_a_list(reading: Reading, block: Block, k: Knowledge) -> bool:
    """A lead-in whose list items each claim a use for its product: a paragraph ending in a colon ("Our patients
    come to us for:") or a heading that names a product ("## Reasons to consider dermal fillers"), but not one
    that introduces risks or says what the product is not ("The side effects ... can include:")."""
    if block.tag == "li" or block.where != "body":
        return False
    text = block.text
    if not text.rstrip().endswith(":") and not (block.is_heading and (
            _products(reading, k, text) or _search(k.subject, text))):
        return False
    return not (_search(k.risk, text) or _search(k.negation, text))


_NO_APPROVAL_COVERS = "no FDA approval covers this use"  # a benefit of an unapproved class
_ITEM_LINE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,2}[.)])[ \t]+\S.*$", re.MULTILINE)


def _item_lines(text: str) -> dict[int, int]:
    """Start -> end of each list-item line inside one paragraph's sentence: items written right under a
    lead-in ("used for:\n- neck pain") with no blank line between stay in the lead-in's paragraph."""
    return {m.start(): m.end() for m in _ITEM_LINE.finditer(text) if m.start() > 0}


def _item_of(condition: str | None, conditions: list[tuple[str, int, int]],
             items: dict[int, int]) -> tuple[int, int] | None:
    """The list-item line where the sentence names ``condition``: each item is its own claim, on its line."""
    if not items or condition is None:
        return None
    at = next((start for c, start, _ in conditions if c == condition), None)
    if at is None:
        return None
    return next(((a, b) for a, b in items.items() if a <= at < b), None)


# where a line has the specific reason, the generic one is not reported again ("IV drips fight the flu" is an
# unapproved disease claim, not also an undisclosed off-label use; a stretched approval is not also 'false')
_SPECIFIC = {"CLM016": {"CLM004"}, "CLM014": {"CLM011", "CLM003"},
             "CLM017": {"CLM001", "CLM003"}, "CLM019": {"CLM004"}, "CLM012": {"CLM006", "CLM003"},
             "CLM005": {"CLM013"}}


def _one_reason(findings: list[Finding]) -> list[Finding]:
    lines: dict[int | None, set[str]] = {}
    for f in findings:
        lines.setdefault(f.line, set()).add(f.rule)
    dropped = {(line, generic) for line, rules in lines.items() if line is not None
               for rule in rules for generic in _SPECIFIC.get(rule, ())}
    return [f for f in findings if (f.line, f.rule) not in dropped]


def _first_product(reading: Reading, k: Knowledge) -> str | None:
    """The first product the post's body names."""
    for block in reading.post.blocks:
        if k.product_re is not None and k.product_re.may_match(block.text):
            found = _products(reading, k, block.text)
            if found:
                return found[0][0]
    return None


def _claims(sentence: Sentence, text: str, products: list[tuple[str, int, int]],
            conditions: list[tuple[str, int, int]], carried: str | None, k: Knowledge, cited: bool,
            disclosed: bool, listed: bool = False, carried_all: list[str] | None = None,
            topic: list[str] | None = None, every: bool = False) -> list[Claim]:
    """The sentence's claims (the caller checked _may_claim first). ``listed``: a list item under a lead-in
    that names ``carried`` ("Patients come to us for:"): each item it lists is a benefit claim for it."""
    approval = _used(k.approval, text, k)
    clearance = _used(k.clearance, text, k)
    benefit = _benefit(text, k)
    if not benefit and products and (sentence.block.is_heading or sentence.block.where == "title") and \
            (sentence.block.is_heading or not _search(k.topic_titles, text)):  # "...: your questions answered"
        benefit = _search(k.heading_use, text)
    if listed and conditions and not (approval or clearance or benefit) and not _NOT_CLAIMED.search(text):
        benefit = True
    if not (approval or clearance or benefit):
        return []
    subject = None
    if not products and (listed or every or _search(k.subject, text)) and not _search(k.general, text):
        subject = carried
    if not products and subject is None:
        return []
    negated = bool(_search(k.negation, text))
    mentioned = {c for c, _, _ in conditions}
    conditions = [c for c in conditions if not k.narrower.get(c[0], set()) & mentioned]  # most specific only
    claims = []
    # "Both of these medicines": every product the sentence before named
    subjects = carried_all if subject and carried_all and len(carried_all) > 1 and (every or _BOTH.search(text)) \
        else [subject]
    pairs = [pair for s in subjects for pair in _pair(products, conditions, s, text)]
    block = sentence.block
    if not conditions and (approval or clearance) and not negated and block.where == "body" \
            and not block.is_heading:  # "## What it is approved for" introduces, it does not claim
        claims.extend(_bare_approval(sentence, p, bool(approval and not clearance), k, cited) for p in
                      sorted({p for p, _, _ in products} | ({subject} if subject else set())))
    if not conditions and benefit and not approval and not negated and (products or subject):
        # "It works well for teens too": a benefit claimed for a population the label leaves out
        for product_id in sorted({p for p, _, _ in products} | ({subject} if subject else set())):
            young = _population_below(k.products[product_id], text, k)
            if young and not disclosed:
                claims.append(Claim(sentence, product_id, None, "benefit", "off-label-undisclosed", young))
            elif topic and not disclosed:  # the use the text was about: "It works well for teens" after sweating
                claims.extend(c for c in (_judge(sentence, k.products[product_id], condition_id, "benefit", cited,
                                                 False, text, k) for condition_id in topic)
                              if c.verdict == "off-label-undisclosed" and c.kb_says.startswith("approved for"))
    for product_id, condition_id in pairs:
        product = k.products[product_id]
        kind = "approval" if approval and not negated else "clearance" if clearance and not negated else "benefit"
        if negated and not benefit:
            continue
        claims.append(_judge(sentence, product, condition_id, kind, cited, disclosed, text, k))
    found = [c for c in claims if c is not None]
    if not listed and not every:  # a list under a class ("Toxins treat:") claims each item for every product
        found = _respectively(found)
    if (approval or clearance) and not negated and _search(k.broadened, text):
        for claim in found:  # "approved for wrinkles anywhere on the face": the approval itself stretched
            if claim.kind in ("approval", "clearance") and claim.verdict in ("ok", "uncited-approval", "false-approval",
                                                                            "unverifiable-approval"):
                claim.verdict = "broadened-indication"
    return found


def _respectively(claims: list[Claim]) -> list[Claim]:
    """ "Wegovy and Ozempic treat obesity and type 2 diabetes": coordinated products with coordinated uses, each
    use on the label of one of them, read respectively. A product's use is not off-label when another product of
    the sentence is approved for it and the product's own approved use is named beside it."""
    benefits = [c for c in claims if c.kind == "benefit" and c.condition]
    if len({c.product for c in benefits}) < 2:
        return claims
    covered = {c.condition for c in benefits if c.verdict == "ok"}
    own = {c.product for c in benefits if c.verdict == "ok"}
    return [c for c in claims if not (c in benefits and c.verdict == "off-label-undisclosed"
                                      and c.condition in covered and c.product in own)]


_ANOTHER = re.compile(r"\s+(?:brand|version|original|product|medication|drug|medicine)s?\b", re.IGNORECASE)
_OPENS_WITH_IT = re.compile(r"\W*(?:it|they|both of (?:these|them)|(?:perfect|great|ideal|best|good) for)\b",
                            re.IGNORECASE)
_OURS = re.compile(r"\b(?:our|we|us|members?)\b", re.IGNORECASE)
_BOTH = re.compile(r"\b(?:both|each of|all of (?:these|them)|these (?:two|three))\b", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“][^\"“”]{1,80}[\"”]")


def _used(pattern: Gated | None, text: str, k: Knowledge) -> re.Match[str] | None:
    """The first match of ``pattern`` the sentence uses: in a sentence about wording (one that explains why
    the right word for a laser is "cleared", not "approved"), words in quotation marks are mentioned, not used."""
    if pattern is None:
        return None
    quoted = [m.span() for m in _QUOTED.finditer(text)] if _search(k.wording, text) else []
    places = k.approval_places
    return next((m for m in pattern.finditer(text) if not any(a <= m.start() < b for a, b in quoted)
                 and not (places and places.match(text, m.end()))), None)


def _read_areas(conditions: list[tuple[str, int, int]], text: str, k: Knowledge) -> list[tuple[str, int, int]]:
    """The conditions named, where an area phrase ("lines between the brows") replaces the conditions its
    words name alone ("eyebrows"): the most specific reading wins."""
    if k.reading_words is None or not k.reading_words.search(text):
        return conditions
    read = [(condition, m.start(), m.end()) for pattern, condition in k.readings for m in pattern.finditer(text)]
    kept = [c for c in conditions if not any(c[1] < end and start < c[2] for _, start, end in read)]
    return sorted([*kept, *read], key=lambda c: c[1])


# a condition naming who a use is for, not the use: "adults with type 2 diabetes who ...", "people living with X and"
_WHO_WITH = re.compile(r"\b(?:adults|people|patients|persons|individuals|those|anyone|women|men|children|teens|"
                       r"someone|patients?)\s+(?:\w+\s+)?(?:with|who (?:have|has|also have)|diagnosed with|"
                       r"living with|suffering from)\s+(?:\w+\s+)?$", re.IGNORECASE)
_WHO_AFTER = re.compile(r"\s*(?:,|\bwho\b|\band who\b|\bthat\b)", re.IGNORECASE)


def _eligibility(conditions: list[tuple[str, int, int]], text: str, k: Knowledge) -> list[tuple[str, int, int]]:
    """Without the conditions that only say whom a use is for, when another, unrelated condition names the use
    ("headaches in adults with chronic migraine": the narrower one is the use itself)."""
    if len(conditions) < 2:
        return conditions
    who = [c for c in conditions if _WHO_WITH.search(text, max(0, c[1] - 60), c[1]) and _WHO_AFTER.match(text, c[2])]
    kept = [c for c in conditions if c not in who]
    related = {n for c, _, _ in kept for n in k.narrower.get(c, set())} | {
        c for c, _, _ in kept for w, _, _ in who if c in k.narrower.get(w, set())}
    kept += [c for c in who if c[0] in related]
    return sorted(kept, key=lambda c: c[1]) if len(kept) < len(conditions) and kept else conditions


def _referred_conditions(reading: Reading, block: Block, sentence: Sentence,
                         k: Knowledge) -> list[tuple[str, int, int]]:
    """For "keeps those areas dry": the conditions the paragraph named before, placed where
    the reference stands (the caller keeps the most specific: "palms" over "sweating")."""
    reference = _search(k.condition_reference, sentence.text)
    if reference is None:
        return []
    ids: dict[str, None] = {}
    for before in reading.sentences(block):
        if before.end <= sentence.start:
            ids.update(dict.fromkeys(c for c, _, _ in _read_areas(
                _mentions(k.condition_re, k.condition_names, before.text), before.text, k)))
    return [(c, reference.start(), reference.end()) for c in ids]


def _may_claim(text: str, products: list[tuple[str, int, int]], carried: str | None, k: Knowledge,
               heading: bool = False) -> bool:
    """Cheap tests every claim passes: a product named or carried over, and an approval, clearance or
    benefit word (the sentence's conditions and disclosure are only looked up after these)."""
    if not products and not carried:
        return False
    if heading and products and _search(k.heading_use, text):
        return True
    # the union's parts one by one, cheapest first: the union scans a sentence for all three at once (15 µs)
    return k.claim_words is None or bool(_search(k.approval, text) or _search(k.clearance, text)
                                         or _search(k.benefit, text))


def _benefit(text: str, k: Knowledge) -> re.Match[str] | None:
    """The first benefit verb that is not denied ("is not a weight-loss treatment", "does not cure")."""
    if k.benefit is None:
        return None
    denials = list(k.benefit_negation.finditer(text)) if k.benefit_negation else []
    for match in k.benefit.finditer(text):
        between = (text[d.end() : match.start()] for d in denials if d.end() <= match.start())
        if not any(not re.search(r"[,;:]", gap) and len(gap.split()) <= 4 for gap in between):
            return match
    return None


def _pair(products: list[tuple[str, int, int]], conditions: list[tuple[str, int, int]],
          subject: str | None, text: str) -> list[tuple[str, str]]:
    """Each condition goes with the nearest product named before it (else after it, else the subject)."""
    pairs = []
    for condition_id, start, _ in conditions:
        before = [p for p in products if p[1] < start]
        after = [p for p in products if p[1] >= start]
        chosen = _coordinated(before, text) if before else [after[0][0]] if after else [subject] if subject else []
        for product in chosen:
            if (product, condition_id) not in pairs:
                pairs.append((product, condition_id))
    return pairs


# Between two coordinated products: "BOTOX, Dysport and Xeomin", "BOTOX and similar products like Dysport"
_COORDINATION = re.compile(r"(?:\s|,|&|/|\band\b|\bor\b|\b(?:similar|other|related) (?:products|brands|toxins|"
                           r"injectables|medications)\b|\blike\b|\bsuch as\b)*", re.IGNORECASE)


def _coordinated(before: list[tuple[str, int, int]], text: str) -> list[str]:
    """The product named nearest before a use, and the products coordinated with it: each gets the use."""
    chosen = [before[-1][0]]
    for (product, _, end), (_, start, _) in zip(reversed(before[:-1]), reversed(before[1:]), strict=True):
        if _COORDINATION.fullmatch(text, end, start) is None:
            break
        chosen.append(product)
    return chosen


def _bare_approval(sentence: Sentence, product_id: str, says_approved: bool, k: Knowledge,
                   cited: bool = False) -> Claim | None:
    """ "X is FDA-approved" with no use named: false for compounded and (as 'approved') cleared products;
    for the others medpress cannot tell which use is meant, so it cannot verify the claim (CLM011) unless a
    source is cited beside it."""
    product = k.products[product_id]
    if product.kind == "compounded" or (product.kind in DEVICE_KINDS and says_approved):
        return Claim(sentence, product_id, None, "approval", "cleared-called-approved", _kind_text(product))
    kind = "approval" if says_approved else "clearance"
    if product.kind == "not-approved":  # "the kit is FDA-cleared": about the kit that prepares it, not a claim
        return Claim(sentence, product_id, None, kind, "unverifiable-approval", _kind_text(product)) \
            if says_approved else None
    uses = ", ".join(k.conditions[u.condition].name for u in (*product.approved_uses, *product.cleared_uses))
    years = _approval_years(sentence.text) if says_approved else set()
    known = {u.year for u in (*product.approved_uses, *product.cleared_uses)}
    # "X was approved in 2005": no use of X was approved that year
    if years and known and not any(abs(y - x) <= 1 for y in years for x in known):
        return Claim(sentence, product_id, None, kind, "false-approval",
                     f"no use approved in {', '.join(map(str, sorted(years)))}; listed uses: {uses}", cited=cited)
    verdict = "ok" if cited else "unverifiable-approval"
    return Claim(sentence, product_id, None, kind, verdict, f"names no use; listed uses: {uses or 'none'}",
                 cited=cited)


# a list item that starts with a negated verb continues its lead-in's subject: "X:" "- Has not been studied in ..."
_NEGATED_ITEM = re.compile(r"^\W*(?:(?:has|have|is|are|was|were|does|do|did|should|must|can|may|will)(?: not|n[’']t)|"
                           r"not|never|cannot)\b", re.IGNORECASE)


def _not_a_benefit_item(lead_text: str, text: str, k: Knowledge) -> bool:
    """A list item under a lead-in that lists risks ("Side effects can include:" "- Headache") or an item
    that denies ("- Has not been studied for weight loss"): the condition it names is no benefit claimed."""
    return bool(_NEGATED_ITEM.match(text) or _search(k.risk_statement, lead_text) or (
        lead_text.rstrip().endswith(":") and _search(k.risk, lead_text)))


def _respective(claims: list[Claim], products: list[tuple[str, int, int]]) -> list[Claim]:
    """ "Wegovy and Ozempic treat obesity and type 2 diabetes": as many uses as products, all named in the
    sentence, are read respectively, so a use approved for one of them is no off-label claim for the other when
    that other is approved for one of the uses named ("Neurotoxins treat:" and a list is not such a pairing)."""
    named = {p for p, _, _ in products}
    if len(named) < 2 or not {c.product for c in claims} <= named or len({c.condition for c in claims}) != len(named):
        return claims
    ok = {(c.product, c.condition) for c in claims if c.kind == "benefit" and c.verdict == "ok"}
    products_ok = {p for p, _ in ok}
    uses_ok = {u for _, u in ok}
    return [c for c in claims if not (c.kind == "benefit" and c.verdict == "off-label-undisclosed"
                                      and c.product in products_ok and c.condition in uses_ok)]


def _use_beside(claims: list[Claim], post: Post, block: Block, text: str, k: Knowledge) -> None:
    """An approval naming no use is still checkable when its sentence names a kind of use ("approved for
    cosmetic use") or its paragraph, or the paragraph just above it, names a use the label lists ("used to treat
    type 2 diabetes. ... Both have been approved by the FDA"): uncited, it is CLM003, not CLM011."""
    bare = [c for c in claims if c.verdict == "unverifiable-approval" and c.condition is None
            and k.products[c.product].kind in APPROVED_KINDS]
    if not bare:
        return
    said = _search(k.approval, text) or _search(k.clearance, text)
    kind = _search(k.use_kinds, text[said.start():]) if said else None  # "Wrinkle relaxers are FDA-approved ...":
    # a class as the subject, before the approval word, names no use of the product
    above = _paragraph_before(post, block) if not block.is_heading else ""
    if above and any(b.is_heading and b.text == above for b in post.blocks):
        above = ""  # a heading between them starts another topic
    near = block.text + "\n" + above
    named = {c for c, _, _ in _read_areas(_mentions(k.condition_re, k.condition_names, near), near, k)}
    for claim in bare:
        uses = {u.condition: u for u in k.products[claim.product].uses}
        use = next((uses[c] for c in named if c in uses), None)
        if use is not None:
            claim.condition, claim.kb_says, claim.source = use.condition, _use_text(k.products[claim.product], use), \
                str(use.source)
        elif kind:
            claim.kb_says = f"“{kind.group(0)}” is a kind of use, not checked: {claim.kb_says}"
        else:
            continue
        claim.verdict = "uncited-approval"


def _judge(sentence: Sentence, product: Product, condition_id: str, kind: str, cited: bool, disclosed: bool,
           text: str, k: Knowledge) -> Claim:
    uses = {u.condition: u for u in (*product.approved_uses, *product.cleared_uses)}
    covered = condition_id in uses or bool(k.narrower.get(condition_id, set()) & set(uses))
    narrower = k.narrower.get(condition_id, set())
    use = uses.get(condition_id) or next((u for c, u in uses.items() if c in narrower), None)  # label order
    kb_says = _use_text(product, use) if use else _not_approved_text(product, condition_id, k)
    source = str(use.source) if use else ""
    claim = Claim(sentence, product.id, condition_id, kind, "ok", kb_says, source, cited, disclosed)
    if kind == "approval":
        if product.kind == "compounded" or product.kind in DEVICE_KINDS:
            claim.verdict = "cleared-called-approved"
        elif product.kind == "not-approved" or condition_id not in uses:
            claim.verdict = "false-approval"
        elif not cited:
            claim.verdict = "uncited-approval"
    elif kind == "clearance":
        if condition_id not in uses or product.kind in ("compounded", "not-approved"):
            claim.verdict = "false-approval"
        elif product.kind not in DEVICE_KINDS and not cited:
            claim.verdict = "uncited-approval"  # "cleared" said loosely of an approved drug for its own use
    elif not covered and not disclosed:
        claim.verdict = "device-beyond-clearance" if product.kind in DEVICE_KINDS else "off-label-undisclosed"
    elif use and not disclosed and _younger(use, text, k):
        claim.verdict = "off-label-undisclosed"  # kind 7: "works well for teens" on a use approved for adults
        claim.kb_says = f"approved for {use.population} only ({use.year})"
    if kind == "approval" and claim.verdict in ("uncited-approval", "ok") and use and _younger(use, text, k):
        claim.verdict = "false-approval"
        claim.kb_says = f"approved for {use.population} only ({use.year})"
    if kind in ("approval", "clearance") and claim.verdict in ("uncited-approval", "ok") and use:
        stated = _wrong_year(use, condition_id, text, k)
        if stated:  # "approved for spasticity since 2010" when the first approval of that use was 2015
            claim.verdict = "false-approval"
            claim.kb_says = f"first {_verb(product)} for this use in {use.year}, not {stated}: {kb_says}"
    return claim


# a year given for an approval: "approved in 2015", "cleared since March 2016", "back in 1995"
_STATED_YEAR = re.compile(r"\b(?:in|since|as of|back in)\s+(?:[A-Z][a-z]+\s+)?(?:\d{1,2},?\s+)?(?P<y>(?:19|20)\d\d)\b")
_ANY_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _wrong_year(use: ApprovedUse, condition_id: str, text: str, k: Knowledge) -> int | None:
    """The year a sentence gives for a use's approval when the knowledge base says otherwise: none of the years
    it gives for that use is the use's first year or a later date its limits name (a population or area added
    later). A year goes with the use named nearest to it ("approved for frown lines, and since 2024 for forehead
    lines": 2024 is the forehead lines')."""
    stated = list(_STATED_YEAR.finditer(text))
    if not stated:
        return None
    named = _read_areas(_mentions(k.condition_re, k.condition_names, text), text, k)
    years = [int(m.group("y")) for m in stated
             if not named or min(named, key=lambda c: min(abs(m.start() - c[2]), abs(c[1] - m.end())))[0]
             == condition_id]
    known = {use.year, *(int(y) for y in _ANY_YEAR.findall(use.limits))}
    return years[0] if years and not known.intersection(years) else None


def _verb(product: Product) -> str:
    return "FDA-cleared" if product.kind in DEVICE_KINDS else "FDA-approved"


# the years a sentence dates a product's approval to, for a claim naming no use ("Kybella was approved in 2005")
_YEAR = re.compile(r"\b(?:in|back in|since)\s+((?:19|20)\d\d)\b")


def _approval_years(text: str) -> set[int]:
    return {int(y) for y in _YEAR.findall(text)} if "19" in text or "20" in text else set()


# an age, not a count ("over 5.6 million treatments", "over 20 years of experience", "from 3 sessions")
_AGE = re.compile(r"\b(?:(?P<over>over|older than|above)|aged?|from|ages?)\s+(?P<a>\d{1,2})\b(?![.,]\d|\s*(?:%|percent|"
                  r"million|thousand|billion|units?|treatments?|procedures?|patients?|people|clients|times|sessions?|"
                  r"injections?|minutes|hours|days|weeks|months|pounds|lbs|years? (?:of|in)\b))"
                  r"|\b(?P<b>\d{1,2})\s*(?:\+|and (?:up|older|over)|years? (?:and|or) older)", re.IGNORECASE)


def _younger(use: ApprovedUse, text: str, k: Knowledge) -> bool:
    """The sentence offers the use to people younger than the label's minimum age (teens, 'anyone over 16';
    'over 21' is 22 and older)."""
    if not use.min_age:
        return False
    if use.min_age >= 18 and _search(k.children, text):
        return True
    ages = [int(m.group("a")) + 1 if m.group("over") else int(m.group("a") or m.group("b"))
            for m in _AGE.finditer(text)]
    return any(age < use.min_age for age in ages)


def _population_below(product: Product, text: str, k: Knowledge) -> str:
    """For a benefit naming no use: what the label says, when the sentence's population is below every use's."""
    uses = [*product.approved_uses, *product.cleared_uses]
    if product.kind not in APPROVED_KINDS or not uses or not all(_younger(u, text, k) for u in uses):
        return ""
    return "approved uses are for " + "; ".join(sorted({u.population for u in uses}))


def _use_text(product: Product, use: ApprovedUse) -> str:
    verb = "cleared" if product.kind in DEVICE_KINDS else "approved"
    limits = f"; {use.limits}" if use.limits else ""
    flag = f" ({'unconfirmed; ' if use.unconfirmed else ''}checked {product.checked(use)})"
    return f"FDA-{verb} for {use.population}{limits} ({use.year}){flag}"


def _kind_text(product: Product) -> str:
    return {"510k-device": "a 510(k)-cleared device: 'FDA-cleared', never 'FDA-approved'",
            "de-novo-device": "a device authorized through De Novo: 'FDA-authorized' or 'FDA-cleared', never "
                              "'FDA-approved'",
            "compounded": "a compounded drug: not FDA-approved for any use",
            "not-approved": "not FDA-approved or cleared for this use"}.get(product.kind, product.kind)


def _not_approved_text(product: Product, condition_id: str, k: Knowledge) -> str:
    if product.kind in ("compounded", "not-approved"):
        return _kind_text(product)
    name = k.conditions[condition_id].name
    listed = ", ".join(k.conditions[u.condition].name for u in (*product.approved_uses, *product.cleared_uses))
    verb = "cleared" if product.kind in DEVICE_KINDS else "approved"
    off = "a known off-label use" if condition_id in product.off_label else f"not an FDA-{verb} use"
    return f"{name} is {off}; {verb} uses: {listed or 'none'}"


_TRAILING_CITATIONS = re.compile(r"(?:[ \t]*\[\^?[^\]\n]{1,20}\])+")


def _with_trailing_citations(text: str, span: tuple[int, int] | None) -> tuple[int, int] | None:
    """A sentence's raw span, plus citation marks right after its full stop ("... adults. [1]")."""
    if span is None:
        return None
    match = _TRAILING_CITATIONS.match(text, span[1])
    return (span[0], match.end()) if match else span


_NUMBERED = re.compile(r"\[(\d+)\]")
_FOOTNOTE_MARK = re.compile(r"\[\^[^\]]+\]")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]]+)\](?!:)")
_SECTION_LINK = re.compile(r"\]\(#([^)\s]+)\)")


@dataclass(frozen=True)
class _Citations:
    """What cites a source in one post: its numbered references, and where its authoritative links start."""

    ids: frozenset[str]
    links: tuple[int, ...]  # sorted


def _citations(post: Post, k: Knowledge) -> _Citations:
    ids = frozenset(str(r.get("id")) for r in post.meta_list("references") if isinstance(r, dict))
    links = sorted(link.start for link in post.links if any(_on_domain(link.target, d) for d in k.domains)
                   or (k.label_links is not None and k.label_links.search(link.target)))
    return _Citations(ids, tuple(links))


def _cited(raw: str, span: tuple[int, int] | None, citations: _Citations) -> bool:
    """A numbered reference to front matter, a footnote, or a link to an authoritative source."""
    if any(n in citations.ids for n in _NUMBERED.findall(raw)) or _FOOTNOTE_MARK.search(raw):
        return True
    if span is None:
        return False
    at = bisect_left(citations.links, span[0])
    return at < len(citations.links) and citations.links[at] < span[1]


def _evidence(raw: str, span: tuple[int, int] | None, citations: _Citations, post: Post) -> str:
    """What cites a claim, as the report shows it."""
    number = next((n for n in _NUMBERED.findall(raw) if n in citations.ids), None)
    if number:
        return f"reference [{number}]"
    mark = _FOOTNOTE_MARK.search(raw)
    if mark:
        return f"footnote {mark.group(0)}"
    if span:
        link = next((link for link in post.links if span[0] <= link.start < span[1]), None)
        if link:
            return "link " + re.sub(r"^https?://", "", link.target).split("/", 1)[0]
    return "citation"


_HEDGE = re.compile(r"\b(?:may|might|could|can help|looks? promising|seems?|some (?:doctors|patients|people|"
                    r"clients|studies)|clients say|patients say|reportedly|is thought to|possibly)\b", re.IGNORECASE)
_HYPOTHETICAL = re.compile(r"^\W*(?:if|when|once|should|whether|unless)\b|\bwould\b", re.IGNORECASE)


def _modality(text: str, k: Knowledge) -> str:
    """How the sentence asserts its claims (for the report; the verdicts do not depend on it)."""
    if _search(k.negation, text) or _search(k.benefit_negation, text):
        return "negated"
    if _HYPOTHETICAL.search(text):
        return "hypothetical"
    return "hedged" if _HEDGE.search(text) else "asserted"


def _on_domain(url: str, domain: str) -> bool:
    host = re.sub(r"^https?://", "", url.lower()).split("/", 1)[0].split(":", 1)[0]
    return host == domain or host.endswith("." + domain)


def _footnotes(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r"^\[\^([^\]]+)\]:\s*(.+)$", text, re.M)}


def _sections(post: Post) -> dict[str, str]:
    """Heading anchor -> the text of its section (for 'see #off-label-uses' notes)."""
    found: dict[str, list[str]] = {}
    current = None
    for block in post.blocks:
        if block.is_heading:
            current = block.anchor
            found[current or ""] = []
        elif current:
            found[current].append(block.text)
    return {anchor: " ".join(texts) for anchor, texts in found.items()}


def _linked_disclosure(raw: str, notes: dict[str, str], sections: dict[str, str], k: Knowledge) -> bool:
    for note in _FOOTNOTE_REF.findall(raw):
        if _search(k.disclosure, notes.get(note, "")):
            return True
    return any(_search(k.disclosure, sections.get(anchor, "")) for anchor in _SECTION_LINK.findall(raw))


def _phrases(post: Post, sentence: Sentence, cited: bool, k: Knowledge, products: list[tuple[str, int, int]],
             question: bool = False, about_compounding: bool = False) -> Iterable[Finding]:
    """Prohibited, comparative, safety, sameness, efficacy and substantiation phrases (the caller tested
    ``k.phrase_words`` first). ``cited``: a citation stands right after the sentence; ``about_compounding``:
    the post's title or a heading is about compounding. The paragraph-wide
    contexts (risks stated, compounding) are read only for a phrase that matched."""
    text = sentence.text
    low = text.lower()
    paragraph = sentence.block.text

    def allowed_here(phrase: Phrase, allowed: re.Pattern[str] | None) -> bool:
        return bool(allowed and allowed.search(paragraph if phrase.allowed_in == "paragraph" else text))

    def found(rule: Rule, message: str, match: re.Match[str], phrase: Phrase) -> Finding:
        return finding(rule, message, _span(post, sentence, match.start(), match.end()), excerpt=text[:240],
                       suggestion=phrase.suggestion)

    held = k.phrase_scan.held(text, low) if k.phrase_scan is not None else None

    def passes(gate: Gated) -> bool:  # gate.may_match(text), read from the one scan when there is one
        return gate.may_match(text, low) if k.phrase_scan is None else may_match_held(gate, held)

    def search(gate: Gated) -> re.Match[str] | None:  # gate.search(text)
        return gate.regex.search(text) if passes(gate) else None

    def listed(name: str) -> list[tuple[Phrase, Gated, re.Pattern[str] | None]]:
        """The phrases of a list, or none when the list's union gate turns the sentence away."""
        gate = k.list_gates.get(name)
        return getattr(k, name) if gate is None or passes(gate) else []

    def first(items: list[tuple[Phrase, Gated, re.Pattern[str] | None]]) -> tuple[Phrase, re.Match[str]] | None:
        for phrase, gate, allowed in items:
            match = search(gate)
            if match and not allowed_here(phrase, allowed):
                return phrase, match
        return None

    for phrase, gate, allowed in listed("prohibited"):
        if search(gate) is None:
            continue
        for match in gate.regex.finditer(text):
            if not allowed_here(phrase, allowed) and not negated(text, match.start()):
                yield found(PROHIBITED_ABSOLUTE, f"“{match.group(0)}” is an absolute claim regulators act on", match,
                            phrase)
    for phrase, gate, allowed in listed("comparative"):
        match = search(gate)
        if match is None or allowed_here(phrase, allowed) or no_comparison(text, match.start(), match.end()):
            continue
        before = paragraph[: sentence.start]  # where a rival may be named: the paragraph so far, a list's lead-in
        if sentence.block.tag == "li":
            before = f"{_paragraph_before(post, sentence.block)} {before}"
        if not is_comparison_claim(phrase.id, text, match.start(), match.end(), before,
                                   k.brand_names.regex if k.brand_names else None):
            continue  # a time, the reader's own before and after, a question of fit; no rival named
        if phrase.id == "exclusive":
            others = _other_approved(text, products, k)
            if others:
                yield found(OUTDATED_EXCLUSIVITY, f"exclusivity claim “{match.group(0)}” is out of date: the "
                                                  f"knowledge base lists {others} as approved for the same use",
                            match, phrase)
                break
        if not cited:
            yield found(UNCITED_COMPARISON, f"comparative claim “{match.group(0)}” has no citation", match, phrase)
            break  # one finding per sentence
    if question:  # "Is it safe?" asks; the absolutes and comparisons above are judged in questions too
        return
    hit = first(listed("safety"))
    if hit and negated(text, hit[1].start()):  # "does not assure that the product is safe"
        hit = None
    # fine when the sentence, its paragraph or the paragraph before states risks (the phrase itself is no risk:
    # "no systemic side effects such as fatigue" denies them)
    if hit and (hit[0].with_risks or (
            not _risk_stated(paragraph.replace(hit[1].group(0), " "), k, k.risk_statement)
            and not _risk_stated(_paragraph_before(post, sentence.block), k, k.risk_statement))):
        yield found(RISK_MINIMISED, f"“{hit[1].group(0)}” minimises risk; no risks are stated beside it", hit[1],
                    hit[0])
    hit = first(listed("sameness"))
    if hit and ("generic" in hit[1].group(0).lower() or any(k.products[p].kind == "compounded" for p, _, _ in products)
                or _search(k.compounded_context, paragraph) or about_compounding):
        yield found(COMPOUNDED_SAMENESS, f"“{hit[1].group(0)}” presents a compounded or unapproved product as the "
                                         f"approved drug", hit[1], hit[0])
    hit = None if cited else first(listed("efficacy"))
    if hit:
        yield found(UNSUBSTANTIATED_EFFICACY, f"efficacy claim “{hit[1].group(0)}” has no citation", hit[1], hit[0])
    for phrase, gate, allowed in listed("substantiation"):
        match = search(gate)
        if match and not (phrase.cited_ok and cited) and not allowed_here(phrase, allowed):
            yield found(FALSE_SUBSTANTIATION, f"“{match.group(0)}” implies an approval, study or endorsement that "
                                              f"does not apply to the product", match, phrase)
            break


def _paragraph_before(post: Post, block: Block) -> str:
    """The text of the body block just before ``block`` (a list item's lead-in, the paragraph above)."""
    body = [b for b in post.blocks if b.where == "body"]
    at = next((i for i, b in enumerate(body) if b is block), 0)
    return body[at - 1].text if at > 0 else ""


def _other_approved(text: str, products: list[tuple[str, int, int]], k: Knowledge) -> str:
    """For 'the only FDA-approved treatment for Y': the other products the knowledge base lists for Y."""
    conditions = {c for c, _, _ in _read_areas(_mentions(k.condition_re, k.condition_names, text), text, k)}
    if not conditions:
        return ""
    named = {p for p, _, _ in products}
    # an approved drug is compared with approved products, a cleared device with cleared ones
    kinds = DEVICE_KINDS if any(k.products[p].kind in DEVICE_KINDS for p in named) else APPROVED_KINDS
    others = []
    for product in k.products.values():
        if product.id in named or product.kind not in kinds:
            continue
        uses = {u.condition for u in (*product.approved_uses, *product.cleared_uses)}
        if any(c in uses or k.narrower.get(c, set()) & uses for c in conditions):
            others.append(product.brand or product.names[0])
    # a named product that itself lacks the use is a false claim (CLM001), not an outdated exclusivity
    return ", ".join(sorted(others)[:4]) if named and others else ""


def _unlisted_approval(post: Post, sentence: Sentence, products: list[tuple[str, int, int]],
                       k: Knowledge, citations: _Citations) -> Iterable[Finding]:
    """ "The FDA has approved exosome facials": an approval claim for a product or class the knowledge base does
    not list cannot be verified (CLM011)."""
    text = sentence.text
    if products or k.unlisted is None or sentence.block.is_heading or sentence.block.where != "body" or \
            not k.unlisted.search(text):
        return  # "## What testosterone is approved for" introduces; a reference's title cites
    approval = _used(k.approval, text, k) or _used(k.clearance, text, k)
    if approval is None or _search(k.negation, text):
        return
    span = _with_trailing_citations(post.text, sentence.block.source_range(sentence.start, sentence.end))
    if _cited(post.text[span[0] : span[1]] if span else text, span, citations):
        return  # a reader can check it at the source cited beside it
    match = k.unlisted.search(text)
    assert match is not None
    if _ANOTHER.match(text, approval.end()) and text[: approval.start()].rstrip().lower().endswith("the"):
        return  # "identical to the FDA-approved brand": another product's approval (the sameness is CLM014)
    if _search(k.compounded_context, text):
        yield finding(CLEARED_CALLED_APPROVED, f"a compounded product (“{match.group(0)}”) called FDA-approved; "
                                               f"compounded drugs are not FDA-approved",
                      _span(post, sentence, approval.start(), approval.end()), excerpt=text[:240],
                      suggestion="Say plainly that compounded versions are not FDA-approved.")
        return
    yield finding(UNVERIFIABLE_APPROVAL, f"approval claim for “{match.group(0)}”, which the knowledge base does not "
                                         f"list: medpress cannot verify it",
                  _span(post, sentence, approval.start(), approval.end()), excerpt=text[:240],
                  suggestion="Name the specific product and its approved use, and cite the label; or say it is not "
                             "FDA-approved.")


def _beyond_clearance(post: Post, sentence: Sentence, products: list[tuple[str, int, int]], carried: str | None,
                      k: Knowledge, title: str) -> Iterable[Finding]:
    """A device offered for a use no clinic device is cleared for: permanent hair removal, hair regrowth, an
    alternative to liposuction, vaginal rejuvenation, cellulite, weight loss (CLM019)."""
    text = sentence.text
    use = _search(k.beyond_clearance, text)
    if use is None:
        return
    named = {p for p, _, _ in products}
    devices = {p for p in named if k.products[p].kind in DEVICE_KINDS}
    kit = any(_DEVICE_NOUN.match(text, end) for _, _, end in products)  # "the PRP Kit": a device that prepares it
    if named and not devices and not kit:
        return  # a drug's claim (Wegovy for weight loss) is judged against its label, not here
    if not devices and not kit and not (carried and k.products[carried].kind in DEVICE_KINDS) and \
            not _search(k.device_words, text):
        return
    # "devices cleared for cellulite": a clearance statement, judged as one (CLM001/CLM003), not an offer
    if _search(k.clearance, text) or _search(k.negation, text) or _search(k.benefit_negation, text) or \
            _search(k.disclosure, sentence.block.text) or _search(k.risk, text):
        return  # ... nor a statement of its risks ("treatments inside the vagina have caused burns")
    yield finding(DEVICE_BEYOND_CLEARANCE, f"a device is offered for “{use.group(0)}”, which no clearance covers",
                  _span(post, sentence, use.start(), use.end()), excerpt=text[:240],
                  suggestion="Offer the device only for its cleared uses (cite its 510(k) record), or say plainly the "
                             "FDA has not cleared it for this.")


# an offer, not a description: "our", "we offer", a dose or count ("100 Billion Exosomes"), "order", "available"
_OFFER = re.compile(r"\b(?:our|we (?:\w+ )?(?:offer|use|provide|carry|administer|inject|sell)|order|buy|shop|available|"
                    r"\d+(?:\.\d+)?\s*(?:billion|million|mg|ml|cc|units?|vials?))\b", re.IGNORECASE)
_DEVICE_NOUN = re.compile(r"\s*[™®]?\s*(?:kits?|centrifuges?|systems?|devices?|machines?)\b", re.IGNORECASE)


@dataclass
class _Section:
    """What the section being read (since the last heading) is about: an unapproved class its heading names ("##
    Lipodissolve at our spa": "The treatment ..." below claims for it), and whether a device was offered in it beyond
    its clearance (issue 22). A class named in passing in a paragraph ("glucagon-like peptide-1") carries nothing."""

    unapproved_class: bool = False
    beyond_clearance: bool = False

    def enter(self, block: Block, k: Knowledge) -> None:
        if block.where != "body" or not block.is_heading:
            return
        self.beyond_clearance = False
        self.unapproved_class = bool(_search(k.unapproved_classes, block.text)) and not (
            _search(k.negation, block.text) or _search(k.disclosure, block.text) or _search(k.risk, block.text)
            or _search(k.topic_titles, block.text))


def _device_claim_continued(post: Post, sentence: Sentence, products: list[tuple[str, int, int]],
                            k: Knowledge) -> Iterable[Finding]:
    """After a device was offered for a use beyond its clearance, the section's sentences on how it works on tissue
    ("fibroblasts make new collagen") continue that claim (CLM019; FDA's 2018 letters on vaginal lasers)."""
    text = sentence.text
    effect = None if products else _search(k.tissue_effects, text)
    if effect is None or sentence.block.where != "body" or _search(k.negation, text) or _search(k.risk, text) or \
            _search(k.disclosure, sentence.block.text):
        return
    yield finding(DEVICE_BEYOND_CLEARANCE, f"“{effect.group(0)}”: how the device works, said of the use beyond its "
                                           f"clearance offered above in this section",
                  _span(post, sentence, effect.start(), effect.end()), excerpt=text[:240],
                  suggestion="Offer the device only for its cleared uses (cite its 510(k) record), or say plainly the "
                             "FDA has not cleared it for this.")


def _unapproved_biologic(post: Post, sentence: Sentence, k: Knowledge) -> Iterable[Finding]:
    """A product made from birth tissue or stem cells (umbilical cord, amniotic, "stem cell derived exosomes") offered:
    an unapproved biologic whatever use is named (PHS Act 351; FDA's letters to clinics selling them) (CLM004)."""
    text = sentence.text
    match = _search(k.unapproved_biologics, text)
    if match is None or not _OFFER.search(text) or sentence.block.where not in ("body", "title") or \
            _search(k.negation, text) or _search(k.disclosure, sentence.block.text) or _search(k.risk, text) or \
            _search(k.general, text) or _search(k.approval, text):
        return  # "no umbilical cord product is FDA-approved"; an approval claim is judged as one (CLM011)
    yield finding(OFF_LABEL_UNDISCLOSED, f"“{match.group(0)}” is offered: {_NO_APPROVAL_COVERS}, and it is "
                                         f"not disclosed", _span(post, sentence, match.start(), match.end()),
                  excerpt=text[:240], suggestion="Say plainly that no such product is FDA-approved, or do not offer "
                                                 "it outside a clinical trial with an IND.")


def _unapproved_benefit(post: Post, sentence: Sentence, k: Knowledge, disclosed: bool, title_class: bool,
                        lead_text: str, carried: bool = False) -> Iterable[Finding]:
    """A benefit claimed for a product or class no FDA approval covers for that use (NAD+ for energy, pellets
    for hot flashes, exosomes for hair loss), without a disclosure in its paragraph: an off-label use (CLM004).
    The knowledge base's own products are judged against their labels (_claims); this is for the others."""
    text = sentence.text
    block = sentence.block
    listed = block.tag == "li"
    named = _search(k.unapproved_classes, text)
    if named is None and not ((listed and title_class) or carried):
        return  # ``carried``: the section named the class ("The treatment ..." under "## Lipodissolve at our spa")
    if block.where not in ("body", "title") or disclosed or _search(k.disclosure, text):
        return
    if (block.where == "title" or block.tag == "h1") and _search(k.disclosure, post.text):
        return  # a headline speaks for the post: the post's disclosure answers it
    if (block.is_heading or block.where == "title") and _search(k.topic_titles, text):
        return  # "PRP for thinning hair: what the evidence says" introduces the topic
    if listed and (_search(k.risk, lead_text) or _search(k.negation, lead_text) or _search(k.disclosure, lead_text)):
        return  # a list of risks, or of what it is not approved for
    if _search(k.risk, text) or _search(k.negation, text) or _search(k.benefit_negation, text) or \
            _search(k.general, text):
        return  # "side effects include mood changes", "NAD+ does not reverse aging"
    conditions = _read_areas(_mentions(k.condition_re, k.condition_names, text), text, k)
    use = (text[conditions[0][1]:conditions[0][2]], conditions[0][1], conditions[0][2]) if conditions else None
    if use is not None and not (listed or _benefit(text, k) or _search(k.heading_use, text)):
        use = None  # a condition named beside the class, with nothing claimed for it
    if use is None:
        wellness = _search(k.wellness_uses, text)  # the effect itself: "burns belly fat", "better sleep"
        if wellness is None:
            return
        use = (wellness.group(0), wellness.start(), wellness.end())
    what = named.group(0) if named else "the post's product"
    yield finding(OFF_LABEL_UNDISCLOSED, f"benefit claim for {what} (“{use[0]}”): {_NO_APPROVAL_COVERS}, "
                                         f"and it is not disclosed",
                  _span(post, sentence, use[1], use[2]), excerpt=text[:240],
                  suggestion="Say plainly that this use is not FDA-approved (and what the evidence is), or remove the "
                             "claim.")


def _disease_claim(post: Post, sentence: Sentence, products: list[tuple[str, int, int]], carried: str | None,
                   k: Knowledge, post_unapproved: bool = False) -> Iterable[Finding]:
    """An unapproved product (IV drips, PRP, NAD+, peptides, exosomes...) said to prevent, treat, fight or boost
    immunity against an illness, or to detox the body (CLM016)."""
    text = sentence.text
    if k.disease is None:
        return
    illness = k.disease.search(text)
    if illness is None:
        return
    named = {p for p, _, _ in products}
    unapproved = bool(named & k.unapproved_ids) or bool(_search(k.unlisted, text))
    if not unapproved and not named and _search(k.other_treatments, text):
        return  # "Vaccination and antiviral medicines prevent COVID-19": about them, not the post's drip
    if not unapproved and not named and (carried is None or carried in k.unapproved_ids):
        # the paragraph's or the post's product ("it", "our drips"), unless "it" is an approved product
        unapproved = carried is not None or bool(_search(k.unlisted, sentence.block.text)) or post_unapproved
    # a list item names the illness alone: its lead-in made the claim ("Conditions we treat:")
    claimed = sentence.block.tag == "li" or illness.group(0).lower().startswith("detox") or \
        _search(k.disease_claim, text)
    if not unapproved or not claimed:
        return
    if _search(k.benefit_negation, text) or _search(k.negation, text) or _search(k.disclosure, text):
        return
    # one finding per list item the sentence runs over (items written under a lead-in with no blank line)
    items = _item_lines(text) if "\n" in text else {}
    where = [illness] + [m for m in k.disease.regex.finditer(text, illness.end())] if items else [illness]
    seen: set[int] = set()
    for match in where:
        item = next((a for a, b in items.items() if a <= match.start() < b), -1)
        if item in seen:
            continue
        seen.add(item)
        yield finding(UNAPPROVED_DISEASE_CLAIM, f"a product not approved for it is said to act on “{match.group(0)}”",
                      _span(post, sentence, match.start(), match.end()), excerpt=text[:240],
                      suggestion="Remove the disease claim: no IV drip, vitamin, peptide or similar product is "
                                 "approved to prevent or treat it.")


def _terminology(post: Post, sentence: Sentence, products: list[tuple[str, int, int]],
                 k: Knowledge, brands: bool = True, misspelt: bool = True) -> Iterable[Finding]:
    """``brands``: False when the sentence's block names no brand, so it cannot misuse one; ``misspelt``: False
    when the post holds no near-miss spelling of one."""
    text = sentence.text
    for product_id, start, end in products:
        product = k.products[product_id]
        written = _POSSESSIVE.sub("", text[start:end])
        # the trademark in another case ("botox"), not a nickname or generic name in another case ("#NEWTOX")
        if product.brand and written not in product.names and written.rstrip("s") not in product.names and \
                _TRADEMARK_CASE.sub("", written.lower()) == product.brand.lower():
            yield finding(BRAND_TERMINOLOGY, f"brand written “{written}”; the trademark is {product.brand}",
                          _span(post, sentence, start, start + len(written)), excerpt=text[:240],
                          suggestion=f"Write {product.brand}.")
    if k.spelling is not None and misspelt:
        for start, end, brand in k.spelling.misspelt(text):
            right = k.brands[brand.lower()].brand
            yield finding(BRAND_TERMINOLOGY, f"brand written “{text[start:end]}”; the trademark is {right}",
                          _span(post, sentence, start, end), excerpt=text[:240], suggestion=f"Write {right}.")
    if not brands:
        return
    if k.brand_verb is not None:
        for match in k.brand_verb.finditer(text):
            brand = k.brands[match.group("brand").lower()]
            yield finding(BRAND_TERMINOLOGY, f"brand used as a verb: “{match.group(0)}”",
                          _span(post, sentence, match.start(), match.end()), excerpt=text[:240],
                          suggestion=f"Say what happens: \"had {brand.brand} injections\" "
                                     f"(or \"had a wrinkle-relaxer treatment\").")
    if k.brand_generic is not None:
        for match in k.brand_generic.finditer(text):
            brand = k.brands[(match.group("a") or match.group("b")).lower()]
            if brand.family:
                yield finding(BRAND_TERMINOLOGY, f"{brand.brand} used as a generic name: “{match.group(0)}”",
                              _span(post, sentence, match.start(), match.end()), excerpt=text[:240],
                              suggestion=f"Use the category (\"botulinum toxin\", \"wrinkle relaxer\"); "
                                         f"{brand.brand} is one maker's brand.")


_TRADEMARK_CASE = re.compile(r"(?<=\w)s$")  # the plural of the brand ("botoxes") is the brand too


def _span(post: Post, sentence: Sentence, start: int, end: int) -> Span | None:
    found = sentence.block.source_range(sentence.start + start, sentence.start + end)
    return post.source.span(*found) if found else None


_RULE_FOR_VERDICT = {"false-approval": FALSE_APPROVAL, "cleared-called-approved": CLEARED_CALLED_APPROVED,
                     "uncited-approval": UNCITED_APPROVAL, "off-label-undisclosed": OFF_LABEL_UNDISCLOSED,
                     "unverifiable-approval": UNVERIFIABLE_APPROVAL, "broadened-indication": BROADENED_INDICATION,
                     "device-beyond-clearance": DEVICE_BEYOND_CLEARANCE}


def _claim_findings(post: Post, claims: list[Claim], k: Knowledge) -> Iterable[Finding]:
    seen = set()
    for claim in claims:
        rule = _RULE_FOR_VERDICT.get(claim.verdict)
        if rule is None:
            continue
        key = (claim.span, claim.product, claim.condition, rule.id)
        if key in seen:
            continue
        seen.add(key)
        product = k.products[claim.product]
        use = k.conditions[claim.condition].name if claim.condition else "any use"
        message, fix = _explain(rule, product, use, claim)
        yield finding(rule, message, post.source.span(*claim.span) if claim.span else None,
                      excerpt=claim.sentence.text[:300], suggestion=fix)


def _explain(rule: Rule, product: Product, use: str, claim: Claim) -> tuple[str, str]:
    name = product.brand or product.names[0]
    says = f"Knowledge base: {claim.kb_says}."
    if rule is UNCITED_APPROVAL:
        return (f"approval claim for {name} ({use}) has no citation. {says}",
                f"Cite the label right after the claim: add a reference with its id, title and URL ({claim.source}) "
                "to the front matter's references and write [n].")
    if rule is FALSE_APPROVAL:
        return (f"“approved” claim for {name} ({use}) is not supported. {says}",
                f"Say it is off-label (\"the FDA has not approved {name} for {use}\"), or remove the claim.")
    if rule is CLEARED_CALLED_APPROVED:
        fix = ("Write \"FDA-cleared\" for a 510(k) or De Novo device." if product.kind in DEVICE_KINDS
               else "Say plainly that compounded versions are not FDA-approved.")
        return f"{name} called FDA-approved, but it is {_kind_text(product)}.", fix
    if rule is UNVERIFIABLE_APPROVAL:
        return (f"approval claim for {name} names no use medpress can check. {says}",
                "Name the approved use and cite the label beside it, or remove the claim.")
    if rule is BROADENED_INDICATION:
        return (f"approval claim for {name} ({use}) stretches the approved use in area, degree or population. "
                f"{says}", "State the use exactly as the label does, and cite it.")
    if rule is DEVICE_BEYOND_CLEARANCE:
        return (f"{name} is offered for {use}, outside its 510(k) clearance. {says}",
                f"Offer {name} only for its cleared uses, or say plainly the FDA has not cleared it for {use}.")
    return (f"benefit claim for {name} ({use}) is an off-label use and is not disclosed. {says}",
            f"Add in the same sentence or paragraph: \"This is an off-label use: the FDA has not approved {name} "
            f"for {use}.\" A link in the sentence to a section or footnote of the post that says so (e.g. "
            "[off-label uses](#off-label-uses)) counts too, so one such section can serve the whole post.")


_NOT_RISK = re.compile(
    r"\b(?:no|zero|without(?: any)?|minimal|little|low|virtually no|almost no|free of|free from)\s+(?:\w+\s+)?"
    r"(?:side[- ]effects?|risks?|complications?|downtime)\b|\b(?:risk|side[- ]effect)[- ]free\b"
    r"|\b(?:side[- ]effects?|risks?) of (?:a |an |the |your |any )?(?:\w+[- ]){0,2}?(?:diet|dieting|fasting|cleanses?|"
    r"exercise|stress|aging|ageing|surgery|migraines?|sweating|obesity|excess weight|being overweight|"
    r"untreated \w+|doing nothing|waiting)\b"
    r"|\b(?:reduc|lower|decreas|cut)\w* (?:the |your |their )?(?:\w+[- ]){0,2}?risks?\b"  # a benefit, not a risk
    r"|\banti-?(?:nausea|allerg\w*|inflammatory)\b"
    # a denial, a risk factor of the condition, who is at risk, the patient's own allergies: no risk of the product
    r"|\b(?:not|never) (?:known to |likely to )?cause\w* (?:any )?(?:\w+ )?"
    r"(?:side[- ]effects?|adverse \w+|complications?|reactions?|problems)\b"
    r"|\brisk factors?\b|\bat (?:high |higher |increased |greater )?risk\b"
    r"|\b(?:any|your|known|existing)\b[^.]{0,30}\ballerg(?:y|ies)\b", re.IGNORECASE)
# risks named without a single one stated: "like all medicines, they carry potential risks and side effects",
# "both list the same risks" (a reviewer asks which)
_GENERIC_RISK = re.compile(
    r"\b(?:(?:potential|possible|the same|any|all|its|their|certain|some) )?(?:risks?|side[- ]effects?|complications?)"
    r"(?: (?:and|or|&) (?:(?:potential|possible) )?(?:risks?|side[- ]effects?|complications?|benefits?))?\b"
    r"(?! ?(?:include|including|such as|like|are|is|can|may|might|could|were|was|of (?:\w+ ){0,4}include|:|\())",
    re.IGNORECASE)
_RISK_NOUN = re.compile(r"(?:risks?|side[- ]effects?|complications?)", re.IGNORECASE)
_CAUSE = re.compile(r"(?:can|may|might|could) (?:\w+ )?cause", re.IGNORECASE)
# what "can cause" a risk: the product or its treatment, not the condition ("grinding can cause TMJ pain")
_RISK_SUBJECT = re.compile(r"\b(?:treatments?|injections?|procedures?|medications?|medicines?|"
                           r"drugs?|shots?|fillers?|lasers?|toxins?|products?|sessions?|needles?|infusions?|drips?)\b",
                           re.IGNORECASE)


def _use_frames(reading: Reading, k: Knowledge) -> list[Claim]:
    """Where the post judged no claim: sentences that name a prescription product with a use it is for
    ("LATISSE is a prescribed treatment for hypotrichosis", "KYBELLA - a molecule that reduces fat under the
    chin") without a benefit verb the claim frames know. Offering the product for a use is promotion: fair balance
    (CLM007) applies to it as to a benefit claim (issue 16, kind 9). A question or a negated sentence offers nothing."""
    frames = []
    for block in reading.post.blocks:
        if block.where != "body" or block.tag not in CLAIM_TAGS:
            continue
        for sentence in reading.sentences(block):
            text = sentence.text
            if k.product_re is None or not k.product_re.may_match(text) or text.rstrip().endswith("?"):
                continue
            products = [p for p, _, _ in _products(reading, k, text) if k.products[p].prescription]
            if not products or _search(k.negation, text) or _search(k.benefit_negation, text):
                continue
            uses = _mentions(k.condition_re, k.condition_names, text)
            if uses:
                span = block.source_range(sentence.start, sentence.end)
                frames.append(Claim(sentence, products[0], uses[0][0], "use", "ok", "", span=span))
                return frames
    return frames


_NOT_A_CAUSE = re.compile(r"\b(?:contractions?|grinding|clenching|frowning|squinting|smiling|aging|ageing|habits?|"
                         r"stress|activity|exercise|disorders?|movements?|expressions?|smoking|sun|weight|obesity|"
                         r"condition|disease|deficienc\w+)\b", re.IGNORECASE)


def _risk_stated(text: str, k: Knowledge, words: Gated | None = None, cleaned: bool = False) -> bool:
    """The text states a risk of a product: a named adverse effect, or what the product "can cause" (issue 16,
    kind 9). Not a denial, not someone else's risk, not the word "risks" naming none. ``words``: the risk words
    (``k.risk`` for fair balance, the stricter ``k.risk_statement`` beside a safety phrase)."""
    words = words or k.risk
    if words is None:
        return False
    if not words.may_match(text):
        return False
    text = text if cleaned else _NOT_RISK.sub(" ", text)  # ``cleaned``: the caller took the denials out
    for match in words.finditer(text):
        if _RISK_NOUN.fullmatch(match.group(0)):  # "risks", "side effects": stated, or only named?
            named = _GENERIC_RISK.search(text, max(0, match.start() - 40), match.end() + 60)
            if named and named.start() <= match.start() < named.end():
                continue
        if not _CAUSE.match(match.group(0)):
            return True
        clause = re.split(r"[.;:!?,\n]", text[max(0, match.start() - 120):match.start()])[-1]
        if _RISK_SUBJECT.search(clause) or _search(k.product_re, clause):
            return True
        # what a condition or a habit can cause ("repeated frowning can cause lines", "it can also cause TMJ pain"
        # after grinding) is no risk of the product; anything else that "can cause" is read as one
        if not (_NOT_A_CAUSE.search(clause) or _search(k.condition_re, clause)
                or _search(k.condition_re, text[match.end():match.end() + 60])):
            return True
    return False


def _fair_balance(reading: Reading, claims: list[Claim], k: Knowledge,
                  found: Iterable[Finding] = ()) -> Iterable[Finding]:
    post = reading.post
    # a clearance claim promotes a prescription device as much as an approval claim promotes a drug
    promoted = [c for c in claims if c.kind in ("benefit", "approval", "clearance")
                and k.products[c.product].prescription]
    disease = None if promoted else next((f for f in found if f.rule == UNAPPROVED_DISEASE_CLAIM.id or (
        f.rule == OFF_LABEL_UNDISCLOSED.id and _NO_APPROVAL_COVERS in f.message)), None)
    if not promoted and disease is None:
        promoted = _use_frames(reading, k)  # no claim judged: a product named for its use promotes it too
    if not promoted:
        # a disease claim for a product the knowledge base does not list (NAD+, peptides, pellets) promotes it too
        # and so does a benefit claimed for a class no approval covers (exosomes, sermorelin, hormone pellets)
        if disease is not None and not _risk_stated(" ".join(
                s.text for b in post.blocks for s in reading.sentences(b) if not s.text.rstrip().endswith("?")), k):
            against = "against illness " if disease.rule == UNAPPROVED_DISEASE_CLAIM.id else ""
            yield finding(MISSING_RISK, f"the post claims benefits {against}but says nothing of risks",
                          Span(disease.line, disease.column or 1, disease.end_line or disease.line,
                               disease.end_column or 1) if disease.line else None, excerpt=disease.excerpt,
                          suggestion="Add the main risks and side effects with similar prominence to the benefits.")
        return
    # a question ("What are the risks?") names risks without stating any; "no side effects", "risk-free" and
    # "side effects of a diet" deny risks or name someone else's (issue 16, kind 9)
    text = _NOT_RISK.sub(" ", " ".join(s.text for b in post.blocks for s in reading.sentences(b)
                                       if not s.text.rstrip().endswith("?")))
    first = promoted[0]
    span = post.source.span(*first.span) if first.span else None
    if not _risk_stated(text, k, cleaned=True):
        names = sorted({k.products[c.product].brand or k.products[c.product].names[0] for c in promoted})
        yield finding(MISSING_RISK, f"the post claims benefits of {', '.join(names)} but says nothing of risks",
                      span, excerpt=first.sentence.text[:240],
                      suggestion="Add the main risks and side effects with similar prominence to the benefits.")
    warned = {}
    for claim in promoted:
        product = k.products[claim.product]
        if product.boxed_warning and product.id not in warned:
            warned[product.id] = product
    lowered = text.lower()
    for product in warned.values():
        warning = product.boxed_warning
        if not any(keyword.lower() in lowered for keyword in warning.keywords):
            yield finding(MISSING_BOXED_WARNING, f"{product.brand or product.names[0]} has a boxed warning the "
                                                 f"post never mentions: {warning.summary}",
                          span, excerpt=first.sentence.text[:240],
                          suggestion=f"State the boxed-warning risk in plain words (source: {warning.source}).")


# ---------------------------------------------------------------------------------------------------
# Entry points


def check_post(post: Post, policy: Policy) -> tuple[list[Finding], list[dict[str, object]]]:
    """Findings, and the claims table the report shows: one row per claim frame (product, predicate as
    ``kind``, use, modality, evidence, verdict and the rule it gives, with its span), the approval, clearance
    and benefit frames judged against the knowledge base, then the phrase frames (absolute, comparison,
    safety, sameness, efficacy, substantiation, disease, unverifiable approval) that gave a finding."""
    analysis = analyze(post, policy)
    return analysis.findings, claims_table(post, policy, analysis)


def claims_table(post: Post, policy: Policy, analysis: Analysis) -> list[dict[str, object]]:
    k = knowledge(policy)
    rows = [_row(post, c, k) for c in analysis.claims]
    rows += [_phrase_row(f) for f in analysis.findings if f.rule in _PREDICATE]
    return rows


_PREDICATE = {"CLM005": "absolute", "CLM006": "comparison", "CLM011": "approval", "CLM012": "exclusivity",
              "CLM013": "safety", "CLM014": "sameness", "CLM015": "efficacy", "CLM016": "disease",
              "CLM018": "substantiation"}


def _row(post: Post, claim: Claim, k: Knowledge) -> dict[str, object]:
    line, column = post.source.position(claim.span[0]) if claim.span else (None, None)
    end_line, end_column = post.source.position(claim.span[1]) if claim.span else (None, None)
    product = k.products[claim.product]
    rule = _RULE_FOR_VERDICT.get(claim.verdict)
    return {"line": line, "column": column, "end_line": end_line, "end_column": end_column,
            "sentence": claim.sentence.text[:400], "product": product.brand or product.names[0],
            "use": k.conditions[claim.condition].name if claim.condition else None, "kind": claim.kind,
            "modality": claim.modality, "evidence": claim.evidence, "kb": claim.kb_says, "source": claim.source,
            "cited": claim.cited, "disclosed": claim.disclosed, "verdict": claim.verdict,
            "rule": rule.id if rule else None}


def _phrase_row(f: Finding) -> dict[str, object]:
    return {"line": f.line, "column": f.column, "end_line": f.end_line, "end_column": f.end_column,
            "sentence": f.excerpt[:400], "product": None, "use": None, "kind": _PREDICATE[f.rule],
            "modality": "asserted", "evidence": "", "kb": f.message, "source": "", "cited": False,
            "disclosed": False, "verdict": _RULE_NAMES[f.rule], "rule": f.rule}


_RULE_NAMES = {r.id: r.name for r in RULES}


def off_label_block(analysis: Analysis, policy: Policy) -> Block | None:
    """The block of the first benefit claim for an off-label use (disclosed or not), if any."""
    for claim in analysis.claims:
        product = knowledge(policy).products[claim.product]
        if claim.kind == "benefit" and claim.condition and claim.verdict in ("ok", "off-label-undisclosed"):
            uses = {u.condition for u in (*product.approved_uses, *product.cleared_uses)}
            narrower = knowledge(policy).narrower.get(claim.condition, set())
            if claim.condition not in uses and not narrower & uses:
                return claim.sentence.block
    return None


def check_in_corpus(post: PostSummary, corpus: Corpus, policy: Policy) -> list[Finding]:
    """Facts about a product this post states differently from another post (both places are reported)."""
    found = []
    for fact in post.facts:
        others = [s for s in corpus.statements(fact.product, fact.fact) if s.value != fact.value]
        if not others:
            continue
        # the knowledge base as is, not knowledge(): compiling the claim language would cost this process 0.1 s
        product_id, _, use = fact.product.partition("@")
        product = next(p for p in policy.kb.products if p.id == product_id)
        name = (product.brand or product.names[0]) + (f" ({use.replace('-', ' ')})" if use else "")
        where = "; ".join(f"{s.display_path}:{s.line if s.line else '?'} ({_range_text(s.value)})" for s in others)
        found.append(finding(INCONSISTENT_FACT, f"{fact.fact.replace('_', ' ')} for {name} stated as "
                                                f"{_range_text(fact.value)} here but differently in {where}",
                             fact.span, excerpt=fact.text[:240],
                             suggestion="State the same figure everywhere (ideally the label's), or explain the "
                                        "difference."))
    return found


def facts(post: Post, policy: Policy, reading: Reading | None = None) -> Iterable[Fact]:
    """The figures the post states about products (onset, duration), for comparing across posts."""
    if post.readable:
        for fact, product, span, value, text in _facts(reading or Reading(post), knowledge(policy)):
            yield Fact(fact, product, value, span, text)


def _use_of(text: str, k: Knowledge) -> str | None:
    """The most specific condition a text names (for comparing a fact only for the same use)."""
    found = {c for c, _, _ in _read_areas(_mentions(k.condition_re, k.condition_names, text), text, k)}
    specific = sorted(c for c in found if not k.narrower.get(c, set()) & found)
    return specific[0] if specific else None


def _facts(reading: Reading, k: Knowledge) -> Iterable[tuple[str, str, Span | None, tuple[float, float], str]]:
    """Facts keyed by product and use ("botox@chronic-migraine"): retreatment every 12 weeks for migraine does
    not conflict with a cosmetic interval (issue 16, kind 12). The use is the sentence's, else its paragraph's,
    else the title's."""
    post = reading.post
    title = _title(post)
    last = next((p for p, _, _ in _products(reading, k, title)), None)
    title_use: list[str | None] = []
    for block in post.blocks:
        block_use: list[str | None] = []
        for sentence in reading.sentences(block):
            products = _products(reading, k, sentence.text)
            product = products[0][0] if products else last
            if products:
                last = products[-1][0]
            if product is None:
                continue
            for fact, pattern in k.facts.items():
                for match in pattern.finditer(sentence.text):
                    use = _use_of(sentence.text, k)
                    if use is None:
                        block_use = block_use or [_use_of(block.text, k)]
                        title_use = title_use or [_use_of(title, k)]
                        use = block_use[0] or title_use[0]
                    low = float(match.group(1))
                    high = float(match.group(2)) if match.group(2) else low
                    months = match.group(3).lower().startswith("month")
                    value = _normalise(fact, low, high, months)
                    key = f"{product}@{use}" if use else product
                    yield fact, key, _span(post, sentence, match.start(), match.end()), value, sentence.text


def _normalise(fact: str, low: float, high: float, months: bool) -> tuple[float, float]:
    if fact.endswith("_weeks") and months:
        return round(low * 4.345, 1), round(high * 4.345, 1)
    if fact.endswith("_months") and not months:
        return round(low / 4.345, 1), round(high / 4.345, 1)
    return low, high


def _range_text(value: tuple[float, float]) -> str:
    low, high = value
    return f"{low:g}" if low == high else f"{low:g}-{high:g}"

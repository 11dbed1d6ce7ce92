"""The claims knowledge base schema: products, their regulatory status, approved and off-label uses.

Data lives in ``content/policy/claims.yaml`` for compliance reviewers to correct without touching code;
this module only validates it. Every product carries a ``checked_on`` date, and a source per approval.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

Kind = Literal[
    "biologic",  # BLA approval (botulinum toxins)
    "drug",  # NDA approval
    "pma-device",  # Class III device, PMA approval (dermal fillers)
    "510k-device",  # Class II device, 510(k) clearance: "cleared", never "approved"
    "de-novo-device",  # novel low/moderate-risk device, De Novo grant: "authorized" or "cleared", never "approved"
    "not-approved",  # no FDA approval or clearance for the marketed use (PRP, IV vitamin drips)
    "compounded",  # compounded drug: not FDA-approved at all
]

# Devices marketed after a 510(k) clearance or a De Novo grant: "FDA-cleared" (or "authorized"), never "approved".
DEVICE_KINDS = frozenset({"510k-device", "de-novo-device"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """A use or condition, with the plain words patients and posts use for it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    synonyms: tuple[str, ...] = Field((), description="plain-language names, matched case-insensitively")
    broader: tuple[str, ...] = Field((), description="ids of conditions this one is a kind of")


class ApprovedUse(_Strict):
    condition: str = Field(description="a condition id")
    population: str = Field(description="e.g. 'adults', 'adults and children 2 years and older'")
    min_age: int | None = Field(None, ge=0)
    limits: str = Field("", description="area, severity or other limits as the label states them")
    year: int = Field(ge=1938, le=2100)
    source: HttpUrl
    unconfirmed: bool = Field(False, description="true until checked against a primary source")
    checked_on: date | None = Field(None, description="when this fact was last checked against its source "
                                                      "(default: the product's checked_on)")
    evidence: tuple[HttpUrl, ...] = Field((), description="the pages read when the fact was last checked or "
                                                          "corrected, besides its source")


class BoxedWarning(_Strict):
    summary: str
    keywords: tuple[str, ...] = Field(min_length=1, description="any one of these in a post counts as "
                                                                "mentioning the risk")
    source: HttpUrl


class Facts(_Strict):
    """Facts posts state in numbers, compared across posts for consistency."""

    duration_months: tuple[float, float] | None = Field(None, description="how long results last (range)")
    retreat_weeks: tuple[float, float] | None = Field(None, description="how often to retreat (range)")


class Product(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    names: tuple[str, ...] = Field(min_length=1, description="brand, generic and everyday names")
    brand: str | None = Field(None, description="the trademark as it must be written, e.g. BOTOX")
    maker: str | None = None
    kind: Kind
    prescription: bool = True
    family: str | None = Field(None, description="e.g. botulinum-toxin: shared boxed warning and terminology")
    approved_uses: tuple[ApprovedUse, ...] = ()
    cleared_uses: tuple[ApprovedUse, ...] = Field((), description="510(k) clearances, for devices")
    off_label: tuple[str, ...] = Field((), description="condition ids of known off-label uses")
    boxed_warning: BoxedWarning | None = None
    facts: Facts | None = None
    molecule_of: tuple[str, ...] = Field((), description="for a molecule named without a brand (semaglutide): the "
                                                         "product ids of the approved brands that carry it; its "
                                                         "approved uses and boxed warning are theirs")
    compounded_as: str | None = Field(None, description="for a molecule: the compounded product it is in a paragraph "
                                                        "or post about compounding")
    note: str = ""
    checked_on: date
    unconfirmed: bool = Field(False, description="true while any fact lacks a primary source")

    @property
    def uses(self) -> tuple[ApprovedUse, ...]:
        return (*self.approved_uses, *self.cleared_uses)

    def checked(self, use: ApprovedUse | None = None) -> date:
        """When a fact of this product (a use, or the product's own facts) was last checked."""
        return (use.checked_on if use is not None else None) or self.checked_on

    @model_validator(mode="after")
    def _uses_fit_the_kind(self) -> Product:
        if self.kind in DEVICE_KINDS and self.approved_uses:
            raise ValueError(f"a {self.kind} has cleared_uses (authorized or cleared), not approved_uses")
        if self.kind in ("not-approved", "compounded") and (self.approved_uses or self.cleared_uses):
            raise ValueError(f"a {self.kind} product has no approved or cleared uses")
        return self


class KnowledgeBase(_Strict):
    version: str
    conditions: tuple[Condition, ...]
    products: tuple[Product, ...]

    @model_validator(mode="after")
    def _references_resolve(self) -> KnowledgeBase:
        ids = [c.id for c in self.conditions]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise ValueError(f"duplicate condition ids: {sorted(duplicates)}")
        known = set(ids)
        product_ids = [p.id for p in self.products]
        if len(set(product_ids)) != len(product_ids):
            raise ValueError("duplicate product ids")
        for product in self.products:
            for use in (*product.approved_uses, *product.cleared_uses):
                if use.condition not in known:
                    raise ValueError(f"product {product.id}: unknown condition '{use.condition}'")
            for condition in product.off_label:
                if condition not in known:
                    raise ValueError(f"product {product.id}: unknown off-label condition '{condition}'")
            for other in (*product.molecule_of, *([product.compounded_as] if product.compounded_as else [])):
                if other not in product_ids:
                    raise ValueError(f"product {product.id}: unknown product '{other}'")
        for condition in self.conditions:
            for broader in condition.broader:
                if broader not in known:
                    raise ValueError(f"condition {condition.id}: unknown broader condition '{broader}'")
        return self


class Phrase(_Strict):
    """A risky phrase: where it is found, the contexts that make it fine, and how to reword it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    pattern: str
    allowed: tuple[str, ...] = Field((), description="patterns of the same sentence that make it acceptable")
    allowed_in: Literal["sentence", "paragraph"] = Field(
        "sentence", description="where an allowed pattern counts: the phrase's sentence, or its whole paragraph "
                                "(a disclosure such as 'not FDA-approved' that governs the paragraph)")
    cited_ok: bool = Field(False, description="a citation next to the phrase makes it fine (a study cited for "
                                              "'backed by research')")
    with_risks: bool = Field(False, description="a safety phrase that minimises risk even beside stated risks "
                                                "('side effects, if any, include ...')")
    suggestion: str


class AreaReading(_Strict):
    """Words naming a problem at an area, read as one condition: the most specific reading wins over the
    conditions its words name alone ("lines between the brows" is glabellar lines, not eyebrow growth)."""

    pattern: str
    condition: str = Field(description="a condition id of claims.yaml")


class ClaimLanguage(_Strict):
    """The words the claims check looks for (content/policy/claim-language.yaml)."""

    version: str
    approval: tuple[str, ...]
    clearance: tuple[str, ...]
    negation: tuple[str, ...]
    off_label_disclosure: tuple[str, ...]
    benefit: tuple[str, ...]
    benefit_negation: tuple[str, ...] = Field((), description="a benefit verb in a sentence with one of these "
                                                             "is a denial, not a claim")
    subject_reference: tuple[str, ...] = Field((), description="words that carry the post's product over")
    class_reference: tuple[str, ...] = Field((), description="a plural class as the subject ('neurotoxins', 'these "
                                                             "treatments'): the claim is made for every product "
                                                             "the post named before")
    population_children: tuple[str, ...] = ()
    risk: tuple[str, ...]
    authoritative_domains: tuple[str, ...]
    prohibited: tuple[Phrase, ...]
    comparative: tuple[Phrase, ...]
    facts: dict[str, str] = Field(default_factory=dict, description="fact name -> pattern with two numbers "
                                                                    "and a unit group")
    area_readings: tuple[AreaReading, ...] = Field((), description="phrases read as one condition, replacing "
                                                                   "the conditions their words name")
    claiming_questions: tuple[str, ...] = Field((), description="a question is not a claim unless it matches "
                                                                "one of these ('Did you know ...?')")
    wording: tuple[str, ...] = Field((), description="a sentence about words: approval words it quotes are "
                                                     "mentioned, not claimed")
    condition_reference: tuple[str, ...] = Field((), description="words that carry over the conditions of the "
                                                                 "paragraph's sentence before ('those areas')")
    heading_use: tuple[str, ...] = Field((), description="in a heading naming a product, words that claim a use "
                                                         "('BOTOX for TMJ')")
    topic_titles: tuple[str, ...] = Field((), description="a title framed as an explainer ('... : Your Questions "
                                                          "Answered', 'What the Evidence Says'): it introduces "
                                                          "the post's topic, it does not offer the use")
    # issue 22: the reasons FDA and FTC letters give (rules CLM013-CLM018)
    safety: tuple[Phrase, ...] = Field((), description="risk minimised (CLM013) unless the sentence or paragraph "
                                                       "states risks (risk_statement)")
    risk_statement: tuple[str, ...] = Field((), description="wording that states a product's risks beside a "
                                                            "safety claim ('side effects include')")
    sameness: tuple[Phrase, ...] = Field((), description="a compounded or unapproved product presented as an "
                                                         "approved drug (CLM014)")
    compounded_context: tuple[str, ...] = Field((), description="words that make a sameness phrase about a "
                                                                "compounded or unapproved product")
    efficacy: tuple[Phrase, ...] = Field((), description="efficacy claims that need a citation next to them "
                                                         "(CLM015)")
    substantiation: tuple[Phrase, ...] = Field((), description="approvals, registrations or endorsements that do "
                                                               "not apply to the product (CLM018)")
    disease: tuple[str, ...] = Field((), description="illnesses no clinic product is approved against (CLM016)")
    disease_claim: tuple[str, ...] = Field((), description="verbs claiming an effect on an illness: prevent, "
                                                           "treat, fight, boost immunity")
    unlisted_products: tuple[str, ...] = Field((), description="products and classes the knowledge base does not "
                                                               "list (exosomes, NAD+, stem cells): an approval "
                                                               "claim for them is unverifiable (CLM011)")
    unapproved_classes: tuple[str, ...] = Field((), description="products and classes no FDA approval covers for "
                                                                "the uses clinics sell them for (NAD+, peptides, "
                                                                "hormone pellets, exosomes): a benefit claim for "
                                                                "them needs a disclosure (CLM004)")
    wellness_uses: tuple[str, ...] = Field((), description="effects a clinic promises that the knowledge base has no "
                                                           "condition for ('more energy', 'better sleep', 'lean "
                                                           "muscle'): a use when an unapproved class claims them")
    other_treatments: tuple[str, ...] = Field((), description="approved treatments a sentence may name as its own "
                                                              "subject ('vaccination and antiviral medicines "
                                                              "prevent COVID-19'): not a claim for the post's product")
    broadened: tuple[str, ...] = Field((), description="an approved use stretched in area, degree or time "
                                                       "(CLM017), beside an approval word")
    approval_places: tuple[str, ...] = Field((), description="after an approval word, what is not a product: "
                                                             "'FDA-approved facility' (CLM018, not an approval)")
    beyond_clearance: tuple[str, ...] = Field((), description="uses no energy device, laser, pen or implant is "
                                                              "cleared for (CLM019): 'permanent hair removal', "
                                                              "'alternative to liposuction', 'vaginal rejuvenation'")
    unapproved_biologics: tuple[str, ...] = Field((), description="products from birth tissue or stem cells "
                                                                  "(umbilical cord, amniotic, 'stem cell derived "
                                                                  "exosomes'): unapproved biologics, a finding when "
                                                                  "offered (CLM004)")
    tissue_effects: tuple[str, ...] = Field((), description="how a device is said to work ('new collagen', "
                                                            "'fibroblasts'): after a use beyond clearance in the "
                                                            "section, they continue that claim (CLM019)")
    device_words: tuple[str, ...] = Field((), description="words that make a sentence, paragraph or post about a "
                                                          "device (for beyond_clearance)")
    label_links: tuple[str, ...] = Field((), description="link targets that are a maker's prescribing information "
                                                         "(the label PDF) on any domain: a citation too")
    brand_lookalike_words: tuple[str, ...] = Field((), description="real words one letter from a brand "
                                                                  "('retinal', 'Genova'): never read as a misspelt "
                                                                  "brand (CLM009)")
    general: tuple[str, ...] = Field((), description="a sentence about drugs or approval in general ('when a drug "
                                                     "gets FDA approval'): without a product named, not a claim")
    approval_use_kinds: tuple[str, ...] = Field((), description="a kind of use beside an approval word ('for "
                                                                "cosmetic use', 'wrinkle relaxer'): the approval "
                                                                "names a use, uncited (CLM003) not unverifiable")

    @model_validator(mode="after")
    def _patterns_compile(self) -> ClaimLanguage:
        groups = [self.approval, self.clearance, self.negation, self.off_label_disclosure, self.benefit,
                  self.benefit_negation, self.subject_reference, self.class_reference, self.population_children,
                  tuple(self.facts.values()),
                  tuple(r.pattern for r in self.area_readings), self.claiming_questions, self.wording,
                  self.condition_reference, self.heading_use, self.topic_titles, self.risk_statement,
                  self.compounded_context,
                  self.disease, self.disease_claim, self.unlisted_products, self.unapproved_classes,
                  self.wellness_uses, self.other_treatments, self.broadened, self.approval_places,
                  self.general, self.beyond_clearance, self.device_words, self.label_links,
                  self.approval_use_kinds, self.unapproved_biologics, self.tissue_effects]
        for phrase in (*self.prohibited, *self.comparative, *self.safety, *self.sameness, *self.efficacy,
                       *self.substantiation):
            groups.append((phrase.pattern, *phrase.allowed))
        for group in groups:
            valid_patterns(group)
        return self


def valid_patterns(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """``patterns`` unchanged, or a ValueError naming the first that is not a valid regular expression."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as err:
            raise ValueError(f"invalid regular expression {pattern!r}: {err}") from err
    return patterns

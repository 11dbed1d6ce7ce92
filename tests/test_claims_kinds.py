"""Claims by kind of wording, not by phrase (issues 16/22): each kind is written several ways in our own words,
so that a fix for one page's wording is a fix for the kind. Each kind has failing and passing examples."""

from __future__ import annotations

import pytest

from checks.policy import Policy
from flows.store.policy_files import load_policy
from tests.conftest import POLICY
from tests.test_claims_real_writing import _rules


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(POLICY)


# 1. Efficacy without a source (CLM015): shares of patients, averages, "shown to", what studies show, times
_EFFICACY_FAILING = [
    "Eight out of ten clients tell us their frown lines look softer.",
    "9/10 patients would book again for their frown lines.",
    "In our clinic, 92% of patients saw firmer skin.",
    "Around 80 percent reported fewer lines at their check-up.",
    "Adults on the shots shed an average of 12% of their weight.",
    "Members lost on average 30 pounds over the program.",
    "The peel has been shown to fade dark spots.",
    "Research has demonstrated that the drip lifts energy.",
    "Studies have found that microneedling thickens hair.",
    "The science shows our protocol works.",
    "Most clients see visible results after a single session.",
    "Expect results within 3 days of your visit.",
]
_EFFICACY_PASSING = [
    "In the trial, adults shed an average of 12% of their weight [1].",
    "The peel has been shown to fade dark spots [1].",
    "About 3% of patients had a headache after treatment.",
    "Nausea was reported by 20% of participants.",
    "In clinical trials, the commonest side effects, seen in 5% of patients, were nausea and diarrhea.",
    "It has not been shown to help hair grow.",
    "Some people may see results within 3 days; for others it takes two weeks.",
    "70% of adults surveyed said they worry about their chin.",
    "Results vary from person to person.",
]


@pytest.mark.parametrize("text", _EFFICACY_FAILING)
def test_uncited_efficacy_of_every_kind_is_found(policy: Policy, text: str) -> None:
    assert (1, "CLM015") in _rules(policy, text)


@pytest.mark.parametrize("text", _EFFICACY_PASSING)
def test_cited_hedged_or_risk_figures_are_not_efficacy_claims(policy: Policy, text: str) -> None:
    assert (1, "CLM015") not in _rules(policy, text)


def test_studies_show_is_an_efficacy_claim_not_a_false_endorsement(policy: Policy) -> None:
    found = _rules(policy, "Studies show the treatment lasts longer each time.")
    assert (1, "CLM015") in found and (1, "CLM018") not in found
    assert (1, "CLM018") in _rules(policy, "Our serum is backed by clinical research.")


# 4. A true approval in other words is an approval claim (uncited: CLM003), not a false one
@pytest.mark.parametrize("text", [
    "Botox is a Food and Drug Administration-approved treatment for frown lines.",
    "Botox received FDA approval for frown lines.",
    "Botox has FDA approval for the frown lines between the brows.",
    "Botox is endorsed by the FDA for frown lines.",
    "Botox has the FDA's approval for frown lines.",
])
def test_approval_wording_variants_are_approval_claims(policy: Policy, text: str) -> None:
    found = {rule for _, rule in _rules(policy, text)}
    assert "CLM003" in found and not found & {"CLM001", "CLM011", "CLM018"}
    assert not {rule for _, rule in _rules(policy, text[:-1] + " [1].")} & {"CLM001", "CLM003", "CLM011"}


@pytest.mark.parametrize("text", [
    "Our compounded semaglutide is not the same as FDA-approved Wegovy.",
    "Unlike approved Wegovy, compounded semaglutide is mixed by a pharmacy.",
])
def test_the_approval_of_a_product_compared_with_is_no_claim(policy: Policy, text: str) -> None:
    assert not {rule for _, rule in _rules(policy, text)} & {"CLM001", "CLM002", "CLM003", "CLM011"}


# 5. Near-miss spellings of every brand in the knowledge base (CLM009), by edit distance, not by list
@pytest.mark.parametrize(("text", "written"), [
    ("Ask us about Zepbond for weight.", "Zepbond"),
    ("Kybela shots for the chin.", "Kybela"),
    ("We carry Dyport and more.", "Dyport"),
    ("Try Cool Sculpting this spring.", "Cool Sculpting"),
    ("A course of Ozempik.", "Ozempik"),
    ("ZepBound is a weekly shot.", "ZepBound"),
])
def test_brand_misspellings_of_every_brand_are_found(policy: Policy, text: str, written: str) -> None:
    from tests.test_claims_real_writing import _review
    found, _ = _review(policy, text)
    assert any(f.rule == "CLM009" and written in f.message for f in found), found


@pytest.mark.parametrize("text", [
    "Retin-A and Retin A are both written right; the retina and retinal tissue are not brands.",
    "Tirzepatide's Zepbound label and A Kybella visit are fine; so is semaglutide's Wegovy.",
    "Deoxycholic acid and cryolipolysis are generic names.",
])
def test_right_spellings_ordinary_words_and_generic_names_are_not_misspellings(policy: Policy, text: str) -> None:
    assert (1, "CLM009") not in _rules(policy, text)


# 2. Off-label uses of a product the post named, referred to by the clinic's own word for it (CLM004)
@pytest.mark.parametrize("text", [
    "We use Botox here. Our tox also eases TMJ pain.",
    "We use Botox here. Tox treatments relax a clenched jaw from bruxism.",
    "We use Botox here. Wrinkle relaxers can also slim the jawline.",
    "We offer dermal fillers. Our filler can smooth neck lines.",
])
def test_off_label_use_of_a_product_named_by_the_clinics_word_is_found(policy: Policy, text: str) -> None:
    assert (1, "CLM004") in _rules(policy, text)


@pytest.mark.parametrize("text", [
    "We use Botox here. Our tox softens the frown lines between the brows.",
    "We use Botox here. Our tox can ease TMJ pain, an off-label use.",
])
def test_on_label_or_disclosed_uses_by_the_clinics_word_pass(policy: Policy, text: str) -> None:
    assert (1, "CLM004") not in _rules(policy, text)


# 3. Risk information for products outside the knowledge base (CLM007): a benefit claimed for a class no
# approval covers promotes it as much as a named drug
@pytest.mark.parametrize("text", [
    "Our sermorelin shots boost growth hormone and improve sleep.",
    "Exosome facials regrow hair in weeks.",
    "Bioidentical hormones restore energy and ease hot flashes.",
])
def test_benefits_of_unlisted_prescription_classes_need_risk_information(policy: Policy, text: str) -> None:
    found = _rules(policy, text, risk=False)
    assert (1, "CLM004") in found and any(rule == "CLM007" for _, rule in found)
    assert not any(rule == "CLM007" for _, rule in _rules(policy, text + " Side effects include redness and "
                                                                         "headache.", risk=False))


# wrong findings: a face area is not a use of the feature it is named by
def test_the_area_between_the_brows_is_frown_lines_not_eyebrow_growth(policy: Policy) -> None:
    found = _rules(policy, "BOTOX Cosmetic softens the skin between the eyebrows.")
    assert (1, "CLM004") not in found
    assert (1, "CLM004") in _rules(policy, "BOTOX Cosmetic makes thin eyebrows grow fuller.")


# wrong findings: a disease named as who a use is for is not the use
def test_a_condition_naming_who_a_use_is_for_is_not_the_use(policy: Policy) -> None:
    assert (1, "CLM004") not in _rules(policy, "Wegovy helps adults with type 2 diabetes who are overweight lose "
                                               "weight.")
    assert (1, "CLM004") in _rules(policy, "Wegovy helps adults manage type 2 diabetes.")
    # the narrower condition is the use itself: headaches in adults with chronic migraine
    assert (1, "CLM001") not in _rules(policy, "BOTOX is FDA-approved to prevent headaches in adults with chronic "
                                               "migraine, meaning 15 or more headache days a month [1].")


@pytest.mark.parametrize("text", [
    "We offer dermal fillers. We also use filler to smooth the neck.",
    "We offer dermal fillers. Neck filler treatments restore a youthful neck.",
    "Try our IV drips. A drip chases away fatigue after a long week.",
    "Try our IV drips. Our Recovery drip helps you bounce back the morning after.",
    "We prescribe compounded tirzepatide. Many patients find the medication also eases joint pain.",
])
def test_fillers_for_the_neck_drips_for_tiredness_and_the_medication_referred_back(policy: Policy,
                                                                                    text: str) -> None:
    assert (1, "CLM004") in _rules(policy, text)


@pytest.mark.parametrize("text", [
    "BOTOX treats neck spasms from cervical dystonia.",
    "Semaglutide may cause fatigue and nausea.",
    "Try our IV drips. A drip of saline is given through a small needle.",
])
def test_neck_muscles_fatigue_as_a_side_effect_and_plain_descriptions_pass(policy: Policy, text: str) -> None:
    assert (1, "CLM004") not in _rules(policy, text)


# 3b. A careful on-label page that says what the product is for and lists no risks (CLM007)
@pytest.mark.parametrize("text", [
    "Wegovy is a prescription medicine for adults with obesity [1].",
    "KYBELLA is indicated to improve the look of fat below the chin [1].",
])
def test_a_label_statement_without_risks_needs_risk_information(policy: Policy, text: str) -> None:
    assert any(rule == "CLM007" for _, rule in _rules(policy, text, risk=False))
    assert not any(rule == "CLM007" for _, rule in _rules(policy, text + " Side effects include nausea and "
                                                                         "swelling.", risk=False))


def test_demand_for_drugs_for_a_use_is_no_label_statement(policy: Policy) -> None:
    found = _rules(policy, "Demand for these drugs for weight loss is high, so we offer compounded semaglutide.")
    assert (1, "CLM004") not in found


# --- issue 22: the kinds of wording FDA and FTC letters cite (tests/regulator_corpus holds the letters' own words;
# the sentences here are ours)

# CLM015: wonder words, visible reshaping, a product as the fighter of a problem, effortless loss, "only X works"
@pytest.mark.parametrize("text", [
    "Our peptide blend is the miracle shot for tired skin.",
    "This serum is a magic potion for dull skin.",
    "The cream is every bride's secret to a smoother back.",
    "Apply the lotion twice a day to visibly slim your thighs.",
    "The wrap helps reshape your silhouette in one session.",
    "Our toning balm is a real cellulite buster.",
    "With the shake plan the pounds just melt right off.",
    "Take a capsule, relax, and lose weight.",
    "Only pharmacy-grade NAD+ is effective.",
    "2 out of 3 clients saw smoother skin.",
])
def test_efficacy_wording_the_letters_cite_is_found_by_kind(policy: Policy, text: str) -> None:
    assert (1, "CLM015") in _rules(policy, text)


@pytest.mark.parametrize("text", [
    "There is no miracle shot for tired skin.",
    "No lotion can visibly slim your thighs.",
    "Weight does not just fall off; it takes months of steady work.",
    "A cream can make skin look smoother for a few hours.",
    "Two out of three side effects we see are mild bruising and swelling.",
])
def test_denied_or_plain_efficacy_wording_passes(policy: Policy, text: str) -> None:
    assert (1, "CLM015") not in _rules(policy, text)


# CLM006: a performance claim compared with nothing named, or with "older therapies"
@pytest.mark.parametrize(("text", "found"), [
    ("Our spinner gives a higher concentration of platelets.", True),
    ("The probe treats red spots with less pain compared to older methods.", True),
    ("It is a superior solution for thread veins.", True),
    ("The spinner separates plasma from red cells [1].", False),
])
def test_uncited_performance_comparisons(policy: Policy, text: str, found: bool) -> None:
    assert ((1, "CLM006") in _rules(policy, text)) is found


# CLM013: side effects hedged away even beside the risks; popularity or a casual label in place of safety
@pytest.mark.parametrize(("text", "found"), [
    ("We use Xeomin. Side effects, if any, are a little redness.", True),
    ("We use Xeomin. Risks, if they occur at all, include bruising.", True),
    ("BOTOX Cosmetic is the nation's favourite wrinkle treatment.", True),
    ("We use Xeomin. It is the quick tox before a party.", True),
    ("We use Xeomin. Side effects include redness, bruising and headache.", False),
    ("We use Xeomin. It softens frown lines for three to four months [1].", False),
])
def test_risk_hedged_away_or_replaced_by_popularity(policy: Policy, text: str, found: bool) -> None:
    assert ((1, "CLM013") in _rules(policy, text)) is found


# CLM014: the molecule called the active ingredient of the brand, beside a price
def test_the_brands_active_ingredient_at_a_lower_price_is_sameness(policy: Policy) -> None:
    failing = "Our semaglutide is the active ingredient in Ozempic, and it is far more cost effective."
    assert (1, "CLM014") in _rules(policy, failing)
    passing = "Compounded semaglutide is not FDA-approved and is not the same as Ozempic, though it costs less."
    assert (1, "CLM014") not in _rules(policy, passing)


# CLM016: germs, brain and nerve damage, a gland "reset": illnesses an unapproved product is said to act on
@pytest.mark.parametrize(("text", "found"), [
    ("Our ozone sauna sessions kill the germs before you catch anything.", True),
    ("Our stem cell infusions regenerate damaged nerve tissue.", True),
    ("Stem cells were long thought to leave a spinal cord injury permanent; our infusions change that.", True),
    ("Our hCG drops reset the hypothalamus so it can function properly.", True),
    ("No stem cell infusion is FDA-approved to repair nerve damage.", False),
    ("Our infrared sauna sessions are warm and relaxing.", False),
])
def test_disease_claims_of_the_letters_kinds(policy: Policy, text: str, found: bool) -> None:
    assert ((1, "CLM016") in _rules(policy, text)) is found


# CLM004: diet drops and fat-dissolving mechanisms, the section's class carried by its heading, birth-tissue products
@pytest.mark.parametrize(("text", "found"), [
    ("Metabolism boost drops for a trimmer waist.", True),
    ("## Mesotherapy at our clinic\n\nThe injections break down stored fat under the skin.", True),
    ("## Mesotherapy at our clinic\n\nThe solution makes fat cells release their fat into the blood.", True),
    ("Our vials: 50 Billion Umbilical Cord Stem Cell Derived Exosomes.", True),
    ("## Mesotherapy: what the evidence says\n\nNo injection is FDA-approved to break down fat.", False),
    ("Exosomes are tiny particles that cells release; none is FDA-approved.", False),
    ("Wegovy works like a gut hormone called glucagon-like peptide-1.\n\nIt helps reduce appetite [1].", False),
])
def test_unapproved_drug_uses_of_the_letters_kinds(policy: Policy, text: str, found: bool) -> None:
    lines = {line for line, rule in _rules(policy, text) if rule == "CLM004"}
    assert bool(lines) is found, lines


# CLM019: a device on the vaginal wall, a kit said to heal, a "non-invasive method" for cellulite, how it works
# on tissue after such a use, and a needle epilator for rosacea
@pytest.mark.parametrize(("text", "found"), [
    ("Our laser warms the vaginal wall to restore moisture.", True),
    ("The PRP kit boosts the body's natural healing abilities.", True),
    ("Meet our non-invasive method for smoothing cellulite.", True),
    ("Our RF wand firms the vaginal tissue.\n\nFibroblasts then lay down new collagen.", True),
    ("VeinGogh also treats the redness of rosacea.", True),
    ("Laser energy inside the vagina has caused burns and scarring.", False),
    ("The PRP kit prepares plasma from your own blood.", False),
    ("No device is FDA-cleared for vaginal rejuvenation.", False),
])
def test_device_uses_beyond_clearance_of_the_letters_kinds(policy: Policy, text: str, found: bool) -> None:
    assert bool({line for line, rule in _rules(policy, text) if rule == "CLM019"}) is found

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


# 8. Comparisons and superlatives (CLM006), by kind of wording: each kind fails uncited and passes when it is no
# claim against alternatives (a time, an amount, the reader's own before and after, logistics, fit) or is cited
_COMPARISON_KINDS: dict[str, tuple[list[str], list[str]]] = {
    "a comparative with words before 'than', or 'N times as'": ([
        "Our filler gives a far more natural look than other brands.",
        "Daxxify can last two to three times longer than other toxins.",
        "Tirzepatide has a slightly better weight loss record than semaglutide.",
        "Our new drip makes bouncing back easier than ever.",
        "Our toxin spreads more evenly than the others.",
        "The peptide heals sprains twice as fast as rest alone.",
        "Synthetic hormones may not work as well as bioidentical ones.",
        "Neither pills nor creams last as long as pellets, which outperform them.",
        "Our Botox results will not look frozen like other toxins.",
    ], [
        "Results usually last longer than 6 months.",
        "Your skin will look better than before.",
        "Recovery is quicker than after a facelift, but expect swelling.",
        "Each visit takes less than an hour, and we have more than 20 years of experience.",
        "Either toxin may work better than the other for a given patient; we talk it through.",
        "Is a drip better than drinking water?",
        "Neither option is safer for everyone.",
        "Neither toxin is better than the other; they differ in how fast they start.",
        "Some say Jeuveau may last longer than Botox, but there is no clear data showing a difference.",
        "For most people a drip has not been shown to give an advantage over drinking water.",
        "Dysport differs from Botox in the proteins around the toxin.",
        "You will look better than ever, and healing is faster than you might think.",
        "Like other toxins, Xeomin can cause a headache.",
        "Daxxify lasted longer than Botox in a head-to-head trial [1].",
    ]),
    "a superlative or a winner": ([
        "Microneedling has become the gold standard for acne scars.",
        "Our injectors' results are unmatched in the valley.",
        "Botox vs. Dysport: Dysport wins on speed.",
        "Compared with pills, pellets have been shown to be superior for hot flashes.",
        "## The most effective treatment for a double chin",
        "Many patients see real advantages over surgery.",
        "Kybella is a superior alternative to liposuction.",
        "Daxxify is the longest-lasting wrinkle relaxer, and the most trusted.",
        "## Why choose Xeomin over other toxins?",
        "For a softer look, Jeuveau is the better choice.",
    ], [
        "Ask us whether Botox is the best choice for you.",
        "Diet and exercise remain the most effective way to lose weight.",
        "Three sessions a month apart give the best glow.",
        "## Botox vs. Dysport: what is the difference?",
        "Which is the better choice for you?",
    ]),
    "'unlike' the alternatives as a class": ([
        "Unlike other toxins, Xeomin carries no extra proteins.",
        "Unlike synthetic hormones, our pellets match your body exactly.",
    ], [
        "Unlike fillers, Botox relaxes the muscle instead of adding volume.",
        "There is no downtime, so unlike other cosmetic procedures you can drive home.",
    ]),
    "drawbacks pinned on the alternatives": ([
        "Pellets avoid the highs and lows seen with every other way of taking hormones.",
        "There is none of the drowsiness commonly experienced with prescription muscle relaxants.",
        "The drip skips the gut breakdown that limits oral vitamins.",
        "Slim your waist without the risks of liposuction.",
        "Enjoy a slimmer chin with none of the downtime or risks of surgery.",
    ], [
        "Nausea is also seen with other GLP-1 medicines.",
        "Bruising is common with any injection.",
    ]),
    "a purer product or fewer risks, with a rival named beside it": ([
        "Botox and Dysport carry extra proteins. Xeomin is a purer toxin.",
        "Compared with synthetic hormones, pellets cause fewer side effects.",
        "Xeomin is similar to Botox but has a much smaller chance of antibody resistance.",
        "Compared with Botox, Daxxify lasts longer.",
        "Pellets cause fewer side effects than creams.",
        "Unlike Botox, Daxxify lasts much longer.",
        "## Xeomin or Botox?\n\n- A purer toxin, with no extra proteins.",
        "Dysport may kick in faster than Botox.",
    ], [
        "Drink water for cleaner, clearer skin.",
        "## Aftercare\n\n- Use a cleaner pillowcase for a week.",
        "Results from Daxxify may last longer with repeat treatments.",
        "Compared with placebo, more patients on Wegovy lost weight.",
        "Compared with Botox, Daxxify had more reports of headache in trials.",
        "People with asthma have a higher risk of side effects.",
        "Tell your injector about other treatments; bruising carries a higher risk of complications in smokers.",
    ]),
}


@pytest.mark.parametrize(("kind", "text"), [(kind, text) for kind, (failing, _) in _COMPARISON_KINDS.items()
                                            for text in failing])
def test_uncited_comparisons_of_every_kind_are_found(policy: Policy, kind: str, text: str) -> None:
    assert any(rule == "CLM006" for _, rule in _rules(policy, text)), kind


@pytest.mark.parametrize(("kind", "text"), [(kind, text) for kind, (_, passing) in _COMPARISON_KINDS.items()
                                            for text in passing])
def test_comparisons_that_are_no_claim_pass(policy: Policy, kind: str, text: str) -> None:
    assert not any(rule == "CLM006" for _, rule in _rules(policy, text)), kind


# 8b. Exclusivity in other words is out of date when another product is approved for the use (CLM012)
@pytest.mark.parametrize("text", [
    "Jeuveau is the sole FDA-approved injectable for frown lines.",
    "Dysport is the one and only toxin for frown lines.",
    "No other injectable has been FDA-approved for frown lines like Xeomin.",
])
def test_exclusivity_in_other_words_is_out_of_date(policy: Policy, text: str) -> None:
    assert (1, "CLM012") in _rules(policy, text)
    assert (1, "CLM012") not in _rules(policy, "Jeuveau is an FDA-approved injectable for frown lines.")

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


# --- precision helper (issue 16): wrong findings by kind, then CLM007 / CLM013 / CLM003 recall by kind ----------

# 4a. An approval naming no use in its own words, but a kind of use ("for cosmetic use") or, in its paragraph or the
# one just above, a use the label lists: a reviewer can check it, so uncited it is CLM003, not CLM011
@pytest.mark.parametrize("text", [
    "XEOMIN has had FDA approval for cosmetic use for years.",
    "Jeuveau is a new FDA-approved wrinkle relaxer from Evolus.",
    "KYBELLA is FDA approved to inject into the fat under the chin.",
    "Wegovy treats obesity in adults.\n\nIt has also been approved by the FDA after years of trials.",
    "Dysport got FDA approval in 2009. It was approved for frown lines between the brows.",
])
def test_an_approval_beside_a_kind_of_use_or_a_named_use_is_uncited_not_unverifiable(policy: Policy,
                                                                                     text: str) -> None:
    found = _rules(policy, text)
    assert any(rule == "CLM003" for _, rule in found) and not any(rule == "CLM011" for _, rule in found)
    cited = text.replace(".", " [1].")
    assert not any(rule in ("CLM003", "CLM011") for _, rule in _rules(policy, cited))


@pytest.mark.parametrize("text", [
    "XEOMIN is FDA-approved and has been given to thousands of people.",
    "Wrinkle relaxers are FDA-approved injections. XEOMIN is one of them.",
    "Wegovy treats obesity in adults.\n\n## Our clinic\n\nIt has also been approved by the FDA after years of trials.",
])
def test_an_approval_with_no_use_in_reach_stays_unverifiable(policy: Policy, text: str) -> None:
    found = _rules(policy, text)
    assert any(rule == "CLM011" for _, rule in found) and not any(rule == "CLM003" for _, rule in found)


# 2b. Negation scope for absolutes and safety words: a negated verb covers its clause, up to a comma or a turn
@pytest.mark.parametrize(("text", "rule"), [
    ("Laser sessions do not guarantee permanent removal of every hair.", "CLM005"),
    ("PRP is not a permanent fix for thinning hair.", "CLM005"),
    ("A drip might seem like a miracle cure the morning after.", "CLM005"),
    ("This leaflet does not promise that the medicine is safe for you.", "CLM013"),
    ("Repeated frowning can etch permanent lines between the brows.", "CLM005"),
    ("Laser hair removal permanently reduces unwanted hair on the legs.", "CLM005"),
])
def test_negated_or_apparent_absolutes_and_safety_words_are_not_claims(policy: Policy, text: str,
                                                                        rule: str) -> None:
    assert (1, rule) not in _rules(policy, text, risk=False)


@pytest.mark.parametrize(("text", "rule"), [
    ("Laser sessions guarantee permanent removal of every hair.", "CLM005"),
    ("It is not painful, and the results are permanent.", "CLM005"),
    ("A drip is a miracle cure the morning after.", "CLM005"),
    ("Since it is not made from animal protein, the medicine is very safe.", "CLM013"),
])
def test_absolutes_and_safety_words_outside_a_negated_clause_are_claims(policy: Policy, text: str,
                                                                         rule: str) -> None:
    assert (1, rule) in _rules(policy, text, risk=False)


# 9b. A discomfort the treatment brings is risk information: "well tolerated" beside it minimises nothing
def test_burning_pain_after_the_injection_is_risk_information(policy: Policy) -> None:
    careful = ("KYBELLA is indicated to improve the look of fat below the chin [1]. Most people feel some "
               "burning-like pain for a few minutes, but it is well tolerated.")
    found = _rules(policy, careful, risk=False)
    assert not any(rule in ("CLM007", "CLM013") for _, rule in found)
    careless = "KYBELLA is indicated to improve the look of fat below the chin [1]. It is well tolerated."
    found = _rules(policy, careless, risk=False)
    assert (1, "CLM013") in found and any(rule == "CLM007" for _, rule in found)


# 9c. Risk information states a risk of the product: the word "risks" naming none, a denial, a risk factor of the
# condition, the patient's own allergies, or what the condition "can cause" is not it (CLM007)
@pytest.mark.parametrize("said", [
    "Like every medicine, it carries potential risks and side effects worth discussing.",
    "Both toxins list the same risks and side effects.",
    "The injections are not known to cause adverse reactions.",
    "Excess weight is a risk factor for heart disease.",
    "Tell us about any allergies before your visit.",
    "Over time, repeated frowning can cause deep lines.",
])
def test_words_about_risk_that_state_none_are_no_risk_information(policy: Policy, said: str) -> None:
    text = f"XEOMIN is FDA-approved to soften frown lines between the brows [1]. {said}"
    assert any(rule == "CLM007" for _, rule in _rules(policy, text, risk=False))


@pytest.mark.parametrize("said", [
    "Side effects include headache and eyelid drooping.",
    "The injections can cause bruising where the needle went in.",
    "Some people may experience mild soreness or redness for a day.",
    "Fat freezing can cause redness, numbness and, rarely, a larger fat bulge.",
])
def test_a_risk_of_the_product_stated_is_risk_information(policy: Policy, said: str) -> None:
    text = f"XEOMIN is FDA-approved to soften frown lines between the brows [1]. {said}"
    assert not any(rule == "CLM007" for _, rule in _rules(policy, text, risk=False))


# 9d. A product offered for a use without a benefit verb ("a prescribed treatment for hypotrichosis") promotes it
# as much as a benefit claim: fair balance applies (CLM007)
def test_a_product_named_for_its_use_without_a_benefit_verb_needs_risk_information(policy: Policy) -> None:
    text = "LATISSE solution is a prescribed treatment for hypotrichosis [1]."
    assert any(rule == "CLM007" for _, rule in _rules(policy, text, risk=False))
    careful = text + " It can cause itchy, red eyes and darker eyelid skin."
    assert not any(rule == "CLM007" for _, rule in _rules(policy, careful, risk=False))
    assert not any(rule == "CLM007" for _, rule in _rules(policy, "Is LATISSE a treatment for hypotrichosis?",
                                                          risk=False))


# 13. Safety asserted in other words, with no risk beside it (CLM013): gentle, simple and safe, harm to the skin
# around it denied, a risk denied, an established safety profile, "safely" dissolved
@pytest.mark.parametrize("text", [
    "Because the toxin is so gentle, you can go straight back to work.",
    "The laser sends a gentle beam of light that leaves the surrounding skin unaffected.",
    "Filler goes in through a simple, safe, and minimally invasive procedure.",
    "The injections are not known to cause adverse reactions.",
    "Pellets do not increase the risk of blood clots.",
    "The agent works well and has a well-established safety profile.",
    "Your body will safely eliminate the dissolved fat.",
])
def test_safety_said_in_other_words_without_risks_is_risk_minimised(policy: Policy, text: str) -> None:
    assert (1, "CLM013") in _rules(policy, text, risk=False)
    # the same words beside the product's risks minimise nothing
    beside = text + " Side effects include swelling, bruising and tenderness."
    assert (1, "CLM013") not in _rules(policy, beside, risk=False)


@pytest.mark.parametrize("text", [
    "Wash with a gentle cleanser the evening after your visit.",
    "Apply gentle pressure with the ice pack for a minute.",
])
def test_gentle_care_advice_is_no_safety_claim(policy: Policy, text: str) -> None:
    assert (1, "CLM013") not in _rules(policy, text, risk=False)


def test_a_cause_that_is_not_the_product_is_no_risk_beside_a_safety_claim(policy: Policy) -> None:
    text = "Strenuous exercise can cause the product to move, so rest for a day. It is very safe."
    assert (1, "CLM013") in _rules(policy, text, risk=False)
    assert (1, "CLM013") not in _rules(policy, "The injections can cause bruising. It is very safe.", risk=False)


# 5b. List items that are not benefits: the risks a lead-in lists, and items that deny ("- Has not been studied")
def test_items_of_a_side_effect_list_or_a_denial_are_no_benefit_claims(policy: Policy) -> None:
    risks = "Semaglutide side effects are mostly mild. They can include:\n\n- Fatigue\n- Headache\n"
    assert not any(rule == "CLM004" for _, rule in _rules(policy, risks))
    denied = "Compounded tirzepatide:\n\n- Has not been studied for headache relief\n"
    assert not any(rule == "CLM004" for _, rule in _rules(policy, denied))
    offered = "Semaglutide also helps with:\n\n- Fatigue\n- Headache\n"
    assert {(3, "CLM004"), (4, "CLM004")} <= _rules(policy, offered)


# 5c. Products and uses named together are read respectively: "A and B treat X and Y"
def test_two_products_for_two_uses_are_read_respectively(policy: Policy) -> None:
    both = "Wegovy and Ozempic are prescription medicines used to treat obesity and type 2 diabetes [1]."
    assert not any(rule == "CLM004" for _, rule in _rules(policy, both))
    one = "Ozempic is a prescription medicine used to treat obesity and type 2 diabetes [1]."
    assert (1, "CLM004") in _rules(policy, one)


# 8b. A comparison asked about, or between two unnamed ones, claims no superiority (CLM006)
@pytest.mark.parametrize("text", [
    "Call us to find out if BOTOX Cosmetic is the best option for your frown lines.",
    "Both toxins work well, although one may work better than the other for some people.",
])
def test_a_comparison_asked_about_or_between_unnamed_ones_is_no_claim(policy: Policy, text: str) -> None:
    assert (1, "CLM006") not in _rules(policy, text)


def test_a_stated_superiority_is_still_a_comparison(policy: Policy) -> None:
    assert (1, "CLM006") in _rules(policy, "BOTOX Cosmetic is the best option for your frown lines.")
    assert (1, "CLM006") in _rules(policy, "Dysport works better than BOTOX Cosmetic for frown lines.")


# 4b. A nickname or generic name in another case is no misspelt trademark; the trademark in another case is (CLM009)
def test_a_nickname_in_capitals_is_no_trademark_misuse(policy: Policy) -> None:
    assert not any(rule == "CLM009" for _, rule in _rules(policy, "Jeuveau, nicknamed #NEWTOX, relaxes frown "
                                                                  "lines between the brows."))
    assert (1, "CLM009") in _rules(policy, "We use jeuveau to relax frown lines between the brows.")


# 4c. Approvals the patterns missed (CLM003): a trademark sign after the name (read as "TM"), an endorsement
# "received from the FDA", an "FDA-approved treatment to" followed by its use
@pytest.mark.parametrize("text", [
    "Restylane™ was approved by the FDA in 2003 for the correction of nasolabial folds.",
    "LATISSE received endorsement from the FDA in 2008 to grow lashes longer and darker.",
    "Latisse is a prescription FDA-approved treatment to help your lashes grow longer.",
])
def test_approvals_written_these_ways_are_found_and_need_a_citation(policy: Policy, text: str) -> None:
    assert (1, "CLM003") in _rules(policy, text)
    assert not any(rule in ("CLM003", "CLM011") for _, rule in _rules(policy, text.replace(".", " [1].")))


# 6. List items under a heading that names the product claim its uses, as under a lead-in ending in a colon;
# a lead-in about risks, and an item that says what the product is not, claim nothing (CLM004)
@pytest.mark.parametrize("text", [
    "## Why clients book dermal fillers\n\n- Marionette lines\n- Sunken acne scars",
    "We offer dermal fillers.\n\n## Good reasons to consider fillers\n\n- Nasolabial folds\n- Depressed scars",
    "Our injectors use Botox for many things:\n\n- frown lines\n- jaw tension from stress",
])
def test_items_under_a_heading_or_lead_in_naming_the_product_claim_its_uses(policy: Policy, text: str) -> None:
    assert any(rule == "CLM004" for _, rule in _rules(policy, text))


@pytest.mark.parametrize("text", [
    "## Why clients book dermal fillers\n\n- Marionette lines\n- Nasolabial folds",
    "Side effects of Botox are usually mild. They may include:\n\n- headache\n- fatigue",
    "## Risks of semaglutide\n\n- nausea\n- headache",
    "Our compounded semaglutide:\n\n- has not been studied with other weight-loss products\n- is not for children",
])
def test_on_label_items_risk_lists_and_denials_under_a_lead_in_pass(policy: Policy, text: str) -> None:
    assert not any(rule == "CLM004" for _, rule in _rules(policy, text))


# 7. Off-label uses in everyday words, and benefits said as a comparison or a repair (CLM004)
@pytest.mark.parametrize("text", [
    "Botox melts away jaw tension and lockjaw.",
    "Fillers improve recessed scars on the cheeks.",
    "An IV drip beats drinking water when you're hungover.",
    "Our IV drips are better than sports drinks if you wake up hung over.",
    "PRP repairs thinning patches of hair loss.",
    "Restylane may be beneficial for pitted scars.",
])
def test_off_label_uses_in_everyday_words_are_found(policy: Policy, text: str) -> None:
    assert (1, "CLM004") in _rules(policy, text)


@pytest.mark.parametrize("text", [
    "Fillers soften nasolabial folds.",
    "Drinking water is better than nothing after a night out.",
    "Restylane can also smooth scars, an off-label use.",
])
def test_on_label_or_disclosed_uses_in_everyday_words_pass(policy: Policy, text: str) -> None:
    assert (1, "CLM004") not in _rules(policy, text)


# 8. More efficacy wording without a source (CLM015): dramatic results, "safe and effective", effectiveness
# percentages, most patients seeing results, a time to results, data that supports, promise shown
@pytest.mark.parametrize("text", [
    "Results are dramatic and show within a week.",
    "The peel dramatically improves dull skin.",
    "Our tox is a safe and effective answer to frown lines.",
    "In month one the toxin is 90-95% effective.",
    "Most clients see a visible difference after one visit.",
    "Over half of our patients report real improvement.",
    "Patients see the first results after the first three weeks.",
    "In studies most patients saw results in 2-3 treatment sessions.",
    "Strong data supports pellets as the best way to take hormones.",
    "PRP has shown a great deal of promise for thinning hair.",
    "In the trial, 48% of Zepbound patients lost a fifth of their weight.",
    "Each session gives a 20-25% reduction in the fat layer.",
])
def test_more_efficacy_wording_is_found(policy: Policy, text: str) -> None:
    assert (1, "CLM015") in _rules(policy, text)


@pytest.mark.parametrize("text", [
    "Results are dramatic and show within a week [1].",
    "Following the aftercare sheet will dramatically cut your recovery time.",
    "Whether it is safe and effective for teens is not known.",
    "Most people see the effect for three to four months.",
    "Most patients notice some redness after the session.",
    "Most clients see a visible difference after one visit [1].",
    "About 5% of Zepbound patients had nausea.",
])
def test_cited_aftercare_unknown_duration_and_risk_figures_are_not_efficacy_claims(policy: Policy,
                                                                                    text: str) -> None:
    assert (1, "CLM015") not in _rules(policy, text)


# 9. The clinic's word for the product in a later paragraph ("a few tiny injections", "a few units") stands for
# the product named before; a dose stands for the toxin dosed (CLM004)
@pytest.mark.parametrize("text", [
    "We offer BOTOX Cosmetic for frown lines.\n\nWe can also smooth necklace lines with a few tiny injections.",
    "We offer BOTOX Cosmetic for frown lines.\n\nFor light grinders, a few units may ease the clenching.",
    "Melt stubborn belly fat with Kybella.",
    "Liquid rhinoplasty is popular: filler smooths a bump on the nose.",
    "Crow's feet and laugh lines are all treatable with Botox.",
    "PRP helps patients get thicker hair and better hair density.",
])
def test_the_product_by_the_clinics_word_or_dose_and_everyday_uses_are_found(policy: Policy, text: str) -> None:
    assert any(rule == "CLM004" for _, rule in _rules(policy, text))


@pytest.mark.parametrize("text", [
    "We offer BOTOX Cosmetic for frown lines.\n\nWe can also soften crow's feet with a few tiny injections.",
    "We offer BOTOX Cosmetic for frown lines.\n\nFor deeper frown lines, 20 units are usual.",
    "Kybella melts the fat under the chin.",
    "Filler smooths nasolabial folds.",
    "We offer BOTOX Cosmetic.\n\nIt can take a week to settle; headaches are a side effect.",
])
def test_on_label_uses_by_the_clinics_word_and_side_effects_pass(policy: Policy, text: str) -> None:
    assert not any(rule == "CLM004" for _, rule in _rules(policy, text))


def test_not_every_product_of_a_class_is_approved_is_no_approval_claim(policy: Policy) -> None:
    text = "Approval goes product by product: not every filler is approved for the lips."
    assert not {rule for _, rule in _rules(policy, text)} & {"CLM001", "CLM003", "CLM011"}
    assert (1, "CLM011") in _rules(policy, "Every filler we use is FDA-approved.")


# 10. Coordinated products with coordinated uses read respectively: each use on the label of one of them (CLM004)
def test_coordinated_products_and_uses_are_read_respectively(policy: Policy) -> None:
    assert (1, "CLM004") not in _rules(policy, "Wegovy and Ozempic are prescription medicines used to treat obesity "
                                               "and type 2 diabetes.")
    # the product named with no use of its own label is still making an off-label claim
    assert (1, "CLM004") in _rules(policy, "Wegovy and Ozempic both help with weight loss.")
    # a list under a class claims each item for every product
    found = _rules(policy, "We offer BOTOX Cosmetic and Jeuveau.\n\nToxins are used to treat:\n\n- frown lines\n"
                           "- crow's feet")
    assert any(rule == "CLM004" for _, rule in found)


# 11. A use named after the treatment noun ("Botox injections for TMJ", "hydration therapy for hangovers"), scars
# for fillers, and efficacy said as established, effective treatment, significant or immediate change
@pytest.mark.parametrize(("text", "rule"), [
    ("How many Botox injections for TMJ you need depends on the jaw.", "CLM004"),
    ("Our hydration therapy gives fast relief from hangovers.", "CLM004"),
    ("Fillers are great for scars on the cheeks.", "CLM004"),
    ("Its efficacy is well established.", "CLM015"),
    ("Hot flashes are effectively treated with pellet therapy.", "CLM015"),
    ("The facial significantly improves skin texture.", "CLM015"),
    ("Patients immediately see the difference.", "CLM015"),
])
def test_treatment_nouns_scars_and_established_efficacy_are_found(policy: Policy, text: str, rule: str) -> None:
    assert (1, rule) in _rules(policy, text)


@pytest.mark.parametrize(("text", "rule"), [
    ("How many Botox injections for frown lines you need depends on the muscle.", "CLM004"),
    ("Our hydration therapy is given through a small needle.", "CLM004"),
    ("Its efficacy is well established [1].", "CLM015"),
    ("Whether it effectively treats hot flashes is not known.", "CLM015"),
    ("Swelling is significantly reduced by a cold pack.", "CLM015"),
])
def test_on_label_plain_cited_hedged_and_aftercare_sentences_pass(policy: Policy, text: str, rule: str) -> None:
    assert (1, rule) not in _rules(policy, text)


# 12. A fragment whose subject is the product just named ("Perfect for teens ...") claims for it (CLM004: the
# population is below the label's)
def test_a_fragment_claims_for_the_product_just_named(policy: Policy) -> None:
    assert (3, "CLM004") in _rules(policy, "We love lip filler for fuller lips.\n\nPerfect for teens before prom.")
    assert (3, "CLM004") not in _rules(policy, "We love lip filler for fuller lips.\n\nPerfect for adults over 22 "
                                               "who want a little more volume.")


# 13. Lines at several areas at once are each a condition, and a passive benefit has the product just named as
# its agent (CLM004)
def test_lines_at_several_areas_and_passive_benefits_claim_for_the_product(policy: Policy) -> None:
    found = _rules(policy, "We use Xeomin. The creases around the nose, mouth and neck can be smoothed as well.")
    assert (1, "CLM004") in found
    assert (1, "CLM004") not in _rules(policy, "We use Xeomin. The lines between the brows can be softened.")
    assert (1, "CLM004") not in _rules(policy, "We use Xeomin. The creases around the nose can be smoothed as well, "
                                               "an off-label use.")


def test_iv_hydration_names_the_drip_and_treating_dehydration_in_hospital_is_no_wellness_claim(policy: Policy) -> None:
    assert (1, "CLM004") in _rules(policy, "IV hydration helps you bounce back from a hangover.")
    assert (1, "CLM004") not in _rules(policy, "In hospitals, IV hydration therapy is used to treat dehydration.")


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

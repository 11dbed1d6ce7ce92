"""Claims on wording real clinic pages use (issue 16, first step). Every sentence here is ours, patterned
on what a hand-labelled sample of real pages got wrong; each kind has a failing and a passing example.
The measurement on the real pages themselves is kept outside the repository (third-party text).
"""

from __future__ import annotations

import pytest

from checks import claims
from checks.document import parse_post
from checks.model import Finding
from checks.policy import Policy, PolicyError, policy_from_texts
from flows.store.policy_files import load_policy
from tests.conftest import POLICY

_HEAD = ("---\ntitle: Clinic notes\nslug: clinic-notes\ndate: 2024-05-01\nreferences:\n  - id: 1\n    title: label\n"
         "    url: https://www.accessdata.fda.gov/drugsatfda_docs/label/2023/103000s5332lbl.pdf\n---\n")
_HEAD_LINES = _HEAD.count("\n")
# risk and boxed-warning words, so that only the sentence-level rules are under test
_RISK = ("\n\nSide effects include bruising and headache. The boxed warning: the toxin can spread and cause trouble "
         "swallowing or breathing.\n")


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(POLICY)


def _review(policy: Policy, body: str, risk: bool = True) -> tuple[list[Finding], list[dict[str, object]]]:
    post = parse_post("posts/clinic-notes.md", (_HEAD + body + (_RISK if risk else "\n")).encode())
    return claims.check_post(post, policy)


def _rules(policy: Policy, body: str, risk: bool = True) -> set[tuple[int, str]]:
    """(line of the body, rule) of every finding."""
    found, _ = _review(policy, body, risk)
    return {((f.line or 0) - _HEAD_LINES, f.rule) for f in found}


def _uses(policy: Policy, body: str) -> set[str | None]:
    _, table = _review(policy, body)
    return {row["use"] for row in table}


# --- kind 1: an area named by a phrase is read as the one condition at that area --------------------------


def test_lines_between_the_brows_are_frown_lines_not_eyebrow_growth(policy: Policy) -> None:
    passing = "Jeuveau is FDA-approved to soften the creases between your eyebrows [1]."
    assert _rules(policy, passing) == set()
    assert _uses(policy, passing) == {"glabellar lines (frown lines between the brows)"}
    failing = "Jeuveau softens the wrinkles at the outer corners of your eyes."
    assert _rules(policy, failing) == {(1, "CLM004")}
    assert _uses(policy, failing) == {"lateral canthal lines (crow's feet)"}


def test_laugh_lines_at_the_eyes_are_crows_feet_not_nasolabial_folds(policy: Policy) -> None:
    passing = "BOTOX Cosmetic is FDA-approved for the laugh lines that fan out at the corners of the eyes [1]."
    assert _rules(policy, passing) == set()
    failing = "Jeuveau is FDA-approved for the laugh lines that fan out at the corners of the eyes [1]."
    assert _rules(policy, failing) == {(1, "CLM001")}


def test_a_chin_profile_shaped_by_fat_is_submental_fat(policy: Policy) -> None:
    passing = "KYBELLA is FDA-approved to refine a chin profile blurred by fat under the jaw [1]."
    assert _rules(policy, passing) == set()
    failing = "KYBELLA is FDA-approved to give you a stronger chin profile [1]."  # chin augmentation
    assert _rules(policy, failing) == {(1, "CLM001")}


# --- kind 4: approval claims with the agency as the subject ------------------------------------------------


def test_the_agency_written_out_with_its_abbreviation_in_brackets_approves(policy: Policy) -> None:
    failing = "The Food and Drug Administration (FDA) approved Dysport for crow's feet in 2009."
    assert _rules(policy, failing) == {(1, "CLM001")}
    passing = "The Food and Drug Administration (FDA) approved Dysport for frown lines in 2009 [1]."
    assert _rules(policy, passing) == set()
    assert {row["kind"] for row in _review(policy, passing)[1]} == {"approval"}


def test_a_headline_saying_the_fda_approves_is_an_approval_claim(policy: Policy) -> None:
    assert _rules(policy, "# FDA approves BOTOX Cosmetic for forehead lines\n") == {(1, "CLM003")}
    assert _rules(policy, "# FDA approves BOTOX Cosmetic for forehead lines [1]\n") == set()


def test_the_fda_first_approved_and_has_approved_are_approval_claims(policy: Policy) -> None:
    assert _rules(policy, "The FDA first approved Jeuveau for forehead lines.") == {(1, "CLM001")}
    assert _rules(policy, "The FDA has approved laser hair removal for unwanted hair.") == {(1, "CLM002")}
    assert _rules(policy, "The FDA has not approved Jeuveau for forehead lines.") == set()


# --- kind 4 and 5: each of several products named together gets the use -----------------------------------


def test_coordinated_products_each_make_the_claim(policy: Policy) -> None:
    failing = "Our nurses pick from BOTOX and other toxins such as Dysport and Xeomin when softening crow's feet."
    found, _ = _review(policy, failing)
    assert {f.rule for f in found} == {"CLM004"} and any("Dysport" in f.message for f in found)
    assert not any("XEOMIN" in f.message or "BOTOX" in f.message for f in found)  # both approved for it
    passing = "Our injectors use BOTOX and Xeomin to smooth crow's feet."
    assert _rules(policy, passing) == set()


def test_a_product_in_another_clause_does_not_share_the_use(policy: Policy) -> None:
    assert _rules(policy, "Dysport is FDA-approved for frown lines [1], and BOTOX smooths crow's feet.") == set()


# --- kind 3: things that are not claims ----------------------------------------------------------------------


def test_a_question_is_not_a_claim(policy: Policy) -> None:
    passing = "Is laser hair removal FDA-approved? No: the lasers are FDA-cleared for permanent hair reduction."
    assert _rules(policy, passing) == set()
    failing = "Did you know laser hair removal is FDA-approved?"
    assert _rules(policy, failing) == {(1, "CLM002")}


def test_quoted_approval_words_in_a_sentence_about_wording_are_mentions(policy: Policy) -> None:
    passing = 'Patients ask us if lasers are "FDA-approved"; the right word for a laser is cleared.'
    assert _rules(policy, passing) == set()
    failing = 'Our "FDA-approved" laser hair removal is quick.'
    assert _rules(policy, failing) == {(1, "CLM002")}


def test_permanent_reduction_of_hair_is_the_cleared_wording(policy: Policy) -> None:
    passing = "A full series brings permanent reduction: fewer hairs regrow."
    assert _rules(policy, passing) == set()
    assert _rules(policy, "The smoother skin from our lasers is permanent.") == {(1, "CLM005")}


# --- kind 10 and 2: sameness of a compounded drug, and the paragraph a disclosure governs -----------------


def test_same_active_ingredient_as_a_brand_is_a_sameness_claim(policy: Policy) -> None:
    failing = "Our compounded semaglutide has the same active ingredient as Wegovy."
    assert (1, "CLM014") in _rules(policy, failing)  # compounded sameness (CLM006 before the s7 rule sheet)


def test_a_paragraph_saying_not_fda_approved_discloses_the_sameness(policy: Policy) -> None:
    passing = ("Compounded semaglutide has the same active ingredient as the brand-name pens. It is not "
               "FDA-approved, and it is not the medicine sold as Wegovy.")
    assert (1, "CLM014") not in _rules(policy, passing)
    # the disclosure governs its own paragraph only
    apart = ("Compounded semaglutide has the same active ingredient as the brand-name pens.\n\n"
             "Compounded medicines are not FDA-approved.")
    assert (1, "CLM014") in _rules(policy, apart)


def test_promote_is_a_benefit_verb(policy: Policy) -> None:
    failing = "Compounded tirzepatide can promote weight loss."
    assert _rules(policy, failing) == {(1, "CLM004")}
    passing = ("Compounded tirzepatide can promote weight loss. It is not FDA-approved for any use: this is an "
               "unapproved, off-label use.")
    assert _rules(policy, passing) == set()


# --- kind 9: a clearance claim for a prescription device needs its risks too ---------------------------------


def test_a_cleared_device_promoted_without_risks_misses_fair_balance(policy: Policy) -> None:
    failing = "Laser hair removal is FDA-cleared for permanent hair reduction of unwanted hair."
    assert (1, "CLM007") in _rules(policy, failing, risk=False)
    passing = failing + " Side effects include redness and swelling for a day or two."
    assert _rules(policy, passing, risk=False) == set()


# --- policy: area readings name known conditions --------------------------------------------------------------


def test_an_area_reading_naming_an_unknown_condition_is_a_policy_error() -> None:
    texts = {p.name: p.read_text() for p in POLICY.iterdir() if p.is_file()}
    texts["claim-language.yaml"] = texts["claim-language.yaml"].replace(
        "condition: glabellar-lines", "condition: glabelar-lines", 1)
    with pytest.raises(PolicyError) as raised:
        policy_from_texts(texts)
    assert "glabelar-lines" in str(raised.value) and "claim-language.yaml" in str(raised.value)


# --- kind 8: exclusivity needs a citation ----------------------------------------------------------------------


def test_first_and_only_is_an_exclusivity_claim_that_needs_a_citation(policy: Policy) -> None:
    # other toxins are approved for frown lines: out of date whether cited or not (CLM012)
    assert _rules(policy, "Jeuveau is the first and only toxin made just for frown lines.") == {(1, "CLM012")}
    assert _rules(policy, "Jeuveau is the first and only toxin made just for frown lines [1].") == {(1, "CLM012")}
    # no use named: nothing to check it against, so it needs its citation (CLM006), and the approval it
    # asserts names no use (CLM011)
    assert _rules(policy, "Jeuveau is the only FDA-approved treatment our nurses use.") == {(1, "CLM006"),
                                                                                              (1, "CLM011")}
    assert _rules(policy, "Kybella is the first and only injectable made for fat under the chin.") == {(1, "CLM006")}
    assert _rules(policy, "Kybella is the first and only injectable made for fat under the chin [1].") == set()
    assert _rules(policy, "Jeuveau is FDA-approved for frown lines only [1].") == set()


# --- kind 5: a heading that names a use, and "those areas" pointing back -------------------------------------


def test_a_heading_naming_a_product_for_a_use_claims_it(policy: Policy) -> None:
    assert _rules(policy, "## Dysport for crow's feet\n\nWe book visits every week.") == {(1, "CLM004")}
    assert _rules(policy, "## Dysport for frown lines\n\nWe book visits every week.") == set()
    assert _rules(policy, "## Is Dysport for crow's feet?\n\nNot on its label: ask us.") == set()


def test_those_areas_carry_the_conditions_named_before(policy: Policy) -> None:
    failing = "Sweat can soak the palms and the soles of the feet. BOTOX injections help keep those areas dry."
    found, _ = _review(policy, failing)
    assert {f.rule for f in found} == {"CLM004"}
    assert any("palmar" in f.message for f in found) and any("plantar" in f.message for f in found)
    passing = "Severe underarm sweating is hard to live with. BOTOX injections help control this condition."
    assert _rules(policy, passing) == set()
    assert _uses(policy, passing) == {"primary axillary hyperhidrosis (underarms)"}


# --- kind 9: a question about risks is not risk information -----------------------------------------------------


def test_a_question_about_risks_does_not_state_them(policy: Policy) -> None:
    failing = "KYBELLA reduces fat under the chin [1].\n\n## What are the risks?\n\nAsk us at your visit."
    assert (1, "CLM007") in _rules(policy, failing, risk=False)
    passing = "KYBELLA reduces fat under the chin [1].\n\n## What are the risks?\n\nSwelling and bruising are common."
    assert _rules(policy, passing, risk=False) == set()


# --- issue 16, second step (session 7): each kind's failing and passing example, with the claim model --------


def test_kind_2_negation_and_disclosure_cover_their_clause_sentence_or_paragraph(policy: Policy) -> None:
    # a negated use in the clause is not claimed; the benefit in the main clause names no use
    assert _rules(policy, "Although CoolSculpting isn't a weight-loss method, it trims stubborn bulges.") == set()
    assert _rules(policy, "CoolSculpting is a weight-loss method that trims stubborn bulges.") == {(1, "CLM019")}
    # "NOT FDA-approved products" (no "for") and "still being studied" disclose their paragraph, not another one
    assert _rules(policy, "Compounded drugs are NOT FDA-approved products. Our compounded semaglutide helps with "
                          "weight loss.") == set()
    assert _rules(policy, "Compounded drugs are NOT FDA-approved products.\n\nOur compounded semaglutide helps "
                          "with weight loss.") == {(3, "CLM004")}
    assert _rules(policy, "We sometimes use BOTOX for teeth grinding. These uses are still being studied.") == set()
    assert _rules(policy, "We sometimes use BOTOX for teeth grinding.") == {(1, "CLM004")}
    assert _rules(policy, "Neither option is safer for everyone.") == set()
    assert _rules(policy, "Dysport is safer than BOTOX.") == {(1, "CLM006")}


def test_kind_3_general_statements_and_non_health_guarantees_are_not_claims(policy: Policy) -> None:
    assert _rules(policy, "When a drug gets FDA approval, its label lists the uses it was approved for.") == set()
    assert _rules(policy, "A $50 deposit guarantees your appointment time.") == set()
    assert _rules(policy, "Smooth skin for six months, guaranteed.") == {(1, "CLM005"), (1, "CLM015")}


def test_kind_4_an_approval_medpress_cannot_verify_is_a_finding(policy: Policy) -> None:
    assert _rules(policy, "BOTOX is FDA-approved and has been used safely for decades.") == {(1, "CLM011"),
                                                                                            (1, "CLM013")}
    assert _rules(policy, "The FDA has approved exosome facials for skin renewal.") == {(1, "CLM011")}
    assert _rules(policy, "BOTOX Cosmetic was approved for wrinkles back in 1989.") == {(1, "CLM001")}
    assert _rules(policy, "BOTOX is FDA-approved to prevent chronic migraine in adults [1].") == set()
    assert _rules(policy, "No exosome product is FDA-approved for skin care.") == set()


def test_kind_5_list_items_under_a_lead_in_and_references_back_are_claims(policy: Policy) -> None:
    failing = "BOTOX can help with:\n\n- sweaty palms\n- TMJ pain\n- chronic migraine in adults"
    assert _rules(policy, failing) == {(3, "CLM004"), (4, "CLM004")}
    passing = "BOTOX can help with:\n\n- chronic migraine in adults\n- severe underarm sweating"
    assert _rules(policy, passing) == set()
    both = "We offer Mounjaro and Ozempic. Both of these approved medicines also melt away extra weight."
    assert {f.message.split(" (")[0] for f in _review(policy, both)[0]} == {
        "benefit claim for Mounjaro", "benefit claim for Ozempic"}
    assert _rules(policy, "We offer Wegovy and Zepbound. Both of these medicines help with weight loss.") == set()
    assert _rules(policy, "We now offer Dysport. It softens crow's feet in a few days.") == {(1, "CLM004")}


def test_kind_6_hedged_off_label_benefits_are_claims(policy: Policy) -> None:
    for failing in ("BOTOX might ease teeth grinding.", "Clients say BOTOX calms their rosacea.",
                    "We also use BOTOX for a lip flip.", "BOTOX looks promising for teeth grinding."):
        assert _rules(policy, failing) == {(1, "CLM004")}, failing
    assert _rules(policy, "BOTOX might ease teeth grinding; this is an off-label use.") == set()


def test_kind_7_populations_of_benefit_and_approval_claims(policy: Policy) -> None:
    assert _rules(policy, "BOTOX works well for teens with sweaty underarms.") == {(1, "CLM004")}
    assert _rules(policy, "BOTOX works well for adults with sweaty underarms.") == set()
    assert _rules(policy, "Wegovy is FDA-approved for weight loss in anyone over 10.") == {(1, "CLM001")}
    assert _rules(policy, "Wegovy is FDA-approved for weight loss in adults and children 12 and older [1].") == set()


def test_kind_8_exclusivity_the_knowledge_base_knows_is_out_of_date(policy: Policy) -> None:
    assert _rules(policy, "Xeomin is the only FDA-approved treatment for frown lines [1].") == {(1, "CLM012")}
    assert _rules(policy, "BOTOX is the most effective treatment for crow's feet.") == {(1, "CLM006")}
    assert _rules(policy, "BOTOX is one of several treatments approved for crow's feet [1].") == set()


def test_kind_9_stray_risk_words_are_not_fair_balance(policy: Policy) -> None:
    failing = "KYBELLA reduces fat under the chin [1]. The side effects of a crash diet are worse."
    assert (1, "CLM007") in _rules(policy, failing, risk=False)
    assert (1, "CLM007") in _rules(policy, "KYBELLA reduces fat under the chin [1]. There are no side effects.",
                                    risk=False)
    passing = "KYBELLA reduces fat under the chin [1]. Side effects include swelling and numbness."
    assert _rules(policy, passing, risk=False) == set()


def test_kind_10_molecules_and_generics_are_products(policy: Policy) -> None:
    assert _rules(policy, "Semaglutide is FDA-approved for weight loss.") == {(1, "CLM003")}
    assert _rules(policy, "Semaglutide is FDA-approved for weight loss [1].") == set()
    # the brand beside the molecule is the product: Ozempic's weight-loss claim stays off-label
    assert _rules(policy, "Ozempic (semaglutide) helps you lose weight.") == {(1, "CLM004")}
    # in a paragraph about the clinic's compounded supply, "our semaglutide" is the compounded product
    assert _rules(policy, "Our semaglutide is compounded at a partner pharmacy, and our semaglutide is "
                          "FDA-approved.") == {(1, "CLM002")}
    assert _rules(policy, "Generic Ozempic is now available at our clinic.") == {(1, "CLM014")}
    assert _rules(policy, "Our compounded tirzepatide is just like Zepbound.") == {(1, "CLM014")}
    assert _rules(policy, "Compounded tirzepatide is not FDA-approved and is not the same as Zepbound.") == set()


def test_kind_11_label_links_footnotes_and_list_ends_are_citations(policy: Policy) -> None:
    label = "https://www.accessdata.fda.gov/drugsatfda_docs/label/2023/103000s5332lbl.pdf"
    claim = "BOTOX is FDA-approved to prevent chronic migraine in adults"
    assert _rules(policy, f"{claim}.") == {(1, "CLM003")}
    for passing in (f"{claim} ([FDA label]({label})).", f"{claim}.[^1]\n\n[^1]: BOTOX prescribing information.",
                    "- BOTOX: FDA-approved to prevent chronic migraine in adults [1]",
                    f"{claim} ([DailyMed](https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=x)).",
                    f"{claim} ([prescribing information](https://www.rxabbvie.com/pdf/botox_pi.pdf))."):
        assert _rules(policy, passing) == set(), passing
    # a link to the maker's home page, or a label link in another paragraph, is no citation
    assert _rules(policy, f"{claim} ([BOTOX](https://www.botox.com/)).") == {(1, "CLM003")}
    assert _rules(policy, f"{claim}.\n\n[FDA label]({label})") == {(1, "CLM003")}
    _, table = _review(policy, f"{claim} ([FDA label]({label})).")
    assert [(row["kind"], row["evidence"], row["modality"]) for row in table] == [
        ("approval", "link www.accessdata.fda.gov", "asserted")]


def test_kind_12_facts_are_compared_only_for_the_same_use(policy: Policy) -> None:
    from checks.corpus import Corpus
    from checks.pipeline import summarize

    def posts(first: str, second: str) -> set[str]:
        items = [parse_post(f"posts/{n}.md", (f"---\ntitle: {n}\nslug: {n}\ndate: 2024-05-01\n---\n{t}\n").encode())
                 for n, t in (("a", first), ("b", second))]
        summaries = [summarize(p, policy) for p in items]
        corpus = Corpus(summaries)
        return {f.rule for s in summaries for f in claims.check_in_corpus(s, corpus, policy)}

    assert posts("For chronic migraine, BOTOX is repeated every 12 weeks.",
                 "For frown lines, BOTOX is repeated every 16 weeks.") == set()
    assert posts("For chronic migraine, BOTOX is repeated every 12 weeks.",
                 "For chronic migraine, BOTOX is repeated every 16 weeks.") == {"CLM010"}


def test_the_claims_table_carries_each_frame_with_its_span(policy: Policy) -> None:
    _, table = _review(policy, "BOTOX might ease teeth grinding.\n\nOur IV drips fight the flu.")
    frames = {(row["kind"], row["modality"], row["rule"], row["line"]) for row in table}
    assert ("benefit", "hedged", "CLM004", _HEAD_LINES + 1) in frames
    assert ("disease", "asserted", "CLM016", _HEAD_LINES + 3) in frames
    assert all(row["end_line"] is not None for row in table)


# --- session 7 (claims2): headlines, and benefit claims for products no approval covers ---------------------


def _titled(policy: Policy, title: str, body: str) -> set[tuple[int | None, str]]:
    text = f"---\ntitle: \"{title}\"\nslug: clinic-notes\ndate: 2024-05-01\n---\n{body}{_RISK}"
    found, _ = claims.check_post(parse_post("posts/clinic-notes.md", text.encode()), policy)
    return {(f.line, f.rule) for f in found if f.rule == "CLM004"}


def test_a_title_offers_its_use_like_a_heading_unless_the_post_discloses_or_explains(policy: Policy) -> None:
    body = "We see many patients with jaw pain.\n"
    assert _titled(policy, "BOTOX for TMJ and jaw clenching", body) == {(2, "CLM004")}
    disclosed = body + "\nUsing BOTOX for TMJ is off-label: the FDA has not approved it for this.\n"
    assert _titled(policy, "BOTOX for TMJ and jaw clenching", disclosed) == set()
    assert _titled(policy, "BOTOX for TMJ: your questions answered", body) == set()


def test_a_benefit_for_an_unapproved_class_is_an_off_label_claim(policy: Policy) -> None:
    assert _rules(policy, "Sermorelin and ipamorelin give you deeper sleep and lean muscle.") == {(1, "CLM004")}
    assert _rules(policy, "Exosomes look promising for hair loss.") == {(1, "CLM004")}
    # disclosed, negated, or a risk statement: not a claim to flag
    assert _rules(policy, "Exosomes look promising for hair loss, but this use is not FDA-approved.") == set()
    assert _rules(policy, "Testosterone therapy does not build muscle on its own.") == set()
    assert _rules(policy, "Side effects of testosterone therapy include acne and mood changes.") == set()


def test_list_items_of_a_post_about_an_unapproved_class_claim_for_it(policy: Policy) -> None:
    body = "## Benefits patients report\n\n- fewer hot flashes\n- better sleep\n\n## Risks\n\n- mood changes\n"
    text = f"---\ntitle: Hormone pellets\nslug: pellets\ndate: 2024-05-01\n---\n{body}"
    found, _ = claims.check_post(parse_post("posts/pellets.md", text.encode()), policy)
    assert {(f.line, f.rule) for f in found if f.rule == "CLM004"} == {(8, "CLM004"), (9, "CLM004")}


def test_risk_words_about_side_effects_never_make_an_absolute(policy: Policy) -> None:
    assert _rules(policy, "Scarring can be a permanent side effect of microneedling.") == set()
    assert _rules(policy, "A rare complication is permanent numbness.") == set()
    assert (1, "CLM005") in _rules(policy, "Results from Kybella are permanent.")


def test_risks_stated_as_what_the_product_can_cause_are_risk_information(policy: Policy) -> None:
    claim = "Laser hair removal reduces unwanted hair on the legs."
    assert ("CLM007" in {r for _, r in _rules(policy, claim, risk=False)})
    assert "CLM007" not in {r for _, r in _rules(policy, claim + "\n\nIt can cause burns and blisters.", risk=False)}
    assert "CLM007" not in {r for _, r in _rules(policy, claim + "\n\nExpect some redness for a day or two.",
                                                   risk=False)}


def test_a_negated_approval_after_a_semicolon_is_not_an_approval_claim(policy: Policy) -> None:
    assert _rules(policy, "Some doctors prescribe it to women; no testosterone product is FDA-approved for "
                          "women.") == set()
    assert (1, "CLM011") in _rules(policy, "Our testosterone pellets are FDA-approved.")


def test_a_disease_sentence_about_another_treatment_is_not_a_claim_for_the_drip(policy: Policy) -> None:
    post = ("Our IV drips help you rehydrate.\n\nVaccination and antiviral medicines are the tested ways to prevent "
            "COVID-19.")
    assert (3, "CLM016") not in _rules(policy, post)
    assert (3, "CLM016") in _rules(policy, "Our IV drips help you rehydrate.\n\nThey also prevent COVID-19.")


def test_a_population_claim_refers_to_the_use_the_text_was_about(policy: Policy) -> None:
    before = "BOTOX is FDA-approved for excessive underarm sweating [1].\n\n"
    assert (3, "CLM004") in _rules(policy, before + "It works well for teens, too.")
    assert (3, "CLM004") not in _rules(policy, before + "It works well for adults, too.")
    # a count is not an age: "over 5 million treatments" offers nothing to children
    assert (3, "CLM004") not in _rules(policy, before + "It helps many people: over 5.6 million treatments a year.")


def test_an_effect_promised_for_an_unapproved_class_is_its_use(policy: Policy) -> None:
    assert (1, "CLM004") in _rules(policy, "TRT burns belly fat without extra work in the gym.")
    assert (1, "CLM016") in _rules(policy, "BPC-157 heals torn tendons in half the time.")
    assert (3, "CLM004") in _rules(policy, "Our Myers cocktail hydrates you.\n\nIt is also a great hangover cure.")


def test_promises_of_forever_and_money_back_are_absolutes(policy: Policy) -> None:
    assert (1, "CLM005") in _rules(policy, "Say goodbye to underarm sweat for good with BOTOX.")
    assert (1, "CLM005") in _rules(policy, "Results in three weeks or your money back.")
    assert _rules(policy, "Results do not last forever; most people return every four months.") == set()
    assert _rules(policy, "Filler is a good choice for good candidates with mild volume loss.") == set()


def test_a_title_repeated_by_the_h1_or_the_slug_is_reported_once(policy: Policy) -> None:
    text = ("---\ntitle: Smooth skin forever\nslug: smooth-skin-forever\ndate: 2024-05-01\n---\n"
            "# Smooth skin forever\n" + _RISK)
    found, _ = claims.check_post(parse_post("posts/smooth.md", text.encode()), policy)
    assert {(f.line, f.rule) for f in found} == {(6, "CLM005")}


def test_a_lead_in_before_any_product_claims_for_the_product_the_post_names_next(policy: Policy) -> None:
    body = ("Our patients come to us for:\n\n- sweaty palms\n- underarm sweating\n\n"
            "BOTOX is FDA-approved for underarm sweating [1].")
    assert (3, "CLM004") in _rules(policy, body)  # palms: off-label for BOTOX
    assert (4, "CLM004") not in _rules(policy, body)  # underarms: on the label


def test_a_device_that_freezes_away_the_pounds_is_offered_for_weight_loss(policy: Policy) -> None:
    assert (1, "CLM019") in _rules(policy, "Freeze away the pounds with CoolSculpting.")
    assert (1, "CLM019") not in _rules(policy, "CoolSculpting freezes away a stubborn bulge of belly fat.")


def test_promised_inches_and_times_and_worry_free_reassurance(policy: Policy) -> None:
    assert (1, "CLM015") in _rules(policy, "Our wrap helps you trim 2 inches in just 4 weeks.")
    assert (1, "CLM015") not in _rules(policy, "In the trial, adults lost weight over 68 weeks [1].")
    assert (1, "CLM013") in _rules(policy, "BOTOX smooths frown lines, with nothing to worry about.", risk=False)


def test_shields_and_blocks_against_an_illness_are_disease_claims(policy: Policy) -> None:
    assert (1, "CLM016") in _rules(policy, "Our vitamin pack is your COVID-19 shield.")
    assert (1, "CLM016") in _rules(policy, "Vitamin D blocks the virus.")
    assert (1, "CLM016") not in _rules(policy, "No vitamin pack has been shown to block the virus.")


# --- session 8: wording from a second sample of real pages (our sentences) --------------------------------


def test_items_written_right_under_a_lead_in_are_each_a_claim_on_their_own_line(policy: Policy) -> None:
    # no blank line before the list: the items stay in the lead-in's paragraph, but each is its own claim
    failing = "Our doctors often use BOTOX to relieve pain linked to:\n- Neck pain\n- Trigger points\n- Stiff shoulders"
    assert _rules(policy, failing) == {(2, "CLM004"), (3, "CLM004")}
    passing = "Our doctors often use BOTOX to relieve:\n- chronic migraine in adults\n- severe underarm sweating"
    assert _rules(policy, passing) == set()


def test_neck_pain_is_a_use(policy: Policy) -> None:
    assert _rules(policy, "## BOTOX for neck pain") == {(1, "CLM004")}
    assert _rules(policy, "BOTOX for neck pain is an off-label use the FDA has not approved.") == set()


def test_lines_across_the_forehead_are_forehead_lines_and_skin_tightening_is_a_use(policy: Policy) -> None:
    assert _rules(policy, "Jeuveau smooths the frown lines across your forehead.") == {(1, "CLM004")}
    assert _rules(policy, "BOTOX Cosmetic smooths the frown lines across your forehead.") == set()
    assert _uses(policy, "KYBELLA is FDA-approved for the submental region [1].") == {
        "submental fat (double chin)"}
    assert _rules(policy, "KYBELLA melts the double chin and tightens the skin around it.") == {(1, "CLM004")}


def test_a_permanent_side_effect_described_as_a_risk_is_not_an_absolute(policy: Policy) -> None:
    careful = ("Latisse can darken the colored part of the eye, a change that is likely to be permanent. "
               "Some people notice darker eyelid skin (usually permanent) where the drops touch.")
    assert not {rule for _, rule in _rules(policy, careful)} & {"CLM005"}
    assert (1, "CLM005") in _rules(policy, "Latisse grows your lashes permanently.")


def test_naming_the_only_approved_products_of_a_molecule_is_not_exclusivity(policy: Policy) -> None:
    careful = "The only FDA-approved tirzepatide medicines are Zepbound and Mounjaro [1]."
    assert not {rule for _, rule in _rules(policy, careful)} & {"CLM006", "CLM012"}
    assert (1, "CLM006") in _rules(policy, "Kybella is the only injectable that dissolves fat.")


def test_clinically_shown_and_trial_figures_without_a_source_are_efficacy_claims(policy: Policy) -> None:
    for failing in ("Exosome injections are clinically shown to thicken hair.",
                    "In the pivotal studies, 82% of patients were happy with their new chin profile.",
                    "Nine out of ten is not rare: 70% of participants in the trial reported thicker lashes."):
        assert (1, "CLM015") in _rules(policy, failing), failing
    assert not {r for _, r in _rules(policy, "In the pivotal studies, 82% of patients were happy with their chin "
                                             "profile [1].")} & {"CLM015"}


def test_drug_called_cleared_for_its_own_approved_use_is_an_approval_claim(policy: Policy) -> None:
    assert _rules(policy, "Latisse is FDA cleared for thin, sparse eyelashes.") == {(1, "CLM003")}
    assert _rules(policy, "Latisse is FDA cleared for thin, sparse eyelashes [1].") == set()
    assert (1, "CLM001") in _rules(policy, "Latisse is FDA cleared for thin eyebrows.")


def test_sameness_under_a_heading_about_compounding(policy: Policy) -> None:
    body = ("## How our compounded semaglutide works\n\nIt has the same active ingredient found in FDA-approved "
            "medicines like Wegovy.")
    assert (3, "CLM014") in _rules(policy, body)
    assert not {r for _, r in _rules(policy, body)} & {"CLM011"}
    assert _rules(policy, "## How semaglutide works\n\nWegovy is a weekly injection.") == set()


def test_what_a_patient_may_feel_after_treatment_is_risk_information(policy: Policy) -> None:
    claim = "KYBELLA reduces fat under the chin."
    assert (1, "CLM007") in _rules(policy, claim, risk=False)
    assert _rules(policy, claim + " You may notice slight tenderness afterwards.", risk=False) == set()
    # a symptom of the condition is not a risk of the product
    assert (1, "CLM007") in _rules(policy, claim + " Before treatment you may feel pain in the jaw.", risk=False)


def test_safety_phrases_without_the_risks_beside_them(policy: Policy) -> None:
    for failing in ("KYBELLA removes fat under the chin safely and effectively.",
                    "Its safety and efficacy are well established.",
                    "Injections are generally well tolerated, with minimal discomfort.",
                    "There are no systemic side effects such as tiredness."):
        assert (1, "CLM013") in _rules(policy, failing), failing
    assert (1, "CLM013") not in _rules(policy, "Injections are generally well tolerated; side effects include "
                                               "bruising and headache.")
    above = "Some people may notice slight redness afterwards.\n\nThe treatment is generally well tolerated."
    assert (3, "CLM013") not in _rules(policy, above)


def test_comparisons_written_around_their_object(policy: Policy) -> None:
    for failing in ("BOTOX is more effective at easing symptoms than surgery.",
                    "Jeuveau came out as good or better in the trial.",
                    "Its dual action gives it an edge over older medicines.",
                    "Unlike other delivery methods, pellet therapy maximizes comfort.",
                    "Kybella is the only FDA approved pharmaceutical that shrinks fat."):
        assert any(r in ("CLM006", "CLM012") for _, r in _rules(policy, failing)), failing
    assert not {r for _, r in _rules(policy, "Neither option works better for everyone.")} & {"CLM006"}


def test_risk_words_that_are_a_name_or_a_benefit_are_not_risk_information(policy: Policy) -> None:
    claim = "KYBELLA reduces fat under the chin."
    for stray in (" Allergan makes it.", " It may also reduce the risk of a second chin.",
                  " Some kits include an anti-nausea tablet."):
        assert (1, "CLM007") in _rules(policy, claim + stray, risk=False), stray


def test_an_approval_dated_to_the_wrong_year_is_false(policy: Policy) -> None:
    assert _rules(policy, "KYBELLA was approved by the FDA in 2009 for the submental region.") == {(1, "CLM001")}
    assert _rules(policy, "KYBELLA was approved by the FDA in 2015 for the submental region.") == {(1, "CLM003")}
    assert _rules(policy, "BOTOX was first approved by the FDA in 1989 to treat cervical dystonia.") == {(1, "CLM001")}
    # each year dates the use next to it
    assert (1, "CLM001") not in _rules(policy, "Xeomin is approved for frown lines, and since 2024 for forehead "
                                               "lines and crow's feet as well [1].")
    assert _rules(policy, "KYBELLA was FDA-approved in 2005 [1].") == {(1, "CLM001")}


def test_a_class_as_the_subject_claims_for_every_product_named_before(policy: Policy) -> None:
    body = ("We offer BOTOX Cosmetic and Jeuveau.\n\nNeurotoxins are often used to treat:\n\n"
            "- frown lines between the brows\n- crow's feet at the corners of the eyes")
    assert _rules(policy, body) == {(6, "CLM004")}
    lazy = "We offer BOTOX Cosmetic and Jeuveau.\n\nThese toxins also soften crow's feet."
    assert {f.message.split(" (")[0] for f in _review(policy, lazy)[0]} == {"benefit claim for Jeuveau"}
    careful = "We offer BOTOX Cosmetic and Jeuveau.\n\nNeurotoxins are often used to treat frown lines."
    assert _rules(policy, careful) == set()


def test_disease_claims_of_management_benefit_and_hormone_therapy(policy: Policy) -> None:
    for failing in ("Many clinics offer NAD+ drips for the management of addiction.",
                    "An NAD+ drip may benefit people weaning off alcohol and ease withdrawal symptoms.",
                    "Anxiety and poor sleep are often treated with bioidentical hormone replacement therapy."):
        assert any(r == "CLM016" for _, r in _rules(policy, failing)), failing
    assert _rules(policy, "No NAD+ drip is FDA-approved to manage addiction.") == set()


def test_each_item_under_a_lead_in_carries_its_own_disease_claim(policy: Policy) -> None:
    body = ("Our hangover drips contain:\n- Fluids: they rehydrate you and dilute toxins.\n"
            "- Vitamin C: it fights the flu.")
    lines = {line for line, rule in _rules(policy, body) if rule == "CLM016"}
    assert lines == {2, 3}


def test_this_procedure_carries_the_device_over(policy: Policy) -> None:
    body = "CoolSculpting freezes fat cells. This FDA-approved procedure trims stubborn bulges."
    assert (1, "CLM002") in _rules(policy, body)
    assert (1, "CLM002") not in _rules(policy, "CoolSculpting freezes fat cells. This FDA-cleared procedure "
                                               "reduces fat bulges on the flanks [1].")


def test_the_molecule_called_a_generic_is_sameness_unless_denied(policy: Policy) -> None:
    body = "We also offer generic medications (like semaglutide) from a compounding pharmacy."
    assert (1, "CLM014") in _rules(policy, body)
    assert _rules(policy, "There is no generic version of semaglutide approved by the FDA.") == set()

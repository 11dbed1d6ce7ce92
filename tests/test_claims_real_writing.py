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
from flows.policy_files import load_policy
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

"""Issue 17: the knowledge base corrected from the 2026-12 audit, and `medpress kb check|show|diff`.

Each correction: a claim that agrees with the corrected fact is judged by it (no finding under the shipped
knowledge base) and the same claim under the old fact (the shipped file with that one fact put back) is a
finding, so the test fails if the correction is undone.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from checks import claims
from checks.document import parse_post
from checks.policy import CLAIMS_FILE, OPTIONAL_FILES, REQUIRED_FILES, Policy, policy_from_texts
from flows.cli import main
from tests.conftest import POLICY

HEAD = ("---\ntitle: Treatments\nslug: treatments\ndate: 2024-05-01\nreferences:\n  - id: 1\n    title: Label\n"
        "    url: https://www.accessdata.fda.gov/label.pdf\n---\n")
RISK = ("\n\nSide effects include pain, swelling and bruising. The boxed warning: the toxin can spread and cause "
        "trouble swallowing or breathing; thyroid C-cell tumors.\n")
APPROVAL_RULES = {"CLM001", "CLM002", "CLM003", "CLM004", "CLM011", "CLM017", "CLM019"}


def _texts() -> dict[str, str]:
    return {name: (POLICY / name).read_text(encoding="utf-8") for name in (*REQUIRED_FILES, *OPTIONAL_FILES)
            if (POLICY / name).is_file()}


def _policy(edit: Callable[[dict[str, Any]], None] | None = None) -> Policy:
    texts = _texts()
    if edit is not None:
        data = yaml.safe_load(texts[CLAIMS_FILE])
        edit(data)
        texts[CLAIMS_FILE] = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return policy_from_texts(texts)


def _use(data: dict[str, Any], product: str, condition: str) -> dict[str, Any]:
    entry = next(p for p in data["products"] if p["id"] == product)
    return next(u for u in (*entry.get("approved_uses", ()), *entry.get("cleared_uses", ()))
                if u["condition"] == condition)


def _set(product: str, condition: str, **old: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: _use(data, product, condition).update(old)


def _drop(product: str, condition: str) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        entry = next(p for p in data["products"] if p["id"] == product)
        key = "approved_uses" if "approved_uses" in entry else "cleared_uses"
        entry[key] = [u for u in entry[key] if u["condition"] != condition]
    return edit


def _findings(sentence: str, policy: Policy) -> list[Any]:
    post = parse_post("posts/treatments.md", (HEAD + sentence + RISK).encode())
    found, _ = claims.check_post(post, policy)
    return [f for f in found if f.rule in APPROVAL_RULES]


@pytest.fixture(scope="module")
def shipped() -> Policy:
    return _policy()


# (audit item, the claim as the corrected fact has it, how to put the old fact back)
CORRECTIONS = [
    ("Xeomin upper-limb spasticity: 2015, not 2010",
     "Xeomin has been FDA-approved for upper limb spasticity in adults since 2015 [1].",
     _set("xeomin", "spasticity", year=2010, limits="upper limb spasticity only; in children 2 to 17 (2020)")),
    ("filler perioral lines: 2014 (Restylane Silk, P040024/S072), not 2011",
     "Restylane Silk has been FDA-approved for lip lines since 2014 [1].",
     _set("hyaluronic-acid-filler", "perioral-lines", year=2011, limits="product-specific")),
    ("CoolSculpting upper arm: 2016 (K162050), not 2017",
     "CoolSculpting has been FDA-cleared for upper arm fat since 2016 [1].",
     _set("coolsculpting", "upper-arm-fat", year=2017, limits="visible fat bulges in the upper arm")),
    ("Renova fine wrinkles: 1995 (0.05 %), not 2000",
     "Renova was FDA-approved for fine wrinkles in 1995 [1].",
     _set("renova", "fine-wrinkles", year=2000, limits="adjunctive agent")),
    ("laser hair removal: first cleared 1995 (permanent hair reduction 1998)",
     "Laser hair removal has been FDA-cleared for unwanted hair since 1995 [1].",
     _set("laser-hair-removal", "unwanted-hair", year=1998, limits="permanent hair reduction")),
    ("BOTOX pediatric spasticity: July 2020 expansion (cerebral palsy)",
     "BOTOX has been FDA-approved for spasticity in children 2 and older since 2020 [1].",
     _set("botox", "spasticity", limits="adults: upper limb 2010, lower limb 2016; pediatric patients 2 to 17: "
                                        "upper and lower limb 2019")),
    ("Wegovy tablets: December 2025",
     "Wegovy tablets were FDA-approved for weight loss in 2025 [1].",
     _set("wegovy", "weight-loss", limits="adults with obesity; ages 12 to 17 injection only")),
    ("missing approval: Juvederm Voluma XC for temple hollowing (2024)",
     "Voluma is FDA-approved for temple hollowing in adults over 21 [1].",
     _drop("hyaluronic-acid-filler", "temple-hollowing")),
    ("missing approval: SKINVIVE for cheek skin smoothness (2023)",
     "SKINVIVE is FDA-approved to improve skin smoothness of the cheeks in adults over 21 [1].",
     _drop("hyaluronic-acid-filler", "cheek-skin-smoothness")),
]


@pytest.mark.parametrize(("item", "claim", "old"), CORRECTIONS, ids=[c[0].split(":")[0] for c in CORRECTIONS])
def test_a_claim_agreeing_with_the_corrected_fact_is_judged_by_it(item: str, claim: str, old: Callable,
                                                                   shipped: Policy) -> None:
    assert _findings(claim, shipped) == [], item
    before = _findings(claim, _policy(old))
    assert [f.rule for f in before] == ["CLM001"], (item, before)


@pytest.mark.parametrize(("claim", "stated"), [
    ("Xeomin has been FDA-approved for upper limb spasticity in adults since 2010 [1].", "2010"),
    ("CoolSculpting has been FDA-cleared for upper arm fat since 2017 [1].", "2017"),
    ("Restylane Silk has been FDA-approved for lip lines since 2011 [1].", "2011"),
])
def test_a_claim_with_the_old_year_is_a_finding_naming_the_corrected_year(claim: str, stated: str,
                                                                         shipped: Policy) -> None:
    [finding] = _findings(claim, shipped)
    assert finding.rule == "CLM001" and f"not {stated}" in finding.message


def test_corrected_sources_are_what_an_uncited_claim_is_told_to_cite(shipped: Policy) -> None:
    [lips] = _findings("Restylane is FDA-approved for lip augmentation in adults over 21.", shipped)
    assert lips.rule == "CLM003" and "ucm276637" in lips.suggestion and "P050047S044" not in lips.suggestion
    [forehead] = _findings("BOTOX Cosmetic is FDA-approved for forehead lines in adults.", shipped)
    assert "485d9b71-6881-42c5-a620-a4360c7192ab" in forehead.suggestion  # BOTOX Cosmetic's own label record
    [renova] = _findings("Renova is FDA-approved for fine wrinkles.", shipped)
    assert "patients who use comprehensive skin care and sunlight avoidance programs" in renova.message


def test_microneedling_is_a_de_novo_device_never_approved(shipped: Policy) -> None:
    [approved] = _findings("SkinPen is FDA-approved for acne scars [1].", shipped)
    assert approved.rule == "CLM002" and "De Novo" in approved.message
    assert _findings("SkinPen is FDA-cleared for acne scars [1].", shipped) == []
    product = next(p for p in shipped.kb.products if p.id == "microneedling-device")
    assert product.kind == "de-novo-device"


def test_a_finding_on_an_unconfirmed_fact_says_so(shipped: Policy) -> None:
    [uncited] = _findings("Xeomin is FDA-approved for upper limb spasticity in adults.", shipped)
    assert "(unconfirmed; checked 2026-12-03)" in uncited.message
    [confirmed] = _findings("Restylane is FDA-approved for lip augmentation in adults over 21.", shipped)
    assert "unconfirmed" not in confirmed.message and "(checked 2026-12-03)" in confirmed.message


def test_every_corrected_fact_carries_its_source_url_in_claims_sources_md(shipped: Policy) -> None:
    sources = (POLICY / "claims-sources.md").read_text(encoding="utf-8")
    corrected = [("xeomin", "spasticity"), ("hyaluronic-acid-filler", "perioral-lines"),
                 ("hyaluronic-acid-filler", "lip-augmentation"), ("hyaluronic-acid-filler", "temple-hollowing"),
                 ("hyaluronic-acid-filler", "cheek-skin-smoothness"), ("coolsculpting", "upper-arm-fat"),
                 ("renova", "fine-wrinkles"), ("laser-hair-removal", "unwanted-hair"), ("botox", "spasticity")]
    products = {p.id: p for p in shipped.kb.products}
    for product, condition in corrected:
        use = next(u for u in products[product].uses if u.condition == condition)
        urls = [str(use.source), *(str(u) for u in use.evidence)]
        assert str(use.checked_on) == "2026-12-03", (product, condition)
        assert any(url in sources for url in urls), (product, condition, urls)


# -- medpress kb check / show / diff


def test_kb_check_on_the_shipped_knowledge_base_counts_its_facts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "check", "--content", "content", "--as-of", "2026-12-03"]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert "64 facts: 11 confirmed, 53 unconfirmed, 0 expired" in first
    assert "unconfirmed  xeomin/spasticity (2015)" in out
    assert "secondary    hyaluronic-acid-filler/temple-hollowing: https://modernaesthetics.com" in out
    assert main(["kb", "check", "--content", "content", "--as-of", "2027-11-28"]) == 1  # a year on, checks due


def _policy_copy(folder: Path) -> Path:
    policy = folder / "policy"
    policy.mkdir(parents=True)
    for name in (*REQUIRED_FILES, *OPTIONAL_FILES):
        if (POLICY / name).is_file():
            (policy / name).write_text((POLICY / name).read_text(encoding="utf-8"), encoding="utf-8")
    return policy


def _edit_kb(policy: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load((policy / CLAIMS_FILE).read_text(encoding="utf-8"))
    edit(data)
    (policy / CLAIMS_FILE).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_kb_check_exits_1_on_a_fact_past_its_age(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = _policy_copy(tmp_path / "content")
    _edit_kb(policy, _set("kybella", "submental-fat", checked_on="2024-01-15"))
    assert main(["kb", "check", "--content", str(tmp_path / "content"), "--as-of", "2026-12-03"]) == 1
    out = capsys.readouterr().out
    assert "1 expired" in out.splitlines()[0]
    assert "expired      kybella/submental-fat (2015): checked 2024-01-15, expired 2025-01-14" in out


def test_kb_check_names_the_file_of_an_invalid_fact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = _policy_copy(tmp_path / "content")
    _edit_kb(policy, _set("kybella", "submental-fat", checked_on="last spring"))
    assert main(["kb", "check", "--content", str(tmp_path / "content")]) == 2
    err = capsys.readouterr().err
    assert "claims.yaml" in err and "checked_on" in err and "Traceback" not in err


def test_kb_show_prints_what_medpress_believes_about_a_product(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "show", "Xeomin", "--content", "content"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("xeomin: XEOMIN (Merz)") and "kind: biologic" in out
    assert "[spasticity] (2015): adults and pediatric patients 2 to 17" in out
    assert "checked 2026-12-03, unconfirmed" in out and "boxed warning: Distant spread" in out
    assert "off-label: platysma bands" in out
    assert main(["kb", "show", "no-such-thing", "--content", "content"]) == 2
    capsys.readouterr()
    assert main(["kb", "show", "Restylane", "--content", "content"]) == 0
    filler = capsys.readouterr().out
    assert "kind: pma-device" in filler and "duration_months: 6 to 24" in filler  # product-specific, up to 2 years
    assert "[temple-hollowing] (2024)" in filler and "[cheek-skin-smoothness] (2023)" in filler
    assert "P090016S050" not in filler  # the under-eye source that did not support 2022
    assert "[perioral-lines] (2014)" in filler and "pma.cfm?id=P040024S072" in filler


def test_kb_diff_between_two_revisions_shows_an_added_and_a_removed_use(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    policy = _policy_copy(repo / "content")

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "A")
    _edit_kb(policy, _drop("hyaluronic-acid-filler", "temple-hollowing"))
    _edit_kb(policy, lambda data: next(p for p in data["products"] if p["id"] == "kybella")["approved_uses"].append(
        {"condition": "flank-fat", "population": "adults", "min_age": 18, "year": 2026,
         "source": "https://www.fda.gov/example"}))
    _edit_kb(policy, _set("xeomin", "spasticity", year=2016))
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "B")
    assert main(["kb", "diff", "HEAD~1", "HEAD", "--content", str(repo / "content")]) == 0
    out = capsys.readouterr().out
    assert "- use hyaluronic-acid-filler/temple-hollowing (2024, adults over the age of 21)" in out
    assert "+ use kybella/flank-fat (2026, adults)" in out
    assert "~ use xeomin/spasticity: year 2015 -> 2016" in out
    assert main(["kb", "diff", "no-such-rev", "--content", str(repo / "content")]) == 2

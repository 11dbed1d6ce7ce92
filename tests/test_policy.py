"""An invalid policy is refused with the file, the key and the line named."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.policy import PolicyError
from flows.store.policy_files import DEFAULT_POLICY_DIR, load_policy, policy_dir_for
from tests.conftest import POLICY


def _edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    folder = tmp_path / "policy"
    folder.mkdir()
    for path in POLICY.iterdir():
        (folder / path.name).write_text(path.read_text())
    target = folder / name
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new))
    return folder


def test_the_shipped_policy_is_valid() -> None:
    policy = load_policy(POLICY)
    assert policy.readability.target == 8 and policy.readability.limit == 14
    assert {d.id for d in policy.disclaimers} == {"not-medical-advice", "results-vary", "offer-terms", "off-label"}
    assert len(policy.kb.products) >= 20 and policy.kb.version
    assert {"onabotulinumtoxinA", "hyperhidrosis", "semaglutide"} <= policy.vocabulary
    assert policy.hash.startswith("sha256:")


@pytest.mark.parametrize(("name", "old", "new", "key"), [
    ("policy.yaml", "  limit: 14", "  limmit: 14", "readability.limmit"),
    ("policy.yaml", "  max_bytes: 1000000", "  max_bytes: lots", "frontmatter.max_bytes"),
    ("policy.yaml", "  disable: []", "  disable: [XX001]", "rules.XX001"),
    ("disclaimers.yaml", "    placement: end", "    placement: bottom", "disclaimers.0.placement"),
    ("disclaimers.yaml", '          - "\\\\bno two (?:patients|people|persons|surgeries|faces|bodies|treatments) '
                         '(?:are|look|respond) (?:alike|the same)\\\\b"', '          - "(unclosed"',
     "disclaimers.1.ideas.0.patterns"),
    ("disclaimers.yaml", "      testimonials: true", "      testimonial: true", "disclaimers.1.applies.testimonial"),
    ("reviewers.yaml", "    role: compliance-lead", "    role: compliance-lead\n    rank: 1", "reviewers.0.rank"),
    ("reviewers.yaml", "      - ssh-ed25519 AAAA", "      - ssh-dss AAAA", "reviewers.0.keys"),
    ("reviewers.yaml", "      - ssh-ed25519 AAAA", "      - ssh-rsa AAAA", "reviewers.0.keys"),  # not its type
    ("reviewers.yaml", "  - id: dana-reyes", "  - id: Dana Reyes", "reviewers.0.id"),
])
def test_invalid_policy_names_file_key_and_line(tmp_path: Path, name: str, old: str, new: str, key: str) -> None:
    folder = _edited(tmp_path, name, old, new)
    with pytest.raises(PolicyError) as caught:
        load_policy(folder)
    assert caught.value.file == str(folder / name)
    assert caught.value.key == key
    lines = (folder / name).read_text().splitlines()
    assert caught.value.line is not None
    # the key's line: the edited line itself, or the list that holds it
    assert new.strip() in lines[caught.value.line - 1] or key.split(".")[-1] in lines[caught.value.line - 1]


def test_reviewers_are_validated_and_part_of_the_policy_hash(tmp_path: Path) -> None:
    shipped = load_policy(POLICY)
    [dana] = shipped.reviewers
    assert (dana.id, dana.role) == ("dana-reyes", "compliance-lead") and dana.keys[0].startswith("ssh-ed25519 ")
    twin = f"\n  - id: dana-twin\n    role: medical-director\n    keys: [{dana.keys[0]}]\n"
    folder = _edited(tmp_path, "reviewers.yaml", "reviewers:\n", "reviewers:" + twin)
    with pytest.raises(PolicyError, match="also dana-twin's") as caught:  # one key cannot sign as two people
        load_policy(folder)
    assert caught.value.key == "reviewers.1.keys" and caught.value.line == 15
    (folder / "reviewers.yaml").write_text((POLICY / "reviewers.yaml").read_text().replace("role: compliance-lead",
                                                                                          "role: editor"))
    assert load_policy(folder).hash != shipped.hash  # a role change is a policy change
    (folder / "reviewers.yaml").unlink()
    assert load_policy(folder).reviewers == ()  # optional: without it nobody can sign off


def test_a_missing_policy_file_is_named(tmp_path: Path) -> None:
    folder = _edited(tmp_path, "policy.yaml", "version", "version")
    (folder / "vocabulary.txt").unlink()
    with pytest.raises(PolicyError, match=r"vocabulary\.txt: policy file is missing"):
        load_policy(folder)


def test_content_without_policy_uses_the_default(tmp_path: Path) -> None:
    assert policy_dir_for(tmp_path) == DEFAULT_POLICY_DIR
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "policy.yaml").write_text("version: x\n")
    assert policy_dir_for(tmp_path) == tmp_path / "policy"

"""Desk signatures in the ledger: a desk listed in policy signs for the reviewers policy lets it sign for, and
nothing else verifies (no browser here; tests/test_desk.py drives the desk itself)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from checks.policy import REVIEWERS_FILE, PolicyError
from flows.publish.signoff import approve
from flows.store import ledger, signing
from flows.store.policy_files import load_policy, policy_dir_for
from tests.conftest import ROOT
from tests.signing import make_key, own_policy, register_reviewer

PASSING = "posts/underarm-sweating-botox.md"


def add_desk(content: Path, reviewers: list[str], desk_id: str = "front-desk", key: Path | None = None) -> Path:
    key = key or make_key(content.parent / "desk-keys", desk_id)
    path = own_policy(content) / REVIEWERS_FILE
    data = yaml.safe_load(path.read_text())
    data["desks"] = [{"id": desk_id, "reviewers": reviewers, "keys": [Path(f"{key}.pub").read_text().strip()]}]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return key


@pytest.fixture
def desk_content(content_copy: Path) -> tuple[Path, Path, Path]:
    """(content, the desk's key, ann-lee's own key); the desk signs for ann-lee only."""
    ann = register_reviewer(content_copy, "ann-lee", "compliance-lead")
    register_reviewer(content_copy, "bo-chen", "editor-reviewer")
    return content_copy, add_desk(content_copy, ["ann-lee"]), ann


def test_events_written_before_desks_still_verify() -> None:
    state = ledger.read(ROOT / "content")
    assert state.sound, state.describe()
    assert state.events and all("signer" not in e.to_json() for e in state.events)


def test_a_desk_signs_for_a_reviewer_it_may_sign_for(desk_content: tuple[Path, Path, Path]) -> None:
    content, desk_key, _ = desk_content
    event = approve(content, content / PASSING, "ann-lee", key=desk_key, signer="front-desk", source="desk",
                    grammar=False, note="checked at the desk")
    assert (event.reviewer, event.role, event.signer) == ("ann-lee", "compliance-lead", "front-desk")
    state = ledger.read(content)
    assert state.sound, state.describe()
    assert state.approvals()[PASSING].signer == "front-desk"


def test_a_desk_cannot_sign_for_a_reviewer_policy_does_not_list_for_it(desk_content: tuple[Path, Path, Path]) -> None:
    content, desk_key, _ = desk_content
    approve(content, content / PASSING, "bo-chen", key=desk_key, signer="front-desk", grammar=False)
    state = ledger.read(content)
    assert not state.sound
    assert "desk 'front-desk' may not sign for 'bo-chen'" in state.describe()
    assert all(e.reviewer != "bo-chen" for e in state.events)  # the line is a problem, never an event


def test_a_reviewers_own_key_cannot_pass_for_the_desk(desk_content: tuple[Path, Path, Path]) -> None:
    content, _, ann = desk_content
    with pytest.raises(ledger.LedgerError, match="does not belong to desk 'front-desk'"):
        approve(content, content / PASSING, "ann-lee", key=ann, signer="front-desk", grammar=False)


def test_a_reviewer_cannot_name_themselves_signer_for_another(desk_content: tuple[Path, Path, Path]) -> None:
    """ann-lee signs with her own key an event naming bo-chen as reviewer and herself as signer."""
    content, _, ann = desk_content
    policy = ledger.own_policy(content)
    forged = ledger.Event(time=ledger.now(), action="approve", path=PASSING, slug="underarm-sweating-botox",
                          content_hash="sha256:" + "0" * 64, reviewer="bo-chen", role="editor-reviewer",
                          signer="ann-lee", source="desk")
    ledger.append(content, policy, lambda _: forged, lambda data: signing.sign(ann, data))
    state = ledger.read(content)
    assert "'ann-lee' is not a desk in policy" in state.describe()
    assert not state.sound


def test_editing_a_desk_signed_line_breaks_its_signature(desk_content: tuple[Path, Path, Path]) -> None:
    content, desk_key, _ = desk_content
    register_reviewer(content, "cy-park", "compliance-lead")
    add_desk(content, ["ann-lee", "cy-park"], key=desk_key)
    approve(content, content / PASSING, "ann-lee", key=desk_key, signer="front-desk", grammar=False)
    file = ledger.approvals_file(content)
    lines = file.read_text().splitlines()
    lines[-1] = lines[-1].replace('"reviewer": "ann-lee"', '"reviewer": "cy-park"')
    file.write_text("\n".join(lines) + "\n")
    assert "does not verify with front-desk's keys" in ledger.read(content).describe()


def test_a_desk_signed_event_keeps_the_reviewers_role_from_policy(desk_content: tuple[Path, Path, Path]) -> None:
    content, desk_key, _ = desk_content
    policy = ledger.own_policy(content)
    event = ledger.Event(time=ledger.now(), action="approve", path=PASSING, slug="underarm-sweating-botox",
                         content_hash="sha256:" + "0" * 64, reviewer="ann-lee", role="medical-director",
                         signer="front-desk")
    ledger.append(content, policy, lambda _: event, lambda data: signing.sign(desk_key, data))
    assert "claims role 'medical-director', but policy lists ann-lee as 'compliance-lead'" in \
        ledger.read(content).describe()


def test_a_request_for_changes_is_history_not_a_decision(desk_content: tuple[Path, Path, Path]) -> None:
    content, desk_key, _ = desk_content
    approve(content, content / PASSING, "ann-lee", key=desk_key, signer="front-desk", grammar=False)
    policy = ledger.own_policy(content)
    approval = ledger.read(content).approvals()[PASSING]
    request = dataclasses.replace(approval, action="request-changes", time=ledger.now(), note="one more source")
    ledger.append(content, policy, lambda _: request, lambda data: signing.sign(desk_key, data))
    state = ledger.read(content)
    assert state.sound and state.events[-1].action == "request-changes"
    assert state.approvals()[PASSING].action == "approve"


@pytest.mark.parametrize(("desk", "message"), [
    ({"id": "ann-lee", "reviewers": ["ann-lee"]}, "'ann-lee' is already a reviewer or desk id"),
    ({"id": "front-desk", "reviewers": ["nobody"]}, "'nobody' is not a reviewer listed above"),
    ({"id": "front-desk", "reviewers": ["ann-lee"], "shared": True}, "this key is also ann-lee's"),
])
def test_policy_refuses_a_desk_that_could_pass_for_someone(content_copy: Path, desk: dict[str, object],
                                                          message: str) -> None:
    ann = register_reviewer(content_copy, "ann-lee", "compliance-lead")
    key = ann if desk.pop("shared", False) else make_key(content_copy.parent / "k", "desk")
    path = own_policy(content_copy) / REVIEWERS_FILE
    data = yaml.safe_load(path.read_text())
    data["desks"] = [{**desk, "keys": [Path(f"{key}.pub").read_text().strip()]}]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(PolicyError, match=message):
        load_policy(policy_dir_for(content_copy))

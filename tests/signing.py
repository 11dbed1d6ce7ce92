"""Sign-off in tests: a reviewer with a real SSH key, registered in a content copy's own policy.

``approve_for_test(content, post)`` gives a content folder its own policy (a copy of medpress's, without
the demo reviewer) if it has none, registers the reviewer with a fresh ed25519 key and the role asked for,
and approves with that key, exactly as ``medpress approve --reviewer ID --key FILE`` does.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

from checks.policy import REQUIRED_FILES, REVIEWERS_FILE
from flows.publish.signoff import approve, revoke
from flows.store import ledger
from flows.store.policy_files import DEFAULT_POLICY_DIR


def make_key(folder: Path, name: str) -> Path:
    """A new passphrase-less ed25519 key pair in ``folder`` (the private key's path; ``.pub`` beside it)."""
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / name
    if not key.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key


def own_policy(content: Path) -> Path:
    """The content folder's own policy folder, copied from medpress's (with no reviewers) when missing."""
    folder = content / "policy"
    if not (folder / REQUIRED_FILES[0]).is_file():
        folder.mkdir(parents=True, exist_ok=True)
        for name in REQUIRED_FILES:
            shutil.copyfile(DEFAULT_POLICY_DIR / name, folder / name)
    if not (folder / REVIEWERS_FILE).is_file():
        (folder / REVIEWERS_FILE).write_text('version: "test"\nreviewers: []\n')
    return folder


def keys_dir(content: Path) -> Path:
    return content.parent / f"{content.name}-keys"  # beside the content folder: never a content file


def register_reviewer(content: Path, reviewer: str = "ann-lee", role: str = "compliance-lead",
                      key: Path | None = None) -> Path:
    """Add (or update) ``reviewer`` with ``role`` and a key in the content's policy; returns the private key."""
    key = key or make_key(keys_dir(content), reviewer)
    path = own_policy(content) / REVIEWERS_FILE
    data = yaml.safe_load(path.read_text()) or {}
    reviewers = [r for r in data.get("reviewers") or [] if r["id"] != reviewer]
    public = Path(f"{key}.pub").read_text().strip()
    reviewers.append({"id": reviewer, "name": reviewer, "role": role, "keys": [public]})
    data["reviewers"] = reviewers
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return key


def reviewer_key(content: Path, reviewer: str, role: str) -> Path:
    """The reviewer's key, registering them (with ``role``) unless policy already lists them so.

    Asking for another role re-registers the reviewer, which voids the events they signed before (PUB004),
    as a role change in policy does.
    """
    policy = ledger.own_policy(content) if (content / "policy" / REQUIRED_FILES[0]).is_file() else None
    listed = policy.reviewer(reviewer) if policy else None
    key = keys_dir(content) / reviewer
    if listed is None or listed.role != role or not key.exists():
        key = register_reviewer(content, reviewer, role)
    return key


def approve_for_test(content: Path, post: Path, reviewer: str = "ann-lee", role: str = "compliance-lead",
                     **options: Any) -> ledger.Event:
    """Approve ``post`` as ``reviewer`` (registered with ``role``), signed with their key; grammar off."""
    options.setdefault("grammar", False)
    return approve(content, post, reviewer, key=reviewer_key(content, reviewer, role), **options)


def revoke_for_test(content: Path, post: Path, reviewer: str = "ann-lee", role: str = "compliance-lead",
                    **options: Any) -> ledger.Event:
    return revoke(content, post, reviewer, key=reviewer_key(content, reviewer, role), **options)

"""A decision taken at the desk, written to the same signed ledger as `medpress approve`.

The desk's key (listed under ``desks`` in the content folder's reviewers.yaml) signs on behalf of the
signed-in reviewer: the event names the reviewer, their role as policy gives it, and the desk as signer.
Verification checks the signature against the desk's key and that policy lets this desk sign for this
reviewer, so a desk cannot sign for anyone policy does not list, and a reviewer's role never comes from the desk.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flows.desk.accounts import READER, Account
from flows.engine import ingest
from flows.publish import signoff
from flows.store import ledger, signing


@dataclass(frozen=True)
class DeskKey:
    id: str  # the desk's id in policy
    key: Path  # its private key (or .pub with the key in ssh-agent)


class Refused(Exception):
    """A decision the desk will not record (the message says why); ``forbidden``: the role does not allow it."""

    def __init__(self, message: str, forbidden: bool = False) -> None:
        super().__init__(message)
        self.forbidden = forbidden


def authority(content_dir: Path, account: Account, desk: DeskKey | None) -> tuple[str, bool]:
    """Why ``account`` may not decide here ("" when it may) and whether it may override errors; the role is
    policy's, read now, whatever the users file says."""
    policy = ledger.own_policy(content_dir)
    member = policy.reviewer(account.name)
    if account.role == READER:
        return f"{account.name} signs in as '{READER}': readers do not decide", False
    if member is None or member.role != account.role:
        return f"{account.name} is not a reviewer with the role '{account.role}' in policy (reviewers.yaml)", False
    if desk is None:
        return "this desk has no signing key (medpress serve --key): it shows the queue but records nothing", False
    listed = policy.desk(desk.id)
    if listed is None:
        return f"the desk '{desk.id}' is not listed in policy (reviewers.yaml desks)", False
    if account.name not in listed.reviewers:
        return f"policy does not let the desk '{desk.id}' sign for {account.name}", False
    return "", member.role in policy.general.publishing.override_roles


def record(content_dir: Path, rel: str, account: Account, desk: DeskKey | None, decision: str, note: str,
           override: str, grammar: bool) -> ledger.Event:
    why, may_override = authority(content_dir, account, desk)
    if why or desk is None:
        raise Refused(why, forbidden=True)
    if decision not in ("approve", "request-changes"):
        raise Refused("choose a decision: approve, or request changes")
    if not note.strip():
        raise Refused("a note is required: say what you checked, or what must change")
    if override and not may_override:
        raise Refused(f"the role '{account.role}' may not approve despite errors (policy publishing.override_roles)",
                      forbidden=True)
    path = content_dir / rel
    if decision == "approve":
        try:
            return signoff.approve(content_dir, path, account.name, key=desk.key, note=note.strip(),
                                   override=override.strip(), grammar=grammar, source="desk", signer=desk.id)
        except signoff.Refused as err:
            raise Refused(str(err)) from err
    policy = ledger.own_policy(content_dir)
    post = ingest.read_post(content_dir, rel, 10**9, body=False)
    member = policy.reviewer(account.name)
    event = ledger.Event(time=ledger.now(), action="request-changes", path=rel, slug=post.slug,
                         content_hash=post.content_hash, reviewer=account.name, role=member.role if member else "",
                         note=note.strip(), policy_version=policy.version, policy_hash=policy.hash,
                         kb_version=policy.kb.version, source="desk", signer=desk.id)
    return ledger.append(content_dir, policy, lambda _: event, lambda data: signing.sign(desk.key, data))


def commit(content_dir: Path, event: ledger.Event, account: Account, desk: DeskKey) -> str:
    """Commit the ledger file alone, the reviewer as author and the desk as committer; the commit's id, or why
    there is none (the event is recorded either way)."""
    folder = content_dir.resolve()
    file = ledger.approvals_file(folder)
    email = account.email or f"{account.name}@medpress-desk.invalid"
    env = {**os.environ, "GIT_COMMITTER_NAME": f"medpress desk {desk.id}",
           "GIT_COMMITTER_EMAIL": f"{desk.id}@medpress-desk.invalid"}
    message = f"ledger: {event.action} {event.path} by {event.reviewer} ({event.role}) at desk {desk.id}"
    try:
        subprocess.run(["git", "-C", str(folder), "add", "--", str(file)], check=True, capture_output=True,
                       timeout=60, env=env)
        subprocess.run(["git", "-C", str(folder), "commit", "-q", "-m", message, f"--author={account.name} <{email}>",
                        "--", str(file)], check=True, capture_output=True, timeout=60, env=env)
        return subprocess.run(["git", "-C", str(folder), "rev-parse", "--short", "HEAD"], check=True,
                              capture_output=True, text=True, timeout=60).stdout.strip()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as err:
        detail = getattr(err, "stderr", b"") or b""
        text = detail.decode("utf-8", "replace").strip() if isinstance(detail, bytes) else str(detail)
        return f"not committed: {text or err}"

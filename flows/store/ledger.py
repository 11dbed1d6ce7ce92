"""The approval ledger (append-only, hash-chained, signed, committed with the content) and the publish ledger.

``<content>/ledger/approvals.jsonl``: one JSON line per event (approve, revoke): who, when, which content
hash, under which policy and knowledge-base versions, any override with its reason; ``prev``, the hash of
the line before (a chain: editing, removing or inserting a line breaks it at the next line); and
``signature``, the reviewer's SSH signature of everything else in the event. Lines are only ever appended;
the current state of a post is its last event. Readers hold a shared lock and the writer an exclusive one,
so no reader ever sees half a line. :func:`verify` checks every line against the content folder's policy
(its reviewers, their keys and roles); nothing counts as approved while any line fails.

``<content>/ledger/published.json``: per target, slug -> the hash, remote id, location and time of the
last publish, so `medpress status` can say which version is live where.
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from checks.corpus import LedgerProblem
from checks.policy import Policy
from flows.store.signing import Verifier
from reports.files import write_atomically

LEDGER_DIR = "ledger"
APPROVALS = "approvals.jsonl"
PUBLISHED = "published.json"
ANCHOR = "approvals.anchor"  # local, not committed: the ledger this machine last published from


@dataclass(frozen=True)
class Event:
    time: str
    action: str  # approve | revoke
    path: str  # content-relative post path
    slug: str
    content_hash: str
    reviewer: str  # the reviewer's id in policy (reviewers.yaml)
    role: str = ""  # the reviewer's role in policy when they signed
    note: str = ""
    override: str = ""  # reason, when approved despite error findings
    errors: int = 0  # error-level findings at approval time
    policy_version: str = ""
    policy_hash: str = ""
    kb_version: str = ""
    source: str = "cli"  # cli | prefect-ui | desk
    prev: str = ""  # hash of the previous line ("" for the first)
    signer: str = ""  # a desk's id in policy when the desk signed for ``reviewer`` ("" : the reviewer signed)
    signature: str = ""  # SSH signature (namespace medpress-ledger) of payload()

    @property
    def signed_by(self) -> str:
        """Whose key must verify the signature: the desk's when a desk signed, else the reviewer's."""
        return self.signer or self.reviewer

    def _fields(self) -> dict[str, object]:
        # A field added later is left out while empty, so events written before it keep their payload.
        return {k: v for k, v in self.__dict__.items() if not (k in _LATER and not v)}

    def payload(self) -> bytes:
        """What the signer signs: every field but the signature, in one canonical form."""
        fields = {k: v for k, v in self._fields().items() if k != "signature"}
        return json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")

    def to_json(self) -> str:
        return json.dumps(self._fields(), ensure_ascii=False, sort_keys=True)


_LATER = frozenset({"signer"})
DECISIONS = ("approve", "revoke")  # the actions that change a post's approval; others (request-changes) are history


def line_hash(line: str) -> str:
    return "sha256:" + hashlib.sha256(line.encode("utf-8")).hexdigest()


def approvals_file(content_dir: Path) -> Path:
    return content_dir / LEDGER_DIR / APPROVALS


class LedgerError(Exception):
    """A ledger that cannot be read or added to (the message names the file and line)."""


class Untrusted(LedgerError):
    """A ledger with a broken chain, an unsigned or forged event, or an unauthorised one: nothing counts."""


@dataclass
class Ledger:
    """The ledger as read: events that hold up, and the lines that do not."""

    file: Path
    events: list[Event] = field(default_factory=list)  # verified events, in order
    problems: list[LedgerProblem] = field(default_factory=list)
    head: str = ""  # hash of the last line: the next event's prev
    hashes: list[str] = field(default_factory=list)  # every line's hash, in order

    @property
    def sound(self) -> bool:
        return not self.problems

    def approvals(self) -> dict[str, Event]:
        """Post path -> its current approval (its last verified event, when that is an approval)."""
        current: dict[str, Event] = {}
        for event in self.events:
            if event.action in DECISIONS:
                current[event.path] = event
        return {path: event for path, event in current.items() if event.action == "approve"}

    def describe(self) -> str:
        """One problem a line, each naming the ledger file and line."""
        return "".join(f"\n  {self.file}:{p.line}: {p.message}" for p in self.problems)


@contextmanager
def _locked(path: Path, exclusive: bool) -> Iterator[IO[str]]:
    mode = "a+" if exclusive else "r"
    with path.open(mode, encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            handle.seek(0)
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_lines(content_dir: Path) -> list[str]:
    """The ledger's lines, read under a shared lock (a writer never leaves half a line visible)."""
    path = approvals_file(content_dir)
    try:
        with _locked(path, exclusive=False) as handle:
            return _split(handle.read())
    except FileNotFoundError:
        return []


def _split(text: str) -> list[str]:
    """Lines; a last line without its newline (a write cut short) is kept, to be reported, not hidden."""
    lines = text.split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def verify(lines: list[str], policy: Policy, file: Path) -> Ledger:
    """Check the chain, every signature against the policy's reviewers and keys, and every role and override."""
    ledger = Ledger(file)
    checked: list[tuple[int, Event | None, list[LedgerProblem]]] = []
    signed: dict[int, tuple[str, bytes, str]] = {}  # line -> what ssh-keygen must verify
    for number, line in enumerate(lines, 1):
        event, problems = _check_line(number, line, ledger.head, policy)
        if event is not None and not problems and event.signature:
            signed[number] = (event.signed_by, event.payload(), event.signature)
        checked.append((number, event, problems))
        ledger.head = line_hash(line)
        ledger.hashes.append(ledger.head)
    with Verifier((*policy.reviewers, *policy.desks)) as verifier:
        verdicts = verifier.verify_all(signed)
    for number, event, problems in checked:
        if event is not None and not verdicts.get(number, True):
            problems.append(LedgerProblem(number, event.path, "signature", f"the signature does not verify "
                                                                           f"with {event.signed_by}'s keys in policy"))
        if problems:  # named as the user names the ledger file, for the findings
            ledger.problems.extend(p._replace(file=str(file)) for p in sorted(problems, key=_kind_order))
        elif event is not None:
            ledger.events.append(event)
    return ledger


def _kind_order(problem: LedgerProblem) -> int:
    return ("chain", "signature", "authority").index(problem.kind)


_TYPES = {f.name: type(f.default) if f.default is not dataclasses.MISSING else str for f in dataclasses.fields(Event)}


def _event(line: str) -> Event:
    data = json.loads(line)
    if not isinstance(data, dict):
        raise TypeError("not a JSON object")
    for name, value in data.items():
        if name in _TYPES and type(value) is not _TYPES[name]:
            raise TypeError(f"{name} must be {_TYPES[name].__name__}")
    return Event(**data)


def _check_line(number: int, line: str, prev: str, policy: Policy) -> tuple[Event | None, list[LedgerProblem]]:
    """The event on a line and its problems, all but the signature's cryptographic check (done in a batch)."""
    try:
        event = _event(line)
    except (ValueError, TypeError) as err:
        return None, [LedgerProblem(number, "", "chain", f"not a ledger event ({err})")]
    found = []
    if event.prev != prev:
        found.append(LedgerProblem(number, event.path, "chain",
                                   "chain broken: the previous-event hash does not match "
                                   + (f"line {number - 1}" if number > 1 else "the start of the ledger")
                                   + " (a line was edited, removed or inserted)"))
    reviewer = policy.reviewer(event.reviewer)
    if not event.signature:
        found.append(LedgerProblem(number, event.path, "signature", f"{event.action} by '{event.reviewer}' is "
                                                                    "not signed"))
    elif reviewer is None:
        found.append(LedgerProblem(number, event.path, "signature", f"'{event.reviewer}' is not a reviewer in "
                                                                    "policy (reviewers.yaml)"))
    elif event.signer:
        found.extend(_desk_problems(number, event, policy))
    if reviewer is not None:
        found.extend(_authority(number, event, reviewer.role, policy))
    return event, found


def _desk_problems(number: int, event: Event, policy: Policy) -> list[LedgerProblem]:
    """A desk signs only as a desk listed in policy, and only for the reviewers policy lets it sign for."""
    desk = policy.desk(event.signer)
    if desk is None:
        return [LedgerProblem(number, event.path, "signature", f"'{event.signer}' is not a desk in policy "
                                                               "(reviewers.yaml desks)")]
    if event.reviewer not in desk.reviewers:
        return [LedgerProblem(number, event.path, "authority", f"desk '{desk.id}' may not sign for "
                                                               f"'{event.reviewer}' (policy lists: "
                                                               f"{', '.join(desk.reviewers)})")]
    return []


def _authority(number: int, event: Event, role: str, policy: Policy) -> list[LedgerProblem]:
    if event.role != role:
        return [LedgerProblem(number, event.path, "authority", f"the event claims role '{event.role}', but policy "
                                                               f"lists {event.reviewer} as '{role}'")]
    allowed = policy.general.publishing.override_roles
    if event.override and role not in allowed:
        return [LedgerProblem(number, event.path, "authority", f"an override by role '{role}', which may not "
                                                               f"override findings (allowed: {', '.join(allowed)})")]
    return []


def read(content_dir: Path, policy: Policy | None = None) -> Ledger:
    """The verified ledger of ``content_dir``, under that folder's own policy (never a ``--policy`` given for
    a review: the reviewers who may sign are the content's)."""
    return verify(read_lines(content_dir), policy or own_policy(content_dir), approvals_file(content_dir))


def own_policy(content_dir: Path) -> Policy:
    """The content folder's own policy. A folder without one reviews under medpress's default policy but trusts
    no reviewer: the reviewers shipped with it are the demo blog's, and a clinic lists its own."""
    from flows.store.policy_files import has_own_policy, load_policy, policy_dir_for

    policy = load_policy(policy_dir_for(content_dir))
    return policy if has_own_policy(content_dir) else policy.model_copy(update={"reviewers": (), "desks": ()})


def check_anchor(content_dir: Path, ledger: Ledger) -> None:
    """Add a problem when the ledger no longer holds the lines this machine last published from.

    A hash chain cannot show that its last lines were cut off (a revocation dropped, so the post goes live
    again); the anchor, kept beside the ledger but never committed, can, on the machine that publishes.
    """
    try:
        anchor = json.loads((content_dir / LEDGER_DIR / ANCHOR).read_text(encoding="utf-8"))
        lines, head = int(anchor["lines"]), str(anchor["head"])
    except FileNotFoundError:
        return
    except (ValueError, KeyError, TypeError):
        lines, head = 1, "(unreadable anchor)"
    if lines and (len(ledger.hashes) < lines or ledger.hashes[lines - 1] != head):
        ledger.problems.append(LedgerProblem(
            lines, "", "chain", f"the ledger no longer holds the {lines} event(s) this machine last published "
            f"from (line {lines} is missing or different): events were removed, or this is an older copy. "
            f"If that is intended, delete {content_dir / LEDGER_DIR / ANCHOR}", str(ledger.file)))


def save_anchor(content_dir: Path, ledger: Ledger) -> None:
    if ledger.sound and ledger.hashes:
        write_atomically(content_dir / LEDGER_DIR / ANCHOR,
                         json.dumps({"lines": len(ledger.hashes), "head": ledger.hashes[-1]}) + "\n")


def events(content_dir: Path) -> list[Event]:
    """Every event as written, unverified (for tests and tools that show history)."""
    found = []
    for number, line in enumerate(read_lines(content_dir), 1):
        try:
            found.append(_event(line))
        except (ValueError, TypeError) as err:
            raise LedgerError(f"{approvals_file(content_dir)}:{number}: not a ledger event: {err}") from err
    return found


def append(content_dir: Path, policy: Policy, make: Callable[[Ledger], Event],
           sign: Callable[[bytes], str]) -> Event:
    """Append one signed event, chained to the last line, under an exclusive lock.

    ``make`` builds the event from the verified ledger (so a revoke sees the approval it withdraws);
    ``sign`` signs its payload. Refused while the ledger does not verify: a new event never chains onto
    a tampered line. The line is written, flushed and fsynced in one piece.
    """
    path = approvals_file(content_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path, exclusive=True) as handle:
        ledger = verify(_split(handle.read()), policy, path)
        if not ledger.sound:
            raise LedgerError(f"the approval ledger does not verify, so nothing can be added to it "
                              f"(restore it from git):{ledger.describe()}")
        event = dataclasses.replace(make(ledger), prev=ledger.head, signature="")
        event = dataclasses.replace(event, signature=sign(event.payload()))
        with Verifier((*policy.reviewers, *policy.desks)) as verifier:
            if not verifier.verify_all({1: (event.signed_by, event.payload(), event.signature)})[1]:
                whose = f"desk '{event.signer}'" if event.signer else f"reviewer '{event.reviewer}'"
                raise LedgerError(f"the key used does not belong to {whose} in policy "
                                  "(reviewers.yaml): nothing was recorded")
        handle.seek(0, os.SEEK_END)
        handle.write(event.to_json() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return event


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def published(content_dir: Path) -> dict[str, dict[str, dict[str, str]]]:
    """What medpress published, per target and slug."""
    return _load_published(content_dir / LEDGER_DIR / PUBLISHED)


def _load_published(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as err:
        raise LedgerError(f"{path}: {err}") from err
    return data if isinstance(data, dict) else {}


def record_published(content_dir: Path, target: str, slug: str, entry: dict[str, str] | None) -> None:
    """Set (or, with None, remove) a target's entry for a slug (read again from disk: each call stands alone)."""
    data = _load_published(content_dir / LEDGER_DIR / PUBLISHED)
    entries = data.setdefault(target, {})
    if entry is None:
        entries.pop(slug, None)
    else:
        entries[slug] = entry
    write_atomically(content_dir / LEDGER_DIR / PUBLISHED, json.dumps(data, indent=1, sort_keys=True) + "\n")

"""The approval ledger (append-only, committed with the content) and the publish ledger.

``<content>/ledger/approvals.jsonl``: one JSON line per event (approve, revoke): who, when, role, which
content hash, under which policy and knowledge-base versions, and any override with its reason. Lines
are only ever appended; the current state of a post is its last event.

``<content>/ledger/published.json``: per target, slug -> the hash, remote id, location and time of the
last publish, so `medpress status` can say which version is live where.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reports.files import write_atomically

LEDGER_DIR = "ledger"
APPROVALS = "approvals.jsonl"
PUBLISHED = "published.json"


@dataclass(frozen=True)
class Event:
    time: str
    action: str  # approve | revoke
    path: str  # content-relative post path
    slug: str
    content_hash: str
    reviewer: str
    role: str = ""
    note: str = ""
    override: str = ""  # reason, when approved despite error findings
    errors: int = 0  # error-level findings at approval time
    policy_version: str = ""
    policy_hash: str = ""
    kb_version: str = ""
    source: str = "cli"  # cli | prefect-ui

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, sort_keys=True)


def approvals_file(content_dir: Path) -> Path:
    return content_dir / LEDGER_DIR / APPROVALS


def append(content_dir: Path, event: Event) -> None:
    """Append one event (locked, flushed and fsynced: an approval is never half-written)."""
    path = approvals_file(content_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(event.to_json() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def events(content_dir: Path) -> list[Event]:
    path = approvals_file(content_dir)
    if not path.is_file():
        return []
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            found.append(Event(**json.loads(line)))
        except (ValueError, TypeError) as err:
            raise LedgerError(f"{path}:{number}: not a ledger event: {err}") from err
    return found


class LedgerError(Exception):
    """A ledger line that cannot be read (exit status 2; the ledger is never rewritten)."""


def approved_hashes(content_dir: Path) -> dict[str, Event]:
    """Post path -> its current approval (the last event, when that event is an approval)."""
    current: dict[str, Event] = {}
    for event in events(content_dir):
        current[event.path] = event
    return {path: event for path, event in current.items() if event.action == "approve"}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def published(content_dir: Path) -> dict[str, dict[str, dict[str, str]]]:
    path = content_dir / LEDGER_DIR / PUBLISHED
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as err:
        raise LedgerError(f"{path}: {err}") from err
    return data if isinstance(data, dict) else {}


def record_published(content_dir: Path, target: str, slug: str, entry: dict[str, str] | None) -> None:
    """Set (or, with None, remove) a target's entry for a slug."""
    data = published(content_dir)
    entries = data.setdefault(target, {})
    if entry is None:
        entries.pop(slug, None)
    else:
        entries[slug] = entry
    write_atomically(content_dir / LEDGER_DIR / PUBLISHED, json.dumps(data, indent=1, sort_keys=True) + "\n")

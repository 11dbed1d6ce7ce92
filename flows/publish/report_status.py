"""Each post's sign-off state for the HTML report, from the same function `medpress status` uses.

The report answers "what do I sign off?": approved, stale, published, draft, in review (and whatever else
``signoff.status`` says, e.g. needs re-review). Posts are keyed by the path the report names them by.
"""

from __future__ import annotations

from pathlib import Path

from flows.publish.signoff import status
from flows.store import ledger


def approval_status(content_dir: Path) -> dict[str, tuple[str, str]]:
    """Post path -> (state, detail); a ledger that does not verify says so in every detail (no post counts as
    approved then, as `medpress status` shows); a content folder that cannot be read gives nothing."""
    try:
        state = ledger.read(content_dir)
        rows = status(content_dir, state)
    except (OSError, ValueError, ledger.LedgerError):
        return {}
    unsound = "" if state.sound else "the approval ledger does not verify: no sign-off counts until it is repaired"
    return {row.path: (row.state, "; ".join(part for part in (row.detail, unsound) if part)) for row in rows}

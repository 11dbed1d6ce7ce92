"""What the publishing attack tests share: the disclaimer every clean post ends with, and the ONE way they
sign a post off and revoke it (through tests.signing: a reviewer with a real SSH key in the content's policy)."""

from __future__ import annotations

from pathlib import Path

from tests.signing import approve_for_test, revoke_for_test


def approve_post(content: Path, path: Path, override: str = "") -> None:
    """Sign ``path`` off as a medical director (allowed to override), with ``override`` as the reason if any."""
    approve_for_test(content, path, role="medical-director", override=override)


def revoke_post(content: Path, path: Path) -> None:
    """Withdraw ``path``'s approval (the same signer as ``approve_post``)."""
    revoke_for_test(content, path, role="medical-director")

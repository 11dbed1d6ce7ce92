"""SSH signatures for ledger events, made and checked by ``ssh-keygen -Y`` (as git signs commits).

A reviewer signs an event's payload with their own key (``ssh-keygen -Y sign -n medpress-ledger``); the
signature is checked with ``ssh-keygen -Y verify`` against an allowed-signers file built from the
reviewers and keys the content folder's policy lists, so a key counts only for the reviewer it belongs to.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from checks.policy import Desk, Reviewer

NAMESPACE = "medpress-ledger"  # a signature made for git or for anything else never verifies here
KEY_ENV = "MEDPRESS_SIGNING_KEY"
_TIMEOUT = 120  # seconds; signing may wait for a security key touch or an agent
K = TypeVar("K")


class SigningError(Exception):
    """A signature could not be made (no key, wrong key, ssh-keygen failed); the message says what to do."""


def key_env_for(reviewer_id: str) -> str:
    """The per-reviewer variable a worker (the Prefect sign-off form) reads: MEDPRESS_SIGNING_KEY_DANA_REYES."""
    return f"{KEY_ENV}_{re.sub(r'[^A-Z0-9]', '_', reviewer_id.upper())}"


def signing_key(given: Path | None, reviewer_id: str) -> Path:
    """The key to sign with: ``--key``, else MEDPRESS_SIGNING_KEY_<REVIEWER>, else MEDPRESS_SIGNING_KEY.

    A ``.pub`` file is fine too: ssh-keygen then asks ssh-agent for the private half.
    """
    chosen = given or os.environ.get(key_env_for(reviewer_id)) or os.environ.get(KEY_ENV)
    if not chosen:
        raise SigningError(f"sign-off needs {reviewer_id}'s SSH key: pass --key ~/.ssh/id_ed25519 (or the .pub "
                           f"file with the key in ssh-agent), or set {KEY_ENV}")
    path = Path(chosen).expanduser()
    if not path.is_file():
        raise SigningError(f"signing key {path} does not exist")
    return path


def sign(key: Path, payload: bytes) -> str:
    """The armored SSH signature of ``payload`` made with ``key``."""
    try:
        done = subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", NAMESPACE, "-f", str(key)], input=payload,
                              capture_output=True, timeout=_TIMEOUT, check=False)
    except FileNotFoundError as err:
        raise ToolMissing("ssh-keygen is not installed (OpenSSH 8.2 or later signs ledger events)") from err
    except subprocess.TimeoutExpired as err:
        raise SigningError(f"ssh-keygen did not sign with {key} within {_TIMEOUT} s") from err
    signature = done.stdout.decode("ascii", "replace")
    if done.returncode != 0 or "BEGIN SSH SIGNATURE" not in signature:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SigningError(f"ssh-keygen could not sign with {key}: {reason[-1] if reason else 'no signature'}")
    return signature


def allowed_signers(reviewers: Iterable[Reviewer | Desk]) -> str:
    """ssh-keygen's allowed-signers text: each reviewer's (and desk's) keys, for this namespace only."""
    return "".join(f'{r.id} namespaces="{NAMESPACE}" {key}\n' for r in reviewers for key in r.keys)


class ToolMissing(SigningError):
    """ssh-keygen is not there: medpress cannot run (exit 3), which says nothing about the ledger."""


class Verifier:
    """Checks signatures against one allowed-signers file (written once, used for every event)."""

    def __init__(self, reviewers: Iterable[Reviewer | Desk]) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="medpress-signers-")
        self._allowed = Path(self._dir.name) / "allowed_signers"
        self._allowed.write_text(allowed_signers(reviewers), encoding="utf-8")

    def verify_all(self, items: Mapping[K, tuple[str, bytes, str]]) -> dict[K, bool]:
        """key -> whether (reviewer id, payload, signature) verifies; one ssh-keygen per item, run in parallel."""
        if not items:
            return {}
        with ThreadPoolExecutor(max_workers=min(len(items), os.cpu_count() or 1, 8)) as pool:
            verdicts = pool.map(self._verifies, range(len(items)), items.values())
            return dict(zip(items, verdicts, strict=True))

    def _verifies(self, index: int, item: tuple[str, bytes, str]) -> bool:
        reviewer_id, payload, signature = item
        signature_file = Path(self._dir.name) / f"{index}.sig"
        signature_file.write_text(signature, encoding="ascii", errors="replace")
        try:
            done = subprocess.run(["ssh-keygen", "-Y", "verify", "-f", str(self._allowed), "-I", reviewer_id,
                                   "-n", NAMESPACE, "-s", str(signature_file)], input=payload,
                                  capture_output=True, timeout=_TIMEOUT, check=False)
        except FileNotFoundError as err:
            raise ToolMissing("ssh-keygen is not installed (OpenSSH 8.2 or later verifies ledger events)") from err
        except subprocess.TimeoutExpired:
            return False
        finally:
            signature_file.unlink(missing_ok=True)
        return done.returncode == 0

    def close(self) -> None:
        self._dir.cleanup()

    def __enter__(self) -> Verifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Desk accounts: a name, an Argon2 password hash and the role, in a file outside the content folder.

The role is checked against the content folder's policy when the account is added and again at every request
(a role in the file that policy no longer gives counts for nothing): the file never grants authority. The
password itself is never written, printed or logged; only its Argon2id hash is kept.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from checks.policy import Policy
from reports.files import write_atomically

USERS_ENV = "MEDPRESS_USERS"
READER = "reader"  # signs in and reads; decides nothing (a role of the desk's own, not of policy)
_HASHER = PasswordHasher()
# Verified against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY = _HASHER.hash("not a password")


class AccountError(Exception):
    """An account that cannot be added or a users file that cannot be read (the message says why)."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password_hash: str
    email: str = ""


def default_users_file() -> Path:
    """$MEDPRESS_USERS, else ~/.config/medpress/desk-users.json (under $XDG_CONFIG_HOME when set)."""
    if os.environ.get(USERS_ENV):
        return Path(os.environ[USERS_ENV]).expanduser()
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "medpress" / "desk-users.json"


def policy_roles(policy: Policy) -> list[str]:
    """The roles an account may have: every reviewer role and override role in policy, and ``reader``."""
    return sorted({r.role for r in policy.reviewers} | set(policy.general.publishing.override_roles) | {READER})


def check_role(policy: Policy, name: str, role: str) -> str | None:
    """Why ``name`` may not hold ``role`` under ``policy`` (None when it may)."""
    roles = policy_roles(policy)
    if role not in roles:
        return f"'{role}' is not a role in policy (roles: {', '.join(roles)})"
    member = policy.reviewer(name)
    if role != READER and member is None:
        return (f"'{name}' is not a reviewer in the content folder's policy (reviewers.yaml): only the role "
                f"'{READER}' is possible without one")
    if member is not None and role not in (member.role, READER):
        return f"policy lists {name} as '{member.role}': an account takes its role from policy"
    return None


def load(path: Path) -> dict[str, Account]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        raise AccountError(f"{path}: cannot read the desk's users file: {err}") from err
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, dict):
        raise AccountError(f"{path}: not a desk users file (no 'users' object)")
    return {name: Account(name, str(entry.get("role", "")), str(entry.get("password_hash", "")),
                          str(entry.get("email", "")))
            for name, entry in users.items() if isinstance(entry, dict)}


def add(path: Path, policy: Policy, name: str, role: str, password: str, email: str = "") -> Account:
    """Add or replace ``name``'s account; refuses a role policy does not give them and a short password."""
    why = check_role(policy, name, role)
    if why:
        raise AccountError(why)
    if len(password) < 12:
        raise AccountError("a desk password has at least 12 characters")
    users = load(path)
    users[name] = Account(name, role, _HASHER.hash(password), email)
    data = {"users": {n: {"role": a.role, "password_hash": a.password_hash, "email": a.email}
                      for n, a in sorted(users.items())}}
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomically(path, json.dumps(data, indent=1) + "\n")
    path.chmod(0o600)
    return users[name]


def authenticate(path: Path, name: str, password: str) -> Account | None:
    """The account when ``password`` is ``name``'s, else None (the same work either way)."""
    account = load(path).get(name)
    try:
        _HASHER.verify(account.password_hash if account else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    return account

"""Per-user, per-machine state that must not follow ``$MEDPRESS_CACHE``: the Prefect server's record and the
key that signs cache entries.

A cache folder can be moved, shared or restored from elsewhere (a CI cache, a copied home); what proves that an
entry was written by medpress, and which server this user's commands share, must not live in it. The folder is
``$MEDPRESS_STATE_DIR``, else ``$XDG_STATE_HOME/medpress``, else ``~/.local/state/medpress`` (mode 0700).
"""

from __future__ import annotations

import os
import secrets
import socket
import stat
from pathlib import Path

KEY_BYTES = 32


class StateError(Exception):
    """The per-user state folder or the cache key cannot be used."""


def state_dir() -> Path:
    given = os.environ.get("MEDPRESS_STATE_DIR")
    if given:
        return Path(given)
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "medpress"


def machine() -> str:
    """This machine's name, for file names (a home folder may be shared by several machines)."""
    return "".join(c if c.isalnum() or c in "-." else "_" for c in socket.gethostname()) or "localhost"


def ensure_state_dir() -> Path:
    folder = state_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as err:
        raise StateError(f"cannot create {folder}: {err.strerror or err}") from err
    return folder


def key_file() -> Path:
    return state_dir() / "cache.key"


def cache_key() -> bytes:
    """The user's key for cache entry digests, created on first use (random, mode 0600).

    A key file that others may write (group or world bits set) or that belongs to someone else is not trusted: it
    is replaced, so every entry signed with it is checked again.
    """
    path = key_file()
    try:
        info = path.lstat()
    except FileNotFoundError:
        return _create_key(path)
    except OSError as err:
        raise StateError(f"cannot read {path}: {err.strerror or err}") from err
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        path.unlink(missing_ok=True)
        return _create_key(path)
    try:
        key = bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError) as err:
        raise StateError(f"cannot read the cache key {path}: {err}") from err
    if len(key) < KEY_BYTES:
        raise StateError(f"the cache key {path} is too short")
    return key


def _create_key(path: Path) -> bytes:
    """A new key, written to a private temporary file and linked into place (of two processes creating it at
    once, both end up with the one linked first)."""
    ensure_state_dir()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    key = secrets.token_bytes(KEY_BYTES)
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(key.hex() + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            return cache_key()  # another process won: use its key
    except OSError as err:
        raise StateError(f"cannot create the cache key {path}: {err.strerror or err}") from err
    finally:
        temporary.unlink(missing_ok=True)
    return key

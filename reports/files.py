"""Write report files atomically: a reader never sees half a report."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                     prefix=f".{path.name}.", suffix=".tmp") as handle:
        handle.write(text)
    os.chmod(handle.name, 0o666 & ~_umask())  # temp files are private (0600); reports are not
    os.replace(handle.name, path)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current

"""Write report files atomically: a reader never sees half a report.

A report may be written in pieces (an iterable of str, as the writers' ``chunks`` give them), so a report of
hundreds of thousands of findings is never held as one string; it still appears whole or not at all.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

BUFFER = 1 << 16  # characters gathered before a write: the JSON encoder yields pieces of a few characters


def write_atomically(path: Path, text: str | Iterable[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                     prefix=f".{path.name}.", suffix=".tmp") as handle:
        try:
            if isinstance(text, str):
                handle.write(text)
            else:
                for piece in gathered(text):
                    handle.write(piece)
        except BaseException:  # a writer that fails (or a Ctrl-C) leaves the previous report, no temp file
            handle.close()
            os.unlink(handle.name)
            raise
    os.chmod(handle.name, 0o666 & ~_umask())  # temp files are private (0600); reports are not
    os.replace(handle.name, path)


def gathered(pieces: Iterable[str], size: int = BUFFER) -> Iterator[str]:
    """``pieces`` joined into strings of about ``size`` characters (fewer, larger writes)."""
    batch: list[str] = []
    length = 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    if batch:
        yield "".join(batch)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current

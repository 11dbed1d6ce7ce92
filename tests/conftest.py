"""Shared fixtures: an isolated medpress cache, a real local Prefect server, content folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
POLICY = CONTENT / "policy"


@pytest.fixture(scope="session", autouse=True)
def medpress_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test run gets its own result cache and Prefect server state (never the user's)."""
    folder = tmp_path_factory.mktemp("medpress-cache")
    old = os.environ.get("MEDPRESS_CACHE")
    from flows.grammar import install_dir

    os.environ["MEDPRESS_LT_DIR"] = str(install_dir())  # the LanguageTool `make test` installed
    os.environ["MEDPRESS_CACHE"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("MEDPRESS_CACHE", None)
    else:
        os.environ["MEDPRESS_CACHE"] = old


@pytest.fixture(scope="session")
def prefect_api(medpress_cache: Path) -> Iterator[str]:
    """A real Prefect API server on loopback, started the way `medpress review` starts it."""
    from flows import prefect_server

    os.environ.pop("PREFECT_API_URL", None)
    url = prefect_server.ensure_api()
    yield url
    prefect_server.stop()
    os.environ.pop("PREFECT_API_URL", None)


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A copy of the repository's content folder (posts, images, policy) to edit freely."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def write_post(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / "posts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run_medpress(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console script as a user would."""
    medpress = Path(sys.executable).with_name("medpress")
    return subprocess.run([str(medpress), *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})}, check=False)


@pytest.fixture(scope="session")
def languagetool(medpress_cache: Path) -> Iterator[str]:
    """A real LanguageTool server (installed by `make languagetool`), started once for the session."""
    from flows.grammar import ManagedServer

    server = ManagedServer("768m")
    url = server.start()
    yield url
    server.stop()

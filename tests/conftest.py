"""Shared fixtures: an isolated medpress cache, a real local Prefect server, content folders."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.wp_fixtures"]  # the session-wide real WordPress, for every module that needs it

ROOT = Path(__file__).resolve().parent.parent
# The test fixtures: posts with problems planted at pinned lines (tests/fixtures/content/README.md lists them),
# their images and signed ledger. Their policy/ is a link to the shipped default policy, so tests always run
# under the policy medpress ships. content/ at the root is the demo blog `make review` reviews, not a fixture.
CONTENT = ROOT / "tests" / "fixtures" / "content"
# the shipped policy's "not medical advice" disclaimer, word for word: test posts end with it to pass DSC001
ADVICE = ("This article is for general education and is not medical advice. Talk to a qualified healthcare "
          "provider about your own health before you start any treatment.")
# what a `make review` run leaves in the demo blog (its publish record and ledger anchor, both git-ignored): copies
# of content/ leave them out, so a test sees the demo as committed
AS_COMMITTED = shutil.ignore_patterns("published.json", "approvals.anchor")

# A shell that starts the suite in the background (no job control) leaves SIGINT ignored, and an ignored signal stays
# ignored in every child: the tests that press Ctrl-C on a medpress process need it heard. A handler here is not
# inherited as such: children start with the default, as under a terminal.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
POLICY = ROOT / "content" / "policy"  # the shipped default (flows/data/policy links here)


_STATE: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Before any test module imports Prefect: an isolated medpress cache and a real local Prefect server.

    Prefect reads PREFECT_API_URL when it is imported, so the server is started (and the variable set) here;
    flows run in-process by tests then use it rather than a temporary server of their own. The server is this
    session's own (recorded in a private MEDPRESS_STATE_DIR, with its own cache key): stopping it at the end
    never stops the user's server or another test session's.
    """
    from flows.services.languagetool import install_dir

    os.environ["MEDPRESS_LT_DIR"] = str(install_dir())  # the LanguageTool `make test` installed
    _STATE["old_cache"] = os.environ.get("MEDPRESS_CACHE", "")
    os.environ["MEDPRESS_CACHE"] = tempfile.mkdtemp(prefix="medpress-test-cache-")
    os.environ["MEDPRESS_STATE_DIR"] = tempfile.mkdtemp(prefix="medpress-test-state-")
    os.environ.pop("PREFECT_API_URL", None)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    from flows.services import prefect_server

    _STATE["api"] = prefect_server.ensure_api()


def pytest_unconfigure(config: pytest.Config) -> None:
    if "api" not in _STATE:
        return
    if "prefect" in sys.modules:
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=10)  # send queued run logs now, while the server still answers
    from flows.services import lt_service, prefect_server

    prefect_server.stop()
    lt_service.stop()  # the LanguageTool service a review in this session started in the background, if any
    # PREFECT_API_URL stays set: unset, Prefect would start a temporary server at exit to send stray logs.
    shutil.rmtree(os.environ["MEDPRESS_CACHE"], ignore_errors=True)
    shutil.rmtree(os.environ["MEDPRESS_STATE_DIR"], ignore_errors=True)


@pytest.fixture(scope="session")
def medpress_cache() -> Path:
    return Path(os.environ["MEDPRESS_CACHE"])


@pytest.fixture(scope="session")
def prefect_api() -> str:
    """The real Prefect API server started for this test session (see pytest_configure)."""
    return _STATE["api"]


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A copy of the fixture content folder (posts, images, ledger, the default policy) to edit freely."""
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


def content_sentences() -> list[str]:
    """The text of every sentence in the content posts' blocks (for tests of the patterns run on sentences)."""
    from checks.document import parse_post
    from checks.text import sentences

    found = []
    for path in sorted((CONTENT / "posts").glob("*.md")):
        post = parse_post(f"posts/{path.name}", path.read_bytes())
        found.extend(s.text for b in post.blocks for s in sentences(b))
    return found


def run_medpress(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console script as a user would."""
    medpress = Path(sys.executable).with_name("medpress")
    return subprocess.run([str(medpress), *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})}, check=False)


@pytest.fixture(scope="session")
def languagetool(medpress_cache: Path) -> Iterator[str]:
    """A real LanguageTool server (installed by `make languagetool`), started once for the session."""
    from flows.services.languagetool import ManagedServer

    server = ManagedServer("768m")
    url = server.start()
    yield url
    server.stop()

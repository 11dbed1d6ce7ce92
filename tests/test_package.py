"""medpress is a real package: its wheel holds every module and the package data, an installed copy reviews a
content folder outside this repository with the shipped default policy, prefect-dask is optional, and the
pre-commit hook works in a separate content repository (`pre-commit try-repo`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a clean clone holds: the working tree without build output, caches, the venv or git's own folder.
NOT_IN_A_CLONE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                        ".ruff_cache", ".medpress-cache", "site", "review-output", "bench")
DISCLAIMER = ("This article is for general education and is not medical advice. Talk to a qualified healthcare "
              "provider about your own health before you start any treatment.")
CLEAN_POST = ("---\ntitle: Caring for your skin after a peel\nslug: peel-aftercare\ndate: 2024-05-01\n---\n"
              "Keep your skin clean and dry for a day. Use a gentle soap. Wear sun cream when you go out.\n\n"
              f"{DISCLAIMER}\n")
BROKEN_LINK_POST = ("---\ntitle: Before your peel\nslug: before-a-peel\ndate: 2024-05-02\n---\n"
                    "Read [how to care for your skin](/blog/no-such-post/) before you come in.\n\n"
                    f"{DISCLAIMER}\n")
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull}


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _clean_env(**more: str) -> dict[str, str]:
    """The environment without this checkout on the import path (the tests run with PYTHONPATH at it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, **GIT_ENV, **more}


def _git_repo(folder: Path) -> None:
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "snapshot")):
        done = _run("git", *args, cwd=folder, env=_clean_env())
        assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This working tree as a clean clone would have it, committed (links kept as links, as git keeps them)."""
    target = tmp_path_factory.mktemp("clone") / "medpress"
    shutil.copytree(ROOT, target, symlinks=True, ignore=NOT_IN_A_CLONE)
    _git_repo(target)
    return target


@pytest.fixture(scope="module")
def wheel(clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out, ".", cwd=clone,
                 env=_clean_env())
    assert built.returncode == 0, built.stdout + built.stderr
    return next(out.glob("medpress-*.whl"))


def _blog(folder: Path, *posts: tuple[str, str]) -> Path:
    """A content folder of its own (no policy/: the shipped default applies), outside this repository."""
    (folder / "content" / "posts").mkdir(parents=True)
    for name, text in posts:
        (folder / "content" / "posts" / name).write_text(text, encoding="utf-8")
    return folder


def test_the_wheel_holds_every_package_and_the_package_data(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        metadata = archive.read(next(n for n in modes if n.endswith(".dist-info/METADATA"))).decode()
    names = set(modes)
    for package in ("checks", "flows", "reports"):
        expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / package).rglob("*.py")}
        assert expected <= names, sorted(expected - names)
    assert "flows/store/ledger.py" in names  # missing from the wheel before: ModuleNotFoundError
    policy = {f"flows/data/policy/{p.name}" for p in (ROOT / "content" / "policy").iterdir() if p.is_file()}
    assert "flows/data/policy/policy.yaml" in policy and policy <= names
    for tool in ("install.sh", "start.sh", "pom.xml"):
        assert f"flows/data/languagetool/{tool}" in names
    assert modes["flows/data/languagetool/start.sh"] & 0o111  # flows/services/languagetool.py runs it
    for asset in ("templates/report.html.j2", "static/report.css", "static/report.js"):
        assert f"reports/{asset}" in names  # the HTML report cannot be made without them
    for asset in ("base", "signin", "queue", "post", "message"):
        assert f"flows/desk/templates/{asset}.html.j2" in names  # `medpress serve` renders these
    assert "flows/desk/static/desk.css" in names
    assert not {n for n in names if n.startswith(("tests/", "bench/", "content/", "tools/"))}
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist: prefect-dask")]
    assert requires and all("extra ==" in line for line in requires), requires  # optional, not a dependency


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed (not editable). Its dependencies come from this test run's
    site-packages through a .pth line (which does not run that folder's own .pth files, so the editable
    install of this checkout is not on its path): pip installs nothing else, offline."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                        cwd=venv.parent).stdout.strip())
    (purelib / "medpress-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "--quiet",
                wheel, cwd=venv.parent, env=_clean_env())
    assert done.returncode == 0, done.stdout + done.stderr
    return venv


def test_an_installed_medpress_reviews_a_blog_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    blog = _blog(tmp_path / "blog", ("peel-aftercare.md", CLEAN_POST))
    env = _clean_env(MEDPRESS_CACHE=str(tmp_path / "cache"))
    where = _run(installed / "bin" / "python", "-c", "import flows.store.ledger, flows; print(flows.__file__)",
                 cwd=blog, env=env)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed)  # the installed copy, not this checkout

    passed = _run(installed / "bin" / "medpress", "review", "--no-grammar", "--engine", "direct", cwd=blog, env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "1 passed, 0 failed" in passed.stdout
    report = json.loads((blog / "review-output" / "review.json").read_text())
    assert Path(report["run"]["policy_dir"]).is_relative_to(installed)  # the shipped default policy
    assert not (blog / "reports").exists()
    page = _run(installed / "bin" / "medpress", "review", "--no-grammar", "--engine", "direct", "--format", "html",
                "--output-dir", "html-report", cwd=blog, env=env)
    assert page.returncode == 0, page.stdout + page.stderr
    html = (blog / "html-report" / "report.html").read_text()  # its template, CSS and JS come from the wheel
    assert "peel-aftercare.md" in html and "--error:#b3261e" in html and "function applyFilter" in html

    (blog / "content" / "posts" / "before-a-peel.md").write_text(BROKEN_LINK_POST, encoding="utf-8")
    failed = _run(installed / "bin" / "medpress", "review", "content/posts/before-a-peel.md", "--no-grammar",
                  cwd=blog, env=env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "content/posts/before-a-peel.md:6:34: LNK001 [error]" in failed.stdout
    assert "Traceback" not in failed.stdout + failed.stderr


def test_without_prefect_dask_medpress_runs_and_the_dask_runner_says_what_to_install() -> None:
    script = ("import sys\nsys.modules['prefect_dask'] = None  # as if the extra were not installed\n"
              "import flows.review\nfrom flows.engine.steps import UsageError\n"
              "try:\n    flows.review.task_runner_from_env({'MEDPRESS_TASK_RUNNER': 'dask'})\n"
              "except UsageError as err:\n    print(err)\n")
    done = _run(sys.executable, "-c", script, cwd=ROOT)
    assert done.returncode == 0, done.stderr  # the flow module imports without it (threads by default)
    assert "pip install 'medpress[dask]'" in done.stdout


def _try_repo(clone: Path, content_repo: Path, post: str, home: Path) -> subprocess.CompletedProcess[str]:
    pre_commit = Path(sys.executable).with_name("pre-commit")
    env = _clean_env(PRE_COMMIT_HOME=str(home / "pre-commit"), MEDPRESS_CACHE=str(home / "medpress-cache"),
                     PRE_COMMIT_COLOR="never")
    return _run(pre_commit, "try-repo", clone, "medpress", "--files", post, cwd=content_repo, env=env, timeout=400)


@pytest.mark.timeout(900)
def test_the_pre_commit_hook_works_in_a_separate_content_repository(clone: Path, tmp_path: Path) -> None:
    repo = _blog(tmp_path / "clinic-blog", ("peel-aftercare.md", CLEAN_POST), ("before-a-peel.md", BROKEN_LINK_POST))
    _git_repo(repo)

    clean = _try_repo(clone, repo, "content/posts/peel-aftercare.md", tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "medpress content review" in clean.stdout and "Passed" in clean.stdout

    broken = _try_repo(clone, repo, "content/posts/before-a-peel.md", tmp_path)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout and "LNK001" in broken.stdout
    assert "ModuleNotFoundError" not in broken.stdout + broken.stderr

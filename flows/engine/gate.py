"""The CI gate: a baseline of accepted findings, and reviews limited to what changed since a git ref."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from checks.model import Finding
from reports.files import write_atomically
from reports.model import ReviewReport

BASELINE_SCHEMA = "medpress.baseline/1"


class GateError(Exception):
    """A baseline or git ref that cannot be used (exit status 2)."""


def fingerprint(path: str, item: Finding) -> str:
    """Stable across line shifts: the file, the rule and what was found (not where)."""
    basis = f"{path}\0{item.rule}\0{item.excerpt or item.message}"
    return hashlib.sha256(basis.encode()).hexdigest()[:20]


def write_baseline(report: ReviewReport, path: Path) -> int:
    entries = [{"fingerprint": fingerprint(p.path, f), "path": p.path, "rule": f.rule, "line": f.line,
                "message": f.message} for p in report.posts for f in p.findings]
    data = {"schema": BASELINE_SCHEMA, "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "policy_hash": report.run.get("policy_hash"), "findings": entries}
    write_atomically(path, json.dumps(data, indent=1) + "\n")
    return len(entries)


def apply_baseline(report: ReviewReport, path: Path) -> int:
    """Move findings the baseline accepts out of the findings (into ``post.baselined``); returns how many."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise GateError(f"cannot read baseline {path}: {err}") from err
    if not isinstance(data, dict) or data.get("schema") != BASELINE_SCHEMA:
        raise GateError(f"{path} is not a medpress baseline (schema {BASELINE_SCHEMA})")
    allowance = Counter(entry["fingerprint"] for entry in data.get("findings", []))
    moved = 0
    for post in report.posts:
        kept = []
        for item in post.findings:
            key = fingerprint(post.path, item)
            if allowance[key] > 0:
                allowance[key] -= 1
                post.baselined.append(item)
                moved += 1
            else:
                kept.append(item)
        post.findings = kept
    report.run["baseline"] = {"file": str(path), "accepted": moved}
    return moved


def changed_files(content_dir: Path, ref: str) -> set[str]:
    """Content-relative paths changed since ``ref`` (committed, staged, unstaged or untracked)."""
    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", "-C", str(content_dir), *args], capture_output=True, text=True,
                                  timeout=60, check=False)
        except (OSError, subprocess.SubprocessError) as err:
            raise GateError(f"git could not run: {err}") from err
        if done.returncode != 0:
            raise GateError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
        return done.stdout

    root = Path(git("rev-parse", "--show-toplevel").strip())
    git("rev-parse", "--verify", "--quiet", ref + "^{commit}")
    names = git("diff", "--name-only", "--diff-filter=ACMR", ref, "--", ".").splitlines()
    names += git("ls-files", "--others", "--exclude-standard", "--full-name", ".").splitlines()
    changed = set()
    base = content_dir.resolve()
    for name in names:
        try:
            changed.add((root / name).resolve().relative_to(base).as_posix())
        except ValueError:
            continue
    return changed

"""Screenshots for the compliance reviewer's guide (docs/images/), made with Debian's headless Chromium.

    .venv/bin/python tools/screenshots.py [--no-grammar] [--out docs/images]

1. `medpress review` on content/ writes the HTML report (into a temporary folder, with a temporary cache);
   Chromium takes the whole report and the report filtered to the claims check's errors.
2. A sign-off in a temporary copy of content/: a reviewer with a fresh SSH key is added to that copy's
   reviewers.yaml, then `medpress approve` (refused on a post with errors, then given with an override) and
   `medpress status` run for real. Their terminal output, unedited, is laid out as a page and screenshotted.

Nothing in the repository changes except the PNGs. Needs chromium (tools/install-chromium.sh) and ssh-keygen.
"""

from __future__ import annotations

import argparse
import html
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEDPRESS = [sys.executable, "-m", "flows.cli"]
REVIEWER = "sam-ortiz"
PROBLEM_POST = "posts/summer-glow-event.md"  # the demo blog's failing draft: approval needs an override


def chromium(url: str, png: Path, width: int, height: int, profile: Path) -> None:
    browser = shutil.which("chromium") or "/usr/bin/chromium"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
                    f"--user-data-dir={profile}", "--virtual-time-budget=2000", f"--screenshot={png}",
                    f"--window-size={width},{height}", url], check=True, capture_output=True, timeout=180)
    print(f"wrote {png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}")


def run(command: list[str], shown: str, env: dict[str, str], cwd: Path) -> str:
    """Run a medpress command; its transcript as a terminal shows it (the prompt, stdout and stderr, exit)."""
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=600)
    return f"$ {shown}\n{done.stdout}{done.stderr}[exit {done.returncode}]\n"


def terminal_page(title: str, transcript: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title><style>"
            "body{margin:0;background:#1e1e1e;color:#ddd;font:14px/1.45 'DejaVu Sans Mono',monospace}"
            "header{background:#333;color:#eee;padding:6px 14px;font-family:sans-serif}"
            "pre{margin:0;padding:14px;white-space:pre-wrap}</style></head><body>"
            f"<header>{html.escape(title)}</header><pre>{html.escape(transcript)}</pre></body></html>")


def report_shots(out: Path, work: Path, env: dict[str, str], grammar: bool) -> None:
    output = work / "review-output"
    command = [*MEDPRESS, "review", "--content", "content", "--engine", "direct", "--fail-on", "never",
               "--format", "html", "--output", str(output / "review.json"), "--output-dir", str(output)]
    subprocess.run(command + ([] if grammar else ["--no-grammar"]), cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=900)
    page = (output / "report.html").as_uri()
    chromium(page, out / "report.png", 1280, 1800, work / "profile-1")
    chromium(page + "#check=claims&severity=error", out / "report-claims-errors.png", 1280, 1400,
             work / "profile-2")


def sign_off_shot(out: Path, work: Path, env: dict[str, str]) -> None:
    import yaml

    content = work / "content"
    shutil.copytree(ROOT / "content", content)
    key = work / "keys" / REVIEWER
    key.parent.mkdir()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", REVIEWER, "-f", str(key)], check=True)
    reviewers_file = content / "policy" / "reviewers.yaml"
    reviewers = yaml.safe_load(reviewers_file.read_text(encoding="utf-8"))
    reviewers["reviewers"].append({"id": REVIEWER, "name": "Sam Ortiz", "role": "compliance-lead",
                                   "keys": [key.with_suffix(".pub").read_text().strip()]})
    reviewers_file.write_text(yaml.safe_dump(reviewers, sort_keys=False), encoding="utf-8")
    post = f"content/{PROBLEM_POST}"
    steps = [
        ["approve", post, "--reviewer", REVIEWER, "--role", "compliance-lead", "--key", "~/.ssh/id_ed25519",
         "--no-grammar",
         "--note", "Checked the claims against the label"],
        ["approve", post, "--reviewer", REVIEWER, "--role", "compliance-lead", "--key", "~/.ssh/id_ed25519",
         "--no-grammar",
         "--note", "Checked the claims against the label",
         "--override", "Event copy the medical director signed; label citation added before the event"],
        ["status", "--content", "content"],
    ]
    transcript = ""
    for step in steps:
        real = [*MEDPRESS, *(str(key) if arg == "~/.ssh/id_ed25519" else arg for arg in step)]
        if step[0] == "approve":
            real += ["--content", "content"]
        shown = shlex.join(["medpress", *step]).replace("'~/.ssh/id_ed25519'", "~/.ssh/id_ed25519")
        transcript += run(real, shown, env, work) + "\n"
    page = work / "sign-off.html"
    page.write_text(terminal_page("medpress approve and status (a copy of content/, a demo reviewer's key)",
                                  transcript), encoding="utf-8")
    chromium(page.as_uri(), out / "sign-off.png", 1280, 640, work / "profile-3")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--no-grammar", action="store_true", help="review without LanguageTool")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="medpress-shots-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "MEDPRESS_CACHE": str(work / "cache"), "PYTHONPATH": str(ROOT)}
        report_shots(args.out.resolve(), work, env, grammar=not args.no_grammar)
        sign_off_shot(args.out.resolve(), work, env)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Run the GitHub Action in action.yml on this machine, as a runner would, and time each step.

No GitHub Actions runner emulator works here (act needs a Docker engine), so this runs the composite action's
own steps: its `run:` scripts exactly as written, with GITHUB_OUTPUT, GITHUB_PATH, GITHUB_STEP_SUMMARY and
GITHUB_ACTION_PATH set; `actions/cache` restored from and saved to a local folder under the same keys (saved only
on a miss, as the real action does); setup-python and setup-java take this machine's Python 3.11 and Java 17;
uploads are listed, not sent. Each run starts from a fresh clone and an empty HOME at a fixed path (runners have
one: a cached virtualenv is not relocatable), so the second run shows what warm caches buy.

    python tools/ci_local.py --runs 2 [--input grammar=false] [--cache /tmp/medpress-ci-cache]
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HOME = Path(tempfile.gettempdir()) / "medpress-ci-home"  # fixed, like a runner's /home/runner
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


class Job:
    def __init__(self, action: dict, inputs: dict[str, str], workspace: Path, cache: Path) -> None:
        self.inputs = {name: str(spec.get("default", "")) for name, spec in action.get("inputs", {}).items()}
        unknown = set(inputs) - set(self.inputs)
        if unknown:
            raise SystemExit(f"ci_local: action.yml has no input {', '.join(sorted(unknown))}")
        self.inputs.update(inputs)
        self.workspace, self.cache = workspace, cache
        self.outputs: dict[str, dict[str, str]] = {}
        self.path: list[str] = []
        self.to_save: list[tuple[str, list[str]]] = []
        self.failed = False
        self.files = {name: HOME / f"github-{name}" for name in ("output", "path", "summary")}

    # --- expressions -------------------------------------------------------------------------------------

    def value(self, expression: str) -> str:
        expression = expression.strip()
        if expression.startswith("inputs."):
            return self.inputs[expression[len("inputs."):]]
        if expression == "runner.os":
            return "Linux"
        match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        if match:
            return self.outputs.get(match[1], {}).get(match[2], "")
        raise SystemExit(f"ci_local: expression not emulated: {expression}")

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.value(m[1]), text)

    def should_run(self, condition: str | None) -> bool:
        if condition is None:
            return not self.failed
        parts = [part.strip() for part in EXPRESSION.sub(r"\1", condition).split("&&")]
        always = "always()" in parts
        for part in parts:
            if part == "always()":
                continue
            match = re.fullmatch(r"(inputs\.[\w-]+)\s*(==|!=)\s*'([^']*)'", part)
            if not match:
                raise SystemExit(f"ci_local: condition not emulated: {condition}")
            if (self.value(match[1]) == match[3]) != (match[2] == "=="):
                return False
        return always or not self.failed

    # --- steps -------------------------------------------------------------------------------------------

    def env(self, extra: dict[str, str]) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
        python_dir = str(Path(shutil.which("python3.11") or sys.executable).parent)
        env.update(HOME=str(HOME), CI="true", GITHUB_ACTIONS="true", RUNNER_OS="Linux",
                   GITHUB_WORKSPACE=str(self.workspace), GITHUB_ACTION_PATH=str(self.workspace),
                   GITHUB_OUTPUT=str(self.files["output"]), GITHUB_PATH=str(self.files["path"]),
                   GITHUB_STEP_SUMMARY=str(self.files["summary"]),
                   PATH=os.pathsep.join([*reversed(self.path), python_dir, env.get("PATH", "")]))
        env.update(extra)
        return env

    def run_script(self, step: dict, step_id: str) -> str:
        for file in self.files.values():
            file.write_text("")
        extra = {key: self.substitute(str(value)) for key, value in (step.get("env") or {}).items()}
        done = subprocess.run(["bash", "-e", "-c", self.substitute(step["run"])], cwd=self.workspace,
                              env=self.env(extra), capture_output=True, text=True)
        self.outputs[step_id] = dict(line.split("=", 1) for line in self.files["output"].read_text().splitlines()
                                     if "=" in line)
        self.path += [line for line in self.files["path"].read_text().splitlines() if line]
        tail = (done.stdout + done.stderr).strip().splitlines()[-3:]
        self.failed |= done.returncode != 0
        return f"exit {done.returncode}" + ("".join(f"\n        | {line}" for line in tail) if done.returncode else "")

    def run_action(self, step: dict) -> str:
        uses, given = step["uses"], {k: self.substitute(str(v)) for k, v in (step.get("with") or {}).items()}
        if uses.startswith("actions/cache@"):
            key, paths = given["key"], [p.strip() for p in given["path"].splitlines() if p.strip()]
            archive = self.cache / f"{key}.tar"
            if archive.exists():
                with tarfile.open(archive) as tar:
                    tar.extractall(HOME, filter="tar")
                return f"cache hit {key}"
            self.to_save.append((key, paths))
            return f"cache miss {key} (saved after the job)"
        if uses.startswith("actions/setup-python@"):
            return subprocess.run(["python3.11", "--version"], capture_output=True, text=True).stdout.strip()
        if uses.startswith("actions/setup-java@"):
            return "java " + subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.split('"')[1]
        if uses.startswith(("github/codeql-action/upload-sarif@", "actions/upload-artifact@")):
            target = self.workspace / (given.get("sarif_file") or given.get("path", ""))
            files = [target] if target.is_file() else sorted(p for p in target.rglob("*") if p.is_file())
            return f"would upload {len(files)} file(s): {', '.join(p.name for p in files[:8])}"
        raise SystemExit(f"ci_local: action not emulated: {uses}")

    def save_caches(self) -> None:
        for key, paths in self.to_save:
            with tarfile.open(self.cache / f"{key}.tar", "w") as tar:
                for pattern in paths:
                    for found in glob.glob(os.path.expanduser(pattern.replace("~", str(HOME), 1))):
                        tar.add(found, arcname=str(Path(found).relative_to(HOME)))


def run_once(action: dict, inputs: dict[str, str], cache: Path, number: int) -> float:
    shutil.rmtree(HOME, ignore_errors=True)
    HOME.mkdir(parents=True)
    workspace = HOME / "work" / "medpress"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(workspace)], check=True)
    job = Job(action, inputs, workspace, cache)
    print(f"run {number}: {workspace}")
    started = time.monotonic()
    for index, step in enumerate(action["runs"]["steps"]):
        name = step.get("name") or step.get("uses") or step.get("id") or f"step {index}"
        if not job.should_run(step.get("if")):
            print(f"  {'skipped':>8}  {name}")
            continue
        begin = time.monotonic()
        result = job.run_action(step) if "uses" in step else job.run_script(step, step.get("id", f"step{index}"))
        print(f"  {time.monotonic() - begin:7.1f}s  {name}: {result}")
    job.save_caches()
    total = time.monotonic() - started
    print(f"  {total:7.1f}s  total, job {'failed' if job.failed else 'passed'}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--input", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "medpress-ci-cache")
    parser.add_argument("--cold", action="store_true", help="empty the cache folder first")
    args = parser.parse_args()
    if args.cold:
        shutil.rmtree(args.cache, ignore_errors=True)
    args.cache.mkdir(parents=True, exist_ok=True)
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    inputs = dict(item.split("=", 1) for item in args.input)
    times = [run_once(action, inputs, args.cache, number) for number in range(1, args.runs + 1)]
    print("runs: " + ", ".join(f"{t:.1f}s" for t in times))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The code keeps the one-way import direction and the folder list of docs/architecture.md.

The allowed direction lives in one place: the table between the import-direction markers of
docs/architecture.md. This test parses it, so changing the rule means changing the page.
"""

from __future__ import annotations

import ast
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "architecture.md"
START, END = "<!-- import-direction:start -->", "<!-- import-direction:end -->"
FOLDER = re.compile(r"`([\w.-]+(?:/[\w.-]+)*)/`")


def import_direction(page: str) -> dict[str, set[str] | None]:
    """Folder -> the folders of ours it may import (None: everything). Read from the page's table."""
    table = page[page.index(START) + len(START):page.index(END)]
    direction: dict[str, set[str] | None] = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not FOLDER.fullmatch(cells[0]):
            continue  # the header and its rule
        folder, allowed = FOLDER.fullmatch(cells[0]).group(1), cells[1]
        if allowed == "everything":
            direction[folder] = None
        elif allowed == "nothing of ours":
            direction[folder] = set()
        else:
            direction[folder] = set(FOLDER.findall(allowed))
            assert direction[folder], f"{PAGE}: cannot read the row for {folder}/: {allowed!r}"
    return direction


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    imported: str
    folder: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.folder}/ imports {self.imported}, against docs/architecture.md"


def imported_names(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every module named by an import anywhere in the tree (functions and classes included), absolute.

    `importlib.import_module("x")` and `__import__("x")` with a constant name count too."""
    package = module if is_package else module.rpartition(".")[0]
    names: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against this module's package
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                names.append((node.lineno, f"{base}.{node.module}" if node.module else base))
            else:
                names.append((node.lineno, node.module or ""))
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and ((isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                   or (isinstance(node.func, ast.Name) and node.func.id in ("__import__", "import_module")))):
            names.append((node.lineno, node.args[0].value))
    return names


def folder_of(dotted: str, direction: dict[str, set[str] | None]) -> str | None:
    """The most specific folder of the table that holds a dotted module name (flows.engine.steps: flows/engine)."""
    parts = dotted.split(".")
    for size in range(len(parts), 0, -1):
        if "/".join(parts[:size]) in direction:
            return "/".join(parts[:size])
    return None


def violations(root: Path, direction: dict[str, set[str] | None]) -> list[Violation]:
    """Imports of one of our folders that its table row does not allow, in every module under root."""
    found: list[Violation] = []
    tops = {folder.split("/")[0] for folder in direction}
    for top in sorted(tops):
        for path in sorted((root / top).rglob("*.py")):
            relative = path.relative_to(root)
            module = ".".join(relative.with_suffix("").parts)
            is_package = path.name == "__init__.py"
            if is_package:
                module = module.rpartition(".")[0]
            folder = folder_of(module if not is_package else module + ".__init__", direction)
            allowed = direction.get(folder) if folder else None
            if folder is None or allowed is None:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(relative))
            for line, name in imported_names(tree, module, is_package):
                target = folder_of(name, direction)
                if target is not None and target != folder and target not in allowed:
                    found.append(Violation(str(relative), line, name, folder))
    return found


def test_the_code_imports_only_in_the_documented_direction() -> None:
    direction = import_direction(PAGE.read_text(encoding="utf-8"))
    assert direction["checks"] == set(), "checks/ must import nothing else of ours"
    found = violations(ROOT, direction)
    assert not found, "\n".join(map(str, found))


def test_every_folder_with_python_code_has_a_direction() -> None:
    direction = import_direction(PAGE.read_text(encoding="utf-8"))
    code_folders = {path.relative_to(ROOT).parts[0] for path in ROOT.glob("*/**/*.py")
                    if not path.relative_to(ROOT).parts[0].startswith((".", "build", "site"))}
    missing = code_folders - set(direction)
    assert not missing, f"add to docs/architecture.md's import table: {sorted(missing)}"


def test_the_walk_finds_imports_against_the_direction(tmp_path: Path) -> None:
    """The check itself can fail: module level, inside a function, relative and dynamic imports."""
    (tmp_path / "checks").mkdir()
    (tmp_path / "reports").mkdir()
    (tmp_path / "checks" / "__init__.py").write_text("")
    (tmp_path / "checks" / "a.py").write_text(
        "import os\nfrom checks import b\nfrom . import b\n\n"
        "def late():\n    from reports.html import write\n    return write\n")
    (tmp_path / "checks" / "b.py").write_text("import importlib\nx = importlib.import_module('reports.model')\n")
    (tmp_path / "reports" / "__init__.py").write_text("from checks import model\nfrom flows import cli\n")
    direction: dict[str, set[str] | None] = {"checks": set(), "reports": {"checks"}, "flows": {"checks", "reports"}}
    found = {(v.path, v.line, v.imported) for v in violations(tmp_path, direction)}
    assert found == {("checks/a.py", 6, "reports.html"), ("checks/b.py", 2, "reports.model"),
                     ("reports/__init__.py", 2, "flows")}
    # Relative imports resolve against the module's package.
    tree = ast.parse("from .. import model\nfrom .sub import x\n")
    assert imported_names(tree, "flows.store.ledger", False) == [(1, "flows"), (2, "flows.store.sub")]


def test_the_page_has_a_line_for_every_folder() -> None:
    """Every folder holding a committed file, down to two levels, is described on the architecture page."""
    listed = set(FOLDER.findall(PAGE.read_text(encoding="utf-8")))
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    folders = {"/".join(parts[:depth]) for parts in (f.split("/") for f in files.splitlines())
               for depth in (1, 2) if len(parts) > depth}
    missing = sorted(folders - listed)
    assert not missing, f"docs/architecture.md has no line for: {', '.join(f + '/' for f in missing)}"


def test_subfolders_keep_their_own_direction(tmp_path: Path) -> None:
    """flows/ by role: the engine may use the stores, a store may not reach back into the engine or publishing."""
    for folder in ("flows", "flows/engine", "flows/store", "flows/publish"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "__init__.py").write_text("")
    (tmp_path / "flows" / "cli.py").write_text("from flows.publish import signoff\n")
    (tmp_path / "flows" / "engine" / "steps.py").write_text("from flows.store import cache\n")
    (tmp_path / "flows" / "store" / "ledger.py").write_text("def late():\n    from flows.engine import steps\n")
    direction: dict[str, set[str] | None] = {
        "flows": {"flows/engine", "flows/store", "flows/publish"}, "flows/publish": {"flows/engine", "flows/store"},
        "flows/engine": {"flows/store"}, "flows/store": set()}
    found = {(v.path, v.line, v.imported) for v in violations(tmp_path, direction)}
    assert found == {("flows/store/ledger.py", 2, "flows.engine")}



def test_the_desk_is_a_top_layer(tmp_path: Path) -> None:
    """flows/desk/ may use publishing and the stores; nothing below it may reach up into the desk."""
    for folder in ("flows", "flows/desk", "flows/publish", "flows/store"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "__init__.py").write_text("")
    desk_app = "from flows.publish import signoff\nfrom flows.store import ledger\n"
    (tmp_path / "flows" / "desk" / "app.py").write_text(desk_app)
    (tmp_path / "flows" / "publish" / "signoff.py").write_text("from flows.desk import accounts\n")
    direction = import_direction(PAGE.read_text(encoding="utf-8"))
    found = {(v.path, v.line, v.imported) for v in violations(tmp_path, direction)}
    assert found == {("flows/publish/signoff.py", 1, "flows.desk")}

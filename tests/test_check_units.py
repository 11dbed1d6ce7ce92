"""Checks are units: no module of checks/ imports a check module of another check, and checks/ has no import
cycle, counting every import (module level, inside functions, under ``if TYPE_CHECKING:``).

Read with ``ast``, not by importing, so an import inside a function that never runs in the tests counts too.
The check modules are the ones the registry names (``checks.registry.CHECKS``: ``checks/<name>.py``); the
registry and the pipeline, which loop over the checks, may import them.
"""

from __future__ import annotations

import ast
from pathlib import Path

from checks.context import PostContext
from checks.document import parse_post
from checks.registry import ALL_CHECKS, CHECKS, CORPUS_CHECKS, POST_CHECKS
from flows.store.policy_files import load_policy
from tests.conftest import POLICY

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "checks"
MAY_IMPORT_CHECKS = frozenset({"checks.registry", "checks.pipeline"})
# What is still to do, each edge (importer, imported) with why; an entry that no longer holds fails the test so
# the list only shrinks.
KNOWN: dict[tuple[str, str], str] = {}


def module_names() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> dict[str, int]:
    """The modules of checks/ that ``name`` imports anywhere in its source -> the first line doing it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        for target in targets:
            while target and target not in known:  # "checks.text.Sentence" -> "checks.text"
                target = target.rpartition(".")[0]
            if target and target != name and target != "checks":
                found.setdefault(target, node.lineno)
    return found


def graph() -> tuple[dict[str, dict[str, int]], dict[str, Path]]:
    modules = module_names()
    return {name: imports(name, path, set(modules)) for name, path in modules.items()}, modules


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, {}):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_walker_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("from checks import a\ndef f():\n    from .b import x\n    import checks.c.d\n")
    found = imports("checks.m", source, {"checks.a", "checks.b", "checks.c", "checks.m"})
    assert found == {"checks.a": 1, "checks.b": 3, "checks.c": 4}
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]


def test_checks_has_no_import_cycle() -> None:
    edges, modules = graph()
    assert "checks.text" in edges["checks.readability"]  # the walk reads real imports
    found = cycles(edges)
    described = [" -> ".join(c) + "; " + "; ".join(f"{modules[a].relative_to(ROOT)}:{edges[a][b]} imports {b}"
                                                    for a in c for b in edges[a] if b in c) for c in found]
    assert not found, "import cycles in checks/:\n" + "\n".join(described)


def test_no_check_imports_another_check() -> None:
    edges, modules = graph()
    checks = {f"checks.{name}" for name in CHECKS}
    assert checks <= set(modules), f"the registry names checks with no module: {sorted(checks - set(modules))}"
    wrong = {(a, b): f"{modules[a].relative_to(ROOT)}:{line} imports {b}" for a, targets in edges.items()
             for b, line in targets.items() if a in checks and b in checks and a not in MAY_IMPORT_CHECKS}
    unexpected = {edge: where for edge, where in wrong.items() if edge not in KNOWN}
    assert not unexpected, "a check imports another check:\n" + "\n".join(sorted(unexpected.values()))
    gone = set(KNOWN) - set(wrong)
    assert not gone, f"no longer true, remove from KNOWN: {sorted(gone)}"


def test_every_check_is_one_registered_unit() -> None:
    assert [c.name for c in ALL_CHECKS] == list(CHECKS)
    assert len(set(CHECKS)) == len(CHECKS)
    for check in ALL_CHECKS:
        assert check.rules and all(rule.check == check.name for rule in check.rules), check.name
    assert {c.name for c in POST_CHECKS} == {"frontmatter", "readability", "disclaimers", "claims", "markup"}
    assert {c.name for c in CORPUS_CHECKS} == {"frontmatter", "links", "claims", "approvals"}


def test_the_context_computes_shared_analysis_once() -> None:
    text = ("---\ntitle: Botox basics\nslug: botox-basics\ndate: 2024-05-01\n---\nBOTOX relaxes a muscle. "
            "It softens lines.\n\nThis article is not medical advice.\n")
    policy = load_policy(POLICY)
    ctx = PostContext(parse_post("posts/p.md", text.encode()), policy)
    block = ctx.post.blocks[0]
    assert ctx.sentences(block) is ctx.sentences(block)
    assert [s.text for s in ctx.sentences(block)] == ["BOTOX relaxes a muscle.", "It softens lines."]
    assert ctx.summary is ctx.summary
    assert ctx.claims is ctx.claims
    rule = policy.disclaimers[0]
    assert ctx.disclaimer(rule) is ctx.disclaimer(rule)
    other = PostContext(ctx.post, policy)  # a new context computes its own: nothing is kept between them
    assert other.sentences(block) is not ctx.sentences(block)
    assert other.sentences(block) == ctx.sentences(block)

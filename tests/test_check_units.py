"""Checks are units: no module of checks/ imports a check module of another check, and checks/ has no import
cycle, counting every import (module level, inside functions, under ``if TYPE_CHECKING:``).

Read with ``ast``, not by importing, so an import inside a function that never runs in the tests counts too.
The check modules are the ones the registry names (``checks.registry.CHECKS``: ``checks/<name>.py``); the
registry and the pipeline, which loop over the checks, may import them; shared analysis (every other module)
imports no check. No module keeps per-post state: what several checks share is a property of the post's
:class:`checks.context.PostContext`, what is compiled from a policy is kept on it (``Policy.compiled``).
"""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

from checks.context import PostContext
from checks.document import parse_post
from checks.registry import ALL_CHECKS, CHECKS, CORPUS_CHECKS, POST_CHECKS
from flows.store.policy_files import load_policy
from tests.conftest import POLICY

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "checks"
MAY_IMPORT_CHECKS = frozenset({"checks.registry", "checks.pipeline"})


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
    assert not wrong, "a check imports another check:\n" + "\n".join(sorted(wrong.values()))


def test_shared_analysis_imports_no_check() -> None:
    """Shared analysis (every module that is neither a check nor the registry or pipeline) imports no check
    either, so no check reaches another through it."""
    edges, modules = graph()
    checks = {f"checks.{name}" for name in CHECKS}
    wrong = {(a, b): f"{modules[a].relative_to(ROOT)}:{line} imports {b}" for a, targets in edges.items()
             for b, line in targets.items() if a not in checks | MAY_IMPORT_CHECKS and b in checks}
    assert not wrong, "shared analysis imports a check:\n" + "\n".join(sorted(wrong.values()))


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


_EMPTY_CALLS = frozenset({"dict", "list", "set", "defaultdict", "OrderedDict", "WeakKeyDictionary",
                          "WeakValueDictionary", "WeakSet"})
_MEMOS = frozenset({"cache", "lru_cache"})
_POST_TYPES = frozenset({"Post", "Block", "PostSummary", "PostContext", "Corpus"})


def _called(node: ast.expr) -> str:
    """The name a call or a decorator calls: ``weakref.WeakKeyDictionary()`` -> ``WeakKeyDictionary``."""
    node = node.func if isinstance(node, ast.Call) else node
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def _empty_container(value: ast.expr | None) -> bool:
    if isinstance(value, ast.Dict):
        return not value.keys
    if isinstance(value, ast.List | ast.Set):
        return not value.elts
    return isinstance(value, ast.Call) and not value.args and _called(value) in _EMPTY_CALLS


def module_state(name: str, path: Path) -> dict[str, int]:
    """Module-level containers that start empty (filled as the code runs: a cache) and memoised functions that
    take a post, a block, a summary, a context or a corpus -> their line."""
    found = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and _empty_container(node.value):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    found[f"{name}.{target.id}"] = node.lineno
        if isinstance(node, ast.FunctionDef):
            memo = any(_called(d) in _MEMOS for d in node.decorator_list)
            annotations = {ast.unparse(a.annotation) for a in node.args.args if a.annotation is not None}
            if memo and annotations & _POST_TYPES:
                found[f"{name}.{node.name}"] = node.lineno
    return found


def test_the_state_finder_sees_caches(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("import weakref\nA = {}\nB: dict[str, int] = {}\nC = weakref.WeakKeyDictionary()\n"
                      "D = {'a': 1}\n@lru_cache(maxsize=2)\ndef f(post: Post) -> int: ...\n"
                      "@cache\ndef g(text: str) -> int: ...\n")
    assert module_state("m", source) == {"m.A": 2, "m.B": 3, "m.C": 4, "m.f": 7}


def test_no_module_keeps_per_post_state() -> None:
    _, modules = graph()
    found = {key: f"{modules[name].relative_to(ROOT)}:{line}" for name, path in modules.items()
             for key, line in module_state(name, path).items()}
    assert not found, ("module-level state in checks/ (per post: a PostContext property; per policy: "
                       "Policy.compiled):\n" + "\n".join(f"{where}: {key}" for key, where in sorted(found.items())))


def test_the_policy_keeps_what_is_compiled_from_it() -> None:
    policy, same = load_policy(POLICY), load_policy(POLICY)
    built = policy.compiled("probe", lambda p: [p.hash])
    assert policy.compiled("probe", lambda p: []) is built  # built once per policy object
    assert same.compiled("probe", lambda p: []) == []  # another object builds its own
    assert policy == same  # what was built is no part of its value
    assert pickle.dumps(policy) == pickle.dumps(same)  # nor of what goes to a worker process
    assert pickle.loads(pickle.dumps(policy)).compiled("probe", lambda p: []) == []
    assert policy.model_copy(update={"reviewers": ()}).compiled("probe", lambda p: []) == []  # other values

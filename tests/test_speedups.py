"""The speed-ups (checks/speedups.py) change nothing: with them (the default) and without them
(``MEDPRESS_SPEEDUPS=0``, public APIs only: the reference), parsing and the per-post checks produce byte-identical
``bench/equivalence.py`` dumps: every block with every character's offset, links, anchors, the HTML, front
matter and its positions, every finding and metric, the cross-post findings.

Corpora: ``content/``, ``tests/claims_corpus``, every rule's examples and the front-matter edge cases (the dump's
defaults), a few hundred generated posts (bench/generate.py), and random posts of Markdown, raw HTML, entities,
inline marks and front matter built to reach each speed-up's edges: patterns gated by their literals or not, front
matter libyaml reads (plain) or not.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONTENT, ROOT
from tests.test_positions import FRAGMENTS

# Inline marks, escapes, entities and look-alike letters: texts Python-Markdown's inline patterns match, or not
INLINE = ["word", "Botox", "*em*", "**strong**", "_u_", "__uu__", "`code`", "``a ` b``", "[link](/posts/x/)",
          "![alt](/img.png)", "[ref][1]", "[1]", "\n[1]: /target\n", "<b>bold</b>", "&amp;", "&copy;", "&#169;", "\\*",
          "\\", "  \n", "<http://example.com>", "<me@example.com>", "http://bare.com", "[^n]", "\n[^n]: a note\n",
          "\n*[HTML]: Hyper Text\n", "HTML", "İt", "ſ", "-", "#", "\n- item", "\n1. one", "\n> quote",
          "\n    code block", "{: .class }", "Term\n: definition", "~~x~~", "'", "\"", "!", "[", "]", "(", ")",
          "a & b", "x < y > z", "\\<", "\\&", "[a](/x?y=1&z=2)", "![a&b](/i.png)", "## H {: #h1 }\n",
          "\n### `code` head\n", "`&amp;`", "`<b>`", "[`a&b`](/x)", "{: ID=x}", "{: checked=checked}", "a\\\nb"]
# Front matter: plain lines libyaml may read, and lines where it and PyYAML's parser differ
WORDS = ["botox", "Botox basics", "2024-05-01", "2024-02-30", "yes", "No", "null", "12", "012", "1.5", "1e3", "0x1F",
         ".inf", "true", "a b", "x-y", "(a)", "a/b", "a;b", "1:2", "12:30", "1,000", "Jordan Lee, RN", "hair-removal"]
QUOTED = ["a", " ", ":", "#", "?", "!", "&", "*", "'", "é", "😀", "“", "-", "[", "]", "{", "}", ",", "%", "@", "`"]
KEYS = ["summary", "author", "tags", "categories", "note", "a-b", "_x", "yes", "null", "on", "1"]


def _value(rng: random.Random) -> str:
    def quoted() -> str:
        body = "".join(rng.choice(QUOTED) for _ in range(rng.randint(0, 6)))
        return f'"{body.replace(chr(34), "")}"' if rng.random() < 0.5 else f"'{body.replace(chr(39), '')}'"

    r = rng.random()
    if r < 0.4:
        return rng.choice(WORDS)
    if r < 0.65:
        return quoted()
    items = [rng.choice(WORDS) if rng.random() < 0.6 else quoted() for _ in range(rng.randint(0, 4))]
    return "[" + rng.choice(["", " "]) + rng.choice([", ", ","]).join(items) + rng.choice(["", " ", ","]) + "]"


def _front_matter(rng: random.Random) -> str:
    lines = ["title: Botox basics", "slug: botox-basics", "date: 2024-05-01"]
    for _ in range(rng.randint(0, 5)):
        value = f" {_value(rng)}" if rng.random() < 0.8 else ""
        lines.append(rng.choice([f"{rng.choice(KEYS)}:{value}", f"  - {_value(rng)}", f"# a: {_value(rng)}",
                                 rng.choice(["k: [? x, a:b]", "k: |#", "k:\t1", "k: !", "a: *b", 'k: "\\t"', ": x"])]))
    return "\n".join(lines)


def _random_posts(folder: Path, count: int) -> None:
    rng = random.Random(15)
    folder.mkdir()
    for n in range(count):
        pool = INLINE if n % 2 else FRAGMENTS + INLINE
        body = "".join(rng.choice(pool) for _ in range(rng.randint(1, 50)))
        (folder / f"random-{n:03d}.md").write_text(f"---\n{_front_matter(rng)}\n---\n{body}\n", encoding="utf-8")


def _dump(out: Path, speedups: str, corpora: list[Path]) -> bytes:
    env = {**os.environ, "MEDPRESS_SPEEDUPS": speedups, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, str(ROOT / "bench" / "equivalence.py"), str(out)]
    args += [f"--corpus={corpus}" for corpus in corpora]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("speedups")
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "300", str(root / "generated"), "--seed", "3"],
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True, timeout=300)
    _random_posts(root / "random", 400)
    return [root / "generated", root / "random"]


@pytest.mark.parametrize("which", ["defaults", "generated-and-random"])
def test_fast_path_dumps_what_the_plain_path_dumps(which: str, corpora: list[Path], tmp_path: Path) -> None:
    chosen = [] if which == "defaults" else corpora  # the defaults: content/, claims corpus, examples, edge cases
    fast = _dump(tmp_path / "fast.jsonl", "1", chosen)
    plain = _dump(tmp_path / "plain.jsonl", "0", chosen)
    lines = fast.count(b"\n")
    assert lines >= (150 if which == "defaults" else 690), lines  # every post dumped (a crash is a line too)
    assert fast == plain  # byte for byte


def test_the_switch_turns_every_speed_up_off() -> None:
    """With MEDPRESS_SPEEDUPS=0 no pattern is gated and front matter is read by PyYAML's parser; with it on, each
    speed-up is in place."""
    probe = (
        "import re\n"
        "from checks import document, speedups\n"
        "from checks.prefilter import compile_pattern\n"
        "print(speedups.required_literals(re.compile('approved')) is not None,\n"
        "      compile_pattern(r'\\bapproved\\b').may_match('nothing here') is False,\n"
        "      speedups.compose_plain_yaml(document._PLAIN_LOADER, 'title: x\\n') is not None)\n")
    for value, expected in (("1", "True True True"), ("0", "False False False")):
        env = {**os.environ, "MEDPRESS_SPEEDUPS": value, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, cwd=CONTENT,
                              timeout=120)
        assert done.stdout.split() == expected.split(), (value, done.stdout, done.stderr)


def test_library_internals_and_the_switch_only_in_the_speed_ups_module() -> None:
    """Private internals (re's parser, Python-Markdown's mangled names or serialiser, textstat's backend) and the
    switch itself appear in checks/speedups.py only; other code calls the functions it provides."""
    internals = ("re._parser", "from re import _parser", "_constants", "_InlineProcessor__", ".serializer =",
                 "textstat.backend", "import textstat", "MEDPRESS_SPEEDUPS\"", "ensure_running")
    found = []
    for folder in ("checks", "flows", "reports"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "checks" / "speedups.py":
                continue
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}: {name}" for name in internals if name in text]
    # the fork server's early start (an undocumented multiprocessing function) is the one speed-up outside checks/
    assert found == ["flows/engine/workers.py: ensure_running"], found

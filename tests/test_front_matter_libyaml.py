"""libyaml reads only plain front matter, where it must agree with PyYAML's pure-Python parser exactly."""

from __future__ import annotations

import random

import pytest
import yaml

from checks import document
from checks.document import _compose_plain, _FrontMatterLoader

pytestmark = pytest.mark.skipif(document._LIBYAML is None, reason="PyYAML built without libyaml")

WORDS = ["botox", "Botox basics", "2024-05-01", "2024-02-30", "yes", "No", "on", "null", "NULL", "12", "012", "1.5",
         "1e3", "1_000", "0x1F", "0o17", ".inf", "-1", "+1", "true", "a b", "x-y", "(a)", "a/b", "a.b", "a;b", "a=b",
         "1:2", "12:30", "190:20:30", "1,000", "Jordan Lee, RN", "hair-removal"]
QUOTED = ["a", " ", ":", "#", "?", "!", "&", "*", "|", ">", "'", "é", "😀", "“", "-", "[", "]", "{", "}", ",", "%", "@",
          "`", " #", ": ", "\u00a0", "\\"]
KEYS = ["title", "slug", "date", "tags", "references", "id", "url", "a-b", "_x", "yes", "null", "on", "1"]


def _value(rng: random.Random) -> str:
    def quoted() -> str:
        body = "".join(rng.choice(QUOTED) for _ in range(rng.randint(0, 8)))
        return '"' + body.replace('"', "").replace("\\", "") + '"' if rng.random() < 0.5 else \
            "'" + body.replace("'", "") + "'"

    r = rng.random()
    if r < 0.4:
        return rng.choice(WORDS)
    if r < 0.65:
        return quoted()
    items = [rng.choice(WORDS) if rng.random() < 0.6 else quoted() for _ in range(rng.randint(0, 4))]
    return "[" + rng.choice(["", " "]) + rng.choice([", ", ",", " , "]).join(items) + rng.choice(["", " ", ","]) + "]"


def _line(rng: random.Random) -> str:
    indent = " " * rng.choice([0, 0, 0, 1, 2, 2, 3, 4, 6])
    value = f" {_value(rng)}" if rng.random() < 0.8 else ""
    return rng.choice([f"{indent}{rng.choice(KEYS)}:{value}", f"{indent}- {_value(rng)}",
                       f"{indent}- {rng.choice(KEYS)}:{value}", f"{indent}# a: b", indent,
                       indent + rng.choice(["-", "a: b: c", ": x", "- - a", "? x", "---"])])


def _tree(node: yaml.Node | None) -> object:
    if node is None:
        return None
    marks = (node.start_mark.index, node.end_mark.index)
    if isinstance(node, yaml.ScalarNode):
        return node.tag, node.value, marks
    if isinstance(node, yaml.SequenceNode):
        return node.tag, marks, [_tree(n) for n in node.value]
    return node.tag, marks, [(_tree(k), _tree(v)) for k, v in node.value]


def _pure(source: str) -> object:
    loader = _FrontMatterLoader(source)
    try:
        node = loader.get_single_node()
        return _tree(node), repr(loader.construct_document(node) if node is not None else {})
    except yaml.YAMLError:
        return "error"
    finally:
        loader.dispose()


def test_libyaml_agrees_with_pyyaml_on_plain_front_matter() -> None:
    rng = random.Random(5)
    plain = 0
    for _ in range(20000):
        source = "\n".join(_line(rng) for _ in range(rng.randint(1, 8))) + rng.choice(["", "\n"])
        if not document._PLAIN_FRONT_MATTER.fullmatch(source):
            continue
        plain += 1
        composed = _compose_plain(source)
        expected = _pure(source)
        if composed is None:  # libyaml failed: the pure-Python loader reports the error
            assert expected == "error", source
        else:
            node, data = composed
            assert (_tree(node), repr(data)) == expected, source
    assert plain > 2000


@pytest.mark.parametrize("source", ["k: [? x, a:b]\n", "k: |#\n  x\n", "k:\t1\n", "k: !\n", "a: *b\n", "k: \"\\t\"\n"])
def test_front_matter_where_the_parsers_differ_is_not_plain(source: str) -> None:
    assert not document._PLAIN_FRONT_MATTER.fullmatch(source)

"""How many of a corpus' paragraphs are distinct: the figure that decides how much the grammar stage sends.

    python bench/paragraph_stats.py CONTENT_DIR [CONTENT_DIR ...] [--policy DIR]

Three counts, by exact text:

* *body blocks*: medpress's blocks (``checks.document.parse_post``: a paragraph, one list item, a table cell),
  headings and disclaimers left out. Disclaimers are the blocks close to a wording of ``policy/disclaimers.yaml``
  or with one of its signals: real blogs repeat those verbatim.
* *markdown paragraphs*: the body's blank-line-separated chunks (a whole list is one), headings, images, the
  closing rule and disclaimers left out.
* *grammar*: what the grammar stage would send, keyed as its cache keys it (every block it checks, headings and
  disclaimers included).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml
from rapidfuzz import fuzz

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from checks.document import parse_post  # noqa: E402
from checks.grammar import paragraphs  # noqa: E402


def disclaimer_matcher(policy_dir: Path):
    """A predicate: is this block text one of the policy's disclaimers (approved or altered wording)?"""
    rules = yaml.safe_load((policy_dir / "disclaimers.yaml").read_text(encoding="utf-8"))["disclaimers"]
    texts = [" ".join(r["text"].split()) for r in rules]
    signals = [(re.compile(s, re.I), len(t) * 1.3) for r, t in zip(rules, texts, strict=True)
               if not r.get("signals_count_as_present") for s in r.get("signals", [])]

    def is_disclaimer(text: str) -> bool:
        text = " ".join(text.split())
        return (any(len(text) <= most and s.search(text) for s, most in signals)
                or any(fuzz.ratio(text, t) >= 60 for t in texts))

    return is_disclaimer


def stats(content_dir: Path, policy_dir: Path) -> dict[str, object]:
    is_disclaimer = disclaimer_matcher(policy_dir)
    body: list[str] = []
    chunks: list[str] = []
    grammar: list[str] = []
    disclaimers = 0
    posts = sorted((content_dir / "posts").glob("*.md"))
    for path in posts:
        data = path.read_bytes()
        post = parse_post(path.name, data)
        for chunk in re.split(r"\n[ \t]*\n", data.decode("utf-8").split("---\n", 2)[-1]):
            chunk = chunk.strip()
            if chunk and not chunk.startswith(("#", "![", "---")) and not is_disclaimer(chunk):
                chunks.append(chunk)
        grammar.extend(p.key_material for p in paragraphs(post))
        for block in post.blocks:
            if block.is_heading or not block.text.strip():
                continue
            if is_disclaimer(block.text):
                disclaimers += 1
                continue
            body.append(block.text)
    return {"posts": len(posts), "body_blocks": len(body), "body_distinct": len(set(body)),
            "body_distinct_fraction": round(len(set(body)) / max(1, len(body)), 3),
            "disclaimer_blocks": disclaimers, "markdown_paragraphs": len(chunks),
            "markdown_distinct": len(set(chunks)),
            "markdown_distinct_fraction": round(len(set(chunks)) / max(1, len(chunks)), 3),
            "grammar_paragraphs": len(grammar), "grammar_distinct": len(set(grammar)),
            "grammar_distinct_fraction": round(len(set(grammar)) / max(1, len(grammar)), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("content_dirs", type=Path, nargs="+")
    parser.add_argument("--policy", type=Path, default=ROOT / "content" / "policy")
    args = parser.parse_args(argv)
    for folder in args.content_dirs:
        print(json.dumps({"corpus": str(folder), **stats(folder, args.policy)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

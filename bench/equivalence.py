"""Dump everything parsing and the per-post checks produce, so a speed-up can be shown to change nothing.

For each corpus it parses every post and runs ``review_post`` (and the cross-post checks), and writes one
JSON line per post: the parsed model (front matter fields with offsets, problems, blocks with every
character's offset, links, anchors, a hash of the HTML), every finding and every metric. Corpora: a
content folder (its ``posts/*.md``), any folder of ``*.md`` files, the rule examples (each under the
policy its example gives) and a set of front-matter edge cases (invalid YAML, duplicate keys, tabs).

    .venv/bin/python bench/equivalence.py OUT.jsonl [--corpus DIR ...]      # dump
    cmp BASELINE.jsonl OUT.jsonl                                             # must be byte-identical

Without ``--corpus`` it dumps the fixture posts (``tests/fixtures/content/``, labelled ``content`` as when they were
the root ``content/``), ``tests/claims_corpus``, the examples and the edge cases. The demo blog: ``--corpus content``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checks.corpus import Corpus  # noqa: E402
from checks.document import Post, parse_post  # noqa: E402
from checks.examples import split_example  # noqa: E402
from checks.pipeline import review_corpus, review_post, summarize  # noqa: E402
from checks.policy import Policy, policy_from_texts  # noqa: E402
from flows.store.policy_files import read_policy_texts  # noqa: E402

_HEAD = "---\ntitle: Botox\nslug: edge\ndate: 2024-05-01\n"
_BODY = "---\nBOTOX relaxes a muscle. It is FDA-approved for frown lines.\n"
# Front matter that exercises PyYAML's error marks and node positions.
EDGE_CASES = {
    "unclosed-quote": '---\ntitle: "Botox\nslug: x\ndate: 2024-05-01\n' + _BODY,
    "bad-indent": _HEAD + "tags:\n  - a\n - b\n" + _BODY,
    "tab-indent": _HEAD + "tags:\n\t- a\n" + _BODY,
    "colon-in-value": _HEAD + "summary: a: b\n" + _BODY,
    "unclosed-flow": _HEAD + "tags: [a, b\n" + _BODY,
    "bad-alias": _HEAD + "author: *nope\n" + _BODY,
    "alias": _HEAD + "author: &a Lee\nsummary: *a\n" + _BODY,
    "duplicate-key": _HEAD + "title: Again\n" + _BODY,
    "not-mapping": "---\n- a\n- b\n" + _BODY,
    "scalar": "---\njust text\n" + _BODY,
    "empty-front-matter": "---\n---\nBody text here.\n",
    "comment-only": "---\n# nothing\n---\nBody text here.\n",
    "two-documents": _HEAD + "---\nmore: 1\n" + _BODY,
    "unicode-keys": _HEAD + "autor: “Lee” — MD\nsummary: ünïcödé ✓ 😀\n" + _BODY,
    "multiline": _HEAD + "summary: >\n  folded\n  text\nnote: |\n  kept\n  lines\n" + _BODY,
    "bad-date": "---\ntitle: Botox\nslug: edge\ndate: 2024-02-30\n" + _BODY,
    "crlf": _HEAD.replace("\n", "\r\n") + _BODY.replace("\n", "\r\n"),
    "bom": "\ufeff" + _HEAD + _BODY,
    "bad-escape": _HEAD + 'summary: "a \\q b"\n' + _BODY,
    "tag": _HEAD + "summary: !!python/object:os.system x\n" + _BODY,
    "deep-error": _HEAD + "references:\n  - id: 1\n    title: x\n   url: y\n" + _BODY,
}


def dump_post(post: Post, policy: Policy, cross: list) -> dict[str, object]:
    result = review_post(post, policy)
    return {
        "path": post.rel_path,
        "hash": post.content_hash,
        "problems": [p.__dict__ for p in post.problems],
        "meta": post.meta,
        "meta_fields": {k: v.__dict__ for k, v in post.meta_fields.items()},
        "duplicate_keys": post.duplicate_keys,
        "front_matter_start": post.front_matter_start,
        "body_start": post.body_start,
        "html_sha256": hashlib.sha256(post.html.encode()).hexdigest(),
        "anchors": sorted(post.anchors),
        "links": [link.__dict__ for link in post.links],
        "blocks": [[b.tag, b.text, b.in_blockquote, b.anchor, b.offsets] for b in post.blocks],
        "extras": [[b.where, b.tag, b.text, b.in_blockquote, b.offsets] for b in post.extras],
        "disguises": [d.__dict__ for d in post.disguises],
        "markup": [m.__dict__ for m in post.markup],
        "findings": [f.to_dict() for f in result.findings],
        "metrics": result.metrics,
        "cross": [f.to_dict() for f in cross],
    }


def dump_files(name: str, files: dict[str, bytes], policy: Policy, out) -> int:
    posts = []
    for path, data in files.items():
        try:
            posts.append(parse_post(path, data, max_bytes=policy.frontmatter.max_bytes))
        except Exception as err:  # a crash is output too: it must stay the same
            out.write(json.dumps({"corpus": name, "path": path, "crash": repr(err)}) + "\n")
    cross = review_corpus(Corpus([summarize(post, policy) for post in posts], frozenset(files), {}), policy).findings
    for post in posts:
        record = {"corpus": name, **dump_post(post, policy, cross.get(post.rel_path, []))}
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=True, default=str) + "\n")
    return len(posts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output", type=Path)
    parser.add_argument("--corpus", type=Path, action="append", help="a content folder or a folder of .md files")
    args = parser.parse_args()
    texts = read_policy_texts(ROOT / "content" / "policy")
    policy = policy_from_texts(texts)
    corpora = args.corpus or [ROOT / "tests" / "fixtures" / "content", ROOT / "tests" / "claims_corpus"]
    count = 0
    with args.output.open("w", encoding="utf-8") as out:
        for folder in corpora:
            posts_dir = folder / "posts" if (folder / "posts").is_dir() else folder
            files = {f"posts/{p.name}": p.read_bytes() for p in sorted(posts_dir.glob("*.md"))}
            count += dump_files(str(folder.name), files, policy, out)
        if not args.corpus:
            count += dump_files("edge", {f"posts/{k}.md": v.encode() for k, v in EDGE_CASES.items()}, policy, out)
            from checks.registry import ALL_RULES

            for rule in ALL_RULES:
                for side in ("failing", "passing"):
                    files = split_example(getattr(rule, side))
                    example_texts = dict(texts)
                    for path, data in files.items():
                        if path.startswith("policy/") and data is not None:
                            example_texts[path.removeprefix("policy/")] = data.decode("utf-8")
                    example_policy = policy_from_texts(example_texts)
                    posts = {p: d for p, d in files.items() if p.startswith("posts/") and d is not None}
                    count += dump_files(f"{rule.id}-{side}", posts, example_policy, out)
    print(f"{count} posts -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

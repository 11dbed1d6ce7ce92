"""Compare two bench/equivalence.py dumps field by field, and for every text whose offsets changed say whether
each placed character is that character in the source (so a changed position can be shown right or wrong).

    .venv/bin/python bench/equivalence_diff.py OLD.jsonl NEW.jsonl [--source CORPUS=DIR ...]

``--source gen=/tmp/gen/posts`` names where the posts of a dump's corpus are (by file name).
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path


def _placed(text: str, offsets: list[int], source: str) -> tuple[int, int, tuple[int, int] | None]:
    """(characters that are themselves in the source, characters placed, first and last line)."""
    placed = [(char, at) for char, at in zip(text, offsets, strict=True) if at >= 0]
    right = sum(source[at] == char for char, at in placed)
    lines = [source.count("\n", 0, at) + 1 for _, at in placed]
    return right, len(placed), (min(lines), max(lines)) if lines else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--source", action="append", default=[], help="CORPUS=DIR")
    args = parser.parse_args()
    sources = dict(item.split("=", 1) for item in args.source)
    old = [json.loads(line) for line in args.old.open(encoding="utf-8")]
    new = [json.loads(line) for line in args.new.open(encoding="utf-8")]
    if [(r["corpus"], r["path"]) for r in old] != [(r["corpus"], r["path"]) for r in new]:
        print("the dumps hold different posts")
        return 1
    fields: collections.Counter[str] = collections.Counter()
    for before, after in zip(old, new, strict=True):
        fields.update(key for key in sorted(set(before) | set(after)) if before.get(key) != after.get(key))
        folder = sources.get(before["corpus"])
        if folder is None:
            continue
        source = (Path(folder) / Path(before["path"]).name).read_text(encoding="utf-8-sig")
        for key, text_at in (("blocks", 1), ("extras", 2)):
            was = {json.dumps(item[:4]): item[4] for item in before.get(key, [])}
            for item in after.get(key, []):
                offsets = was.get(json.dumps(item[:4]))
                if offsets is None or offsets == item[4]:
                    continue
                text = item[text_at]
                print(f"{before['corpus']} {before['path']} {key} {text[:40]!r}: "
                      f"old {_placed(text, offsets, source)}, new {_placed(text, item[4], source)}")
    print(f"{len(old)} posts; fields that differ (posts): {dict(fields) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

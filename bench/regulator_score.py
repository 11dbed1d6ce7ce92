"""How much of what FDA and FTC letters cited does the claims check catch (issue 22)?

    .venv/bin/python bench/regulator_score.py [--check] [--json FILE] [--policy DIR]

Reads tests/regulator_corpus/: letters.yaml, statements.yaml (each statement quoted by a letter, its reason and the
rules a reviewer expects, placed at post:line), careful.yaml (sentences that must not get an error) and posts/*.md.
Runs the claims check as tests/test_claims.py does (``claims.check_post`` per post plus ``claims.check_in_corpus``)
and prints, per reason and per issuer: statements found (an expected rule fires on the statement's line or list),
statements with any claims finding there, and the error-level findings on careful lines. Paraphrased statements
are counted apart. ``--check`` only verifies that every quotation and careful sentence sits on the line the YAML
gives (exit 2 naming file and line when not). Prints figures only; the thresholds live in the claims tests.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checks import claims  # noqa: E402
from checks.corpus import Corpus  # noqa: E402
from checks.document import parse_post  # noqa: E402
from checks.model import Finding, Severity  # noqa: E402
from checks.pipeline import summarize  # noqa: E402
from flows.store.policy_files import load_policy  # noqa: E402

CORPUS = ROOT / "tests" / "regulator_corpus"
REASONS = ["sameness", "unapproved-drug-use", "unsubstantiated-efficacy", "disease-claim", "risk-minimised",
           "false-approval", "broadened-indication", "uncleared-device-use", "false-substantiation"]


@dataclass(frozen=True)
class Placed:
    """A statement or careful sentence and the file lines it occupies."""

    post: str
    first: int
    last: int


def _load(name: str, key: str) -> list[dict]:
    return yaml.safe_load((CORPUS / name).read_text())[key]


def _placement_errors(statements: list[dict], careful: list[dict]) -> list[str]:
    """Each quotation (or the text placed for it) and each careful sentence must be on its line."""
    errors, texts = [], {}
    for item in [*statements, *careful]:
        path = CORPUS / item["post"]
        if path not in texts:
            texts[path] = path.read_text().splitlines()
        lines = texts[path]
        where = f"tests/regulator_corpus/{item['post']}:{item['line']}"
        if not 1 <= item["line"] <= len(lines):
            errors.append(f"{where}: no such line")
            continue
        if item.get("layout") == "list":
            lead, items = item["quote"].split(": ", 1)
            block = "\n".join(lines[item["line"] - 1:item["end_line"]])
            missing = [part for part in [lead, *items.split("; ")] if part not in block]
            if missing:
                errors.append(f"{where}: list does not hold {missing}")
            continue
        want = item.get("as_placed") or item.get("text") or item["quote"]
        if want not in lines[item["line"] - 1]:
            errors.append(f"{where}: line does not hold {want[:60]!r}")
    return errors


def _findings() -> dict[str, list[Finding]]:
    policy = load_policy(ROOT / "content" / "policy")
    paths = sorted((CORPUS / "posts").glob("*.md"))
    posts = [parse_post(f"posts/{p.name}", p.read_bytes()) for p in paths]
    summaries = [summarize(post, policy) for post in posts]
    corpus = Corpus(summaries)
    found = {}
    for summary, post in zip(summaries, posts, strict=True):
        own, _ = claims.check_post(post, policy)
        found[post.rel_path] = [*own, *claims.check_in_corpus(summary, corpus, policy)]
    return found


def _on(found: list[Finding], first: int, last: int) -> list[Finding]:
    return [f for f in found if f.line is not None and first <= f.line <= last]


def score(statements: list[dict], careful: list[dict], letters: list[dict]) -> dict[str, object]:
    found = _findings()
    issuer = {letter["id"]: letter["issuer"] for letter in letters}
    rows: dict[tuple[str, str], Counter] = defaultdict(Counter)
    missed = []
    for s in statements:
        on_line = _on(found[s["post"]], s["line"], s.get("end_line", s["line"]))
        hit = any(f.rule in s["expected_rules"] for f in on_line)
        group = "paraphrase" if s.get("paraphrase") else "quoted"
        for key in [("reason", s["reason"]), ("issuer", issuer.get(s["letter"], "FDA")), ("all", "all")]:
            c = rows[(group, f"{key[0]}:{key[1]}")]
            c["n"] += 1
            c["found"] += hit
            c["any"] += bool(on_line)
        if not hit:
            missed.append({"id": s["id"], "post": s["post"], "line": s["line"], "reason": s["reason"],
                           "expected": s["expected_rules"], "got": sorted({f.rule for f in on_line}),
                           "paraphrase": bool(s.get("paraphrase"))})
    wrong = []
    for c in careful:
        for f in _on(found[c["post"]], c["line"], c["line"]):
            if f.severity is Severity.ERROR:
                wrong.append({"post": c["post"], "line": c["line"], "kind": c["kind"], "rule": f.rule,
                              "message": f.message})
    return {"rows": {f"{g}|{k}": dict(v) for (g, k), v in sorted(rows.items())}, "missed": missed,
            "careful": len(careful), "careful_errors": wrong}


def _table(result: dict[str, object], group: str) -> list[str]:
    out = ["| | statements | found (expected rule) | any claims finding |", "| --- | --- | --- | --- |"]
    rows = result["rows"]
    order = [f"reason:{r}" for r in REASONS] + ["issuer:FDA", "issuer:FTC", "all:all"]
    for key in order:
        c = rows.get(f"{group}|{key}")
        if not c:
            continue
        label = key.split(":", 1)[1] if not key.startswith("all") else "**all**"
        if key.startswith("issuer"):
            label = f"issuer {label}"
        out.append(f"| {label} | {c['n']} | {c['found']} ({c['found'] / c['n']:.0%}) | {c['any']} |")
    return out


def letters_table(letters: list[dict], statements: list[dict]) -> list[str]:
    """The docs' tables: one row per letter, then statements per reason (quoted / paraphrased)."""
    out = ["| date | issuer | kind | recipient (kind) | product area | reasons the letter gives | statements |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    for x in sorted(letters, key=lambda x: (x["date"], x["id"])):
        mine = [s for s in statements if s["letter"] == x["id"]]
        quoted = sum(not s.get("paraphrase") for s in mine)
        para = len(mine) - quoted
        count = f"{quoted}" + (f" (+{para} paraphrased)" if para else "")
        reasons = "; ".join(x["reasons"]).replace("|", "/")
        out.append(f"| {x['date']} | {x['issuer']} | {x['kind']} | [{x['recipient']}]({x['url']}) "
                   f"({x['recipient_kind']}) | {x['product_area']} | {reasons} | {count} |")
    out += ["", "| reason | quoted statements | paraphrased | expected rules |", "| --- | --- | --- | --- |"]
    for reason in REASONS:
        mine = [s for s in statements if s["reason"] == reason]
        rules = sorted({r for s in mine for r in s["expected_rules"]})
        out.append(f"| {reason} | {sum(not s.get('paraphrase') for s in mine)} | "
                   f"{sum(bool(s.get('paraphrase')) for s in mine)} | {', '.join(rules) or '-'} |")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify that quotations sit on their lines")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--letters-table", action="store_true",
                        help="print the tables of letters and of statements per reason (docs/regulator-letters.md)")
    args = parser.parse_args(argv)
    try:
        letters = _load("letters.yaml", "letters")
        statements = _load("statements.yaml", "statements")
        careful = _load("careful.yaml", "careful")
    except (OSError, yaml.YAMLError, KeyError, TypeError) as err:
        print(f"tests/regulator_corpus: cannot read the corpus: {err}", file=sys.stderr)
        return 2
    errors = _placement_errors(statements, careful)
    unknown = sorted({s["letter"] for s in statements if s["letter"]} - {x["id"] for x in letters})
    errors += [f"tests/regulator_corpus/statements.yaml: unknown letter {u!r}" for u in unknown]
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 2
    print(f"{len(letters)} letters, {sum(not s.get('paraphrase') for s in statements)} quoted statements, "
          f"{sum(bool(s.get('paraphrase')) for s in statements)} paraphrased, {len(careful)} careful sentences: "
          "every one on its line")
    if args.letters_table:
        print("\n".join(letters_table(letters, statements)))
        return 0
    if args.check:
        return 0
    result = score(statements, careful, letters)
    print("\nQuoted statements (the letter's own quotation):")
    print("\n".join(_table(result, "quoted")))
    print("\nParaphrased statements (counted apart):")
    print("\n".join(_table(result, "paraphrase")))
    print(f"\nCareful sentences: {result['careful']}; error-level findings on them: {len(result['careful_errors'])}")
    for w in result["careful_errors"]:
        print(f"  {w['post']}:{w['line']} ({w['kind']}) {w['rule']}: {w['message']}")
    print("\nMissed statements (expected -> got on the line):")
    for m in result["missed"]:
        tag = " [paraphrase]" if m["paraphrase"] else ""
        print(f"  {m['post']}:{m['line']} {m['id']} ({m['reason']}){tag}: {'/'.join(m['expected'])} -> "
              f"{', '.join(m['got']) or 'nothing'}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

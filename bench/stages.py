"""Stage benchmarks, each against a baseline measured in the same command.

* claims: the claims check alone on generated posts (fresh analyses), posts/s on one core; baseline: parsing
  the same posts (what any check needs first).
* grammar: medpress's grammar stage (annotated paragraphs, packing, mapping back, vocabulary filter; cache
  off) against raw HTTP requests carrying exactly the same request bodies to the same LanguageTool server,
  with the same number of parallel requests.

    .venv/bin/python bench/stages.py [--posts 200] [--grammar-posts 60] [--repeat 3]

Writes bench/results/stages.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _posts(folder: Path) -> list[tuple[str, bytes]]:
    return [(f"posts/{p.name}", p.read_bytes()) for p in sorted((folder / "posts").glob("*.md"))]


def bench_claims(files: list[tuple[str, bytes]], repeat: int) -> dict[str, object]:
    from checks import claims
    from checks.document import parse_post
    from flows.store.policy_files import load_policy

    policy = load_policy(ROOT / "content" / "policy")
    claims.check_post(parse_post(*files[0]), policy)  # compile the knowledge base once
    parse_s, claims_s = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        posts = [parse_post(name, data) for name, data in files]
        parse_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        for post in posts:
            claims.check_post(post, policy)
        claims_s.append(time.perf_counter() - start)
    n = len(files)
    return {"posts": n, "claims_median_s": round(statistics.median(claims_s), 3),
            "claims_posts_per_s": round(n / statistics.median(claims_s), 1),
            "parse_median_s": round(statistics.median(parse_s), 3),
            "parse_posts_per_s": round(n / statistics.median(parse_s), 1)}


def grammar_request_bodies(posts: list, policy, once: bool = False) -> list[dict[str, str]]:
    """The requests medpress packs (cache off): one annotated text per post, or per chunk of it. ``once``: a
    paragraph an earlier post already had is left out, as medpress sends a shared paragraph once per review."""
    from checks.grammar import cache_key, paragraphs
    from flows.services.languagetool import SEPARATOR, GrammarService

    service = GrammarService(policy.grammar, use_cache=False)
    bodies = []
    seen: set[str] = set()
    try:
        for post in posts:
            items = [(i, p, cache_key(p, "")) for i, p in enumerate(paragraphs(post))]
            if once:
                items = [item for item in items if item[2] not in seen]
                seen.update(key for _, _, key in items)
            for chunk in service._pack(items):
                annotation = []
                for n, (_, paragraph, _) in enumerate(chunk):
                    if n:
                        annotation.append(SEPARATOR)
                    annotation.extend(paragraph.annotation)
                bodies.append({**policy.grammar.server_params(), "data": json.dumps({"annotation": annotation})})
    finally:
        service.close()
    return bodies


def replay_raw(client, url: str, bodies: list[dict[str, str]], workers: int) -> float:
    """Wall seconds to send ``bodies`` to LanguageTool at ``url`` as raw HTTP, ``workers`` at a time."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda body: client.post(url + "/v2/check", data=body).raise_for_status().json(), bodies))
    return time.perf_counter() - start


def bench_grammar(files: list[tuple[str, bytes]], repeat: int) -> dict[str, object]:
    import httpx

    from checks.document import parse_post
    from checks.grammar import findings_from
    from flows.services.languagetool import GrammarService, ManagedServer
    from flows.store.policy_files import load_policy

    policy = load_policy(ROOT / "content" / "policy")
    server = ManagedServer(policy.grammar.server_heap)
    url = server.start()
    os.environ["MEDPRESS_LT_URL"] = url
    try:
        posts = [parse_post(name, data) for name, data in files]
        bodies = grammar_request_bodies(posts, policy)
        workers = policy.grammar.max_parallel_requests
        with httpx.Client(timeout=120) as client:

            def raw() -> float:
                return replay_raw(client, url, bodies, workers)

            def medpress() -> float:
                start = time.perf_counter()
                checker = GrammarService(policy.grammar, use_cache=False)
                results = checker.check(posts)
                for post in posts:
                    paras, result = results[post.rel_path]
                    findings_from(post, paras, result, policy)
                checker.close()
                return time.perf_counter() - start

            raw()  # LanguageTool's JVM takes a full pass or two to warm up: neither side is timed on it
            medpress()
            raw_s, medpress_s = [], []
            for index in range(repeat):  # alternate which goes first
                pair = (raw, medpress) if index % 2 == 0 else (medpress, raw)
                for run in pair:
                    (raw_s if run is raw else medpress_s).append(run())
    finally:
        os.environ.pop("MEDPRESS_LT_URL", None)
        server.stop()
    return {"posts": len(posts), "requests": len(bodies), "parallel": workers,
            "raw_median_s": round(statistics.median(raw_s), 3),
            "medpress_median_s": round(statistics.median(medpress_s), 3),
            "ratio": round(statistics.median(medpress_s) / statistics.median(raw_s), 3),
            "raw_runs_s": [round(x, 3) for x in raw_s], "medpress_runs_s": [round(x, 3) for x in medpress_s]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--grammar-posts", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MEDPRESS_CACHE"] = str(Path(tmp) / "cache")
        os.environ.setdefault("MEDPRESS_LT_DIR", str(Path.home() / ".cache" / "medpress" / "languagetool-6.8"))
        generate(args.posts, Path(tmp) / "corpus", seed=0)
        files = _posts(Path(tmp) / "corpus")
        claims_row = bench_claims(files, args.repeat)
        grammar_row = bench_grammar(files[: args.grammar_posts], args.repeat)
    result = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "nproc": os.cpu_count(),
              "python": platform.python_version(), "loadavg": os.getloadavg(), "claims": claims_row,
              "grammar": grammar_row}
    out = ROOT / "bench" / "results" / "stages.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    print("| stage | posts | medpress | baseline | ratio |\n| --- | ---: | ---: | ---: | ---: |")
    print(f"| claims check alone (one core) | {claims_row['posts']} | {claims_row['claims_posts_per_s']} posts/s | "
          f"parse only: {claims_row['parse_posts_per_s']} posts/s | - |")
    print(f"| grammar stage, cold ({grammar_row['requests']} requests, {grammar_row['parallel']} parallel) | "
          f"{grammar_row['posts']} | {grammar_row['medpress_median_s']} s | raw HTTP: {grammar_row['raw_median_s']} s"
          f" | {grammar_row['ratio']}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

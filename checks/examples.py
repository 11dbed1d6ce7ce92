"""Rule examples as files: ``==> name <==`` header lines split one example into several files.

A header may repeat its content (``==> big.md x60000 <==``) to make a large file, or name a file
that is asked for but absent (``==> gone.md missing <==``, mapped to None), or a post that ran past its time
budget (``==> slow.md over-budget <==``, None here too). Text is encoded
with ``surrogateescape``, so ``\\udcff`` in an example is the raw byte 0xFF (for the not-UTF-8 rule).
"""

from __future__ import annotations

import json
import re
import unicodedata

from checks.corpus import Corpus, ExternalResult, LedgerProblem
from checks.document import parse_post, timed_out_post, unreadable_post
from checks.model import Finding
from checks.pipeline import finalize, review_corpus, review_post, summarize
from checks.policy import policy_from_texts

DEFAULT_NAME = "posts/example.md"
_HEADER = re.compile(r"^==> (?P<name>\S+)(?: x(?P<times>\d+)| (?P<missing>missing|over-budget))? <==\n", re.M)


def split_example(example: str) -> dict[str, bytes | None]:
    """Example text -> {path relative to the content folder: bytes, or None for a missing file}."""
    headers = list(_HEADER.finditer(example))
    if not headers:
        return {DEFAULT_NAME: example.encode("utf-8", "surrogateescape")}
    files: dict[str, bytes | None] = {}
    for header, following in zip(headers, [*headers[1:], None], strict=True):
        body = example[header.end() : following.start() if following else len(example)]
        if header["missing"]:
            files[header["name"]] = None
            continue
        files[header["name"]] = body.encode("utf-8", "surrogateescape") * int(header["times"] or 1)
    return files


def review_example(example: str, policy_texts: dict[str, str]) -> list[Finding]:
    """Every finding medpress reports on an example.

    Files under ``policy/`` override the policy; ``external.json`` (``{"url": status}``) stands for the
    answers external links gave, since examples never use the network; ``ledger-problems.json``
    (``[[line, path, kind, message]]``) for what verifying the approval ledger found, since examples never
    run ssh-keygen.
    """
    files = split_example(example)
    answers = json.loads(files.pop("external.json") or b"{}") if "external.json" in files else {}
    problems = json.loads(files.pop("ledger-problems.json") or b"[]") if "ledger-problems.json" in files else []
    ledger = tuple(LedgerProblem(*item) for item in problems)
    external = {url: ExternalResult(url, status) for url, status in answers.items()}
    texts = dict(policy_texts)
    for name, data in files.items():
        if name.startswith("policy/") and data is not None:
            texts[name.removeprefix("policy/")] = data.decode("utf-8")
    policy = policy_from_texts(texts)
    slow = {h["name"] for h in _HEADER.finditer(example) if h["missing"] == "over-budget"}
    posts = [
        parse_post(name, data, max_bytes=policy.frontmatter.max_bytes) if data is not None
        else timed_out_post(name, policy.frontmatter.max_seconds) if name in slow
        else unreadable_post(name, "file not found")
        for name, data in files.items() if name.startswith("posts/")
    ]
    summaries = [summarize(post, policy) for post in posts]
    cross = review_corpus(Corpus(summaries, frozenset(files), {}, external, ledger), policy).findings
    found = []
    for post, summary in zip(posts, summaries, strict=True):
        final = finalize(summary, [*review_post(post, policy).findings, *cross.get(post.rel_path, [])], policy)
        found.extend(final.findings)
    return found


def printable(example: str) -> str:
    """An example as text to show: raw bytes and control characters appear as ``\\xNN``, invisible
    characters as ``\\uNNNN``."""
    text = example.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(f"\\x{ord(c):02x}" if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0
                   else f"\\u{ord(c):04x}" if unicodedata.category(c) == "Cf" else c  # invisible: shown as \\u200b
                   for c in text)

"""Fetch external links (only with --external): concurrent, with a timeout, retries and a disk cache."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from checks.corpus import ExternalResult
from checks.policy import LinksPolicy
from reports.files import write_atomically

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "medpress-link-check/1 (+content review)"


def check_urls(urls: list[str], policy: LinksPolicy, cache_dir: Path | None) -> dict[str, ExternalResult]:
    """The answer for each URL: from the cache when younger than the policy's TTL, else fetched."""
    cache_file = cache_dir / "links.json" if cache_dir else None
    cached = _load(cache_file)
    ttl = policy.external_cache_hours * 3600
    now = time.time()
    results: dict[str, ExternalResult] = {}
    todo = []
    for url in urls:
        entry = cached.get(url)
        if entry and now - entry["checked"] < ttl:
            results[url] = ExternalResult(url, entry["status"], entry["error"])
        else:
            todo.append(url)
    if todo:
        with httpx.Client(timeout=policy.external_timeout_seconds, follow_redirects=True,
                          headers={"User-Agent": USER_AGENT}) as client, \
                ThreadPoolExecutor(max_workers=policy.external_concurrency) as pool:
            for result in pool.map(lambda u: fetch(client, u, policy.external_retries), todo):
                results[result.url] = result
                if result.status is not None:  # only definite answers are cached; errors are retried next run
                    cached[result.url] = {"status": result.status, "error": result.error, "checked": now}
        if cache_file:
            write_atomically(cache_file, json.dumps(cached, indent=1))
    return results


def fetch(client: httpx.Client, url: str, retries: int) -> ExternalResult:
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError as err:  # the review reports it as LNK009; never fetched
        return ExternalResult(url, None, f"not a valid address: {err}")
    if scheme not in ("http", "https"):
        return ExternalResult(url, None, "only http and https links are fetched")
    error = "not fetched"
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(min(0.2 * 2**attempt, 2.0))
        try:
            answer = client.head(url)
            if answer.status_code in (405, 501):  # some servers refuse HEAD
                answer = client.get(url)
        except httpx.HTTPError as err:
            error = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
            continue
        if answer.status_code in RETRY_STATUSES and attempt < retries:
            error = f"HTTP {answer.status_code}"
            continue
        if answer.status_code >= 500:
            return ExternalResult(url, None, f"HTTP {answer.status_code} after {attempt + 1} tries")
        return ExternalResult(url, answer.status_code)
    return ExternalResult(url, None, error)


def _load(path: Path | None) -> dict[str, dict]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}

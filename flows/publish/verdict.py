"""One verdict per command: publishing from the review that just ran, never from a second review.

``medpress review --output review-output/review.json`` then ``medpress publish --from-review
review-output/review.json`` (what ``make review`` does): the review's JSON report is the verdict. It is used
only when it was made by this code (the report's ``versions.checks``, a hash of ``checks/``) under this policy
(``policy_hash``) and with grammar when publishing wants grammar; otherwise publishing stops (exit 2) and says
which. Each post's bytes are compared with the hash the report reviewed: a post edited since is held back, never
reviewed again, so what is published is always what the report shows. Nothing here checks a post: the posts'
summaries (slugs, links, for rendering) come from the result cache the review filled, and a post the cache
does not have is parsed, not checked.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from checks.model import Finding
from checks.pipeline import summarize
from checks.summary import PostSummary
from flows.engine import ingest
from flows.engine.steps import Plan, UsageError, read_sources, result_cache
from flows.store.code_version import code_key
from reports.model import SCHEMA, PostReport, ReviewReport


class StaleReview(UsageError):
    """A review report publishing must not use: unreadable, or made by other code, policy or options."""


def load_review(path: Path, plan: Plan, grammar: bool) -> ReviewReport:
    """The report at ``path`` with each post named by its display path now (as publishing names it); raises
    :class:`StaleReview` naming the file and what differs."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise StaleReview(f"cannot read the review report {path}: {err}") from err
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("posts"), list):
        raise StaleReview(f"{path} is not a medpress review report (schema {SCHEMA})")
    run = data.get("run") if isinstance(data.get("run"), dict) else {}
    again = "review again, then publish"
    if run.get("policy_hash") != plan.policy.hash:
        raise StaleReview(f"{path} was reviewed under another policy ({run.get('policy_hash')}; the policy is now "
                          f"{plan.policy.hash}): {again}")
    versions = run.get("versions") if isinstance(run.get("versions"), dict) else {}
    if versions.get("checks") != code_key()[:12]:
        raise StaleReview(f"{path} was reviewed by other medpress checks (code {versions.get('checks')}, now "
                          f"{code_key()[:12]}): {again}")
    options = run.get("options") if isinstance(run.get("options"), dict) else {}
    if grammar and not options.get("grammar", False):
        raise StaleReview(f"{path} was reviewed without grammar (--no-grammar): publish with --no-grammar to accept "
                          f"that review, or {again} with grammar")
    root = PurePosixPath(str(run.get("content_dir") or ""))
    posts = []
    for item in data["posts"]:
        try:
            rel = PurePosixPath(item["path"]).relative_to(root).as_posix()
            # a baseline quiets the CI gate; it never opens the publish gate: its findings count here
            findings = [Finding.from_dict(f) for f in [*item.get("findings", []), *item.get("baselined", [])]]
        except (KeyError, TypeError, ValueError) as err:
            raise StaleReview(f"{path}: a post entry publishing cannot read ({err}): {again}") from err
        sign_off = item.get("sign_off") if isinstance(item.get("sign_off"), dict) else {}
        # the review's word on approvals under another policy: a post it sent back to review stays held
        posts.append(PostReport(ingest.display_path(plan.options.content_dir / rel), str(item.get("slug", "")),
                                str(item.get("title", "")), str(item.get("content_hash", "")), findings,
                                sign_off=sign_off))
    return ReviewReport(run, posts)


def current_summaries(plan: Plan) -> list[PostSummary]:
    """Every post's summary as its bytes are now: from the result cache (the review just stored them), else
    parsed and summarised. Never checked."""
    cache = result_cache(plan)
    try:
        sources = read_sources(plan, cache, start_workers=False)
    finally:
        cache.close()
    found = {item.summary.rel_path: item.summary for item in sources.ready}
    limits = plan.policy.frontmatter
    parsed = ingest.read_posts(plan.options.content_dir, [s.rel_path for s in sources.todo], limits.max_bytes,
                               limits.max_seconds)
    found.update((post.rel_path, summarize(post, plan.policy)) for post in parsed)
    return [found[rel] for rel in plan.corpus_paths]

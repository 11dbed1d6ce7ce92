"""Run the checks: per post (cacheable by content, policy hash and the checks' code), then across the corpus."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from checks import suppression_comments
from checks.context import PostContext
from checks.corpus import Corpus, Trace, TracedCorpus
from checks.document import Post
from checks.model import Finding, PostResult
from checks.policy import Policy
from checks.registry import CORPUS_CHECKS, POST_CHECKS, RULES_BY_ID
from checks.summary import PostSummary


def context(post: Post, policy: Policy) -> PostContext:
    """The context one post's checks and its summary share (pass it to :func:`review_post` and :func:`summarize`
    so what they both need is computed once)."""
    return PostContext(post, policy, RULES_BY_ID)


def review_post(post: Post, policy: Policy, ctx: PostContext | None = None) -> PostResult:
    """Checks that read one post only: the result depends on its bytes and the policy alone."""
    ctx = ctx or context(post, policy)
    result = PostResult()
    for check in POST_CHECKS:
        outcome = check.run(ctx)
        result.findings.extend(outcome.findings)
        if outcome.metrics is not None:
            result.metrics[check.name] = outcome.metrics
    return result


@dataclass
class CrossEntry:
    """One post's findings across posts, and what its checks read of the other posts (to know when to redo)."""

    content_hash: str
    trace: Trace
    findings: list[Finding]

    def to_dict(self) -> dict[str, object]:
        return {"content_hash": self.content_hash, "trace": self.trace.to_list(),
                "findings": [f.to_dict() for f in self.findings]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CrossEntry:
        return cls(data["content_hash"], Trace.from_list(data["trace"]),
                   [Finding.from_dict(f) for f in data["findings"]])


@dataclass
class CrossResult:
    findings: dict[str, list[Finding]]  # post path -> findings
    entries: dict[str, CrossEntry]  # post path -> entry, reused or new: what to keep for the next review
    rechecked: list[str] = field(default_factory=list)  # posts whose checks ran (the others' entries still held)


def review_corpus(corpus: Corpus, policy: Policy, previous: Mapping[str, CrossEntry] | None = None,
                  only: Collection[str] | None = None) -> CrossResult:
    """Checks that need every post read first (slugs, links, anchors, facts, sign-offs), for every post (or
    ``only`` those). A post's ``previous`` entry is reused while its bytes are the same and everything its
    checks read of the corpus still reads the same (:class:`checks.corpus.Trace`): policy changes are the
    caller's to key on."""
    result = CrossResult({}, {})
    for post in corpus.posts:
        if only is not None and post.rel_path not in only:
            continue
        entry = (previous or {}).get(post.rel_path)
        if entry is None or entry.content_hash != post.content_hash or not entry.trace.still_valid(corpus):
            trace = Trace()
            view = cast(Corpus, TracedCorpus(corpus, trace))
            found = [item for check in CORPUS_CHECKS for item in check.run_corpus(post, view, policy)]
            entry = CrossEntry(post.content_hash, trace, found)
            result.rechecked.append(post.rel_path)
        result.entries[post.rel_path] = entry
        if entry.findings:
            result.findings[post.rel_path] = entry.findings
    return result


def apply_policy(findings: Iterable[Finding], policy: Policy) -> list[Finding]:
    """Drop disabled rules and apply severity overrides from policy; sort by position."""
    rules = policy.general.rules
    kept = []
    for item in findings:
        if item.rule in rules.disable:
            continue
        override = rules.severity.get(item.rule)
        if override and override != item.severity:
            item = Finding(**{**item.__dict__, "severity": override})
        kept.append(item)
    return sorted(kept, key=Finding.sort_key)


@dataclass
class Final:
    """A post's findings after policy and inline suppressions, with the audit trail of what was waived."""

    findings: list[Finding]
    waived: list[suppression_comments.Waived]
    suppressions: list[suppression_comments.Suppression]  # with what each waived counted


def finalize(post: PostSummary, findings: Iterable[Finding], policy: Policy) -> Final:
    """Policy, then the post's inline suppressions (already parsed into its summary)."""
    kept, waived, problems, used = suppression_comments.apply(apply_policy(findings, policy), post.suppressions)
    return Final(apply_policy([*kept, *problems], policy), waived, used)


def summarize(post: Post, policy: Policy, ctx: PostContext | None = None) -> PostSummary:
    """What the checks across posts and the suppressions need of a parsed post."""
    return (ctx or context(post, policy)).summary

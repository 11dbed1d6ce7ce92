"""Run the checks: per post (cacheable by content, policy hash and the checks' code), then across the corpus."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from checks import approvals, claims, disclaimers, frontmatter, links, markup, readability, summary, suppressions
from checks.corpus import Corpus, Trace, TracedCorpus
from checks.document import Post
from checks.model import Finding, PostResult
from checks.policy import Policy
from checks.summary import PostSummary


def review_post(post: Post, policy: Policy) -> PostResult:
    """Checks that read one post only: the result depends on its bytes and the policy alone."""
    result = PostResult()
    result.findings.extend(frontmatter.check_post(post, policy))
    found, metrics = readability.check_post(post, policy)
    result.findings.extend(found)
    if metrics:
        result.metrics["readability"] = metrics
    result.findings.extend(disclaimers.check_post(post, policy))
    found, table = claims.check_post(post, policy)
    result.findings.extend(found)
    if post.readable:
        result.metrics["claims"] = table
    result.findings.extend(markup.check_post(post, policy))
    return result


CORPUS_CHECKS = (frontmatter.check_in_corpus, links.check_in_corpus, claims.check_in_corpus,
                 approvals.check_in_corpus)


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
            found = [item for check in CORPUS_CHECKS for item in check(post, view, policy)]
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
    waived: list[suppressions.Waived]
    suppressions: list[suppressions.Suppression]  # with what each waived counted


def finalize(post: PostSummary, findings: Iterable[Finding], policy: Policy) -> Final:
    """Policy, then the post's inline suppressions (already parsed into its summary)."""
    kept, waived, problems, used = suppressions.apply(apply_policy(findings, policy), post.suppressions)
    return Final(apply_policy([*kept, *problems], policy), waived, used)


def parse_suppressions(post: Post) -> tuple[suppressions.Suppression, ...]:
    from checks.registry import RULE_IDS, RULES_BY_NAME

    return tuple(suppressions.parse(post, RULE_IDS, RULES_BY_NAME))


def summarize(post: Post, policy: Policy) -> PostSummary:
    """What the checks across posts and the suppressions need of a parsed post."""
    return summary.summarize(post, policy, parse_suppressions(post))

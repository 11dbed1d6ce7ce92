"""Run the checks: per post (cacheable by content and policy hash), then across the corpus."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from checks import approvals, claims, disclaimers, frontmatter, links, readability, suppressions
from checks.corpus import Corpus
from checks.document import Post
from checks.links import ExternalResult
from checks.model import Finding, PostResult
from checks.policy import Policy

# Bump when a check's behaviour changes, so cached per-post results are not reused.
CHECKS_VERSION = "2"


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
    return result


def review_corpus(corpus: Corpus, policy: Policy,
                  external: Mapping[str, ExternalResult] | None = None) -> dict[str, list[Finding]]:
    """Checks that need every post read first (slugs, links, anchors)."""
    found: dict[str, list[Finding]] = {}
    parts = (frontmatter.check_corpus(corpus, policy), links.check_corpus(corpus, policy, external),
             claims.check_corpus(corpus, policy), approvals.check_corpus(corpus, policy))
    for part in parts:
        for path, items in part.items():
            found.setdefault(path, []).extend(items)
    return found


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
    waived: list[dict[str, object]]
    suppressions: list[dict[str, object]]


def finalize(post: Post, findings: Iterable[Finding], policy: Policy) -> Final:
    from checks.registry import RULE_IDS, RULES_BY_NAME

    parsed = suppressions.parse(post, RULE_IDS, RULES_BY_NAME)
    kept, waived, problems = suppressions.apply(apply_policy(findings, policy), parsed, post)
    return Final(apply_policy([*kept, *problems], policy), waived, [s.to_dict() for s in parsed])

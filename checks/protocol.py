"""What a check is: a named unit with its rules, run on one post's context (and, for some, across posts).

The pipeline loops over the registry's checks (:mod:`checks.registry`) and knows nothing else about them. A
check reads what several checks need (sentences, disclaimer matches, the claims analysis, the summary) from the
:class:`checks.context.PostContext` it is given, computed once per post there; a check never imports another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from checks.model import Finding, Rule

if TYPE_CHECKING:  # types only: the context and the corpus import analysis modules, never a check
    from checks.context import PostContext
    from checks.corpus import Corpus
    from checks.policy import Policy
    from checks.summary import PostSummary


@dataclass
class Outcome:
    """A check's answer for one post: findings, and what it measured (None: nothing for the report)."""

    findings: list[Finding] = field(default_factory=list)
    metrics: object | None = None


@runtime_checkable
class Check(Protocol):
    """Every check: a stable name (the ``check`` of its rules) and its rules."""

    name: str
    rules: tuple[Rule, ...]


@runtime_checkable
class PostCheck(Check, Protocol):
    """A check of one post: its outcome depends on the post's bytes and the policy alone (so it is cacheable)."""

    def run(self, ctx: PostContext) -> Outcome: ...


@runtime_checkable
class CorpusCheck(Check, Protocol):
    """A check that needs every post read first: it reads the others through ``corpus`` (traced)."""

    def run_corpus(self, post: PostSummary, corpus: Corpus, policy: Policy) -> list[Finding]: ...

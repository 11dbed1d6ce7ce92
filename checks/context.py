"""One post under review and the analysis several checks share, each computed once, when first asked.

A :class:`PostContext` lives as long as one post's review: the pipeline makes one per post and hands it to
every check (:mod:`checks.protocol`), so what readability, the disclaimers check, the claims check and the
summary all read (sentences, disclaimer matches, the claims analysis) is worked out once, and nothing is kept
in a module between posts.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from checks import claims_analysis
from checks.disclaimer_match import Match, body_blocks, match, trigger
from checks.document import Block, Post
from checks.model import Rule
from checks.policy import DisclaimerRule, Policy
from checks.summary import Fact, PostSummary, summarize
from checks.suppression_comments import Suppression, parse
from checks.text import Sentence, sentences


class PostContext:
    """``post`` read under ``policy``; ``rules``: every rule by id (what a suppression comment may name)."""

    def __init__(self, post: Post, policy: Policy, rules: Mapping[str, Rule] | None = None) -> None:
        self.post = post
        self.policy = policy
        self.rules: Mapping[str, Rule] = rules or {}
        self._sentences: dict[int, tuple[Sentence, ...]] = {}  # id of one of the post's blocks -> its sentences
        self._matches: dict[tuple[str, str], Match] = {}
        self._triggers: dict[tuple[str, str], tuple[str, Block | None] | None] = {}

    def sentences(self, block: Block) -> tuple[Sentence, ...]:
        """The sentences of one of the post's blocks (readability, the claims check and the facts all read them)."""
        found = self._sentences.get(id(block))  # the post holds its blocks: an id stays theirs while it lives
        if found is None:
            found = self._sentences[id(block)] = tuple(sentences(block))
        return found

    @cached_property
    def body_blocks(self) -> list[Block]:
        """The post's blocks that are not headings (where disclaimers are looked for)."""
        return body_blocks(self.post)

    def disclaimer(self, rule: DisclaimerRule) -> Match:
        """Where ``rule``'s disclaimer stands in the post, and how closely it matches."""
        key = (rule.id, rule.text)
        found = self._matches.get(key)
        if found is None:
            found = self._matches[key] = match(self.post, rule)
        return found

    def disclaimer_trigger(self, rule: DisclaimerRule) -> tuple[str, Block | None] | None:
        """Why ``rule`` applies to the post (and the block that triggers it), or None when it does not."""
        key = (rule.id, rule.text)
        if key not in self._triggers:
            self._triggers[key] = trigger(self.post, rule, lambda: self.off_label_block)
        return self._triggers[key]

    @cached_property
    def disclaimer_blocks(self) -> set[int]:
        """ids of blocks that hold a disclaimer the post must carry (readability leaves them out): a
        disclaimer's words in a post that does not need it are the post's own prose."""
        blocks = self.body_blocks
        found = set()
        for rule in self.policy.disclaimers:
            if not rule.exclude_from_readability:
                continue
            found_match = self.disclaimer(rule)
            if found_match.status == "missing" or self.disclaimer_trigger(rule) is None:
                continue
            found.update(id(blocks[index]) for index in found_match.covered())  # both parts of a split one
        return found

    @cached_property
    def claims_reading(self) -> claims_analysis.Reading:
        """The post as the claims analysis reads it (the products each text names, found once)."""
        return claims_analysis.Reading(self.post, self.sentences)

    @cached_property
    def claims(self) -> claims_analysis.Analysis:
        """Every claim in the post about a product, judged, and the findings they give."""
        return claims_analysis.analyze(self.post, self.policy, self.claims_reading)

    @cached_property
    def off_label_block(self) -> Block | None:
        """The block of the post's first benefit claim for an off-label use (disclosed or not), if any."""
        return claims_analysis.off_label_block(self.claims, self.policy)

    @cached_property
    def facts(self) -> tuple[Fact, ...]:
        """The figures the post states about products (onset, duration), compared across posts."""
        return tuple(claims_analysis.facts(self.post, self.policy, self.claims_reading))

    @cached_property
    def suppressions(self) -> tuple[Suppression, ...]:
        """The post's suppression comments, each with its problems (no reason, a rule not in ``rules``)."""
        return tuple(parse(self.post, self.rules, {rule.name: rule.id for rule in self.rules.values()}))

    @cached_property
    def summary(self) -> PostSummary:
        """What the checks across posts and the suppressions need of the post."""
        return summarize(self.post, self.suppressions, lambda: self.facts)

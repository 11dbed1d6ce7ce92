"""Parse and check posts from their bytes: the CPU-bound part of a review, in whatever process runs it.

No Prefect, no file or cache access: worker processes (flows.workers) and Dask workers import this
module alone, and get the posts' bytes from the flow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checks import frontmatter, grammar
from checks.document import parse_post, unreadable_post
from checks.grammar import Paragraph
from checks.model import PostResult
from checks.pipeline import review_post, summarize
from checks.policy import Policy
from checks.summary import PostSummary


@dataclass
class CheckedPost:
    """A post after its per-post checks: what the later steps need of it, never the parsed post itself (a
    thousand parsed posts would not fit the memory budget; a summary is small)."""

    summary: PostSummary
    result: PostResult
    source: bytes | None = None  # its bytes, kept when grammar is still to check it
    parsed: bool = False  # parsed and checked in this run (False: from the cache)
    # What grammar sends to LanguageTool, taken from this parse when grammar will check the post (else grammar
    # would parse every post a second time, one core, while LanguageTool waits)
    paragraphs: list[Paragraph] | None = None


@dataclass(frozen=True)
class Source:
    """A post's bytes, to parse and check (anywhere: this process, a local worker process, a Dask worker)."""

    rel_path: str
    display_path: str
    data: bytes


def check_sources(policy: Policy, sources: Sequence[Source], keep_source: bool) -> list[CheckedPost]:
    """Parse and check posts: CPU work only, no file or cache access, so it runs in any process."""
    done = []
    for source in sources:
        try:
            post = parse_post(source.rel_path, source.data, display_path=source.display_path,
                              max_bytes=policy.frontmatter.max_bytes)
            done.append(CheckedPost(summarize(post, policy), review_post(post, policy),
                                    source.data if keep_source else None, parsed=True,
                                    paragraphs=grammar.paragraphs(post) if keep_source else None))
        except Exception as err:  # a bug in medpress must not stop the review of every other post
            post = unreadable_post(source.rel_path, f"medpress failed while checking this file ({type(err).__name__}: "
                                                    f"{err}); please report it", display_path=source.display_path)
            result = PostResult(list(frontmatter.check_post(post, policy)))  # FM014, naming the error
            done.append(CheckedPost(summarize(post, policy), result, parsed=True))
    return done

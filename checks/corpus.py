"""Every post of a review (as summaries), the other files, sign-offs and external answers: what the
cross-post checks ask about, through a few queries.

Each check across posts reads the corpus only through these queries. While a post is checked the
queries it asks, with a digest of each answer, are recorded (:class:`Trace`); on the next review its
findings are reused when its bytes are the same and every recorded query still gets the same answer.
So after one post is edited only that post and the posts whose checks read something of it (the posts
linking to it, say) are checked again (:func:`checks.pipeline.review_corpus`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from checks.summary import PostSummary


@dataclass(frozen=True)
class ExternalResult:
    """The answer to an external link, found by the caller (medpress fetches only with --external)."""

    url: str
    status: int | None
    error: str | None = None

    @property
    def broken(self) -> bool:
        return self.status is not None and 400 <= self.status < 500 and self.status not in (401, 403, 429)


class TitleRef(NamedTuple):
    title: str
    rel_path: str
    slug: str


class LedgerProblem(NamedTuple):
    """A ledger line that does not hold up (found by flows.store.ledger, which reads and verifies it)."""

    line: int  # 1-based line in ledger/approvals.jsonl
    path: str  # the post path the line names ("" when the line cannot be read)
    kind: str  # chain | signature | authority
    message: str
    file: str = "ledger/approvals.jsonl"  # the ledger as the user names it (e.g. content/ledger/approvals.jsonl)


class Statement(NamedTuple):
    """A fact about a product as one post states it."""

    rel_path: str
    display_path: str
    line: int | None
    value: tuple[float, float]


@dataclass(frozen=True)
class Corpus:
    posts: Sequence[PostSummary]
    files: frozenset[str] = field(default_factory=frozenset)  # content-relative posix paths of all files
    approvals: Mapping[str, str] | None = None  # post path -> the content hash compliance signed off
    external: Mapping[str, ExternalResult] | None = None  # url -> what it answered (with --external)
    ledger: Sequence[LedgerProblem] = ()  # the approval ledger's broken, unsigned or unauthorised lines

    @cached_property
    def by_slug(self) -> dict[str, list[PostSummary]]:
        found: dict[str, list[PostSummary]] = {}
        for post in self.posts:
            if post.slug:
                found.setdefault(post.slug, []).append(post)
        return found

    @cached_property
    def by_path(self) -> dict[str, PostSummary]:
        return {post.rel_path: post for post in self.posts}

    @cached_property
    def _statements(self) -> dict[tuple[str, str], list[Statement]]:
        found: dict[tuple[str, str], list[Statement]] = {}
        for post in self.posts:
            for fact in post.facts:
                found.setdefault((fact.product, fact.fact), []).append(
                    Statement(post.rel_path, post.display_path, fact.span.line if fact.span else None, fact.value))
        return found

    # -- the queries checks ask (each answer has a digest, see Trace) --------------------------------------

    def post_for_slug(self, slug: str) -> PostSummary | None:
        posts = self.by_slug.get(slug)
        return posts[0] if posts else None

    def post_for_path(self, rel_path: str) -> PostSummary | None:
        return self.by_path.get(rel_path)

    def posts_with_slug(self, slug: str) -> tuple[tuple[str, str], ...]:
        """(path, display path) of every post using ``slug``."""
        return tuple((p.rel_path, p.display_path) for p in self.by_slug.get(slug, ()))

    @cached_property
    def slugs(self) -> tuple[str, ...]:
        return tuple(self.by_slug)

    @cached_property
    def paths(self) -> tuple[str, ...]:
        return tuple(self.by_path)

    def has_file(self, rel_path: str) -> bool:
        return rel_path in self.files

    @cached_property
    def other_files(self) -> tuple[str, ...]:
        """Files that are not posts (images, documents), sorted."""
        return tuple(sorted(f for f in self.files if not f.endswith(".md")))

    @cached_property
    def titles(self) -> tuple[TitleRef, ...]:
        """Titles long enough to spot when a post names another one (8 characters or more)."""
        return tuple(TitleRef(p.title, p.rel_path, p.slug) for p in self.posts if len(p.title) >= 8)

    @cached_property
    def lowered_titles(self) -> tuple[str, ...]:
        """:attr:`titles` in lower case, in the same order: worked out once per corpus (every post with a quote
        compares it with them; 1,000 posts of a 1,000-post blog would lower a million titles)."""
        return tuple(t.title.lower() for t in self.titles)

    def statements(self, product: str, fact: str) -> tuple[Statement, ...]:
        return tuple(self._statements.get((product, fact), ()))

    def approval(self, rel_path: str) -> str | None:
        return (self.approvals or {}).get(rel_path)

    def ledger_problems(self) -> tuple[LedgerProblem, ...]:
        return tuple(self.ledger)

    def external_result(self, url: str) -> ExternalResult | None:
        return (self.external or {}).get(url)

    @cached_property
    def _digests(self) -> dict[tuple[str, tuple[Any, ...]], str]:
        return {}

    def answer_digest(self, name: str, args: tuple[Any, ...]) -> str:
        """The digest of a query's answer, worked out once per corpus (many posts ask the same)."""
        key = (name, args)
        found = self._digests.get(key)
        if found is None:
            found = self._digests[key] = digest(_ask(self, name, args))
        return found


QUERIES = ("post_for_slug", "post_for_path", "posts_with_slug", "slugs", "paths", "has_file", "other_files",
           "titles", "lowered_titles", "statements", "approval", "ledger_problems", "external_result")


def _ask(corpus: Corpus, name: str, args: tuple[Any, ...]) -> Any:
    value = getattr(corpus, name)
    return value(*args) if callable(value) else value


def digest(value: Any) -> str:
    """A short fingerprint of a query's answer. A post is fingerprinted by what other posts' checks can read
    of it (path, slug, title, whether it is readable, its anchors and headings), not by all of its text."""
    return hashlib.blake2b(_canonical(value).encode(), digest_size=10).hexdigest()


def _canonical(value: Any) -> str:
    from checks.summary import PostSummary

    if isinstance(value, PostSummary):
        return repr(("post", value.rel_path, value.display_path, value.slug, value.title, value.readable,
                     sorted(value.anchors), value.heading_anchors))
    if isinstance(value, tuple | list):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    return repr(value)


@dataclass
class Trace:
    """The queries one post's cross-post checks asked, with their answers' digests, in order."""

    asked: list[tuple[str, tuple[Any, ...], str]] = field(default_factory=list)

    def still_valid(self, corpus: Corpus) -> bool:
        return all(corpus.answer_digest(name, args) == answer for name, args, answer in self.asked)

    def to_list(self) -> list[list[Any]]:
        return [[name, list(args), answer] for name, args, answer in self.asked]

    @classmethod
    def from_list(cls, items: Iterable[list[Any]]) -> Trace:
        return cls([(name, tuple(args), answer) for name, args, answer in items])


class TracedCorpus:
    """The corpus as one post's checks see it: same queries, each recorded in ``trace``."""

    def __init__(self, corpus: Corpus, trace: Trace) -> None:
        self._corpus = corpus
        self.trace = trace
        self._seen: set[tuple[str, tuple[Any, ...]]] = set()

    def __getattr__(self, name: str) -> Any:
        if name not in QUERIES:
            raise AttributeError(f"cross-post checks read the corpus through queries only, not {name!r}")
        value = getattr(self._corpus, name)
        if not callable(value):
            self._record(name, ())
            return value

        def asked(*args: Any) -> Any:
            self._record(name, args)
            return value(*args)

        return asked

    def _record(self, name: str, args: tuple[Any, ...]) -> None:
        if (name, args) not in self._seen:
            self._seen.add((name, args))
            self.trace.asked.append((name, args, self._corpus.answer_digest(name, args)))

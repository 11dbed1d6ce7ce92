"""The review report: what every writer formats (JSON is the contract, medpress.review/1)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from checks.model import Finding, Severity
from checks.suppression_comments import Suppression, Waived

SCHEMA = "medpress.review/1"

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters written as escapes (``\\n``, ``\\x1b``): a file
    name or message holding them cannot break a report's line or send a terminal escape sequence."""
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


@dataclass(frozen=True)
class SuppressionRecord:
    """An inline suppression as the reports show it, for the audit: what it names and how many it waived."""

    rules: tuple[str, ...]
    reason: str
    line: int
    end_line: int | None  # None: to the end of the file
    form: str  # block | next-line
    waived: int

    @classmethod
    def of(cls, item: Suppression) -> SuppressionRecord:
        return cls(tuple(item.rules), item.reason, item.line, item.end_line, item.form, item.waived)

    def to_dict(self) -> dict[str, object]:
        return {"rules": list(self.rules), "reason": self.reason, "line": self.line, "end_line": self.end_line,
                "form": self.form, "waived": self.waived}


@dataclass
class PostReport:
    path: str
    slug: str
    title: str
    content_hash: str
    findings: list[Finding] = field(default_factory=list)
    metrics: dict[str, object] = field(default_factory=dict)
    waived: list[Waived] = field(default_factory=list)  # findings waived inline, with the reason
    suppressions: list[SuppressionRecord] = field(default_factory=list)  # every suppression, for the audit
    baselined: list[Finding] = field(default_factory=list)  # accepted by the CI baseline
    # an approved post's sign-off under the policy in force: state "approved" or "needs re-review" (with why)
    sign_off: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_re_review(self) -> bool:
        return self.sign_off.get("state") == "needs re-review"

    @property
    def failed(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def to_dict(self, listed: Callable[[Iterator[dict[str, object]]], Iterable[dict[str, object]]] = list,
                ) -> dict[str, object]:
        """The post as JSON data; ``listed`` makes each list (the JSON writer passes ``iter``, to write a long
        list of findings as it is made)."""
        return {"path": self.path, "slug": self.slug, "title": self.title, "content_hash": self.content_hash,
                "status": "fail" if self.failed else "pass", "metrics": self.metrics,
                "findings": listed(f.to_dict() for f in self.findings),
                "waived": listed(w.to_dict() for w in self.waived),
                "suppressions": listed(s.to_dict() for s in self.suppressions),
                "baselined": listed(f.to_dict() for f in self.baselined),
                **({"sign_off": self.sign_off} if self.sign_off else {})}


class ReviewReport:
    """The run's metadata and every post's report.

    Deliberately not a dataclass: Prefect walks a flow's return value looking for futures, a dataclass field
    by field down to every finding. That walk took 3.7 of 5.1 s of a warm 1,000-post flow run; a plain object
    is not entered.
    """

    __slots__ = ("posts", "run")
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __init__(self, run: dict[str, object], posts: list[PostReport]) -> None:
        self.run = run
        self.posts = posts

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReviewReport):
            return NotImplemented
        return (self.run, self.posts) == (other.run, other.posts)

    def __repr__(self) -> str:
        return f"ReviewReport(run={self.run!r}, posts={self.posts!r})"

    @property
    def findings(self) -> list[Finding]:
        return [f for post in self.posts for f in post.findings]

    def summary(self) -> dict[str, int]:
        counts = Counter(f.severity for f in self.findings)
        failed = sum(post.failed for post in self.posts)
        return {"posts": len(self.posts), "passed": len(self.posts) - failed, "failed": failed,
                "errors": counts[Severity.ERROR], "warnings": counts[Severity.WARNING],
                "infos": counts[Severity.INFO], "waived": sum(len(p.waived) for p in self.posts)}

    def reaches(self, fail_on: str) -> bool:
        """True when a finding is at or above ``fail_on`` (error, warning; never is never)."""
        if fail_on == "never":
            return False
        floor = Severity(fail_on).rank
        return any(f.severity.rank >= floor for f in self.findings)

    def to_dict(self) -> dict[str, object]:
        return {"schema": SCHEMA, "run": self.run, "summary": self.summary(),
                "posts": [post.to_dict() for post in self.posts]}

"""The data every check shares: severities, rules and findings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 1, "warning": 2, "error": 3}[self.value]


@dataclass(frozen=True)
class Rule:
    """A stable rule: its id never changes meaning (like pycodestyle's codes).

    ``failing`` and ``passing`` are example inputs: a post's source, or several files joined with
    ``==> name <==`` header lines (see :func:`checks.examples.split_example`). Tests run every example.
    """

    id: str
    name: str
    check: str
    severity: Severity
    rationale: str
    failing: str
    passing: str
    corpus: bool = False  # True when the rule needs every post (runs after all are read)
    details: str = ""  # longer guidance `medpress explain` prints (e.g. what counts as a citation)


@dataclass(frozen=True)
class Finding:
    check: str
    rule: str
    severity: Severity
    message: str
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    excerpt: str = ""
    suggestion: str = ""

    def to_dict(self) -> dict[str, object]:
        # Field by field: dataclasses.asdict deep-copies recursively, a tenth of a second per 1,000 posts.
        return {"check": self.check, "rule": self.rule, "severity": self.severity.value, "message": self.message,
                "line": self.line, "column": self.column, "end_line": self.end_line, "end_column": self.end_column,
                "excerpt": self.excerpt, "suggestion": self.suggestion}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Finding:
        return cls(**{**data, "severity": Severity(data["severity"])})  # type: ignore[arg-type]

    def sort_key(self) -> tuple[int, int, str]:
        return (self.line or 0, self.column or 0, self.rule)


@dataclass(frozen=True)
class Span:
    """A range in the raw file: 1-based line and column, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    def to_list(self) -> list[int]:
        """Compact, for cache files."""
        return [self.line, self.column, self.end_line, self.end_column]

    @classmethod
    def from_list(cls, value: list[int] | None) -> Span | None:
        return None if value is None else cls(*value)


def finding(rule: Rule, message: str, span: Span | None = None, *, excerpt: str = "",
            suggestion: str = "", severity: Severity | None = None) -> Finding:
    """Build a finding for ``rule``; the one constructor checks use."""
    return Finding(
        check=rule.check,
        rule=rule.id,
        severity=severity or rule.severity,
        message=message,
        line=span.line if span else None,
        column=span.column if span else None,
        end_line=span.end_line if span else None,
        end_column=span.end_column if span else None,
        excerpt=excerpt,
        suggestion=suggestion,
    )


@dataclass
class PostResult:
    """What the per-post checks return: findings and measured metrics."""

    findings: list[Finding] = field(default_factory=list)
    metrics: dict[str, object] = field(default_factory=dict)

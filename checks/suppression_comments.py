"""Inline suppressions: a waiver an auditor can follow, never a silent mute. The comments are read here (the
post's context parses them once, the summary keeps them) and applied by the pipeline; the check is
:mod:`checks.suppressions`.

    <!-- medpress-disable CLM004 reason="Off-label use disclosed in the linked FAQ; approved by J. Doe" -->
    ...
    <!-- medpress-enable CLM004 -->

    <!-- medpress-disable-next-line GR-MORFOLOGIK_RULE_EN_US reason="Clinic name" -->

Rules are ids (CLM004, GR-THEIR_IS) or names (off-label-undisclosed), comma-separated. A reason is
required: without one the suppression is itself an error and waives nothing. Every suppression is listed
in every report with what it waived; one that waived nothing is reported too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from checks.document import Post
from checks.model import Finding, Rule, Severity, Span, finding

CHECK = "suppressions"

_HEAD = "---\ntitle: Botox basics\nslug: botox-basics\ndate: 2024-05-01\n---\n"

NO_REASON = Rule("SUP001", "suppression-without-reason", CHECK, Severity.ERROR,
                 "A waiver without a reason cannot be audited; it waives nothing until one is given.",
                 _HEAD + "<!-- medpress-disable-next-line LNK001 -->\n[old post](/blog/gone/)\n",
                 _HEAD + "<!-- medpress-disable-next-line LNK001 reason=\"Post restored next week\" -->\n"
                         "[old post](/blog/gone/)\n")
UNKNOWN_RULE = Rule("SUP002", "suppression-of-unknown-rule", CHECK, Severity.ERROR,
                    "A suppression naming no real rule is a typo that leaves the finding unwaived.",
                    _HEAD + "<!-- medpress-disable-next-line LNK999 reason=\"x\" -->\nText.\n",
                    _HEAD + "<!-- medpress-disable-next-line LNK001 reason=\"x\" -->\n[old](/blog/gone/)\n")
UNUSED = Rule("SUP003", "unused-suppression", CHECK, Severity.WARNING,
              "A suppression whose rule never fired is stale; remove it so it cannot hide a future problem.",
              _HEAD + "<!-- medpress-disable-next-line LNK001 reason=\"Post restored next week\" -->\nText.\n",
              _HEAD + "<!-- medpress-disable-next-line LNK001 reason=\"Post restored next week\" -->\n"
                      "[old post](/blog/gone/)\n")
RULES = (NO_REASON, UNKNOWN_RULE, UNUSED)

_COMMENT = re.compile(r"<!--\s*medpress-(?P<verb>disable-next-line|disable|enable)\b(?P<body>.*?)-->", re.S)
_REASON = re.compile(r"""reason\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""")


@dataclass(frozen=True)
class Waived:
    """A finding waived by an inline suppression: the finding, the reason given and the suppression's line."""

    finding: Finding
    reason: str
    suppression_line: int

    def to_dict(self) -> dict[str, object]:
        return {"finding": self.finding.to_dict(), "reason": self.reason, "suppression_line": self.suppression_line}


@dataclass
class Suppression:
    rules: tuple[str, ...]
    reason: str
    line: int
    end_line: int | None  # None: to the end of the file
    form: str  # block | next-line
    line_span: Span | None = None  # the comment's first line, where an unused suppression is reported
    line_excerpt: str = ""
    waived: int = 0
    problems: list[Finding] = field(default_factory=list)

    def covers(self, item: Finding) -> bool:
        if item.rule not in self.rules:
            return False
        if item.line is None:  # a whole-post finding: only a block left open to the end covers it
            return self.form == "block" and self.end_line is None
        return self.line <= item.line and (self.end_line is None or item.line <= self.end_line)

    def to_dict(self) -> dict[str, object]:
        return {"rules": list(self.rules), "reason": self.reason, "line": self.line, "end_line": self.end_line,
                "form": self.form, "waived": self.waived}

    def to_state(self) -> dict[str, Any]:
        """Everything, for the cache (:meth:`to_dict` is what reports show)."""
        return {**self.to_dict(), "line_span": self.line_span.to_list() if self.line_span else None,
                "line_excerpt": self.line_excerpt, "problems": [p.to_dict() for p in self.problems]}

    @classmethod
    def from_state(cls, data: dict[str, Any]) -> Suppression:
        return cls(tuple(data["rules"]), data["reason"], data["line"], data["end_line"], data["form"],
                   Span.from_list(data["line_span"]), data["line_excerpt"], data["waived"],
                   [Finding.from_dict(p) for p in data["problems"]])


def parse(post: Post, known: Iterable[str], names: dict[str, str]) -> list[Suppression]:
    """The post's suppression comments; problems (no reason, unknown rule) are attached to each."""
    if not post.readable:
        return []
    known_ids = set(known)
    found: list[Suppression] = []
    open_blocks: dict[str, Suppression] = {}
    for match in _COMMENT.finditer(post.text, post.body_start):
        line = post.source.position(match.start())[0]
        end_line = post.source.position(match.end())[0]
        body = match["body"]
        reason_match = _REASON.search(body)
        reason = (reason_match["dq"] if reason_match and reason_match["dq"] is not None
                  else reason_match["sq"] if reason_match else "") or ""
        words = _REASON.sub("", body).replace(",", " ").split()
        rules = tuple(names.get(w.lower(), w.upper() if not w.upper().startswith("GR-") else "GR-" + w[3:])
                      for w in words)
        span = post.source.span(match.start(), match.end())
        if match["verb"] == "enable":
            for rule in rules:
                block = open_blocks.pop(rule, None)
                if block is not None:
                    block.end_line = line
            continue
        form = "next-line" if match["verb"] == "disable-next-line" else "block"
        item = Suppression(rules, reason.strip(), line, end_line + 1 if form == "next-line" else None, form,
                           post.source.line_span(line), post.source.line_text(line).strip())
        if not item.reason:
            item.problems.append(finding(NO_REASON, "suppression without a reason waives nothing", span,
                                         excerpt=match.group(0),
                                         suggestion='Say why, for the audit: reason="..."'))
        for rule in rules:
            if rule not in known_ids and not rule.startswith("GR-"):
                item.problems.append(finding(UNKNOWN_RULE, f"suppression names unknown rule '{rule}'", span,
                                             excerpt=match.group(0), suggestion="Use an id from `medpress rules`."))
        if not rules:
            item.problems.append(finding(UNKNOWN_RULE, "suppression names no rule", span, excerpt=match.group(0),
                                         suggestion="Name the rule ids to waive, e.g. CLM004."))
        if form == "block":
            for rule in rules:
                open_blocks[rule] = item
        found.append(item)
    return found


def apply(findings: Sequence[Finding], parsed: Sequence[Suppression],
          ) -> tuple[list[Finding], list[Waived], list[Finding], list[Suppression]]:
    """(findings kept, waived findings with their reasons, problems with the suppressions themselves, the
    suppressions with what each waived counted). ``parsed`` is left as it is."""
    suppressions = [replace(s, problems=list(s.problems), waived=0) for s in parsed]
    kept: list[Finding] = []
    waived: list[Waived] = []
    valid = [s for s in suppressions if not s.problems]
    for item in findings:
        cover = next((s for s in valid if s.covers(item)), None)
        if cover is None:
            kept.append(item)
            continue
        cover.waived += 1
        waived.append(Waived(item, cover.reason, cover.line))
    problems = [p for s in suppressions for p in s.problems]
    for item in valid:
        if item.waived == 0:
            problems.append(finding(UNUSED, f"suppression of {', '.join(item.rules)} waived nothing", item.line_span,
                                    excerpt=item.line_excerpt,
                                    suggestion="Remove the suppression (its rule no longer fires here)."))
    return kept, waived, problems, suppressions

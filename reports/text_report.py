"""Terminal output in the style of ruff: ``path:line:col: RULE message``, then a summary."""

from __future__ import annotations

from reports.model import ReviewReport, one_line
from reports.wording import plural


def render(report: ReviewReport, *, color: bool = False) -> str:
    lines = []
    for post in report.posts:
        for item in post.findings:
            path = one_line(post.path)
            where = f"{path}:{item.line}:{item.column}" if item.line else path
            severity = item.severity.value
            if color:
                code = {"error": "31", "warning": "33", "info": "36"}[severity]
                severity = f"\033[{code}m{severity}\033[0m"
            lines.append(f"{where}: {one_line(item.rule)} [{severity}] {one_line(item.message)}")
            if item.suggestion:
                lines.append(f"    help: {one_line(item.suggestion)}")
    summary = report.summary()
    lines.append("")
    lines.append(f"{plural(summary['posts'], 'post')} reviewed: {summary['passed']} passed, {summary['failed']} failed "
                 f"({plural(summary['errors'], 'error')}, {plural(summary['warnings'], 'warning')}, "
                 f"{plural(summary['infos'], 'info')})")
    for post in report.posts:
        grade = (post.metrics.get("readability") or {}).get("grade")  # type: ignore[union-attr]
        grade_text = f"grade {grade:.1f}" if isinstance(grade, float) else "grade -"
        mark = "FAIL" if post.failed else "pass"
        lines.append(f"  {mark}  {one_line(post.path)}  ({plural(len(post.findings), 'finding')}, {grade_text})")
    skipped = report.run.get("skipped") or []
    if skipped:
        lines.append("skipped: " + "; ".join(one_line(str(s)) for s in skipped))  # type: ignore[union-attr]
    return "\n".join(lines) + "\n"

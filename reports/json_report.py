"""The JSON report (schema medpress.review/1), documented in README.md."""

from __future__ import annotations

import json

from reports.model import ReviewReport


def render(report: ReviewReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"

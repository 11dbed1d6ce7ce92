"""The one place that turns offsets in a raw file into line and column."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

from checks.model import Span


class SourceMap:
    """Maps character offsets of the decoded file to 1-based line and column (in characters)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts = [0, *accumulate(len(line) + 1 for line in text.split("\n")[:-1])]

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        index = bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(max(start, end))
        return Span(line, column, end_line, end_column)

    def line_span(self, line: int) -> Span:
        """The whole of 1-based ``line``."""
        start = self._line_starts[min(line, len(self._line_starts)) - 1]
        end = self.text.find("\n", start)
        return self.span(start, len(self.text) if end < 0 else end)

    def line_text(self, line: int) -> str:
        span = self.line_span(line)
        start = self._line_starts[span.line - 1]
        return self.text[start : start + span.end_column - 1]

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

"""Long runs show posts done, the total and an ETA."""

from __future__ import annotations

import io

from flows.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_counts_and_reports_on_a_terminal() -> None:
    out = Terminal()
    progress = Progress(100, stream=out, every=0.0)
    for _ in range(4):
        progress.advance(25)
    lines = [line for line in out.getvalue().replace("\r", "\n").splitlines() if line]
    assert lines[0].startswith("25/100 posts checked (") and "ETA" in lines[0]
    assert lines[-1].startswith("100/100 posts checked") and lines[-1].endswith("done)")


def test_short_runs_and_pipes_stay_quiet() -> None:
    quiet = Terminal()
    Progress(10, stream=quiet).advance(10)
    assert quiet.getvalue() == ""
    piped = io.StringIO()
    Progress(100, stream=piped, every=0.0).advance(100)
    assert piped.getvalue() == ""

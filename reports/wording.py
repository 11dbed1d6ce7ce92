"""Words for counts, shared by every writer and the CLI."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 post', '2 posts', '1 finding'."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"

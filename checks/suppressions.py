"""suppressions: every inline suppression comment gives a reason, names a known rule and waives something.
The comments are read and applied by :mod:`checks.suppression_comments` (shared: the context and the pipeline
use it); this is the check's unit, whose rules those problems are reported under."""

from __future__ import annotations

from checks.suppression_comments import CHECK, RULES

__all__ = ["CHECK", "RULES", "Suppressions"]


class Suppressions:
    """Inline suppression comments: each gives a reason, names a known rule, and is used."""

    name = CHECK
    rules = RULES

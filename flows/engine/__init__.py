"""The plain review engine: read posts, check them on worker processes, assemble the report (no Prefect)."""

"""Servers and outside services: LanguageTool, external links over HTTP, the per-user Prefect server."""

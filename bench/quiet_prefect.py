"""Imported first by the benchmark scripts, before anything imports Prefect: its logs off the terminal and
its analytics off, so timings are not spent printing."""

import os

os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
for _key in ("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "PREFECT_LOGGING_HANDLERS_CONSOLE_FLOW_RUNS_LEVEL",
             "PREFECT_LOGGING_HANDLERS_CONSOLE_TASK_RUNS_LEVEL"):
    os.environ.setdefault(_key, "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

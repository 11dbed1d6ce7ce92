"""The review flow's tasks take small handles (issue 15 item 5): Prefect walks every task argument looking for
futures, into lists, dicts, dataclasses and pydantic models (every post, every finding: most of a flow run's
overhead once), and never into a handle."""

from __future__ import annotations

import inspect
import typing
from datetime import datetime
from pathlib import Path

from prefect import Task
from prefect.utilities.collections import visit_collection

import flows.review as review_flow
from flows.engine.steps import ReviewOptions, make_plan, read_sources, result_cache
from flows.review import Batch, ReviewRun
from tests.conftest import CONTENT

HANDLES = {ReviewRun, Batch, bool, datetime}  # a handle, or a scalar


def _tasks() -> dict[str, Task]:
    return {name: value for name, value in vars(review_flow).items() if isinstance(value, Task)}


def test_every_task_of_the_review_flow_takes_only_handles_and_scalars() -> None:
    tasks = _tasks()
    assert set(tasks) == {"read_posts_task", "check_posts_task", "fetch_external_task", "grammar_task",
                          "assemble_task"}
    for name, task in tasks.items():
        hints = typing.get_type_hints(task.fn)
        hints.pop("return")
        assert set(hints) == set(inspect.signature(task.fn).parameters), name
        assert set(hints.values()) <= HANDLES, (name, hints)


def test_prefect_does_not_walk_into_a_handle(tmp_path: Path) -> None:
    plan = make_plan(ReviewOptions(CONTENT, grammar=False, use_cache=False))
    cache = result_cache(plan)
    sources = read_sources(plan, cache, start_workers=False)
    assert len(sources.todo) > 5
    seen: list[object] = []

    def visit(expr: object) -> object:
        seen.append(expr)
        return expr

    for handle in (ReviewRun(plan, cache), Batch(plan.policy, sources.todo)):
        seen.clear()
        visit_collection(handle, visit, return_data=False)
        assert seen == [handle]
    seen.clear()
    visit_collection(sources.todo, visit, return_data=False)  # the posts as the task was given them before
    assert len(seen) > 3 * len(sources.todo)  # the list, each post, each of its fields
    cache.close()

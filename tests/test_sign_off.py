"""Compliance signs off from the Prefect UI: a paused flow run, a typed form, the same ledger."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from flows.store import ledger, signing
from tests.conftest import write_post
from tests.signing import register_reviewer

pytestmark = pytest.mark.usefixtures("prefect_api")

ADVICE = ("This article is for general education and is not medical advice. Talk to a qualified healthcare "
          "provider about your own health before you start any treatment.")


def _paused_run(path: str, timeout: float = 60):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                type=FlowRunFilterStateType(any_=[StateType.PAUSED]))))
            for run in runs:
                if run.parameters.get("path") == path:
                    return run
            time.sleep(0.5)
    raise AssertionError("the sign-off flow run never paused for input")


def _start(content: Path, path: Path) -> tuple[threading.Thread, dict]:
    from flows.publish_flow import sign_off

    outcome: dict = {}

    def run() -> None:
        outcome["result"] = sign_off(path=str(path), content=str(content), grammar=False, timeout_seconds=120,
                                     poll_interval_seconds=1)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_an_approval_given_in_the_prefect_form_lands_in_the_ledger(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.flow_runs import resume_flow_run

    content = tmp_path / "content"
    post = write_post(content, "p.md", f"---\ntitle: P\nslug: p\ndate: 2024-05-01\n---\nPlain text.\n\n{ADVICE}\n")
    key = register_reviewer(content, "ann-lee", "compliance-lead")
    monkeypatch.setenv(signing.key_env_for("ann-lee"), str(key))  # the worker holds the reviewer's key
    thread, outcome = _start(content, post)
    run = _paused_run(str(post))
    resume_flow_run(run.id, run_input={"reviewer": "ann-lee", "decision": "approve",
                                       "note": "Checked against the label"})
    thread.join(timeout=60)
    assert outcome["result"]["decision"] == "approve"
    [event] = ledger.events(content)
    assert (event.action, event.reviewer, event.role, event.source, event.note) == (
        "approve", "ann-lee", "compliance-lead", "prefect-ui", "Checked against the label")
    assert ledger.read(content).sound  # signed with ann-lee's key, chained


def test_the_form_refuses_without_the_reviewers_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.flow_runs import resume_flow_run

    content = tmp_path / "content"
    post = write_post(content, "r.md", f"---\ntitle: R\nslug: r\ndate: 2024-05-01\n---\nPlain text.\n\n{ADVICE}\n")
    register_reviewer(content, "ann-lee", "compliance-lead")
    monkeypatch.delenv(signing.KEY_ENV, raising=False)
    monkeypatch.delenv(signing.key_env_for("ann-lee"), raising=False)
    thread, outcome = _start(content, post)
    run = _paused_run(str(post))
    resume_flow_run(run.id, run_input={"reviewer": "ann-lee", "decision": "approve"})
    thread.join(timeout=60)
    assert outcome["result"]["decision"] == "refused" and "needs ann-lee's SSH key" in outcome["result"]["reason"]
    assert ledger.events(content) == []


def test_a_rejection_records_nothing(tmp_path: Path) -> None:
    from prefect.flow_runs import resume_flow_run

    content = tmp_path / "content"
    post = write_post(content, "q.md", f"---\ntitle: Q\nslug: q\ndate: 2024-05-01\n---\nPlain text.\n\n{ADVICE}\n")
    thread, outcome = _start(content, post)
    run = _paused_run(str(post))
    resume_flow_run(run.id, run_input={"reviewer": "ann-lee", "decision": "reject", "note": "Needs a source"})
    thread.join(timeout=60)
    assert outcome["result"]["decision"] == "reject"
    assert ledger.events(content) == []

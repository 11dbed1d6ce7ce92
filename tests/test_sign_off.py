"""Compliance signs off from the Prefect UI: a paused flow run, a post chosen from a list, a typed form without a
default decision, the post's findings as an artifact, the same ledger; a refused approval ends Failed."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from flows.store import ledger, signing
from tests.conftest import ADVICE, write_post
from tests.signing import register_reviewer

pytestmark = pytest.mark.usefixtures("prefect_api")



def _paused(flow_run_id: UUID, pauses: int, timeout: float = 90) -> Any:
    """The run once it has paused ``pauses`` times (the first pause chooses the post, the second decides)."""
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            run = client.read_flow_run(flow_run_id)
            keyset = run.state.state_details.run_input_keyset if run.state else None
            if run.state and run.state.is_paused() and keyset and keyset["response"].endswith(f"-{pauses}-response"):
                return run
            time.sleep(0.5)
    raise AssertionError(f"the sign-off flow run never paused for input #{pauses}")


def _form_schema(run: Any) -> dict:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run_input(run.id, run.state.state_details.run_input_keyset["schema"])


def _start(content: Path) -> tuple[threading.Thread, dict]:
    from flows.publish_flow import sign_off

    outcome: dict = {}

    def run() -> None:
        outcome["state"] = sign_off(content=str(content), grammar=False, timeout_seconds=120,
                                    poll_interval_seconds=1, return_state=True)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _flow_run_id(content: Path, timeout: float = 60) -> UUID:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
    from prefect.client.schemas.objects import StateType

    paused = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])))
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            for run in client.read_flow_runs(flow_run_filter=paused):
                if run.parameters.get("content") == str(content):
                    return run.id
            time.sleep(0.5)
    raise AssertionError("the sign-off flow run never paused")


def _choose(content: Path, post: str) -> Any:
    """Pick ``post`` in the first form; the run returned is paused at the decision form."""
    import json

    from prefect.flow_runs import resume_flow_run

    run = _paused(_flow_run_id(content), 1)
    schema = json.loads(_form_schema(run))
    assert schema["properties"]["post"]["enum"] == ["posts/bad.md", "posts/ok.md"]  # awaiting review only
    resume_flow_run(run.id, run_input={"post": post})
    return _paused(run.id, 2)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    write_post(folder, "ok.md", f"---\ntitle: Ok\nslug: ok\ndate: 2024-05-01\n---\nPlain text.\n\n{ADVICE}\n")
    write_post(folder, "bad.md", "---\ntitle: Bad\nslug: bad\ndate: 2024-05-01\n---\nSee [x](/blog/nope/) and "
                                 "[y](/blog/gone/). Results before and after, guaranteed.\n")
    write_post(folder, "draft.md", "---\ntitle: D\nslug: d\ndate: 2024-05-01\nstatus: draft\n---\nNot yet.\n")
    return folder


def test_an_approval_chosen_from_the_list_lands_in_the_ledger(content: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from prefect.flow_runs import resume_flow_run

    key = register_reviewer(content, "ann-lee", "compliance-lead")
    register_reviewer(content, "ed", "editor")
    monkeypatch.setenv(signing.key_env_for("ann-lee"), str(key))  # the worker holds the reviewer's key
    thread, outcome = _start(content)
    run = _choose(content, "posts/ok.md")
    form = json.loads(_form_schema(run))
    assert form["properties"]["reviewer"]["enum"] == ["ann-lee", "ed"]
    assert form["properties"]["role"]["enum"] == ["compliance-lead", "editor", "medical-director"]
    assert "default" not in form["properties"]["decision"] and "decision" in form["required"]
    assert "override_reason" not in form["properties"]  # the post has no error to override
    resume_flow_run(run.id, run_input={"reviewer": "ann-lee", "role": "compliance-lead", "decision": "approve",
                                       "note": "Checked against the label"})
    thread.join(timeout=60)
    assert outcome["state"].is_completed() and outcome["state"].result()["decision"] == "approve"
    [event] = ledger.events(content)
    assert (event.action, event.path, event.reviewer, event.role, event.source, event.note) == (
        "approve", "posts/ok.md", "ann-lee", "compliance-lead", "prefect-ui", "Checked against the label")
    assert ledger.read(content).sound  # signed with ann-lee's key, chained


def test_the_paused_run_shows_every_error_and_a_refusal_ends_failed(content: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.flow_runs import resume_flow_run

    from flows.engine.steps import ReviewOptions, review_plain

    register_reviewer(content, "ann-lee", "compliance-lead")
    monkeypatch.delenv(signing.KEY_ENV, raising=False)
    monkeypatch.delenv(signing.key_env_for("ann-lee"), raising=False)
    thread, outcome = _start(content)
    run = _choose(content, "posts/bad.md")
    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])))
    report = review_plain(ReviewOptions(content, [content / "posts" / "bad.md"], None, False))
    errors = [f for f in report.posts[0].findings if f.severity.value == "error"]
    assert len(errors) >= 3 and "**Verdict: FAIL**" in artifact.data
    assert artifact.data.count("- **error**") == len(errors)  # all of them, not the first five
    assert "\\b" not in artifact.data and "(?:" not in artifact.data  # no raw regular expression
    resume_flow_run(run.id, run_input={"reviewer": "ann-lee", "role": "compliance-lead", "decision": "approve",
                                       "override_reason": "Checked"})
    thread.join(timeout=60)
    state = outcome["state"]
    assert state.is_failed() and "needs ann-lee's SSH key" in state.message
    assert state.message.startswith("approval of ") and "refused" in state.message
    assert ledger.events(content) == []


def test_requesting_changes_records_nothing(content: Path) -> None:
    from prefect.flow_runs import resume_flow_run

    register_reviewer(content, "ann-lee", "compliance-lead")
    thread, outcome = _start(content)
    run = _choose(content, "posts/ok.md")
    resume_flow_run(run.id, run_input={"reviewer": "ann-lee", "role": "compliance-lead",
                                       "decision": "request changes", "note": "Needs a source"})
    thread.join(timeout=60)
    assert outcome["state"].result()["decision"] == "request changes"
    assert ledger.events(content) == []

"""The sign-off forms shown in the Prefect UI, and the artifact a paused sign-off run shows the reviewer.

The forms are built for the content folder at hand: the post is chosen from the posts awaiting review, the
reviewer and role from the policy's lists, and the decision has no default (a reviewer must pick one). The
artifact lists the post's verdict and every error, as escaped Markdown (a message quoting a regular expression
stays readable), so the reviewer decides on what medpress found, not on a summary of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from prefect.input import RunInput
from pydantic import Field, create_model

from checks.model import Severity
from checks.policy import Policy
from flows.engine import ingest
from flows.publish.roles import policy_roles
from flows.publish.signoff import status
from reports.markdown_summary import _code, _text
from reports.model import PostReport

# The states of a post that wants a compliance decision (``medpress status``'s words).
AWAITING = ("in review", "stale", "needs re-review")
DECISIONS = ("approve", "request changes")


def awaiting_review(content_dir: Path) -> dict[str, str]:
    """Content-relative post path -> its state, for every post awaiting a decision (the order of ``status``)."""
    by_display = {ingest.display_path(content_dir / rel): rel
                  for rel in ingest.post_paths(content_dir, ingest.content_files(content_dir))}
    return {by_display[row.path]: row.state for row in status(content_dir)
            if row.state in AWAITING and row.path in by_display}


def choose_post_form(posts: dict[str, str]) -> type[RunInput]:
    """A form whose only field is a list of the posts awaiting review."""
    listed = "\n".join(f"- {_code(rel)}: {state}" for rel, state in posts.items())
    model = create_model("ChoosePost", __base__=RunInput,
                         post=(Literal[tuple(posts)], Field(description="the post to sign off")))  # type: ignore[valid-type]
    return model.with_initial_data(description=f"Choose the post to sign off ({len(posts)} awaiting review):\n\n"
                                               + listed)


def decision_form(policy: Policy, post: PostReport) -> type[RunInput]:
    """Reviewer and role from the policy's lists, a decision without a default, an override reason only where
    the post has errors."""
    reviewers = tuple(member.id for member in policy.reviewers) or ("(no reviewer in reviewers.yaml)",)
    fields: dict[str, object] = {
        "reviewer": (Literal[reviewers], Field(description="your id in the policy's reviewers.yaml")),  # type: ignore[valid-type]
        "role": (Literal[tuple(policy_roles(policy))], Field(description="your role in the policy")),  # type: ignore[valid-type]
        "decision": (Literal[DECISIONS], Field(description="no default: choose one")),
        "note": (str, Field("", description="what you checked, or what must change")),
    }
    errors = _errors(post)
    if errors:
        fields["override_reason"] = (str, Field("", description=(
            f"only to approve despite the {len(errors)} error(s), and only for roles "
            f"{', '.join(policy.general.publishing.override_roles)}")))
    model = create_model("SignOff", __base__=RunInput, **fields)  # type: ignore[call-overload]
    verdict = f"fails with {len(errors)} error(s)" if errors else "passes its review"
    return model.with_initial_data(description=f"Sign off {_code(post.path)}: it {verdict}. Its findings are in "
                                               "this run's artifact (Artifacts tab).")


def _errors(post: PostReport) -> list:
    return [f for f in post.findings if f.severity is Severity.ERROR]


def findings_markdown(post: PostReport) -> str:
    """The post's verdict and every finding, errors first, as escaped Markdown lists."""
    errors = _errors(post)
    lines = [f"## Sign-off: {_code(post.path)}", ""]
    if post.title:
        lines += [f"**{_text(post.title)}** (version {_code(post.content_hash[:19])})", ""]
    lines += [f"**Verdict: {'FAIL' if errors else 'PASS'}** ({len(errors)} errors, "
              f"{sum(f.severity is Severity.WARNING for f in post.findings)} warnings)", ""]
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    for item in sorted(post.findings, key=lambda f: (order.get(f.severity, 3), f.line or 0)):
        where = f"line {item.line}" if item.line else "post"
        fix = f"  \n  Fix: {_text(item.suggestion)}" if item.suggestion else ""
        lines.append(f"- **{item.severity.value}** {_code(item.rule)} {where}: {_text(item.message)}{fix}")
    for waiver in post.waived:
        lines.append(f"- waived {_code(waiver.finding.rule)} line {waiver.finding.line}: "
                     f"{_text(waiver.finding.message)} (reason: {_text(waiver.reason)})")
    if not post.findings and not post.waived:
        lines.append("No findings.")
    return "\n".join(lines) + "\n"

"""The roles a policy knows: the reviewers' roles and the roles that may override (reviewers.yaml, policy.yaml).

``medpress approve --role`` and the sign-off form offer and accept only these; a role is still checked against the
reviewer's own role in policy, never granted by the flag or the form.
"""

from __future__ import annotations

from checks.policy import Policy

# The finding that the front matter says approved while the ledger has no sign-off of this version: the approval
# being given is what resolves it, so it never blocks that approval.
RESOLVED_BY_APPROVAL = frozenset({"PUB001"})


def policy_roles(policy: Policy) -> list[str]:
    return sorted({member.role for member in policy.reviewers} | set(policy.general.publishing.override_roles))


def check_role(policy: Policy, role: str) -> str | None:
    """Why ``role`` cannot be used (None when it is one of the policy's roles)."""
    known = policy_roles(policy)
    if not role.strip():
        return f"a role is required (--role): one of {', '.join(known)}"
    if role not in known:
        return f"'{role}' is not a role in the policy; roles: {', '.join(known)}"
    return None

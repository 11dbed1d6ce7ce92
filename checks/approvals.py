"""approvals: a post marked approved needs a matching sign-off, and sign-offs count only from a sound ledger.

The ledger itself is read and verified outside the checks (``flows.store.ledger``: the hash chain, each
event's SSH signature against the policy's reviewers and keys, roles and overrides against policy); what
did not hold up reaches this check as the corpus's ``ledger_problems``. A problem is reported on the post
its line names, and on every post holding a sign-off, since none counts until the ledger is repaired.
"""

from __future__ import annotations

from checks.corpus import Corpus, LedgerProblem
from checks.model import Finding, Rule, Severity, finding
from checks.policy import Policy
from checks.summary import PostSummary

CHECK = "approvals"
LEDGER = "ledger/approvals.jsonl"

_POST = "==> posts/p.md <==\n---\ntitle: P\nslug: p\ndate: 2024-05-01\n---\nText.\n"
_APPROVED = "==> posts/p.md <==\n---\ntitle: P\nslug: p\ndate: 2024-05-01\nstatus: approved\n---\nText.\n"

UNSIGNED_APPROVED = Rule(
    "PUB001", "approved-without-signoff", CHECK, Severity.ERROR,
    "Only a compliance sign-off of this exact version (medpress approve) approves a post; the front matter "
    "alone does not.",
    _APPROVED,
    "==> posts/p.md <==\n---\ntitle: P\nslug: p\ndate: 2024-05-01\nstatus: review\n---\nText.\n",
    corpus=True)
CHAIN_BROKEN = Rule(
    "PUB002", "ledger-chain-broken", CHECK, Severity.ERROR,
    "Each ledger event carries the hash of the one before it; a line edited, removed or inserted by hand "
    "breaks the chain, and no sign-off counts until it is repaired.",
    # ledger-problems.json stands for what verifying the ledger found (examples never run ssh-keygen).
    _POST + '==> ledger-problems.json <==\n[[2, "posts/p.md", "chain", "the previous-event hash does not '
            'match line 1"]]\n',
    _POST + "==> ledger-problems.json <==\n[]\n",
    corpus=True)
UNVERIFIED_SIGNOFF = Rule(
    "PUB003", "unverified-signoff", CHECK, Severity.ERROR,
    "A sign-off counts only with an SSH signature by a key the policy lists for that reviewer; an unsigned or "
    "forged line approves nothing.",
    _POST + '==> ledger-problems.json <==\n[[1, "posts/p.md", "signature", "the event is not signed"]]\n',
    _POST + "==> ledger-problems.json <==\n[]\n",
    corpus=True)
UNAUTHORISED_SIGNOFF = Rule(
    "PUB004", "unauthorised-signoff", CHECK, Severity.ERROR,
    "A reviewer's role comes from policy, and only roles in publishing.override_roles may approve despite "
    "errors; an event claiming more is void.",
    _POST + '==> ledger-problems.json <==\n[[1, "posts/p.md", "authority", "the event claims role '
            'compliance-lead; policy lists ann as editor"]]\n',
    _POST + "==> ledger-problems.json <==\n[]\n",
    corpus=True)
RULES = (UNSIGNED_APPROVED, CHAIN_BROKEN, UNVERIFIED_SIGNOFF, UNAUTHORISED_SIGNOFF)
_BY_KIND = {"chain": CHAIN_BROKEN, "signature": UNVERIFIED_SIGNOFF, "authority": UNAUTHORISED_SIGNOFF}
_FIX = (f"Restore {LEDGER} from git (it is append-only: events are only ever added by `medpress approve` "
        "and `medpress revoke`), then sign off again where needed.")


def check_in_corpus(post: PostSummary, corpus: Corpus, policy: Policy) -> list[Finding]:
    found = _ledger_findings(post, corpus)
    if post.status != "approved":
        return found
    signed = corpus.approval(post.rel_path)
    if signed == post.content_hash:
        return found
    where = post.fields.get("status")
    why = "no approval in the ledger" if signed is None else "the approved version was edited since sign-off"
    return [*found, finding(UNSIGNED_APPROVED, f"front matter says approved, but {why}",
                            where.span if where else None,
                            suggestion="Ask compliance to run `medpress approve` on this version, or set status: "
                                       "review.")]


def _ledger_findings(post: PostSummary, corpus: Corpus) -> list[Finding]:
    problems = corpus.ledger_problems()
    if not problems:
        return []
    mine = [p for p in problems if p.path == post.rel_path]
    if mine:
        return [_finding(p, "") for p in mine]
    if corpus.approval(post.rel_path) is not None or post.status == "approved":
        return [_finding(problems[0], f"; this post's sign-off does not count until the ledger is repaired"
                                      f"{f' ({len(problems)} problems)' if len(problems) > 1 else ''}")]
    return []


def _finding(problem: LedgerProblem, more: str) -> Finding:
    return finding(_BY_KIND.get(problem.kind, CHAIN_BROKEN), f"{problem.file}:{problem.line}: {problem.message}{more}",
                   suggestion=_FIX)


class Approvals:
    """Approved posts carry a valid, authorised sign-off in the ledger."""

    name = CHECK
    rules = RULES

    def run_corpus(self, post: PostSummary, corpus: Corpus, policy: Policy) -> list[Finding]:
        return check_in_corpus(post, corpus, policy)

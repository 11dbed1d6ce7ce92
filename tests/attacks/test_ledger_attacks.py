"""Issue 14 items 8 and 13: sign-off cannot be forged or self-granted, and concurrent approvals all land.

Each test reproduces an attack on the approval ledger (ledger/approvals.jsonl in a content folder) and asserts what a
user sees: the exit status, the ledger line named, the finding, and that nothing reached the site.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.cli import main
from flows.engine.steps import ReviewOptions, review_plain
from flows.store import ledger, signing
from tests.conftest import CONTENT, write_post
from tests.signing import approve_for_test, make_key, own_policy, register_reviewer

ADVICE = ("This article is for general education and is not medical advice. Talk to a qualified healthcare "
          "provider about your own health before you start any treatment.")
SIX_ERRORS = " ".join(f"See [part {n}](/blog/nowhere-{n}/)." for n in range(6))  # six LNK001 errors


def _post(slug: str, body: str) -> str:
    return f"---\ntitle: \"Post {slug}\"\nslug: {slug}\ndate: 2024-05-01\nsummary: Short.\n---\n{body}\n\n{ADVICE}\n"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    write_post(folder, "good.md", _post("good", "Keep the area clean."))
    write_post(folder, "other.md", _post("other", "Drink water and rest."))
    write_post(folder, "bad.md", _post("bad", SIX_ERRORS))
    register_reviewer(folder, "ann-lee", "compliance-lead")
    return folder


def _lines(content: Path) -> list[str]:
    return ledger.approvals_file(content).read_text().splitlines()


def _forged(content: Path, **fields: object) -> ledger.Event:
    """An approval of bad.md as an attacker writes it by hand, chained correctly onto the last line."""
    bad = content / "posts" / "bad.md"
    post = review_plain(ReviewOptions(content, [bad], None, False, use_cache=False)).posts[0]
    lines = _lines(content) if ledger.approvals_file(content).exists() else []
    event = ledger.Event(time=ledger.now(), action="approve", path="posts/bad.md", slug="bad",
                         content_hash=post.content_hash, reviewer="Dr. Nobody", role="compliance-lead",
                         override="trust me", errors=0, prev=ledger.line_hash(lines[-1]) if lines else "")
    return dataclasses.replace(event, **fields)


def _append(content: Path, event: ledger.Event) -> int:
    path = ledger.approvals_file(content)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.write(event.to_json() + "\n")
    return len(_lines(content))


def _publish(content: Path, site: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["publish", "--content", str(content), "--target", "static", "--out", str(site), "--no-grammar"])
    out = capsys.readouterr()
    return code, out.out + out.err


def _findings(content: Path, post: str) -> dict[str, list[str]]:
    report = review_plain(ReviewOptions(content, (), None, False, use_cache=False))
    found: dict[str, list[str]] = {}
    for item in report.posts:
        if item.path.endswith(post):
            for f in item.findings:
                found.setdefault(f.rule, []).append(f.message)
    return found


def _nothing_published(site: Path) -> bool:
    return not (site / "blog").exists()


def test_a_hand_appended_unsigned_line_publishes_nothing_and_is_named(content: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    approve_for_test(content, content / "posts" / "good.md")
    line = _append(content, _forged(content))  # any reviewer name, any override, no signature
    code, out = _publish(content, tmp_path / "site", capsys)
    assert code == 1 and f"approvals.jsonl:{line}:" in out and "not signed" in out
    assert _nothing_published(tmp_path / "site")  # not even the post with a genuine sign-off
    found = _findings(content, "bad.md")
    assert any(f"ledger/approvals.jsonl:{line}:" in m for m in found["PUB003"])
    assert "LNK001" in found and len(found["LNK001"]) == 6
    assert any("does not count" in m for m in _findings(content, "good.md")["PUB003"])
    code = main(["status", "--content", str(content)])
    assert code == 1 and f"approvals.jsonl:{line}:" in capsys.readouterr().err


def test_a_line_signed_with_a_key_policy_does_not_list_is_refused(content: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    attacker = make_key(tmp_path / "attacker", "mallory")
    approve_for_test(content, content / "posts" / "good.md")
    for reviewer, expected in (("ann-lee", "the signature does not verify with ann-lee's keys"),  # posing as a reviewer
                               ("mallory", "'mallory' is not a reviewer in policy")):  # as themselves
        lines = _lines(content)
        event = _forged(content, reviewer=reviewer)
        signed = dataclasses.replace(event, signature=signing.sign(attacker, event.payload()))
        line = _append(content, signed)
        code, out = _publish(content, tmp_path / "site", capsys)
        assert code == 1 and f"approvals.jsonl:{line}: {expected}" in out, out
        assert _nothing_published(tmp_path / "site")
        ledger.approvals_file(content).write_text("\n".join(lines) + "\n")


def test_a_damaged_signature_is_refused(content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    approve_for_test(content, content / "posts" / "good.md")
    [line] = _lines(content)
    data = json.loads(line)
    body = data["signature"].splitlines()
    body[2] = body[2][:-4] + ("AAAA" if body[2][-4:] != "AAAA" else "BBBB")
    data["signature"] = "\n".join(body) + "\n"
    ledger.approvals_file(content).write_text(json.dumps(data) + "\n")
    code, out = _publish(content, tmp_path / "site", capsys)
    assert code == 1 and "approvals.jsonl:1: the signature does not verify" in out
    assert _nothing_published(tmp_path / "site")


def test_an_edited_earlier_line_breaks_the_chain_at_the_next_line(content: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    approve_for_test(content, content / "posts" / "good.md")
    approve_for_test(content, content / "posts" / "other.md")
    approve_for_test(content, content / "posts" / "bad.md", override="Links fixed in the CMS")
    first, second, third = _lines(content)
    edited = json.loads(second)
    edited["note"] = "reviewed twice"  # a harmless-looking edit of an earlier event
    ledger.approvals_file(content).write_text("\n".join([first, json.dumps(edited), third]) + "\n")
    code, out = _publish(content, tmp_path / "site", capsys)
    assert code == 1 and "approvals.jsonl:3: chain broken" in out and "approvals.jsonl:2: the signature" in out
    assert _nothing_published(tmp_path / "site")
    assert any("approvals.jsonl:3: chain broken" in m for m in _findings(content, "bad.md")["PUB002"])
    # Dropping the first line (say, to hide who approved) breaks the chain too.
    ledger.approvals_file(content).write_text("\n".join([second, third]) + "\n")
    code, out = _publish(content, tmp_path / "site", capsys)
    assert code == 1 and "approvals.jsonl:1: chain broken" in out and "start of the ledger" in out
    # And nothing can be appended onto a ledger that does not verify.
    code = main(["approve", str(content / "posts" / "good.md"), "--content", str(content), "--reviewer", "ann-lee",
                 "--role", "compliance-lead", "--key", str(tmp_path / "content-keys" / "ann-lee"), "--no-grammar"])
    assert code == 2 and "nothing can be added" in capsys.readouterr().err


def test_a_role_or_override_cannot_be_granted_by_a_flag(content: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    key = register_reviewer(content, "ed", "editor")
    args = ["approve", str(content / "posts" / "bad.md"), "--content", str(content), "--reviewer", "ed",
            "--key", str(key), "--no-grammar"]
    assert main([*args, "--role", "compliance-lead", "--override", "I say so"]) == 1
    assert "--role compliance-lead is not ed's role: policy lists them as 'editor'" in capsys.readouterr().err
    assert main([*args, "--role", "editor", "--override", "I say so"]) == 1
    assert "role in policy is 'editor', which may not override" in capsys.readouterr().err
    assert not ledger.approvals_file(content).exists()
    # Signing by hand, with a genuine key, an event that claims a role policy does not give: void.
    event = _forged(content, reviewer="ed", role="compliance-lead")
    line = _append(content, dataclasses.replace(event, signature=signing.sign(key, event.payload())))
    code, out = _publish(content, tmp_path / "site", capsys)
    assert code == 1 and f"approvals.jsonl:{line}: the event claims role 'compliance-lead'" in out
    assert "PUB004" in _findings(content, "bad.md")
    # The role policy gives, but an override that role may not give: void too.
    ledger.approvals_file(content).unlink()
    event = _forged(content, reviewer="ed", role="editor")
    _append(content, dataclasses.replace(event, signature=signing.sign(key, event.payload())))
    code, out = _publish(content, tmp_path / "site", capsys)
    assert code == 1 and "an override by role 'editor'" in out and _nothing_published(tmp_path / "site")


def test_a_lenient_policy_cannot_approve_or_vouch_for_a_signer(content: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    lenient = tmp_path / "lenient"
    own = own_policy(content)
    lenient.mkdir()
    for file in own.iterdir():
        (lenient / file.name).write_bytes(file.read_bytes())
    policy = (lenient / "policy.yaml").read_text().replace("disable: []", "disable: [LNK001]")
    (lenient / "policy.yaml").write_text(policy)
    ann = tmp_path / "content-keys" / "ann-lee"
    code = main(["approve", str(content / "posts" / "bad.md"), "--content", str(content), "--policy", str(lenient),
                 "--reviewer", "ann-lee", "--role", "compliance-lead", "--key", str(ann), "--no-grammar"])
    assert code == 2 and "own policy" in capsys.readouterr().err
    assert not ledger.approvals_file(content).exists()
    # An attacker lists themselves as compliance lead in their own policy and signs: the ledger is still
    # checked against the content folder's reviewers, whatever --policy the review or publish is given.
    mallory = make_key(tmp_path / "attacker", "mallory")
    (lenient / "reviewers.yaml").write_text(
        f'version: "x"\nreviewers:\n  - id: mallory\n    role: compliance-lead\n    keys: ["{mallory}.pub"]\n'
        .replace(f"{mallory}.pub", Path(f"{mallory}.pub").read_text().strip()))
    event = _forged(content, reviewer="mallory", override="")
    line = _append(content, dataclasses.replace(event, signature=signing.sign(mallory, event.payload())))
    code = main(["publish", "--content", str(content), "--policy", str(lenient), "--out", str(tmp_path / "site"),
                 "--no-grammar"])
    out = capsys.readouterr()
    assert code == 1 and f"approvals.jsonl:{line}: 'mallory' is not a reviewer" in out.err
    assert _nothing_published(tmp_path / "site")
    report = review_plain(ReviewOptions(content, (), lenient, False, use_cache=False))
    assert "PUB003" in {f.rule for p in report.posts if p.path.endswith("bad.md") for f in p.findings}


def test_a_key_that_is_not_the_reviewers_signs_nothing(content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    other = make_key(tmp_path / "attacker", "mallory")
    base = ["approve", str(content / "posts" / "good.md"), "--content", str(content), "--reviewer", "ann-lee",
            "--role", "compliance-lead", "--no-grammar"]
    assert main([*base, "--key", str(other)]) == 2
    assert "does not belong to reviewer 'ann-lee'" in capsys.readouterr().err
    assert main(["approve", str(content / "posts" / "good.md"), "--content", str(content), "--reviewer",
                 "nobody", "--role", "compliance-lead", "--key", str(other), "--no-grammar"]) == 1
    assert "'nobody' is not a reviewer" in capsys.readouterr().err
    monkeypatch.delenv(signing.KEY_ENV, raising=False)
    assert main(base) == 2 and "needs ann-lee's SSH key" in capsys.readouterr().err
    assert not ledger.approvals_file(content).exists() or _lines(content) == []


def test_the_fixture_ledger_verifies_and_approves_the_three_clean_fixture_posts() -> None:
    from flows.engine import ingest

    state = ledger.read(CONTENT)
    assert state.sound, state.describe()
    approved = state.approvals()
    assert sorted(approved) == ["posts/choosing-a-wrinkle-relaxer.md", "posts/microneedling-aftercare.md",
                                "posts/underarm-sweating-botox.md"]
    for rel, event in approved.items():  # the versions on disk (the demo blog's ledger: tests/test_demo_blog.py)
        assert ingest.read_post(CONTENT, rel, 10**9).content_hash == event.content_hash, rel


def test_twenty_concurrent_approvals_with_100kb_notes_all_land_as_one_chain(content: Path) -> None:
    key = content.parent / "content-keys" / "ann-lee"
    paths = [write_post(content, f"p{n:02}.md", _post(f"p{n:02}", "Rest and drink water.")) for n in range(20)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "flows.cli", "approve", str(path), "--content", str(content),
                               "--reviewer", "ann-lee", "--role", "compliance-lead", "--key", str(key),
                               "--no-grammar",
                               "--note", f"{n:02}" + "n" * 100_000], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for n, path in enumerate(paths)]
    reads = 0
    while any(p.poll() is None for p in procs):  # readers meanwhile always see whole, verified lines
        state = ledger.read(content)
        assert state.sound, state.describe()
        reads += 1
    outcomes = [(p.returncode, p.stderr.read().decode()) for p in procs]
    assert all(code == 0 for code, _ in outcomes), outcomes
    assert time.monotonic() - started < 300
    state = ledger.read(content)
    assert state.sound and len(state.events) == 20 and reads > 0
    assert sorted(e.path for e in state.events) == [f"posts/p{n:02}.md" for n in range(20)]
    assert all(len(e.note) == 100_002 for e in state.events)
    assert [e.prev for e in state.events[1:]] == [ledger.line_hash(line) for line in _lines(content)[:-1]]


def test_a_reader_waits_for_the_writer_and_never_sees_half_a_line(content: Path) -> None:
    import fcntl
    import threading

    approve_for_test(content, content / "posts" / "good.md")
    [whole] = _lines(content)
    path = ledger.approvals_file(content)
    path.write_text("")
    seen: list[list[str]] = []
    with path.open("a") as writer:
        fcntl.flock(writer, fcntl.LOCK_EX)  # what ledger.append holds while it writes
        writer.write(whole[: len(whole) // 2])
        writer.flush()
        reader = threading.Thread(target=lambda: seen.append(ledger.read_lines(content)))
        reader.start()
        reader.join(timeout=2)  # without the shared lock the reader returns half a line in this time
        writer.write(whole[len(whole) // 2:] + "\n")
        writer.flush()
        fcntl.flock(writer, fcntl.LOCK_UN)
    reader.join(timeout=30)
    assert seen == [[whole]]


def test_a_malformed_or_blank_line_is_named_not_a_crash(content: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    approve_for_test(content, content / "posts" / "good.md")
    [line] = _lines(content)
    odd = json.loads(line)
    odd["signature"] = ["not", "text"]  # the wrong JSON type
    ledger.approvals_file(content).write_text(f"{line}\n\n{json.dumps(odd)}\n")
    code, out = _publish(content, tmp_path / "site", capsys)
    assert code == 1 and "approvals.jsonl:2: not a ledger event" in out
    assert "approvals.jsonl:3: not a ledger event (signature must be str)" in out and "Traceback" not in out
    assert _nothing_published(tmp_path / "site")


def test_cutting_off_a_revocation_does_not_bring_the_page_back(content: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from tests.signing import revoke_for_test

    site = tmp_path / "site"
    approve_for_test(content, content / "posts" / "good.md")
    assert _publish(content, site, capsys)[0] == 0 and (site / "blog" / "good").exists()
    revoke_for_test(content, content / "posts" / "good.md", note="Label changed")
    assert _publish(content, site, capsys)[0] == 0 and not (site / "blog" / "good").exists()
    first, _revocation = _lines(content)
    ledger.approvals_file(content).write_text(first + "\n")  # the chain that is left is whole
    assert ledger.read(content).sound
    code, out = _publish(content, site, capsys)
    assert code == 1 and "approvals.jsonl:2: the ledger no longer holds the 2 event(s)" in out
    assert not (site / "blog" / "good").exists()


def test_a_folder_without_its_own_policy_trusts_none_of_the_shipped_demo_reviewers(tmp_path: Path) -> None:
    """The default policy ships the demo blog's reviewer: a clinic's folder without a policy must not trust it,
    or whoever holds the demo key could sign off the clinic's posts."""
    import shutil

    folder = tmp_path / "clinic"
    shutil.copytree(CONTENT / "posts", folder / "posts")
    shutil.copytree(CONTENT / "ledger", folder / "ledger")  # the demo's signed events, copied in
    assert not (folder / "policy").exists()
    state = ledger.read(folder)
    assert not state.sound
    assert state.approvals() == {} or not state.sound
    assert "dana-reyes" in state.describe()

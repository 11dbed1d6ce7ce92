"""Grammar and spelling on a real LanguageTool server, mapped to Markdown lines, with a medical vocabulary."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from checks.model import Severity
from flows.engine.steps import ReviewOptions, review_plain
from flows.services.languagetool import GrammarService, ManagedServer
from flows.store.policy_files import load_policy
from reports.model import PostReport, ReviewReport
from tests.conftest import CONTENT, POLICY, write_post
from tests.lt_proxy import CountingProxy

ADVICE = ("This article is for general education and is not medical advice. Talk to a qualified healthcare "
          "provider about your own health before you start any treatment.")


@pytest.fixture
def proxy(languagetool: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingProxy]:
    counting = CountingProxy(languagetool)
    monkeypatch.setenv("MEDPRESS_LT_URL", counting.url)
    yield counting
    counting.close()


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MEDPRESS_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _review(folder: Path, **options: object) -> ReviewReport:
    return review_plain(ReviewOptions(content_dir=folder, grammar=True, **options))  # type: ignore[arg-type]


def _grammar(post: PostReport) -> list:
    return [f for f in post.findings if f.check == "grammar"]


def _line(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.mark.usefixtures("own_cache")
def test_planted_slips_are_found_on_their_lines_with_suggestions(proxy: CountingProxy) -> None:
    report = _review(CONTENT, paths=[CONTENT / "posts" / "first-botox-appointment.md"])
    found = _grammar(report.posts[0])
    source = CONTENT / "posts" / "first-botox-appointment.md"
    lines = source.read_text().splitlines()
    slips = (("their are", "GR-THEIR_IS"), ("could of", "GR-MODAL_OF"), ("the the", "GR-ENGLISH_WORD_REPEAT_RULE"),
             ("recieve", "GR-MORFOLOGIK_RULE_EN_US"), ("a injection", "GR-EN_A_VS_AN"),
             ("This treatments", "GR-THIS_NNS"))
    for slip, rule in slips:
        line = next(n for n, text in enumerate(lines, 1) if re.search(rf"\b{slip}\b", text, re.I))
        hits = [f for f in found if f.rule == rule and f.line == line]
        assert hits, f"{slip!r} not found on line {line}: {[(f.rule, f.line) for f in found]}"
        hit = hits[0]
        flagged = lines[line - 1][hit.column - 1 : hit.end_column - 1]
        assert flagged.lower() in slip.lower() and flagged, (slip, flagged)
        assert hit.suggestion.startswith("Replace with"), hit
        assert hit.severity is Severity.ERROR
    assert proxy.checks == 1


@pytest.mark.usefixtures("own_cache", "proxy")
def test_no_spelling_finding_on_vocabulary_words_in_the_posts() -> None:
    vocabulary = {w.lower() for w in load_policy(POLICY).vocabulary}
    report = _review(CONTENT)
    for post in report.posts:
        for item in _grammar(post):
            if item.rule == "GR-MORFOLOGIK_RULE_EN_US":
                word = re.search(r"“(.+?)”", item.message).group(1).lower()
                assert word not in vocabulary and word.rstrip("s") not in vocabulary, (post.path, item)
    spelled = {re.search(r"“(.+?)”", f.message).group(1) for p in report.posts for f in _grammar(p)
               if f.rule == "GR-MORFOLOGIK_RULE_EN_US"}
    assert "recieve" in spelled and "botoxed" in spelled


@pytest.mark.usefixtures("own_cache", "proxy")
def test_variants_of_vocabulary_terms_and_markdown_syntax_are_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "content"
    source = f"""---
title: "Teh tytle is never checked"
slug: vocab
date: 2024-05-01
summary: "Front mater is not checkd"
---
## Onabotulinumtoxina and BOTOX's uses

Xeomin's effect, two Dysports, ONABOTULINUMTOXINA and incobotulinumtoxinA's label all name real drugs.
Semaglutide's and tirzepatide's labels differ; blepharospasm, hyperhidrosis and glabellar lines are real.
Read the [label](https://example.com/recieve-teh-lable) or run `teh-cmd --recieve` now.
<!-- a coment with typos that is never publishd -->
A link [that works](/blog/vocab/) and then a real slip: we recieve patients daily.

{ADVICE}
"""
    post = write_post(folder, "vocab.md", source)
    report = _review(folder)
    found = _grammar(report.posts[0])
    assert [(f.rule, f.line) for f in found] == [("GR-MORFOLOGIK_RULE_EN_US", _line(post, "we recieve"))]
    item = found[0]
    assert post.read_text().splitlines()[item.line - 1][item.column - 1 : item.end_column - 1] == "recieve"


@pytest.mark.usefixtures("own_cache")
def test_positions_are_exact_after_astral_characters(proxy: CountingProxy, tmp_path: Path) -> None:
    folder = tmp_path / "content"
    post = write_post(folder, "emoji.md", f"---\ntitle: Emoji\nslug: emoji\ndate: 2024-05-01\n---\n"
                                          f"We love 😀 results 🎉 and you will recieve a reply.\n\n{ADVICE}\n")
    item = _grammar(_review(folder).posts[0])[0]
    line = post.read_text().splitlines()[item.line - 1]
    assert line[item.column - 1 : item.end_column - 1] == "recieve"


def test_unchanged_posts_send_nothing_and_an_edited_paragraph_sends_one(proxy: CountingProxy, own_cache: Path,
                                                                        content_copy: Path) -> None:
    first = _review(content_copy)
    cold = proxy.checks
    assert cold == len(first.posts)  # one packed request per post, cold
    second = _review(content_copy)
    assert proxy.checks == cold, "an unchanged review must make no LanguageTool request"
    assert [p.findings for p in second.posts] == [p.findings for p in first.posts]
    post = content_copy / "posts" / "microneedling-aftercare.md"
    text = post.read_text()
    post.write_text(text.replace("It takes about an hour.", "It takes about an hour and you recieve a card.", 1)
                    if "It takes about an hour." in text else text.replace("\n\n", "\n\nYou recieve a card.\n\n", 1))
    third = _review(content_copy)
    assert proxy.checks == cold + 1
    assert third.run["grammar"]["paragraphs_checked"] == 1
    edited = next(p for p in third.posts if p.path.endswith("microneedling-aftercare.md"))
    assert any("recieve" in f.message for f in _grammar(edited))


def test_a_server_killed_mid_review_gives_the_fault_finding(own_cache: Path, content_copy: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    server = ManagedServer("512m")
    url = server.start()

    def kill_on_third(number: int) -> None:
        if number == 3 and server.process:
            server.process.kill()
            server.process.wait()

    counting = CountingProxy(url, on_check=kill_on_third)
    monkeypatch.setenv("MEDPRESS_LT_URL", counting.url)
    policy_file = content_copy / "policy" / "policy.yaml"
    policy_file.write_text(policy_file.read_text().replace("max_parallel_requests: 4", "max_parallel_requests: 1"))
    try:
        report = _review(content_copy)
    finally:
        counting.close()
        server.stop()
    faults = [(p.path, f) for p in report.posts for f in p.findings if f.rule == "GR000"]
    assert len(faults) >= len(report.posts) - 2  # every post after the kill
    assert all(f.severity is Severity.ERROR and "grammar check could not run" in f.message for _, f in faults)
    # the cause, and a help line that fits it (not "start LanguageTool")
    assert all("stopped answering during the review" in f.message and "crashed or was stopped" in f.message
               for _, f in faults), faults[0][1].message
    assert all(f.suggestion and f.suggestion.startswith("Restart the server MEDPRESS_LT_URL names")
               for _, f in faults)
    assert all(p.failed for p in report.posts if any(path == p.path for path, _ in faults))


@pytest.mark.usefixtures("own_cache")
def test_medpress_starts_its_service_once_and_the_next_review_reuses_it(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from flows.services import lt_service
    from flows.services.background import alive

    monkeypatch.delenv("MEDPRESS_LT_URL", raising=False)
    monkeypatch.setenv("MEDPRESS_STATE_DIR", str(tmp_path / "state"))  # this test's own service record
    folder = tmp_path / "content"
    write_post(folder, "p.md", f"---\ntitle: P\nslug: p\ndate: 2024-05-01\n---\nWe recieve you.\n\n{ADVICE}\n")
    from checks.document import parse_post

    post = parse_post("posts/p.md", (folder / "posts" / "p.md").read_bytes())
    pid = None
    try:
        service = GrammarService(load_policy(POLICY).grammar, use_cache=False)
        results = service.check([post])
        service.close()
        record = lt_service.recorded()
        assert record is not None, "the service is recorded per user and machine"
        pid = int(record["pid"])
        assert alive(pid), "the server outlives the review that started it"
        again = GrammarService(load_policy(POLICY).grammar, use_cache=False)
        again.check([post])
        again.close()
        assert int(lt_service.recorded()["pid"]) == pid, "the next review reuses it"  # type: ignore[index]
        assert again.stats.requests == 1
    finally:
        assert lt_service.stop() or pid is None
    assert pid is not None and not alive(pid)
    _, result = results["posts/p.md"]
    assert result.error is None and any(m.rule_id == "MORFOLOGIK_RULE_EN_US" for ms in result.matches.values()
                                        for m in ms)


@pytest.mark.usefixtures("own_cache")
def test_a_missing_install_is_an_error_finding_not_a_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDPRESS_LT_URL", raising=False)
    monkeypatch.setenv("MEDPRESS_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("MEDPRESS_LT_DIR", str(tmp_path / "nowhere"))
    folder = tmp_path / "content"
    write_post(folder, "p.md", f"---\ntitle: P\nslug: p\ndate: 2024-05-01\n---\nFine text here.\n\n{ADVICE}\n")
    report = _review(folder)
    [fault] = [f for f in report.posts[0].findings if f.rule == "GR000"]
    assert "not installed" in fault.message and report.posts[0].failed
    assert fault.suggestion and "install.sh" in fault.suggestion


@pytest.mark.usefixtures("own_cache")
def test_a_pool_spreads_requests(languagetool: str, content_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = CountingProxy(languagetool), CountingProxy(languagetool)
    monkeypatch.setenv("MEDPRESS_LT_URL", f"{first.url},{second.url}")
    try:
        report = _review(content_copy)
    finally:
        first.close()
        second.close()
    assert first.checks > 0 and second.checks > 0
    assert first.checks + second.checks == len(report.posts)
    assert sorted(report.run["grammar"]["servers"]) == sorted([first.url, second.url])


@pytest.mark.usefixtures("own_cache")
def test_no_grammar_skips_and_says_so(proxy: CountingProxy) -> None:
    report = review_plain(ReviewOptions(content_dir=CONTENT, grammar=False))
    assert "grammar: skipped on request (--no-grammar)" in report.run["skipped"]
    assert not any(f.check == "grammar" for p in report.posts for f in p.findings)
    assert proxy.checks == 0  # nothing was sent to LanguageTool


@pytest.mark.usefixtures("own_cache")
def test_a_paragraph_shared_by_posts_is_sent_once_and_reported_in_each(proxy: CountingProxy, tmp_path: Path) -> None:
    shared = "Every patient recieve a written aftercare sheet before they leave the clinic."
    folder = tmp_path / "content"
    for name in ("one", "two", "three"):
        write_post(folder, f"{name}.md", f"---\ntitle: Post {name}\nslug: post-{name}\ndate: 2024-05-01\n---\n"
                                         f"## Visit {name}\n\nThis is the {name} post about a short visit.\n\n"
                                         f"{shared}\n\n{ADVICE}\n")
    report = _review(folder)
    stats = report.run["grammar"]
    # 3 posts x 4 paragraphs (heading, own sentence, shared sentence, advice): the shared two are sent once
    assert stats["paragraphs_checked"] == 3 * 2 + 2 and stats["paragraphs_cached"] == 2 * 2
    for post in report.posts:
        line = _line(folder / "posts" / Path(post.path).name, "recieve")
        assert [f.line for f in _grammar(post) if "recieve" in f.message] == [line]


def test_paragraph_offsets_map_back_to_the_same_characters() -> None:
    """Every character sent to LanguageTool as text maps to the same character of the Markdown file, in pieces
    as long as the text runs on in both (a piece per word would not fit 1,000 posts in memory)."""
    from checks.document import parse_post
    from checks.grammar import paragraphs

    sent = 0
    for path in sorted((CONTENT / "posts").glob("*.md")):
        post = parse_post(f"posts/{path.name}", path.read_bytes())
        for paragraph in paragraphs(post):
            annotated = "".join(a.get("text", a.get("markup", "")) for a in paragraph.annotation)
            assert len(annotated) == paragraph.length
            for piece in paragraph.pieces:
                assert annotated[piece.annotated : piece.annotated + piece.length] == \
                    post.text[piece.raw : piece.raw + piece.length]
            # merged wherever they run on in both texts
            for before, after in zip(paragraph.pieces, paragraph.pieces[1:], strict=False):
                assert (before.annotated + before.length, before.raw + before.length) != (after.annotated, after.raw)
            texts = [a["text"] for a in paragraph.annotation if "text" in a]
            sent += sum(len(t) for t in texts)
            assert sum(p.length for p in paragraph.pieces) == sum(len(t) for t in texts)  # all text is mapped
    assert sent > 10_000

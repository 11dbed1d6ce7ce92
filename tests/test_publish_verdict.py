"""One verdict per command (issue 19 item 2): publishing uses the review that just ran, reads the ledger once and
checks no post a second time (issue 15 item 6)."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from flows.engine import check_posts, ingest
from flows.engine.steps import ReviewOptions, review_plain, write_json
from flows.publish.signoff import publish
from flows.publish.static import StaticTarget
from flows.publish.verdict import StaleReview
from flows.store import ledger
from tests.conftest import ADVICE, ROOT, run_medpress, write_post
from tests.signing import approve_for_test


def _post(slug: str, body: str, title: str = "Aftercare tips") -> str:
    return f"---\ntitle: \"{title}\"\nslug: {slug}\ndate: 2024-05-01\nsummary: Short.\n---\n{body}\n\n{ADVICE}\n"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    write_post(folder, "a.md", _post("after-care", "Keep the area clean. Read [the other post](/blog/other/)."))
    write_post(folder, "b.md", _post("other", "Drink water and rest. See [after care](/blog/after-care/).",
                                     "Other tips"))
    write_post(folder, "c.md", _post("third", "Sleep well the night before.", "Third"))
    return folder


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often posts are checked (the engine's one per-post check entry), parsed for publishing, and how often
    the sign-off ledger's file is opened."""
    counts = {"checked": 0, "parsed": 0, "ledger_opens": 0}

    def spy(module: object, name: str, key: str) -> None:
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            counts[key] += 1
            return original(*args, **kwargs)
        monkeypatch.setattr(module, name, wrapper)

    spy(check_posts, "check_source", "checked")
    spy(ingest, "parse_post", "parsed")
    open_file = Path.open

    def opened(self: Path, *args, **kwargs):
        if self.name == ledger.APPROVALS:
            counts["ledger_opens"] += 1
        return open_file(self, *args, **kwargs)
    monkeypatch.setattr(Path, "open", opened)
    return counts


def _reviewed(content: Path, out: Path, grammar: bool = False) -> Path:
    write_json(review_plain(ReviewOptions(content_dir=content, grammar=grammar)), out)
    return out


def test_publishing_from_the_review_checks_nothing_again_and_reads_the_ledger_once(
        content: Path, tmp_path: Path, counted: dict[str, int]) -> None:
    approve_for_test(content, content / "posts" / "a.md")
    review = _reviewed(content, tmp_path / "review.json")
    assert counted["checked"] == 3  # the review checked the three posts (in this process: fewer than spread)
    counted.update(checked=0, parsed=0, ledger_opens=0)
    run = publish(content, StaticTarget(tmp_path / "site"), grammar=False, review=review)
    assert {d.slug: d.action for d in run.decisions} == {"after-care": "publish", "other": "hold", "third": "hold"}
    assert counted == {"checked": 0, "parsed": 1, "ledger_opens": 1}  # parsed: only the post that goes out


def test_publishing_without_a_review_reviews_once_and_parses_only_what_goes_out(
        content: Path, tmp_path: Path, counted: dict[str, int]) -> None:
    approve_for_test(content, content / "posts" / "a.md")
    counted.update(ledger_opens=0)
    run = publish(content, StaticTarget(tmp_path / "site"), grammar=False)
    assert [r.slug for r in run.results if r.ok] == ["after-care"]
    # the review's own check of each post, then a parse of the one post rendered (it parsed every post again)
    assert counted == {"checked": 3, "parsed": 1, "ledger_opens": 1}


def test_a_post_edited_between_review_and_publish_is_held_back_not_reviewed_again(
        content: Path, tmp_path: Path, counted: dict[str, int]) -> None:
    post = content / "posts" / "a.md"
    approve_for_test(content, post)
    review = _reviewed(content, tmp_path / "review.json")
    post.write_text(post.read_text().replace("Keep the area clean.", "Keep the area clean and dry."))
    approve_for_test(content, post)  # signed off as edited: only the review is out of date
    counted.update(checked=0)
    run = publish(content, StaticTarget(tmp_path / "site"), grammar=False, review=review)
    held = next(d for d in run.decisions if d.slug == "after-care")
    assert (held.action, held.reason) == ("hold", "edited since it was reviewed: review it again")
    assert not run.results and not (tmp_path / "site" / "blog" / "after-care").exists()
    assert counted["checked"] == 0  # one verdict: the report's, never a second review


def test_a_report_of_other_code_or_policy_or_without_grammar_is_refused(content: Path, tmp_path: Path) -> None:
    approve_for_test(content, content / "posts" / "a.md")
    review = _reviewed(content, tmp_path / "review.json")
    with pytest.raises(StaleReview, match="without grammar"):
        publish(content, StaticTarget(tmp_path / "site"), grammar=True, review=review)
    data = json.loads(review.read_text())
    data["run"]["versions"]["checks"] = "0" * 12  # as a review by an older checkout of medpress says
    older = tmp_path / "older.json"
    older.write_text(json.dumps(data))
    with pytest.raises(StaleReview, match="other medpress checks"):
        publish(content, StaticTarget(tmp_path / "site"), grammar=False, review=older)
    words = content / "policy" / "vocabulary.txt"
    words.write_text(words.read_text() + "\nmicroneedling\n")
    with pytest.raises(StaleReview, match="another policy"):
        publish(content, StaticTarget(tmp_path / "site"), grammar=False, review=review)
    assert not (tmp_path / "site").exists()


def test_findings_a_baseline_accepted_still_hold_a_post_back(content: Path, tmp_path: Path) -> None:
    from flows.engine.gate import write_baseline

    approve_for_test(content, content / "posts" / "a.md")
    (content / "posts" / "b.md").unlink()  # a.md, signed off as it is, now links to a post that is gone
    baseline = tmp_path / "baseline.json"
    assert write_baseline(review_plain(ReviewOptions(content_dir=content, grammar=False)), baseline) >= 1
    report = review_plain(ReviewOptions(content_dir=content, grammar=False, baseline=baseline))
    assert not any(p.failed for p in report.posts)  # the CI gate passes
    write_json(report, tmp_path / "review.json")
    run = publish(content, StaticTarget(tmp_path / "site"), grammar=False, review=tmp_path / "review.json")
    held = next(d for d in run.decisions if d.slug == "after-care")
    assert (held.action, held.reason) == ("hold", "review fails with 1 error(s)")


# ---------------------------------------------------------------------------------------------------------------
# `make review` on the demo blog, with LanguageTool failing one post's requests: that post's review cannot finish.

FAILING = "Coming to a new clinic can feel like a lot."  # your-first-visit's first sentence, in no other post


@pytest.fixture
def flaky_languagetool() -> Iterator[str]:
    """A stand-in for LanguageTool: no matches for any text, and HTTP 500 for requests carrying FAILING."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # /v2/languages: the health check
            self._answer(200, b"[]")

        def do_POST(self) -> None:
            form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode())
            if FAILING in "".join(form.get("data", [])):
                self._answer(500, b'{"error": "overloaded"}')
            else:
                self._answer(200, b'{"matches": [], "software": {"version": "test"}}')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.usefixtures("prefect_api")
def test_make_review_holds_back_the_post_whose_grammar_check_could_not_finish(
        tmp_path: Path, flaky_languagetool: str) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("published.json", "approvals.anchor"))
    # a cache of its own: this LanguageTool stand-in's empty answers must not reach other tests' grammar cache
    env = {"MEDPRESS_LT_URL": flaky_languagetool, "MEDPRESS_CACHE": str(tmp_path / "cache")}
    review = run_medpress("review", "--content", "content", "--output", "review-output/review.json",
                          "--fail-on", "never", cwd=tmp_path, env=env)
    assert review.returncode == 0, review.stdout + review.stderr
    report = json.loads((tmp_path / "review-output" / "review.json").read_text())
    status = {Path(p["path"]).stem: p["status"] for p in report["posts"]}
    gr000 = {Path(p["path"]).stem for p in report["posts"] if any(f["rule"] == "GR000" for f in p["findings"])}
    assert gr000 == {"your-first-visit"}
    done = run_medpress("publish", "--content", "content", "--target", "static", "--out", "site",
                        "--from-review", "review-output/review.json", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = {Path(line.split()[1]).stem: line for line in done.stdout.splitlines()
             if line.split()[0] in ("publish", "hold", "unpublish")}
    assert set(lines) == set(status)
    assert lines["your-first-visit"].startswith("hold") and "its review could not finish (GR000" in \
        lines["your-first-visit"]
    for stem, verdict in status.items():  # the publish decisions agree with the report, post by post
        if verdict == "fail":
            assert lines[stem].startswith("hold"), lines[stem]
    published = sorted(p.name for p in (tmp_path / "site" / "blog").iterdir())
    assert published == ["chemical-peel-aftercare", "forehead-lines-and-crows-feet", "glp1-medications-guide"]
    assert all(status[stem] == "pass" for stem in published)
    assert "3 published, 0 unchanged, 0 taken down, 2 held back, 0 failed" in done.stdout


def test_make_review_publishes_on_the_review_it_just_wrote() -> None:
    lines = (ROOT / "Makefile").read_text().split("\nreview:", 1)[1].split("\n\n", 1)[0].replace("\\\n", " ")
    review = next(line.split() for line in lines.splitlines() if "medpress review" in line)
    publish = next(line.split() for line in lines.splitlines() if "medpress publish" in line)
    assert publish[publish.index("--from-review") + 1] == review[review.index("--output") + 1]

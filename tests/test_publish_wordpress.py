"""The whole path to WordPress: approve, publish, edit (refused as stale), re-approve, publish the same post."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from flows.publish.signoff import publish
from flows.publish.wordpress import WordPressTarget
from tests.conftest import ADVICE, write_post
from tests.signing import approve_for_test


def _post(slug: str, body: str) -> str:
    head = f"---\ntitle: \"Aftercare {slug}\"\nslug: {slug}\ndate: 2024-05-01\nsummary: Short.\n---\n"
    return f"{head}{body}\n\n{ADVICE}\n"


def test_approve_publish_edit_reapprove_updates_the_same_wordpress_post(wordpress: Any, tmp_path: Path) -> None:
    content = tmp_path / "content"
    slug = f"e2e-{uuid.uuid4().hex[:8]}"
    path = write_post(content, "a.md", _post(slug, 'Keep it clean. <script>alert(1)</script> <img src="x" '
                                                   'onerror="alert(2)">'))
    api = httpx.Client(base_url=f"{wordpress.url}/wp-json/wp/v2", auth=(wordpress.user, wordpress.app_password),
                       timeout=30)

    def live() -> list[dict]:
        return api.get("/posts", params={"slug": slug, "status": "any", "context": "edit"}).json()

    def run() -> Any:
        with WordPressTarget(wordpress.url, wordpress.user, wordpress.app_password) as target:
            return publish(content, target, grammar=False)

    approve_for_test(content, path, role="medical-director", override="sanitiser check")
    first = run()
    [post] = live()
    body = post["content"]["raw"]
    assert "Keep it clean." in body and "<script" not in body and "onerror" not in body
    assert post["meta"]["medpress_content_hash"].startswith("sha256:")

    path.write_text(path.read_text().replace("Keep it clean.", "Keep it clean and dry."))
    stale = run()
    assert [d.action for d in stale.decisions] == ["hold"] and "edited after sign-off" in stale.decisions[0].reason
    assert "clean and dry" not in live()[0]["content"]["raw"]

    approve_for_test(content, path, role="medical-director", override="sanitiser check")
    again = run()
    [updated] = live()
    assert updated["id"] == post["id"] and "clean and dry" in updated["content"]["raw"]
    assert [r.action for r in first.results] == ["created"] and [r.action for r in again.results] == ["updated"]
    assert [r.writes for r in run().results] == [0]  # nothing changed: no write


# -- a stock WordPress (no medpress plugin), the audit, repair -----------------------------------------------------
EDITOR, OTHER = "medpress-editor", "medpress-other"


def _stock_env(site: str, wp: Any) -> dict[str, str]:
    return {"MEDPRESS_WP_URL": site, "MEDPRESS_WP_USER": EDITOR, "MEDPRESS_WP_APP_PASSWORD": wp.users[EDITOR]}


def _cli(monkeypatch: Any, capsys: Any, env: dict[str, str], *args: str) -> tuple[int, str]:
    from flows.cli import main

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out + out.err


def _secret_forms(user: str, password: str) -> list[str]:
    import base64

    plain = password.replace(" ", "")
    return [password, plain, base64.b64encode(f"{user}:{password}".encode()).decode().rstrip("="),
            base64.b64encode(f"{user}:{plain}".encode()).decode().rstrip("=")]


def _empty(api: httpx.Client) -> None:
    """Delete every post of the (session-wide) stock site."""
    while posts := api.get("/posts", params={"status": "any", "context": "edit", "per_page": 100,
                                             "_fields": "id"}).json():
        for post in posts:
            api.delete(f"/posts/{post['id']}", params={"force": "true"}).raise_for_status()


def test_stock_wordpress_ten_posts_no_rewrite_drift_audit_repair_unapproved(
        wordpress_stock: Any, tmp_path: Path, monkeypatch: Any, capsys: Any, caplog: Any) -> None:
    from flows.publish.audit import audit
    from tests.wp_fixtures import FaultProxy

    wp = wordpress_stock
    content = tmp_path / "content"
    tag = uuid.uuid4().hex[:6]
    paths = [write_post(content, f"p{i}.md", _post(f"s{tag}-{i}", f"Gentle skin care step {i} for dry winter "
                                                                 "days.")) for i in range(10)]
    for path in paths:
        approve_for_test(content, path)
    other = httpx.Client(base_url=f"{wp.url}/wp-json/wp/v2", auth=(OTHER, wp.users[OTHER]), timeout=30)
    _empty(other)  # the audit reads the whole site: start from none (WordPress's own "Hello world!" included)
    caplog.set_level("DEBUG")
    with FaultProxy(wp.url) as proxy:
        def target() -> WordPressTarget:
            return WordPressTarget(proxy.url, EDITOR, wp.users[EDITOR])

        with target() as first:
            run = publish(content, first, grammar=False)
        assert [r.action for r in run.results] == ["created"] * 10, [r.error for r in run.results]
        assert {r.details["meta"] for r in run.results} == {"not registered"}  # stock: WordPress drops the meta
        proxy.clear()
        with target() as second:
            again = publish(content, second, grammar=False)
        assert [r.action for r in again.results] == ["unchanged"] * 10
        assert proxy.writes_forwarded() == []
        assert [(s.method, s.path) for s in proxy.seen] == [("GET", "/wp-json/wp/v2/users/me")] + [
            ("GET", "/wp-json/wp/v2/posts")] * 10  # one look-up per post, nothing else

    # Another user edits one post in WordPress.
    edited = run.results[3]
    post = other.get(f"/posts/{edited.remote_id}", params={"context": "edit"}).json()
    changed = post["content"]["raw"].replace("Gentle skin care step 3", "Simple skin care step 3")
    assert other.post(f"/posts/{edited.remote_id}", json={"content": changed}).status_code == 200

    with WordPressTarget(wp.url, EDITOR, wp.users[EDITOR]) as site:
        report = audit(content, site, grammar=False)
    found = [(p.slug, f.rule) for p in report.posts for f in p.findings]
    assert found == [(edited.slug, "AUD001")], found
    drift = report.posts[[p.slug for p in report.posts].index(edited.slug)].findings[0]
    assert "-<p>Gentle skin care step 3" in drift.excerpt and "+<p>Simple skin care step 3" in drift.excerpt

    env = _stock_env(wp.url, wp)
    code, out = _cli(monkeypatch, capsys, env, "publish", "--content", str(content), "--target", "wordpress",
                     "--no-grammar")
    assert code == 1 and "drifted" not in out.split(edited.slug)[0] and "publish --repair" in out  # not overwritten
    code, plan = _cli(monkeypatch, capsys, env, "publish", "--repair", "--dry-run", "--content", str(content),
                      "--target", "wordpress", "--no-grammar")
    assert code == 0 and f"would repair {edited.slug}" in plan and "Simple skin" in other.get(
        f"/posts/{edited.remote_id}", params={"context": "edit"}).json()["content"]["raw"]
    code, out = _cli(monkeypatch, capsys, env, "publish", "--repair", "--content", str(content), "--target",
                     "wordpress", "--no-grammar")
    assert code == 0, out
    assert out.index(f"repair       {edited.slug}") < out.index(f"updated      {edited.slug}"), out
    restored = other.get(f"/posts/{edited.remote_id}", params={"context": "edit"}).json()
    assert "Gentle skin care step 3" in restored["content"]["raw"]
    code, out = _cli(monkeypatch, capsys, env, "audit", "--content", str(content), "--target", "wordpress",
                     "--no-grammar")
    assert code == 0 and "nothing needs action" in out, out

    # A post published by hand, outside medpress.
    by_hand = other.post("/posts", json={"title": "Summer offer", "slug": f"hand-{tag}", "status": "publish",
                                         "content": "<p>Come in this summer.</p>"}).json()
    out_dir = tmp_path / "audit"
    code, out = _cli(monkeypatch, capsys, env, "audit", "--content", str(content), "--target", "wordpress",
                     "--no-grammar", "--format", "text,json,sarif,html,markdown", "--output-dir", str(out_dir))
    other.delete(f"/posts/{by_hand['id']}", params={"force": "true"})
    assert code == 1
    data = json.loads((out_dir / "review.json").read_text())
    assert [(p["slug"], [f["rule"] for f in p["findings"]]) for p in data["posts"] if p["findings"]] == [
        (f"hand-{tag}", ["AUD002"])]
    sarif = json.loads((out_dir / "review.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["AUD002"]
    assert "AUD002" in (out_dir / "report.html").read_text() and "AUD002" in (out_dir / "summary.md").read_text()

    # Credentials appear in no output: the command output, logs, reports and the ledger.
    texts = [out, plan, caplog.text, *(p.read_text() for p in out_dir.iterdir()),
             *(p.read_text() for p in (content / "ledger").iterdir())]
    for secret in _secret_forms(EDITOR, wp.users[EDITOR]) + _secret_forms(OTHER, wp.users[OTHER]):
        assert not [t for t in texts if secret in t]


def test_a_theme_filter_that_strips_the_disclaimer_is_found_on_the_rendered_page(
        wordpress_stock: Any, tmp_path: Path) -> None:
    from flows.publish.audit import audit

    wp = wordpress_stock
    content = tmp_path / "content"
    slug = f"stripped-{uuid.uuid4().hex[:6]}"
    path = write_post(content, "a.md", _post(slug, "Moisturise twice a day in winter."))
    approve_for_test(content, path)
    with WordPressTarget(wp.url, EDITOR, wp.users[EDITOR]) as site:
        [result] = publish(content, site, grammar=False).results
        report = audit(content, site, grammar=False)
    stored = httpx.get(f"{wp.url}/wp-json/wp/v2/posts/{result.remote_id}", params={"context": "edit"},
                       auth=(EDITOR, wp.users[EDITOR])).json()["content"]["raw"]
    assert "not medical advice" in stored  # the stored post has it; readers do not get it
    assert "not medical advice" not in httpx.get(result.location).text
    [mine] = [p for p in report.posts if p.slug == slug]
    assert [f.rule for f in mine.findings] == ["AUD004"]
    assert "'Not medical advice' is missing" in mine.findings[0].message
    assert "hidden from readers" not in mine.findings[0].message  # stripped, not hidden: not in the page at all
    assert not [p.slug for p in report.posts if p.slug != slug and "AUD004" in {f.rule for f in p.findings}]


def test_a_failing_run_leaks_no_credentials(wordpress_stock: Any, tmp_path: Path, monkeypatch: Any,
                                            capsys: Any, caplog: Any) -> None:
    wp = wordpress_stock
    content = tmp_path / "content"
    path = write_post(content, "a.md", _post(f"leak-{uuid.uuid4().hex[:6]}", "Rest after a peel."))
    approve_for_test(content, path)
    wrong = "abcd EFGH ijkl MNOP qrst UVWX"
    caplog.set_level("DEBUG")
    env = {**_stock_env(wp.url, wp), "MEDPRESS_WP_APP_PASSWORD": wrong}
    outputs = []
    for command in (["publish"], ["audit"], ["publish", "--repair"], ["unpublish", "x"]):
        code, out = _cli(monkeypatch, capsys, env, *command, "--content", str(content), "--target", "wordpress",
                         *(["--no-grammar"] if command[0] != "unpublish" else []))
        assert code in (1, 3), (command, out)
        assert "401" in out or "credentials" in out, out
        outputs.append(out)
    texts = [*outputs, caplog.text, *(p.read_text() for p in (content / "ledger").iterdir())]
    for secret in _secret_forms(EDITOR, wrong):
        assert not [t for t in texts if secret in t]


def test_unpublish_sets_draft_and_the_audit_then_misses_the_approved_post(
        wordpress_stock: Any, tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    from flows.publish.audit import audit
    from flows.store import ledger

    wp = wordpress_stock
    content = tmp_path / "content"
    slug = f"down-{uuid.uuid4().hex[:6]}"
    approve_for_test(content, write_post(content, "a.md", _post(slug, "Drink water after a facial.")))
    with WordPressTarget(wp.url, EDITOR, wp.users[EDITOR]) as site:
        [created] = publish(content, site, grammar=False).results
    code, out = _cli(monkeypatch, capsys, _stock_env(wp.url, wp), "unpublish", slug, "--content", str(content),
                     "--target", "wordpress")
    assert code == 0 and f"unpublished {slug}" in out and "stays approved" in out
    assert slug not in ledger.published(content).get("wordpress", {})
    post = httpx.get(f"{wp.url}/wp-json/wp/v2/posts/{created.remote_id}", params={"context": "edit"},
                     auth=(EDITOR, wp.users[EDITOR])).json()
    assert post["status"] == "draft"
    with WordPressTarget(wp.url, EDITOR, wp.users[EDITOR]) as site:
        report = audit(content, site, grammar=False)
    [mine] = [p for p in report.posts if p.slug == slug]
    assert [f.rule for f in mine.findings] == ["AUD003"] and f"draft (id {created.remote_id})" in \
        mine.findings[0].message

"""WordPressTarget against a REAL WordPress 6.1 (Debian's package, MariaDB, PHP's built-in server on loopback).

Every test uses its own slugs (WordPress is shared by the session). Faults go through tests.wp_fixtures'
FaultProxy, which also shows which writes WordPress really received.
"""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from flows.publish.base import Image, PublishItem
from flows.publish.wordpress import WordPressConfigError, WordPressTarget
from tests.conftest import CONTENT
from tests.wp_fixtures import FaultProxy, server_module

IMAGE = CONTENT / "images" / "microneedling-pen.png"
POSTS = r"/wp-json/wp/v2/posts"


def prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}"


def item(slug: str, n: int = 0, **changes: Any) -> PublishItem:
    base = PublishItem(slug=slug, title=f"Post {slug}", html=f"<p>Body {n} of {slug}.</p>",
                       content_hash=f"sha256:{slug}-{n}", date="2024-05-01", summary=f"Summary of {slug}",
                       categories=("Skin care",), tags=("medpress-test",))
    return dataclasses.replace(base, **changes)


@pytest.fixture(scope="module")
def api(wordpress: Any) -> Iterator[httpx.Client]:
    """WordPress's REST API as the admin, to look at what the target did (and to set up drafts)."""
    with httpx.Client(base_url=f"{wordpress.url}/wp-json/wp/v2", auth=(wordpress.user, wordpress.app_password),
                      timeout=30) as client:
        yield client


@pytest.fixture
def target(wordpress: Any) -> Iterator[WordPressTarget]:
    with WordPressTarget(wordpress.url, wordpress.user, wordpress.app_password, backoff=0.05) as chosen:
        yield chosen


@pytest.fixture
def proxy(wordpress: Any) -> Iterator[FaultProxy]:
    with FaultProxy(wordpress.url) as running:
        yield running


def via(proxy: FaultProxy, wordpress: Any, **kwargs: Any) -> WordPressTarget:
    kwargs.setdefault("backoff", 0.05)
    return WordPressTarget(proxy.url, wordpress.user, wordpress.app_password, **kwargs)


def posts(api: httpx.Client, slug_prefix: str) -> list[dict[str, Any]]:
    """Every post (any status) whose slug starts with ``slug_prefix``, drafts and slug-2 duplicates included."""
    found, page = [], 1
    while True:
        answer = api.get("/posts", params={"status": "any", "context": "edit", "per_page": 100, "page": page,
                                           "_fields": "id,slug,status,meta", "orderby": "id"})
        answer.raise_for_status()
        found += [p for p in answer.json() if p["slug"].startswith(slug_prefix)]
        if page >= int(answer.headers.get("X-WP-TotalPages", 1)):
            return found
        page += 1


def test_ten_posts_twice_make_ten_posts_and_the_second_run_writes_nothing(wordpress, api, proxy):
    tag = prefix()
    items = [item(f"{tag}-{i}", i) for i in range(10)]
    with via(proxy, wordpress) as target:
        first = [target.publish(i) for i in items]
        assert [r.action for r in first] == ["created"] * 10, [r.error for r in first]
        assert all(r.location == f"{wordpress.url}/{r.slug}/" for r in first)
        proxy.clear()
        writes = target.writes
        second = [target.publish(i) for i in items]
    assert [r.action for r in second] == ["unchanged"] * 10
    assert [r.writes for r in second] == [0] * 10 and target.writes == writes
    assert proxy.writes_forwarded() == []  # WordPress itself received no write on the second run
    assert [r.remote_id for r in second] == [r.remote_id for r in first]
    found = posts(api, tag)
    assert sorted(p["slug"] for p in found) == sorted(i.slug for i in items)
    assert {p["status"] for p in found} == {"publish"}


def test_new_version_updates_the_same_post(target, api):
    slug = prefix()
    created = target.publish(item(slug, 1))
    updated = target.publish(item(slug, 2, html="<p>Second version, with <strong>new</strong> text.</p>"))
    assert (created.action, updated.action) == ("created", "updated")
    assert updated.remote_id == created.remote_id and updated.writes == 1
    post = api.get(f"/posts/{updated.remote_id}", params={"context": "edit"}).json()
    assert "Second version" in post["content"]["raw"] and "Second version" in post["content"]["rendered"]
    assert post["meta"]["medpress_content_hash"] == f"sha256:{slug}-2"
    assert len(posts(api, slug)) == 1


def test_an_existing_draft_with_the_slug_is_updated_not_duplicated(target, api):
    slug = prefix()
    draft = api.post("/posts", json={"title": "Drafted by hand", "slug": slug, "status": "draft",
                                     "content": "old"}).json()
    assert draft["slug"] == slug and draft["status"] == "draft"
    result = target.publish(item(slug))
    assert result.action == "updated" and result.remote_id == str(draft["id"])
    found = posts(api, slug)
    assert [(p["id"], p["status"]) for p in found] == [(draft["id"], "publish")]


def test_terms_excerpt_meta_and_image(wordpress, target, api, tmp_path):
    tag = prefix()
    picture = tmp_path / f"{tag}-pen.png"
    picture.write_bytes(IMAGE.read_bytes())
    image = Image(picture.name, picture, "A microneedling pen")
    html = f'<p>Look:</p><figure><img src="/images/{picture.name}" alt="A microneedling pen"></figure>' \
           f'<p><a href="/images/{picture.name}">full size</a></p>'
    categories = (f"{tag} Skin & Care", f"{tag} Lasers")
    first = target.publish(item(f"{tag}-a", html=html, images=(image,), categories=categories,
                                tags=(f"{tag}-botox", f"{tag}-face"), summary="What a pen does, briefly."))
    second = target.publish(item(f"{tag}-b", html=html, images=(image,), categories=categories[:1],
                                 tags=(f"{tag}-botox",)))
    assert (first.action, second.action) == ("created", "created"), (first.error, second.error)
    # A fresh target (no cache) finds terms and media instead of making them again.
    with WordPressTarget(wordpress.url, wordpress.user, wordpress.app_password) as fresh:
        third = fresh.publish(item(f"{tag}-c", html=html, images=(image,), categories=categories))
        assert third.action == "created" and third.writes == 1  # the post only
    for taxonomy, names in (("categories", categories), ("tags", (f"{tag}-botox", f"{tag}-face"))):
        found = api.get(f"/{taxonomy}", params={"search": tag, "per_page": 100}).json()
        assert sorted(t["name"].replace("&amp;", "&") for t in found) == sorted(names)
    post = api.get(f"/posts/{first.remote_id}", params={"context": "edit"}).json()
    assert post["excerpt"]["raw"] == "What a pen does, briefly."
    assert post["meta"]["medpress_content_hash"] == f"sha256:{tag}-a-0"
    assert len(post["categories"]) == 2 and len(post["tags"]) == 2
    media = [m for m in api.get("/media", params={"per_page": 100}).json() if tag in m["slug"]]
    assert len(media) == 1 and media[0]["slug"].startswith("medpress-") and media[0]["alt_text"] == image.alt
    source = media[0]["source_url"]
    assert f'src="{source}"' in post["content"]["raw"] and f'href="{source}"' in post["content"]["raw"]
    assert "/images/" not in post["content"]["raw"]
    served = httpx.get(source, timeout=10)
    assert served.status_code == 200 and served.content == IMAGE.read_bytes()
    assert served.headers["content-type"] == "image/png"


@pytest.mark.parametrize("status", ["pending", "draft"])
def test_status_is_configurable(wordpress, api, status):
    slug = prefix()
    with WordPressTarget(wordpress.url, wordpress.user, wordpress.app_password, status=status) as target:
        assert target.publish(item(slug)).action == "created"
        assert target.publish(item(slug)).action == "unchanged"
    assert [p["status"] for p in posts(api, slug)] == [status]
    with WordPressTarget(wordpress.url, wordpress.user, wordpress.app_password) as target:
        assert target.publish(item(slug)).action == "updated"  # same hash, other status: written
    assert [p["status"] for p in posts(api, slug)] == ["publish"]
    with pytest.raises(WordPressConfigError):
        WordPressTarget(wordpress.url, wordpress.user, wordpress.app_password, status="private")


def test_5xx_then_success_publishes_once(wordpress, api, proxy):
    slug = prefix()
    proxy.fail_next(2, 500)
    proxy.fail_next(1, 503, method="POST", path=POSTS)
    with via(proxy, wordpress, backoff=0.2) as target:
        result = target.publish(item(slug))
    assert result.action == "created", result.error
    assert result.details["tries"] == 4
    assert [s.answer for s in proxy.seen if s.answer.endswith("(fault)")] == ["500 (fault)"] * 2 + ["503 (fault)"]
    assert len(posts(api, slug)) == 1
    assert len([s for s in proxy.writes_forwarded() if s.path == POSTS]) == 1  # the 503 never reached WordPress


def test_create_that_reached_wordpress_but_timed_out_is_not_repeated(wordpress, api, proxy):
    slug = prefix()
    with via(proxy, wordpress, timeout=1.0) as target:
        target.publish(item(f"{slug}-warm"))  # terms exist, so the only writes below are post creates
        proxy.clear()
        proxy.drop_next(1, method="POST", path=POSTS, forward=True, delay=1.5)  # past the 1 s client timeout
        result = target.publish(item(slug))
    proxy.wait_idle()
    assert result.action == "created", result.error
    creates = [s for s in proxy.seen if s.method == "POST" and s.path == POSTS]
    assert [(s.forwarded, s.answer) for s in creates] == [(True, "dropped")]  # WordPress made it; no 2nd create
    found = posts(api, slug)
    assert [p["slug"] for p in found if p["slug"] == slug] == [slug] and len(found) == 2  # slug and slug-warm


def test_dropped_connection_after_create_is_not_repeated(wordpress, api, proxy):
    slug = prefix()
    proxy.drop_next(1, method="POST", path=POSTS, forward=True)
    with via(proxy, wordpress) as target:
        result = target.publish(item(slug))
    assert result.action == "created", result.error
    assert len([s for s in proxy.writes_forwarded() if s.path == POSTS]) == 1
    assert len(posts(api, slug)) == 1


def test_server_errors_that_last_fail_retryable(wordpress, api, proxy):
    slug = prefix()
    proxy.fail_next(100, 502)
    with via(proxy, wordpress) as target:
        result = target.publish(item(slug))
    assert result.action == "failed" and result.details["retryable"] is True
    assert "after 4 tries" in result.error and "502" in result.error
    assert len(proxy.seen) == 4 and posts(api, slug) == []


def test_wrong_password_fails_clearly_and_writes_nothing(wordpress, api, proxy):
    slug = prefix()
    wrong = "abcd EFGH ijkl MNOP qrst UVWX"
    with WordPressTarget(proxy.url, wordpress.user, wrong) as target:
        result = target.publish(item(slug))
        assert target.writes == 0
    assert result.action == "failed" and result.writes == 0
    assert "401" in result.error and "credentials" in result.error and wordpress.user in result.error
    assert wrong not in result.error and wrong.replace(" ", "") not in result.error
    assert proxy.writes_forwarded() == [] and posts(api, slug) == []
    assert wrong not in repr(target) and wordpress.app_password not in repr(target)


def test_4xx_on_write_fails_that_post_and_writes_nothing_more(wordpress, api, proxy):
    slug = prefix()
    body = json.dumps({"code": "rest_cannot_create", "message": "Sorry, you are not allowed to create posts.",
                       "data": {"status": 403}}).encode()
    with via(proxy, wordpress) as target:
        target.publish(item(f"{slug}-warm"))  # terms exist
        proxy.clear()
        proxy.answer_next(1, 403, body, "application/json", method="POST", path=POSTS)
        result = target.publish(item(slug))
        after = target.publish(item(f"{slug}-next"))
    assert result.action == "failed" and result.writes == 1 and result.details["retryable"] is False
    assert "HTTP 403" in result.error and "rest_cannot_create" in result.error and "not allowed" in result.error
    assert after.action == "created"  # the next post is not held back
    assert sorted(p["slug"] for p in posts(api, slug)) == [f"{slug}-next", f"{slug}-warm"]


def test_validation_error_names_the_field(wordpress, target, api):
    slug = prefix()
    result = target.publish(item(slug, date="2024-13-45"))  # not a date: sent without one
    assert result.action == "created"
    bad = WordPressTarget(wordpress.url, wordpress.user, wordpress.app_password)
    bad.status = "bogus"  # bypasses the constructor's check: WordPress says what is wrong
    failed = bad.publish(item(prefix()))
    bad.close()
    assert failed.action == "failed" and "HTTP 400" in failed.error and "rest_invalid_param" in failed.error
    assert "status" in failed.error and failed.writes == 1


def test_a_slug_wordpress_will_not_take_fails_and_leaves_no_post(target, api):
    slug = str(uuid.uuid4().int)[:12]  # WordPress renames all-digit post slugs (they look like page numbers)
    result = target.publish(item(slug))
    assert result.action == "failed" and result.details["code"] == "slug_taken" and slug in result.error
    assert posts(api, slug) == []  # the renamed post was deleted again
    assert result.writes == 2  # the create and its delete


def test_a_site_that_drops_the_meta_still_publishes_and_a_missing_image_fails_that_post(wordpress, api, proxy,
                                                                                         tmp_path):
    slug = prefix()
    with via(proxy, wordpress) as target:
        result = target.publish(item(slug))
        assert result.action == "created" and result.details["meta"] == "stored"  # this site has the plugin
        assert set(result.details["ledger"]) == {"remote_id", "modified_gmt", "remote_hash"}
        gone = Image("gone.png", tmp_path / "gone.png")
        missing = target.publish(item(f"{slug}-img", images=(gone,)))
        assert missing.action == "failed" and "gone.png" in missing.error and missing.writes == 0
    assert [p["slug"] for p in posts(api, slug)] == [slug]


def test_ledger_entries_find_a_hand_edit_and_repair_restores_it(wordpress, api):
    slug = prefix()
    with WordPressTarget(wordpress.url, wordpress.user, wordpress.app_password) as target:
        first = target.publish(item(slug))
        entry = {"content_hash": f"sha256:{slug}-0", **first.details["ledger"]}
        target.remember({slug: entry})
        assert target.publish(item(slug)).action == "unchanged"
        api.post(f"/posts/{first.remote_id}", json={"content": "<p>Changed by hand.</p>"}).raise_for_status()
        drifted = target.publish(item(slug))
        assert drifted.action == "failed" and drifted.details["code"] == "drifted" and drifted.writes == 0
        assert "edited in WordPress" in drifted.error and "--repair" in drifted.error
        target.repair = {slug}
        repaired = target.publish(item(slug))
    assert repaired.action == "updated" and repaired.details["repaired"] is True and repaired.writes == 1
    assert "Body 0" in api.get(f"/posts/{first.remote_id}", params={"context": "edit"}).json()["content"]["raw"]


def test_2xx_that_is_not_json_is_a_failure(wordpress, api, proxy):
    slug = prefix()
    with via(proxy, wordpress) as target:
        target.publish(item(f"{slug}-warm"))
        proxy.answer_next(1, 200, b"", "text/html; charset=UTF-8", method="POST", path=POSTS)
        result = target.publish(item(slug))
    assert result.action == "failed" and "not JSON" in result.error and "permalinks" in result.error
    assert result.details["retryable"] is False
    assert [p["slug"] for p in posts(api, slug)] == [f"{slug}-warm"]


def test_unpublish_sets_draft(target, api):
    slug = prefix()
    created = target.publish(item(slug))
    result = target.unpublish(slug)
    assert result.action == "unpublished" and result.writes == 1
    assert api.get(f"/posts/{created.remote_id}", params={"context": "edit"}).json()["status"] == "draft"
    assert target.unpublish(slug).action == "unchanged" and target.unpublish(f"{slug}-missing").action == "skipped"
    assert target.publish(item(slug)).action == "updated"  # back to published
    assert [p["status"] for p in posts(api, slug)] == ["publish"]


def test_url_for_and_links_between_posts(target, api, wordpress):
    one, two = prefix(), prefix()
    assert target.url_for(one) == f"{wordpress.url}/{one}/"
    target.publish(item(one))
    result = target.publish(item(two, html=f'<p>See <a href="{target.url_for(one)}">the other post</a>.</p>'))
    assert result.action == "created"
    page = httpx.get(target.url_for(one), timeout=10)
    assert page.status_code == 200  # the pretty permalink resolves (no theme: WordPress answers an empty page)
    assert api.get("/posts", params={"slug": one}).json()[0]["link"] == target.url_for(one)


def test_from_env(wordpress):
    env = {"MEDPRESS_WP_URL": wordpress.url + "/", "MEDPRESS_WP_USER": wordpress.user,
           "MEDPRESS_WP_APP_PASSWORD": wordpress.app_password, "MEDPRESS_WP_STATUS": "pending"}
    with WordPressTarget.from_env(env) as target:
        assert (target.site, target.status) == (wordpress.url, "pending")
    with WordPressTarget.from_env(env, status="draft") as target:
        assert target.status == "draft"
    with pytest.raises(WordPressConfigError, match="MEDPRESS_WP_APP_PASSWORD"):
        WordPressTarget.from_env({"MEDPRESS_WP_URL": wordpress.url, "MEDPRESS_WP_USER": "x"})


def test_from_prefect_secret_block(wordpress, prefect_api, api):
    from prefect.blocks.system import Secret

    name = f"medpress-wp-{uuid.uuid4().hex[:8]}"
    Secret(value=json.dumps({"url": wordpress.url, "user": wordpress.user,
                             "app_password": wordpress.app_password})).save(name)
    with WordPressTarget.from_env({"MEDPRESS_WP_SECRET_BLOCK": name}) as target:
        slug = prefix()
        assert target.publish(item(slug)).action == "created"
    with pytest.raises(WordPressConfigError, match="cannot load"):
        WordPressTarget.from_env({"MEDPRESS_WP_SECRET_BLOCK": f"{name}-missing"})


def test_server_stop_leaves_nothing_running(tmp_path):
    server = server_module().WordPressServer(tmp_path / "wp")
    server.start()
    try:
        assert httpx.get(f"{server.url}/wp-json/", timeout=10).status_code == 200
        pids = [server._php.pid, server._mariadb.pid]
        assert server.config_file.exists()
    finally:
        server.stop()
    assert not [pid for pid in pids if os.path.exists(f"/proc/{pid}")]
    assert not server.config_file.exists()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/wp-json/", timeout=2)

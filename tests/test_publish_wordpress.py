"""The whole path to WordPress: approve, publish, edit (refused as stale), re-approve, publish the same post."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx

from flows.publish.signoff import publish
from flows.publish.wordpress import WordPressTarget
from tests.conftest import write_post
from tests.signing import approve_for_test

ADVICE = ("This article is for general education and is not medical advice. Talk to a qualified healthcare "
          "provider about your own health before you start any treatment.")


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

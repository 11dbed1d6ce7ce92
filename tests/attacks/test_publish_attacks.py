"""Issue 14, publishing: what an attacker (or an accident) in the content folder or the site must not achieve.

Items: 2 (markup in the fields sent to WordPress), 3 (files from outside the content folder), 4 (images with
one file name), 10 (pages outliving their posts), 12 (files medpress did not write), 19 (malformed WordPress
URL). Credentials (11) are in test_publish_secrets.py, the Prefect flow (17) in test_publish_flow.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from flows.cli import main
from flows.publish.signoff import publish, status
from flows.publish.static import MANIFEST, StaticTarget
from flows.publish.wordpress import WordPressTarget
from tests.attacks.publish_support import approve_post, revoke_post
from tests.conftest import ADVICE, CONTENT, run_medpress, write_post

PEN = CONTENT / "images" / "microneedling-pen.png"
LASER = CONTENT / "images" / "laser-hair-removal.png"


def _post(slug: str, body: str, title: str = "Aftercare tips", summary: str = "Short.", extra: str = "") -> str:
    return (f"---\ntitle: {json.dumps(title)}\nslug: {slug}\ndate: 2024-05-01\nsummary: {json.dumps(summary)}\n"
            f"{extra}---\n{body}\n\n{ADVICE}\n")



def _static(content: Path, site: Path):
    target = StaticTarget(site)
    run = publish(content, target, grammar=False)
    return run, {d.slug: d for d in run.decisions}, {r.slug: r for r in run.results}


def _site_bytes(site: Path) -> list[bytes]:
    return [p.read_bytes() for p in site.rglob("*") if p.is_file()]


# -- item 3: nothing from outside the content folder --------------------------------------------------------
@pytest.mark.parametrize("override", ["", "reviewed the chart"])
def test_a_symlinked_image_to_etc_passwd_holds_the_post_and_copies_nothing(tmp_path: Path, override: str) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    post = write_post(content, "a.md", _post("sun-care", "See the chart.\n\n![chart](/images/chart.png)"))
    (content / "images").mkdir()
    os.symlink("/etc/passwd", content / "images" / "chart.png")
    approve_post(content, post, override)
    _run, decisions, results = _static(content, site)
    held = decisions["sun-care"]
    assert held.action == "hold" and "/images/chart.png" in held.reason and "outside the content folder" in held.reason
    assert "sun-care" not in results
    assert not (site / "images" / "chart.png").exists() and not (site / "blog" / "sun-care").exists()
    assert not any(b"root:" in data for data in _site_bytes(site))


def test_dot_dot_image_paths_are_refused_after_an_override(tmp_path: Path) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    (content / "images").mkdir(parents=True)
    os.symlink("/", content / "images" / "root")  # a symlinked folder inside images/ leads out as well
    post = write_post(content, "a.md", _post("dots", "![x](/images/../../../etc/passwd)"))
    other = write_post(content, "b.md", _post("folder", "![x](/images/root/etc/passwd)"))
    approve_post(content, post, "link fixed in the CMS")  # LNK003: the file is not in the content folder
    approve_post(content, other, "chart")
    _run, decisions, _ = _static(content, site)
    assert decisions["dots"].action == "hold" and "'/images/../../../etc/passwd'" in decisions["dots"].reason
    assert decisions["folder"].action == "hold" and "'/images/root/etc/passwd'" in decisions["folder"].reason
    assert not any(b"root:" in data for data in _site_bytes(site)) and not (site / "blog").exists()
    dry = publish(content, StaticTarget(site), grammar=False, dry_run=True)  # a dry run says so too
    assert {d.slug: d.action for d in dry.decisions} == {"dots": "hold", "folder": "hold"}


def test_an_image_symlinked_inside_the_content_folder_is_still_published(tmp_path: Path) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    (content / "images" / "real").mkdir(parents=True)
    (content / "images" / "real" / "pen.png").write_bytes(PEN.read_bytes())
    os.symlink("real/pen.png", content / "images" / "pen.png")
    post = write_post(content, "a.md", _post("pen", "![A pen](/images/pen.png)"))
    approve_post(content, post)
    _, decisions, results = _static(content, site)
    assert decisions["pen"].action == "publish" and results["pen"].action == "created"
    assert (site / "images" / "pen.png").read_bytes() == PEN.read_bytes()
    assert not (site / "images" / "pen.png").is_symlink()


def test_an_image_swapped_for_a_symlink_after_the_check_is_not_followed(tmp_path: Path) -> None:
    from flows.publish.base import Image, PublishItem

    picture = tmp_path / "content" / "images" / "pen.png"
    picture.parent.mkdir(parents=True)
    picture.write_bytes(PEN.read_bytes())
    item = PublishItem("pen", "Pen", '<img src="/images/pen.png" alt="A pen">', "sha256:0", "2024-05-01",
                       images=(Image("pen.png", picture.resolve(), "A pen"),))
    picture.unlink()
    os.symlink("/etc/passwd", picture)  # between the check at render time and the copy
    result = StaticTarget(tmp_path / "site").publish(item)
    assert result.action == "failed" and "pen.png" in result.error
    assert not any(b"root:" in data for data in _site_bytes(tmp_path / "site"))


# -- item 4: images with one file name in two folders ------------------------------------------------------
def _two_photos(content: Path) -> tuple[Path, Path]:
    for folder, source in (("a", PEN), ("b", LASER)):
        (content / "images" / folder).mkdir(parents=True, exist_ok=True)
        (content / "images" / folder / "photo.png").write_bytes(source.read_bytes())
    first = write_post(content, "a.md", _post("patient-a", "![Patient A](/images/a/photo.png)"))
    second = write_post(content, "b.md", _post("patient-b", "![Patient B](/images/b/photo.png)"))
    return first, second


def test_two_photo_png_in_two_folders_stay_two_images(tmp_path: Path) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    for path in _two_photos(content):
        approve_post(content, path)
    _, _, results = _static(content, site)
    assert {r.action for r in results.values()} == {"created"}
    assert (site / "images" / "a" / "photo.png").read_bytes() == PEN.read_bytes()
    assert (site / "images" / "b" / "photo.png").read_bytes() == LASER.read_bytes()
    assert not (site / "images" / "photo.png").exists()
    assert 'src="/images/a/photo.png"' in (site / "blog" / "patient-a" / "index.html").read_text()
    assert 'src="/images/b/photo.png"' in (site / "blog" / "patient-b" / "index.html").read_text()


def test_two_photo_png_in_one_post_stay_two_wordpress_media(wordpress: Any, tmp_path: Path) -> None:
    content = tmp_path / "content"
    slug = f"t{uuid.uuid4().hex[:8]}-photos"
    _two_photos(content)
    both = write_post(content, "c.md", _post(slug, "![Patient A](/images/a/photo.png)\n\n"
                                                   "![Patient B](/images/b/photo.png)"))
    approve_post(content, both)
    (content / "posts" / "a.md").unlink()
    (content / "posts" / "b.md").unlink()
    with WordPressTarget(wordpress.url, wordpress.user, wordpress.app_password) as target:
        run = publish(content, target, grammar=False)
    [result] = run.results
    assert result.action == "created", result.error
    with httpx.Client(base_url=f"{wordpress.url}/wp-json/wp/v2", auth=(wordpress.user, wordpress.app_password),
                      timeout=30) as api:
        raw = api.get(f"/posts/{result.remote_id}", params={"context": "edit"}).json()["content"]["raw"]
    sources = [part.split('"', 1)[0] for part in raw.split('src="')[1:]]
    assert len(sources) == 2 and all("/wp-content/" in src for src in sources)
    assert [httpx.get(src, timeout=10).content for src in sources] == [PEN.read_bytes(), LASER.read_bytes()]


# -- item 10: pages outlive their posts ----------------------------------------------------------------------
def test_a_renamed_or_deleted_post_takes_its_old_page_down_and_status_shows_it_first(tmp_path: Path) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    post = write_post(content, "a.md", _post("old-name", "Keep the area clean."))
    gone = write_post(content, "b.md", _post("deleted-post", "Drink water."))
    approve_post(content, post)
    approve_post(content, gone)
    _static(content, site)
    assert (site / "blog" / "old-name" / "index.html").is_file()
    post.write_text(post.read_text().replace("slug: old-name", "slug: new-name"))
    approve_post(content, post)
    gone.unlink()
    rows = {row.slug: row for row in status(content)}
    assert rows["old-name"].state == "orphaned" and "new-name" in rows["old-name"].detail
    assert rows["deleted-post"].state == "orphaned" and "no longer exists" in rows["deleted-post"].detail
    _run, decisions, results = _static(content, site)
    assert decisions["old-name"].action == "unpublish" and "now has the slug 'new-name'" in decisions[
        "old-name"].reason
    assert results["old-name"].action == "unpublished" and results["deleted-post"].action == "unpublished"
    assert not (site / "blog" / "old-name").exists() and not (site / "blog" / "deleted-post").exists()
    assert (site / "blog" / "new-name" / "index.html").is_file()
    assert "old-name" not in (site / "index.html").read_text()
    assert {row.state for row in status(content)} == {"published"}


def test_the_cli_says_what_it_took_down(tmp_path: Path) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    post = write_post(content, "a.md", _post("old-name", "Keep the area clean."))
    approve_post(content, post)
    _static(content, site)
    post.write_text(post.read_text().replace("slug: old-name", "slug: new-name"))
    shown = run_medpress("status", "--content", str(content), cwd=tmp_path)
    assert shown.returncode == 0 and "orphaned" in shown.stdout and "old-name" in shown.stdout, shown.stderr
    done = run_medpress("publish", "--content", str(content), "--out", str(site), "--no-grammar", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("unpublish"))
    assert "old-name" in line and "unpublished" in line and "1 taken down" in done.stdout


def test_a_renamed_post_is_unpublished_on_wordpress(wordpress: Any, tmp_path: Path) -> None:
    content = tmp_path / "content"
    old, new = f"t{uuid.uuid4().hex[:8]}-old", f"t{uuid.uuid4().hex[:8]}-new"
    post = write_post(content, "a.md", _post(old, "Keep the area clean."))
    approve_post(content, post)

    def run() -> Any:
        with WordPressTarget(wordpress.url, wordpress.user, wordpress.app_password) as target:
            return publish(content, target, grammar=False)

    assert [r.action for r in run().results] == ["created"]
    post.write_text(post.read_text().replace(f"slug: {old}", f"slug: {new}"))
    approve_post(content, post)
    results = {r.slug: r for r in run().results}
    assert results[old].action == "unpublished" and results[new].action == "created"
    with httpx.Client(base_url=f"{wordpress.url}/wp-json/wp/v2", auth=(wordpress.user, wordpress.app_password),
                      timeout=30) as api:
        found = api.get("/posts", params={"slug": old, "status": "any", "context": "edit"}).json()
        assert [p["status"] for p in found] == ["draft"]


# -- item 12: files medpress did not write -------------------------------------------------------------------
def test_unpublish_removes_only_what_medpress_wrote(tmp_path: Path) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    (content / "images").mkdir(parents=True)
    (content / "images" / "pen.png").write_bytes(PEN.read_bytes())
    post = write_post(content, "a.md", _post("after-care", "![A pen](/images/pen.png)"))
    approve_post(content, post)
    _static(content, site)
    notes = site / "blog" / "after-care" / "notes.txt"
    notes.write_text("a person's file")
    revoke_post(content, post)
    _, _, results = _static(content, site)
    assert results["after-care"].action == "unpublished"
    assert not (site / "blog" / "after-care" / "index.html").exists()
    assert not (site / "images" / "pen.png").exists()  # no live post uses it any more
    assert notes.read_text() == "a person's file"
    assert results["after-care"].details["kept"] == ["blog/after-care/notes.txt"]
    assert '"blog/after-care/index.html"' not in (site / MANIFEST).read_text()


def test_an_image_a_post_no_longer_shows_goes_unless_another_live_post_shows_it(tmp_path: Path) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    (content / "images").mkdir(parents=True)
    for name, source in (("x.png", PEN), ("y.png", LASER), ("shared.png", PEN)):
        (content / "images" / name).write_bytes(source.read_bytes())
    first = write_post(content, "a.md", _post("first", "![X](/images/x.png)\n\n![S](/images/shared.png)"))
    second = write_post(content, "b.md", _post("second", "![S](/images/shared.png)"))
    approve_post(content, first)
    approve_post(content, second)
    _static(content, site)
    first.write_text(first.read_text().replace("/images/x.png", "/images/y.png").replace("![S](/images/shared.png)",
                                                                                          ""))
    approve_post(content, first)
    _, _, results = _static(content, site)
    assert results["first"].action == "updated"
    assert not (site / "images" / "x.png").exists() and (site / "images" / "y.png").is_file()
    assert (site / "images" / "shared.png").is_file()  # the second post still shows it


def test_an_index_html_medpress_did_not_write_is_kept_with_a_warning(tmp_path: Path, capsys) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<h1>Our clinic</h1>")
    post = write_post(content, "a.md", _post("after-care", "Keep the area clean."))
    approve_post(content, post)
    run, _, results = _static(content, site)
    assert results["after-care"].action == "created"
    assert (site / "index.html").read_text() == "<h1>Our clinic</h1>"
    assert any("index.html was not written by medpress: kept" in notice for notice in run.notices)
    code = main(["publish", "--content", str(content), "--out", str(site), "--no-grammar"])
    assert code == 0 and "index.html was not written by medpress" in capsys.readouterr().err
    (site / "index.html").unlink()  # moved away: now medpress writes (and owns) it
    again, _, _ = _static(content, site)
    assert again.notices == [] and "after-care" in (site / "index.html").read_text()


def test_a_page_medpress_did_not_write_is_not_replaced(tmp_path: Path) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    mine = write_post(content, "a.md", _post("after-care", "Keep the area clean."))
    other = write_post(content, "b.md", _post("other", "Drink water."))
    approve_post(content, mine)
    approve_post(content, other)
    (site / "blog" / "after-care").mkdir(parents=True)
    (site / "blog" / "after-care" / "index.html").write_text("hand-written")
    _, _, results = _static(content, site)
    assert results["after-care"].action == "failed" and "not written by medpress" in results["after-care"].error
    assert (site / "blog" / "after-care" / "index.html").read_text() == "hand-written"
    assert results["other"].action == "created"


def test_a_site_from_before_the_manifest_is_adopted(tmp_path: Path) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    post = write_post(content, "a.md", _post("after-care", "Keep the area clean."))
    approve_post(content, post)
    _static(content, site)
    (site / MANIFEST).unlink()  # as written by medpress before it kept one
    _, _, results = _static(content, site)
    assert results["after-care"].action == "unchanged"
    revoke_post(content, post)
    _, _, results = _static(content, site)
    assert results["after-care"].action == "unpublished" and not (site / "blog" / "after-care").exists()


def test_a_damaged_manifest_fails_the_posts_and_replaces_or_removes_nothing(tmp_path: Path, capsys) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    post = write_post(content, "a.md", _post("after-care", "Keep the area clean."))
    approve_post(content, post)
    _static(content, site)
    (site / MANIFEST).write_text("{not json")
    post.write_text(post.read_text().replace("clean.", "clean and dry."))
    approve_post(content, post)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    code = main(["publish", "--content", str(content), "--out", str(site), "--no-grammar"])
    out = capsys.readouterr()
    assert code == 1 and "is damaged" in out.out and "Traceback" not in out.err
    assert "article list" in out.err and {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


# -- item 2: what WordPress receives is text, never markup ----------------------------------------------------
def test_markup_in_title_summary_terms_and_alt_text_is_not_live_on_wordpress(wordpress: Any, tmp_path: Path) -> None:
    content = tmp_path / "content"
    slug = f"t{uuid.uuid4().hex[:8]}"
    (content / "images").mkdir(parents=True)
    (content / "images" / f"{slug}.png").write_bytes(PEN.read_bytes())
    title = "Sun care <img src=x onerror=alert(document.cookie)>"
    post = write_post(content, "a.md", _post(
        slug, f'![Pen <b onmouseover="alert(3)">x</b>](/images/{slug}.png)', title=title,
        summary="<script>alert(1)</script>",
        extra=f'tags: ["{slug} <i onclick=alert(4)>t</i>"]\ncategories: ["{slug} <script>alert(5)</script>"]\n'))
    approve_post(content, post, "defence in depth test")
    with WordPressTarget(wordpress.url, wordpress.user, wordpress.app_password) as target:
        run = publish(content, target, grammar=False)
    [result] = run.results
    assert result.action == "created", result.error
    api = httpx.Client(base_url=f"{wordpress.url}/wp-json/wp/v2", auth=(wordpress.user, wordpress.app_password),
                       timeout=30)
    shown = api.get(f"/posts/{result.remote_id}").json()
    assert "<img" not in shown["title"]["rendered"] and "&lt;img src=x" in shown["title"]["rendered"]
    assert "<script" not in shown["excerpt"]["rendered"] and "&lt;script&gt;" in shown["excerpt"]["rendered"]
    names = [t["name"] for kind in ("tags", "categories") for t in api.get(f"/{kind}", params={"search": slug}).json()]
    assert len(names) == 2 and not any("<" in name for name in names)
    [media] = [m for m in api.get("/media", params={"search": slug, "context": "edit"}).json()]
    assert "<b" not in media["alt_text"] and "<b" not in media["caption"]["rendered"]
    assert "<b" not in media["title"]["rendered"]
    # The control: the same title sent as it is would be live markup (an administrator is not filtered).
    control = api.post("/posts", json={"title": title, "status": "draft"}).json()
    assert "<img src=x onerror" in control["title"]["rendered"]
    api.delete(f"/posts/{control['id']}", params={"force": "true"})
    api.close()


def _jpeg_with_iptc_caption(path: Path, caption: str) -> bytes:
    """A small JPEG whose IPTC data (2:120, the caption WordPress reads on upload) says ``caption``."""
    script = ('$i = imagecreatetruecolor(4, 4); imagejpeg($i, $argv[1]); $c = $argv[2]; '
              'file_put_contents($argv[1], iptcembed(chr(0x1C) . chr(2) . chr(120) . pack("n", strlen($c)) . $c, '
              '$argv[1]));')
    subprocess.run(["php", "-r", script, str(path), caption], check=True, timeout=60)
    return path.read_bytes()


def test_an_image_caption_from_its_iptc_data_never_reaches_wordpress(wordpress: Any, tmp_path: Path) -> None:
    content = tmp_path / "content"
    slug = f"t{uuid.uuid4().hex[:8]}"
    (content / "images" / slug).mkdir(parents=True)
    caption = '<a href="https://example.com/buy">Botox cures migraines, guaranteed</a>'  # kses lets it through
    data = _jpeg_with_iptc_caption(content / "images" / slug / "scan.jpg", caption)
    api = httpx.Client(base_url=f"{wordpress.url}/wp-json/wp/v2", auth=(wordpress.user, wordpress.app_password),
                       timeout=30)
    # The control: uploaded without a caption, WordPress takes the image's own (never reviewed), as a live link.
    control = api.post("/media", content=data, headers={"Content-Type": "image/jpeg", "Content-Disposition":
                                                        'attachment; filename="control.jpg"'}).json()
    assert '<a href="https://example.com/buy">Botox cures' in control["caption"]["rendered"]
    api.delete(f"/media/{control['id']}", params={"force": "true"})
    post = write_post(content, "a.md", _post(slug, f"![A scan](/images/{slug}/scan.jpg)"))
    approve_post(content, post)
    with WordPressTarget(wordpress.url, wordpress.user, wordpress.app_password) as target:
        [result] = publish(content, target, grammar=False).results
    assert result.action == "created", result.error
    [media] = [m for m in api.get("/media", params={"search": slug, "context": "edit"}).json()]
    assert "Botox" not in media["caption"]["rendered"] and "<a" not in media["caption"]["rendered"]
    assert "A scan" in media["caption"]["rendered"]  # the alt text compliance saw
    api.close()


# -- item 19: a malformed WordPress URL ----------------------------------------------------------------------
@pytest.mark.parametrize(("url", "says"), [
    ("http://[::1", "not a valid URL"),
    ("http://example.com:99999", "not a valid URL"),
    ("localhost:8080", "http:// or https://"),
    ("ftp://example.com", "http:// or https://"),
    ("http://", "no valid host"),
    ("http://exa mple.com", "no valid host"),
    ("http://admin:s3cret-pass@example.com", "must not hold a user or password"),
    ("http://admin:s3cret-pass@[::1", "not a valid URL"),
])
def test_a_malformed_wordpress_url_is_a_usage_error(tmp_path: Path, monkeypatch, capsys, url: str,
                                                    says: str) -> None:
    monkeypatch.setenv("MEDPRESS_WP_URL", url)
    monkeypatch.setenv("MEDPRESS_WP_USER", "medpress")
    monkeypatch.setenv("MEDPRESS_WP_APP_PASSWORD", "abcd efgh ijkl mnop")
    code = main(["publish", "--content", str(tmp_path / "content"), "--target", "wordpress", "--no-grammar"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("medpress: error: MEDPRESS_WP_URL") and says in err, err
    assert "s3cret" not in err


def test_the_ipv6_url_from_the_issue_exits_2_without_a_traceback(tmp_path: Path) -> None:
    done = run_medpress("publish", "--target", "wordpress", "--no-grammar", cwd=tmp_path,
                        env={"MEDPRESS_WP_URL": "http://[::1", "MEDPRESS_WP_USER": "medpress",
                             "MEDPRESS_WP_APP_PASSWORD": "abcd efgh ijkl mnop"})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "MEDPRESS_WP_URL 'http://[::1' is not a valid URL" in done.stderr


# -- item 5 at publish: a post medpress could not read is never published, override or not ------------------
def test_a_post_over_its_budget_or_unreadable_is_held_even_with_an_override(tmp_path: Path) -> None:
    from tests.signing import own_policy

    content, site = tmp_path / "content", tmp_path / "site"
    stalls = write_post(content, "a.md", _post("stalls", "Wear a hat. " + "[" * 16_000))
    deep = write_post(content, "b.md", _post("deep", "- " * 600 + "x"))
    fine = write_post(content, "c.md", _post("fine", "Wear a hat."))
    settings = own_policy(content) / "policy.yaml"
    settings.write_text(settings.read_text().replace("max_seconds: 20", "max_seconds: 1"))
    for post in (stalls, deep):
        approve_post(content, post, "reviewed by hand")  # FM015 and FM017 are errors: an override is needed
    approve_post(content, fine)
    run, _decisions, results = _static(content, site)
    decisions = {d.path: d for d in run.decisions}  # the stalled post's slug is never read
    assert decisions["posts/a.md"].action == "hold" and "FM015" in decisions["posts/a.md"].reason
    assert decisions["posts/b.md"].action == "hold" and "FM017" in decisions["posts/b.md"].reason
    assert set(results) == {"fine"} and not (site / "blog" / "stalls").exists()

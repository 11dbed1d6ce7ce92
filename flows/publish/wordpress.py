"""Publish to WordPress over its REST API with an application password (HTTP basic auth).

Idempotent upsert by slug: every publish first looks the post up with
``GET /wp/v2/posts?slug=X&status=any&context=edit`` (authenticated, so drafts and pending posts are found),
then updates that post or creates one. WordPress itself never refuses a duplicate slug (it quietly makes
``X-2``), so this look-up is what keeps a crash or a lost answer from ever leaving a duplicate: a re-run, or
the retry after a create whose answer never came, finds the post and updates it instead.

Change detection works on a stock WordPress (5.6 or later, application passwords, no plugin): the caller hands
the target medpress's publish ledger entries (:meth:`WordPressTarget.remember`: slug, WordPress id, content hash,
the post's ``modified_gmt`` and ``remote_hash``, a hash of the title, content and excerpt WordPress saved), and
every result carries those fields back for the ledger (``details["ledger"]``). When the post still has the id,
the approved hash and the very text medpress saved, nothing is written. When its text was changed in WordPress
(the editor, another user, a plugin), the post has drifted: it is not overwritten (the result fails with code
``drifted``) unless its slug is in :attr:`WordPressTarget.repair` (``medpress publish --repair``).
Where the site registers the meta key ``medpress_content_hash`` (tools/wordpress/plugin/medpress-meta.php),
the hash is also stored there; without the plugin WordPress drops it silently, which is fine.

Faults: timeouts, connection errors, 5xx (and 408/429) are retried with exponential backoff; each retry
starts again from the look-up, so it is safe for creates and uploads too. Any other 4xx fails that post with
WordPress's code and message, and nothing more is written for it. A 2xx answer that is not JSON (what plain
permalinks give for ``POST /wp-json/...``) is a failure. Neither the application password nor the
``Authorization`` header made of it (``Basic <base64 of user:password>``) ever appears in an error, a log line,
a result or a repr, even when a server echoes the request's headers back in its answer.

Every text field is sent as plain text: title, excerpt, category and tag names, and the media's title, alt
text and caption have ``&``, ``<`` and ``>`` escaped, so WordPress shows what the post says and never runs it
(an administrator's posts are not filtered by WordPress itself). The body is the allow-list-sanitised HTML of
render.py. A media's caption is always sent, so WordPress never takes one from the image's own IPTC data.

Config: constructor arguments, or ``WordPressTarget.from_env()`` reading ``MEDPRESS_WP_URL``,
``MEDPRESS_WP_USER``, ``MEDPRESS_WP_APP_PASSWORD`` (and ``MEDPRESS_WP_STATUS``), or a Prefect Secret block
named by ``MEDPRESS_WP_SECRET_BLOCK`` holding JSON ``{"url": ..., "user": ..., "app_password": ...}``
(environment variables, when set, override the block's values).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import mimetypes
import os
import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from flows.publish.base import Image, PublishItem, PublishResult, media_url

log = logging.getLogger(__name__)

STATUSES = ("publish", "pending", "draft")
HASH_META = "medpress_content_hash"
MEDIA_PREFIX = "medpress-"  # media medpress uploaded: medpress-<path under images/>-<sha256[:12]>
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
TRANSIENT_STATUS = frozenset({408, 429})
POST_FIELDS = "id,slug,status,link,meta,modified_gmt,title,content,excerpt"


class WordPressConfigError(ValueError):
    """The target cannot be configured (missing URL, user or application password, bad status)."""


class WordPressError(Exception):
    """A request that failed for good (4xx, a non-JSON answer): the post fails, nothing more is sent."""

    def __init__(self, message: str, status: int = 0, code: str = "", term_id: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.term_id = term_id  # set by WordPress's "term_exists" answer


class _Transient(Exception):
    """A timeout, a connection error or a 5xx: worth another try."""


def slugify(text: str) -> str:
    """Close to WordPress's sanitize_title, for looking terms up (a search by name backs it up)."""
    ascii_text = unicodedata.normalize("NFKD", html.unescape(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text or "")).strip()


def as_text(value: str) -> str:
    """A text field for WordPress: what it says is shown, never read as markup."""
    return html.escape(value, quote=False)


def check_url(url: str) -> str:
    """The site's address without a trailing slash, or WordPressConfigError saying what is wrong with it."""
    shown = re.sub(r"//[^/?#]*@", "//***@", url)  # never echo a password put into the URL
    shown = shown if len(shown) <= 200 else shown[:200] + "..."
    try:
        parts = urlsplit(url.strip())
        host, _port = parts.hostname, parts.port  # .port raises ValueError for a port that is not 0-65535
    except ValueError as error:
        raise WordPressConfigError(f"MEDPRESS_WP_URL {shown!r} is not a valid URL: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise WordPressConfigError(f"MEDPRESS_WP_URL {shown!r} must start with http:// or https://")
    if not host or any(c.isspace() for c in url.strip()):
        raise WordPressConfigError(f"MEDPRESS_WP_URL {shown!r} has no valid host name")
    if parts.username is not None or parts.password is not None:
        raise WordPressConfigError("MEDPRESS_WP_URL must not hold a user or password: set MEDPRESS_WP_USER and "
                                   "MEDPRESS_WP_APP_PASSWORD instead")
    if parts.query or parts.fragment:
        raise WordPressConfigError(f"MEDPRESS_WP_URL {shown!r} must be the site's address, without ? or #")
    return url.strip().rstrip("/")


def _hash_of(post: Mapping[str, Any]) -> str:
    """The stored content hash; WordPress answers ``"meta": []`` when no meta is registered."""
    meta = post.get("meta")
    return str(meta.get(HASH_META) or "") if isinstance(meta, Mapping) else ""


def _raw(post: Mapping[str, Any], name: str) -> str:
    """A field as stored (``context=edit`` answers ``{"raw": ..., "rendered": ...}``)."""
    value = post.get(name)
    if isinstance(value, Mapping):
        return str(value.get("raw", value.get("rendered", "")) or "")
    return str(value or "")


def remote_hash(post: Mapping[str, Any]) -> str:
    """A hash of what WordPress holds for a post: its stored title, content and excerpt."""
    data = json.dumps([_raw(post, "title"), _raw(post, "content"), _raw(post, "excerpt")], ensure_ascii=False)
    return "sha256:" + hashlib.sha256(data.encode()).hexdigest()


def _load_secret_block(name: str) -> dict[str, str]:
    try:
        from prefect.blocks.system import Secret  # lazy: Prefect is heavy and only needed here
    except ImportError as error:  # pragma: no cover - prefect is a dependency of medpress
        raise WordPressConfigError(f"MEDPRESS_WP_SECRET_BLOCK={name} needs prefect: {error}") from error
    try:
        value = Secret.load(name).get()
    except Exception as error:
        raise WordPressConfigError(f"cannot load Prefect Secret block {name!r}: {type(error).__name__}") from error
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as error:
            raise WordPressConfigError(f"Prefect Secret block {name!r} does not hold JSON") from error
    if not isinstance(value, Mapping):
        raise WordPressConfigError(f"Prefect Secret block {name!r} must hold a JSON object with url, user, "
                                   "app_password")
    return {key: str(value[key]) for key in ("url", "user", "app_password") if value.get(key)}


def _secret_forms(user: str, password: str) -> tuple[str, ...]:
    """Every form the credentials take on the wire or in an echo of them: the password (as given, and without
    the spaces WordPress shows it with) and the ``Authorization`` header's base64 of ``user:password``, also
    without its ``=`` padding, with JSON's escaped slashes and percent-encoded."""
    forms: set[str] = set()
    for secret in {password, password.replace(" ", "")}:
        if not secret:
            continue
        encoded = base64.b64encode(f"{user}:{secret}".encode()).decode().rstrip("=")
        forms |= {secret, quote(secret, safe=""), encoded, encoded.replace("/", "\\/"), quote(encoded, safe="")}
    return tuple(sorted((f for f in forms if len(f) >= 4), key=len, reverse=True))


def redact_secrets(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


# Loggers that may see an echoed header (httpcore logs response headers at DEBUG) or a message of ours.
HTTP_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy", __name__)


class _Redacting(logging.Filter):
    """Takes the credentials out of every record of the HTTP loggers while a target is open. Records below a
    logger's level are never made, so this costs nothing unless someone turns DEBUG logging on."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_secrets(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class WordPressTarget:
    name = "wordpress"

    def __init__(self, url: str, user: str, app_password: str, *, status: str = "publish", timeout: float = 30.0,
                 tries: int = 4, backoff: float = 0.2, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if status not in STATUSES:
            raise WordPressConfigError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        if not url or not user or not app_password:
            raise WordPressConfigError("WordPress target needs a URL, a user and an application password")
        self.site = check_url(url)
        self.user = user
        self.status = status
        self.tries = max(1, tries)
        self.backoff = backoff
        self.writes = 0  # write requests (POST/PUT/PATCH/DELETE) sent over the target's lifetime
        self.requests = 0
        self._secrets = _secret_forms(user, app_password)
        self._sleep = sleep
        self._filter = _Redacting(self._secrets)
        try:
            self._client = httpx.Client(base_url=f"{self.site}/wp-json/wp/v2", auth=(user, app_password),
                                        timeout=timeout, transport=transport, follow_redirects=False,
                                        headers={"User-Agent": "medpress-wordpress-target",
                                                 "Accept": "application/json"})
        except (httpx.InvalidURL, ValueError) as error:
            raise WordPressConfigError(f"MEDPRESS_WP_URL {self.site!r} is not a valid URL: {error}") from None
        for name in HTTP_LOGGERS:
            logging.getLogger(name).addFilter(self._filter)
        self._auth_checked = False
        self._terms: dict[tuple[str, str], int] = {}
        self._media: dict[str, str] = {}
        self.known: Mapping[str, Mapping[str, str]] = {}  # slug -> its publish-ledger entry (see remember)
        self._public: httpx.Client | None = None  # for the audit's public pages (never carries the credentials)
        self._last_headers: httpx.Headers = httpx.Headers()
        self.repair: set[str] = set()  # slugs whose drifted post may be overwritten with the approved version

    def remember(self, entries: Mapping[str, Mapping[str, str]]) -> None:
        """What medpress published here before (the publish ledger's entries for this target, by slug)."""
        self.known = entries

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kwargs: Any) -> WordPressTarget:
        env = os.environ if env is None else env
        values: dict[str, str] = {}
        if env.get("MEDPRESS_WP_SECRET_BLOCK"):
            values.update(_load_secret_block(env["MEDPRESS_WP_SECRET_BLOCK"]))
        for key, var in (("url", "MEDPRESS_WP_URL"), ("user", "MEDPRESS_WP_USER"),
                         ("app_password", "MEDPRESS_WP_APP_PASSWORD")):
            if env.get(var):
                values[key] = env[var]
        missing = [var for key, var in (("url", "MEDPRESS_WP_URL"), ("user", "MEDPRESS_WP_USER"),
                                        ("app_password", "MEDPRESS_WP_APP_PASSWORD")) if not values.get(key)]
        if missing:
            raise WordPressConfigError(f"WordPress target: set {', '.join(missing)} (or MEDPRESS_WP_SECRET_BLOCK, "
                                       "a Prefect Secret block holding JSON with url, user, app_password)")
        kwargs["status"] = kwargs.get("status") or env.get("MEDPRESS_WP_STATUS") or "publish"
        return cls(values["url"], values["user"], values["app_password"], **kwargs)

    def __repr__(self) -> str:  # never the password
        return f"WordPressTarget(url={self.site!r}, user={self.user!r}, status={self.status!r})"

    def __enter__(self) -> WordPressTarget:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()
        if self._public is not None:
            self._public.close()
        for name in HTTP_LOGGERS:
            logging.getLogger(name).removeFilter(self._filter)

    def url_for(self, slug: str) -> str:
        return f"{self.site}/{slug}/"

    # -- publish ------------------------------------------------------------------------------------
    def publish(self, item: PublishItem) -> PublishResult:
        if not SLUG.match(item.slug):
            return PublishResult(item.slug, "failed", error=f"invalid slug {item.slug!r}: WordPress would change "
                                 "it, and the post could not be found by slug again")
        state = {"create_sent": False}
        return self._attempts(item.slug, lambda: self._upsert(item, state))

    def unpublish(self, slug: str) -> PublishResult:
        return self._attempts(slug, lambda: self._to_draft(slug))

    def _attempts(self, slug: str, step: Callable[[], PublishResult]) -> PublishResult:
        """Run ``step`` (which starts from a look-up, so it is safe to repeat) until it succeeds, fails for
        good, or has had ``tries`` tries with exponential backoff between them."""
        writes_before = self.writes
        last = ""
        for attempt in range(self.tries):
            try:
                result = step()
            except _Transient as error:
                last = self._redact(str(error))
                log.warning("wordpress %s: try %d/%d failed: %s", slug, attempt + 1, self.tries, last)
                if attempt + 1 < self.tries:
                    self._sleep(self.backoff * 2**attempt)
                continue
            except WordPressError as error:
                return PublishResult(slug, "failed", writes=self.writes - writes_before, error=self._redact(str(error)),
                                     details={"status": error.status, "code": error.code, "retryable": False})
            except (OSError, KeyError, TypeError, ValueError) as error:  # an unreadable image, an odd answer
                return PublishResult(slug, "failed", writes=self.writes - writes_before,
                                     error=self._redact(f"{type(error).__name__}: {error}"),
                                     details={"retryable": False})
            result.writes = self.writes - writes_before
            result.details["tries"] = attempt + 1
            return result
        return PublishResult(slug, "failed", writes=self.writes - writes_before,
                             error=f"WordPress unreachable after {self.tries} tries: {last}",
                             details={"retryable": True, "tries": self.tries})

    def _status_matches(self, status: str) -> bool:
        return status == self.status or (self.status == "publish" and status == "future")

    def _upsert(self, item: PublishItem, state: dict[str, bool]) -> PublishResult:
        self._check_auth()
        found = self._find_posts(item.slug)
        entry = self.known.get(item.slug) or {}
        post = self._choose(found, item.content_hash, str(entry.get("remote_id", "")))
        if post and entry.get("content_hash") == item.content_hash and entry.get("remote_hash"):
            drift = self.drift(post, entry)
            if not drift:
                return self._result(item.slug, "unchanged", post, found)
            if item.slug not in self.repair:
                raise WordPressError(f"post {post['id']} ({item.slug}) {drift} since medpress published it: not "
                                     "overwritten; `medpress audit` shows the diff, `medpress publish --repair` "
                                     "restores the approved version", 0, "drifted")
        elif post and _hash_of(post) == item.content_hash and self._status_matches(str(post.get("status"))):
            # The meta plugin is there: the post carries this version. A create of this very call whose answer
            # was lost lands here too: it did reach WordPress.
            return self._result(item.slug, "created" if state["create_sent"] else "unchanged", post, found)
        body: dict[str, Any] = {
            "title": as_text(item.title),
            "content": self._with_media(item),
            "excerpt": as_text(item.summary),
            "slug": item.slug,
            "status": self.status,
            "categories": self._term_ids("categories", item.categories),
            "tags": self._term_ids("tags", item.tags),
            "meta": {HASH_META: item.content_hash},  # dropped by a site without the plugin: the ledger has it
        }
        body.update(self._date(item.date))
        if post and state["create_sent"] and (_raw(post, "title"), _raw(post, "content")) == (body["title"],
                                                                                            body["content"]):
            return self._result(item.slug, "created", post, found)  # our create, whose answer was lost
        if post:
            saved = self._request("POST", f"/posts/{post['id']}", json=body, params={"_fields": POST_FIELDS})
            result = self._result(item.slug, "updated", saved, found)
            result.details["repaired"] = bool(entry) and item.slug in self.repair
            return result
        state["create_sent"] = True  # from here on, WordPress may hold the post even if no answer comes
        saved = self._request("POST", "/posts", json=body, params={"_fields": POST_FIELDS})
        if saved.get("slug") != item.slug:
            return self._renamed(item, saved)
        return self._result(item.slug, "created", saved, found)

    def drift(self, post: Mapping[str, Any], entry: Mapping[str, str]) -> str:
        """How a post (as ``context=edit`` answers it) differs from what medpress published ("" when it does not)."""
        if str(post.get("id")) != str(entry.get("remote_id", "")):
            return f"is not the post {entry.get('remote_id')} medpress published (that one is gone)"
        if remote_hash(post) != entry.get("remote_hash"):
            return f"was edited in WordPress (modified {post.get('modified_gmt')} UTC)"
        if not self._status_matches(str(post.get("status"))):
            return f"was set to {post.get('status')!r} in WordPress"
        return ""

    def _renamed(self, item: PublishItem, saved: dict[str, Any]) -> PublishResult:
        """WordPress gave the new post another slug (X-2): X is taken. If that is a post this call created
        (a lost answer, then a race), keep that one; else the slug is reserved. Either way drop the new one."""
        self._request("DELETE", f"/posts/{saved['id']}", params={"force": "true", "_fields": "deleted"})
        holder = self._choose(self._find_posts(item.slug), item.content_hash)
        if holder and _hash_of(holder) == item.content_hash:
            return self._result(item.slug, "created", holder, [holder])
        raise WordPressError(f"WordPress would only accept the slug {saved.get('slug')!r} for {item.slug!r} (the "
                             "slug is reserved or taken); the new post was deleted again", 0, "slug_taken")

    @staticmethod
    def _choose(found: list[dict[str, Any]], content_hash: str, remote_id: str = "") -> dict[str, Any] | None:
        """Of several posts with the slug (drafts may share one): the one the ledger names, else ours with this
        hash, else a published one, else the oldest."""
        if not found:
            return None
        return sorted(found, key=lambda p: (str(p["id"]) != remote_id, _hash_of(p) != content_hash,
                                            p.get("status") not in ("publish", "future"), p["id"]))[0]

    def _result(self, slug: str, action: str, post: dict[str, Any], found: list[dict[str, Any]]) -> PublishResult:
        details: dict[str, object] = {"status": post.get("status"), "retryable": False, "meta": (
            "stored" if _hash_of(post) else "not registered"), "ledger": {
            "remote_id": str(post["id"]), "modified_gmt": str(post.get("modified_gmt") or ""),
            "remote_hash": remote_hash(post)}}
        others = [p["id"] for p in found if p["id"] != post["id"]]
        if others:
            details["same_slug"] = others
        return PublishResult(slug, action, location=self._redact(str(post.get("link") or self.url_for(slug))),
                             remote_id=self._redact(str(post["id"])), details=details)

    def _to_draft(self, slug: str) -> PublishResult:
        self._check_auth()
        found = self._find_posts(slug)
        live = [p for p in found if p.get("status") != "draft"]
        if not found:
            return PublishResult(slug, "skipped", details={"reason": "no post with this slug"})
        if not live:
            return self._result(slug, "unchanged", found[0], found)
        saved: dict[str, Any] = {}
        for post in live:
            saved = self._request("POST", f"/posts/{post['id']}", json={"status": "draft"},
                                  params={"_fields": POST_FIELDS})
        return self._result(slug, "unpublished", saved, found)

    # -- pieces -------------------------------------------------------------------------------------
    def _check_auth(self) -> None:
        """Once per target: WordPress ignores a wrong application password on reads (answers as to a visitor),
        so ask who we are, which gives a clear 401."""
        if self._auth_checked:
            return
        try:
            me = self._request("GET", "/users/me", params={"context": "edit", "_fields": "id,capabilities"})
        except WordPressError as error:
            if error.status in (401, 403):
                raise WordPressError(f"WordPress at {self.site} refused the credentials of user {self.user!r}: "
                                     f"{error}", error.status, error.code) from None
            raise
        if not (me.get("capabilities") or {}).get("edit_posts", True):
            raise WordPressError(f"WordPress user {self.user!r} may not edit posts", 403, "rest_cannot_edit")
        self._auth_checked = True

    def _find_posts(self, slug: str) -> list[dict[str, Any]]:
        answer = self._request("GET", "/posts", params={"slug": slug, "status": "any", "context": "edit",
                                                        "per_page": 100, "_fields": POST_FIELDS})
        if not isinstance(answer, list):
            raise WordPressError("GET /posts did not answer a list", 200, "unexpected_answer")
        return [p for p in answer if p.get("slug") == slug]

    @staticmethod
    def _date(value: str) -> dict[str, str]:
        if not value:
            return {}
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return {}
        if when.tzinfo is not None:
            return {"date_gmt": when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")}
        return {"date": when.isoformat(timespec="seconds")}

    def _term_ids(self, taxonomy: str, names: tuple[str, ...]) -> list[int]:
        ids: list[int] = []
        for name in names:
            name = name.strip()
            if not name:
                continue
            key = (taxonomy, name.casefold())
            if key not in self._terms:
                self._terms[key] = self._find_or_create_term(taxonomy, name)
            if self._terms[key] not in ids:
                ids.append(self._terms[key])
        return ids

    def _find_or_create_term(self, taxonomy: str, name: str) -> int:
        fields = {"_fields": "id,name,slug", "per_page": 100}
        slug = slugify(name)
        if slug:
            for term in self._request("GET", f"/{taxonomy}", params={**fields, "slug": slug}):
                return int(term["id"])
        for term in self._request("GET", f"/{taxonomy}", params={**fields, "search": name}):
            if _plain(str(term.get("name", ""))).casefold() == name.casefold():
                return int(term["id"])
        try:
            return int(self._request("POST", f"/{taxonomy}", json={"name": as_text(name)},
                                     params={"_fields": "id"})["id"])
        except WordPressError as error:
            if error.code == "term_exists" and error.term_id:
                return error.term_id  # created meanwhile (or by a try whose answer was lost)
            raise

    def _with_media(self, item: PublishItem) -> str:
        """Upload the item's images (once: media carry a medpress- slug with the file's hash) and point the
        HTML's ``/images/<name>`` at them."""
        text = item.html
        for image in item.images:
            url = html.escape(self._media_url(image), quote=True)
            local = re.escape(html.escape(media_url(image.name), quote=True))
            text = re.sub(rf"""(\b(?:src|href)=)(["']){local}\2""", lambda m, u=url: f"{m[1]}{m[2]}{u}{m[2]}",
                          text)
        return text

    def _media_url(self, image: Image) -> str:
        data = image.read()
        slug = f"{MEDIA_PREFIX}{slugify(image.name)}-{hashlib.sha256(data).hexdigest()[:12]}"
        if slug in self._media:
            return self._media[slug]
        for media in self._request("GET", "/media", params={"slug": slug, "_fields": "id,slug,source_url"}):
            if media.get("slug") == slug:
                self._media[slug] = str(media["source_url"])
                return self._media[slug]
        file_name = image.name.rsplit("/", 1)[-1]
        ascii_name = file_name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
        kind = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        media = self._request(
            "POST", "/media", content=data,
            params={"slug": slug, "title": as_text(image.name), "alt_text": as_text(image.alt),
                    "caption": as_text(image.alt or image.name), "_fields": "id,slug,source_url"},
            headers={"Content-Type": kind,
                     "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                                            f"filename*=UTF-8''{quote(file_name)}"})
        self._media[slug] = str(media["source_url"])
        return self._media[slug]

    # -- reading, for the audit -----------------------------------------------------------------------
    def get_page(self, path: str, params: Mapping[str, Any]) -> tuple[list[dict[str, Any]], int]:
        """One page of a REST collection and the number of pages (``X-WP-TotalPages``); retried like a publish."""
        self._check_auth()
        last = ""
        for attempt in range(self.tries):
            try:
                data = self._request("GET", path, params=dict(params))
            except _Transient as error:
                last = self._redact(str(error))
                if attempt + 1 < self.tries:
                    self._sleep(self.backoff * 2**attempt)
                continue
            if not isinstance(data, list):
                raise WordPressError(f"GET {path} did not answer a list", 200, "unexpected_answer")
            return data, int(self._last_headers.get("X-WP-TotalPages") or 1)
        raise WordPressError(f"WordPress unreachable after {self.tries} tries: {last}", 0, "unreachable")

    def fetch_public(self, url: str) -> tuple[int | None, str]:
        """A page as a reader gets it (no credentials sent): (HTTP status, text), or (None, why) without an answer."""
        if self._public is None:
            self._public = httpx.Client(timeout=self._client.timeout, follow_redirects=True,
                                        headers={"User-Agent": "medpress-audit"})
        try:
            answer = self._public.get(url if "://" in url else f"{self.site}/{url.lstrip('/')}")
        except httpx.HTTPError as error:
            return None, self._redact(f"{type(error).__name__}: {error}")
        return answer.status_code, answer.text

    # -- HTTP ---------------------------------------------------------------------------------------
    def redact(self, text: str) -> str:
        """``text`` without the credentials, in any form they take (for messages made outside the target)."""
        return redact_secrets(text, self._secrets)

    _redact = redact

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        if method in WRITE_METHODS:
            self.writes += 1
        self.requests += 1
        what = f"{method} /wp-json/wp/v2{path}"
        try:
            answer = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as error:  # timeouts, refused or dropped connections, an answer that cannot be read
            raise _Transient(f"{what}: {type(error).__name__}: {self._redact(str(error)) or 'no answer'}") from None
        status = answer.status_code
        if status >= 500 or status in TRANSIENT_STATUS:
            raise _Transient(f"{what}: HTTP {status} {self._message(answer)}")
        if 300 <= status < 400:
            where = self._redact(answer.headers.get("location", "?"))
            raise WordPressError(f"{what}: HTTP {status} redirect to {where}: set the target URL to the site's own "
                                 "address", status, "redirect")
        if status >= 400:
            data = self._json(answer)
            extra = data.get("data") if isinstance(data, dict) else None
            term_id = int(extra.get("term_id") or 0) if isinstance(extra, dict) else 0
            raise WordPressError(f"{what}: HTTP {status} {self._message(answer)}", status, self._code(answer), term_id)
        data = self._json(answer)
        self._last_headers = answer.headers
        if data is None:
            kind = answer.headers.get("content-type", "no content type")
            raise WordPressError(f"{what}: HTTP {status} answer is not JSON ({kind}, {len(answer.content)} bytes): is "
                                 "this the WordPress site, with pretty permalinks? (with plain permalinks WordPress "
                                 "answers /wp-json/ writes with an empty HTML page and saves nothing)", status,
                                 "not_json")
        return data

    @staticmethod
    def _json(answer: httpx.Response) -> Any:
        if "json" not in answer.headers.get("content-type", ""):
            return None
        try:
            return answer.json()
        except ValueError:
            return None

    def _code(self, answer: httpx.Response) -> str:
        data = self._json(answer)
        return str(data.get("code", "")) if isinstance(data, dict) else ""

    def _message(self, answer: httpx.Response) -> str:
        data = self._json(answer)
        if isinstance(data, dict) and (data.get("code") or data.get("message")):
            text = f"{data.get('code', '')}: {_plain(str(data.get('message', '')))}"
            params = (data.get("data") or {}).get("params") if isinstance(data.get("data"), dict) else None
            if isinstance(params, dict):
                text += " (" + "; ".join(f"{k}: {_plain(str(v))}" for k, v in params.items()) + ")"
            return self._redact(text)
        body = self._redact(_plain(answer.text))[:200]  # redacted before it is cut: no part of a secret is left
        return f"{answer.reason_phrase}" + (f": {body}" if body else "")

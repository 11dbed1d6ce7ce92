"""``medpress audit``: what is live on the site, checked against what compliance approved and medpress published.

Three steps, as Pelican reads, generates, then writes: :func:`expected` asks publishing what it would send now
(the approved versions that pass review, rendered, through publish's own ``send`` hook: nothing is written);
a reader lists every post on the site (WordPress: paginated REST, drafts and pending included where the
credentials allow; static: the site folder) and fetches each live post's public page; :func:`judge` compares
them and returns one :class:`reports.model.PostReport` per post, so every report writer (text, JSON, HTML,
SARIF, Markdown) shows the audit as it shows a review. The rules are ``checks/audit_rules.py`` (AUD000-AUD008).

The rendered page is checked for what a reader sees: text inside HTML comments, ``display:none``,
``visibility:hidden``, ``hidden``, scripts and styles does not count. Its visible blocks become a post (with the
approved source's front matter) that the disclaimer and claims checks read again; a disclaimer or claim finding
the approved source did not have is the page's (a theme or plugin changed what readers get).
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import html as html_lib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from checks import audit_rules as rules
from checks.document import parse_post
from checks.model import Finding, Rule, finding
from checks.pipeline import review_post
from checks.policy import Policy
from flows.publish.base import PublishItem, PublishResult, Target
from flows.publish.signoff import Decision
from reports.model import PostReport, ReviewReport

LIVE = ("publish", "future", "private")
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d])"
                          r"|opacity\s*:\s*0(?![.\d])", re.I)
SKIPPED = frozenset({"script", "style", "template", "noscript", "head", "title", "svg"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
BLOCKS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article", "td",
                    "th", "figcaption", "dd", "dt", "pre", "header", "footer", "main", "ol", "ul", "table", "tr"})
MAX_DIFF_LINES = 60


@dataclass
class SitePost:
    """One post on the site, as the audit reads it."""

    slug: str
    status: str
    remote_id: str
    url: str
    fingerprint: str  # what medpress compares with its ledger (WordPress: hash of stored title/content/excerpt)
    content: str  # the stored body (for the diff)
    title: str = ""
    modified: str = ""


@dataclass
class Expected:
    """What publishing would do now: its decisions, and each publishable post rendered (by slug)."""

    decisions: list[Decision] = field(default_factory=list)
    items: dict[str, PublishItem] = field(default_factory=dict)
    sources: dict[str, bytes] = field(default_factory=dict)  # slug -> the approved source file's bytes
    paths: dict[str, str] = field(default_factory=dict)  # slug -> display path of the post file


# -- what publishing would send ----------------------------------------------------------------------------------
class _Plan:
    """Stands in for the target while publish decides and renders: has its name and URLs, writes nothing."""

    def __init__(self, target: Target) -> None:
        self.name = target.name
        self.url_for = target.url_for
        self.remember = target.remember
        image_url = getattr(target, "image_url", None)
        if image_url is not None:
            self.image_url = image_url

    def publish(self, item: PublishItem) -> PublishResult:  # pragma: no cover - publish calls send, not this
        raise AssertionError("the audit never publishes")

    def unpublish(self, slug: str) -> PublishResult:  # pragma: no cover
        raise AssertionError("the audit never unpublishes")

    def close(self) -> None:
        pass


def expected(content_dir: Path, target: Target, *, policy_dir: Path | None = None, grammar: bool = True) -> Expected:
    """Publish's decisions and rendered items, through its ``send`` hook: every call is captured and answered
    "failed", so nothing is sent and nothing recorded in the publish ledger."""
    from flows.engine import ingest
    from flows.publish.signoff import publish

    plan = Expected()

    def capture(_target: Target, item: PublishItem | None, slug: str) -> PublishResult:
        if item is not None:
            plan.items[slug] = item
        return PublishResult(slug, "failed", error="audit: not sent")

    run = publish(content_dir, _Plan(target), policy_dir=policy_dir, grammar=grammar, send=capture)  # type: ignore[arg-type]
    plan.decisions = run.decisions
    for decision in run.decisions:
        path = content_dir / decision.path
        plan.paths[decision.slug] = ingest.display_path(path) if path.is_file() else decision.path
        if decision.slug in plan.items or decision.action == "hold":
            with contextlib.suppress(OSError):
                plan.sources[decision.slug] = path.read_bytes()
    return plan


# -- the rendered page --------------------------------------------------------------------------------------------
@dataclass
class Page:
    blocks: list[str] = field(default_factory=list)  # visible text, one entry per block ("## " before headings)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, visible text) of visible links


class _Visible(HTMLParser):
    """Visible text and links of a page; ``scoped``: only inside the post's content (``<article>`` or an element
    whose class names ``entry-content`` / ``post-content``), as a theme wraps it."""

    def __init__(self, scoped: bool, reveal: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.scoped = scoped
        self.reveal = reveal  # also what is hidden from readers (comments, display:none...), to say so
        self.page = Page()
        self._stack: list[tuple[str, bool, bool]] = []  # (tag, hidden here, content scope starts here)
        self._hidden = 0
        self._scope = 0
        self._text: list[str] = []
        self._heading = False
        self._link: list[Any] | None = None

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        if text:
            self.page.blocks.append(("## " if self._heading else "") + text)
        self._text, self._heading = [], False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in VOID:
            if tag == "br":
                self._text.append(" ")
            return
        hidden = tag in SKIPPED or "hidden" in values or bool(HIDDEN_STYLE.search(values.get("style", "")))
        if self.reveal:
            hidden = tag in SKIPPED
        classes = values.get("class", "").split()
        scope = tag == "article" or any(c in ("entry-content", "post-content") for c in classes)
        self._stack.append((tag, hidden, scope))
        self._hidden += hidden
        self._scope += scope
        if tag in BLOCKS:
            self._flush()
            self._heading = tag in ("h1", "h2", "h3", "h4", "h5", "h6")
        if tag == "a" and self._visible():
            self._link = [values.get("href", ""), []]

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not any(t == tag for t, _h, _s in self._stack):
            return
        while self._stack:
            name, hidden, scope = self._stack.pop()
            self._hidden -= hidden
            self._scope -= scope
            if name == "a" and self._link is not None:
                self.page.links.append((str(self._link[0]), " ".join("".join(self._link[1]).split())))
                self._link = None
            if name in BLOCKS:
                self._flush()
            if name == tag:
                return

    def _visible(self) -> bool:
        return not self._hidden and (self._scope > 0 or not self.scoped)

    def handle_data(self, data: str) -> None:
        if self._visible():
            self._text.append(data)
            if self._link is not None:
                self._link[1].append(data)

    def handle_comment(self, data: str) -> None:
        if self.reveal and self._visible():
            self._flush()
            self._text.append(re.sub(r"<[^>]*>", " ", data))
            self._flush()

    def close(self) -> None:
        super().close()
        self._flush()


def visible(page_html: str, *, reveal: bool = False) -> Page:
    """What a reader sees of the post on a page (``reveal``: with what is hidden from them too)."""
    for scoped in (True, False):
        parser = _Visible(scoped, reveal)
        parser.feed(page_html)
        parser.close()
        if parser.page.blocks or not scoped:
            return parser.page
    return Page()  # pragma: no cover


def _front_matter(source: bytes) -> str:
    text = source.decode("utf-8", "replace")
    match = re.match(r"---\r?\n.*?\r?\n---\r?\n", text, re.S)
    return match.group(0) if match else "---\n---\n"


def _page_findings(slug: str, source: bytes, page_html: str, policy: Policy, url: str,
                   link_status: Callable[[str], int | None]) -> list[Finding]:
    found: list[Finding] = []
    page = visible(page_html)
    name = f"posts/{slug}.md"
    own = review_post(parse_post(name, source), policy).findings
    shown = _review_blocks(name, source, page.blocks, policy)
    revealed: list[Finding] | None = None
    before = Counter(f.rule for f in own)
    seen: Counter[str] = Counter()
    for item in shown:
        if item.rule not in ("DSC001", "DSC002") and not item.rule.startswith("CLM"):
            continue
        seen[item.rule] += 1
        if seen[item.rule] <= before[item.rule]:
            continue  # the approved source has it too: the review reported it
        if item.rule.startswith("DSC"):
            if revealed is None:
                revealed = _review_blocks(name, source, visible(page_html, reveal=True).blocks, policy)
            hint = "" if (item.rule, item.message) in {(f.rule, f.message) for f in revealed} else (
                " (it is in the page's HTML but hidden from readers: an HTML comment, display:none or similar)")
            found.append(finding(rules.DISCLAIMER, f"the live page {url} does not show what the approved post "
                                 f"says: {item.message}{hint}", suggestion="check the theme and plugins that "
                                 "filter the post's content (the_content)"))
        else:
            found.append(finding(rules.RENDERED_CLAIM, f"the live page {url} says more than the approved post: "
                                 f"{item.rule} {item.message}", excerpt=item.excerpt))
    post = parse_post(name, source, body=False)
    hrefs = {href for href, _text in page.links}
    for ref in post.meta_list("references"):
        if isinstance(ref, dict) and str(ref.get("url", "")).startswith(("http://", "https://")) \
                and html_lib.unescape(str(ref["url"])) not in {html_lib.unescape(h) for h in hrefs}:
            found.append(finding(rules.REFERENCES, f"reference [{ref.get('id')}] ({ref['url']}) is not shown as a "
                                 f"link on the live page {url}"))
    checked: set[str] = set()
    for href, _text in page.links:
        target = urljoin(url, href)
        if not _same_site(target, url) or target in checked:
            continue
        checked.add(target)
        status = link_status(href if not href.startswith(("http://", "https://")) else target)
        if status is not None and status >= 400:
            found.append(finding(rules.BROKEN_LINK, f"the link to {href} on the live page {url} answers "
                                 f"HTTP {status}"))
        elif status is None:
            found.append(finding(rules.BROKEN_LINK, f"the link to {href} on the live page {url} does not resolve"))
    return found


def _review_blocks(name: str, source: bytes, blocks: list[str], policy: Policy) -> list[Finding]:
    """The checks' findings on a page's blocks, read as a post with the approved source's front matter."""
    text = "\n\n".join(b.replace("\\", "\\\\") for b in blocks)
    return review_post(parse_post(name, (_front_matter(source) + text + "\n").encode()), policy).findings


def _same_site(target: str, base: str) -> bool:
    a, b = urlsplit(target), urlsplit(base)
    return a.scheme in ("http", "https", "") and a.netloc == b.netloc and not a.path.startswith(
        ("/wp-admin", "/wp-login", "/wp-json", "/feed", "/xmlrpc"))


# -- comparing -----------------------------------------------------------------------------------------------
def diff(approved: str, live: str, name: str) -> str:
    """A unified diff of two bodies, a line per block so an edit shows as the paragraph it touched."""
    def lines(text: str) -> list[str]:
        return [line for line in re.sub(r"(</(?:p|h\d|li|ol|ul|section|figure|blockquote)>)", r"\1\n", text)
                .splitlines() if line.strip()]

    out = list(difflib.unified_diff(lines(approved), lines(live), f"approved/{name}", f"live/{name}", lineterm="",
                                    n=1))
    if len(out) > MAX_DIFF_LINES:
        out = [*out[:MAX_DIFF_LINES], f"... ({len(out) - MAX_DIFF_LINES} more diff lines)"]
    return "\n".join(out)


def judge(site: Iterable[SitePost], entries: Mapping[str, Mapping[str, Any]], plan: Expected, policy: Policy, *,
          pages: Mapping[str, str | None], approved_text: Callable[[str], str],
          link_status: Callable[[str], int | None]) -> list[PostReport]:
    """One report per post that needs looking at (and per live post that passed, with no findings).

    ``entries``: the publish ledger for this target; ``pages``: slug -> the live page's HTML (None: could not be
    read); ``approved_text``: slug -> the body medpress published (for the diff); ``link_status``: a link on a
    page -> its HTTP status (None: no answer)."""
    by_slug: dict[str, list[SitePost]] = {}
    for post in site:
        by_slug.setdefault(post.slug, []).append(post)
    decided = {d.slug: d for d in plan.decisions}
    reports: dict[str, PostReport] = {}

    def add(slug: str, rule: Rule, message: str, **extra: str) -> None:
        report(slug).findings.append(finding(rule, message, **extra))

    def report(slug: str) -> PostReport:
        if slug not in reports:
            live = by_slug.get(slug, [None])[0]
            path = plan.paths.get(slug) or (live.url if live else slug)
            entry = entries.get(slug) or {}
            reports[slug] = PostReport(path=path, slug=slug, title=live.title if live else "",
                                       content_hash=str(entry.get("content_hash", "")))
        return reports[slug]

    for slug, posts in sorted(by_slug.items()):
        entry = entries.get(slug)
        live = [p for p in posts if p.status in LIVE]
        decision = decided.get(slug)
        if not live:
            continue
        post = next((p for p in live if entry and p.remote_id == str(entry.get("remote_id", ""))), live[0])
        report(slug)
        if entry is None or (decision is not None and decision.action == "unpublish"):
            why = decision.reason if decision and entry else "medpress never published it (made by hand?)"
            add(slug, rules.UNAPPROVED, f"{post.url} is live ({post.status}, id {post.remote_id}) without a "
                                        f"current approval: {why}", suggestion="approve it through medpress, or "
                                        f"`medpress unpublish {slug}`")
            continue
        if entry.get("remote_hash") and not post.fingerprint:
            add(slug, rules.INCOMPLETE, f"{post.url} could not be compared with what medpress published: the user "
                                        "may not read posts as stored (context=edit); give it the Editor role")
        elif entry.get("remote_hash") and post.fingerprint != entry.get("remote_hash"):
            add(slug, rules.DRIFTED, f"{post.url} (id {post.remote_id}) differs from the approved version medpress "
                                     f"published{' (modified ' + post.modified + ' UTC)' if post.modified else ''}",
                excerpt=diff(approved_text(slug), post.content, slug),
                suggestion="`medpress publish --repair` restores the approved version")
        if decision is not None and decision.action == "hold" and decision.reason.startswith(
                ("review fails", "medpress could not read")):
            add(slug, rules.FAILING, f"{post.url} is live but no longer passes under today's policy and knowledge "
                                     f"base: {decision.reason}",
                suggestion=f"medpress review {plan.paths.get(slug, '')}".strip())
        page = pages.get(slug, "")
        if slug in pages and page is None:
            add(slug, rules.INCOMPLETE, f"the live page {post.url} could not be read, so what readers see was not "
                                        "checked")
        elif page and slug in plan.sources:
            report(slug).findings.extend(_page_findings(slug, plan.sources[slug], page, policy, post.url,
                                                        link_status))
    for decision in plan.decisions:
        slug = decision.slug
        if decision.action != "publish":
            continue
        live = [p for p in by_slug.get(slug, []) if p.status in LIVE]
        entry = entries.get(slug)
        if not live:
            where = ", ".join(f"{p.status} (id {p.remote_id})" for p in by_slug.get(slug, [])) or "not on the site"
            add(slug, rules.NOT_LIVE, f"{decision.path} is approved but {where}",
                suggestion="`medpress publish` publishes it")
        elif entry and entry.get("content_hash") != plan.items.get(slug, _NO_ITEM).content_hash:
            add(slug, rules.NOT_LIVE, f"{decision.path}: the approved version is not the live one (published "
                                      f"{entry.get('time', '')})", suggestion="`medpress publish` publishes it")
    return [reports[slug] for slug in sorted(reports)]


_NO_ITEM = PublishItem(slug="", title="", html="", content_hash="", date="")


def as_report(posts: list[PostReport], target: str, site: str, read: int) -> ReviewReport:
    for post in posts:
        post.findings.sort(key=lambda f: f.rule)
    return ReviewReport({"command": "audit", "target": target, "site": site, "posts_on_site": read,
                         "rules": [r.id for r in rules.RULES]}, posts)


def fingerprint_bytes(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


# -- reading the site ----------------------------------------------------------------------------------------
class SiteUnreadable(Exception):
    """The site itself could not be read (nothing to audit): medpress could not run."""


def read_wordpress(target: Any) -> tuple[list[SitePost], bool]:
    """Every post on a WordPress site, 100 a page: any status with ``context=edit`` when the user may, else the
    published ones. Returns the posts and whether drafts and pending posts were included."""
    from flows.publish.wordpress import WordPressError, remote_hash

    fields = "id,slug,status,link,modified_gmt,title,content,excerpt"
    found: list[SitePost] = []
    every = True
    page = 1
    while True:
        params = {"per_page": 100, "page": page, "orderby": "id", "order": "asc", "_fields": fields}
        if every:
            params.update(status="any", context="edit")
        try:
            answer = target.get_page("/posts", params)
        except WordPressError as error:
            if every and page == 1 and error.status in (400, 401, 403):
                every = False  # not allowed to list drafts: the published posts are what readers see anyway
                continue
            raise SiteUnreadable(target.redact(str(error))) from None
        data, total = answer
        for post in data:
            content = post.get("content") or {}
            title = post.get("title") or {}
            found.append(SitePost(
                slug=str(post.get("slug", "")), status=str(post.get("status", "")), remote_id=str(post.get("id")),
                url=str(post.get("link") or ""), fingerprint=remote_hash(post) if every else "",
                content=str(content.get("raw", content.get("rendered", "")) if isinstance(content, dict) else content),
                title=html_lib.unescape(str(title.get("raw", title.get("rendered", "")) if isinstance(title, dict)
                                            else title)),
                modified=str(post.get("modified_gmt") or "")))
        if page >= total:
            return found, every
        page += 1


def read_static(out: Path, entries: Mapping[str, Mapping[str, Any]]) -> list[SitePost]:
    """Every page under ``<out>/blog/*/index.html``; the page itself is what readers get."""
    found = []
    for page in sorted((out / "blog").glob("*/index.html")):
        data = page.read_bytes()
        slug = page.parent.name
        found.append(SitePost(slug=slug, status="publish", remote_id=str(page), url=f"/blog/{slug}/",
                              fingerprint=fingerprint_bytes(data), content=data.decode("utf-8", "replace")))
    return found


def audit(content_dir: Path, target: Any, *, policy_dir: Path | None = None, grammar: bool = True,
          fetch: Callable[[str], tuple[int | None, str]] | None = None) -> ReviewReport:
    """Audit ``target`` (a WordPressTarget or a StaticTarget) against the content folder's ledger and policy."""
    from flows.store import ledger
    from flows.store.policy_files import load_policy, policy_dir_for

    policy = load_policy(policy_dir_for(content_dir, policy_dir))
    plan = expected(content_dir, target, policy_dir=policy_dir, grammar=grammar)
    entries = ledger.published(content_dir).get(target.name, {})
    if target.name == "wordpress":
        site, _every = read_wordpress(target)
        fetch = fetch or target.fetch_public
        base = target.site
    else:
        entries = {slug: {**entry, "remote_hash": _static_hash(target, plan, slug, entry)}
                   for slug, entry in entries.items()}
        site = read_static(target.out, entries)
        fetch = fetch or _static_fetch(target.out)
        base = ""
    pages: dict[str, str | None] = {}
    statuses: dict[str, int | None] = {}

    def link_status(href: str) -> int | None:
        if href not in statuses:
            statuses[href] = fetch(href)[0]
        return statuses[href]

    for post in site:
        if post.status == "publish" and post.slug in plan.sources and post.slug not in pages:
            status, text = fetch(post.url)
            pages[post.slug] = text if status == 200 else None
    approved = {slug: target.page_bytes(item).decode() if target.name == "static" else item.html
                for slug, item in plan.items.items()}
    found = judge(site, entries, plan, policy, pages=pages, approved_text=lambda s: approved.get(s, ""),
                  link_status=link_status)
    return as_report(found, target.name, base or str(getattr(target, "out", "")), len(site))


def _static_hash(target: Any, plan: Expected, slug: str, entry: Mapping[str, Any]) -> str:
    """The static page medpress would write for the approved version (its bytes are the page's fingerprint)."""
    item = plan.items.get(slug)
    if item is None or item.content_hash != entry.get("content_hash"):
        return str(entry.get("remote_hash", ""))
    return fingerprint_bytes(target.page_bytes(item))


def _static_fetch(out: Path) -> Callable[[str], tuple[int | None, str]]:
    def fetch(url: str) -> tuple[int | None, str]:
        path = urlsplit(url).path
        if ".." in path.split("/"):
            return 404, ""
        file = out / path.lstrip("/")
        if file.is_dir() or path.endswith("/"):
            file = file / "index.html"
        try:
            return 200, file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return 404, ""

    return fetch


# -- text output ---------------------------------------------------------------------------------------------
def render_text(report: ReviewReport) -> str:
    """One line per finding, the diff of a drifted post under it, and a summary."""
    from reports.model import one_line

    lines = []
    for post in report.posts:
        for item in post.findings:
            lines.append(f"{one_line(post.path)}: {item.rule} [{item.severity.value}] {one_line(item.message)}")
            if item.excerpt:
                lines += ["    " + one_line(line) for line in item.excerpt.splitlines()]
            if item.suggestion:
                lines.append(f"    help: {one_line(item.suggestion)}")
    count = len(report.findings)
    needing = sum(bool(p.findings) for p in report.posts)
    lines.append(f"audit of {report.run.get('target')} {report.run.get('site')}: {report.run.get('posts_on_site')} "
                 f"post(s) on the site, {count} finding(s) on {needing} post(s)"
                 + ("" if count else ": nothing needs action"))
    return "\n".join(lines) + "\n"


# -- rule examples -------------------------------------------------------------------------------------------
def audit_example(example: str, policy_texts: dict[str, str]) -> list[Finding]:
    """Every finding the audit reports on a rule's example scenario (see checks/audit_rules.py)."""
    import json

    from checks.examples import split_example
    from checks.policy import policy_from_texts
    from flows.publish.wordpress import remote_hash

    files = split_example(example)
    policy = policy_from_texts(policy_texts)

    def data(name: str, default: Any) -> Any:
        raw = files.get(name)
        return json.loads(raw) if raw else default

    entries = data("ledger.json", {})
    for entry in entries.values():
        entry["remote_hash"] = remote_hash(entry.get("saved", {}))
    site = [SitePost(slug=p["slug"], status=p["status"], remote_id=str(p["id"]), url=f"https://clinic.example/"
                     f"{p['slug']}/", fingerprint=remote_hash(p), content=p.get("content", ""),
                     title=p.get("title", ""))
            for p in data("site.json", [])]
    decisions = data("decisions.json", {})
    links = data("links.json", {})
    plan = Expected()
    for name, raw in files.items():
        if name.startswith("posts/") and raw is not None:
            slug = str(parse_post(name, raw, body=False).meta.get("slug", ""))
            action, reason = decisions.get(slug, ["publish", "approved"])
            plan.decisions.append(Decision(name, slug, action, reason))
            plan.sources[slug], plan.paths[slug] = raw, name
            entry = entries.get(slug, {})
            if action == "publish":
                plan.items[slug] = PublishItem(slug=slug, title=slug, html=entry.get("saved", {}).get("content", ""),
                                               content_hash=str(entry.get("content_hash", "")), date="")
    pages = {name.removeprefix("page/").removesuffix(".html"): (raw.decode() if raw is not None else None)
             for name, raw in files.items() if name.startswith("page/")}
    found = judge(site, entries, plan, policy, pages=pages, approved_text=lambda s: plan.items[s].html
                  if s in plan.items else "", link_status=lambda href: links.get(href, 200))
    return [item for post in found for item in post.findings]

"""links: links between posts, anchors and images resolve; external links answer (when checked)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from rapidfuzz import fuzz, process

from checks.corpus import Corpus
from checks.model import Finding, Rule, Severity, finding
from checks.policy import LinksPolicy, Policy
from checks.summary import LinkRef, PostSummary

CHECK = "links"

_A = "==> posts/a.md <==\n---\ntitle: Botox for migraine\nslug: botox-migraine\ndate: 2024-05-01\n---\n"
_B = "==> posts/b.md <==\n---\ntitle: Sweat No More\nslug: sweat-no-more\ndate: 2024-05-02\n---\n" \
     "## Side Effects\n\nSome.\n"


def _rule(id: str, name: str, severity: Severity, rationale: str, failing: str, passing: str) -> Rule:
    return Rule(id, name, CHECK, severity, rationale, failing, passing, corpus=True)


MISSING_POST = _rule("LNK001", "missing-post", Severity.ERROR,
                     "A link to a post that does not exist sends patients to a 'page not found'.",
                     _A + "Read [our guide](/blog/sweat-no-mor/).\n" + _B,
                     _A + "Read [our guide](/blog/sweat-no-more/) or [this](b.md).\n" + _B)
MISSING_ANCHOR = _rule("LNK002", "missing-anchor", Severity.ERROR,
                       "A link to a section that does not exist lands at the top of the page, not the answer.",
                       _A + "See [side effects](/blog/sweat-no-more/#risks).\n" + _B,
                       _A + "See [side effects](/blog/sweat-no-more/#side-effects).\n" + _B)
MISSING_IMAGE = _rule("LNK003", "missing-file", Severity.ERROR,
                      "An image or file that is not in the content folder shows as broken.",
                      _A + "![Injection sites](/images/sites.png)\n",
                      _A + "![Injection sites](/images/sites.png)\n==> images/sites.png <==\nPNG\n")
UNLINKED_TITLE = _rule("LNK004", "unlinked-title", Severity.INFO,
                       "A post named by its title but not linked is a missed chance to help the reader.",
                       _A + "Read our post “Sweat No More” to learn more.\n" + _B,
                       _A + "Read our post “[Sweat No More](/blog/sweat-no-more/)” to learn more.\n" + _B)
BROKEN_EXTERNAL = _rule("LNK005", "broken-external", Severity.ERROR,
                        "An external source that is gone (4xx) cannot back a claim; checked with --external.",
                        _A + "Source: [FDA](https://www.fda.gov/old-page).\n"
                        "==> external.json <==\n{\"https://www.fda.gov/old-page\": 404}\n",
                        _A + "Source: [FDA](https://www.fda.gov/).\n"
                        "==> external.json <==\n{\"https://www.fda.gov/\": 200}\n")
UNSAFE_LINK = _rule("LNK006", "unsafe-link", Severity.ERROR,
                    "javascript:, data: and file: links are unsafe or meaningless for a reader.",
                    _A + "[Click](javascript:alert(1))\n", _A + "[Call us](tel:+15551234567)\n")
MISSING_ALT = _rule("LNK007", "missing-alt-text", Severity.WARNING,
                    "Images need alt text for screen readers (and for readers on slow connections).",
                    _A + "![](/images/sites.png)\n==> images/sites.png <==\nPNG\n",
                    _A + "![Injection sites on the forehead](/images/sites.png)\n==> images/sites.png <==\nPNG\n")
UNKNOWN_PATH = _rule("LNK008", "unknown-site-path", Severity.WARNING,
                     "A site path medpress does not know (not a post, image or policy links.site_paths) "
                     "may be broken.",
                     _A + "[Book now](/bookings/)\n", _A + "[Book now](/blog/botox-migraine/)\n")
MALFORMED_URL = _rule("LNK009", "malformed-url", Severity.ERROR,
                      "An address that cannot be parsed (an unclosed '[' in the host, a bad port) goes nowhere "
                      "in a browser, whatever its text promises.",
                      _A + "Source: [FDA](https://[www.fda.gov/)\n", _A + "Source: [FDA](https://www.fda.gov/)\n")

RULES = (MISSING_POST, MISSING_ANCHOR, MISSING_IMAGE, UNLINKED_TITLE, BROKEN_EXTERNAL, UNSAFE_LINK,
         MISSING_ALT, UNKNOWN_PATH, MALFORMED_URL)

UNSAFE_SCHEMES = frozenset({"javascript", "data", "vbscript", "file"})
IGNORED_SCHEMES = frozenset({"mailto", "tel", "sms"})


@dataclass(frozen=True)
class Target:
    """Where a link points. ``kind``: post-slug, post-path, file, anchor, external, site, unsafe, ignored,
    malformed (``value``: why it cannot be parsed)."""

    kind: str
    value: str = ""
    fragment: str = ""


def resolve(target: str, post_path: str, policy: LinksPolicy) -> Target:
    """Classify a link target as seen from the post at ``post_path`` (content-relative)."""
    target = target.strip()
    if policy.site_url and target.startswith(policy.site_url.rstrip("/") + "/"):
        target = target[len(policy.site_url.rstrip("/")) :]
    try:
        parts = urlsplit(target)
        parts.port  # noqa: B018 - raises on a port that is not a number, as a browser refuses it
    except ValueError as err:  # "Invalid IPv6 URL", a bad port: the address goes nowhere
        return Target("malformed", str(err))
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return Target("external", target)
    if scheme in IGNORED_SCHEMES:
        return Target("ignored", target)
    if scheme:
        return Target("unsafe", scheme)
    path, fragment = unquote(parts.path), unquote(parts.fragment)
    if not path:
        return Target("anchor", post_path, fragment)
    if path.startswith(policy.blog_prefix) and path[len(policy.blog_prefix) :].strip("/"):
        return Target("post-slug", path[len(policy.blog_prefix) :].strip("/"), fragment)
    if path.rstrip("/") == policy.blog_prefix.rstrip("/"):
        return Target("ignored", path)  # the blog's own index page
    if path.startswith(policy.images_prefix):
        return Target("file", "images/" + path[len(policy.images_prefix) :])
    if path.startswith("/"):
        return Target("site", path, fragment)
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(post_path), path))
    return Target("post-path" if resolved.endswith(".md") else "file", resolved, fragment)


def check_in_corpus(post: PostSummary, corpus: Corpus, policy: Policy) -> list[Finding]:
    """The post's links, images and mentions of other posts' titles, against the rest of the corpus."""
    if not post.readable:
        return []
    return [*_check_links(post, corpus, policy), *_unlinked_titles(post, corpus, policy)]


def _check_links(post: PostSummary, corpus: Corpus, policy: Policy) -> Iterable[Finding]:
    for link in post.links:
        span = link.span
        target = resolve(link.target, post.rel_path, policy.links)
        if link.kind == "image" and not link.has_text:
            yield finding(MISSING_ALT, f"image '{link.target}' has no alt text", span,
                          suggestion="Describe the image: ![what it shows](...)")
        if target.kind == "malformed":
            yield finding(MALFORMED_URL, f"'{link.target}' is not a valid address ({target.value})", span,
                          excerpt=link.target, suggestion="Correct the address (check brackets and the port).")
        elif target.kind == "unsafe":
            yield finding(UNSAFE_LINK, f"'{target.value}:' link is not allowed", span, excerpt=link.target,
                          suggestion="Link to an https:// page or a post instead.")
        elif target.kind == "external":
            result = corpus.external_result(link.target)
            if result and result.broken:
                yield finding(BROKEN_EXTERNAL, f"external link answers HTTP {result.status}", span,
                              excerpt=link.target, suggestion="Replace it with a working source (or an "
                                                              "archived copy).")
            elif result and result.error:
                yield finding(BROKEN_EXTERNAL, f"external link could not be reached: {result.error}", span,
                              excerpt=link.target, severity=Severity.WARNING,
                              suggestion="Check the address; retry later if the site is down.")
        elif target.kind in ("post-slug", "post-path", "anchor"):
            yield from _check_post_link(post, link, target, corpus)
        elif target.kind == "file" and not corpus.has_file(target.value):
            near = _near_file(target.value, corpus.other_files)
            yield finding(MISSING_IMAGE, f"'{link.target}' does not exist in the content folder", span,
                          excerpt=link.target, suggestion=_did_you_mean(near, f"Add the file {target.value}."))
        elif target.kind == "site" and not _known_site_path(target.value, policy.links):
            yield finding(UNKNOWN_PATH, f"'{link.target}' is not a post, an image or a known site page", span,
                          excerpt=link.target,
                          suggestion="Link a post as /blog/<slug>/, or list the page in links.site_paths.")


def _check_post_link(post: PostSummary, link: LinkRef, target: Target, corpus: Corpus) -> Iterable[Finding]:
    span = link.span
    destination: PostSummary | None
    if target.kind == "anchor":
        destination = post
    elif target.kind == "post-slug":
        destination = corpus.post_for_slug(target.value)
        if destination is None:
            near = _near(target.value, [s for s in corpus.slugs if s != post.slug])
            hint = _did_you_mean(f"/blog/{near}/" if near else None, "Create the post or remove the link.")
            yield finding(MISSING_POST, f"no post with slug '{target.value}'", span, excerpt=link.target,
                          suggestion=hint)
            return
    else:
        destination = corpus.post_for_path(target.value)
        if destination is None:
            near = _near(target.value, list(corpus.paths))
            yield finding(MISSING_POST, f"no post file '{target.value}'", span, excerpt=link.target,
                          suggestion=_did_you_mean(near, "Create the post or remove the link."))
            return
    if target.fragment and destination.readable and target.fragment not in destination.anchors:
        near = _near(target.fragment, sorted(destination.anchors))
        where = "this post" if destination is post else destination.display_path
        headings = destination.heading_anchors[:6]
        fallback = ("Sections there: " + ", ".join(f"#{a}" for a in headings) + ".") if headings else \
            "That post has no headings to link to."
        yield finding(MISSING_ANCHOR, f"no section '#{target.fragment}' in {where}", span, excerpt=link.target,
                      suggestion=_did_you_mean(f"#{near}" if near else None, fallback))


def _unlinked_titles(post: PostSummary, corpus: Corpus, policy: Policy) -> Iterable[Finding]:
    if not post.quotes:
        return
    titles = corpus.titles
    if not titles:
        return
    linked = {_linked_path(post, link.target, corpus, policy) for link in post.links}
    names = corpus.lowered_titles
    for quote in post.quotes:
        hit = process.extractOne(quote.text.lower(), names, scorer=fuzz.ratio,
                                 score_cutoff=policy.links.title_mention_score)
        if not hit:
            continue
        other = titles[hit[2]]
        if other.rel_path == post.rel_path or other.rel_path in linked:
            continue
        yield finding(UNLINKED_TITLE, f"“{other.title}” names another post without linking it", quote.span,
                      excerpt=quote.excerpt,
                      suggestion=f"Link it: [{other.title}]({policy.links.blog_prefix}{other.slug}/)")


def _linked_path(post: PostSummary, link_target: str, corpus: Corpus, policy: Policy) -> str | None:
    target = resolve(link_target, post.rel_path, policy.links)
    found = None
    if target.kind == "post-slug":
        found = corpus.post_for_slug(target.value)
    elif target.kind == "post-path":
        found = corpus.post_for_path(target.value)
    return found.rel_path if found else None


def _known_site_path(path: str, policy: LinksPolicy) -> bool:
    wanted = path.rstrip("/")
    return any(wanted == known.rstrip("/") for known in policy.site_paths)


def _near(value: str, choices: list[str]) -> str | None:
    match = process.extractOne(value, choices, scorer=fuzz.ratio, score_cutoff=60) if choices else None
    return match[0] if match else None


def _near_file(path: str, files: Iterable[str]) -> str | None:
    """The file whose name (without folder and extension) is closest to ``path``'s."""
    stems = {posixpath.splitext(posixpath.basename(f))[0]: f for f in files}
    wanted = posixpath.splitext(posixpath.basename(path))[0]
    match = process.extractOne(wanted, list(stems), scorer=fuzz.ratio, score_cutoff=75) if stems else None
    return "/" + stems[match[0]] if match else None


def _did_you_mean(candidate: str | None, otherwise: str) -> str:
    return f"Did you mean '{candidate}'?" if candidate else otherwise


def external_urls(posts: Iterable[PostSummary], policy: LinksPolicy) -> list[str]:
    """Every distinct http(s) link of the posts, for the caller to fetch."""
    urls = {link.target for post in posts for link in post.links
            if resolve(link.target, post.rel_path, policy).kind == "external"}
    return sorted(urls)


def linking_posts(corpus: Corpus, targets: set[str], policy: LinksPolicy) -> set[str]:
    """Content-relative paths of posts that link to any post in ``targets`` (paths)."""
    wanted = {corpus.by_path[t].slug: t for t in targets if t in corpus.by_path and corpus.by_path[t].slug}
    found = set()
    for post in corpus.posts:
        for link in post.links:
            target = resolve(link.target, post.rel_path, policy)
            if (target.kind == "post-slug" and target.value in wanted) or (
                    target.kind == "post-path" and target.value in targets):
                found.add(post.rel_path)
    return found


class Links:
    """The post's links, images and anchors, and mentions of other posts' titles, against the corpus."""

    name = CHECK
    rules = RULES

    def run_corpus(self, post: PostSummary, corpus: Corpus, policy: Policy) -> list[Finding]:
        return check_in_corpus(post, corpus, policy)

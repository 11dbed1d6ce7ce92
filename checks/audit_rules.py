"""The rules of ``medpress audit``: what is live on the site, checked against what compliance approved.

Data only (the audit itself is flows/publish/audit.py: it reads the site). An example is a small scenario in
``==> name <==`` files: ``posts/<name>.md`` the approved source, ``ledger.json`` what medpress published
(slug -> entry; ``"saved"`` holds the title, content and excerpt WordPress answered), ``site.json`` the posts on
the site, ``page/<slug>.html`` a post's public page as a reader gets it (``missing``: it could not be fetched),
``links.json`` (url -> HTTP status) what the site answered for links, ``decisions.json`` (slug -> [action,
reason]) publish's decision when it is not "publish". tests/test_audit.py runs every example.
"""

from __future__ import annotations

import json

from checks.model import Rule, Severity

CHECK = "audit"

_SOURCE = ("==> posts/example.md <==\n---\ntitle: Botox basics\nslug: botox-basics\ndate: 2024-05-01\n"
           "references:\n  - id: 1\n    title: Label\n    url: https://www.accessdata.fda.gov/label.pdf\n---\n"
           "BOTOX can soften frown lines for three to four months [1].\n\n"
           "This article is not medical advice. Talk to a qualified healthcare provider.\n")
_BODY = ("<p>BOTOX can soften frown lines for three to four months [1].</p>\n"
         "<p>This article is not medical advice. Talk to a qualified healthcare provider.</p>\n")
_REFS = ('<section class="references"><h2>References</h2><ol><li>[1] '
         '<a href="https://www.accessdata.fda.gov/label.pdf">Label</a></li></ol></section>')


def _ledger(content: str = _BODY) -> str:
    entry = {"content_hash": "approved", "remote_id": "7", "path": "posts/example.md",
             "saved": {"title": "Botox basics", "content": content + _REFS, "excerpt": ""}}
    return "==> ledger.json <==\n" + json.dumps({"botox-basics": entry}) + "\n"


def _site(content: str = _BODY, *, slug: str = "botox-basics", status: str = "publish", more: str = "") -> str:
    posts = [{"id": 7, "slug": slug, "status": status, "title": "Botox basics", "content": content + _REFS,
              "excerpt": ""}]
    if more:
        posts.append({"id": 8, "slug": more, "status": "publish", "title": "By hand", "content": "<p>Hi.</p>",
                      "excerpt": ""})
    return "==> site.json <==\n" + json.dumps(posts) + "\n"


def _page(body: str = _BODY, refs: str = _REFS) -> str:
    return (f"==> page/botox-basics.html <==\n<html><body><header>Clinic</header><article class=\"entry-content\">"
            f"<h1>Botox basics</h1>\n{body}{refs}</article></body></html>\n")


_OK = _SOURCE + _ledger() + _site() + _page()


def _rule(id: str, name: str, rationale: str, failing: str, passing: str, details: str = "") -> Rule:
    return Rule(id, name, CHECK, Severity.ERROR, rationale, failing, passing, details=details)


INCOMPLETE = _rule("AUD000", "audit-incomplete",
                   "A live page the audit could not read was not checked, so nobody knows what readers see.",
                   _SOURCE + _ledger() + _site() + "==> page/botox-basics.html missing <==\n", _OK)
DRIFTED = _rule("AUD001", "live-post-drifted",
                "A live post whose text differs from the version compliance approved was never signed off.",
                _SOURCE + _ledger() + _site(_BODY.replace("three to four", "six")) + _page(), _OK,
                "Edited in WordPress after medpress published it (the editor, another user, a plugin). The finding "
                "carries a diff; `medpress publish --repair` puts the approved version back.")
UNAPPROVED = _rule("AUD002", "unapproved-live-post",
                   "A post live on the site that medpress never published (or whose approval was revoked) was "
                   "never signed off by compliance.",
                   _SOURCE + _ledger() + _site(more="summer-offer") + _page(), _OK)
NOT_LIVE = _rule("AUD003", "approved-post-not-live",
                 "An approved post missing from the site, or no longer published there, is not what compliance "
                 "expects patients to read.",
                 _SOURCE + _ledger() + _site(status="draft") + _page(), _OK)
DISCLAIMER = _rule("AUD004", "disclaimer-not-visible",
                   "A required disclaimer must be visible on the live page; a theme or plugin may strip or hide it.",
                   _SOURCE + _ledger() + _site() + _page(_BODY.replace(
                       "<p>This article", "<p style=\"display:none\">This article")), _OK,
                   "Checked on what a reader gets: text inside HTML comments, `display:none`, `visibility:hidden`, "
                   "`hidden`, scripts and styles does not count.")
REFERENCES = _rule("AUD005", "references-not-rendered",
                   "A claim's citation helps only if the reference list renders with working links.",
                   _SOURCE + _ledger() + _site() + _page(refs=""), _OK)
BROKEN_LINK = _rule("AUD006", "broken-live-link",
                    "A link between posts that does not resolve on the live site sends patients to an error page.",
                    _SOURCE + _ledger() + _site() + _page(_BODY + '<p><a href="/gone/">More</a></p>')
                    + '==> links.json <==\n{"/gone/": 404}\n', _OK)
RENDERED_CLAIM = _rule("AUD007", "claim-on-rendered-page",
                       "A plugin or theme can add text compliance never saw; claims are checked on the live page.",
                       _SOURCE + _ledger() + _site() + _page(
                           _BODY + "<p>Our fillers are 100% safe and guaranteed to work.</p>\n"), _OK)
FAILING = _rule("AUD008", "live-post-fails-policy",
                "A live post that no longer passes under today's policy and knowledge base needs a new review.",
                _OK + '==> decisions.json <==\n{"botox-basics": ["hold", "review fails with 1 error(s)"]}\n', _OK)

RULES = (INCOMPLETE, DRIFTED, UNAPPROVED, NOT_LIVE, DISCLAIMER, REFERENCES, BROKEN_LINK, RENDERED_CLAIM, FAILING)

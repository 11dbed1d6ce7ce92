"""markup: the page compliance approves is the page readers get.

Raw HTML that runs code or is stripped at publishing, a raw HTML block that swallows the rest of the post,
HTML in front-matter fields a CMS renders, and characters that hide words (invisible ones, look-alike
letters) are findings: each would let a reader see something other than what was reviewed.

All are errors. Active HTML and unclosed blocks change the published page itself. Hidden characters are an
error too, though the checks read the text as folded: nothing in an English patient article needs a zero-width
space or a Cyrillic "о" inside a word, screen readers spell such words out or skip them, and the only reason
to type one is to get a word past a filter. Policy can lower a rule's severity where that is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from checks.document import Post, front_matter_values
from checks.model import Finding, Rule, Severity, finding
from checks.policy import Policy
from checks.protocol import Outcome

if TYPE_CHECKING:  # a type only
    from checks.context import PostContext

CHECK = "markup"

_HEAD = "---\ntitle: Sun care\nslug: sun-care\ndate: 2024-05-01\n---\n"


def _rule(id: str, name: str, rationale: str, failing: str, passing: str) -> Rule:
    return Rule(id, name, CHECK, Severity.ERROR, rationale, failing, passing)


UNCLOSED_HTML = _rule(
    "MKP001", "unclosed-html",
    "A raw HTML block never closed takes the rest of the post as raw HTML: what is checked is not what shows.",
    _HEAD + "Wear sunscreen daily.\n\n<pre>\nReapply every two hours.\n\nSee a doctor about new moles.\n",
    _HEAD + "Wear sunscreen daily.\n\n<pre>\nReapply every two hours.\n</pre>\n\nSee a doctor about new moles.\n")
ACTIVE_HTML = _rule(
    "MKP002", "active-html",
    "Scripts, embeds and event handlers run in readers' browsers or are stripped when published: either way "
    "the page differs from the review.",
    _HEAD + "Wear sunscreen daily.\n\n<img src=\"/images/sun.png\" alt=\"Sun\" onerror=\"alert(1)\">\n",
    _HEAD + "Wear sunscreen daily.\n\n![Sun](/images/sun.png)\n")
FRONT_MATTER_HTML = _rule(
    "MKP003", "html-in-front-matter",
    "Title, summary and terms are sent to the CMS as they are; HTML there can run as script in its pages.",
    "---\ntitle: \"Sun care <img src=x onerror=alert(document.cookie)>\"\nslug: sun-care\ndate: 2024-05-01\n---\n"
    "Wear sunscreen daily.\n",
    _HEAD + "Wear sunscreen daily.\n")
HIDDEN_CHARACTERS = _rule(
    "MKP004", "hidden-characters",
    "An invisible character or a look-alike letter inside a word hides it from checks, search and screen "
    "readers.",
    _HEAD + "Sunscreen is guaran\u200bteed to prevent every burn.\n",
    _HEAD + "Sunscreen lowers the risk of a burn.\n")

RULES = (UNCLOSED_HTML, ACTIVE_HTML, FRONT_MATTER_HTML, HIDDEN_CHARACTERS)

_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>?")


def check_post(post: Post, policy: Policy) -> Iterable[Finding]:
    if not post.readable:
        return
    yield from _raw_html(post)
    yield from _front_matter_html(post)
    yield from _hidden_characters(post)


def _raw_html(post: Post) -> Iterable[Finding]:
    for item in post.markup:
        span = post.source.span(item.start, max(item.end, item.start + 1))
        excerpt = post.text[item.start : item.end][:160]
        if item.kind == "unclosed":
            line = span.line
            rest = post.source.position(post.body_end)[0] - line
            yield finding(UNCLOSED_HTML, f"raw HTML {item.what} opened here is never closed: the {rest} line(s) "
                                         "after it are read as raw HTML, not Markdown, and may not show as checked",
                          span, excerpt=excerpt, suggestion=f"Close it ({_closing(item.what)}), or write the text "
                                                            "as Markdown.")
        else:
            yield finding(ACTIVE_HTML, f"raw HTML {item.what} can run code or pull in another page; publishing "
                                       "strips it, so the published page would differ from the reviewed one",
                          span, excerpt=excerpt, suggestion="Remove it; embed media as a link or an image.")


def _closing(what: str) -> str:
    return "-->" if what == "<!--" else what.replace("<", "</", 1)


def _front_matter_html(post: Post) -> Iterable[Finding]:
    flagged: set[str] = set()  # one finding per field
    for key, spot, item in front_matter_values(post):
        match = _TAG.search(item)
        if match is None or key in flagged:
            continue
        flagged.add(key)
        at = post.text.find(match.group(), spot.value_start, spot.value_end)
        start = at if at >= 0 else spot.value_start
        span = post.source.span(start, start + (len(match.group()) if at >= 0 else 1))
        yield finding(FRONT_MATTER_HTML, f"front-matter '{key}' holds HTML ({match.group()[:60]}): it is sent "
                                         "to the CMS and shown in page titles and lists as it is",
                      span, excerpt=item[:160], suggestion="Write plain text (no tags).")


def _hidden_characters(post: Post) -> Iterable[Finding]:
    seen: set[tuple[int, str]] = set()
    for disguise in post.disguises:
        key = (disguise.offset, disguise.char)
        if key in seen:
            continue
        seen.add(key)
        span = post.source.span(disguise.offset, disguise.offset + 1) if disguise.offset >= 0 else None
        if disguise.kind == "invisible":
            message = f"invisible character {disguise.name} inside the word “{disguise.word}”"
            fix = "Delete the invisible character (retype the word)."
        elif disguise.kind == "reordering":
            message = f"bidirectional control {disguise.name}: it reorders the text a reader sees"
            fix = "Delete it and write the words in reading order."
        elif disguise.kind == "mark":
            message = f"combining mark {disguise.name} on a letter of “{disguise.word}”"
            fix = "Delete the mark (retype the word)."
        else:
            message = f"look-alike letter {disguise.name} inside the word “{disguise.word}”"
            fix = "Retype the word in Latin letters."
        yield finding(HIDDEN_CHARACTERS, message, span, excerpt=disguise.word, suggestion=fix)


class Markup:
    """Raw HTML and hidden characters in the post that a reader or a browser would see differently."""

    name = CHECK
    rules = RULES

    def run(self, ctx: PostContext) -> Outcome:
        return Outcome(list(check_post(ctx.post, ctx.policy)))

"""frontmatter: the file is readable and its front matter is complete and valid."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from rapidfuzz import process

from checks.corpus import Corpus
from checks.document import Post
from checks.fields import field_line, key_span, value_span
from checks.model import Finding, Rule, Severity, Span, finding
from checks.policy import Policy
from checks.protocol import Outcome
from checks.summary import PostSummary

if TYPE_CHECKING:  # a type only
    from checks.context import PostContext

CHECK = "frontmatter"
STANDARD_KEYS = ("title", "slug", "date", "author", "status", "categories", "tags", "summary", "references")
REQUIRED_KEYS = ("title", "slug", "date")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_OK = "---\ntitle: Botox for frown lines\nslug: botox-frown-lines\ndate: 2024-05-01\n---\nText.\n"


def _rule(id: str, name: str, severity: Severity, rationale: str, failing: str, passing: str = _OK,
          corpus: bool = False) -> Rule:
    return Rule(id, name, CHECK, severity, rationale, failing, passing, corpus)


NOT_UTF8 = _rule("FM001", "not-utf8", Severity.ERROR,
                 "Posts must be UTF-8 text; other encodings garble characters when published.",
                 "---\ntitle: Caf\udce9 talk\nslug: cafe\ndate: 2024-05-01\n---\nText.\n")
BINARY = _rule("FM002", "binary-file", Severity.ERROR,
               "A binary file with a .md name is not a post and cannot be reviewed.",
               "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
EMPTY = _rule("FM003", "empty-file", Severity.ERROR,
              "An empty post has nothing to review or publish.", "\n\n")
TOO_LARGE = _rule("FM004", "file-too-large", Severity.ERROR,
                  "A post over the size limit (policy frontmatter.max_bytes) is almost surely a mistake.",
                  "==> posts/huge.md x120000 <==\nLorem ipsum.\n")
NO_FRONT_MATTER = _rule("FM005", "no-front-matter", Severity.ERROR,
                        "Title, slug and date come from YAML front matter between '---' lines.",
                        "# Botox for frown lines\n\nText.\n")
INVALID_YAML = _rule("FM006", "invalid-yaml", Severity.ERROR,
                     "Front matter that is not valid YAML cannot be read at all.",
                     "---\ntitle: \"Botox: the basics\nslug: botox\ndate: 2024-05-01\n---\nText.\n")
MISSING_FIELD = _rule("FM007", "missing-field", Severity.ERROR,
                      "Every post needs a title, a slug and a date to be listed and linked.",
                      "---\ntitle: Botox for frown lines\ndate: 2024-05-01\n---\nText.\n")
INVALID_FIELD = _rule("FM008", "invalid-field", Severity.ERROR,
                      "Field values must have the right form: a slug is lowercase-with-hyphens, "
                      "categories a list, references a list of {id, title, url}.",
                      "---\ntitle: Botox for frown lines\nslug: Botox Frown Lines\ndate: 2024-05-01\n---\nText.\n")
INVALID_DATE = _rule("FM009", "invalid-date", Severity.ERROR,
                     "The date must be a real calendar date in ISO form (YYYY-MM-DD).",
                     "---\ntitle: Botox for frown lines\nslug: botox-frown-lines\ndate: 2024-02-30\n---\nText.\n")
UNKNOWN_STATUS = _rule("FM010", "unknown-status", Severity.ERROR,
                       "The status drives publishing; only the policy's statuses (draft, review, approved) "
                       "are meaningful.",
                       "---\ntitle: Botox\nslug: botox\ndate: 2024-05-01\nstatus: published\n---\nText.\n",
                       "---\ntitle: Botox\nslug: botox\ndate: 2024-05-01\nstatus: review\n---\nText.\n")
DUPLICATE_SLUG = _rule("FM011", "duplicate-slug", Severity.ERROR,
                       "Two posts with one slug would publish to the same URL, one hiding the other.",
                       "==> posts/a.md <==\n---\ntitle: A\nslug: botox\ndate: 2024-05-01\n---\nA.\n"
                       "==> posts/b.md <==\n---\ntitle: B\nslug: botox\ndate: 2024-05-02\n---\nB.\n",
                       "==> posts/a.md <==\n---\ntitle: A\nslug: botox\ndate: 2024-05-01\n---\nA.\n"
                       "==> posts/b.md <==\n---\ntitle: B\nslug: dysport\ndate: 2024-05-02\n---\nB.\n",
                       corpus=True)
UNKNOWN_KEY = _rule("FM012", "unknown-key", Severity.WARNING,
                    "An unknown key is usually a misspelt one (e.g. 'catagories'), silently ignored.",
                    "---\ntitle: Botox\nslug: botox\ndate: 2024-05-01\ncatagories: [Injectables]\n---\nText.\n")
DUPLICATE_KEY = _rule("FM013", "duplicate-key", Severity.WARNING,
                      "YAML keeps only the last of two equal keys; the first value is silently lost.",
                      "---\ntitle: Botox\nslug: botox\ntitle: Dysport\ndate: 2024-05-01\n---\nText.\n")

UNREADABLE = _rule("FM014", "unreadable-file", Severity.ERROR,
                   "A post that cannot be opened (missing, no permission) cannot be reviewed or published.",
                   "==> posts/gone.md missing <==\n", _OK)

OVER_TIME_BUDGET = _rule("FM015", "over-time-budget", Severity.ERROR,
                         "A post whose parsing and checks run past its time budget (policy frontmatter.max_seconds) "
                         "is stopped unreviewed, so one pathological post cannot stall the review.",
                         "==> posts/stalls.md over-budget <==\n")
NOT_UTF8_ENCODING = _rule("FM016", "utf16-encoding", Severity.WARNING,
                          "A UTF-16 or UTF-32 file (its byte-order mark says so) is read, but tools and the CMS "
                          "expect UTF-8.",
                          # the passing example's post as UTF-16 (little-endian, with its byte-order mark), raw bytes
                          ("\ufeff" + _OK).encode("utf-16-le").decode("utf-8", "surrogateescape"))

UNREADABLE_STRUCTURE = _rule("FM017", "unreadable-structure", Severity.ERROR,
                             "A body nested too deeply to walk (hundreds of list or HTML levels) or raw HTML the "
                             "parser rejects cannot be read reliably, so what a reader sees would go unchecked.",
                             "---\ntitle: Botox\nslug: botox\ndate: 2024-05-01\n---\n" + "- " * 600 + "Text.\n")

EMPTY_FIELD = _rule("FM018", "empty-field", Severity.WARNING,
                    "A known field written with no value ('author:') is usually a value left out, and the page "
                    "shows a blank byline or summary.",
                    "---\ntitle: Botox for frown lines\nslug: botox-frown-lines\ndate: 2024-05-01\nauthor:\n"
                    "---\nText.\n",
                    "---\ntitle: Botox for frown lines\nslug: botox-frown-lines\ndate: 2024-05-01\n"
                    "author: Dr. Lee\n---\nText.\n")

RULES = (NOT_UTF8, BINARY, EMPTY, TOO_LARGE, NO_FRONT_MATTER, INVALID_YAML, MISSING_FIELD, INVALID_FIELD,
         INVALID_DATE, UNKNOWN_STATUS, DUPLICATE_SLUG, UNKNOWN_KEY, DUPLICATE_KEY, UNREADABLE, OVER_TIME_BUDGET,
         NOT_UTF8_ENCODING, UNREADABLE_STRUCTURE, EMPTY_FIELD)

_PROBLEM_RULES = {"unreadable": UNREADABLE, "not-utf8": NOT_UTF8, "binary": BINARY, "empty": EMPTY,
                  "too-large": TOO_LARGE, "no-front-matter": NO_FRONT_MATTER, "yaml": INVALID_YAML,
                  "not-mapping": INVALID_YAML, "timeout": OVER_TIME_BUDGET, "structure": UNREADABLE_STRUCTURE}


def check_post(post: Post, policy: Policy) -> Iterable[Finding]:
    if post.encoding != "utf-8":
        yield finding(NOT_UTF8_ENCODING, f"the file is {post.encoding} (its byte-order mark says so), not UTF-8; "
                                         "it was read, but should be UTF-8", Span(1, 1, 1, 1),
                      suggestion="Re-save the file as UTF-8 (most editors: 'Save with encoding').")
    for problem in post.problems:
        span = Span(problem.line, problem.column or 1, problem.line, problem.column or 1) if problem.line else None
        yield finding(_PROBLEM_RULES[problem.kind], problem.message, span,
                      suggestion=_PROBLEM_HINTS.get(problem.kind, ""))
    if post.problems:
        return
    yield from _check_fields(post, policy)


_PROBLEM_HINTS = {
    "unreadable": "Check the path and the file's permissions.",
    "not-utf8": "Re-save the file as UTF-8 (most editors: 'Save with encoding').",
    "binary": "Remove the file from content/posts/ or give it its real extension.",
    "empty": "Write the post, or delete the file.",
    "too-large": "Split the post, or move embedded data (images, tables) to separate files.",
    "no-front-matter": "Start the file with '---', the title, slug and date fields, and another '---'.",
    "yaml": "Fix the YAML at that line: quote values containing ': ' or '#', and close every quote.",
    "not-mapping": "Write the front matter as 'key: value' lines.",
    "structure": "Flatten the nesting (no list or quote more than a few levels deep) and close or remove the raw "
                 "HTML.",
    "timeout": "Look for a long run of one character ('[', '`', '&amp;'...) and break it up; or raise policy "
               "frontmatter.max_seconds.",
}


def _check_fields(post: Post, policy: Policy) -> Iterable[Finding]:
    meta = post.meta
    for key in REQUIRED_KEYS:
        if key not in meta or meta[key] in (None, ""):
            yield finding(MISSING_FIELD, f"missing required front-matter field '{key}'", key_span(post, key),
                          suggestion=f"Add a line '{key}: ...' to the front matter.")
    for key in (*STANDARD_KEYS, *policy.frontmatter.extra_keys):
        if key in meta and key not in REQUIRED_KEYS and _blank(meta[key]):  # a required one is FM007's
            yield finding(EMPTY_FIELD, f"front-matter field '{key}' has no value", key_span(post, key),
                          excerpt=field_line(post, key),
                          suggestion=f"Give '{key}' a value, or remove the line.")
    for key, message, hint in _field_errors(meta):
        yield finding(INVALID_FIELD, message, value_span(post, key), excerpt=field_line(post, key),
                      suggestion=hint)
    if meta.get("date") not in (None, ""):
        problem = _date_problem(meta["date"])
        if problem:
            yield finding(INVALID_DATE, problem, value_span(post, "date"), excerpt=field_line(post, "date"),
                          suggestion="Write the date as YYYY-MM-DD, e.g. 2024-02-29.")
    status = meta.get("status")
    if status is not None and status not in policy.frontmatter.statuses:
        yield finding(UNKNOWN_STATUS, f"unknown status '{status}'", value_span(post, "status"),
                      excerpt=field_line(post, "status"),
                      suggestion="Use one of: " + ", ".join(policy.frontmatter.statuses) + ".")
    allowed = (*STANDARD_KEYS, *policy.frontmatter.extra_keys)
    for key in meta:
        if key not in allowed:
            match = process.extractOne(key, allowed, score_cutoff=70)
            hint = f"Did you mean '{match[0]}'?" if match else "Remove it, or allow it in policy " \
                                                               "frontmatter.extra_keys."
            yield finding(UNKNOWN_KEY, f"unknown front-matter key '{key}'", key_span(post, key), suggestion=hint)
    for key, offset in post.duplicate_keys:
        yield finding(DUPLICATE_KEY, f"key '{key}' appears twice; only the last value is used",
                      post.source.span(offset, offset + len(key)), suggestion="Keep one of the two lines.")


def _blank(value: object) -> bool:
    """``key:`` with nothing after it (YAML null), or only quotes or spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def _field_errors(meta: dict[str, Any]) -> Iterable[tuple[str, str, str]]:
    text_fields = ("title", "author", "summary", "status")
    for key in text_fields:
        if key in meta and meta[key] is not None and not isinstance(meta[key], str):
            yield key, f"'{key}' must be text", f"Quote the value: {key}: \"...\""
    slug = meta.get("slug")
    if slug not in (None, "") and (not isinstance(slug, str) or not SLUG.match(slug)):
        fixed = re.sub(r"[^a-z0-9]+", "-", str(slug).lower()).strip("-")
        yield "slug", f"slug '{slug}' must be lowercase letters, digits and single hyphens", \
            f"Use '{fixed}'."
    for key in ("categories", "tags"):
        value = meta.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            yield key, f"'{key}' must be a list of text values", f"Write {key}: [First, Second]"
    references = meta.get("references")
    if references is not None:
        yield from _reference_errors(references)


def _reference_errors(references: Any) -> Iterable[tuple[str, str, str]]:
    hint = "Each reference needs id, title and url: - {id: 1, title: \"...\", url: \"https://...\"}"
    if not isinstance(references, list):
        yield "references", "'references' must be a list", hint
        return
    seen = set()
    for number, item in enumerate(references, 1):
        if not isinstance(item, dict) or not {"id", "title", "url"} <= set(item):
            yield "references", f"reference {number} must have id, title and url", hint
            continue
        if str(item["id"]) in seen:
            yield "references", f"reference id {item['id']} is used twice", "Give each reference its own id."
        seen.add(str(item["id"]))
        if not re.match(r"^https?://\S+$", str(item["url"])):
            yield "references", f"reference {item['id']} url '{item['url']}' is not an http(s) URL", hint


def _date_problem(value: object) -> str | None:
    if isinstance(value, date):
        return None
    if not isinstance(value, str):  # a number, true/false, a list or a mapping: YAML read no date there
        kind = {bool: "true or false", int: "a number", float: "a number", list: "a list", dict: "a mapping"}
        return f"date must be an ISO date (YYYY-MM-DD), not {kind.get(type(value), type(value).__name__)}"
    try:
        date.fromisoformat(value)
    except ValueError:
        if re.match(r"^\d{4}-\d{2}-\d{2}$", value):
            return f"'{value}' is not a real date"
        return f"date '{value}' is not in ISO form YYYY-MM-DD"
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        return f"date '{value}' is not in ISO form YYYY-MM-DD"
    return None


def check_in_corpus(post: PostSummary, corpus: Corpus, policy: Policy) -> list[Finding]:
    """A slug another post uses too (both posts are reported)."""
    if not post.slug:
        return []
    sharing = corpus.posts_with_slug(post.slug)
    if len(sharing) < 2:
        return []
    others = ", ".join(shown for path, shown in sharing if path != post.rel_path)
    where = post.fields.get("slug")
    return [finding(DUPLICATE_SLUG, f"slug '{post.slug}' is also used by {others}", where.span if where else post.start,
                    excerpt=where.excerpt if where else "", suggestion="Give each post its own slug.")]


class FrontMatter:
    """The post's front matter: readable, required fields there and valid, its slug its own."""

    name = CHECK
    rules = RULES

    def run(self, ctx: PostContext) -> Outcome:
        return Outcome(list(check_post(ctx.post, ctx.policy)))

    def run_corpus(self, post: PostSummary, corpus: Corpus, policy: Policy) -> list[Finding]:
        return check_in_corpus(post, corpus, policy)

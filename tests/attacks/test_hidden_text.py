"""Issue 14, item 1: a claim hidden where a reader still sees it is checked like one in a paragraph.

"Botox cures migraines and is 100% safe, guaranteed" in a plain paragraph gets three CLM005 findings (“cures”,
“100% safe”, “guaranteed”). Each case below puts the sentence in another place a reader sees (front matter a
CMS shows, code, attributes, raw HTML) or disguises its words (invisible characters, look-alike letters,
fullwidth letters, entities), and the same three findings must come at the line where it is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.examples import review_example
from checks.model import Finding
from flows.publish.signoff import Refused
from flows.store.policy_files import read_policy_texts
from tests.conftest import ADVICE, POLICY, write_post
from tests.signing import approve_for_test

CLAIM = "Botox cures migraines and is 100% safe, guaranteed"
PHRASES = {"cures", "100% safe", "guaranteed"}
HEAD = "---\ntitle: Sun care basics\nslug: sun-care\ndate: 2024-05-01\n---\n"
POLICY_TEXTS = read_policy_texts(POLICY)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _bold(text: str) -> str:  # MATHEMATICAL BOLD letters (NFKC folds them to ASCII)
    return "".join(chr(0x1D400 + ord(c) - 65) if "A" <= c <= "Z" else chr(0x1D41A + ord(c) - 97)
                   if "a" <= c <= "z" else c for c in text)


def _inside(char: str) -> str:
    """The claim with ``char`` inside each word that matters."""
    return f"Bo{char}tox cu{char}res migraines and is 100% sa{char}fe, guaran{char}teed"


# name -> post source; "@" marks the line the claim is written on (the "@" itself is removed)
PLACES: dict[str, str] = {
    "front-matter title": f"---\ntitle: \"@{CLAIM}\"\nslug: sun-care\ndate: 2024-05-01\n---\nWear a hat.\n",
    "front-matter summary": f"---\ntitle: Sun care\nslug: sun-care\ndate: 2024-05-01\nsummary: \"@{CLAIM}\"\n"
                            "---\nWear a hat.\n",
    "front-matter summary, folded scalar": f"---\ntitle: Sun care\nslug: sun-care\ndate: 2024-05-01\nsummary: >-\n"
                                           f"  @{CLAIM}\n---\nWear a hat.\n",
    "front-matter reference title": "---\ntitle: Sun care\nslug: sun-care\ndate: 2024-05-01\nreferences:\n"
                                    f"  - id: 1\n    title: \"@{CLAIM}\"\n    url: https://example.org/\n---\n"
                                    "Wear a hat [1].\n",
    "front-matter title, entities": "---\ntitle: \"@Botox cur&#101;s migraines and is 100&#37; safe, "
                                    "guarant&#x65;ed\"\nslug: sun-care\ndate: 2024-05-01\n---\nWear a hat.\n",
    "front-matter title, YAML escape": "---\ntitle: \"@Botox cu\\u200bres migraines and is 100% safe, "
                                       "guaran\\u00adteed\"\nslug: sun-care\ndate: 2024-05-01\n---\nWear a hat.\n",
    "fenced code block": HEAD + f"Wear a hat.\n\n```\n@{CLAIM}\n```\n",
    "tilde fenced code block": HEAD + f"Wear a hat.\n\n~~~text\n@{CLAIM}\n~~~\n",
    "indented code block": HEAD + f"Wear a hat.\n\n    @{CLAIM}\n",
    "inline code span": HEAD + f"Wear a hat and `@{CLAIM}` too.\n",
    "raw <pre>": HEAD + f"Wear a hat.\n\n<pre>\n@{CLAIM}\n</pre>\n\nSee you soon.\n",
    "after an unclosed <pre>": HEAD + f"Wear a hat.\n\n<pre>\nShade helps.\n\nMore to read.\n\n@{CLAIM}\n",
    "after an unclosed <div>": HEAD + f"Wear a hat.\n\n<div>\nShade helps.\n\n**More** to read.\n\n@{CLAIM}\n",
    "<kbd>": HEAD + f"Wear a hat. Press <kbd>@{CLAIM}</kbd> to book.\n",
    "Markdown image alt text": HEAD + f"Wear a hat.\n\n![@{CLAIM}](/images/hat.png)\n",
    "<img alt>": HEAD + f"Wear a hat.\n\n<img src=\"/images/hat.png\" alt=\"@{CLAIM}\">\n",
    "Markdown image title": HEAD + f"Wear a hat.\n\n![A hat](/images/hat.png \"@{CLAIM}\")\n",
    "Markdown link title": HEAD + f"Wear a [hat](https://example.org/hats \"@{CLAIM}\").\n",
    "reference link title": HEAD + f"Wear a [hat][h].\n\n[h]: https://example.org/hats \"@{CLAIM}\"\n",
    "<a title>": HEAD + f"Wear a <a href=\"https://example.org/\" title=\"@{CLAIM}\">hat</a>.\n",
    "title= on a span": HEAD + f"Wear a <span title=\"@{CLAIM}\">hat</span>.\n",
    "aria-label": HEAD + f"Wear a <span aria-label=\"@{CLAIM}\">hat</span>.\n",
    "abbreviation definition": HEAD + f"The WHO says: wear a hat.\n\n*[WHO]: @{CLAIM}\n",
    "<abbr title>": HEAD + f"The <abbr title=\"@{CLAIM}\">WHO</abbr> says: wear a hat.\n",
    "<details><summary>": HEAD + f"Wear a hat.\n\n<details><summary>@{CLAIM}</summary>\nShade helps.\n</details>\n",
    "<figcaption>": HEAD + f"Wear a hat.\n\n<figure><img src=\"/images/hat.png\" alt=\"A hat\">\n"
                           f"<figcaption>@{CLAIM}</figcaption></figure>\n",
    "table cell": HEAD + f"Wear a hat.\n\n| Tip | Note |\n| --- | --- |\n| Hats | @{CLAIM} |\n",
    "footnote": HEAD + f"Wear a hat.[^1]\n\n[^1]: @{CLAIM}\n",
    "heading": HEAD + f"Wear a hat.\n\n## @{CLAIM}\n\nShade helps.\n",
    "blockquote": HEAD + f"Wear a hat.\n\n> @{CLAIM}\n",
    "zero-width space": HEAD + f"Wear a hat.\n\n@{_inside(chr(0x200B))}.\n",
    "zero-width joiner": HEAD + f"Wear a hat.\n\n@{_inside(chr(0x200D))}.\n",
    "zero-width non-joiner": HEAD + f"Wear a hat.\n\n@{_inside(chr(0x200C))}.\n",
    "word joiner": HEAD + f"Wear a hat.\n\n@{_inside(chr(0x2060))}.\n",
    "soft hyphen": HEAD + f"Wear a hat.\n\n@{_inside(chr(0xAD))}.\n",
    "soft hyphen as an entity": HEAD + f"Wear a hat.\n\n@{_inside('&shy;')}.\n",
    "Cyrillic look-alikes": HEAD + "Wear a hat.\n\n@Botox сurеs migraines and is 100% sаfе, guаrаntееd.\n",
    "Greek look-alikes": HEAD + "Wear a hat.\n\n@Botox c\u03c5res migraines and is 100% s\u03b1fe, "
                                "gu\u03b1r\u03b1nteed.\n",
    "emphasis inside words": HEAD + "Wear a hat.\n\n@Botox cu*re*s migraines and is 100% sa**fe**, guaran*tee*d.\n",
    "empty tags inside words": HEAD + "Wear a hat.\n\n@Botox cu<span></span>res migraines and is 100% sa<b></b>fe, "
                                      "guaran<i></i>teed.\n",
    "comments inside words": HEAD + "Wear a hat.\n\n@Botox cu<!-- x -->res migraines and is 100% safe, "
                                    "guaran<!---->teed.\n",
    "combining strikethrough": HEAD + f"Wear a hat.\n\n@{_inside(chr(0x336))}.\n",
    "fullwidth letters": HEAD + f"Wear a hat.\n\n@{_fullwidth(CLAIM)}.\n",
    "mathematical bold letters": HEAD + f"Wear a hat.\n\n@{_bold(CLAIM)}.\n",
    "HTML entities spelling words": HEAD + "Wear a hat.\n\n@Botox cur&#101;s migraines and is 100&#37; "
                                           "s&#x61;fe, guarant&eacute;ed.\n".replace("&eacute;", "&#101;"),
    "alt text with entities": HEAD + "Wear a hat.\n\n<img src=\"/images/hat.png\" alt=\"@Botox cur&#101;s "
                                     "migraines and is 100% s&#97;fe, guarant&#101;ed\">\n",
}
DISGUISED = {"zero-width space", "zero-width joiner", "zero-width non-joiner", "word joiner", "soft hyphen",
             "soft hyphen as an entity", "Cyrillic look-alikes", "Greek look-alikes", "combining strikethrough"}


def _marked(source: str) -> tuple[str, int]:
    line = source[: source.index("@")].count("\n") + 1
    return source.replace("@", "", 1), line


def _claims_on(found: list[Finding], line: int) -> set[str]:
    return {f.message.split("”")[0].lstrip("“") for f in found if f.rule == "CLM005" and f.line == line}


def test_a_plain_paragraph_gets_the_three_findings() -> None:
    source, line = _marked(HEAD + f"Wear a hat.\n\n@{CLAIM}.\n")
    assert _claims_on(review_example(source, POLICY_TEXTS), line) == PHRASES


def test_at_least_26_places() -> None:
    assert len(PLACES) >= 26


@pytest.mark.parametrize("place", PLACES)
def test_a_claim_is_found_where_it_hides(place: str) -> None:
    source, line = _marked(PLACES[place])
    found = review_example(source, POLICY_TEXTS)
    assert _claims_on(found, line) == PHRASES, [(f.rule, f.line, f.message) for f in found]
    if place in DISGUISED:
        assert any(f.rule == "MKP004" and f.line == line for f in found), "the disguise itself is a finding"


def test_unclosed_raw_html_is_an_error_at_the_line_it_opens() -> None:
    source, _ = _marked(PLACES["after an unclosed <pre>"])
    found = review_example(source, POLICY_TEXTS)
    opened = source.splitlines().index("<pre>") + 1
    assert [(f.rule, f.line, f.severity.value) for f in found if f.rule == "MKP001"] == [("MKP001", opened, "error")]
    closed, _ = _marked(PLACES["raw <pre>"])
    assert not [f for f in review_example(closed, POLICY_TEXTS) if f.rule == "MKP001"]


def test_an_unclosed_comment_and_script_are_errors_too() -> None:
    for opening in ("<!-- note", "<script>", "<textarea>"):
        source = HEAD + f"Wear a hat.\n\n{opening}\n\nShade helps.\n"
        found = [f for f in review_example(source, POLICY_TEXTS) if f.rule == "MKP001"]
        assert [f.line for f in found] == [8], (opening, found)


def test_an_inline_pre_never_closed_is_an_error_at_its_line() -> None:
    source = HEAD + "Wear a hat.\n\nShade helps <pre>a lot.\n\nMore to read.\n"
    assert [f.line for f in review_example(source, POLICY_TEXTS) if f.rule == "MKP001"] == [8]


def test_a_product_named_in_look_alike_letters_in_the_title_is_the_subject() -> None:
    # "It" carries the title's product: spelled with a Cyrillic "о", the product must still be known
    source = ("---\ntitle: \"Bоtox for sweating\"\nslug: sweat\ndate: 2024-05-01\n---\n"
              "It is FDA-approved to treat teeth grinding.\n")
    assert 6 in {f.line for f in review_example(source, POLICY_TEXTS) if f.rule == "CLM001"}


def test_positions_stay_exact_after_normalising() -> None:
    source, line = _marked(PLACES["zero-width space"])
    found = [f for f in review_example(source, POLICY_TEXTS) if f.rule == "CLM005"]
    text_line = source.splitlines()[line - 1]
    for f in found:  # the column points at the word as written (its first letter), invisible characters and all
        assert text_line[f.column - 1] in "c1g", (f.column, text_line)


def test_the_page_address_is_read_too() -> None:
    source = "---\ntitle: Sun care\nslug: botox-cures-migraines-guaranteed\ndate: 2024-05-01\n---\nWear a hat.\n"
    assert _claims_on(review_example(source, POLICY_TEXTS), 3) == {"cures", "guaranteed"}


def test_text_reversed_by_a_bidi_override_is_a_disguise() -> None:
    # shown as "Botox is guaranteed", read as "deetnaraug": the override itself is the finding
    source = HEAD + "Wear a hat.\n\nBotox is \u202edeetnaraug\u202c.\n"
    assert [f.line for f in review_example(source, POLICY_TEXTS) if f.rule == "MKP004"] == [8, 8]


def test_words_of_other_scripts_alone_are_not_disguises() -> None:
    source = HEAD + ("Alpha (α) and beta (β) blockers. Привет means hello. A dose of 5 µg. Café, naïve. "
                     "In Persian, می\u200cخواهم. A family: 👨\u200d👩\u200d👧. ❤\ufe0f\n")
    assert not [f for f in review_example(source, POLICY_TEXTS) if f.rule == "MKP004"]


def _clean(title: str = "Sun care basics", body: str = "Wear a hat and seek shade at noon.") -> str:
    return f"---\ntitle: \"{title}\"\nslug: sun-care-basics\ndate: 2024-05-01\n---\n{body}\n\n{ADVICE}\n"


@pytest.mark.parametrize("hidden", ["title", "code", "alt", "soft hyphen"])
def test_a_hidden_claim_cannot_be_approved_without_override(content_copy: Path, hidden: str) -> None:
    control = write_post(content_copy, "sun-care-basics.md", _clean())
    approve_for_test(content_copy, control)  # the post as such is approvable
    body = {"title": "Wear a hat.", "code": f"Wear a hat.\n\n```\n{CLAIM}\n```",
            "alt": f"Wear a hat.\n\n![{CLAIM}](/images/hat.png)", "soft hyphen": _inside(chr(0xAD)) + "."}[hidden]
    post = write_post(content_copy, "sun-care-basics.md", _clean(CLAIM if hidden == "title" else "Sun care basics",
                                                                  body))
    with pytest.raises(Refused, match="CLM005"):
        approve_for_test(content_copy, post)

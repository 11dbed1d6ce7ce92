"""Issue 14, items 2 and 15: raw HTML that runs or that publishing strips is a review finding at its line, HTML
in the front matter a CMS renders is a finding at its field, and a script link spelled with entities is reported
at its own line."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.examples import review_example
from checks.model import Finding
from flows.publish.signoff import Refused
from flows.store.policy_files import read_policy_texts
from tests.conftest import POLICY, write_post
from tests.signing import approve_for_test

POLICY_TEXTS = read_policy_texts(POLICY)
HEAD = "---\ntitle: Sun care\nslug: sun-care\ndate: 2024-05-01\n---\n"
ADVICE = ("This article is for general education and is not medical advice. Talk to a qualified healthcare "
          "provider about your own health before you start any treatment.")


def _found(source: str, rule: str) -> list[tuple[int | None, str]]:
    return [(f.line, f.severity.value) for f in review_example(source, POLICY_TEXTS) if f.rule == rule]


def _line_of(source: str, needle: str) -> int:
    return source[: source.index(needle)].count("\n") + 1


ACTIVE = {
    "script block": "<script>\nfetch('/steal?c=' + document.cookie)\n</script>",
    "inline script": "Read on <script>alert(1)</script> please.",
    "iframe": "<iframe src=\"https://example.org/ad\"></iframe>",
    "object": "<object data=\"/x.swf\"></object>",
    "embed": "<embed src=\"/x.swf\">",
    "style": "<style>p { display: none }</style>",
    "event handler": "<img src=\"/images/hat.png\" alt=\"A hat\" onerror=\"alert(document.cookie)\">",
    "event handler, upper case": "<p ONMOUSEOVER=\"alert(1)\">Hover here.</p>",
    "event handler from attr_list": "![A hat](/images/hat.png){: onload=\"alert(1)\" }",
    "form posting to a script URL": "<form action=\"javascript:alert(1)\"><button>Go</button></form>",
    "script URL spelled with entities": "<iframe src=\"java&#x73;cript:alert(1)\"></iframe>",
}


@pytest.mark.parametrize("case", ACTIVE)
def test_active_html_is_an_error_at_its_line(case: str) -> None:
    snippet = ACTIVE[case]
    source = HEAD + "Wear a hat.\n\nShade helps.\n\n" + snippet + "\n\n" + ADVICE + "\n"
    found = _found(source, "MKP002")
    assert found and {line for line, _ in found} == {_line_of(source, snippet)}, found
    assert {severity for _, severity in found} == {"error"}


def test_plain_markdown_and_harmless_html_are_not_active() -> None:
    source = (HEAD + "Wear a <em>hat</em>.\n\n![A hat](/images/hat.png)\n\n<div class=\"note\">\nShade helps.\n"
              "</div>\n\n[Online](https://example.org/)\n\n" + ADVICE + "\n")
    assert _found(source, "MKP002") == []


@pytest.mark.parametrize(("field", "value"), [
    ("title", "Sun care <img src=x onerror=alert(document.cookie)>"),
    ("summary", "<script>alert(1)</script>"),
    ("tags", "[sun, \"<b onmouseover=alert(1)>x</b>\"]"),
])
def test_html_in_front_matter_is_an_error_at_its_field(field: str, value: str) -> None:
    if field == "title":
        source = f"---\ntitle: \"{value}\"\nslug: sun-care\ndate: 2024-05-01\n---\nWear a hat.\n"
    elif field == "tags":
        source = f"---\ntitle: Sun care\nslug: sun-care\ndate: 2024-05-01\ntags: {value}\n---\nWear a hat.\n"
    else:
        source = f"---\ntitle: Sun care\nslug: sun-care\ndate: 2024-05-01\n{field}: \"{value}\"\n---\nWear a hat.\n"
    assert _found(source, "MKP003") == [(_line_of(source, f"{field}:"), "error")]


def test_a_post_with_a_script_cannot_be_approved_without_override(content_copy: Path) -> None:
    clean = f"---\ntitle: Sun care basics\nslug: sun-care-basics\ndate: 2024-05-01\n---\nWear a hat.\n\n{ADVICE}\n"
    path = write_post(content_copy, "sun-care-basics.md", clean)
    approve_for_test(content_copy, path)
    script = clean.replace("Wear a hat.", "Wear a hat.\n\n<script>alert(1)</script>")
    write_post(content_copy, "sun-care-basics.md", script)
    with pytest.raises(Refused, match="MKP002"):
        approve_for_test(content_copy, path)
    title = clean.replace("title: Sun care basics", 'title: "Sun care <img src=x onerror=alert(document.cookie)>"')
    write_post(content_copy, "sun-care-basics.md", title)
    with pytest.raises(Refused, match="MKP003"):
        approve_for_test(content_copy, path)


def _unsafe(found: list[Finding]) -> list[tuple[int | None, str]]:
    return [(f.line, f.excerpt) for f in found if f.rule == "LNK006"]


def test_a_script_link_spelled_with_entities_is_reported_at_its_own_line() -> None:
    # the target is not in the source as written, and the label "Book now" is not either ("**Book** now"):
    # it used to be placed where the next "Book now" stands, another link's line
    source = (HEAD + "Wear a hat.\n\n[**Book** now](java&#x73;cript:alert(1))\n\nShade helps.\n\n"
              "[Book now](/blog/sun-care/) or [here](https://example.org/x).\n")
    found = review_example(source, POLICY_TEXTS)
    assert _unsafe(found) == [(_line_of(source, "[**Book"), "javascript:alert(1)")]


def test_entity_links_each_keep_their_line() -> None:
    source = (HEAD + "[*a*](java&#x73;cript:alert(1)) first.\n\nMiddle [a](/blog/sun-care/).\n\n"
              "[*b*](&#106;avascript:alert(2)) last.\n\n[b](/blog/sun-care/)\n")
    found = review_example(source, POLICY_TEXTS)
    assert [line for line, _ in _unsafe(found)] == [_line_of(source, "[*a*](java"), _line_of(source, "[*b*](")]

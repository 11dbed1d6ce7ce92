"""Link resolution details that editors hit."""

from __future__ import annotations

from checks.links import resolve
from checks.policy import LinksPolicy

POLICY = LinksPolicy(site_url="https://www.example-clinic.com", site_paths=("/contact/",))


def test_link_targets_are_classified() -> None:
    cases = {
        "/blog/botox/": ("post-slug", "botox", ""),
        "/blog/botox/#side-effects": ("post-slug", "botox", "side-effects"),
        "https://www.example-clinic.com/blog/botox/": ("post-slug", "botox", ""),
        "/blog/": ("ignored", "/blog/", ""),  # the blog's index page is not a missing post
        "other.md#risks": ("post-path", "posts/other.md", "risks"),
        "../images/a.png": ("file", "images/a.png", ""),
        "/images/a.png": ("file", "images/a.png", ""),
        "#risks": ("anchor", "posts/x.md", "risks"),
        "https://www.fda.gov/": ("external", "https://www.fda.gov/", ""),
        "mailto:a@example.com": ("ignored", "mailto:a@example.com", ""),
        "javascript:alert(1)": ("unsafe", "javascript", ""),
        "/contact/": ("site", "/contact/", ""),
    }
    for href, (kind, value, fragment) in cases.items():
        target = resolve(href, "posts/x.md", POLICY)
        assert (target.kind, target.value, target.fragment) == (kind, value, fragment), href

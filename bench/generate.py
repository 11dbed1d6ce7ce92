"""Generate a realistic benchmark corpus from the demo posts in ``content/posts``.

Each generated post takes the front matter, intro and most sections of one *primary* source post, adds
sections (and sometimes an intro paragraph) from one or two other source posts, shuffles them, varies the
title and gets a unique slug ``gen-0001-...``. Internal links (``/blog/<slug>/`` and ``./file.md``, with or
without ``#anchor``) are rewritten to point at generated posts made from the same source post, with an
anchor that exists there, so cross-links resolve; the source's deliberately broken links stay broken and
a few more are broken on purpose (a typo in the slug, an unknown anchor). Same ``seed``, same bytes.

    python bench/generate.py N OUT_DIR [--seed S]

writes ``OUT_DIR/posts/*.md`` and ``OUT_DIR/images/`` (a copy of ``content/images``).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "content"

try:
    from checks.anchors import unique_anchors  # the same anchors the link check expects
except ImportError:  # pragma: no cover - run outside the project venv
    sys.path.insert(0, str(ROOT))
    from checks.anchors import unique_anchors

TITLE_TEMPLATES = (
    "{t}",
    "{t}: A Patient's Guide",
    "{t} (Updated {year})",
    "What to Know: {t}",
    "{t}: Questions We Hear Most",
    "Ask Our Nurses: {t}",
    "{t}, Explained",
    "Before You Book: {t}",
)
STATUSES = ("draft", "review", "review", "approved")  # weighted
BROKEN_LINK_RATE = 0.06  # extra links broken on purpose (typo in slug or unknown anchor)
NO_CLOSING_RATE = 0.08  # posts whose closing disclaimer is dropped
_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
_BLOG = re.compile(r"^/blog/(?P<slug>[^/#]+)/?(?:#(?P<frag>.*))?$")
_FILE = re.compile(r"^\./(?P<file>[^/#]+\.md)(?:#(?P<frag>.*))?$")


@dataclass
class Section:
    heading: str
    chunks: list[str]


@dataclass
class Source:
    name: str  # file stem
    meta: dict
    intro: list[str]
    sections: list[Section]
    closing: list[str]  # what follows the last '---' rule (the disclaimer), may be empty

    @property
    def slug(self) -> str:
        return str(self.meta["slug"])

    @property
    def anchors(self) -> set[str]:
        return set(unique_anchors(s.heading for s in self.sections))


@dataclass
class Generated:
    index: int
    slug: str
    file_name: str
    title: str
    primary: Source
    meta: dict
    intro: list[str]
    sections: list[Section]
    closing: list[str]
    anchors: list[str] = field(default_factory=list)


def load_sources(posts_dir: Path = SOURCE_DIR / "posts") -> list[Source]:
    sources = []
    for path in sorted(posts_dir.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, fm, body = text.split("---\n", 2)
        meta = yaml.safe_load(fm)
        meta["date"] = str(meta["date"])
        intro: list[str] = []
        sections: list[Section] = []
        closing: list[str] = []
        target = intro
        for chunk in re.split(r"\n[ \t]*\n", body.strip("\n")):
            chunk = chunk.strip("\n")
            if not chunk.strip():
                continue
            if chunk.strip() == "---":
                target = closing = []
                continue
            if chunk.startswith("## "):
                heading, _, rest = chunk.partition("\n")
                sections.append(Section(heading[3:].strip(), [rest] if rest.strip() else []))
                target = sections[-1].chunks
                continue
            target.append(chunk)
        sources.append(Source(path.stem, meta, intro, sections, closing))
    return sources


def _slugify(text: str, words: int = 6) -> str:
    parts = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-").split("-")
    return "-".join(parts[:words])


def _flow_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) if re.search(r"[,:\[\]{}#&*!|>'\"%@`]", i) else i for i in items) + "]"


def _front_matter(post: Generated) -> str:
    meta = post.meta
    lines = [f"title: {json.dumps(post.title, ensure_ascii=False)}", f"slug: {post.slug}",
             f"date: {meta['date']}"]
    if meta.get("author"):
        lines.append(f"author: {json.dumps(meta['author'], ensure_ascii=False)}")
    lines.append(f"status: {meta['status']}")
    for key in ("categories", "tags"):
        if meta.get(key):
            lines.append(f"{key}: {_flow_list(meta[key])}")
    if meta.get("summary"):
        lines.append(f"summary: {json.dumps(meta['summary'], ensure_ascii=False)}")
    if meta.get("references"):
        lines.append("references:")
        for ref in meta["references"]:
            lines.append(f"  - id: {ref['id']}")
            lines.append(f"    title: {json.dumps(ref['title'], ensure_ascii=False)}")
            lines.append(f"    url: {json.dumps(ref['url'])}")
    return "---\n" + "\n".join(lines) + "\n---\n"


def _plan(n: int, sources: list[Source], rng: random.Random) -> list[Generated]:
    width = max(4, len(str(n)))
    order = sources[:]
    rng.shuffle(order)
    standard_closing = next(s.closing for s in sources if s.closing and "medical advice" in s.closing[-1])
    titles_used: set[str] = set()
    posts = []
    for i in range(1, n + 1):
        primary = order[(i - 1) % len(order)]  # round robin: every source has many offspring
        others = rng.sample([s for s in sources if s is not primary], k=rng.choice((1, 1, 2)))
        # title
        title = rng.choice(TITLE_TEMPLATES).format(t=primary.meta["title"], year=rng.choice((2024, 2025, 2026)))
        base, part = title, 2
        while title in titles_used:
            title, part = f"{base} (Part {part})", part + 1
        titles_used.add(title)
        # body
        intro = list(primary.intro)
        if rng.random() < 0.3:
            donor = rng.choice(others)
            if donor.intro:
                intro.append(rng.choice(donor.intro))
        kept = [s for s in primary.sections if rng.random() > 0.2] or primary.sections[:2]
        borrowed = []
        for donor in others:
            borrowed.extend(rng.sample(donor.sections, k=min(len(donor.sections), rng.randint(1, 2))))
        sections, headings = [], set()
        for section in kept + borrowed:
            if section.heading.lower() in headings:
                continue
            headings.add(section.heading.lower())
            chunks = list(section.chunks)
            if len(chunks) >= 3 and rng.random() < 0.2:
                rng.shuffle(chunks)
            sections.append(Section(section.heading, chunks))
        first, rest = sections[:1], sections[1:]
        rng.shuffle(rest)
        sections = first + rest
        closing = list(primary.closing) or (list(standard_closing) if rng.random() < 0.5 else [])
        if rng.random() < NO_CLOSING_RATE:
            closing = []
        # front matter
        meta = {k: v for k, v in primary.meta.items()}
        day = date(2023, 1, 1) + timedelta(days=rng.randrange(3 * 365))
        meta["date"] = day.isoformat()
        meta["status"] = rng.choice(STATUSES)
        extra_tags = [t for d in others for t in d.meta.get("tags") or [] if t not in (meta.get("tags") or [])]
        if extra_tags and rng.random() < 0.5:
            meta["tags"] = [*(meta.get("tags") or []), rng.choice(extra_tags)]
        slug = f"gen-{i:0{width}d}-{_slugify(title)}"
        file_name = f"{slug}.md" if rng.random() > 0.05 else f"gen-{i:0{width}d}-{primary.name}.md"
        post = Generated(i, slug, file_name, title, primary, meta, intro, sections, closing)
        post.anchors = unique_anchors(s.heading for s in sections)
        posts.append(post)
    return posts


def _typo(slug: str, rng: random.Random) -> str:
    prefix, _, rest = slug.partition("-")
    number, _, words = rest.partition("-")
    if len(words) < 4:
        return slug + "x"
    at = rng.randrange(1, len(words) - 1)
    return f"{prefix}-{number}-{words[:at]}{words[at + 1 :]}"


def _rewrite_links(text: str, post: Generated, by_source: dict[str, list[Generated]],
                   by_slug: dict[str, Source], by_file: dict[str, Source], rng: random.Random) -> str:
    def replace(match: re.Match[str]) -> str:
        target = match["target"]
        blog, file = _BLOG.match(target), _FILE.match(target)
        found = blog or file
        source = (by_slug.get(blog["slug"]) if blog else by_file.get(file["file"])) if found else None
        if source is None:  # an image, an external link, or a link that was broken in the source
            return match.group(0)
        candidates = [p for p in by_source[source.name] if p is not post] or by_source[source.name]
        dest = rng.choice(candidates)
        frag = found["frag"]
        if frag is not None and frag in source.anchors:  # valid in the source: keep it valid (else broken)
            frag = frag if frag in dest.anchors else (rng.choice(dest.anchors) if dest.anchors else None)
        slug = dest.slug
        if rng.random() < BROKEN_LINK_RATE:
            if frag is not None and rng.random() < 0.5:
                frag = "no-such-" + frag
            else:
                slug = _typo(slug, rng)
        frag_part = f"#{frag}" if frag else ""
        if blog:
            return f"]({'/blog/'}{slug}/{frag_part})"
        name = dest.file_name if slug == dest.slug else f"{slug}.md"
        return f"](./{name}{frag_part})"

    return _LINK.sub(replace, text)


def render(post: Generated, body_rewriter) -> str:
    parts = [*post.intro]
    for section in post.sections:
        parts.append(f"## {section.heading}")
        parts.extend(section.chunks)
    if post.closing:
        parts.append("---")
        parts.extend(post.closing)
    body = body_rewriter("\n\n".join(parts))
    return _front_matter(post) + "\n" + body + "\n"


def generate(n: int, out_dir: Path, seed: int = 0) -> list[Path]:
    """Write ``n`` posts to ``out_dir/posts`` and copy the images; returns the post paths."""
    if n < 1:
        raise ValueError("n must be at least 1")
    out_dir = Path(out_dir)
    rng = random.Random(seed)
    sources = load_sources()
    posts = _plan(n, sources, rng)
    by_source: dict[str, list[Generated]] = {}
    for post in posts:
        by_source.setdefault(post.primary.name, []).append(post)
    for source in sources:  # n < number of sources: some have no offspring; point at any post
        by_source.setdefault(source.name, posts)
    by_slug = {s.slug: s for s in sources}
    by_file = {f"{s.name}.md": s for s in sources}

    posts_dir = out_dir / "posts"
    posts_dir.mkdir(parents=True, exist_ok=True)
    for old in posts_dir.glob("gen-*.md"):  # a previous, larger run must not leak into this one
        old.unlink()
    shutil.copytree(SOURCE_DIR / "images", out_dir / "images", dirs_exist_ok=True)
    written = []
    for post in posts:
        text = render(post, lambda body, p=post: _rewrite_links(body, p, by_source, by_slug, by_file, rng))
        fm = yaml.safe_load(text.split("---\n", 2)[1])  # the front matter must stay valid
        assert fm["slug"] == post.slug and fm["title"] == post.title, post.slug
        path = posts_dir / post.file_name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of posts")
    parser.add_argument("out_dir", type=Path, help="content folder to write (posts/ and images/)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    paths = generate(args.n, args.out_dir, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} posts ({size / 1e6:.1f} MB) to {args.out_dir / 'posts'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

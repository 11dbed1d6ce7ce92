"""Generate a realistic benchmark corpus from the fixture posts in ``tests/fixtures/content/posts``.

Each generated post takes the front matter, intro and most sections of one *primary* source post, adds
sections (and sometimes an intro paragraph) from one or two other source posts, shuffles them, varies the
title and gets a unique slug ``gen-0001-...``. Internal links (``/blog/<slug>/`` and ``./file.md``, with or
without ``#anchor``) are rewritten to point at generated posts made from the same source post, with an
anchor that exists there, so cross-links resolve; the source's deliberately broken links stay broken and
a few more are broken on purpose (a typo in the slug, an unknown anchor). Same ``seed``, same bytes.

The prose is then reworded so posts read like a blog written by several editors over years rather than copies
(without it, 92 % of the paragraphs of 200 posts were verbatim repeats). Each post gets one of 7 *editors*
(preferred wordings, contractions, digits or words, serial comma, list items with or without a full stop), and
each prose paragraph and list item is varied sentence by sentence: swaps from a table of clinic-writing synonyms
("patients"/"clients", "provider"/"doctor"/"injector", "usually"/"typically", ...), visit lengths in minutes
moved by 5, framing phrases and sentences ("In our clinic, ...", "Many readers ask about this."), a sentence
dropped or two neighbours swapped where no sentence leans on the one before, a sentence borrowed from another
source post on the same subject, and in about 1 paragraph or list item in 15 a slip (a misspelling such as
"recieve", "their"/"there", "its"/"it's", a doubled word) so LanguageTool has findings. Kept verbatim: front
matter, headings, links and images (inside sentences too), citations, footnotes, bold, quotes, code, tables,
HTML, block quotes and the disclaimers of ``content/policy/disclaimers.yaml``. Sentences with claim or fact
wording (an approval or clearance, "off-label", a product name of ``claims.yaml``, "FDA", a citation) get only
the swaps whose words the claims check does not read, and no slip; swaps of words it reads ("treatment",
"shots", "medicine", "do not" ...) only go where no product or condition is named. ``bench/paragraph_stats.py``
counts the distinct paragraphs.

    python bench/generate.py N OUT_DIR [--seed S]

writes ``OUT_DIR/posts/*.md`` and ``OUT_DIR/images/`` (a copy of ``tests/fixtures/content/images``).
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
SOURCE_DIR = ROOT / "tests" / "fixtures" / "content"  # its policy/ links to the shipped default, content/policy

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


# --- prose variation ------------------------------------------------------------------------------------------------
# The source posts are only 9; without variation a 1,000-post corpus repeats the same ~140 paragraphs. Each
# generated post gets an *editor* (a voice: preferred wordings, contractions, digits or words) and its prose
# paragraphs and list items are reworded sentence by sentence. Kept verbatim: headings, disclaimers, images,
# tables, code, HTML, block quotes, footnote definitions; inside a sentence, links, images, citations, bold,
# quotes, code and URLs (masked before any rewording).

EDITORS = 7  # voices in the corpus: a clinic blog written by several people over the years
SLIP_RATE = 1 / 15  # paragraphs (and list items) given one grammar or spelling slip
# Interchangeable wordings; an editor prefers one form of each group and uses the others now and then.
SWAPS: tuple[tuple[str, ...], ...] = (
    ("patients", "clients"), ("patient", "client"),
    ("provider", "doctor", "injector", "clinician"), ("providers", "doctors", "injectors", "clinicians"),
    ("usually", "typically", "normally"), ("often", "frequently"),
    ("treatment", "procedure"), ("treatments", "procedures"),
    ("shots", "injections"), ("shot", "injection"),
    ("medicine", "medication"), ("medicines", "medications"),
    ("clinic", "practice", "office"), ("clinics", "practices"),
    ("a little", "a bit", "slightly"), ("a few", "a couple of"),
    ("right away", "immediately", "straight away"),
    ("most people", "most patients", "most of our patients"), ("many people", "many patients"),
    ("some people", "some patients"), ("talk to", "speak with"),
    ("call us", "contact us", "give us a call"), ("tell us", "let us know"),
    ("skin care", "skincare"), ("hard workouts", "intense workouts", "strenuous exercise"),
    ("can cause", "may cause"), ("can make", "may make"), ("tiny", "very small"), ("quick", "brief"),
    ("your visit", "your appointment"), ("a visit", "an appointment"), ("the visit", "the appointment"),
    ("first visit", "first appointment", "initial consultation"), ("each visit", "each appointment"),
    ("next visit", "next appointment"), ("your visits", "your appointments"),
    ("because", "since"), ("such as", "including"), ("various", "different", "a range of"),
    ("individuals", "people"), ("approximately", "roughly"), ("if you can", "if possible"),
    ("go back to", "return to"), ("come back", "return"), ("skip", "avoid"), ("soreness", "tenderness"),
    ("bother", "irritate"), ("cold pack", "ice pack"), ("makeup", "make-up"), ("a lot", "a great deal"),
    ("right after", "straight after", "immediately after"), ("significant", "considerable"),
    ("significantly", "considerably"), ("associated with", "linked to", "related to"),
    ("essential", "important"), ("provide", "offer"), ("most common", "most frequent"),
    ("can be", "may be"), ("can leave", "may leave"), ("can take", "may take"), ("can happen", "may happen"),
    ("can hurt", "may hurt"), ("can also", "may also"), ("may", "might"), ("start", "begin"),
    ("starts", "begins"), ("started", "began"), ("look at", "examine", "assess"), ("talk it over", "discuss it"),
    ("over and over", "again and again"), ("far more", "much more"), ("whole", "entire"), ("large", "big"),
)
HEDGES = (" if you can", " when possible", " as best you can", " whenever you can", " if possible")
IMPERATIVES = {"keep", "wash", "use", "skip", "sleep", "come", "write", "stay", "wait", "avoid", "wear", "tell",
               "apply", "do", "bring", "call", "hold", "ask", "read", "book", "get", "let"}
CONTRACTIONS = (("do not", "don't"), ("does not", "doesn't"), ("is not", "isn't"), ("are not", "aren't"),
                ("cannot", "can't"), ("it is", "it's"), ("you are", "you're"), ("will not", "won't"),
                ("you will", "you'll"), ("we will", "we'll"), ("they will", "they'll"), ("we are", "we're"),
                ("they are", "they're"), ("that is", "that's"), ("there is", "there's"), ("should not", "shouldn't"))
OPENERS = ("Many readers ask about this.", "We hear this question a lot.", "Patients often ask us about this.",
           "This is one of the most common questions we get.", "Here is what we tell our patients.",
           "This comes up at almost every consultation.", "Here is the short version.",
           "Our nurses go over this at every visit.", "Let's start with the basics.",
           "It helps to know what to expect.", "A quick note before we go on.", "This part matters.")
CLOSERS = ("Ask us if you have questions.", "Our team is happy to answer your questions.",
           "We are always glad to talk it through.", "Call the front desk if anything is unclear.",
           "Feel free to ask at your next visit.", "Bring your questions to your visit.",
           "Every patient is a little different.", "We will go over this with you in person.",
           "Write down anything you want to ask us.", "Your provider can tell you more.")
PREFIXES = ("In our clinic, ", "In our experience, ", "At our clinic, ", "In general, ", "From what we see, ",
            "As a rule, ")
PREFIXABLE = {"most", "many", "some", "the", "your", "each", "results", "swelling", "bruising", "people",
              "patients", "clients", "redness", "common", "lip", "good", "light", "new", "sun"}
# A sentence starting with one of these leans on the one before it: it is not moved, and the one before stays.
ANCHORED = {"it", "its", "it's", "they", "their", "them", "this", "these", "that", "those", "so", "also", "but",
            "and", "or", "then", "next", "others", "both", "each", "fewer", "here", "there", "such", "however",
            "still", "instead", "otherwise", "because", "which", "consequently", "first", "finally", "later", "now",
            "after", "let"}
_SEQUENCE = re.compile(r"\b(?:then|next|first|second|finally|later|after|before|over time|again|too)\b", re.I)
MISSPELLINGS = {"receive": "recieve", "until": "untill", "necessary": "neccessary", "recommend": "reccomend",
                "separate": "seperate", "definitely": "definately", "usually": "usualy", "because": "becuase",
                "which": "wich", "different": "diffrent", "immediately": "immediatly", "experience": "experiance",
                "sensitive": "sensative", "especially": "especialy", "appointment": "appointmnet",
                "schedule": "schedual", "swelling": "sweling", "between": "inbetween", "probably": "probly",
                "procedure": "proceedure", "occasionally": "occasionaly", "believe": "beleive",
                "tomorrow": "tommorow", "pharmacy": "pharmacey", "through": "thru", "eyebrows": "eyebrowes"}
HOMOPHONES = (("their", "there"), ("there", "their"), ("its", "it's"), ("it's", "its"), ("your", "you're"),
              ("than", "then"), ("affect", "effect"), ("lose", "loose"), ("to", "too"))
_NUM_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
              "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty")
_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty"}
_NUMBER = r"(?:\d{1,2}|" + "|".join(_NUM_WORDS[1:]) + r"|thirty|forty|forty-five|sixty)"
_DURATION = re.compile(rf"\b(?P<about>(?:about|around|roughly) )?(?P<a>{_NUMBER})(?: (?P<sep>to|or) (?P<b>{_NUMBER}))?"
                       r" (?P<unit>minutes|hours|days|weeks|months)\b")
_FACT_WORDS = re.compile(r"\b(?:dose|doses|units?|mg|SPF|age|ages|older|younger|years?|per cent|percent|approv\w*|"
                         r"clear(?:ed|ance)|label|studies|study)\b|%", re.I)
_PROTECT = re.compile(r"!?\[[^\]]*\]\([^)]*\)|\[\^[^\]]+\]|\[\d+\]|`[^`]*`|\*\*[^*]+\*\*|__[^_]+__|<[^>]+>|"
                      r"https?://\S+|“[^”]*”|\"[^\"]*\"|‘[^’]*’")
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘*\[\ue000-\uefff])")
_ABBREV = re.compile(r"(?:\b(?:Dr|Mr|Mrs|Ms|vs|etc|e\.g|i\.e|U\.S|St|No)\.|\b[A-Z]\.)$")
_LIST_ITEM = re.compile(r"^(?P<marker>\s{0,3}(?:[-*+]|\d+[.)])\s+)(?P<text>.*)$")
_VERBATIM_LINE = re.compile(r"^(?:\s*\||\s*```|\s*~~~|    |\t|\s*<|\s*>|\s*\[\^|\s*!\[|\s*#|\s*(?:-{3,}|\*{3,})\s*$)")


def _case_like(model: str, word: str) -> str:
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def _number_value(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token in _NUM_WORDS:
        return _NUM_WORDS.index(token)
    return {"thirty": 30, "forty": 40, "forty-five": 45, "sixty": 60}.get(token)


def _number_text(value: int, words: bool) -> str:
    if not words:
        return str(value)
    if value < len(_NUM_WORDS):
        return _NUM_WORDS[value]
    if value in _TENS:
        return _TENS[value]
    tens, ones = divmod(value, 10)
    return f"{_TENS[tens * 10]}-{_NUM_WORDS[ones]}" if tens * 10 in _TENS else str(value)


@dataclass
class Editor:
    """One writer's habits: how likely each form of each swap group is, contractions, digits or words."""

    weights: list[list[float]]
    contractions: float
    words_for_numbers: float
    framing: float
    oxford_comma: float  # "a, b, and c" rather than "a, b and c"
    item_periods: float  # list items end with a full stop


@dataclass
class Sentence:
    text: str  # masked: protected spans are single private-use characters
    claim: bool  # claim or fact wording: only swaps the claims check does not read
    plain: bool  # no product and no condition named: every swap allowed

    @property
    def first_word(self) -> str:
        match = re.match(r"[\W_]*([A-Za-z']+)", self.text)
        return match.group(1).lower() if match else ""

    @property
    def anchored(self) -> bool:
        return self.first_word in ANCHORED


class Varier:
    """Rewords prose paragraphs and list items of the generated posts (see the module docstring)."""

    def __init__(self, sources: list[Source], rng: random.Random, policy_dir: Path = SOURCE_DIR / "policy") -> None:
        self.rng = rng
        language = yaml.safe_load((policy_dir / "claim-language.yaml").read_text(encoding="utf-8"))
        kb = yaml.safe_load((policy_dir / "claims.yaml").read_text(encoding="utf-8"))
        disclaimers = yaml.safe_load((policy_dir / "disclaimers.yaml").read_text(encoding="utf-8"))["disclaimers"]
        names = sorted({n for p in kb["products"] for n in p["names"]}, key=len, reverse=True)
        synonyms = sorted({s for c in kb["conditions"] for s in c.get("synonyms", [])}, key=len, reverse=True)
        self.products = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b", re.I)
        self.conditions = re.compile(r"\b(?:" + "|".join(map(re.escape, synonyms)) + r")\b", re.I)
        claim_sentence = [*language["approval"], *language["clearance"], *language["negation"],
                          *language["off_label_disclosure"], *(p["pattern"] for p in language["prohibited"]),
                          *(p["pattern"] for p in language.get("comparative", [])), r"\bFDA\b"]
        self.claim_sentence = re.compile("|".join(f"(?:{p})" for p in claim_sentence), re.I)
        claim_words = [*claim_sentence, *language["benefit"], *language["benefit_negation"],
                       *language["subject_reference"], *language["population_children"], *language["risk"]]
        self.claim_words = re.compile("|".join(f"(?:{p})" for p in claim_words), re.I)
        # disclaimers stay verbatim: their approved text, or a paragraph with one of their signals
        self.disclaimer_texts = [" ".join(d["text"].split()) for d in disclaimers]
        self.disclaimer_signals = [(re.compile(s, re.I), len(t) * 1.3) for d, t in zip(disclaimers,
                                   self.disclaimer_texts, strict=True)
                                   if not d.get("signals_count_as_present") for s in d.get("signals", [])]
        self.disclaimer_applies = [re.compile(p, re.I) for d in disclaimers
                                   for p in (d.get("applies") or {}).get("content_patterns", [])]
        # swap groups: those with a word the claims check reads only go where no product or condition is named
        self.groups = [tuple(g) for g in SWAPS] + [tuple(c) for c in CONTRACTIONS]
        self.contraction_group = set(range(len(SWAPS), len(self.groups)))
        self.touches_claims = [any(self.claim_words.search(form) or self.products.search(form)
                                   or self.conditions.search(form) for form in g) for g in self.groups]
        forms = sorted(((form, i) for i, g in enumerate(self.groups) for form in g), key=lambda f: -len(f[0]))
        self.form_group = {form.lower(): i for form, i in forms}
        self.swap_pattern = re.compile(r"\b(?:(?P<art>[Aa]n?) )?(?P<w>" + "|".join(re.escape(f) for f, _ in forms)
                                       + r")\b", re.I)
        self.editors = [self._editor() for _ in range(EDITORS)]
        self.topics = self._topics(sources)

    def _editor(self) -> Editor:
        weights = []
        for group in self.groups:
            favourite = self.rng.randrange(len(group))
            weights.append([1.0 if i == favourite else 0.3 + 0.6 * self.rng.random() for i in range(len(group))])
        return Editor(weights, contractions=self.rng.choice((0.0, 0.3, 0.8)),
                      words_for_numbers=self.rng.choice((0.1, 0.5, 0.9)), framing=self.rng.choice((0.7, 1.0, 1.5)),
                      oxford_comma=self.rng.choice((0.1, 0.5, 0.9)), item_periods=self.rng.choice((0.1, 0.6, 0.95)))

    # -- which text is what ------------------------------------------------------------------------------------------

    def is_disclaimer(self, chunk: str) -> bool:
        text = " ".join(chunk.split())
        return text in self.disclaimer_texts or any(len(text) <= most and s.search(text)
                                                    for s, most in self.disclaimer_signals)

    def _portable(self, sentence: str) -> bool:
        """A sentence another post on the topic can borrow: plain, stands alone, nothing to resolve."""
        words = sentence.split()
        return (5 <= len(words) <= 22 and sentence.endswith(".") and not _PROTECT.search(sentence)
                and not re.search(r"\b(?:this|these|those|that|then|also|such|it|its|they|them|their|here|"
                                  r"there|above|below|both|each|other|others|same)\b", sentence, re.I)
                and not self.claim_sentence.search(sentence) and not self.products.search(sentence)
                and not any(p.search(sentence) for p in self.disclaimer_applies)
                and not self.is_disclaimer(sentence))

    def _topics(self, sources: list[Source]) -> dict[str, list[str]]:
        """Per source: sentences of the *other* sources on its subject (a shared tag, else a shared category)."""
        own: dict[str, list[str]] = {}
        for source in sources:
            chunks = [*source.intro, *(c for s in source.sections for c in s.chunks)]
            found = []
            for chunk in chunks:
                if any(_VERBATIM_LINE.match(line) or _LIST_ITEM.match(line) for line in chunk.split("\n")):
                    continue
                found.extend(s for s in self._split(" ".join(chunk.split())) if self._portable(s))
            own[source.name] = found
        def labels(source: Source, key: str) -> set[str]:
            return set(source.meta.get(key) or []) - {"aftercare"}  # aftercare of what: not a subject

        topics = {}
        for source in sources:
            others = [o for o in sources if o is not source and labels(source, "tags") & labels(o, "tags")] or \
                [o for o in sources if o is not source and labels(source, "categories") & labels(o, "categories")]
            topics[source.name] = [s for other in others for s in own[other.name]]
        return topics

    @staticmethod
    def _split(text: str) -> list[str]:
        pieces = _SPLIT.split(text)
        sentences: list[str] = []
        for piece in pieces:
            if sentences and _ABBREV.search(sentences[-1]):
                sentences[-1] += " " + piece
            else:
                sentences.append(piece)
        return [s for s in sentences if s]

    # -- a post ------------------------------------------------------------------------------------------------------

    def vary_post(self, post: Generated) -> None:
        editor = self.rng.choice(self.editors)
        pool = self.topics.get(post.primary.name, [])
        own = {s.heading for s in post.primary.sections}
        post.intro = [self.vary_chunk(c, editor, pool) for c in post.intro]
        for section in post.sections:  # borrowed sentences go into the primary source's sections only
            section.chunks = [self.vary_chunk(c, editor, pool if section.heading in own else [])
                              for c in section.chunks]

    def vary_chunk(self, chunk: str, editor: Editor, pool: list[str]) -> str:
        lines = chunk.split("\n")
        if self.is_disclaimer(chunk) or any(line.endswith("  ") or line.endswith("\\") for line in lines):
            return chunk
        if any(_VERBATIM_LINE.match(line) for line in lines):
            return chunk
        items = [_LIST_ITEM.match(line) for line in lines]
        if all(items):
            return "\n".join(m["marker"] + self._vary_text(m["text"], editor, pool, item=True)
                             for m in items if m is not None)
        if any(items):  # a list with continuation lines, or prose around a list: leave it
            return chunk
        one_per_line = len(lines) > 1
        text = self._vary_text(" ".join(line.strip() for line in lines), editor, pool, item=False)
        return text.replace("\u2029", "\n" if one_per_line else " ")

    # -- a paragraph or list item ------------------------------------------------------------------------------------

    def _mask(self, text: str) -> tuple[str, list[str]]:
        saved: list[str] = []

        def keep(match: re.Match[str]) -> str:
            saved.append(match.group(0))
            return chr(0xE000 + len(saved) - 1)

        return _PROTECT.sub(keep, text), saved

    @staticmethod
    def _unmask(text: str, saved: list[str]) -> str:
        return re.sub("[\ue000-\uefff]", lambda m: saved[ord(m.group(0)) - 0xE000], text)

    def _sentence(self, masked: str, saved: list[str]) -> Sentence:
        full = self._unmask(masked, saved)
        claim = bool(self.claim_sentence.search(full) or self.products.search(full) or re.search(r"\[\d+\]", full))
        plain = not claim and not self.conditions.search(full) and not self.products.search(full)
        return Sentence(masked, claim, plain)

    def _vary_text(self, text: str, editor: Editor, pool: list[str], *, item: bool) -> str:
        rng = self.rng
        masked, saved = self._mask(text)
        sentences = [self._sentence(s, saved) for s in self._split(masked)]
        if not sentences:
            return text
        has_claim = any(s.claim for s in sentences)
        if not item:
            sentences = self._restructure(sentences, editor, pool, has_claim)
        for sentence in sentences:
            sentence.text = self._swap(sentence, editor)
            if not sentence.claim:
                sentence.text = self._numbers(sentence.text, editor)
                sentence.text = self._commas(sentence.text, editor)
                if sentence.first_word in IMPERATIVES and re.match(r"[A-Z][a-z]", sentence.text) \
                        and rng.random() < (0.25 if item else 0.08):
                    polite = rng.choice(("Please ",) if sentence.first_word == "do" else
                                        ("Please ", "Try to ", "Be sure to ", "Remember to ", "Make sure to "))
                    sentence.text = polite + sentence.text[0].lower() + sentence.text[1:]
                elif sentence.first_word in IMPERATIVES - {"do", "skip", "avoid", "let"} and rng.random() < 0.2 \
                        and re.search(r"[a-z]\.?$", sentence.text) and "if " not in sentence.text:
                    end = "." if sentence.text.endswith(".") else ""
                    sentence.text = sentence.text.rstrip(".") + rng.choice(HEDGES) + end
        if item and len(sentences) == 1:
            last = sentences[0]
            if rng.random() < editor.item_periods:
                if re.search(r"[a-z]$", last.text):
                    last.text += "."
            elif re.search(r"[a-z]\.$", last.text):
                last.text = last.text[:-1]
        if rng.random() < SLIP_RATE:
            candidates = [s for s in sentences if not s.claim]
            if candidates:
                target = rng.choice(candidates)
                target.text = self._slip(target.text)
        joiner = " " if item else "\u2029"
        return self._unmask(joiner.join(s.text for s in sentences), saved)

    def _restructure(self, sentences: list[Sentence], editor: Editor, pool: list[str],
                     has_claim: bool) -> list[Sentence]:
        rng = self.rng
        n = len(sentences)

        def free(i: int) -> bool:
            s = sentences[i]
            return not s.claim and not s.anchored and not _SEQUENCE.search(s.text) and not s.text.endswith((":", "?"))

        # drop a sentence nothing leans on
        if n >= 3 and rng.random() < 0.08:
            droppable = [i for i in range(1, n) if free(i) and not re.search("[\ue000-\uefff]", sentences[i].text)
                         and (i + 1 == n or not sentences[i + 1].anchored)]
            if droppable:
                del sentences[rng.choice(droppable)]
                n -= 1
        # swap two neighbours that stand alone
        if n >= 3 and not has_claim and rng.random() < 0.3:
            pairs = [i for i in range(1, n - 1) if free(i) and free(i + 1)
                     and (i + 2 == n or not sentences[i + 2].anchored)]
            if pairs:
                i = rng.choice(pairs)
                sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
        # a framing phrase in front of a sentence
        if rng.random() < 0.12 * editor.framing:
            starts = [s for s in sentences if not s.claim and s.first_word in PREFIXABLE
                      and re.match(r"[A-Z][a-z]", s.text)]
            if starts:
                s = rng.choice(starts)
                s.text = rng.choice(PREFIXES) + s.text[0].lower() + s.text[1:]
        # a sentence borrowed from another post on the same topic
        ends_open = sentences[-1].text.rstrip().endswith((":", "?"))
        if pool and not ends_open and rng.random() < (0.5 if n == 1 else 0.35):
            borrowed = rng.choice(pool)
            if all(borrowed != s.text for s in sentences):
                sentences.append(Sentence(borrowed, claim=False, plain=not self.conditions.search(borrowed)))
        # framing sentences
        if not sentences[0].anchored and rng.random() < (0.2 if n == 1 else 0.1) * editor.framing:
            sentences.insert(0, Sentence(rng.choice(OPENERS), claim=False, plain=True))
        if not ends_open and rng.random() < 0.1 * editor.framing:
            sentences.append(Sentence(rng.choice(CLOSERS), claim=False, plain=True))
        return sentences

    def _swap(self, sentence: Sentence, editor: Editor) -> str:
        rng = self.rng

        def replace(match: re.Match[str]) -> str:
            word = match["w"]
            group = self.form_group[word.lower()]
            if self.touches_claims[group] and not sentence.plain:
                return match.group(0)
            forms = self.groups[group]
            if group in self.contraction_group:
                if sentence.claim or rng.random() >= editor.contractions:
                    return match.group(0)
                new = forms[1] if word.lower() == forms[0] else forms[0]
            else:
                new = rng.choices(forms, weights=editor.weights[group])[0]
            new = _case_like(word, new)
            article = match["art"]
            if article is None:
                return new
            fixed = "an" if new[:1].lower() in "aeiou" else "a"
            if new.lower().startswith(("a ", "an ")):  # "a visit" -> "an appointment": the form has its article
                return _case_like(article, new)
            return _case_like(article, fixed) + " " + new

        return self.swap_pattern.sub(replace, sentence.text)

    def _commas(self, text: str, editor: Editor) -> str:
        """The editor's serial comma: "pain, bruising and swelling" or "pain, bruising, and swelling"."""
        if self.rng.random() < editor.oxford_comma:
            return re.sub(r"(, (?:(?!and\b|or\b)[\w'-]+ ?){1,3}) (and|or) ", r"\1, \2 ", text)
        return re.sub(r"(, [\w'-]+(?: [\w'-]+){0,2}), (and|or) ", r"\1 \2 ", text)

    def _numbers(self, text: str, editor: Editor) -> str:
        if _FACT_WORDS.search(text):
            return text
        rng = self.rng

        def replace(match: re.Match[str]) -> str:
            a, b = _number_value(match["a"]), _number_value(match["b"]) if match["b"] else None
            if a is None or (match["b"] and b is None):
                return match.group(0)
            if match["unit"] == "minutes":  # how long a visit takes: not a label fact
                a = max(5, a + rng.choice((-5, 0, 0, 5))) if a >= 10 and a % 5 == 0 else a
                if b is not None and b >= 10 and b % 5 == 0:
                    b = max(a + 5, b + rng.choice((-5, 0, 0, 5)))
            words = rng.random() < editor.words_for_numbers
            about = match["about"]
            if about is not None and rng.random() < 0.5:
                about = rng.choice(("about ", "around ", "roughly "))
            out = _number_text(a, words)
            if b is not None:
                out += f" {match['sep']} {_number_text(b, words)}"
            if about:
                out = _case_like(about, about.lower()) + out
            return out + " " + match["unit"]

        return _DURATION.sub(replace, text)

    def _slip(self, text: str) -> str:
        """One slip of the kind editors miss: a misspelling, a homophone, a doubled word."""
        rng = self.rng
        options: list[tuple[int, int, str]] = []
        for match in re.finditer(r"\b[A-Za-z']+\b", text):
            word = match.group(0)
            lower = word.lower()
            if lower in MISSPELLINGS:
                options.append((match.start(), match.end(), _case_like(word, MISSPELLINGS[lower])))
            for right, wrong in HOMOPHONES:
                if lower == right:
                    options.append((match.start(), match.end(), _case_like(word, wrong)))
            if lower == "an" and rng.random() < 0.5:
                options.append((match.start(), match.end(), _case_like(word, "a")))
        if not options:
            words = [m for m in re.finditer(r"\b(?:the|to|a|of|and|is|your|you|can|in)\b", text)]
            if not words:
                return text
            m = rng.choice(words)
            return text[: m.end()] + " " + m.group(0) + text[m.end():]
        start, end, new = rng.choice(options)
        return text[:start] + new + text[end:]


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
    varier = Varier(sources, rng)
    for post in posts:
        varier.vary_post(post)
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

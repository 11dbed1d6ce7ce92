"""The policy schema: thresholds, disclaimer rules and vocabulary a compliance reviewer edits.

Pure: :func:`policy_from_texts` validates the files' texts; reading them is the caller's job
(``flows.store.policy_files``). Unknown keys are errors, named with their file and line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Any, ClassVar, Literal, TypeVar, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from checks.claims_kb import ClaimLanguage, KnowledgeBase, valid_patterns
from checks.model import Severity

POLICY_FILE = "policy.yaml"
DISCLAIMERS_FILE = "disclaimers.yaml"
VOCABULARY_FILE = "vocabulary.txt"
CLAIMS_FILE = "claims.yaml"
CLAIM_LANGUAGE_FILE = "claim-language.yaml"
REVIEWERS_FILE = "reviewers.yaml"
REQUIRED_FILES = (POLICY_FILE, DISCLAIMERS_FILE, VOCABULARY_FILE, CLAIMS_FILE, CLAIM_LANGUAGE_FILE)
OPTIONAL_FILES = (REVIEWERS_FILE,)  # without it, nobody can sign off
# Public key types ssh-keygen -Y verifies (the ones OpenSSH 8.2+ signs with, security keys included).
SSH_KEY_TYPES = ("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
                 "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")

Formula = Literal["flesch_kincaid_grade", "smog_index", "dale_chall_readability_score",
                  "gunning_fog", "coleman_liau_index"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReadabilityPolicy(_Strict):
    formula: Formula = "flesch_kincaid_grade"
    target: float = Field(8.0, description="warning above this grade")
    limit: float = Field(14.0, description="error above this grade")
    min_words: int = Field(80, ge=0, description="posts with fewer prose words get scores but no verdict")
    sentence_max_words: int = Field(35, ge=5)
    sentence_max_grade: float = Field(16.0)
    sentence_min_words: int = Field(8, ge=1, description="shorter sentences are never hotspots by grade")
    hardest: int = Field(3, ge=0, description="how many hardest sentences the report lists")
    max_hotspots: int = Field(5, ge=0, description="at most this many hard-sentence findings per post, "
                                                   "hardest first")
    vocabulary_stand_in: str = Field("pill", description="an easy one-syllable word scored in place of "
                                                         "each vocabulary term")
    safety_headings: tuple[str, ...] = Field((), description="regexes for headings of required safety text "
                                                             "(boxed warning, important safety information): "
                                                             "the section under one is left out of the grade")
    safety_openings: tuple[str, ...] = Field((), description="regexes a block of required safety text starts "
                                                             "with: that block is left out of the grade")

    @field_validator("safety_headings", "safety_openings")
    @classmethod
    def _safety_compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        return valid_patterns(patterns)


class FrontMatterPolicy(_Strict):
    max_bytes: int = Field(1_000_000, gt=0)
    max_seconds: float = Field(20.0, gt=0, description="time budget for parsing and checking one post; a post "
                                                      "over it is stopped and reported (FM015)")
    statuses: tuple[str, ...] = ("draft", "review", "approved")
    extra_keys: tuple[str, ...] = Field((), description="keys allowed beyond the standard ones")


class LinksPolicy(_Strict):
    blog_prefix: str = "/blog/"
    images_prefix: str = "/images/"
    site_url: str | None = Field(None, description="absolute links to this site are checked as internal")
    site_paths: tuple[str, ...] = Field((), description="other pages of the site that exist (e.g. /contact/)")
    external_timeout_seconds: float = Field(10.0, gt=0)
    external_retries: int = Field(2, ge=0)
    external_cache_hours: float = Field(24.0, ge=0)
    external_concurrency: int = Field(8, ge=1, le=64)
    title_mention_score: float = Field(92.0, ge=50, le=100)


class GrammarPolicy(_Strict):
    language: str = "en-US"
    mother_tongue: str | None = None
    picky: bool = False
    disabled_rules: tuple[str, ...] = ()
    enabled_rules: tuple[str, ...] = ()
    disabled_categories: tuple[str, ...] = ()
    enabled_categories: tuple[str, ...] = ()
    severity_by_category: dict[str, Severity] = Field(default_factory=dict, description="wins over issue type")
    severity_by_issue_type: dict[str, Severity] = Field(default_factory=lambda: {
        "misspelling": Severity.ERROR, "grammar": Severity.ERROR, "duplication": Severity.ERROR,
        "style": Severity.WARNING, "typographical": Severity.INFO, "whitespace": Severity.INFO})
    default_severity: Severity = Severity.WARNING
    max_parallel_requests: int = Field(4, ge=1, le=32)
    max_request_chars: int = Field(20_000, ge=500)
    request_timeout_seconds: float = Field(60.0, gt=0)
    server_heap: str = Field("768m", pattern=r"^\d+[mMgG]$")

    def severity_for(self, category: str, issue_type: str) -> Severity:
        return self.severity_by_category.get(category) or self.severity_by_issue_type.get(issue_type) \
            or self.default_severity

    def server_params(self) -> dict[str, str]:
        """The LanguageTool /v2/check parameters this configuration sets."""
        params = {"language": self.language}
        if self.mother_tongue:
            params["motherTongue"] = self.mother_tongue
        if self.picky:
            params["level"] = "picky"
        for key, values in (("disabledRules", self.disabled_rules), ("enabledRules", self.enabled_rules),
                            ("disabledCategories", self.disabled_categories),
                            ("enabledCategories", self.enabled_categories)):
            if values:
                params[key] = ",".join(values)
        return params


class PublishingPolicy(_Strict):
    override_roles: tuple[str, ...] = Field(("medical-director", "compliance-lead"),
                                            description="roles that may approve despite error findings")
    wordpress_status: Literal["publish", "pending", "draft"] = "publish"
    site_dir: str = Field("site", description="default output folder of the static target")


class Reviewer(_Strict):
    """Someone who may sign off posts: the role and public keys come from here, never from a flag."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", description="what `medpress approve --reviewer` names")
    name: str = ""
    role: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    keys: tuple[str, ...] = Field(min_length=1, description="OpenSSH public keys: 'ssh-ed25519 AAAA... comment'")

    @field_validator("keys")
    @classmethod
    def _public_keys(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_public_key(key) for key in keys)


class Desk(_Strict):
    """A reviewer's desk (`medpress serve`): its key signs ledger events on behalf of a signed-in reviewer.

    The event names both: the reviewer (whose role and authority policy checks as for any event) and the desk
    that signed. A desk signs only for the reviewers listed here, so it cannot grant itself anyone's authority.
    """

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", description="names the desk in ledger events (signer)")
    name: str = ""
    keys: tuple[str, ...] = Field(min_length=1, description="the desk's OpenSSH public key(s)")
    reviewers: tuple[str, ...] = Field(min_length=1, description="ids of the reviewers this desk may sign for")

    @field_validator("keys")
    @classmethod
    def _public_keys(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_public_key(key) for key in keys)


class ReviewersFile(_Strict):
    version: str
    reviewers: tuple[Reviewer, ...] = ()
    desks: tuple[Desk, ...] = ()


def _public_key(text: str) -> str:
    """'type base64 [comment]' -> 'type base64', when the base64 really is a key of that type."""
    parts = text.split()
    if len(parts) < 2 or parts[0] not in SSH_KEY_TYPES:
        raise ValueError(f"not an OpenSSH public key (expected one of {', '.join(SSH_KEY_TYPES)} and base64)")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except binascii.Error as err:
        raise ValueError("the key's base64 is damaged") from err
    name = parts[0].encode()
    if blob[:4] != len(name).to_bytes(4, "big") or blob[4:4 + len(name)] != name:
        raise ValueError(f"the key data is not a {parts[0]} key")
    return f"{parts[0]} {parts[1]}"


class KnowledgeBasePolicy(_Strict):
    """How old a knowledge-base fact may get, and which sources count as primary (`medpress kb check`)."""

    max_age_days: int = Field(365, ge=1, description="a fact checked longer ago than this is expired")
    primary_domains: tuple[str, ...] = Field(
        ("fda.gov", "nlm.nih.gov", "webharvest.gov", "pagefreezer.com"),
        description="a source on one of these domains (or a subdomain) is a primary record (FDA, NLM, archived "
                    "FDA pages); any other source is secondary")


class RulesPolicy(_Strict):
    disable: tuple[str, ...] = ()
    severity: dict[str, Severity] = Field(default_factory=dict)


class GeneralPolicy(_Strict):
    version: str
    readability: ReadabilityPolicy = ReadabilityPolicy()
    frontmatter: FrontMatterPolicy = FrontMatterPolicy()
    links: LinksPolicy = LinksPolicy()
    grammar: GrammarPolicy = GrammarPolicy()
    publishing: PublishingPolicy = PublishingPolicy()
    rules: RulesPolicy = RulesPolicy()
    knowledge_base: KnowledgeBasePolicy = KnowledgeBasePolicy()


class Applies(_Strict):
    always: bool = False
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    content_patterns: tuple[str, ...] = Field((), description="case-insensitive regular expressions")
    pattern_words: dict[str, str] = Field(default_factory=dict, description=(
        "how a content pattern reads to a reviewer ('a before-and-after mention'), by pattern; without it the "
        "pattern is described in its own words"))
    blockquotes: bool = Field(False, description="a blockquote (a quoted patient) triggers the rule")
    off_label_claims: bool = Field(False, description="a benefit claim for an off-label use triggers the rule")
    testimonials: bool = Field(False, description="a patient's quoted words with an attribution, in any order, "
                                                  "a first-person account of one's own treatment, a named or "
                                                  "unnamed patient's results, or a quoted experience triggers "
                                                  "the rule")
    before_after: bool = Field(False, description="a mention of before-and-after photos or results triggers it")
    offers: bool = Field(False, description="an offer (discount, % off, special price, free service, limited "
                                            "time) triggers the rule")

    @field_validator("content_patterns")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        return valid_patterns(patterns)

    @model_validator(mode="after")
    def _words_for_known_patterns(self) -> Applies:
        unknown = sorted(set(self.pattern_words) - set(self.content_patterns))
        if unknown:
            raise ValueError(f"pattern_words names patterns not in content_patterns: {', '.join(unknown)}")
        return self


class Idea(_Strict):
    """One thing a disclaimer must say, in whatever words: any of its patterns shows it."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    says: str = Field(min_length=3, description="the idea in plain words (shown when it is missing)")
    patterns: tuple[str, ...] = Field(min_length=1, description="case-insensitive regexes, any of which shows it")
    key: bool = Field(False, description="alone, this idea is an attempt at the disclaimer (altered, not missing)")

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        return valid_patterns(patterns)


class DisclaimerRule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    text: str = Field(min_length=10)
    applies: Applies
    placement: Literal["start", "end", "anywhere"] = "anywhere"
    window: int = Field(3, ge=1, description="blocks from the start or end that count as that placement")
    signals: tuple[str, ...] = Field((), description="regexes showing an attempt at this disclaimer")
    signals_count_as_present: bool = Field(False, description="a signal means the disclaimer is there "
                                                              "(e.g. any plain off-label statement)")
    present_score: float = Field(96.0, ge=50, le=100)
    altered_score: float = Field(60.0, ge=0, le=100)
    exclude_from_readability: bool = True
    ideas: tuple[Idea, ...] = Field((), description="what the disclaimer must say: a block (or two) carrying all "
                                                    "of them is the disclaimer in other words; some of them, altered")
    exact_wording: bool = Field(False, description="with ideas: the approved wording itself is required, so a "
                                                   "disclaimer in other words is still reported as altered (DSC002)")

    @field_validator("signals")
    @classmethod
    def _signals_compile(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        return valid_patterns(patterns)


class DisclaimersFile(_Strict):
    version: str
    disclaimers: tuple[DisclaimerRule, ...]


_T = TypeVar("_T")


class Compiled:
    """What the checks compile from one policy object (the claims check's knowledge base), each built once, when
    first asked. Not part of the policy's value: it compares equal, and pickles and copies as empty (a worker
    process compiles its own; a copy with other values must not reuse it)."""

    __slots__ = ("_built",)
    __hash__: ClassVar[None] = None  # type: ignore[assignment]

    def __init__(self) -> None:
        self._built: dict[str, object] = {}

    def get(self, key: str, build: Callable[[], _T]) -> _T:
        if key not in self._built:
            self._built[key] = build()
        return cast(_T, self._built[key])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Compiled)

    def __reduce__(self) -> tuple[type[Compiled], tuple[()]]:
        return Compiled, ()


class Policy(_Strict):
    """Everything the checks read from policy, validated."""

    general: GeneralPolicy
    disclaimers: tuple[DisclaimerRule, ...]
    vocabulary: frozenset[str]
    kb: KnowledgeBase
    claim_language: ClaimLanguage
    hash: str
    reviewers: tuple[Reviewer, ...] = ()
    desks: tuple[Desk, ...] = ()
    _compiled: Compiled = PrivateAttr(default_factory=Compiled)

    def reviewer(self, reviewer_id: str) -> Reviewer | None:
        return next((r for r in self.reviewers if r.id == reviewer_id), None)

    def desk(self, desk_id: str) -> Desk | None:
        return next((d for d in self.desks if d.id == desk_id), None)

    def compiled(self, key: str, build: Callable[[Policy], _T]) -> _T:
        """``build(self)``, built once per policy object and kept on it (``key`` names what is built)."""
        return self._compiled.get(key, lambda: build(self))

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Policy:
        copied = super().model_copy(update=update, deep=deep)
        copied._compiled = Compiled()  # other values: compile again
        return copied

    @property
    def readability(self) -> ReadabilityPolicy:
        return self.general.readability

    @property
    def frontmatter(self) -> FrontMatterPolicy:
        return self.general.frontmatter

    @property
    def links(self) -> LinksPolicy:
        return self.general.links

    @property
    def grammar(self) -> GrammarPolicy:
        return self.general.grammar

    @property
    def version(self) -> str:
        return self.general.version


class PolicyError(Exception):
    """An invalid policy file: names the file, the key and (when known) the line."""

    def __init__(self, file: str, key: str, message: str, line: int | None = None) -> None:
        self.file, self.key, self.detail, self.line = file, key, message, line
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


def policy_from_texts(texts: dict[str, str], known_rules: frozenset[str] = frozenset()) -> Policy:
    """Validate the policy files' texts (file name -> text) into a :class:`Policy`."""
    for name in REQUIRED_FILES:
        if name not in texts:
            raise PolicyError(name, "", "policy file is missing")
    general = _validate(GeneralPolicy, POLICY_FILE, texts[POLICY_FILE])
    disclaimers = _validate(DisclaimersFile, DISCLAIMERS_FILE, texts[DISCLAIMERS_FILE])
    ids = [d.id for d in disclaimers.disclaimers]
    for dup in {i for i in ids if ids.count(i) > 1}:
        raise PolicyError(DISCLAIMERS_FILE, f"disclaimers.{dup}", "duplicate disclaimer id")
    if known_rules:
        named = set(general.rules.disable) | set(general.rules.severity)
        for rule in sorted(r for r in named - known_rules if not r.startswith("GR-")):  # GR-<LanguageTool id>
            line = _line_of(texts[POLICY_FILE], rule)
            raise PolicyError(POLICY_FILE, f"rules.{rule}", "unknown rule id (see `medpress rules`)", line)
    digest = hashlib.sha256()
    for name in sorted(texts):
        digest.update(name.encode() + b"\0" + texts[name].encode() + b"\0")
    kb = _validate(KnowledgeBase, CLAIMS_FILE, texts[CLAIMS_FILE])
    claim_language = _validate(ClaimLanguage, CLAIM_LANGUAGE_FILE, texts[CLAIM_LANGUAGE_FILE])
    known_conditions = {c.id for c in kb.conditions}
    for index, reading in enumerate(claim_language.area_readings):
        if reading.condition not in known_conditions:
            raise PolicyError(CLAIM_LANGUAGE_FILE, f"area_readings.{index}.condition",
                              f"unknown condition '{reading.condition}' (see {CLAIMS_FILE})",
                              _line_of(texts[CLAIM_LANGUAGE_FILE], reading.condition))
    reviewers, desks = _reviewers(texts[REVIEWERS_FILE]) if REVIEWERS_FILE in texts else ((), ())
    return Policy(general=general, disclaimers=disclaimers.disclaimers,
                  vocabulary=parse_vocabulary(texts[VOCABULARY_FILE]), kb=kb, claim_language=claim_language,
                  hash="sha256:" + digest.hexdigest(), reviewers=reviewers, desks=desks)


def _reviewers(text: str) -> tuple[tuple[Reviewer, ...], tuple[Desk, ...]]:
    listed = _validate(ReviewersFile, REVIEWERS_FILE, text)
    reviewers = listed.reviewers
    owner: dict[str, str] = {}
    for index, reviewer in enumerate(reviewers):
        if reviewer.id in {r.id for r in reviewers[:index]}:
            raise PolicyError(REVIEWERS_FILE, f"reviewers.{index}.id", f"duplicate reviewer id '{reviewer.id}'",
                              _line_of_path(text, ["reviewers", str(index), "id"]))
        for key in reviewer.keys:  # a shared key would let one reviewer sign as the other
            if owner.setdefault(key, reviewer.id) != reviewer.id:
                raise PolicyError(REVIEWERS_FILE, f"reviewers.{index}.keys",
                                  f"this key is also {owner[key]}'s: each reviewer signs with their own key",
                                  _line_of_path(text, ["reviewers", str(index), "keys"]))
    ids = {r.id for r in reviewers}
    for index, desk in enumerate(listed.desks):
        where = ["desks", str(index)]
        if desk.id in ids:  # one namespace: a signature names one signer, never a reviewer and a desk at once
            raise PolicyError(REVIEWERS_FILE, f"desks.{index}.id", f"'{desk.id}' is already a reviewer or desk id",
                              _line_of_path(text, [*where, "id"]))
        ids.add(desk.id)
        for name in desk.reviewers:
            if name not in {r.id for r in reviewers}:
                raise PolicyError(REVIEWERS_FILE, f"desks.{index}.reviewers", f"'{name}' is not a reviewer listed "
                                  "above", _line_of_path(text, [*where, "reviewers"]))
        for key in desk.keys:  # a desk key that is also a reviewer's would let that reviewer sign as the desk
            if owner.setdefault(key, desk.id) != desk.id:
                raise PolicyError(REVIEWERS_FILE, f"desks.{index}.keys", f"this key is also {owner[key]}'s: a desk "
                                  "has its own key", _line_of_path(text, [*where, "keys"]))
    return reviewers, listed.desks


def parse_vocabulary(text: str) -> frozenset[str]:
    """One term a line; ``#`` starts a comment."""
    terms = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(t for t in terms if t)


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the same result, ten times faster


def _validate(model: type[BaseModel], file: str, text: str):
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise PolicyError(file, "", f"invalid YAML: {getattr(err, 'problem', err)}",
                          mark.line + 1 if mark else None) from err
    if not isinstance(data, dict):
        raise PolicyError(file, "", "must be a mapping of keys to values", 1)
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        path = [str(p) for p in first["loc"]]
        message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise PolicyError(file, ".".join(path), message, _line_of_path(text, path)) from err


def _line_of(text: str, word: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if word in line:
            return number
    return None


def _line_of_path(text: str, path: list[str]) -> int | None:
    """1-based line of a key path such as ``readability.target`` (list items by index)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if str(key.value) == part:
                    line, node = key.start_mark.line + 1, value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line + 1
        else:
            return line
    return line

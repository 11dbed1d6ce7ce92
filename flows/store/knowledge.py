"""The claims knowledge base as its facts: what `medpress kb check`, `kb show` and `kb diff` print.

A fact is one approved or cleared use of a product (condition, population, limits, year, source). Each has a
``checked_on`` date (its own, else its product's), is ``unconfirmed`` until seen in a primary record, and expires
once older than the policy's ``knowledge_base.max_age_days``.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from checks.claims_kb import ApprovedUse, KnowledgeBase, Product
from checks.policy import CLAIMS_FILE, KnowledgeBasePolicy, Policy, PolicyError
from reports.model import PostReport


@dataclass(frozen=True)
class Fact:
    product: str
    condition: str
    use: ApprovedUse
    checked_on: date
    unconfirmed: bool

    @property
    def key(self) -> str:
        return f"{self.product}/{self.condition}"


def facts(kb: KnowledgeBase) -> list[Fact]:
    return [Fact(p.id, u.condition, u, p.checked(u), u.unconfirmed) for p in kb.products for u in p.uses]


def expires(checked_on: date, rules: KnowledgeBasePolicy) -> date:
    return checked_on + timedelta(days=rules.max_age_days)


def is_primary(url: str, rules: KnowledgeBasePolicy) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in rules.primary_domains)


@dataclass
class CheckResult:
    facts: list[Fact]
    unconfirmed: list[Fact]
    expired: list[Fact]
    secondary: list[tuple[str, str]]  # (product or product/use, url)

    @property
    def confirmed(self) -> int:
        return len(self.facts) - len(self.unconfirmed)


def check(policy: Policy, today: date) -> CheckResult:
    """Unconfirmed facts, facts past their age and sources that are not primary records."""
    rules = policy.general.knowledge_base
    found = facts(policy.kb)
    secondary: list[tuple[str, str]] = []
    for product in policy.kb.products:
        for use in product.uses:
            if not is_primary(str(use.source), rules):
                secondary.append((f"{product.id}/{use.condition}", str(use.source)))
        if product.boxed_warning and not is_primary(str(product.boxed_warning.source), rules):
            secondary.append((f"{product.id}/boxed-warning", str(product.boxed_warning.source)))
    return CheckResult(found, [f for f in found if f.unconfirmed],
                       [f for f in found if expires(f.checked_on, rules) < today], secondary)


def render_check(result: CheckResult, policy: Policy, where: str, today: date) -> str:
    rules = policy.general.knowledge_base
    lines = [f"knowledge base {policy.kb.version} ({where}): {len(policy.kb.products)} products, "
             f"{len(result.facts)} facts: {result.confirmed} confirmed, {len(result.unconfirmed)} unconfirmed, "
             f"{len(result.expired)} expired (older than {rules.max_age_days} days on {today}); "
             f"{len(result.secondary)} sources not primary"]
    for fact in result.expired:
        lines.append(f"expired      {fact.key} ({fact.use.year}): checked {fact.checked_on}, expired "
                     f"{expires(fact.checked_on, rules)}: check it again and update checked_on")
    for fact in result.unconfirmed:
        lines.append(f"unconfirmed  {fact.key} ({fact.use.year}): checked {fact.checked_on}, not yet seen in a "
                     "primary record")
    for key, url in result.secondary:
        lines.append(f"secondary    {key}: {url}")
    return "\n".join(lines) + "\n"


def find_product(kb: KnowledgeBase, name: str) -> Product | None:
    wanted = name.strip().lower()
    return next((p for p in kb.products if p.id == wanted or wanted in (n.lower() for n in p.names)
                 or (p.brand or "").lower() == wanted), None)


def render_show(product: Product, kb: KnowledgeBase, rules: KnowledgeBasePolicy) -> str:
    """What medpress believes about one product, each fact with its source and date."""
    names = {c.id: c.name for c in kb.conditions}
    head = product.brand or product.names[0]
    lines = [f"{product.id}: {head}" + (f" ({product.maker})" if product.maker else ""),
             f"  kind: {product.kind}" + (f"; family {product.family}" if product.family else ""),
             f"  names: {', '.join(product.names)}",
             f"  checked: {product.checked_on}" + ("; some facts unconfirmed" if product.unconfirmed else "")]
    if product.molecule_of:
        lines.append(f"  the molecule of: {', '.join(product.molecule_of)} (their uses and boxed warning)")
    for title, uses in (("approved uses", product.approved_uses), ("cleared uses", product.cleared_uses)):
        if uses:
            lines.append(f"  {title}:")
        for use in uses:
            age = f", min age {use.min_age}" if use.min_age is not None else ""
            state = "unconfirmed" if use.unconfirmed else "confirmed"
            primary = "" if is_primary(str(use.source), rules) else " (secondary)"
            lines.append(f"    - {names.get(use.condition, use.condition)} [{use.condition}] ({use.year}): "
                         f"{use.population}{age}")
            if use.limits:
                lines.append(f"      limits: {use.limits}")
            lines.append(f"      source: {use.source}{primary}; checked {product.checked(use)}, {state}")
            for url in use.evidence:
                lines.append(f"      evidence: {url}")
    if product.off_label:
        lines.append("  off-label: " + ", ".join(names.get(c, c) for c in product.off_label))
    if product.boxed_warning:
        lines.append(f"  boxed warning: {product.boxed_warning.summary}")
        lines.append(f"    source: {product.boxed_warning.source}")
    if product.facts:
        for name, value in product.facts.model_dump().items():
            if value:
                lines.append(f"  {name}: {value[0]:g} to {value[1]:g}")
    if product.note:
        lines.append(f"  note: {product.note}")
    return "\n".join(lines) + "\n"


class DiffError(Exception):
    """A revision git cannot show, or a knowledge base there that does not validate."""


def kb_at(policy_dir: Path, rev: str | None) -> KnowledgeBase:
    """The knowledge base in ``policy_dir`` at git revision ``rev`` (None: the working copy)."""
    path = (policy_dir / CLAIMS_FILE).resolve()
    if rev is None:
        text = path.read_text(encoding="utf-8")
    else:
        try:
            top = subprocess.run(["git", "-C", str(path.parent), "rev-parse", "--show-toplevel"], check=True,
                                 capture_output=True, text=True).stdout.strip()
            rel = path.relative_to(Path(top).resolve()).as_posix()
            text = subprocess.run(["git", "-C", top, "show", f"{rev}:{rel}"], check=True, capture_output=True,
                                  text=True).stdout
        except subprocess.CalledProcessError as err:
            raise DiffError(f"git cannot show {CLAIMS_FILE} at {rev!r}: {err.stderr.strip()}") from err
        except (OSError, ValueError) as err:
            raise DiffError(f"{path} is not in a git repository: {err}") from err
    try:
        return KnowledgeBase.model_validate(yaml.load(text, Loader=_LOADER) or {})
    except Exception as err:  # a validation error names the key; no traceback
        raise PolicyError(f"{CLAIMS_FILE} at {rev or 'the working copy'}", "", str(err).splitlines()[0]) from err


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # as the policy loader reads it
_FIELDS = ("population", "min_age", "limits", "year", "source", "unconfirmed")


def diff(old: KnowledgeBase, new: KnowledgeBase) -> list[str]:
    """What changed: products, kinds, uses added, removed or changed (field by field), off-label uses and boxed
    warnings. One line each: ``+`` added, ``-`` removed, ``~`` changed."""
    lines: list[str] = []
    if old.version != new.version:
        lines.append(f"~ version: {old.version} -> {new.version}")
    before, after = {p.id: p for p in old.products}, {p.id: p for p in new.products}
    for pid in sorted(before.keys() - after.keys()):
        lines.append(f"- product {pid} ({before[pid].kind})")
    for pid in sorted(after.keys() - before.keys()):
        lines.append(f"+ product {pid} ({after[pid].kind})")
        lines.extend(f"+ use {pid}/{u.condition} ({u.year}, {u.population})" for u in after[pid].uses)
    for pid in sorted(before.keys() & after.keys()):
        a, b = before[pid], after[pid]
        if a.kind != b.kind:
            lines.append(f"~ kind {pid}: {a.kind} -> {b.kind}")
        uses_a, uses_b = {u.condition: u for u in a.uses}, {u.condition: u for u in b.uses}
        for c in sorted(uses_a.keys() - uses_b.keys()):
            lines.append(f"- use {pid}/{c} ({uses_a[c].year}, {uses_a[c].population})")
        for c in sorted(uses_b.keys() - uses_a.keys()):
            lines.append(f"+ use {pid}/{c} ({uses_b[c].year}, {uses_b[c].population})")
        for c in sorted(uses_a.keys() & uses_b.keys()):
            for name in _FIELDS:
                was, now = getattr(uses_a[c], name), getattr(uses_b[c], name)
                if was != now:
                    lines.append(f"~ use {pid}/{c}: {name} {_short(was)} -> {_short(now)}")
        for c in sorted(set(b.off_label) - set(a.off_label)):
            lines.append(f"+ off-label {pid}/{c}")
        for c in sorted(set(a.off_label) - set(b.off_label)):
            lines.append(f"- off-label {pid}/{c}")
        if (a.boxed_warning is None) != (b.boxed_warning is None):
            lines.append(f"{'+' if b.boxed_warning else '-'} boxed warning {pid}")
        elif a.boxed_warning and b.boxed_warning and a.boxed_warning != b.boxed_warning:
            lines.append(f"~ boxed warning {pid}: {_short(b.boxed_warning.summary)}")
    return lines


def _short(value: object) -> str:
    text = re.sub(r"\s+", " ", str(value))
    return text if len(text) <= 90 else text[:87] + "..."


# -- in the report: claims findings on facts that are unconfirmed or past their age, posts that need re-review

_CHECKED = re.compile(r"\((?:unconfirmed; )?checked (\d{4}-\d{2}-\d{2})\)")


def mark_expired(posts: list[PostReport], policy: Policy, today: date) -> None:
    """A claims finding whose knowledge-base fact is past its age says so (the check itself cannot know the
    date: its result is cached by content and policy, so the expiry is read here, when the report is made)."""
    rules = policy.general.knowledge_base
    for post in posts:
        for index, item in enumerate(post.findings):
            if item.check != "claims" or "checked " not in item.message:
                continue
            match = _CHECKED.search(item.message)
            if match and expires(date.fromisoformat(match.group(1)), rules) < today:
                note = (f"; EXPIRED: older than {rules.max_age_days} days, the fact needs checking again "
                        f"(`medpress kb check`)")
                message = item.message[:match.end() - 1] + note + item.message[match.end() - 1:]
                post.findings[index] = replace(item, message=message)

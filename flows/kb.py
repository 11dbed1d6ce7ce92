"""`medpress kb check|show|diff`, `medpress recheck` and `medpress unpublish` (issue 17): the knowledge base a
compliance lead can stand behind, and approved posts re-reviewed when it changes. The work is in
:mod:`flows.store.knowledge` and :mod:`flows.publish.recheck`; this module parses and prints."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

OK, FAILED, USAGE = 0, 1, 2


def add_commands(commands: Any) -> None:
    kb = commands.add_parser("kb", help="the claims knowledge base: check, show a product, diff against a revision")
    actions = kb.add_subparsers(dest="kb_action", required=True, metavar="ACTION",
                                help="check, show or diff")
    check = actions.add_parser("check", help="validate it; list unconfirmed facts, facts past their age and "
                                             "sources that are not primary (exit 1 when a fact is past its age)")
    show = actions.add_parser("show", help="what medpress believes about one product")
    show.add_argument("product", metavar="PRODUCT", help="product id or any of its names (e.g. botox, Xeomin)")
    diff = actions.add_parser("diff", help="what changed against a git revision: uses added, removed or "
                                           "changed, kinds, boxed warnings")
    diff.add_argument("rev", metavar="REV", help="git revision of the older knowledge base")
    diff.add_argument("new_rev", nargs="?", default=None, metavar="REV2",
                      help="git revision of the newer one (default: the working copy)")
    for sub in (check, show, diff):
        sub.add_argument("--content", type=Path, default=Path("content"))
        sub.add_argument("--policy", type=Path, default=None,
                         help="policy folder (default: <content>/policy, else medpress's own)")
    check.add_argument("--as-of", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                       help="judge ages on this day (default: today)")

    recheck = commands.add_parser("recheck", help="re-review approved posts under the policy in force; list those "
                                                  "that need re-review (exit 1 when one does)")
    recheck.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    recheck.add_argument("--all", action="store_true", help="every approved post, not only those approved under "
                                                            "another policy")
    recheck.add_argument("--no-grammar", action="store_true", help="re-review without the grammar check")


def run(args: argparse.Namespace) -> int:
    if args.command == "recheck":
        return _recheck(args)
    from flows.store.knowledge import DiffError
    from flows.store.policy_files import load_policy, policy_dir_for

    folder = policy_dir_for(args.content, args.policy)
    policy = load_policy(folder)  # an invalid knowledge base: PolicyError, exit 2 with file and line
    try:
        return {"check": _check, "show": _show, "diff": _diff}[args.kb_action](args, policy, folder)
    except DiffError as err:
        print(f"medpress: error: {err}", file=sys.stderr)
        return USAGE


def _check(args: argparse.Namespace, policy: Any, folder: Path) -> int:
    from flows.store import knowledge

    today = args.as_of or date.today()
    result = knowledge.check(policy, today)
    sys.stdout.write(knowledge.render_check(result, policy, str(folder / "claims.yaml"), today))
    return FAILED if result.expired else OK


def _show(args: argparse.Namespace, policy: Any, folder: Path) -> int:
    from flows.store import knowledge

    product = knowledge.find_product(policy.kb, args.product)
    if product is None:
        known = ", ".join(p.id for p in policy.kb.products)
        print(f"medpress: error: no product '{args.product}' in {folder / 'claims.yaml'} (products: {known})",
              file=sys.stderr)
        return USAGE
    sys.stdout.write(knowledge.render_show(product, policy.kb, policy.general.knowledge_base))
    return OK


def _diff(args: argparse.Namespace, policy: Any, folder: Path) -> int:
    from flows.store import knowledge

    old, new = knowledge.kb_at(folder, args.rev), knowledge.kb_at(folder, args.new_rev)
    lines = knowledge.diff(old, new)
    print(f"knowledge base {old.version} ({args.rev}) -> {new.version} ({args.new_rev or 'working copy'}): "
          f"{len(lines)} change(s)")
    for line in lines:
        print(line)
    return OK


def _recheck(args: argparse.Namespace) -> int:
    from flows.publish.recheck import recheck

    _, rows = recheck(args.content, grammar=not args.no_grammar, only_changed=not args.all)
    if not rows:
        print("recheck: no approved post was signed off under another policy; nothing to re-review")
        return OK
    for row in rows:
        live = f"; LIVE BUT NO LONGER PASSING ({'; '.join(row.live)}): `medpress unpublish {row.slug} --target " \
               f"{row.live[0].split(':')[0]}` takes it down" if row.live and row.state != "approved" else ""
        print(f"{row.state:<16} {row.path}  ({row.detail}{live})")
    needs = sum(r.state != "approved" for r in rows)
    print(f"recheck: {len(rows)} approved post(s) re-reviewed, {needs} need re-review, {len(rows) - needs} stay "
          "approved")
    return FAILED if needs else OK

"""``medpress audit``, ``medpress publish --repair`` and ``medpress unpublish``: the commands' work, kept out of
flows/cli.py (which parses and hands over). Each returns the exit status: 0 nothing to do, 1 something needs
action (or failed), 2 a configuration mistake, 3 the site could not be read at all."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from reports.model import ReviewReport

AUDIT_FILES = Path("audit-output")


def make_target(args: argparse.Namespace) -> Any:
    """The target the options name; raises WordPressConfigError for a missing or bad WordPress setting."""
    from flows.store.policy_files import load_policy, policy_dir_for

    policy = load_policy(policy_dir_for(args.content, getattr(args, "policy", None)))
    if args.target == "wordpress":
        from flows.publish.wordpress import WordPressTarget

        return WordPressTarget.from_env(status=policy.general.publishing.wordpress_status)
    from flows.publish.static import StaticTarget

    return StaticTarget(args.out or Path(policy.general.publishing.site_dir))


def _target_or_exit(args: argparse.Namespace) -> Any:
    from flows.publish.wordpress import WordPressConfigError

    try:
        return make_target(args)
    except WordPressConfigError as err:
        print(f"medpress: error: {err}", file=sys.stderr)
        return None


def _audit(args: argparse.Namespace, target: Any) -> ReviewReport | None:
    from flows.publish.audit import SiteUnreadable, audit

    try:
        return audit(args.content, target, policy_dir=args.policy, grammar=not args.no_grammar)
    except SiteUnreadable as err:
        print(f"medpress: cannot read the {target.name} site: {err}", file=sys.stderr)
        return None


def audit_command(args: argparse.Namespace) -> int:
    from flows.publish.audit import render_text
    from reports import json_report, writers

    target = _target_or_exit(args)
    if target is None:
        return 2
    try:
        report = _audit(args, target)
    finally:
        target.close()
    if report is None:
        return 3
    files = [f for f in args.format if f in writers.FILE_FORMATS]
    if args.format == ["json"] and args.output_dir is None:
        sys.stdout.writelines(json_report.chunks(report))
    elif files:
        folder = args.output_dir or AUDIT_FILES
        written = writers.write_files(report, files, folder)
        if "text" in args.format:
            sys.stdout.write(render_text(report))
        print("report: " + ", ".join(str(p) for p in written.values()))
    if "text" in args.format and not files:
        sys.stdout.write(render_text(report))
    return 1 if report.findings else 0


def repair_command(args: argparse.Namespace) -> int:
    """List each post the audit finds drifted or no longer live, then (unless --dry-run) publish the approved
    version over it."""
    from flows.publish.signoff import publish

    target = _target_or_exit(args)
    if target is None:
        return 2
    try:
        report = _audit(args, target)
        if report is None:
            return 3
        wanted = {post.slug: item for post in report.posts for item in post.findings
                  if item.rule in ("AUD001", "AUD003")}
        for slug, item in sorted(wanted.items()):
            print(f"{'would repair' if args.dry_run else 'repair':<12} {slug}: {item.message}")
        if not wanted:
            print("nothing to repair: every approved post is live as medpress published it")
            return 0
        if args.dry_run:
            return 0
        target.repair = set(wanted)
        run = publish(args.content, target, policy_dir=args.policy, grammar=not args.no_grammar)
    finally:
        target.close()
    failed = []
    for result in run.results:
        if result.slug in wanted:
            print(f"{result.action:<12} {result.slug} {result.location}".rstrip()
                  + (f": {result.error}" if result.error else ""))
            failed += [result] if not result.ok else []
    print(f"{len(wanted) - len(failed)} repaired, {len(failed)} failed")
    return 1 if failed else 0


def unpublish_command(args: argparse.Namespace) -> int:
    """Take one post down (WordPress: back to draft; static: its page removed) and drop it from the ledger."""
    from flows.store import ledger

    target = _target_or_exit(args)
    if target is None:
        return 2
    try:
        result = target.unpublish(args.slug)
    finally:
        target.close()
    if not result.ok:
        print(f"medpress: {args.slug}: {result.error}", file=sys.stderr)
        return 1
    if result.action in ("unpublished", "unchanged"):
        ledger.record_published(args.content, target.name, args.slug, None)
    print(f"{result.action} {args.slug} {result.location}".rstrip())
    print("note: the post stays approved, so the next `medpress publish` puts it back; revoke its approval "
          "(`medpress revoke PATH`) to keep it down")
    return 0

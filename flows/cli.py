"""The ``medpress`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from enum import IntEnum
from pathlib import Path

from checks.policy import PolicyError


class Exit(IntEnum):
    """Exit statuses; stable, CI relies on them."""

    OK = 0  # nothing reached --fail-on
    FAILED = 1  # a finding reached --fail-on
    USAGE = 2  # bad options or an invalid policy
    INTERNAL = 3  # medpress itself could not run (e.g. the Prefect server did not start)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="medpress", description="Content-compliance review for a clinic's "
                                                                   "health blog.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    review = commands.add_parser("review", help="review posts and write the report")
    review.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="posts to review (default: all)")
    review.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    review.add_argument("--policy", type=Path, default=None,
                        help="policy folder (default: <content>/policy, else medpress's own)")
    review.add_argument("--format", choices=("text", "json"), default="text", help="what to print")
    review.add_argument("--output", type=Path, default=Path("reports/review.json"),
                        help="where to write the JSON report (default: reports/review.json)")
    review.add_argument("--fail-on", choices=("error", "warning", "never"), default="error",
                        help="exit 1 when a finding is at least this severe (default: error)")
    review.add_argument("--no-grammar", action="store_true", help="skip the grammar check (recorded in the report)")
    review.add_argument("--external", action="store_true", help="also fetch external http(s) links")
    review.add_argument("--no-cache", action="store_true", help="check every post again, ignoring cached results")

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    explain = commands.add_parser("explain", help="a rule's rationale and examples")
    explain.add_argument("rule", metavar="RULE", help="rule id (e.g. LNK001) or name (e.g. missing-post)")

    server = commands.add_parser("server", help="the local Prefect server medpress uses")
    server.add_argument("action", choices=("start", "stop", "status"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"review": _review, "rules": _rules, "explain": _explain, "server": _server}[args.command]
    try:
        return int(handler(args))
    except PolicyError as err:
        print(f"medpress: invalid policy: {err}", file=sys.stderr)
        return Exit.USAGE
    except BrokenPipeError:
        return Exit.OK


def _review(args: argparse.Namespace) -> Exit:
    from flows import prefect_server

    _quiet_prefect_console()
    try:
        prefect_server.ensure_api()
    except prefect_server.ServerError as err:
        print(f"medpress: cannot reach Prefect: {err}", file=sys.stderr)
        return Exit.INTERNAL
    from flows.review import ReviewOptions, UsageError, make_plan, review
    from reports import json_report, text_report

    try:  # configuration errors are reported before any flow run starts
        make_plan(ReviewOptions(args.content, args.paths, args.policy, not args.no_grammar, args.external))
    except UsageError as err:
        print(f"medpress: error: {err}", file=sys.stderr)
        return Exit.USAGE
    try:
        report = review(content=str(args.content), paths=[str(p) for p in args.paths],
                        policy=str(args.policy) if args.policy else None, grammar=not args.no_grammar,
                        external=args.external, output=str(args.output), use_cache=not args.no_cache)
    except UsageError as err:
        print(f"medpress: error: {err}", file=sys.stderr)
        return Exit.USAGE
    if args.format == "json":
        sys.stdout.write(json_report.render(report))
    else:
        sys.stdout.write(text_report.render(report, color=sys.stdout.isatty()))
        print(f"report: {args.output}")
    return Exit.FAILED if report.reaches(args.fail_on) else Exit.OK


def _quiet_prefect_console() -> None:
    """Keep Prefect's per-task INFO lines off the editor's terminal (they still reach the Prefect UI)."""
    for key in ("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "PREFECT_LOGGING_HANDLERS_CONSOLE_FLOW_RUNS_LEVEL",
                "PREFECT_LOGGING_HANDLERS_CONSOLE_TASK_RUNS_LEVEL"):
        os.environ.setdefault(key, "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _rules(args: argparse.Namespace) -> Exit:
    from checks.registry import ALL_RULES

    if args.format == "json":
        rows = [{"id": r.id, "name": r.name, "check": r.check, "severity": r.severity.value,
                 "rationale": r.rationale} for r in ALL_RULES]
        print(json.dumps(rows, indent=2))
        return Exit.OK
    for rule in ALL_RULES:
        print(f"{rule.id:<7} {rule.check:<12} {rule.severity.value:<8} {rule.name:<22} {rule.rationale}")
    print(f"{'GR-*':<7} {'grammar':<12} {'policy':<8} {'languagetool-rules':<22} Every LanguageTool rule, as "
          f"GR-<LanguageTool rule id>; severity from policy grammar.severity_by_*.")
    return Exit.OK


def _explain(args: argparse.Namespace) -> Exit:
    from checks.registry import ALL_RULES

    wanted = args.rule.strip()
    rule = next((r for r in ALL_RULES if wanted.upper() == r.id or wanted.lower() == r.name), None)
    if rule is None:
        from checks.grammar import explain_dynamic

        family = explain_dynamic(wanted)
        if family:
            print(f"{wanted.upper()} (grammar)\n\n{family}")
            return Exit.OK
        print(f"medpress: unknown rule '{wanted}' (see `medpress rules`)", file=sys.stderr)
        return Exit.USAGE
    print(f"{rule.id} {rule.name} ({rule.check}, default severity {rule.severity.value})\n")
    print(rule.rationale + "\n")
    for title, example in (("Fails", rule.failing), ("Passes", rule.passing)):
        print(f"{title}:")
        shown = example if len(example) < 1500 else example[:1500] + "\n[... example continues ...]"
        print("    " + shown.rstrip("\n").replace("\n", "\n    ") + "\n")
    return Exit.OK


def _server(args: argparse.Namespace) -> Exit:
    from flows import prefect_server

    if args.action == "start":
        print(prefect_server.ensure_api())
    elif args.action == "stop":
        print("stopped" if prefect_server.stop() else "not running")
    else:
        print(prefect_server.status())
    return Exit.OK


if __name__ == "__main__":
    raise SystemExit(main())

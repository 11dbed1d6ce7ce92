"""The ``medpress`` command."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path

from checks.policy import PolicyError
from flows.cli_parser import HelpfulParser, did_you_mean
from reports.wording import plural


class Exit(IntEnum):
    """Exit statuses; stable, CI relies on them."""

    OK = 0  # nothing reached --fail-on
    FAILED = 1  # a finding reached --fail-on
    USAGE = 2  # bad options or an invalid policy
    INTERNAL = 3  # medpress itself could not run (e.g. the Prefect server did not start)


def build_parser() -> argparse.ArgumentParser:
    parser = HelpfulParser(prog="medpress", description="Content-compliance review for a clinic's "
                                                                   "health blog.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    review = commands.add_parser("review", help="review posts and write the report")
    review.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="posts to review (default: all)")
    review.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    review.add_argument("--policy", type=Path, default=None,
                        help="policy folder (default: <content>/policy, else medpress's own)")
    review.add_argument("--format", type=_formats, default=["text"], metavar="FORMATS",
                        help="comma-separated: text or github (printed), json, sarif, junit, html, markdown "
                             "(files in --output-dir; json alone without --output-dir is printed)")
    review.add_argument("--output", type=Path, default=None,
                        help="where to write the JSON report (default: review-output/review.json for the whole "
                             "blog; review-output/<post>.review.json for one post, so it never replaces the "
                             "blog's report)")
    review.add_argument("--output-dir", type=Path, default=None,
                        help="write review.json, review.sarif, junit.xml, report.html, summary.md here")
    review.add_argument("--changed-since", metavar="REF", default=None,
                        help="review only posts changed since this git ref, and the posts linking to them")
    review.add_argument("--baseline", type=Path, default=None, metavar="FILE",
                        help="findings recorded by `medpress baseline` do not fail the run")
    review.add_argument("--engine", choices=("auto", "prefect", "direct"), default="auto",
                        help="prefect: run the Prefect review flow; direct: the same steps in this process, "
                             "without a flow run (the editor's loop); auto: direct when PATHs are given")
    review.add_argument("--fail-on", choices=("error", "warning", "never"), default="error",
                        help="exit 1 when a finding is at least this severe (default: error)")
    review.add_argument("--no-grammar", action="store_true", help="skip the grammar check (recorded in the report)")
    review.add_argument("--external", action="store_true", help="also fetch external http(s) links")
    review.add_argument("--no-cache", action="store_true",
                        help="check every post again, ignoring cached results (with PATHs: those posts; the others "
                             "are only read for the checks across posts)")
    review.add_argument("--watch", action="store_true",
                        help="keep running: review the posts again each time one is saved (direct engine; Ctrl-C "
                             "stops)")

    baseline = commands.add_parser("baseline", help="record today's findings so CI fails only on new ones")
    baseline.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    baseline.add_argument("--policy", type=Path, default=None,
                          help="policy folder (default: <content>/policy, else medpress's own)")
    baseline.add_argument("--output", type=Path, default=Path(".medpress-baseline.json"),
                          help="where to write the baseline (default: .medpress-baseline.json)")
    baseline.add_argument("--no-grammar", action="store_true", help="record findings without the grammar check")

    approve = commands.add_parser("approve", help="sign off the current version of a post (signed ledger event)")
    approve.add_argument("path", type=Path, metavar="PATH", help="the post to approve, as it is now")
    approve.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    approve.add_argument("--policy", type=Path, default=None,
                         help="not used: approval always reviews under the content folder's own policy")
    approve.add_argument("--reviewer", required=True, metavar="ID", help="your id in the policy's reviewers.yaml")
    approve.add_argument("--key", type=Path, default=None, metavar="FILE",
                         help="your SSH private key (or its .pub with the key in ssh-agent); default: "
                              "$MEDPRESS_SIGNING_KEY")
    approve.add_argument("--role", required=True, help="your role: one of the policy's roles, and yours in "
                                                        "reviewers.yaml")
    approve.add_argument("--note", default="", help="why you approve (kept in the signed ledger)")
    approve.add_argument("--override", default="", metavar="REASON",
                         help="approve despite error findings (only roles in policy publishing.override_roles)")
    approve.add_argument("--no-grammar", action="store_true",
                         help="review without the grammar check before approving (recorded in the ledger)")

    revoke = commands.add_parser("revoke", help="withdraw a post's approval (the next publish takes it down)")
    revoke.add_argument("path", type=Path, metavar="PATH", help="the post whose approval you withdraw")
    revoke.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    revoke.add_argument("--reviewer", required=True, metavar="ID", help="your id in the policy's reviewers.yaml")
    revoke.add_argument("--key", type=Path, default=None, metavar="FILE",
                        help="your SSH private key (default: $MEDPRESS_SIGNING_KEY)")
    revoke.add_argument("--role", default="", help="optional; checked against your role in policy")
    revoke.add_argument("--note", default="", help="why you withdraw it (kept in the signed ledger)")

    state = commands.add_parser("status", help="each post: draft, in review, approved, stale, published or needs "
                                               "re-review")
    state.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    state.add_argument("--grammar", dest="no_grammar", action="store_false",
                       help="re-review posts approved under another policy with the grammar check too")

    publish = commands.add_parser("publish", help="publish exactly the approved versions that pass review")
    publish.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    publish.add_argument("--policy", type=Path, default=None,
                         help="policy folder (default: <content>/policy, else medpress's own)")
    publish.add_argument("--target", choices=("static", "wordpress"), default="static",
                         help="static: an HTML site folder (default); wordpress: MEDPRESS_WP_URL with an application "
                              "password (MEDPRESS_WP_USER, MEDPRESS_WP_APP_PASSWORD)")
    publish.add_argument("--out", type=Path, default=None, help="static site folder (default: policy, site/)")
    publish.add_argument("--dry-run", action="store_true", help="list what would be published and why")
    publish.add_argument("--no-grammar", action="store_true", help="review without the grammar check")
    publish.add_argument("--from-review", type=Path, default=None, metavar="REVIEW_JSON",
                         help="publish on the verdict of this review's JSON report (medpress review --output) "
                              "instead of reviewing again; posts edited since, or whose review could not finish, "
                              "are held back")
    publish.add_argument("--repair", action="store_true", help="put the approved version back over posts edited "
                         "on the site since medpress published them (listed first; with --dry-run only listed)")

    audit = commands.add_parser("audit", help="check what is live on the site against what was approved")
    audit.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    audit.add_argument("--policy", type=Path, default=None,
                       help="policy folder (default: <content>/policy, else medpress's own)")
    audit.add_argument("--target", choices=("static", "wordpress"), default="static",
                       help="the site to audit (wordpress: MEDPRESS_WP_URL, _USER, _APP_PASSWORD)")
    audit.add_argument("--out", type=Path, default=None, help="static site folder (default: policy, site/)")
    audit.add_argument("--format", type=_formats, default=["text"], metavar="FORMATS",
                       help="comma-separated: text, json, sarif, html, markdown (as review)")
    audit.add_argument("--output-dir", type=Path, default=None, help="where report files go (default audit-output)")
    audit.add_argument("--no-grammar", action="store_true", help="review the live posts without the grammar check")

    unpublish = commands.add_parser("unpublish", help="take one post down (WordPress: draft; static: removed)")
    unpublish.add_argument("slug", metavar="SLUG", help="the post's slug")
    unpublish.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    unpublish.add_argument("--target", choices=("static", "wordpress"), default="static",
                           help="where to take it down (default: static)")
    unpublish.add_argument("--out", type=Path, default=None, help="static site folder (default: policy, site/)")

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                       help="text (default), json, or markdown (docs/rules.md)")

    explain = commands.add_parser("explain", help="a rule's rationale and examples")
    explain.add_argument("rule", metavar="RULE", help="rule id (e.g. LNK001) or name (e.g. missing-post)")

    server = commands.add_parser("server", help="the local Prefect server medpress uses")
    server.add_argument("action", choices=("start", "stop", "status"),
                        help="start (or reuse) it, stop it, or say where it runs")
    from flows.desk.cli import add_parsers  # the reviewer's desk: serve, users

    add_parsers(commands)
    from flows.kb import add_commands

    add_commands(commands)  # kb, recheck, unpublish (issue 17)

    lt = commands.add_parser("lt", help="the local LanguageTool server grammar checks use (kept warm between reviews)")
    lt.add_argument("action", choices=("start", "stop", "status"),
                    help="start (or reuse) it, stop it, or say where it runs (MEDPRESS_LT_IDLE_MINUTES: idle stop)")

    commands.add_parser("lsp", help="a language server over stdio: diagnostics and quick fixes in your editor "
                                    "(needs medpress[lsp])")
    return parser


class Interrupted(BaseException):
    """SIGTERM: stop as Ctrl-C does (raised in the main thread by the signal handler; a BaseException, as
    KeyboardInterrupt is, so no ``except Exception`` on the way turns it into a finding)."""


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"review": _review, "baseline": _baseline, "rules": _rules, "explain": _explain,
               "server": _server, "approve": _approve, "revoke": _revoke, "status": _status,
               "publish": _publish, "audit": _audit, "unpublish": _unpublish,
               "kb": _kb, "recheck": _kb, "lt": _lt, "lsp": _lsp, **_desk_handlers()}[args.command]
    previous = _stop_on_sigterm()
    try:
        return int(handler(args))
    except _untrusted() as err:
        print(f"medpress: refused: {err}", file=sys.stderr)
        return Exit.FAILED
    except _tool_missing() as err:
        print(f"medpress: cannot run: {err}", file=sys.stderr)
        return Exit.INTERNAL
    except PolicyError as err:
        print(f"medpress: invalid policy: {err}", file=sys.stderr)
        return Exit.USAGE
    except _usage_errors() as err:
        print(f"medpress: error: {err}", file=sys.stderr)
        return Exit.USAGE
    except BrokenPipeError:
        return Exit.OK
    except (KeyboardInterrupt, Interrupted) as err:
        from flows.engine import workers

        workers.shutdown(kill=True)
        how = "terminated (SIGTERM)" if isinstance(err, Interrupted) else "interrupted"
        print(f"medpress: {how}; the posts checked so far are kept in the cache (the next run goes on from "
              "them), no report was written", file=sys.stderr)
        return 128 + (signal.SIGTERM if isinstance(err, Interrupted) else signal.SIGINT)  # as a shell reports it
    except Exception as err:  # a bug in medpress: exit 3, never 1 (which means "findings")
        import traceback

        if os.environ.get("MEDPRESS_DEBUG"):
            traceback.print_exc()
        where = traceback.extract_tb(err.__traceback__)[-1] if err.__traceback__ else None
        at = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
        print(f"medpress: internal error ({type(err).__name__}: {err}{at}); please report it "
              "(MEDPRESS_DEBUG=1 shows the traceback)", file=sys.stderr)
        return Exit.INTERNAL
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _desk_handlers() -> dict[str, Callable[[argparse.Namespace], int]]:
    from flows.desk.cli import handlers

    return handlers()


def _stop_on_sigterm() -> object:
    """SIGTERM (CI cancelling a job, `kill`) stops the command as Ctrl-C does: workers killed, exit non-zero.
    Only in the main thread (where Python runs signal handlers); returns the handler it replaced."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum: int, frame: object) -> None:
        raise Interrupted()

    return signal.signal(signal.SIGTERM, stop)


def _usage_errors() -> tuple[type[Exception], ...]:
    from flows.engine.steps import UsageError
    from flows.store.ledger import LedgerError
    from flows.store.signing import SigningError

    return (UsageError, LedgerError, SigningError)


def _tool_missing() -> tuple[type[Exception], ...]:
    from flows.store.signing import ToolMissing

    return (ToolMissing,)


def _untrusted() -> tuple[type[Exception], ...]:
    from flows.store.ledger import Untrusted

    return (Untrusted,)


def _approve(args: argparse.Namespace) -> Exit:
    from flows.publish.signoff import Refused, approve
    from flows.store.policy_files import policy_dir_for

    own = policy_dir_for(args.content)
    if args.policy is not None and args.policy.resolve() != own.resolve():
        print(f"medpress: error: approval reviews under the content folder's own policy ({own}); --policy "
              f"{args.policy} is not used for sign-off (drop it, or change {own} itself)", file=sys.stderr)
        return Exit.USAGE
    from flows.publish.roles import check_role
    from flows.store.ledger import own_policy

    wrong = check_role(own_policy(args.content), args.role)
    if wrong:
        print(f"medpress: error: {wrong}", file=sys.stderr)
        return Exit.USAGE
    try:
        event = approve(args.content, args.path, args.reviewer, key=args.key, role=args.role, note=args.note,
                        override=args.override, grammar=not args.no_grammar)
    except Refused as err:
        print(f"medpress: approval refused: {err}", file=sys.stderr)
        return Exit.FAILED
    extra = f" with override ({event.override})" if event.override else ""
    print(f"approved {event.path} {event.content_hash[:19]} by {event.reviewer} ({event.role}), signed{extra}")
    return Exit.OK


def _revoke(args: argparse.Namespace) -> Exit:
    from flows.publish.signoff import Refused, revoke

    try:
        event = revoke(args.content, args.path, args.reviewer, key=args.key, role=args.role, note=args.note)
    except Refused as err:
        print(f"medpress: {err}", file=sys.stderr)
        return Exit.FAILED
    print(f"revoked {event.path}, signed by {event.reviewer}; the next `medpress publish` takes it down")
    return Exit.OK


def _status(args: argparse.Namespace) -> Exit:
    from flows.publish.recheck import with_re_review
    from flows.publish.signoff import status
    from flows.store import ledger

    state = ledger.read(args.content)
    rows = status(args.content, state)
    if state.sound:  # approved posts the policy in force no longer passes: needs re-review (issue 17)
        rows = with_re_review(args.content, rows, grammar=not args.no_grammar)
    for row in rows:
        print(f"{row.state:<10} {row.path}" + (f"  ({row.detail})" if row.detail else ""))
    for problem in state.problems:
        print(f"{state.file}:{problem.line}: {problem.message}", file=sys.stderr)
    if not state.sound:
        print(f"medpress: the approval ledger does not verify ({len(state.problems)} problem(s)): no post counts "
              "as approved until it is repaired", file=sys.stderr)
        return Exit.FAILED
    return Exit.OK


def _audit(args: argparse.Namespace) -> Exit:
    from flows.publish.commands import audit_command

    return Exit(audit_command(args))


def _unpublish(args: argparse.Namespace) -> Exit:
    from flows.publish.commands import unpublish_command

    return Exit(unpublish_command(args))


def _publish(args: argparse.Namespace) -> Exit:
    if args.repair:
        from flows.publish.commands import repair_command

        return Exit(repair_command(args))
    from flows.publish.signoff import publish
    from flows.store.policy_files import load_policy, policy_dir_for

    policy = load_policy(policy_dir_for(args.content, args.policy))
    if args.target == "wordpress":
        from flows.publish.wordpress import WordPressConfigError, WordPressTarget

        try:
            target = WordPressTarget.from_env(status=policy.general.publishing.wordpress_status)
        except WordPressConfigError as err:
            print(f"medpress: error: {err}", file=sys.stderr)
            return Exit.USAGE
    else:
        from flows.publish.static import StaticTarget

        target = StaticTarget(args.out or Path(policy.general.publishing.site_dir))
    try:
        run = publish(args.content, target, policy_dir=args.policy, grammar=not args.no_grammar,
                      dry_run=args.dry_run, review=args.from_review)
    finally:
        target.close()
    results = {r.slug: r for r in run.results}
    for decision in run.decisions:
        result = results.get(decision.slug)
        planned = "held back" if decision.action == "hold" else f"would {decision.action}"
        outcome = f"{result.action} {result.location}".strip() if result else (planned if args.dry_run
                                                                                else decision.action)
        if result and result.error:
            outcome += f": {result.error}"
        print(f"{decision.action:<9} {decision.path:<45} {decision.reason}; {outcome}")
    for notice in run.notices:
        print(f"medpress: warning: {notice}", file=sys.stderr)
    failed = [r for r in run.results if not r.ok]
    if args.dry_run:  # the totals of the lines above, not of a run that wrote nothing
        planned = Counter(d.action for d in run.decisions)
        print("dry run, nothing written: " + ", ".join(f"{count} would {action}" if action != "hold" else
                                                         f"{count} held back" for action, count in planned.items()))
        return Exit.OK
    published = sum(r.action in ("created", "updated") for r in run.results)
    print(f"{published} published, {sum(r.action == 'unchanged' for r in run.results)} unchanged, "
          f"{sum(r.action == 'unpublished' for r in run.results)} taken down, "
          f"{sum(d.action == 'hold' for d in run.decisions)} held back, {len(failed)} failed")
    return Exit.FAILED if failed else Exit.OK


def _kb(args: argparse.Namespace) -> int:
    from flows.kb import run

    return run(args)


def _formats(value: str) -> list[str]:
    from reports.writers import FILE_FORMATS, STREAM_FORMATS

    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in FILE_FORMATS and n not in STREAM_FORMATS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or value!r}; use "
                                         f"{', '.join([*STREAM_FORMATS, *FILE_FORMATS])}")
    return names


def _start_prefect() -> Exit | None:
    from flows.services import prefect_server

    _quiet_prefect_console()
    try:
        prefect_server.ensure_api()
    except prefect_server.ServerError as err:
        print(f"medpress: cannot reach Prefect: {err}", file=sys.stderr)
        return Exit.INTERNAL
    return None


def _default_output(paths: list[Path]) -> Path:
    """The whole blog's report, unless PATHs pick posts: then a report of their own beside it."""
    if not paths:
        return Path("review-output/review.json")
    name = paths[0].stem if len(paths) == 1 else f"{len(paths)}-posts"
    return Path("review-output") / f"{name}.review.json"


def _review(args: argparse.Namespace) -> Exit:
    from flows.engine import workers

    if args.watch:
        return _watch(args)
    workers.prepare_for(args.content, args.paths)  # first: loads the checks on another core while Prefect imports
    engine = args.engine if args.engine != "auto" else ("direct" if args.paths else "prefect")
    if engine == "prefect":
        failed = _start_prefect()
        if failed is not None:
            return failed
    from flows.engine.steps import ReviewOptions, UsageError, make_plan, review_plain, write_json
    from reports import github, json_report, text_report, writers

    if args.output is None:
        args.output = _default_output(args.paths)

    options = ReviewOptions(args.content, args.paths, args.policy, not args.no_grammar, args.external,
                            not args.no_cache, changed_since=args.changed_since, baseline=args.baseline)
    try:  # configuration errors are reported before any flow run starts
        plan = make_plan(options)
    except UsageError as err:
        print(f"medpress: error: {err}", file=sys.stderr)
        return Exit.USAGE
    if engine == "direct":  # the same steps and report, without a flow run: about 1 s faster per call
        report = review_plain(options, plan)
        report.run["engine"] = "direct"
        write_json(report, args.output)
        if args.output_dir:
            from flows.publish.report_status import approval_status

            writers.write_files(report, args.format, args.output_dir,
                                approval_status(args.content) if "html" in args.format else None)
    else:
        from flows.review import in_process_run, report_of, review

        with in_process_run():  # a run that reaches --fail-on ends Failed in the Prefect UI; its data is the report
            state = review(content=str(args.content), paths=[str(p) for p in args.paths],
                           policy=str(args.policy) if args.policy else None, grammar=not args.no_grammar,
                           external=args.external, output=str(args.output), use_cache=not args.no_cache,
                           formats=args.format, output_dir=str(args.output_dir) if args.output_dir else None,
                           changed_since=args.changed_since, baseline=str(args.baseline) if args.baseline else None,
                           fail_on=args.fail_on, return_state=True)
            report = report_of(state)
    if args.format == ["json"] and args.output_dir is None:
        sys.stdout.writelines(json_report.chunks(report))
    elif "github" in args.format:
        sys.stdout.write(github.render(report))
    if "text" in args.format:
        sys.stdout.write(text_report.render(report, color=sys.stdout.isatty()))
        written = [str(args.output)]
        if args.output_dir:
            written.append(f"{args.output_dir}/ ({', '.join(f for f in args.format if f not in ('text', 'github'))})")
        print("report: " + "; ".join(written))
    return Exit.FAILED if report.reaches(args.fail_on) else Exit.OK


def _watch(args: argparse.Namespace) -> Exit:
    from flows.engine.steps import ReviewOptions
    from flows.watch import watch

    if not args.content.is_dir():
        print(f"medpress: error: content folder '{args.content}' does not exist", file=sys.stderr)
        return Exit.USAGE
    options = ReviewOptions(args.content, args.paths, args.policy, not args.no_grammar, args.external,
                            not args.no_cache)
    return Exit(watch(options, color=sys.stdout.isatty()))


def _baseline(args: argparse.Namespace) -> Exit:
    failed = _start_prefect()
    if failed is not None:
        return failed
    from flows.engine.gate import write_baseline
    from flows.engine.steps import ReviewOptions, UsageError, make_plan
    from flows.review import in_process_run, review

    try:
        make_plan(ReviewOptions(args.content, (), args.policy, not args.no_grammar))
    except UsageError as err:
        print(f"medpress: error: {err}", file=sys.stderr)
        return Exit.USAGE
    with in_process_run():
        report = review(content=str(args.content), policy=str(args.policy) if args.policy else None,
                        grammar=not args.no_grammar, output=None)
    count = write_baseline(report, args.output)
    print(f"baseline: {plural(count, 'finding')} recorded in {args.output}; `medpress review --baseline {args.output}` "
          f"now fails only on new ones")
    return Exit.OK


def _quiet_prefect_console() -> None:
    """Keep Prefect's per-task INFO lines off the editor's terminal (they still reach the Prefect UI)."""
    for key in ("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "PREFECT_LOGGING_HANDLERS_CONSOLE_FLOW_RUNS_LEVEL",
                "PREFECT_LOGGING_HANDLERS_CONSOLE_TASK_RUNS_LEVEL"):
        os.environ.setdefault(key, "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _rules(args: argparse.Namespace) -> Exit:
    from checks.registry import DOCUMENTED_RULES as ALL_RULES

    if args.format == "json":
        rows = [{"id": r.id, "name": r.name, "check": r.check, "severity": r.severity.value,
                 "rationale": r.rationale} for r in ALL_RULES]
        print(json.dumps(rows, indent=2))
        return Exit.OK
    if args.format == "markdown":
        from reports.rules_doc import render

        sys.stdout.write(render())
        return Exit.OK
    for rule in ALL_RULES:
        print(f"{rule.id:<7} {rule.check:<12} {rule.severity.value:<8} {rule.name:<22} {rule.rationale}")
    print(f"{'GR-*':<7} {'grammar':<12} {'policy':<8} {'languagetool-rules':<22} Every LanguageTool rule, as "
          f"GR-<LanguageTool rule id>; severity from policy grammar.severity_by_*.")
    return Exit.OK


def _closest_rule(wanted: str, rules: list) -> str:
    """A " (did you mean ...)" for a mistyped rule id or name: CLM04 is CLM004 (ids have three digits)."""
    padded = re.sub(r"^([A-Za-z]+)(\d{1,2})$", lambda m: m[1].upper() + m[2].zfill(3), wanted.strip())
    if any(rule.id == padded for rule in rules):
        return f" (did you mean '{padded}'?)"
    return did_you_mean(wanted.upper(), [r.id for r in rules]) or did_you_mean(wanted.lower(), [r.name for r in rules])


def _explain(args: argparse.Namespace) -> Exit:
    from checks.registry import DOCUMENTED_RULES as ALL_RULES

    wanted = args.rule.strip()
    rule = next((r for r in ALL_RULES if wanted.upper() == r.id or wanted.lower() == r.name), None)
    if rule is None:
        from checks.grammar import explain_dynamic

        family = explain_dynamic(wanted)
        if family:
            print(f"{wanted.upper()} (grammar)\n\n{family}")
            return Exit.OK
        print(f"medpress: unknown rule '{wanted}'{_closest_rule(wanted, ALL_RULES)} (see `medpress rules`)",
              file=sys.stderr)
        return Exit.USAGE
    print(f"{rule.id} {rule.name} ({rule.check}, default severity {rule.severity.value})\n")
    print(rule.rationale + "\n")
    if rule.details:
        print(rule.details + "\n")
    from checks.examples import printable

    for title, example in (("Fails", printable(rule.failing)), ("Passes", printable(rule.passing))):
        print(f"{title}:")
        shown = example if len(example) < 1500 else example[:1500] + "\n[... example continues ...]"
        print("    " + shown.rstrip("\n").replace("\n", "\n    ") + "\n")
    return Exit.OK


def _server(args: argparse.Namespace) -> Exit:
    from flows.services import prefect_server

    if args.action == "start":
        api = prefect_server.ensure_api()
        print(api)  # alone on stdout: `export PREFECT_API_URL=$(medpress server start)`
        print(f"dashboard: {prefect_server.dashboard_url(api)}", file=sys.stderr)
    elif args.action == "stop":
        print("stopped" if prefect_server.stop() else "not running")
    else:
        print(prefect_server.status())
    return Exit.OK


def _lt(args: argparse.Namespace) -> Exit:
    from flows.services import lt_service

    if args.action == "start":
        try:
            url, pid = lt_service.ensure()
        except lt_service.ServiceError as err:
            print(f"medpress: cannot start LanguageTool: {err}\n    help: {err.help}", file=sys.stderr)
            return Exit.INTERNAL
        print(f"{url} (pid {pid})")
    elif args.action == "stop":
        print("stopped" if lt_service.stop() else "not running")
    else:
        print(lt_service.status())
    return Exit.OK


def _lsp(args: argparse.Namespace) -> Exit:
    try:
        from flows.lsp import main as serve
    except ImportError as err:
        print(f"medpress: cannot run the language server: {err}; install it with pip install 'medpress[lsp]'",
              file=sys.stderr)
        return Exit.INTERNAL
    return Exit(serve())


if __name__ == "__main__":
    raise SystemExit(main())

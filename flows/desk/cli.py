"""`medpress serve` and `medpress users add`: the desk's commands (flows/cli.py hands them over)."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"  # loopback: --host exposes the desk (behind the clinic's proxy)
DESK_KEY_ENV = "MEDPRESS_DESK_KEY"


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = commands.add_parser("serve", help="the reviewer's desk: a review queue and sign-off in the browser")
    serve.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    serve.add_argument("--host", default=DEFAULT_HOST,
                       help=f"address to listen on (default {DEFAULT_HOST}, this machine only)")
    serve.add_argument("--port", type=int, default=8470, help="port (default: 8470)")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                       help="a Host name the desk answers to besides 127.0.0.1, localhost and --host (the name the "
                            "clinic's proxy forwards); repeatable")
    serve.add_argument("--users", type=Path, default=None, metavar="FILE",
                       help="the accounts file (default $MEDPRESS_USERS or ~/.config/medpress/desk-users.json)")
    serve.add_argument("--desk", default="", metavar="ID", help="the desk's id under desks in reviewers.yaml")
    serve.add_argument("--key", type=Path, default=None, metavar="FILE",
                       help=f"the desk's SSH private key (default ${DESK_KEY_ENV}); without one nothing is signed")
    serve.add_argument("--git-commit", action="store_true",
                       help="commit each ledger line to git, the reviewer as author")
    serve.add_argument("--session-minutes", type=float, default=30, help="idle time before a session expires")
    serve.add_argument("--no-grammar", action="store_true", help="review posts without the grammar check")

    users = commands.add_parser("users", help="the desk's accounts")
    users.add_argument("action", choices=("add", "list"), help="add (or reset) an account, or list them")
    users.add_argument("name", nargs="?", default="", metavar="NAME",
                       help="for a reviewer, their id in reviewers.yaml")
    users.add_argument("--role", default="", help="a role from policy (a reviewer's must be theirs), or 'reader'")
    users.add_argument("--email", default="", help="the author address of the desk's git commits")
    users.add_argument("--content", type=Path, default=Path("content"), help="content folder (default: content)")
    users.add_argument("--users", type=Path, default=None, metavar="FILE",
                       help="the accounts file (default: $MEDPRESS_USERS, else ~/.config/medpress/desk-users.json)")
    users.add_argument("--password-stdin", action="store_true", help="read the password from standard input")


def handlers() -> dict[str, Callable[[argparse.Namespace], int]]:
    return {"serve": serve, "users": users}


def _users_file(args: argparse.Namespace) -> Path:
    from flows.desk.accounts import default_users_file

    return args.users or default_users_file()


def users(args: argparse.Namespace) -> int:
    from flows.desk import accounts
    from flows.store import ledger

    path = _users_file(args)
    if _inside(path, args.content):
        print(f"medpress: error: keep the users file outside the content folder ({path})", file=sys.stderr)
        return 2
    if args.action == "list":
        for account in accounts.load(path).values():
            print(f"{account.name}\t{account.role}")
        return 0
    if not args.name or not args.role:
        print("medpress: error: users add NAME --role ROLE", file=sys.stderr)
        return 2
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            print("medpress: error: the passwords differ", file=sys.stderr)
            return 2
    try:
        account = accounts.add(path, ledger.own_policy(args.content), args.name, args.role, password, args.email)
    except accounts.AccountError as err:
        print(f"medpress: error: {err}", file=sys.stderr)
        return 2
    print(f"added {account.name} ({account.role}) to {path}")
    return 0


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from flows.desk.app import Config, create_app
    from flows.desk.decide import DeskKey

    key = args.key or (Path(os.environ[DESK_KEY_ENV]) if os.environ.get(DESK_KEY_ENV) else None)
    if (key is None) != (not args.desk):
        print("medpress: error: --desk ID and --key FILE go together (the desk's id in policy and its key)",
              file=sys.stderr)
        return 2
    if key is not None and not key.expanduser().is_file():
        print(f"medpress: error: desk key {key} does not exist", file=sys.stderr)
        return 2
    if not args.content.is_dir():
        print(f"medpress: error: no content folder {args.content}", file=sys.stderr)
        return 2
    path = _users_file(args)
    if _inside(path, args.content):
        print(f"medpress: error: keep the users file outside the content folder ({path})", file=sys.stderr)
        return 2
    desk = DeskKey(args.desk, key.expanduser()) if key is not None else None
    log = logging.getLogger("medpress.desk")  # who signed in and what they decided; never a password
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    hosts = ("127.0.0.1", "localhost", args.host, *args.allowed_host)
    if args.host in ("0.0.0.0", "::") and not args.allowed_host:
        print("medpress: error: listening on every address needs --allowed-host NAME (the name the proxy forwards): "
              "the desk answers no other Host header", file=sys.stderr)
        return 2
    app = create_app(Config(args.content, path, desk, grammar=not args.no_grammar, git_commit=args.git_commit,
                            idle_minutes=args.session_minutes, allowed_hosts=hosts))
    print(f"medpress desk on http://{args.host}:{args.port}/ (content {args.content}, users {path}"
          + (f", signing as desk {desk.id})" if desk else ", no desk key: read-only)"), flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=args.host != DEFAULT_HOST)
    return 0

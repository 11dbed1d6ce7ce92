"""The desk's ASGI application (Starlette): sign-in, the queue, a post page and the decision form.

Every page but sign-in needs a signed-in account (anonymous requests are sent to sign in and see nothing);
every form carries the session's CSRF token and a POST without it is refused; decisions are checked against
the reviewer's role in policy at the moment they are taken.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from flows.desk import accounts, decide, views
from flows.desk.sessions import COOKIE, Session, Sessions, csrf_ok
from flows.engine import ingest
from flows.store import ledger

HERE = Path(__file__).parent
LOG = logging.getLogger("medpress.desk")
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp"}  # never .svg: it can carry script
MAX_FAILURES = 10  # per account name, then sign-in waits LOCKOUT seconds
LOCKOUT = 300.0


@dataclass
class Config:
    content_dir: Path
    users_file: Path
    desk: decide.DeskKey | None = None
    grammar: bool = True
    git_commit: bool = False
    idle_minutes: float = 30
    lifetime_hours: float = 8
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")  # Host headers answered (DNS rebinding)


@dataclass
class _State:
    config: Config
    sessions: Sessions
    env: jinja2.Environment
    failures: dict[str, tuple[int, float]] = field(default_factory=dict)


def create_app(config: Config) -> Starlette:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["urlquote"] = lambda value: quote(str(value))
    state = _State(config, Sessions(config.idle_minutes * 60, config.lifetime_hours * 3600), env)

    async def css(request: Request) -> Response:
        return _secured(FileResponse(HERE / "static" / "desk.css", media_type="text/css"))

    async def signin(request: Request) -> Response:
        session = state.sessions.get(request.cookies.get(COOKIE))
        if request.method == "GET":
            if session is not None and session.user:
                return _redirect("/")
            session = session or state.sessions.new()
            return _page(state, request, session, "signin.html.j2", next=_next(request.query_params.get("next")))
        form = await request.form()
        if not csrf_ok(session, form.get("csrf")):
            return _refused(state, request, "the form's security token is missing or out of date: reload the page")
        assert session is not None
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        count, since = state.failures.get(name, (0, 0.0))
        if time.monotonic() - since >= LOCKOUT:
            count = 0  # failures older than the lockout are forgotten
        if count >= MAX_FAILURES:
            return _page(state, request, session, "signin.html.j2", status=429, next=_next(form.get("next")),
                         error="too many failed sign-ins for this name: wait five minutes")
        account = accounts.authenticate(config.users_file, name, password)
        policy = ledger.own_policy(config.content_dir)
        if account is None or accounts.check_role(policy, account.name, account.role):
            state.failures[name] = (count + 1, time.monotonic())
            LOG.warning("desk sign-in refused for %r", name)
            return _page(state, request, session, "signin.html.j2", status=401, next=_next(form.get("next")),
                         error="wrong name or password (or the account's role is no longer in policy)")
        state.failures.pop(name, None)
        state.sessions.drop(session.id)  # a new id on sign-in
        fresh = state.sessions.new(account.name)
        LOG.info("desk sign-in: %s (%s)", account.name, account.role)
        return _with_cookie(_redirect(_next(form.get("next"))), request, fresh)

    async def signout(request: Request) -> Response:
        session = state.sessions.get(request.cookies.get(COOKIE))
        form = await request.form()
        if not csrf_ok(session, form.get("csrf")):
            return _refused(state, request, "the form's security token is missing or out of date")
        assert session is not None
        state.sessions.drop(session.id)
        response = _redirect("/signin")
        response.delete_cookie(COOKIE, path="/")
        return response

    async def queue(request: Request) -> Response:
        who = _who(state, request)
        if isinstance(who, Response):
            return who
        session, account = who
        look = views.look(config.content_dir, config.grammar)
        params = {k: request.query_params.get(k, "") for k in ("state", "verdict", "check", "q")}
        rows = views.filtered(look.rows, **params)
        return _page(state, request, session, "queue.html.j2", account=account, rows=rows, total=len(look.rows),
                     states=views.STATES, checks=views.checks_of(look.rows), params=params,
                     ledger_problems=look.state.describe())

    async def post_page(request: Request) -> Response:
        who = _who(state, request)
        if isinstance(who, Response):
            return who
        session, account = who
        rel = request.path_params["rel"]
        if request.method == "GET":
            return _post(state, request, session, account, rel)
        form = await request.form()
        if not csrf_ok(session, form.get("csrf")):
            return _refused(state, request, "the form's security token is missing or out of date: reload the page")
        known = _known_post(config.content_dir, rel)
        if known is None:
            return _not_found(state, request, session, account)
        try:
            event = decide.record(config.content_dir, rel, account, config.desk, str(form.get("decision", "")),
                                  str(form.get("note", "")), str(form.get("override", "")), config.grammar)
        except decide.Refused as err:
            status = 403 if err.forbidden else 400
            return _post(state, request, session, account, rel, status=status, error=str(err),
                         form={"note": str(form.get("note", "")), "override": str(form.get("override", ""))})
        except (ledger.LedgerError, decide.signing.SigningError) as err:
            return _post(state, request, session, account, rel, status=409, error=str(err))
        LOG.info("desk decision: %s %s by %s", event.action, event.path, event.reviewer)
        done = f"recorded: {event.action} of {event.path} ({event.content_hash[:19]}) by {event.reviewer} " \
               f"({event.role}), signed by desk {event.signer} at {event.time}"
        if config.git_commit and config.desk is not None:
            done += f"; git: {decide.commit(config.content_dir, event, account, config.desk)}"
        return _post(state, request, session, account, rel, result=done)

    async def image(request: Request) -> Response:
        """A post's image (/images/<name> is <content>/images/<name>), to signed-in users only."""
        who = _who(state, request)
        if isinstance(who, Response):
            return who
        folder = (config.content_dir / "images").resolve()
        try:
            path = (folder / request.path_params["name"]).resolve()
            path.relative_to(folder)
        except (ValueError, OSError):
            path = folder / "missing"
        if not path.is_file() or path.suffix.lower() not in IMAGE_TYPES:
            return _secured(Response("no such image", status_code=404, media_type="text/plain"))
        return _secured(FileResponse(path, media_type=IMAGE_TYPES[path.suffix.lower()]))

    routes = [Route("/", queue), Route("/images/{name:path}", image), Route("/signin", signin, methods=["GET", "POST"]),
              Route("/signout", signout, methods=["POST"]), Route("/static/desk.css", css),
              Route("/post/{rel:path}", post_page, methods=["GET", "POST"])]
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware,
                                                           allowed_hosts=list(config.allowed_hosts))])


def _known_post(content_dir: Path, rel: str) -> str | None:
    """``rel`` when it is one of the folder's posts (never a path the browser made up)."""
    return rel if rel in ingest.post_paths(content_dir, ingest.content_files(content_dir)) else None


def _post(state: _State, request: Request, session: Session, account: accounts.Account, rel: str, *,
          status: int = 200, error: str = "", result: str = "", form: dict[str, str] | None = None) -> Response:
    config = state.config
    if _known_post(config.content_dir, rel) is None:
        return _not_found(state, request, session, account)
    look = views.look(config.content_dir, config.grammar)
    post = look.post(rel)
    row = next((r for r in look.rows if r.path == rel), None)
    if post is None or row is None:
        return _not_found(state, request, session, account)
    text = (config.content_dir / rel).read_bytes().decode("utf-8", "replace")
    why, may_override = decide.authority(config.content_dir, account, config.desk)
    approval = look.state.approvals().get(rel) if look.state.sound else None
    diff, no_diff = ([], "")
    if row.state == "stale" and approval is not None:
        diff, no_diff = views.diff_since_approval(config.content_dir, rel, approval.content_hash)
    return _page(state, request, session, "post.html.j2", status=status, account=account, post=post, row=row,
                 findings=post.findings, lines=views.source_lines(text, post.findings),
                 body=views.rendered(config.content_dir, rel), claims=views.claim_rows(post),
                 history=views.history(look.state, rel), ledger_problems=look.state.describe(), diff=diff,
                 no_diff=no_diff, cannot_decide=why, may_override=may_override and post.failed, error=error,
                 result=result, form=form or {"note": "", "override": ""})


def _who(state: _State, request: Request) -> tuple[Session, accounts.Account] | Response:
    session = state.sessions.get(request.cookies.get(COOKIE))
    account = accounts.load(state.config.users_file).get(session.user) if session and session.user else None
    if session is None or account is None:
        if request.method != "GET":
            return _refused(state, request, "sign in first")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return _redirect("/signin?" + urlencode({"next": target}))
    return session, account


def _next(value: object) -> str:
    """Where to go after signing in: a path on this desk only (never another site)."""
    text = str(value or "/")
    return text if text.startswith("/") and not text.startswith("//") and "\\" not in text else "/"


def _page(state: _State, request: Request, session: Session, template: str, status: int = 200,
          **values: object) -> Response:
    values.setdefault("account", None)
    html = state.env.get_template(template).render(csrf=session.csrf, **values)
    return _with_cookie(HTMLResponse(html, status_code=status), request, session)


def _not_found(state: _State, request: Request, session: Session, account: accounts.Account) -> Response:
    return _page(state, request, session, "message.html.j2", status=404, account=account, title="Not found",
                 message="There is no such post in this content folder.")


def _refused(state: _State, request: Request, message: str) -> Response:
    html = state.env.get_template("message.html.j2").render(csrf="", account=None, title="Refused",
                                                           message=message)
    return _secured(HTMLResponse(html, status_code=403))


def _redirect(to: str) -> Response:
    return _secured(RedirectResponse(to, status_code=303))


def _secured(response: Response) -> Response:
    response.headers.update(HEADERS)
    return response


def _with_cookie(response: Response, request: Request, session: Session) -> Response:
    response.set_cookie(COOKIE, session.id, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    return _secured(response)

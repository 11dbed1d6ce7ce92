"""Server-side sessions with a CSRF token each, kept in the desk's memory (a restart signs everyone out).

The browser holds only a random id (HttpOnly, SameSite=Strict); the account name, the expiry and the CSRF
token stay on the server. A session expires after ``idle`` seconds without a request and after ``lifetime``
seconds in all; signing in replaces the session (a fixed id cannot be planted before sign-in).
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field

COOKIE = "medpress_desk"


@dataclass
class Session:
    id: str
    csrf: str
    user: str = ""  # "" until signed in
    created: float = field(default_factory=time.monotonic)
    seen: float = field(default_factory=time.monotonic)


class Sessions:
    def __init__(self, idle: float = 30 * 60, lifetime: float = 8 * 3600) -> None:
        self.idle, self.lifetime = idle, lifetime
        self._by_id: dict[str, Session] = {}

    def new(self, user: str = "") -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), user)
        self._by_id[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session with this id (its idle clock restarted), or None."""
        session = self._by_id.get(session_id or "")
        now = time.monotonic()
        if session is None:
            return None
        if now - session.seen > self.idle or now - session.created > self.lifetime:
            self.drop(session.id)
            return None
        session.seen = now
        return session

    def drop(self, session_id: str) -> None:
        self._by_id.pop(session_id, None)


def csrf_ok(session: Session | None, token: object) -> bool:
    return session is not None and isinstance(token, str) and hmac.compare_digest(session.csrf, token)

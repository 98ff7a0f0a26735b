"""Signing people in: page sessions (signed cookie), bearer tokens for the API, CSRF tokens for forms."""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer
from itsdangerous import BadSignature, URLSafeTimedSerializer

from eipkit import i18n
from eipkit.access import User

TOKEN_SECONDS = 8 * 3600
LANG_COOKIE = "eipkit_lang"
_bearer = OAuth2PasswordBearer(tokenUrl="/api/token", auto_error=False)


class NotSignedIn(Exception):
    """A page asked for without a session: the browser is sent to the sign-in page."""


def language(request: Request) -> str:
    return i18n.language(request.cookies.get(LANG_COOKIE))


def _signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret, salt="api-token")


def issue_token(request: Request, user: User) -> str:
    return _signer(request).dumps({"u": user.username})


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if token is None:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return token


def _user(request: Request, username: str | None) -> User | None:
    from eipkit.web import views

    if username is None:
        return None
    return views.user(request.app.state.database, request.app.state.cache, username)


def page_user(request: Request) -> User:
    """The signed-in user of a page; unsafe methods must also carry the session's CSRF token."""
    user = _user(request, request.session.get("user"))
    if user is None:
        raise NotSignedIn
    return user


async def checked_form(request: Request) -> dict[str, str]:
    """The posted form, refused unless its CSRF token (field or X-CSRF-Token header) is the session's."""
    form = await request.form()
    sent = request.headers.get("x-csrf-token") or form.get("csrf_token")
    if not sent or not secrets.compare_digest(str(sent), str(request.session.get("csrf", ""))):
        raise HTTPException(403, i18n.t("web.csrf", language(request)))
    return {k: v for k, v in form.items()}


def api_user(request: Request, token: Annotated[str | None, Depends(_bearer)]) -> User:
    """The user of an API call from its bearer token (POST /api/token); 401 without a valid one."""
    lang = language(request)
    if token is None:
        raise HTTPException(401, i18n.t("web.no_token", lang), headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = _signer(request).loads(token, max_age=TOKEN_SECONDS)
    except BadSignature:
        raise HTTPException(401, i18n.t("web.bad_token", lang), headers={"WWW-Authenticate": "Bearer"}) from None
    user = _user(request, claims.get("u"))
    if user is None:
        raise HTTPException(401, i18n.t("web.bad_token", lang), headers={"WWW-Authenticate": "Bearer"})
    return user


def forbid(request: Request) -> HTTPException:
    return HTTPException(403, i18n.t("web.forbidden", language(request)))


class SignInThrottle:
    """Wrong passwords from one client, whatever the names tried: after `limit` in `window` seconds the client
    waits (429). The per-account lock (`users.MAX_FAILURES`) stops guessing one password; this stops trying one
    password on many accounts."""

    def __init__(self, limit: int = 20, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures[client]
        while failures and now - failures[0] > self.window:
            failures.popleft()
        return failures

    def check(self, request: Request) -> None:
        client = request.client.host if request.client else "?"
        with self._lock:
            if len(self._recent(client, time.monotonic())) >= self.limit:
                raise HTTPException(429, i18n.t("web.too_many", language(request)), headers={"Retry-After": "300"})

    def failed(self, request: Request) -> None:
        client = request.client.host if request.client else "?"
        with self._lock:
            self._recent(client, time.monotonic()).append(time.monotonic())

"""Signing people in and keeping hostile requests out: sessions and bearer tokens bound to the account's session
version, CSRF tokens for forms, the sign-in throttle, response headers and the request-size limit."""

from __future__ import annotations

import secrets
from typing import Annotated

import itsdangerous
from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eipkit import i18n, users
from eipkit.access import User
from eipkit.api.registry import Database

TOKEN_SECONDS = 8 * 3600
LANG_COOKIE = "eipkit_lang"
_bearer = OAuth2PasswordBearer(tokenUrl="/api/token", auto_error=False)

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",  # no inline script anywhere: charts are data drawn by /assets/charts.js
        "style-src 'self' 'unsafe-inline'",  # plotly writes its own style elements
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class NotSignedIn(Exception):
    """A page asked for without a valid session: the browser is sent to the sign-in page."""


def language(request: Request) -> str:
    return i18n.language(request.cookies.get(LANG_COOKIE))


class RotatingSessions(SessionMiddleware):
    """Starlette's signed-cookie sessions, signed with the newest key and checked against every listed key."""

    def __init__(self, app: ASGIApp, keys: list[str], **options: object) -> None:
        super().__init__(app, secret_key=keys[0], **options)  # type: ignore[arg-type]
        self.signer = itsdangerous.TimestampSigner(list(reversed(keys)))


def _signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(list(reversed(request.app.state.keys)), salt="api-token")


def issue_token(request: Request, user: User) -> str:
    return _signer(request).dumps({"u": user.username, "v": user.session_version})


def start_session(request: Request, user: User) -> None:
    request.session.clear()
    request.session.update({"user": user.username, "v": user.session_version})


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if token is None:
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return token


def current_user(request: Request, username: object, version: object) -> User | None:
    """The account behind a session or token, read from the database on every request: a password change or a
    sign-out elsewhere ends it at once, in every process."""
    if not isinstance(username, str):
        return None
    user = users.find(request.app.state.database, username)
    if user is None or user.session_version != version:
        return None
    return user


def page_user(request: Request) -> User:
    """The signed-in user of a page; unsafe methods must also carry the session's CSRF token."""
    user = current_user(request, request.session.get("user"), request.session.get("v"))
    if user is None:
        request.session.pop("user", None)
        raise NotSignedIn
    return user


async def checked_form(request: Request) -> dict[str, str]:
    """The posted form, refused unless its CSRF token (field or X-CSRF-Token header) is the session's."""
    form = await request.form()
    check_csrf(request, form.get("csrf_token"))
    return {k: v for k, v in form.items() if isinstance(v, str)}


def check_csrf(request: Request, field: object = None) -> None:
    """Refuse a write whose CSRF token (X-CSRF-Token header, else the form's field) is not the session's."""
    sent = request.headers.get("x-csrf-token") or field
    if not sent or not secrets.compare_digest(str(sent), str(request.session.get("csrf", ""))):
        raise HTTPException(403, i18n.t("web.csrf", language(request)))


def api_user(request: Request, token: Annotated[str | None, Depends(_bearer)]) -> User:
    """The user of an API call from its bearer token (POST /api/token); 401 without a valid one."""
    lang = language(request)
    if token is None:
        raise HTTPException(401, i18n.t("web.no_token", lang), headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = _signer(request).loads(token, max_age=TOKEN_SECONDS)
    except BadSignature:
        raise HTTPException(401, i18n.t("web.bad_token", lang), headers={"WWW-Authenticate": "Bearer"}) from None
    user = current_user(request, claims.get("u"), claims.get("v")) if isinstance(claims, dict) else None
    if user is None:
        raise HTTPException(401, i18n.t("web.bad_token", lang), headers={"WWW-Authenticate": "Bearer"})
    return user


def forbid(request: Request) -> HTTPException:
    return HTTPException(403, i18n.t("web.forbidden", language(request)))


def client_of(request: Request) -> str:
    return request.client.host if request.client else "?"


class SignInThrottle:
    """Sign-in attempts from one client, whatever the names tried: after `limit` failures in `window` seconds the
    client waits (429). The per-account lock (`users.MAX_FAILURES`) stops guessing one password; this stops trying
    one password on many accounts. An attempt counts as a failure from the moment it starts, so that parallel
    attempts cannot all pass the check before any of them has failed; a right password takes it back. The attempts
    are kept in the database, so that every web process counts the same ones."""

    def __init__(self, database: Database, limit: int = 20, window: float = 300.0) -> None:
        self.database, self.limit, self.window = database, limit, window

    def attempt(self, request: Request) -> int:
        """Count an attempt (429 when the client is over the limit); returns its mark for `succeeded`."""
        mark = users.count_sign_in(self.database, client_of(request)[:200], self.limit, self.window)
        if mark is None:
            raise HTTPException(429, i18n.t("web.too_many", language(request)), headers={"Retry-After": "300"})
        return mark

    def succeeded(self, request: Request, mark: int) -> None:
        users.sign_in_succeeded(self.database, mark)


class Guard:
    """Pure ASGI middleware on every response: security headers (no inline scripts, no framing, no sniffing, no
    caching of confidential pages), HSTS behind HTTPS, and a request body limit checked as the bytes arrive, so
    a large upload is refused before it is stored anywhere."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, https: bool) -> None:
        self.app, self.max_body_bytes, self.https = app, max_body_bytes, https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _TooLarge
            return message

        async def with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Cache-Control", "no-store")
                if self.https:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
            await send(message)

        try:
            await self.app(scope, counted, with_headers)
        except _TooLarge:
            if not started:
                await self._too_large(scope, receive, with_headers)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = f"{self.max_body_bytes / (1024 * 1024):.0f}"
        lang = "vi"
        for name, value in scope.get("headers") or []:
            if name == b"cookie" and f"{LANG_COOKIE}=en".encode() in value:
                lang = "en"
        response = PlainTextResponse(i18n.t("web.too_large", lang, limit=limit), status_code=413)
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass

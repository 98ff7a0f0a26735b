"""The FastAPI application: pages (Jinja2 + HTMX, every asset served from the package) and the REST API."""

from __future__ import annotations

from functools import cache

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from eipkit import __version__, i18n, users
from eipkit.store import Database
from eipkit.web import jobs, pages, rest, views
from eipkit.web.render import render, templates
from eipkit.web.security import LANG_COOKIE, NotSignedIn, SignInThrottle

SESSION_SECONDS = 12 * 3600


@cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def create_app(database: Database, banner: str | None = None) -> FastAPI:
    app = FastAPI(
        title="eipkit",
        version=__version__,
        description="Eco-industrial parks: records, KPIs, RECP, symbiosis, Decree 35/2022 certification. "
        "Sign in with POST /api/token (user name and password) and send `Authorization: Bearer <token>`.",
    )
    app.state.database = database
    app.state.cache = views.Cache()
    app.state.templates = templates()
    app.state.banner = banner
    app.state.secret = users.secret_key(database)
    app.state.jobs = jobs.Jobs()
    app.state.throttle = SignInThrottle()
    app.add_middleware(
        SessionMiddleware, secret_key=app.state.secret, max_age=SESSION_SECONDS, same_site="lax", https_only=False
    )
    app.mount("/static", StaticFiles(packages=[("eipkit.web", "static")]), name="static")

    @app.get("/assets/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        return Response(_plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})

    @app.get("/lang/{code}", include_in_schema=False)
    def switch_language(code: str, request: Request) -> Response:
        back = request.headers.get("referer") or "/"
        response = RedirectResponse(back if back.startswith(str(request.base_url)) else "/", status_code=303)
        response.set_cookie(LANG_COOKIE, i18n.language(code), max_age=365 * 86400, samesite="lax")
        return response

    @app.exception_handler(NotSignedIn)
    def to_login(request: Request, _exc: NotSignedIn) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api") or request.url.path.startswith("/docs"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        name = request.session.get("user")
        user = views.user(database, app.state.cache, name) if name else None
        return render(request, "error.html.j2", user, exc.status_code, message=exc.detail)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return JSONResponse({"detail": "; ".join(problems)}, status_code=422)

    app.include_router(rest.router)
    app.include_router(pages.router)
    return app

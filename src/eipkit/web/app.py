"""The FastAPI application: pages (Jinja2 + HTMX, every asset served from the package) and the REST API."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.middleware.gzip import GZipMiddleware

from eipkit import __version__, i18n
from eipkit.api.registry import Database
from eipkit.errors import EipkitError
from eipkit.jobs import queue
from eipkit.reports import charts
from eipkit.web import guide, page_data, pages, rest, training
from eipkit.web.config import WebSettings
from eipkit.web.keys import signing_keys
from eipkit.web.render import render, templates
from eipkit.web.security import LANG_COOKIE, Guard, NotSignedIn, RotatingSessions, SignInThrottle, language, page_user
from eipkit.web.work import HeavyWork

SESSION_SECONDS = 12 * 3600
_ASSET_CACHE = {"Cache-Control": "max-age=86400"}


def _busy(exc: OperationalError) -> bool:
    """SQLite's "database is locked" (another writer kept it past the busy timeout), PostgreSQL's lock timeout."""
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text or "lock timeout" in text


def create_app(database: Database, banner: str | None = None, settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings.from_environment()
    heavy = HeavyWork(settings.heavy_per_user, settings.heavy_at_once)
    runner: list[queue.Embedded] = []

    def job_runner() -> None:
        """Where this process runs the jobs itself (SQLite), its runner: started with the application, so that jobs
        a stopped process left behind are taken up again, or at the first job submitted."""
        if not runner and not queue.uses_queue(database):
            runner.append(queue.Embedded(database, settings.heavy_at_once).start())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        job_runner()
        yield
        heavy.close()
        for started in runner:
            started.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="eipkit",
        version=__version__,
        description="Eco-industrial parks: records, KPIs, RECP, symbiosis, Decree 35/2022 certification. "
        "Sign in with POST /api/token (user name and password) and send `Authorization: Bearer <token>`.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.database = database
    app.state.cache = page_data.Cache(database)
    app.state.templates = templates()
    app.state.banner = banner
    app.state.settings = settings
    app.state.keys = signing_keys()
    app.state.job_runner = job_runner
    app.state.throttle = SignInThrottle(database)
    app.state.heavy = heavy
    app.add_middleware(
        RotatingSessions,  # type: ignore[arg-type]  # Starlette types its factories as taking only positional keys
        keys=app.state.keys,
        max_age=SESSION_SECONDS,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(page_data.FreshVersion)
    app.add_middleware(Guard, max_body_bytes=settings.max_body_bytes, https=settings.secure_cookies)
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)  # pages, tables and scripts
    _mount_swagger(app)  # before /static, which would otherwise answer for /static/swagger
    app.mount("/static", StaticFiles(packages=[("eipkit.web", "static")]), name="static")

    @app.get("/assets/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        """The chart library (4.8 MB), compressed once and sent compressed to every browser that takes gzip."""
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers = {**_ASSET_CACHE, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
            return Response(charts.plotly_script_gzip(), media_type="text/javascript", headers=headers)
        return Response(charts.plotly_script(), media_type="text/javascript", headers=_ASSET_CACHE)

    @app.get("/assets/charts.js", include_in_schema=False)
    def charts_js() -> Response:
        return Response(charts.script(), media_type="text/javascript", headers=_ASSET_CACHE)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>eipkit API</title>'
            '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
            '<link rel="stylesheet" href="/static/swagger/swagger-ui.css"></head><body><div id="swagger-ui"></div>'
            '<script src="/static/swagger/swagger-ui-bundle.js"></script><script src="/static/docs.js"></script>'
            "</body></html>"
        )

    @app.get("/lang/{code}", include_in_schema=False)
    def switch_language(code: str, request: Request) -> Response:
        back = request.headers.get("referer") or "/"
        response = RedirectResponse(back if back.startswith(str(request.base_url)) else "/", status_code=303)
        response.set_cookie(
            LANG_COOKIE,
            i18n.language(code) if code in i18n.LANGUAGES else i18n.DEFAULT,
            max_age=365 * 86400,
            samesite="lax",
            secure=settings.secure_cookies,
        )
        return response

    @app.exception_handler(NotSignedIn)
    def to_login(request: Request, _exc: NotSignedIn) -> Response:
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    def answer(request: Request, status: int, detail: object, headers: dict[str, str] | None = None) -> Response:
        if request.url.path.startswith("/api") or request.url.path.startswith("/docs"):
            return JSONResponse({"detail": detail}, status_code=status, headers=headers)
        user = None
        with contextlib.suppress(NotSignedIn):
            user = page_user(request)
        response = render(request, "error.html.j2", user, status, message=detail)
        response.headers.update(headers or {})
        return response

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        return answer(request, exc.status_code, exc.detail, dict(exc.headers) if exc.headers else None)

    @app.exception_handler(EipkitError)
    def refused(request: Request, exc: EipkitError) -> Response:
        """Each kind of error (`eipkit.errors`) with its status, the reason in the reader's language."""
        return answer(request, exc.http_status, exc.text(language(request)))

    @app.exception_handler(OperationalError)
    def database_busy(request: Request, exc: OperationalError) -> Response:
        if not _busy(exc):
            raise exc
        return answer(request, 503, i18n.t("web.db_busy", language(request)), {"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return JSONResponse({"detail": "; ".join(problems)}, status_code=422)

    app.include_router(rest.router)
    app.include_router(pages.router)
    app.include_router(guide.router)
    app.include_router(training.router)
    return app


def _mount_swagger(app: FastAPI) -> None:
    """Swagger UI 5 (it reads OpenAPI 3.1) as shipped in the fastapi-offline package: /docs needs no CDN and runs
    no inline script."""
    app.mount("/static/swagger", StaticFiles(packages=[("fastapi_offline", "static")]), name="swagger")

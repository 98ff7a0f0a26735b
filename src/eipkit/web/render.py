"""Templates and the page renderer shared by every page."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader

from eipkit import __version__, i18n
from eipkit.access import User
from eipkit.web.security import csrf_token, language


def templates() -> Jinja2Templates:
    """Every template is HTML, so every value is escaped (a park name with markup shows as text)."""
    env = Environment(loader=PackageLoader("eipkit.web", "templates"), autoescape=True)
    return Jinja2Templates(env=env)


def render(request: Request, name: str, user: User | None, status_code: int = 200, **context: Any) -> Response:
    """A page in the reader's language, with the helpers every template uses."""
    lang = language(request)
    return request.app.state.templates.TemplateResponse(
        request,
        name,
        {
            "lang": lang,
            "t": lambda key, **kw: i18n.t(key, lang, **kw),
            "num": lambda v, d=1: i18n.number(v, lang, d),
            "show": lambda v: i18n.shown(v, lang),
            "user": user,
            "csrf": csrf_token(request),
            "version": __version__,
            "banner": request.app.state.banner,
            **context,
        },
        status_code=status_code,
    )

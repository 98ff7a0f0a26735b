"""Templates and the page renderer shared by every page."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from eipkit import __version__, contract, i18n
from eipkit.access import User
from eipkit.web.security import csrf_token, language


def templates() -> Jinja2Templates:
    """Every template is HTML, so every value is escaped (a park name with markup shows as text)."""
    env = Environment(loader=PackageLoader("eipkit.web", "templates"), autoescape=True)
    return Jinja2Templates(env=env)


def how(topic: str, anchor: str, lang: str) -> Markup:
    """The "how is this computed?" link beside a figure: to the section of the guide that explains it."""
    target = f"/guide/{escape(topic)}" + (f"#{escape(anchor)}" if anchor else "")
    label = escape(i18n.t("guide.how", lang))
    return Markup(f'<a class="how" href="{target}" title="{label}" data-testid="how">{label}</a>')


@cache
def _columns() -> dict[str, contract.Column]:
    """Every column of the contract by name (a name means the same in every sheet)."""
    return {c.name: c for sheet in contract.sheets().values() for c in sheet.columns}


def described(values: dict[str, Any] | None, lang: str) -> str:
    """A change's values as its reader names them ("Giai đoạn: Đã thực hiện"), never by the stored keys: a label from
    the messages (`audit.field.KEY`), a sheet or a column of the workbook contract; a choice by its label; numbers
    in the locale."""
    if not values:
        return ""
    sheets, columns = contract.sheets(), _columns()

    def name(key: str) -> str:
        if i18n.known(f"audit.field.{key}"):
            return i18n.t(f"audit.field.{key}", lang)
        if key in sheets:
            return sheets[key].label_vi if lang == "vi" else sheets[key].label_en
        return columns[key].label(lang) if key in columns else key.replace("_", " ")

    parts = []
    for key, value in values.items():
        column = columns.get(key)
        if column is not None and column.enum and isinstance(value, str):
            shown = contract.enum_label(column.enum, value, lang)
        elif key.endswith(("_vnd", "_vnd_per_year")) and isinstance(value, int | float):
            shown = i18n.money(value, lang)
        else:
            shown = i18n.shown(value, lang, name=name)
        parts.append(f"{name(key)}: {shown}")
    return "; ".join(parts)


def province_of(request: Request, park_id: str) -> str | None:
    """The province of a park, for the trail above its pages."""
    from eipkit.web import page_data

    place = page_data.places(request.app.state.database, request.app.state.cache).get(park_id)
    return place.province if place else None


def banner(request: Request, lang: str) -> str | None:
    """The banner given to the application, else the one the database asks for (its data are synthetic): every
    process shows it, whoever loaded the data."""
    given: str | None = request.app.state.banner
    if given:
        return given
    from eipkit import demo
    from eipkit.api import registry

    def stored() -> str | None:
        return registry.synthetic(request.app.state.database)

    return demo.synthetic_banner(request.app.state.cache.get(("synthetic",), stored), lang)


def render(request: Request, name: str, user: User | None, status_code: int = 200, **context: Any) -> Response:
    """A page in the reader's language, with the helpers every template uses."""
    lang = language(request)
    pages: Jinja2Templates = request.app.state.templates
    return pages.TemplateResponse(
        request,
        name,
        {
            "lang": lang,
            "t": lambda key, **kw: i18n.t(key, lang, **kw),
            "num": lambda v, d=1: i18n.number(v, lang, d),
            "show": lambda v, prefix="": i18n.shown(v, lang, prefix),
            "money": lambda v: i18n.money(v, lang),
            "mil": lambda v, d=1: i18n.millions(v, lang, d),
            "day": lambda v: i18n.date(v, lang),
            "described": lambda v: described(v, lang),
            "province_of": lambda park_id: province_of(request, park_id),
            "how": lambda topic, anchor="": how(topic, anchor, lang),
            "user": user,
            "csrf": csrf_token(request),
            "version": __version__,
            "banner": banner(request, lang),
            **context,
        },
        status_code=status_code,
    )

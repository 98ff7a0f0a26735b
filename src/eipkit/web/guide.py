"""The guides of the programme as pages (`/guide`, `/guide/TOPIC`) and PDF: public, like the guidance they are,
and the target of every page's "how is this computed?" link."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response
from markupsafe import Markup
from starlette.background import BackgroundTask

from eipkit import guides, i18n
from eipkit.access import User
from eipkit.web.render import render
from eipkit.web.security import current_user, language

router = APIRouter(include_in_schema=False)


def _reader(request: Request) -> User | None:
    return current_user(request, request.session.get("user"), request.session.get("v"))


def _found(request: Request, topic: str) -> guides.Guide:
    lang = language(request)
    if topic not in guides.TOPICS:
        raise HTTPException(404, i18n.t("guide.unknown", lang, topic=topic, topics=", ".join(guides.TOPICS)))
    return guides.guide(topic, lang)


@router.get("/guide")
def index(request: Request) -> Response:
    lang = language(request)
    listed = [(topic, guides.guide(topic, lang).title) for topic in guides.TOPICS]
    return render(request, "guide.html.j2", _reader(request), listed=listed, page=None)


@router.get("/guide/{topic}.pdf")
def pdf(request: Request, topic: str) -> Response:
    found = _found(request, topic)
    folder = tempfile.TemporaryDirectory()
    path = guides.pdf(found, Path(folder.name) / f"huong-dan-{topic}-{found.lang}.pdf")
    return FileResponse(
        path, media_type="application/pdf", filename=path.name, background=BackgroundTask(folder.cleanup)
    )


@router.get("/guide/{topic}")
def page(request: Request, topic: str) -> Response:
    found = _found(request, topic)
    listed = [(name, guides.guide(name, found.lang).title) for name in guides.TOPICS]
    body = Markup(guides.html(found))
    return render(request, "guide.html.j2", _reader(request), listed=listed, page=found, body=body)

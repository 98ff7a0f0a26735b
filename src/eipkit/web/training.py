"""The training mode's pages: the trainer's courses (`/training`), a course's participants and register, and each
participant's own page behind its secret code (`/training/p/CODE`), where exercises are answered and checked on the
participant's sandbox off the event loop."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from eipkit import contract, i18n
from eipkit.access import User
from eipkit.api import training
from eipkit.training import exercises, sandbox
from eipkit.web.render import render
from eipkit.web.security import checked_form, forbid, language, page_user
from eipkit.web.work import heavy

router = APIRouter(include_in_schema=False)


def _trainer(request: Request) -> User:
    user = page_user(request)
    if user.role not in training.TRAINER_ROLES:
        raise forbid(request)
    return user


def _refused(exc: training.TrainingError, request: Request) -> HTTPException:
    key = exc.message.key
    status = 404 if key in ("train.no_course", "train.no_participant", "train.no_exercise") else 400
    return HTTPException(status, exc.text(language(request)))


def _choices(lang: str) -> dict[str, list[tuple[str, str]]]:
    return {
        enum: [(v, contract.enum_label(enum, v, lang)) for v in contract.enum_values(enum)]
        for enum in ("organisation_kind", "gender")
    }


@router.get("/training")
def courses(request: Request) -> Response:
    user = _trainer(request)
    found = training.courses(request.app.state.database, user)
    return render(request, "training.html.j2", user, courses=found, today=dt.date.today().isoformat())


@router.post("/training")
async def create_course(request: Request) -> Response:
    user = _trainer(request)
    form = await checked_form(request)
    try:
        held_on = dt.date.fromisoformat(form.get("held_on") or dt.date.today().isoformat())
        made = training.create_course(
            request.app.state.database, user, form.get("title", ""), held_on, form.get("place") or None
        )
    except training.TrainingError as exc:
        raise _refused(exc, request) from None
    except ValueError:
        raise HTTPException(400, i18n.t("train.bad_date", language(request), value=form.get("held_on"))) from None
    return RedirectResponse(f"/training/{made.course_id}", status_code=303)


@router.get("/training/{course_id}")
def course(request: Request, course_id: int) -> Response:
    user = _trainer(request)
    lang = language(request)
    try:
        held, found = training.course_progress(request.app.state.database, user, course_id)
    except training.TrainingError as exc:
        raise _refused(exc, request) from None
    return render(
        request,
        "training_course.html.j2",
        user,
        course=held,
        progress=found,
        total=len(exercises.catalogue()),
        choices=_choices(lang),
        label=lambda enum, value: contract.enum_label(enum, value, lang),
    )


@router.post("/training/{course_id}/participants")
async def add_participant(request: Request, course_id: int) -> Response:
    user = _trainer(request)
    form = await checked_form(request)
    try:
        training.add_participant(
            request.app.state.database,
            user,
            course_id,
            form.get("name", ""),
            form.get("organisation", ""),
            form.get("organisation_kind", ""),
            form.get("gender", ""),
            form.get("role"),
        )
    except training.TrainingError as exc:
        raise _refused(exc, request) from None
    return RedirectResponse(f"/training/{course_id}", status_code=303)


@router.get("/training/{course_id}/register.xlsx")
def register(request: Request, course_id: int) -> Response:
    from eipkit.reports import training_register

    user = _trainer(request)
    lang = language(request)
    database = request.app.state.database
    try:
        held, _ = training.course_progress(database, user, course_id)
        headers, rows = training.export_rows(database, user, course_id, lang)
    except training.TrainingError as exc:
        raise _refused(exc, request) from None
    folder = tempfile.TemporaryDirectory()
    path = training_register.write(
        Path(folder.name) / f"dao-tao-{course_id}.xlsx",
        f"{held.title} · {i18n.date(held.held_on, lang)}",
        headers,
        rows,
    )
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return FileResponse(path, media_type=media, filename=path.name, background=BackgroundTask(folder.cleanup))


@router.get("/training/p/{code}")
async def desk(request: Request, code: str) -> Response:
    return await _desk(request, code, None, None)


async def _desk(request: Request, code: str, answered: str | None, verdict: exercises.Verdict | None) -> Response:
    lang = language(request)
    database = request.app.state.database
    try:
        found = await heavy(request, f"training:{code[:12]}", lambda: training.desk(database, code, lang))
    except training.TrainingError as exc:
        raise _refused(exc, request) from None
    return render(
        request,
        "training_desk.html.j2",
        None,
        desk=found,
        answered=answered,
        verdict=verdict.feedback.text(lang) if verdict else None,
        correct=verdict.correct if verdict else None,
    )


@router.post("/training/p/{code}/answer")
async def answer(request: Request, code: str) -> Response:
    form = await checked_form(request)
    lang = language(request)
    database = request.app.state.database
    exercise = form.get("exercise", "")
    given = form.get("answer", "")
    try:
        verdict = await heavy(
            request, f"training:{code[:12]}", lambda: training.answer(database, code, exercise, given, lang)
        )
    except training.TrainingError as exc:
        raise _refused(exc, request) from None
    return await _desk(request, code, exercise, verdict)


@router.get("/training/p/{code}/dossier.pdf")
async def practice_dossier(request: Request, code: str) -> Response:
    """The dossier of Nam Cầu Kiền as the participant's sandbox gives it."""
    from eipkit import api

    lang = language(request)
    database = request.app.state.database
    folder = tempfile.TemporaryDirectory()

    def build() -> Path:
        person, _ = training.participant(database, code)  # not the whole desk: the dossier needs only the sandbox
        own = sandbox.sandbox(person.code)
        try:
            written = api.certification_dossier(own, "NAMCAUKIEN", folder.name, lang=lang)
        finally:
            own.engine.dispose()
        return next(p for p in written if p.suffix == ".pdf")

    try:
        path = await heavy(request, f"training:{code[:12]}", build)
    except training.TrainingError as exc:
        folder.cleanup()
        raise _refused(exc, request) from None
    return FileResponse(
        path, media_type="application/pdf", filename=path.name, background=BackgroundTask(folder.cleanup)
    )

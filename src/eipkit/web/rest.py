"""The REST API (documented at /docs): bearer tokens, JSON errors, 401 without credentials, 403 without the right."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, UploadFile
from fastapi.security import OAuth2PasswordRequestForm

from eipkit import access, i18n, users
from eipkit.access import User
from eipkit.io.validate import ImportRejected
from eipkit.store import repository
from eipkit.web import actions, views
from eipkit.web.security import api_user, forbid, issue_token, language
from eipkit.web.views import enterprise_place, park_place

router = APIRouter(prefix="/api", tags=["api"])
Signed = Annotated[User, Depends(api_user)]


@router.post("/token", summary="Sign in: a bearer token for the other calls")
def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    request.app.state.throttle.check(request)
    try:
        user = users.authenticate(request.app.state.database, form.username, form.password)
    except users.LoginRefused as exc:
        request.app.state.throttle.failed(request)
        raise HTTPException(401, exc.text(language(request)), headers={"WWW-Authenticate": "Bearer"}) from None
    return {"access_token": issue_token(request, user), "token_type": "bearer", "role": user.role}


@router.get("/parks", summary="Parks you may see, with their enterprise count and EIP status")
def parks(request: Request, user: Signed) -> list[dict[str, Any]]:
    return views.parks(request.app.state.database, request.app.state.cache, user)


@router.get("/parks/{park_id}/kpi", summary="A park's yearly figures (energy, water, waste, GHG)")
def park_kpi(request: Request, park_id: str, user: Signed, year: int | None = None) -> dict[str, Any]:
    if not access.sees_park(user, park_place(request, park_id)):
        raise forbid(request)
    database, cache = request.app.state.database, request.app.state.cache
    year = year or views.latest_year(database, cache, park_id)
    if year is None:
        raise HTTPException(404, i18n.t("web.not_found", language(request), what=f"{park_id} records"))
    return {"park_id": park_id, **views.kpi(database, cache, park_id, year)}


@router.get("/enterprises/{enterprise_id}/records", summary="An enterprise's raw records (confidential)")
def enterprise_records(request: Request, enterprise_id: str, user: Signed, year: int | None = None) -> dict[str, Any]:
    if not access.sees_records(user, enterprise_place(request, enterprise_id)):
        raise forbid(request)
    with request.app.state.database.sessions() as session:
        records = repository.records(session, [enterprise_id], year)
    return {
        "enterprise_id": enterprise_id,
        "year": year,
        **{
            name: [asdict(r) for r in getattr(records, name)]
            for name in ("energy", "water", "materials", "waste", "production")
        },
    }


@router.get("/parks/{park_id}/certification", summary="A park against a rule pack, with evidence and gaps")
def certification(request: Request, park_id: str, user: Signed, rules: str = "vn-decree-35-2022") -> dict[str, Any]:
    if not access.sees_park(user, park_place(request, park_id)):
        raise forbid(request)
    try:
        return views.certification(
            request.app.state.database, request.app.state.cache, park_id, rules, language(request)
        )
    except (LookupError, ValueError) as exc:
        raise HTTPException(404, str(exc)) from None


@router.post("/imports", summary="Import a workbook: all rows or none, every problem listed")
async def imports(request: Request, file: UploadFile, user: Signed) -> Any:
    if user.role == "ministry":
        raise forbid(request)
    content = await file.read()
    lang = language(request)
    try:
        result = actions.import_workbook(request.app.state.database, user, file.filename or "upload.xlsx", content)
    except ImportRejected as exc:
        problems = [{"sheet": p.sheet, "row": p.row, "column": p.column, "reason": p.text(lang)} for p in exc.problems]
        refused = any(p.message.key == "err.not_allowed" for p in exc.problems)
        raise HTTPException(403 if refused else 422, {"message": str(exc), "problems": problems}) from None
    request.app.state.cache.changed()
    return {"source": result.source, "rows": result.rows, "counts": result.counts}


@router.get("/results", summary="The programme results table over the parks you may see")
def results(request: Request, user: Signed, park: str | None = None) -> dict[str, Any]:
    database, cache = request.app.state.database, request.app.state.cache
    if user.role == "enterprise":
        raise forbid(request)
    if park is not None:
        if not access.sees_park(user, park_place(request, park)):
            raise forbid(request)
        chosen: tuple[str, ...] | None = (park,)
    elif user.role == "ministry":
        chosen = None
    else:
        chosen = tuple(p.park_id for p in views.places(database, cache).values() if access.sees_park(user, p))
        if not chosen:
            raise forbid(request)
    return views.results(database, cache, chosen)

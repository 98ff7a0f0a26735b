"""The REST API (documented at /docs): bearer tokens, JSON errors, 401 without credentials, 403 without the right."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, UploadFile
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from eipkit import access, api, i18n, users
from eipkit.access import User
from eipkit.api import changes, registry
from eipkit.symbiosis.problem import Problem
from eipkit.web import page_data, work
from eipkit.web.page_data import enterprise_place, park_place
from eipkit.web.security import api_user, client_of, forbid, issue_token, language
from eipkit.web.work import apart, database_url, heavy
from eipkit.workbooks.validate import ImportRejected


class Refusal(BaseModel):
    """Why a call was refused: a sentence in the caller's language, or for an import the problems found."""

    detail: Any


REFUSALS_DOCUMENTED: dict[int | str, dict[str, Any]] = {
    status: {"model": Refusal, "description": description}
    for status, description in (
        (401, "No valid token (sign in with POST /api/token)"),
        (403, "The token's user may not see or change this"),
        (404, "No such park, enterprise or record"),
        (413, "The request body is larger than the server accepts"),
        (422, "The request or the uploaded workbook is not valid"),
        (429, "Too many sign-ins, or too many calculations at once: try again later"),
        (503, "The database is busy: try again in a few seconds"),
    )
}
router = APIRouter(prefix="/api", tags=["api"], responses=REFUSALS_DOCUMENTED)
Year = Annotated[int | None, Query(ge=1900, le=2200, description="A calendar year (default: the latest with records)")]
Signed = Annotated[User, Depends(api_user)]


@router.post("/token", summary="Sign in: a bearer token for the other calls")
async def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    throttle, database = request.app.state.throttle, request.app.state.database
    mark = throttle.attempt(request)
    try:
        user = await heavy(
            request, client_of(request), lambda: users.authenticate(database, form.username, form.password)
        )
    except users.LoginRefused as exc:
        raise HTTPException(401, exc.text(language(request)), headers={"WWW-Authenticate": "Bearer"}) from None
    throttle.succeeded(request, mark)
    return {"access_token": issue_token(request, user), "token_type": "bearer", "role": user.role}


@router.post("/logout", summary="End every session and token of your account", status_code=204)
async def logout(request: Request, user: Signed) -> None:
    database = request.app.state.database
    await heavy(request, user.username, lambda: users.end_sessions(database, user.username))


@router.get("/parks", summary="Parks you may see, with their enterprise count and EIP status")
def parks(request: Request, user: Signed) -> list[dict[str, Any]]:
    return page_data.parks(request.app.state.database, request.app.state.cache, user)


@router.get("/parks/{park_id}/kpi", summary="A park's yearly figures (energy, water, waste, GHG)")
def park_kpi(request: Request, park_id: str, user: Signed, year: Year = None) -> dict[str, Any]:
    if not access.sees_park(user, park_place(request, park_id)):
        raise forbid(request)
    database, cache = request.app.state.database, request.app.state.cache
    year = year or page_data.latest_year(database, cache, park_id)
    if year is None:
        raise HTTPException(404, i18n.t("web.not_found", language(request), what=f"{park_id} records"))
    try:
        figures = page_data.kpi(database, cache, park_id, year)
        carriers = sorted(figures.get("fuel_by_carrier_tj", {}))
        origin = api.provenance(database, ("accounting", "scope2"), [year], carriers)
        return {"park_id": park_id, **figures, "provenance": origin.as_dict()}
    except ValueError as exc:  # a year the factors do not reach (before the official grid series)
        raise HTTPException(422, i18n.t("web.no_figures", language(request), year=year, reason=exc)) from None


@router.get("/enterprises/{enterprise_id}/records", summary="An enterprise's raw records (confidential)")
def enterprise_records(request: Request, enterprise_id: str, user: Signed, year: Year = None) -> dict[str, Any]:
    if not access.sees_records(user, enterprise_place(request, enterprise_id)):
        raise forbid(request)
    records = registry.enterprise_records(request.app.state.database, enterprise_id, year)
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
    place = park_place(request, park_id)
    if not access.sees_park(user, place):
        raise forbid(request)
    database, cache, lang = request.app.state.database, request.app.state.cache, language(request)
    try:
        found = page_data.certification(
            database, cache, park_id, rules, lang, named=access.sees_park_details(user, place)
        )
    except (LookupError, ValueError) as exc:  # an unknown rule pack
        raise HTTPException(404, exc.text(lang) if isinstance(exc, i18n.LocalisedError) else str(exc)) from None
    packs = [(found["pack"], found["pack_version"])]
    origin = api.provenance(database, ("certification", "accounting", "scope2"), [found["year"]], packs=packs)
    return found | {"provenance": origin.as_dict()}


@router.post("/imports", summary="Import a workbook: all rows or none, every problem listed")
async def imports(request: Request, file: UploadFile, user: Signed) -> Any:
    if user.role == "ministry":
        raise forbid(request)
    content, name = await file.read(), file.filename or "upload.xlsx"
    url, limits, lang = database_url(request.app.state.database), request.app.state.settings.upload, language(request)
    try:
        result = await apart(request, user.username, work.import_upload, url, user, name, content, limits)
    except ImportRejected as exc:
        problems = [{"sheet": p.sheet, "row": p.row, "column": p.column, "reason": p.text(lang)} for p in exc.problems]
        refused = any(p.message.key in REFUSALS for p in exc.problems)
        detail = {"message": str(exc), "total": exc.total, "problems": problems}
        raise HTTPException(403 if refused else 422, detail) from None
    request.app.state.cache.changed()
    notes = [{"sheet": n.sheet, "row": n.row, "column": n.column, "note": n.text(lang)} for n in result.notes]
    return {"source": result.source, "rows": result.rows, "counts": result.counts, "notes": notes}


REFUSALS = {"err.not_allowed", "err.moves_enterprise", "err.moves_park", "err.moves_opportunity"}


@router.post("/symbiosis/solve", summary="Optimise an exchange network (the problem file's fields as JSON)")
async def solve_exchange(
    request: Request,
    problem: Problem,
    user: Signed,
    objective: Literal["cost", "co2"] = "cost",
    time_limit_s: Annotated[float, Query(gt=0, le=600, description="Seconds the solve may take")] = 60.0,
) -> dict[str, Any]:
    """The links, flows, money and CO2 of the optimised network, with the method that ran, the status, the proven
    bound and gap. A calculator: nothing is stored. Runs in a worker process, at most two per user at once."""
    return await apart(request, user.username, work.solve_problem, problem, objective, time_limit_s)


class ParkChoice(BaseModel):
    park_id: str = Field(min_length=1, max_length=64, description="The park the enterprise moves to.")


@router.post("/enterprises/{enterprise_id}/park", summary="Move an enterprise to another park", status_code=204)
async def move_enterprise(request: Request, enterprise_id: str, choice: ParkChoice, user: Signed) -> None:
    """Allowed to a person who may change both parks; audited under both."""
    enterprise_place(request, enterprise_id)
    database, cache = request.app.state.database, request.app.state.cache
    await heavy(request, user.username, lambda: changes.move_enterprise(database, user, enterprise_id, choice.park_id))
    cache.changed()


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
        chosen = tuple(p.park_id for p in page_data.places(database, cache).values() if access.sees_park(user, p))
        if not chosen:
            raise forbid(request)
    found = page_data.results(database, cache, chosen)
    return found | {"provenance": page_data.results_provenance(database, cache, chosen)}

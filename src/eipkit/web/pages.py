"""The pages: each asks `access` before it shows or changes anything; forms carry the session's CSRF token."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import plotly.graph_objects as go
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from eipkit import access, accounting, api, contract, i18n, jobs, provinces, reference, users
from eipkit.access import Place, User
from eipkit.api import changes, registry, regulation
from eipkit.api.figures import DEFAULT_PACK
from eipkit.api.registry import Database
from eipkit.errors import NotAllowed, NotFound
from eipkit.recp.assessment import TASK_STATUSES
from eipkit.vocabulary import OpportunityKind, Stage
from eipkit.web import page_data, work
from eipkit.web.page_data import enterprise_place, park_place
from eipkit.web.render import banner, render
from eipkit.web.security import (
    check_csrf,
    checked_form,
    client_of,
    forbid,
    language,
    page_user,
    start_session,
)
from eipkit.web.work import apart, database_url, heavy
from eipkit.workbooks.validate import ImportRejected

router = APIRouter(include_in_schema=False)
T = TypeVar("T")
Signed = Annotated[User, Depends(page_user)]


def _state(request: Request) -> tuple[Database, page_data.Cache]:
    return request.app.state.database, request.app.state.cache


def _allow(request: Request, allowed: bool) -> None:
    if not allowed:
        raise forbid(request)


async def _change_form(request: Request, user: User, place: Place) -> dict[str, Any]:
    """The form of a change, read only once its CSRF token holds and the user may change this place."""
    form = await checked_form(request)
    _allow(request, access.edits(user, place))
    return form


def _reason(exc: Exception, lang: str) -> str:
    """Why a form was refused, in the reader's language when the library said it in both."""
    return exc.text(lang) if isinstance(exc, i18n.LocalisedError) else str(exc)


async def _attempt(request: Request, user: User, work: Callable[[], T]) -> T:
    """A change on a worker thread: refused for its content (a bad date, a step out of order, a missing field) it is a
    400 saying why; not allowed (403) and not found (404) pass through as they are."""
    lang = language(request)

    def guarded() -> T:
        try:
            return work()
        except (NotAllowed, NotFound):
            raise
        except (ValueError, KeyError, LookupError) as exc:
            raise HTTPException(400, _reason(exc, lang)) from None

    return await heavy(request, user.username, guarded)


def _day(form: dict[str, str], name: str = "on") -> dt.date:
    """A date field of a form (YYYY-MM-DD), today when left empty."""
    return dt.date.fromisoformat(form[name]) if form.get(name) else dt.date.today()


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "login.html.j2", None, next=next, error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await checked_form(request)
    target = form.get("next") or "/"
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    throttle = request.app.state.throttle
    mark = throttle.attempt(request)
    database, username, password = request.app.state.database, form.get("username", ""), form.get("password", "")
    try:
        user = await heavy(request, client_of(request), lambda: users.authenticate(database, username, password))
    except users.LoginRefused as exc:
        return render(request, "login.html.j2", None, 401, next=target, error=exc.text(language(request)))
    throttle.succeeded(request, mark)
    start_session(request, user)
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Signing out ends every session and token of the account, on every device."""
    await checked_form(request)
    username = request.session.get("user")
    if isinstance(username, str):
        database = request.app.state.database
        await heavy(request, username, lambda: users.end_sessions(database, username))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(request: Request, user: Signed) -> Response:
    """Each role starts where its work is."""
    if user.role == "ministry":
        return RedirectResponse("/national", status_code=303)
    if user.role == "board":
        return RedirectResponse(f"/provinces/{user.province}", status_code=303)
    if user.role == "coordinator":
        return RedirectResponse(f"/parks/{user.park_id}", status_code=303)
    if user.role == "enterprise":
        return RedirectResponse(f"/enterprises/{user.enterprise_id}", status_code=303)
    database, cache = _state(request)
    return render(
        request,
        "consultant.html.j2",
        user,
        parks=page_data.parks(database, cache, user),
        enterprises=api.enterprises(database, sorted(user.enterprises)),
    )


def _met_colour(passed: int, total: int) -> str:
    """Red for a third of the criteria met or less, amber to two thirds, light green short of all, green for all."""
    if passed == total:
        return "#2E6B3F"
    return "#C0504D" if 3 * passed <= total else "#E7B34A" if 3 * passed <= 2 * total else "#9BBB59"


def _park_map(rows: list[dict[str, Any]], lang: str, province: str | None = None) -> str:
    """The parks where they are, over the provincial units (`province` shaded and in view, else the country),
    coloured by how many Decree 35 criteria each meets (red: few, green: all; the legend says the count), a park's
    eligibility in its label."""
    from eipkit.reports.charts import add_base_map, figure_html

    figure = go.Figure()
    placed = [r for r in rows if r["lat"] is not None and r["criteria"]]
    add_base_map(figure, province, [(r["lon"], r["lat"]) for r in placed])
    for passed, total in sorted({(r["criteria_passed"], r["criteria"]) for r in placed}, reverse=True):
        chosen = [r for r in placed if (r["criteria_passed"], r["criteria"]) == (passed, total)]
        colour = _met_colour(passed, total)
        figure.add_scatter(
            x=[r["lon"] for r in chosen],
            y=[r["lat"] for r in chosen],
            mode="markers" if province is None else "markers+text",  # the country's hundreds of names would pile up
            text=[r["park_id"] for r in chosen],
            hovertext=[
                f"{r['name']}: {i18n.t('web.status_' + str(r['eligible_on_verified_criteria']).lower(), lang)}"
                for r in chosen
            ],
            hoverinfo="text",
            textposition="top center",
            cliponaxis=False,  # a park at the edge keeps its whole name
            name=i18n.t("web.criteria_met", lang, passed=passed, total=total),
            marker={"size": 12, "color": colour, "line": {"width": 1, "color": "#333"}},
        )
    figure.update_layout(
        xaxis_title=i18n.t("word.longitude", lang),
        yaxis_title=i18n.t("word.latitude", lang),
        legend_title_text=i18n.t("web.map_legend", lang),
    )
    figure.update_yaxes(scaleanchor="x", scaleratio=1)
    return figure_html(figure, 520 if province else 680)


@router.get("/national")
def national(request: Request, user: Signed, year: int | None = None) -> Response:
    _allow(request, user.role == "ministry")
    database, cache = _state(request)
    lang = language(request)
    rows = page_data.park_table(database, cache)
    totals = page_data.totals(database, cache, lang, year)
    if year is not None and year not in totals["years"]:
        raise HTTPException(404, i18n.t("web.no_year", lang, year=year))
    return render(
        request,
        "national.html.j2",
        user,
        parks=rows,
        totals=totals,
        savings=page_data.savings_cards(page_data.results(database, cache, None), lang),
        map=cache.get(("national_map", lang), lambda: _park_map(rows, lang)),
    )


@router.get("/national/symbiosis")
def national_symbiosis(request: Request, user: Signed) -> Response:
    """The ministry's view of the whole country's exchange network: aggregates only, never an enterprise named."""
    _allow(request, user.role == "ministry")
    return render(request, "national_symbiosis.html.j2", user)


@router.post("/national/symbiosis/optimize")
async def national_optimize(request: Request, user: Signed) -> Response:
    """The national optimisation as a background job (the one engine, its default limits); nothing is stored."""
    _allow(request, user.role == "ministry")
    form = await checked_form(request)
    objective, lang = form.get("objective", "cost"), language(request)
    if objective not in ("cost", "co2"):
        raise HTTPException(400, i18n.t("web.bad_objective", lang))
    params = {"objective": objective, "lang": lang}
    return render(request, "_job.html.j2", user, job=_submit(request, user, "symbiosis.national", params))


def _sweepable(pack: Any) -> list[Any]:
    """The criteria of a pack a threshold sweep can move: verified or secondary wording, a numeric threshold."""
    return [c for c in (*pack.criteria, *pack.enterprise_criteria) if c.threshold and c.wording != "unverified"]


@router.get("/national/regulation")
def national_regulation(request: Request, user: Signed) -> Response:
    """Regulation impact for the ministry: two rule packs over every park, and one threshold swept; counts only."""
    from eipkit.certification import rules

    _allow(request, user.role == "ministry")
    packs = [rules.load(p) for p in rules.packs()]
    current = rules.load(DEFAULT_PACK)
    return render(request, "regulation.html.j2", user, packs=packs, default=current.id, criteria=_sweepable(current))


DRAFT_LIMIT = 200_000  # bytes of a draft rule pack


@router.post("/national/regulation")
async def national_regulation_run(request: Request, user: Signed) -> Response:
    """Two packs compared as a job: shipped ones, or a draft pack file in place of the second, checked first."""
    from eipkit.certification import rules

    _allow(request, user.role == "ministry")
    form = await checked_form(request)
    upload = (await request.form()).get("draft")
    lang = language(request)
    shipped = rules.packs()
    first, second = form.get("first", ""), form.get("second", "")
    draft = None
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(DRAFT_LIMIT + 1)
        try:
            if len(content) > DRAFT_LIMIT:
                raise ValueError
            draft = {"name": Path(upload.filename).name[:100], "text": content.decode("utf-8")}
            second_pack = rules.parse(draft["text"], draft["name"])
        except rules.RulePackError as exc:  # before ValueError, which it is too
            raise HTTPException(400, exc.text(lang)) from None
        except (ValueError, UnicodeDecodeError):
            raise HTTPException(400, i18n.t("web.impact_draft", lang, limit=DRAFT_LIMIT // 1000)) from None
    elif second in shipped and second != first:
        second_pack = rules.load(second)
    else:
        raise HTTPException(400, i18n.t("web.impact_packs", lang))
    if first not in shipped:
        raise HTTPException(400, i18n.t("web.impact_packs", lang))
    criterion = form.get("criterion", "")
    if criterion not in {c.id for c in _sweepable(second_pack)}:
        raise HTTPException(400, i18n.t("web.impact_criterion", lang, pack=second_pack.id))
    try:
        low, high, step = (float(form.get(k, "").replace(",", ".")) for k in ("low", "high", "step"))
        thresholds = regulation.thresholds_between(low, high, step)
    except ValueError:
        raise HTTPException(400, i18n.t("web.impact_range", lang)) from None
    if len(thresholds) > 50:
        raise HTTPException(400, i18n.t("web.impact_range", lang))
    packs = [first, draft or second]
    params = {"packs": packs, "criterion": criterion, "thresholds": thresholds, "lang": lang}
    return render(request, "_job.html.j2", user, job=_submit(request, user, "certification.impact", params))


@router.get("/provinces/{province}")
def province(request: Request, province: str, user: Signed, year: int | None = None) -> Response:
    """A province's parks and their totals for the year picked; a former unit's name ("Long An") shows the unit in
    force it belongs to."""
    province = provinces.resolve(province).name
    _allow(request, user.role == "ministry" or (user.role == "board" and user.province == province))
    database, cache = _state(request)
    rows = [r for r in page_data.park_table(database, cache) if r["province"] == province]
    if not rows:
        raise HTTPException(404, i18n.t("web.not_found", language(request), what=province))
    chosen = tuple(r["park_id"] for r in rows)
    lang = language(request)
    totals = page_data.totals(database, cache, lang, year, chosen)
    if year is not None and year not in totals["years"]:
        raise HTTPException(404, i18n.t("web.no_year", lang, year=year))
    return render(
        request,
        "province.html.j2",
        user,
        province=province,
        parks=rows,
        totals=totals,
        savings=page_data.savings_cards(page_data.results(database, cache, chosen), lang),
        map=_park_map(rows, lang, province),
    )


@router.get("/parks/{park_id}")
def park(request: Request, park_id: str, user: Signed) -> Response:
    place = park_place(request, park_id)
    _allow(request, access.sees_park(user, place))
    database, cache = _state(request)
    lang = language(request)
    return render(
        request,
        "park.html.j2",
        user,
        place=place,
        details=access.sees_park_details(user, place),
        **page_data.park_page(database, cache, park_id, lang),
        savings=page_data.savings_cards(page_data.results(database, cache, (park_id,)), lang),
        certification=page_data.certification(database, cache, park_id, "vn-decree-35-2022", lang),
        park_city=page_data.park_city(database, cache, park_id, lang),
    )


def _opportunities(request: Request, park_id: str) -> list[Any]:
    database, cache = _state(request)

    def stored() -> list[Any]:
        return registry.park_opportunities(database, park_id)

    return cache.get(("opportunities", park_id), stored)


def _board(request: Request, park_id: str, user: User) -> dict[str, Any]:
    """Every opportunity of the park by stage, each column with its count and the cost saving of its cards."""
    lang = language(request)
    found = _opportunities(request, park_id)
    stages = [(s, contract.enum_label("stage", s, lang)) for s in contract.enum_values("stage")]
    columns = []
    for stage, label in stages:
        items = [o for o in found if o.stage == stage]
        columns.append((stage, label, items, sum(o.cost_saving_vnd or 0.0 for o in items)))
    kinds = contract.enum_values("opportunity_kind")
    return {
        "park_id": park_id,
        "columns": columns,
        "stages": stages,
        "kinds": [(k, contract.enum_label("opportunity_kind", k, lang)) for k in kinds],
        "enterprises": sorted({e for o in found for e in o.enterprise_ids}),
        "editable": access.edits(user, park_place(request, park_id)),
        "label_of": lambda enum, value: contract.enum_label(enum, value, lang),
    }


@router.get("/parks/{park_id}/opportunities")
def opportunities(request: Request, park_id: str, user: Signed) -> Response:
    _allow(request, access.sees_park_details(user, park_place(request, park_id)))
    return render(request, "opportunities.html.j2", user, message=None, **_board(request, park_id, user))


def _number(text: str | None, lang: str) -> float | None:
    """A saving typed in a form the reader's way (120.000.000 in Vietnamese) or in plain digits."""
    if text is None or not text.strip():
        return None
    try:
        return i18n.parse_number(text, lang)
    except i18n.NotANumber as exc:
        raise ValueError(i18n.t("web.not_a_number", lang, text=text.strip()[:40])) from exc


@router.post("/opportunities/{opportunity_id}")
async def edit_opportunity(request: Request, opportunity_id: str, user: Signed) -> Response:
    form = await checked_form(request)
    database, cache = _state(request)
    lang = language(request)

    def edit() -> tuple[str, str | None]:
        park_id = registry.opportunity_park(database, opportunity_id)
        try:
            savings: dict[str, float | None] = {
                k: _number(form.get(k), lang) for k in ("cost_saving_vnd", "co2e_t", "electricity_mwh") if k in form
            }
            changes.edit_opportunity(database, user, opportunity_id, form.get("stage"), savings, _day(form))
        except NotAllowed:
            raise
        except ValueError as exc:  # a refused move, a bad number or date: said on the board, nothing changed
            return park_id, _reason(exc, lang)
        cache.changed()
        return park_id, None

    park_id, message = await heavy(request, user.username, edit)
    board = _board(request, park_id, user)
    failed, saved = (opportunity_id, None) if message else (None, opportunity_id)
    return render(request, "opportunities.html.j2", user, message=message, failed=failed, saved=saved, **board)


@router.get("/parks/{park_id}/symbiosis")
def symbiosis(request: Request, park_id: str, user: Signed) -> Response:
    place = park_place(request, park_id)
    _allow(request, access.sees_park_details(user, place))
    from eipkit.reports import park_summary

    database, cache = _state(request)
    lang = language(request)
    candidates = cache.get(("candidates", park_id, lang), lambda: api.symbiosis_candidates(database, [park_id]))
    summary = page_data.summary(database, cache, park_id)
    return render(
        request,
        "symbiosis.html.j2",
        user,
        park=summary.park,
        rows=candidates.rows(lang)[:50],
        editable=access.edits(user, place),
        charts=park_summary.exchange_charts(summary, lang),
        proposed=[x for x in summary.exchanges if x.status == "proposed"],
        worklist=[
            o
            for o in _opportunities(request, park_id)
            if o.kind == OpportunityKind.SYMBIOSIS and o.stage == Stage.PROPOSED
        ],
        names={e.enterprise_id: e.name for e in summary.enterprises + summary.partners},
    )


@router.post("/parks/{park_id}/symbiosis/propose")
async def propose(request: Request, park_id: str, user: Signed) -> Response:
    """A candidate of the symbiosis page made a proposed opportunity on the board (the worklist's first step)."""
    form = await _change_form(request, user, park_place(request, park_id))
    supply, demand = form.get("supply", ""), form.get("demand", "")
    database, cache = _state(request)
    opportunity_id = await _attempt(
        request, user, lambda: changes.propose_candidate(database, user, park_id, supply, demand)
    )
    cache.changed()
    return render(request, "_proposed.html.j2", user, park_id=park_id, opportunity_id=opportunity_id)


@router.post("/parks/{park_id}/symbiosis/optimize")
async def optimize(request: Request, park_id: str, user: Signed) -> Response:
    form = await _change_form(request, user, park_place(request, park_id))
    objective = form.get("objective", "cost")
    if objective not in ("cost", "co2"):
        raise HTTPException(400, i18n.t("web.bad_objective", language(request)))
    params = {"park_id": park_id, "objective": objective, "lang": language(request)}
    return render(request, "_job.html.j2", user, job=_submit(request, user, "symbiosis.park", params, park_id))


def _submit(request: Request, user: User, kind: str, params: dict[str, Any], park_id: str | None = None) -> Any:
    """Store the job and queue it (its runner started here when this process runs the jobs itself)."""
    app = request.app
    try:
        job = jobs.submit(app.state.database, user.username, kind, params, park_id, app.state.settings.heavy_per_user)
    except jobs.TooManyJobs as exc:
        raise HTTPException(429, exc.text(language(request)), headers={"Retry-After": "10"}) from exc
    app.state.job_runner()
    return job


def _own_job(request: Request, job_id: str, user: User) -> Any:
    """A job, for the person who started it only (anyone else is told it does not exist)."""
    found = jobs.get(request.app.state.database, job_id)
    if found is None or found.owner != user.username:
        raise HTTPException(404, i18n.t("web.not_found", language(request), what=job_id))
    return found


@router.get("/jobs/{job_id}")
def job(request: Request, job_id: str, user: Signed) -> Response:
    """A job's progress, read from the jobs table: any web process shows it."""
    found = _own_job(request, job_id, user)
    chart = None
    if found.done and isinstance(found.result, dict) and "sweep" in found.result:
        from eipkit.certification.impact import SweepStep
        from eipkit.reports import regulation_chart
        from eipkit.reports.charts import figure_html

        swept = found.result["sweep"]
        steps = [SweepStep(**s) for s in swept["steps"]]
        drawn = regulation_chart.figure(steps, swept["pack"], swept["criterion"], language(request))
        chart = figure_html(drawn.update_layout(title=None), 420)  # the page's heading names it
    return render(request, "_job.html.j2", user, job=found, chart=chart)


@router.post("/jobs/{job_id}/cancel")
async def cancel_job(request: Request, job_id: str, user: Signed) -> Response:
    await checked_form(request)
    _own_job(request, job_id, user)
    return render(request, "_job.html.j2", user, job=jobs.cancel(request.app.state.database, job_id))


@router.get("/parks/{park_id}/certification")
def certification(request: Request, park_id: str, user: Signed, rules: str = "vn-decree-35-2022") -> Response:
    place = park_place(request, park_id)
    _allow(request, access.sees_park(user, place))
    database, cache = _state(request)
    lang = language(request)
    details = access.sees_park_details(user, place)
    applications = api.application_progress(database, dt.date.today(), [park_id], lang=lang) if details else []
    return render(
        request,
        "certification.html.j2",
        user,
        park_id=park_id,
        result=page_data.certification(database, cache, park_id, rules, lang, named=details),
        details=details,
        editable=access.edits(user, place),
        applications=applications,
        message=None,
    )


@router.post("/parks/{park_id}/applications")
async def application(request: Request, park_id: str, user: Signed) -> Response:
    form = await _change_form(request, user, park_place(request, park_id))
    database, _ = _state(request)

    def change() -> None:
        if form.get("application"):
            number, on = int(form["application"]), dt.date.fromisoformat(form["on"])
            changes.record_application_step(database, user, park_id, number, form["step"], on)
        else:
            submitted = dt.date.fromisoformat(form["submitted"])
            changes.open_application(database, user, park_id, submitted, form.get("procedure", "park"))

    await _attempt(request, user, change)
    return RedirectResponse(f"/parks/{park_id}/certification", status_code=303)


def _file(path: Path, folder: tempfile.TemporaryDirectory[str], media: str) -> FileResponse:
    return FileResponse(path, media_type=media, filename=path.name, background=BackgroundTask(folder.cleanup))


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _park_document(request: Request, park_id: str, kind: str, user: User, write: Any) -> Response:
    """A park's DOCX or PDF document written by `write(folder, lang)` into a folder removed after sending."""
    _allow(request, access.sees_park_details(user, park_place(request, park_id)))
    if kind not in ("docx", "pdf"):
        raise HTTPException(404, i18n.t("web.not_found", language(request), what=kind))
    folder = tempfile.TemporaryDirectory()
    chosen = next(p for p in write(folder.name, language(request)) if p.suffix == f".{kind}")
    return _file(chosen, folder, DOCX if kind == "docx" else "application/pdf")


@router.get("/parks/{park_id}/dossier.{kind}")
def dossier(request: Request, park_id: str, kind: str, user: Signed) -> Response:
    database = request.app.state.database
    return _park_document(
        request, park_id, kind, user, lambda out, lang: api.certification_dossier(database, park_id, out, lang=lang)
    )


@router.get("/parks/{park_id}/annual.{kind}")
def annual(request: Request, park_id: str, kind: str, user: Signed) -> Response:
    database = request.app.state.database
    return _park_document(
        request,
        park_id,
        kind,
        user,
        lambda out, lang: api.annual_report_files(
            api.annual_report(database, park_id, lang=lang), out, lang, api.park_provenance(database, park_id)
        ),
    )


@router.get("/parks/{park_id}/summary.html")
def park_summary_page(request: Request, park_id: str, user: Signed) -> Response:
    """The park's printable summary; without the right to see details, enterprises are counted, never named."""
    place = park_place(request, park_id)
    _allow(request, access.sees_park(user, place))
    from eipkit.reports import park_summary

    summary = page_data.summary(*_state(request), park_id)
    details = access.sees_park_details(user, place)
    lang, database = language(request), request.app.state.database
    annex = api.park_summary_annex(database, summary, lang)
    html = park_summary.render(summary, lang, banner(request, lang), details=details, annex=annex)
    return HTMLResponse(
        html.replace('src="plotly.min.js"', 'src="/assets/plotly.min.js"').replace(
            'src="charts.js"', 'src="/assets/charts.js"'
        )
    )


@router.get("/enterprises/{enterprise_id}")
def enterprise(request: Request, enterprise_id: str, user: Signed, year: int | None = None) -> Response:
    place = enterprise_place(request, enterprise_id)
    _allow(request, access.sees_records(user, place))
    database, cache = _state(request)
    lang = language(request)

    def compute() -> dict[str, Any]:
        page = api.enterprise_page(database, enterprise_id, year)
        return {
            "enterprise": page.enterprise,
            "park": page.park,
            "year": page.year,
            "records": page.records,
            "kpi": page.accounts.as_dict(),
            "benchmark": page.benchmark,
            "options": page.options[:8],
            "opportunities": page.opportunities,
        }

    return render(
        request,
        "enterprise.html.j2",
        user,
        label=lambda enum, value: contract.enum_label(enum, value, lang),
        gj_per_mwh=accounting.GJ_PER_MWH,
        **cache.get(("enterprise", enterprise_id, year), compute),
        **_enterprise_work(request, enterprise_id, user),
    )


def _enterprise_work(request: Request, enterprise_id: str, user: User) -> dict[str, Any]:
    """What changes on an enterprise's page and is never cached: its CP assessments and a savings measurement."""
    database, cache = _state(request)
    lang = language(request)
    tasks = reference.cp_tasks()
    place = enterprise_place(request, enterprise_id)
    others = [p for p in page_data.places(database, cache).values() if p.park_id != place.park_id]
    return {
        "editable": access.edits(user, place),
        "move_to": [p for p in others if access.moves(user, place, p)],
        "assessments": api.enterprise_assessments(database, enterprise_id),
        "task_title": lambda n: getattr(tasks[n], f"title_{lang}"),
        "step_title": lambda n: next(getattr(t, f"step_{lang}") for t in tasks.values() if t.step == n),
        "task_statuses": TASK_STATUSES,
    }


@router.post("/enterprises/{enterprise_id}/assessments")
async def assessment(request: Request, enterprise_id: str, user: Signed) -> Response:
    """Start a cleaner-production assessment, or change one of its 18 tasks."""
    place = enterprise_place(request, enterprise_id)
    form = await _change_form(request, user, place)
    database, cache = _state(request)

    def change() -> None:
        on = _day(form)
        if form.get("assessment") and not form.get("task"):  # the whole table: the tasks whose status changed
            number = int(form["assessment"])
            stored = {a.assessment_id: a for a in api.enterprise_assessments(database, enterprise_id)}
            if number not in stored:
                raise NotFound("nf.assessment", assessment=number, enterprise=enterprise_id)
            changed: dict[int, tuple[str, dt.date, str | None]] = {
                task.task: (form[f"status_{task.task}"], _day(form, f"on_{task.task}"), None)
                for task in stored[number].tasks
                if form.get(f"status_{task.task}", task.status) != task.status
            }
            changes.update_assessment_tasks(database, user, enterprise_id, number, changed)
        elif form.get("assessment"):
            number, task = int(form["assessment"]), int(form["task"])
            note = form.get("note") or None
            changes.update_assessment_task(database, user, enterprise_id, number, task, form["status"], on, note)
        else:
            team = [m.strip() for m in form.get("team", "").split(";") if m.strip()]
            changes.start_assessment(database, user, enterprise_id, form["focus_area"], team, on)

    await _attempt(request, user, change)
    cache.changed()
    return RedirectResponse(f"/enterprises/{enterprise_id}#cp", status_code=303)


@router.get("/enterprises/{enterprise_id}/savings")
def savings(request: Request, enterprise_id: str, user: Signed, baseline: int, reporting: int) -> Response:
    """Savings measured from the records (avoided consumption, IPMVP option C), to be set on an opportunity."""
    place = enterprise_place(request, enterprise_id)
    _allow(request, access.sees_records(user, place))
    database, _ = _state(request)
    try:
        measured = api.enterprise_measured_savings(database, enterprise_id, baseline, reporting)
    except (ValueError, LookupError) as exc:
        raise HTTPException(400, str(exc)) from None
    opportunities = [
        o
        for o in api.enterprise_opportunities(database, enterprise_id)
        if o.stage in (Stage.IMPLEMENTING, Stage.IMPLEMENTED)
    ]
    return render(
        request,
        "savings.html.j2",
        user,
        enterprise_id=enterprise_id,
        measured=measured,
        opportunities=opportunities,
        editable=access.edits(user, place),
    )


@router.post("/enterprises/{enterprise_id}/savings")
async def apply_savings(request: Request, enterprise_id: str, user: Signed) -> Response:
    place = enterprise_place(request, enterprise_id)
    form = await _change_form(request, user, place)
    database, cache = _state(request)
    chosen, lang = form.get("opportunity", ""), language(request)

    def change() -> None:
        try:
            baseline, reporting = int(form["baseline"]), int(form["reporting"])
        except (KeyError, ValueError):
            raise HTTPException(400, i18n.t("web.bad_years", lang)) from None
        changes.apply_measured_savings(database, user, enterprise_id, chosen, baseline, reporting)

    await _attempt(request, user, change)
    cache.changed()
    return RedirectResponse(f"/enterprises/{enterprise_id}", status_code=303)


@router.post("/enterprises/{enterprise_id}/park")
async def move_enterprise(request: Request, enterprise_id: str, user: Signed) -> Response:
    """Move the enterprise to another park: for a person who may change both parks; audited under both."""
    enterprise_place(request, enterprise_id)
    form = await checked_form(request)
    database, cache = _state(request)
    target = form.get("park_id", "")
    await heavy(request, user.username, lambda: changes.move_enterprise(database, user, enterprise_id, target))
    cache.changed()
    return RedirectResponse(f"/enterprises/{enterprise_id}", status_code=303)


@router.get("/enterprises/{enterprise_id}/report.pdf")
def enterprise_report(request: Request, enterprise_id: str, user: Signed, year: int | None = None) -> Response:
    _allow(request, access.sees_records(user, enterprise_place(request, enterprise_id)))
    from eipkit.reports import enterprise_report as report

    database, _ = _state(request)
    year = year or api.latest_year(database, enterprise_id)
    folder = tempfile.TemporaryDirectory()
    path = report.write_pdf(
        api.enterprise_report(database, enterprise_id, year),
        Path(folder.name) / f"{enterprise_id}-{year}.pdf",
        language(request),
    )
    return _file(path, folder, "application/pdf")


@router.get("/upload")
def upload_page(request: Request, user: Signed) -> Response:
    _allow(request, user.role != "ministry")
    return render(request, "upload.html.j2", user, problems=None, result=None)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/upload/template.xlsx")
def upload_template(request: Request, user: Signed) -> Response:
    """The blank workbook of the contract's current version, labelled in the reader's language: what `eipkit
    template` writes, for those who never open a terminal."""
    from eipkit.workbooks import workbook

    lang = language(request)
    folder = tempfile.TemporaryDirectory()
    path = workbook.write(
        Path(folder.name) / ("mau-so-lieu-eipkit.xlsx" if lang == "vi" else "eipkit-template.xlsx"), lang=lang
    )
    return _file(path, folder, XLSX)


@router.post("/upload")
async def upload(request: Request, user: Signed) -> Response:
    _allow(request, user.role != "ministry")
    form = await request.form()
    await checked_form(request)
    file = form.get("workbook")
    if not isinstance(file, UploadFile):
        raise HTTPException(400, i18n.t("web.no_file", language(request)))
    lang = language(request)
    content, name = await file.read(), file.filename or "upload.xlsx"
    url, limits = database_url(request.app.state.database), request.app.state.settings.upload
    try:
        result = await apart(request, user.username, work.import_upload, url, user, name, content, limits)
    except ImportRejected as exc:
        problems = [(p, p.text(lang)) for p in exc.problems]
        return render(request, "upload.html.j2", user, 422, problems=problems, total=exc.total, result=None)
    request.app.state.cache.changed()
    return render(request, "upload.html.j2", user, problems=None, result=result)


def _parks_seen(database: Database, cache: Any, user: User) -> list[tuple[dict[str, Any], bool, bool]]:
    """Each park listed for this user, whether they see its figures and whether they see its details."""
    seen = []
    for row in page_data.parks(database, cache, user):
        place = Place(row["park_id"], row["province"])
        seen.append((row, access.sees_park(user, place), access.sees_park_details(user, place)))
    return seen


@router.get("/reports")
def reports(request: Request, user: Signed) -> Response:
    database, cache = _state(request)
    visible = _parks_seen(database, cache, user)
    enterprises = sorted(user.enterprises | ({user.enterprise_id} if user.enterprise_id else set()))
    results = any(sees for _, sees, _ in visible)
    return render(request, "reports.html.j2", user, parks=visible, enterprises=enterprises, results=results)


@router.get("/reports/results.xlsx")
def results_workbook(request: Request, user: Signed, year: int | None = None) -> Response:
    """The programme results table of the parks this user sees (every park for the ministry) as a workbook, with the
    factors and versions that produced it; counts and sums only."""
    from eipkit.reports import results_workbook as workbook_of

    database, cache = _state(request)
    seen = [row["park_id"] for row, sees, _ in _parks_seen(database, cache, user) if sees]
    _allow(request, bool(seen))
    if year is not None and not 1980 <= year <= dt.date.today().year:
        raise HTTPException(
            400, i18n.t("err.year_range", language(request), year=year, low=1980, high=dt.date.today().year)
        )
    table = api.results(database, None if user.role == "ministry" else seen, year=year)
    folder = tempfile.TemporaryDirectory()
    path = Path(folder.name) / (f"ket-qua-{year}.xlsx" if year else "ket-qua.xlsx")
    lang = language(request)
    workbook_of.write(path, table, lang, api.results_provenance(database, table).rows(lang))
    return _file(path, folder, XLSX)


@router.post("/export.xlsx")
async def export_table(request: Request, user: Signed) -> Response:
    """A table of the page the reader is on, as they see it, as a workbook (built from what the page sends, so it
    can hold nothing they were not shown)."""
    import json

    from eipkit.reports.table_workbook import ExportRefused, ShownTable, to_bytes

    check_csrf(request)
    lang = language(request)
    try:
        table = ShownTable.parse(json.loads(await request.body()))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HTTPException(400, i18n.t("export.not_table", lang)) from None
    except ExportRefused as exc:
        raise HTTPException(400, exc.text(lang)) from None
    content = await heavy(request, user.username, lambda: to_bytes(table))
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="eipkit.xlsx"'},
    )


Typed = Callable[[dict[str, list[str]], str], dict[str, Any]]


async def _problem_file(request: Request, typed: Typed | None = None, *inputs: str) -> tuple[dict[str, str], Any]:
    """The posted form and its problem: typed into the form's rows when any of `inputs` holds something (`typed`
    reads them), else an uploaded JSON file or JSON pasted in the text box."""
    import json

    from eipkit.web import forms

    form = await request.form()
    fields = await checked_form(request)
    lang = language(request)
    listed = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}
    if typed is not None and forms.typed(listed, *inputs):
        try:
            return fields, typed(listed, lang)
        except forms.FormRefused as exc:
            raise HTTPException(400, exc.text(lang)) from None
    upload = form.get("file")
    try:
        text = (await upload.read()).decode("utf-8") if isinstance(upload, UploadFile) and upload.filename else ""
        return fields, json.loads(text or fields.get("problem", ""))
    except json.JSONDecodeError as exc:
        raise HTTPException(400, i18n.t("web.not_json", lang, line=exc.lineno, column=exc.colno)) from None
    except UnicodeDecodeError:
        raise HTTPException(400, i18n.t("web.not_json", lang, line=1, column=1)) from None


@router.get("/tools")
def tools(request: Request, user: Signed) -> Response:
    return _tools(request, user)


def _tools(request: Request, user: User, **results: Any) -> Response:
    """The calculators' page, with the answer just computed if any (water, exchange or pareto)."""
    from eipkit.symbiosis.candidates import transport_defaults
    from eipkit.web.forms import DEMAND_COLUMNS, ROWS_SHOWN, SUPPLY_COLUMNS

    answers = {"water": None, "exchange": None, "pareto": None, **results}
    tables = (("form.supplies", "supply", SUPPLY_COLUMNS), ("form.demands", "demand", DEMAND_COLUMNS))
    return render(
        request, "tools.html.j2", user, rows=ROWS_SHOWN, exchange_tables=tables, haulage=transport_defaults(), **answers
    )


@router.post("/tools/water")
async def water_tool(request: Request, user: Signed) -> Response:
    """Water reuse between enterprises under contaminant limits: a calculator, nothing is stored."""
    from eipkit.web import forms

    _, data = await _problem_file(request, forms.water_problem, "source_flow", "sink_demand")
    result = await _calculated(request, user, work.water_reuse, data)
    return _tools(request, user, water=result)


@router.post("/tools/exchange")
async def exchange_tool(request: Request, user: Signed) -> Response:
    """The exchange network of a problem typed row by row or of a problem file, for one objective or as the
    money/CO2 trade-off."""
    from eipkit.web import forms

    lang = language(request)
    fields, data = await _problem_file(request, forms.exchange_problem, "supply_quantity", "demand_capacity")
    try:
        points = int(fields.get("pareto") or 0)
    except ValueError:
        raise HTTPException(400, i18n.t("web.bad_points", lang)) from None
    objective = fields.get("objective", "cost")
    if objective not in ("cost", "co2"):
        raise HTTPException(400, i18n.t("web.bad_objective", lang))
    result = await _calculated(request, user, work.exchange_network, data, objective, points)
    if points >= 2:
        return _tools(request, user, pareto=result)
    return _tools(request, user, exchange=result)


async def _calculated(request: Request, user: User, function: Any, *args: Any) -> Any:
    """A calculator's answer from a worker process; a problem file at fault is a 400 naming every field."""
    from eipkit.symbiosis.problem import ProblemError

    try:
        return await apart(request, user.username, function, *args)
    except ProblemError as exc:
        raise HTTPException(400, exc.text(language(request))) from None


@router.get("/audit")
def audit(request: Request, user: Signed) -> Response:
    """The trail of changes: a park's people see their parks' changes; an enterprise sees its own."""
    _allow(request, user.role != "ministry")
    database, cache = _state(request)
    parks = [p.park_id for p in page_data.places(database, cache).values() if access.edits(user, p)]
    entries = users.audit_log(database, 300, park_ids=parks, username=user.username)
    return render(request, "audit.html.j2", user, entries=entries)

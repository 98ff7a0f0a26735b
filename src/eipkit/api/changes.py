"""Changes made by a person: each checks the person's right on the stored object (never on what the request says),
then writes the change and its audit entry in one transaction, so neither lands without the other.

An id that names an object elsewhere than the place the person acts on (an application of another park sent
through this park's page, an assessment of another enterprise) is answered as not found, so ids cannot be probed.
The web pages, the REST API and the command line's audited commands call these; none writes through the store.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eipkit import access, provinces, users
from eipkit.access import Place, User
from eipkit.api.certification import checked_step
from eipkit.api.monitoring import (
    attribute_measured_savings,
    checked_move,
    enterprise_measured_savings,
    store_saving_values,
)
from eipkit.api.recp import checked_task
from eipkit.api.symbiosis import solve_symbiosis, store_links, symbiosis_candidates
from eipkit.errors import NotAllowed, NotFound
from eipkit.i18n import Message
from eipkit.model import Assessment
from eipkit.store import Database, repository, schema, state
from eipkit.workbooks.importer import ImportResult, import_path
from eipkit.workbooks.validate import Problem, ValidWorkbook
from eipkit.workbooks.workbook import NO_LIMITS, Limits

OPPORTUNITY_FIELDS = ("stage", "basis", "cost_saving_vnd", "electricity_mwh", "water_m3", "waste_t", "co2e_t")


def _park_place(session: Session, park_id: str) -> Place:
    stored = session.get(schema.Park, park_id)
    if stored is None:
        raise NotFound("nf.park", park=park_id)
    return Place(stored.park_id, stored.province)


def _enterprise_place(session: Session, enterprise_id: str) -> Place:
    stored = session.get(schema.Enterprise, enterprise_id)
    if stored is None:
        raise NotFound("nf.enterprise", enterprise=enterprise_id)
    return Place(stored.park_id, _park_place(session, stored.park_id).province, enterprise_id)


def _require(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed


# --- workbooks ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PlacedRow:
    sheet: str
    row: int
    place: Place
    what: str
    move: Problem | None = None


def _placed_rows(valid: ValidWorkbook, session: Session) -> list[_PlacedRow]:
    """Where each row of a workbook belongs: the stored place of its record, else the place the workbook gives a
    new one; a row that would move a stored enterprise, park or opportunity elsewhere carries that problem."""
    province = {p.park_id: p.province for p in repository.parks(session)}
    stored_province = dict(province)
    for row in valid.rows.get("parks", []):
        province.setdefault(row.values["park_id"], row.values["province"])
    stored_park = {e.enterprise_id: e.park_id for e in repository.all_enterprises(session)}
    park_of = dict(stored_park)
    for row in valid.rows.get("enterprises", []):
        park_of.setdefault(row.values["enterprise_id"], row.values["park_id"])
    opportunity_ids = [r.values["opportunity_id"] for r in valid.rows.get("opportunities", [])]
    stored_opportunity: dict[str, str] = {}
    for start in range(0, len(opportunity_ids), 500):
        query = select(schema.Opportunity.opportunity_id, schema.Opportunity.park_id).where(
            schema.Opportunity.opportunity_id.in_(opportunity_ids[start : start + 500])
        )
        stored_opportunity.update({o: p for o, p in session.execute(query)})
    placed = []
    for sheet, rows in valid.rows.items():
        for row in rows:
            values, move = row.values, None
            if sheet == "parks":
                park = what = values["park_id"]
                if stored_province.get(park, values["province"]) != values["province"]:
                    message = Message("err.moves_park", park=park, stored=province[park], new=values["province"])
                    move = Problem(sheet, row.row, "province", message)
                place = Place(park, province[park])
            elif sheet == "opportunities":
                park, what = values["park_id"], values["opportunity_id"]
                if stored_opportunity.get(what, park) != park:
                    message = Message(
                        "err.moves_opportunity", opportunity=what, stored=stored_opportunity[what], new=park
                    )
                    move = Problem(sheet, row.row, "park_id", message)
                place = Place(park, province.get(park, ""))
            else:
                what = values["enterprise_id"]
                if sheet == "enterprises" and stored_park.get(what, values["park_id"]) != values["park_id"]:
                    message = Message(
                        "err.moves_enterprise", enterprise=what, stored=stored_park[what], new=values["park_id"]
                    )
                    move = Problem(sheet, row.row, "park_id", message)
                park = park_of.get(what, "")
                place = Place(park, province.get(park, ""), what)
            placed.append(_PlacedRow(sheet, row.row, place, what, move))
    return placed


def import_refusals(user: User, valid: ValidWorkbook, session: Session) -> list[Problem]:
    """The rows of a workbook this person may not write, judged on where each record is stored now and where the
    row would put it. A row that would move a stored enterprise, park or opportunity elsewhere is refused too: moving is
    its own action (`move_enterprise`), checked against both places and audited.

    Args:
        user: the person acting; what they may change is read from their account, never from the request.
        valid: the workbook, already checked against the contract.
        session: the caller's open session.

    Examples:
        >>> with database.sessions() as session:
        ...     changes.import_refusals(user, valid, session)
    """
    return _refusals(user, _placed_rows(valid, session))


def _refusals(user: User, placed: list[_PlacedRow]) -> list[Problem]:
    refused = []
    for row in placed:
        if row.move is not None:
            refused.append(row.move)
        elif not access.edits(user, row.place):
            refused.append(Problem(row.sheet, row.row, "", Message("err.not_allowed", what=row.what)))
    return refused


def import_workbook(
    database: Database, user: User, filename: str, content: bytes, limits: Limits = NO_LIMITS
) -> ImportResult:
    """Import an uploaded workbook when every row is one the person may write; otherwise nothing is stored and the
    problems (invalid cells, rows out of reach, moves) are listed (ImportRejected). The audit entries, one per park
    the rows belong to, are written in the import's own transaction.

    Args:
        database: the store.
        user: the person acting; what they may change is read from their account, never from the request.
        filename: the file's name as uploaded (its ending tells .xlsx from .csv).
        content: the file's bytes.
        limits: the largest workbook accepted (rows, cells, bytes).

    Examples:
        >>> result = changes.import_workbook(database, user, "deepc.xlsx", Path("deepc.xlsx").read_bytes())
        >>> result.rows  # or ImportRejected, listing every problem by sheet, row and column
    """
    shown = Path(filename).name

    def check(valid: ValidWorkbook, session: Session) -> list[Problem]:
        placed = _placed_rows(valid, session)
        refused = _refusals(user, placed)
        if not refused:
            by_park: dict[str, Counter[str]] = {}
            for row in placed:
                by_park.setdefault(row.place.park_id, Counter())[row.sheet] += 1
            for park, counts in sorted(by_park.items()):
                users.audit(session, user, "import", "workbook", shown, after=dict(counts), park_id=park)
        return refused

    suffix = Path(filename).suffix.lower() or ".xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        return import_path(database, path, check=check, source=shown, limits=limits)


# --- places ---------------------------------------------------------------------------------------------------


def move_enterprise(database: Database, user: User, enterprise_id: str, park_id: str) -> None:
    """Move an enterprise to another park: allowed to a person who may change both parks; audited under both.

    Args:
        database: the store.
        user: the person acting; what they may change is read from their account, never from the request.
        enterprise_id: the enterprise moved.
        park_id: the park it now belongs to.

    Examples:
        >>> changes.move_enterprise(database, user, "DEEPC-034", "NAMCAUKIEN")
    """
    with database.transaction() as session:
        old = _enterprise_place(session, enterprise_id)
        _require(access.sees_records(user, old))
        new = _park_place(session, park_id)
        _require(access.moves(user, old, new))
        if old.park_id == new.park_id:
            return
        moved = session.get(schema.Enterprise, enterprise_id)
        assert moved is not None  # its place was found above
        moved.park_id = park_id
        for park in (old.park_id, new.park_id):
            users.audit(
                session, user, "move", "enterprise", enterprise_id, {"park_id": old.park_id}, {"park_id": park_id}, park
            )


def move_park(database: Database, user: User, park_id: str, province: str) -> None:
    """Record that a park now belongs to another province (a corrected record); a former unit's name is read as the
    unit in force.

    Args:
        database: the store.
        user: the person acting; what they may change is read from their account, never from the request.
        park_id: the park.
        province: the province as written ("Long An" is filed under Tây Ninh).

    Examples:
        >>> changes.move_park(database, user, "TANDO", "Long An")
    """
    province = provinces.resolve(province).name
    with database.transaction() as session:
        old = _park_place(session, park_id)
        _require(access.sees_park(user, old))
        _require(access.moves(user, old, Place(park_id, province)))
        if old.province == province:
            return
        park = session.get(schema.Park, park_id)
        assert park is not None  # its place was found above
        park.province = province
        users.audit(session, user, "move", "park", park_id, {"province": old.province}, {"province": province}, park_id)


# --- opportunities --------------------------------------------------------------------------------------------


def _opportunity_state(stored: schema.Opportunity) -> dict[str, Any]:
    return {f: getattr(stored, f) for f in OPPORTUNITY_FIELDS}


def edit_opportunity(
    database: Database,
    user: User,
    opportunity_id: str,
    stage: str | None,
    savings: dict[str, float | None],
    on: dt.date,
) -> dict[str, Any]:
    """Move an opportunity's stage (dated, checked by the pipeline's rules) and set its expected savings, audited.

    Args:
        database: the store.
        user: the person acting; what they may change is read from their account, never from the request.
        opportunity_id: the opportunity.
        stage: the new stage, or None to keep it.
        savings: expected savings by contract column (None clears one).
        on: the day of the change.

    Examples:
        >>> changes.edit_opportunity(database, user, "DEEPC-OP0007", "implementing", {"cost_saving_vnd": 1.2e8},
        ...                          dt.date.today())
    """
    with database.transaction() as session:
        stored = repository.opportunity(session, opportunity_id)
        if stored is None:
            raise NotFound("nf.opportunity", opportunity=opportunity_id)
        _require(access.edits(user, _park_place(session, stored.park_id)))
        state.changes_parks(session, {stored.park_id, *(e.park_id for e in stored.enterprises)})
        before = _opportunity_state(stored)
        if stage and stage != stored.stage:
            checked_move(session, opportunity_id, stage, on, note=f"web: {user.username}")
        if savings:
            repository.set_savings(session, opportunity_id, savings, basis=stored.basis)
        session.flush()
        after = _opportunity_state(stored)
        users.audit(session, user, "edit", "opportunity", opportunity_id, before, after, stored.park_id)
        return after


def optimize_park(
    database: Database, user: User, park_id: str, objective: str, progress: Callable[[Any], None] | None = None
) -> dict[str, Any]:
    """Optimise a park's exchange network with the one engine and store its links as proposed opportunities, with
    the audit entry.

    Args:
        database: the store.
        user: the person acting; what they may change is read from their account, never from the request.
        park_id: the park.
        objective: `cost` or `co2`.
        progress: called with the solver's progress.

    Examples:
        >>> changes.optimize_park(database, user, "DEEPC", "cost")["links"]
    """
    with database.sessions() as session:
        _require(access.edits(user, _park_place(session, park_id)))
    found, solution = solve_symbiosis(database, [park_id], objective=objective, progress=progress)
    result = {
        "links": len(solution.links),
        "net_benefit_vnd_per_year": solution.net_benefit_vnd_per_year,
        "co2e_avoided_t_per_year": solution.co2e_avoided_t_per_year,
        "status": solution.status,
        "method": solution.method,
        "gap": solution.gap,
    }
    with database.transaction() as session:
        _require(access.edits(user, _park_place(session, park_id)))
        store_links(session, found, solution.links)
        users.audit(session, user, "optimize", "park", park_id, after=result, park_id=park_id)
    return result


def propose_candidate(database: Database, user: User, park_id: str, supply: str, demand: str) -> str:
    """One candidate exchange of the park made a proposed symbiosis opportunity, at the largest flow the records
    allow, with the audit entry. The candidate is found again from the stored records (never taken from the request), so
    its figures are the product's. Returns the opportunity's id.

    Args:
        database: the store.
        user: the person acting; what they may change is read from their account, never from the request.
        park_id: the park.
        supply: the candidate's supply (a waste of an enterprise), as the candidates table names it.
        demand: the candidate's demand.

    Examples:
        >>> changes.propose_candidate(database, user, "DEEPC", "DEEPC-001|IS03|Thạch cao thải", "DEEPC-013|IS03|input")
    """
    with database.sessions() as session:
        _require(access.edits(user, _park_place(session, park_id)))
    found = symbiosis_candidates(database, [park_id])
    arcs = found.arcs
    chosen = arcs[(arcs["supply"] == supply) & (arcs["demand"] == demand)]
    if chosen.empty:
        raise NotFound("nf.candidate", supply=supply, demand=demand, park=park_id)
    with database.transaction() as session:
        _require(access.edits(user, _park_place(session, park_id)))
        (opportunity_id,) = store_links(session, found, chosen.assign(flow_t=chosen["upper_t"]))
        after = {"supply": supply, "demand": demand, "flow_t": float(chosen["upper_t"].iloc[0])}
        users.audit(session, user, "propose", "opportunity", opportunity_id, after=after, park_id=park_id)
    return opportunity_id


def apply_measured_savings(
    database: Database, user: User, enterprise_id: str, opportunity_id: str, baseline_year: int, reporting_year: int
) -> dict[str, float]:
    """Savings measured from an enterprise's records, stored on one of its opportunities: its share when other
    measures were implemented in the period too (see `api.attribute_measured_savings`).

    Args:
        database: the store.
        user: the person acting; what they may change is read from their account, never from the request.
        enterprise_id: the enterprise whose meter measured the saving.
        opportunity_id: its opportunity credited.
        baseline_year: the baseline year.
        reporting_year: the year compared.

    Examples:
        >>> changes.apply_measured_savings(database, user, "TANDO-001", "TANDO-OP0301", 2022, 2025)
    """
    measured = enterprise_measured_savings(database, enterprise_id, baseline_year, reporting_year)
    with database.transaction() as session:
        place = _enterprise_place(session, enterprise_id)
        _require(access.edits(user, place))
        attribution = attribute_measured_savings(session, enterprise_id, measured, opportunity_id)
        written = store_saving_values(session, opportunity_id, attribution.shares[opportunity_id])
        after = {"savings": written, "attribution": attribution.as_dict()["measures"]}
        users.audit(session, user, "measure", "opportunity", opportunity_id, after=after, park_id=place.park_id)
    return written


# --- cleaner-production assessments -------------------------------------------------------------------------


def start_assessment(
    database: Database, user: User, enterprise_id: str, focus_area: str, team: Sequence[str], on: dt.date
) -> Assessment:
    """Start an RECP assessment of an enterprise the person may assess, audited.

    Args:
        database: the store.
        user: the person acting; what they may change is read from their account, never from the request.
        enterprise_id: the enterprise.
        focus_area: what the assessment looks at.
        team: the names of the enterprise's team.
        on: the first day.

    Examples:
        >>> changes.start_assessment(database, user, "TANDO-002", "Lò hơi", ["An", "Bình"], dt.date.today())
    """
    with database.transaction() as session:
        place = _enterprise_place(session, enterprise_id)
        _require(access.edits(user, place))
        started = repository.start_assessment(session, enterprise_id, focus_area, team, on)
        after = {"enterprise": enterprise_id, "focus_area": focus_area}
        users.audit(
            session, user, "start", "assessment", str(started.assessment_id), after=after, park_id=place.park_id
        )
        return started


def update_assessment_task(
    database: Database,
    user: User,
    enterprise_id: str,
    assessment_id: int,
    task: int,
    status: str,
    on: dt.date,
    note: str | None = None,
) -> Assessment:
    """Change one of the 18 tasks of an assessment of this enterprise (another enterprise's is not found).

    Args:
        database: the store.
        user: the person acting; what they may change is read from their account, never from the request.
        enterprise_id: the enterprise the assessment belongs to.
        assessment_id: the assessment.
        task: the task's number.
        status: `not_started`, `in_progress`, `done` or `skipped`.
        on: the day of the change.
        note: what was done or found.

    Examples:
        >>> changes.update_assessment_task(database, user, "TANDO-002", 7, 1, "done", dt.date.today())
    """
    return update_assessment_tasks(database, user, enterprise_id, assessment_id, {task: (status, on, note)})


def update_assessment_tasks(
    database: Database,
    user: User,
    enterprise_id: str,
    assessment_id: int,
    changed: dict[int, tuple[str, dt.date, str | None]],
) -> Assessment:
    """Change several tasks of an assessment at once (task -> status, day, note), all or none, each audited.

    Args:
        database: the store.
        user: the person acting; what they may change is read from their account, never from the request.
        enterprise_id: the enterprise the assessment belongs to.
        assessment_id: the assessment.
        changed: by task number, its new (status, day, note).

    Examples:
        >>> changes.update_assessment_tasks(database, user, "TANDO-002", 7, {1: ("done", dt.date.today(), None)})
    """
    with database.transaction() as session:
        place = _enterprise_place(session, enterprise_id)
        _require(access.edits(user, place))
        stored = session.get(schema.CpAssessment, assessment_id)
        if stored is None or stored.enterprise_id != enterprise_id:
            raise NotFound("nf.assessment", assessment=assessment_id, enterprise=enterprise_id)
        updated = None
        for task, (status, on, note) in sorted(changed.items()):
            updated = checked_task(session, assessment_id, task, status, on, note)
            after = {"enterprise": enterprise_id, "status": status}
            where = f"{assessment_id}/{task}"
            users.audit(session, user, "task", "assessment", where, after=after, park_id=place.park_id)
        if updated is not None:
            return updated
        return next(a for a in repository.assessments(session, enterprise_id) if a.assessment_id == assessment_id)


# --- certification applications -----------------------------------------------------------------------------


def open_application(database: Database, user: User, park_id: str, submitted: dt.date, procedure: str = "park") -> int:
    """Open a certification application of a park on the day its complete dossier was received; returns its
    number.

    Args:
        database: the store.
        user: the person acting; what they may change is read from their account, never from the request.
        park_id: the park.
        submitted: the day the complete dossier was received.
        procedure: `park`, `enterprise` or `recertify`.

    Examples:
        >>> changes.open_application(database, user, "DEEPC", dt.date(2026, 3, 2))
    """
    from eipkit.certification.procedure import step_ids

    step_ids(procedure)  # refuses an unknown procedure before anything is stored
    with database.transaction() as session:
        _require(access.edits(user, _park_place(session, park_id)))
        number = repository.add_application(session, park_id, None, procedure, submitted).id
        after = {"submitted": submitted, "procedure": procedure}
        users.audit(session, user, "open", "application", str(number), after=after, park_id=park_id)
        return number


def record_application_step(
    database: Database, user: User, park_id: str, application_id: int, step: str, on: dt.date
) -> None:
    """Record a step of an application of this park; an application of another park is not found here.

    Args:
        database: the store.
        user: the person acting; what they may change is read from their account, never from the request.
        park_id: the park the application belongs to.
        application_id: the application's number.
        step: the procedure's step.
        on: the day it was done.

    Examples:
        >>> changes.record_application_step(database, user, "DEEPC", 1, "forward", dt.date(2026, 3, 4))
    """
    with database.transaction() as session:
        _require(access.edits(user, _park_place(session, park_id)))
        stored = session.get(schema.CertificationApplication, application_id)
        if stored is None or stored.park_id != park_id:
            raise NotFound("nf.application", application=application_id, park=park_id)
        checked_step(session, application_id, step, on)
        after = {"step": step, "on": on}
        users.audit(session, user, "step", "application", str(application_id), after=after, park_id=park_id)

"""Moving records between validated workbooks, the stored tables and the domain model."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from eipkit import contract, model
from eipkit.certification.applications import Application, StepDone, check_step
from eipkit.io.validate import KnownIds, Row, ValidWorkbook
from eipkit.monitoring.stages import StageError, StageEvent, check_move
from eipkit.recp.assessment import Assessment, TaskState, updated_task
from eipkit.store import schema

_CHUNK = 500
_LIST_COLUMNS = {"services"}


def known_ids(session: Session) -> KnownIds:
    return KnownIds(
        parks=set(session.scalars(select(schema.Park.park_id))),
        enterprises=set(session.scalars(select(schema.Enterprise.enterprise_id))),
    )


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _columns(row: Row) -> dict[str, Any]:
    values = dict(row.values)
    values.pop("enterprise_ids", None)
    for name in _LIST_COLUMNS & values.keys():
        values[name] = ";".join(values[name]) if values[name] else None
    return values


def save(session: Session, workbook: ValidWorkbook, source: str) -> dict[str, dict[str, int]]:
    """Insert new rows and update those whose id or natural key is already stored.

    Runs inside the caller's transaction, so a failure anywhere leaves the database as it was.
    """
    counts: dict[str, dict[str, int]] = {}
    for name, sheet in contract.sheets().items():
        rows = workbook.rows.get(name, [])
        if not rows:
            continue
        table = schema.RECORD_TABLES[name]
        if name == "opportunities":
            stages_before = stages_of(session, [r.values["opportunity_id"] for r in rows])
        if len(sheet.key) == 1:
            counts[name] = _save_entities(session, table, sheet.key[0], rows)
        else:
            counts[name] = _save_records(session, table, sheet.key, rows)
        session.flush()
        if name == "opportunities":
            _keep_expected(session, rows)
            _link_enterprises(session, rows)
            record_stage_changes(session, stages_before, dt.date.today(), note=f"import: {source[-200:]}")
    session.add(
        schema.ImportLog(
            imported_at=dt.datetime.now(dt.UTC),
            source=source[-1000:],
            rows=json.dumps(counts, sort_keys=True),
        )
    )
    return counts


def _keep_expected(session: Session, rows: list[Row]) -> None:
    """Imported opportunities whose savings are expected: their cost saving is also the expected one."""
    ids = [r.values["opportunity_id"] for r in rows if r.values.get("basis") == "expected"]
    for chunk in _chunks(ids):
        for stored in session.scalars(select(schema.Opportunity).where(schema.Opportunity.opportunity_id.in_(chunk))):
            stored.expected_cost_saving_vnd = stored.cost_saving_vnd


def _save_entities(session: Session, table: type, key: str, rows: list[Row]) -> dict[str, int]:
    existing = {}
    for chunk in _chunks([r.values[key] for r in rows]):
        query = select(table).where(getattr(table, key).in_(chunk))
        existing.update({(getattr(o, key),): o for o in session.scalars(query)})
    return _upsert(session, table, (key,), rows, existing)


def _save_records(session: Session, table: type, key: tuple[str, ...], rows: list[Row]) -> dict[str, int]:
    existing = {}
    for chunk in _chunks(sorted({r.values["enterprise_id"] for r in rows})):
        for stored in session.scalars(select(table).where(table.enterprise_id.in_(chunk))):
            existing[tuple(getattr(stored, k) for k in key)] = stored
    return _upsert(session, table, key, rows, existing)


def _upsert(
    session: Session, table: type, key: tuple[str, ...], rows: list[Row], existing: dict[tuple, Any]
) -> dict[str, int]:
    """Update the stored row of each key, insert the rest."""
    inserted = updated = 0
    for row in rows:
        values = _columns(row)
        stored = existing.get(tuple(values[k] for k in key))
        if stored is None:
            session.add(table(**values))
            inserted += 1
        else:
            for column, value in values.items():
                setattr(stored, column, value)
            updated += 1
    return {"inserted": inserted, "updated": updated}


def _link_enterprises(session: Session, rows: list[Row]) -> None:
    links = schema.opportunity_enterprises
    ids = [r.values["opportunity_id"] for r in rows]
    for chunk in _chunks(ids):
        session.execute(delete(links).where(links.c.opportunity_id.in_(chunk)))
    pairs = [
        {"opportunity_id": r.values["opportunity_id"], "enterprise_id": e, "position": i}
        for r in rows
        for i, e in enumerate(r.values.get("enterprise_ids") or [])
    ]
    if pairs:
        session.execute(insert(links), pairs)


def _park(o: schema.Park) -> model.Park:
    return model.Park(
        park_id=o.park_id,
        name=o.name,
        province=o.province,
        area_ha=o.area_ha,
        lat=o.lat,
        lon=o.lon,
        green_area_ha=o.green_area_ha,
        industrial_land_ha=o.industrial_land_ha,
        established_year=o.established_year,
        investor=o.investor,
        wwtp_capacity_m3_per_day=o.wwtp_capacity_m3_per_day,
        services=tuple(o.services.split(";")) if o.services else (),
        investor_violations_3y=o.investor_violations_3y,
        io_monitoring=o.io_monitoring,
        last_annual_report_year=o.last_annual_report_year,
        kind=o.kind or "industrial_park",
        province_as_written=o.province_as_written,
    )


def _enterprise(o: schema.Enterprise) -> model.Enterprise:
    return model.Enterprise(
        enterprise_id=o.enterprise_id,
        park_id=o.park_id,
        name=o.name,
        vsic=o.vsic,
        employees=o.employees,
        lat=o.lat,
        lon=o.lon,
        iso_14001=o.iso_14001,
        iso_50001=o.iso_50001,
        iso_9001=o.iso_9001,
        violations_3y=o.violations_3y,
    )


def parks(session: Session, province: str | None = None) -> list[model.Park]:
    query = select(schema.Park).order_by(schema.Park.park_id)
    if province is not None:
        query = query.where(schema.Park.province == province)
    return [_park(o) for o in session.scalars(query)]


def park(session: Session, park_id: str) -> model.Park | None:
    stored = session.get(schema.Park, park_id)
    return _park(stored) if stored else None


def enterprise(session: Session, enterprise_id: str) -> model.Enterprise | None:
    stored = session.get(schema.Enterprise, enterprise_id)
    return _enterprise(stored) if stored else None


def enterprises(session: Session, park_id: str) -> list[model.Enterprise]:
    query = (
        select(schema.Enterprise).where(schema.Enterprise.park_id == park_id).order_by(schema.Enterprise.enterprise_id)
    )
    return [_enterprise(o) for o in session.scalars(query)]


def records(session: Session, enterprise_ids: Sequence[str], year: int | None = None) -> model.Records:
    """Yearly records of these enterprises (of one year, if given), in canonical units."""
    result = model.Records()
    ids = list(enterprise_ids)
    for chunk in _chunks(ids):

        def rows(table: type, chunk: Sequence[str] = chunk) -> Iterable[Any]:
            query = select(table).where(table.enterprise_id.in_(chunk))
            if year is not None:
                query = query.where(table.year == year)
            return session.scalars(query.order_by(table.enterprise_id, table.year, table.id))

        result.energy += [
            model.EnergyUse(o.enterprise_id, o.year, o.carrier, o.energy_gj, o.cost_vnd)
            for o in rows(schema.EnergyRecord)
        ]
        result.water += [
            model.WaterUse(o.enterprise_id, o.year, o.kind, o.volume_m3, o.cost_vnd) for o in rows(schema.WaterRecord)
        ]
        result.materials += [
            model.MaterialUse(o.enterprise_id, o.year, o.material, o.mass_t, bool(o.chemical), o.cost_vnd)
            for o in rows(schema.MaterialRecord)
        ]
        result.waste += [
            model.WasteFlow(
                o.enterprise_id,
                o.year,
                o.waste,
                o.mass_t,
                o.fate,
                bool(o.hazardous),
                o.waste_code,
                o.receiver,
                o.cost_vnd,
            )
            for o in rows(schema.WasteRecord)
        ]
        result.production += [
            model.Output(o.enterprise_id, o.year, o.product, o.canonical_quantity, o.canonical_unit, o.value_vnd)
            for o in rows(schema.ProductionRecord)
        ]
    return result


def opportunities(session: Session, park_id: str) -> list[model.Opportunity]:
    return opportunities_where(session, [park_id])


def _cell(column: contract.Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "bool":
        return "yes" if value else "no"
    return value


def export_rows(session: Session, park_id: str) -> dict[str, list[dict[str, Any]]]:
    """A park's records as contract rows, in the units they were given: they import back unchanged."""
    sheets = contract.sheets()
    stored_park = session.get(schema.Park, park_id)
    if stored_park is None:
        raise KeyError(park_id)
    result: dict[str, list[dict[str, Any]]] = {}
    members = session.scalars(
        select(schema.Enterprise).where(schema.Enterprise.park_id == park_id).order_by(schema.Enterprise.enterprise_id)
    ).all()
    member_ids = [e.enterprise_id for e in members]

    def as_row(name: str, o: Any) -> dict[str, Any]:
        return {c.name: _cell(c, getattr(o, c.name, None)) for c in sheets[name].columns}

    result["parks"] = [as_row("parks", stored_park)]
    result["enterprises"] = [as_row("enterprises", e) for e in members]
    for name in ("energy", "water", "materials", "waste", "production"):
        table = schema.RECORD_TABLES[name]
        result[name] = []
        for chunk in _chunks(member_ids):
            query = (
                select(table).where(table.enterprise_id.in_(chunk)).order_by(table.enterprise_id, table.year, table.id)
            )
            result[name] += [as_row(name, o) for o in session.scalars(query)]
    result["opportunities"] = []
    for o in session.scalars(
        select(schema.Opportunity)
        .where(schema.Opportunity.park_id == park_id)
        .order_by(schema.Opportunity.opportunity_id)
    ):
        row = as_row("opportunities", o)
        row["enterprise_ids"] = ";".join(e.enterprise_id for e in o.enterprises) or None
        result["opportunities"].append(row)
    return result


def _event(o: schema.OpportunityEvent) -> StageEvent:
    return StageEvent(o.opportunity_id, o.occurred_on, o.stage, o.previous, o.basis, o.note)


def record_stage_changes(session: Session, before: dict[str, str | None], on: dt.date, note: str) -> None:
    """After an import, one event for each opportunity that is new or whose stage changed."""
    now = dt.datetime.now(dt.UTC)
    ids = list(before)
    for chunk in _chunks(ids):
        for o in session.scalars(select(schema.Opportunity).where(schema.Opportunity.opportunity_id.in_(chunk))):
            previous = before[o.opportunity_id]
            if previous != o.stage:
                session.add(
                    schema.OpportunityEvent(
                        opportunity_id=o.opportunity_id,
                        occurred_on=on,
                        stage=o.stage,
                        previous=previous,
                        basis=o.basis,
                        note=note,
                        recorded_at=now,
                    )
                )


def stages_of(session: Session, opportunity_ids: Sequence[str]) -> dict[str, str | None]:
    result: dict[str, str | None] = dict.fromkeys(opportunity_ids)
    for chunk in _chunks(list(opportunity_ids)):
        query = select(schema.Opportunity.opportunity_id, schema.Opportunity.stage).where(
            schema.Opportunity.opportunity_id.in_(chunk)
        )
        result.update({row[0]: row[1] for row in session.execute(query)})
    return result


def opportunity(session: Session, opportunity_id: str) -> schema.Opportunity | None:
    return session.get(schema.Opportunity, opportunity_id)


def move_stage(
    session: Session, opportunity_id: str, stage: str, on: dt.date, basis: str | None = None, note: str | None = None
) -> StageEvent:
    """Move an opportunity to `stage` on date `on`, keeping the trail; refuses moves the pipeline forbids."""
    stored = session.get(schema.Opportunity, opportunity_id)
    if stored is None:
        raise KeyError(opportunity_id)
    check_move(stored.stage, stage)
    last = session.scalar(
        select(schema.OpportunityEvent.occurred_on)
        .where(schema.OpportunityEvent.opportunity_id == opportunity_id)
        .order_by(schema.OpportunityEvent.occurred_on.desc())
        .limit(1)
    )
    if last is not None and on < last:
        raise StageError("err.stage_date", on=on.isoformat(), last=last.isoformat())
    previous = stored.stage
    stored.stage = stage
    if basis is not None:
        stored.basis = basis
    if stage == "implemented" and stored.year_implemented is None:
        stored.year_implemented = on.year
    event = schema.OpportunityEvent(
        opportunity_id=opportunity_id,
        occurred_on=on,
        stage=stage,
        previous=previous,
        basis=stored.basis,
        note=note,
        recorded_at=dt.datetime.now(dt.UTC),
    )
    session.add(event)
    session.flush()
    return _event(event)


def history(session: Session, opportunity_id: str) -> list[StageEvent]:
    query = (
        select(schema.OpportunityEvent)
        .where(schema.OpportunityEvent.opportunity_id == opportunity_id)
        .order_by(schema.OpportunityEvent.occurred_on, schema.OpportunityEvent.id)
    )
    return [_event(o) for o in session.scalars(query)]


SAVING_COLUMNS = (
    "electricity_mwh",
    "fuel_gj",
    "water_m3",
    "materials_t",
    "chemicals_t",
    "waste_t",
    "cost_saving_vnd",
    "co2e_t",
)


def set_savings(session: Session, opportunity_id: str, savings: dict[str, float | None], basis: str) -> None:
    """Set an opportunity's yearly savings; the expected cost saving is kept apart (`expected_cost_saving_vnd`)
    when it is an expected one, so that measured savings replacing it can still be shared in its proportion."""
    stored = session.get(schema.Opportunity, opportunity_id)
    if stored is None:
        raise KeyError(opportunity_id)
    if stored.basis == "expected" and stored.expected_cost_saving_vnd is None:
        stored.expected_cost_saving_vnd = stored.cost_saving_vnd
    if basis == "expected" and "cost_saving_vnd" in savings:
        stored.expected_cost_saving_vnd = savings["cost_saving_vnd"]
    for column, value in savings.items():
        if column not in SAVING_COLUMNS:
            raise ValueError(f"'{column}' is not a saving column")
        setattr(stored, column, value)
    stored.basis = basis


def opportunities_where(session: Session, park_ids: Sequence[str] | None = None) -> list[model.Opportunity]:
    """Opportunities of these parks (all parks if None)."""
    query = select(schema.Opportunity).order_by(schema.Opportunity.opportunity_id)
    if park_ids is not None:
        query = query.where(schema.Opportunity.park_id.in_(list(park_ids)))
    columns = [c.name for c in contract.sheets()["opportunities"].columns if c.name != "enterprise_ids"]
    return [
        model.Opportunity(
            **{c: getattr(o, c) for c in columns}, enterprise_ids=tuple(e.enterprise_id for e in o.enterprises)
        )
        for o in session.scalars(query)
    ]


def all_enterprises(session: Session) -> list[model.Enterprise]:
    return [
        _enterprise(o) for o in session.scalars(select(schema.Enterprise).order_by(schema.Enterprise.enterprise_id))
    ]


def _assessment(session: Session, o: schema.CpAssessment) -> Assessment:
    tasks = session.scalars(
        select(schema.CpTaskState).where(schema.CpTaskState.assessment_id == o.id).order_by(schema.CpTaskState.task)
    )
    opportunity_ids = session.scalars(
        select(schema.Opportunity.opportunity_id)
        .where(schema.Opportunity.assessment_id == o.id)
        .order_by(schema.Opportunity.opportunity_id)
    )
    return Assessment(
        assessment_id=o.id,
        enterprise_id=o.enterprise_id,
        focus_area=o.focus_area,
        team=tuple(o.team.split(";")) if o.team else (),
        consultant=o.consultant,
        started_on=o.started_on,
        tasks=tuple(TaskState(t.task, t.status, t.started_on, t.completed_on, t.note) for t in tasks),
        opportunity_ids=tuple(opportunity_ids),
    )


def start_assessment(
    session: Session,
    enterprise_id: str,
    focus_area: str,
    team: Sequence[str],
    started_on: dt.date,
    consultant: str | None = None,
) -> Assessment:
    if session.get(schema.Enterprise, enterprise_id) is None:
        raise KeyError(enterprise_id)
    stored = schema.CpAssessment(
        enterprise_id=enterprise_id,
        focus_area=focus_area,
        team=";".join(team) or None,
        consultant=consultant,
        started_on=started_on,
    )
    session.add(stored)
    session.flush()
    session.add_all(
        schema.CpTaskState(assessment_id=stored.id, task=task, status="not_started") for task in range(1, 19)
    )
    session.flush()
    return _assessment(session, stored)


def update_task(
    session: Session, assessment_id: int, task: int, status: str, on: dt.date, note: str | None = None
) -> Assessment:
    stored = session.get(schema.CpTaskState, (assessment_id, task))
    if stored is None:
        raise KeyError(f"assessment {assessment_id} task {task}")
    current = TaskState(stored.task, stored.status, stored.started_on, stored.completed_on, stored.note)
    new = updated_task(current, status, on, note)
    stored.status, stored.started_on, stored.completed_on, stored.note = (
        new.status,
        new.started_on,
        new.completed_on,
        new.note,
    )
    session.flush()
    return _assessment(session, session.get(schema.CpAssessment, assessment_id))


def link_opportunity(session: Session, assessment_id: int, opportunity_id: str) -> None:
    stored = session.get(schema.Opportunity, opportunity_id)
    if stored is None or session.get(schema.CpAssessment, assessment_id) is None:
        raise KeyError(opportunity_id if stored is None else f"assessment {assessment_id}")
    stored.assessment_id = assessment_id


def assessments(session: Session, enterprise_id: str) -> list[Assessment]:
    query = (
        select(schema.CpAssessment)
        .where(schema.CpAssessment.enterprise_id == enterprise_id)
        .order_by(schema.CpAssessment.started_on, schema.CpAssessment.id)
    )
    return [_assessment(session, o) for o in session.scalars(query)]


def propose_opportunity(
    session: Session, opportunity_id: str, values: dict[str, Any], enterprise_ids: Sequence[str], year: int
) -> None:
    """Create or refresh a proposed opportunity; one already past 'proposed' keeps its stage and basis."""
    stored = session.get(schema.Opportunity, opportunity_id)
    if stored is None:
        stored = schema.Opportunity(
            opportunity_id=opportunity_id,
            stage="proposed",
            year_identified=year,
            expected_cost_saving_vnd=values.get("cost_saving_vnd"),
            **values,
        )
        session.add(stored)
        session.flush()
        session.add(
            schema.OpportunityEvent(
                opportunity_id=opportunity_id,
                occurred_on=dt.date.today(),
                stage="proposed",
                previous=None,
                basis=values.get("basis"),
                note="symbiosis optimisation",
                recorded_at=dt.datetime.now(dt.UTC),
            )
        )
    else:
        keep = {"stage", "basis"} if stored.stage not in ("identified", "proposed") else set()
        for column, value in values.items():
            if column not in keep:
                setattr(stored, column, value)
    links = schema.opportunity_enterprises
    session.execute(delete(links).where(links.c.opportunity_id == opportunity_id))
    session.execute(
        insert(links),
        [{"opportunity_id": opportunity_id, "enterprise_id": e, "position": i} for i, e in enumerate(enterprise_ids)],
    )


def _application(o: schema.CertificationApplication, steps: list[schema.ApplicationStep]) -> Application:
    done = [StepDone(s.step, s.occurred_on, s.note) for s in sorted(steps, key=lambda s: (s.occurred_on, s.id))]
    return Application(o.id, o.park_id, o.enterprise_id, o.procedure, o.submitted_on, done)


def add_application(
    session: Session, park_id: str, enterprise_id: str | None, procedure: str, submitted: dt.date
) -> Application:
    stored = schema.CertificationApplication(
        park_id=park_id,
        enterprise_id=enterprise_id,
        procedure=procedure,
        submitted_on=submitted,
        recorded_at=dt.datetime.now(dt.UTC),
    )
    session.add(stored)
    session.flush()
    return _application(stored, [])


def applications(
    session: Session, park_ids: Sequence[str] | None = None, ids: Sequence[int] | None = None
) -> list[Application]:
    query = select(schema.CertificationApplication).order_by(schema.CertificationApplication.id)
    if park_ids is not None:
        query = query.where(schema.CertificationApplication.park_id.in_(park_ids))
    if ids is not None:
        query = query.where(schema.CertificationApplication.id.in_(ids))
    found = list(session.scalars(query))
    steps: dict[int, list[schema.ApplicationStep]] = {o.id: [] for o in found}
    if found:
        for s in session.scalars(
            select(schema.ApplicationStep).where(schema.ApplicationStep.application_id.in_(steps))
        ):
            steps[s.application_id].append(s)
    return [_application(o, steps[o.id]) for o in found]


def record_application_step(
    session: Session, application_id: int, step: str, on: dt.date, note: str | None = None
) -> None:
    """Record a step (or the outcome) of an application, refused when out of order or dated back."""
    found = applications(session, ids=[application_id])
    if not found:
        raise KeyError(application_id)
    check_step(found[0], step, on)
    session.add(
        schema.ApplicationStep(
            application_id=application_id, step=step, occurred_on=on, note=note, recorded_at=dt.datetime.now(dt.UTC)
        )
    )
    session.flush()

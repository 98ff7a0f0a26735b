"""Moving records between validated workbooks, the stored tables and the domain model."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session

from eipkit import contract, model
from eipkit.model import Application, Assessment, StageEvent, StepDone, TaskState
from eipkit.store import bulk, schema
from eipkit.vocabulary import Stage

_CHUNK = 500
_LIST_COLUMNS = {"services"}


@dataclass
class Stored:
    """The ids stored when an import began, and those it has inserted since: a row whose id is not among them is
    new without a query (a query per batch over tables growing inside one transaction is what made a national
    load slow down batch after batch on PostgreSQL, whose statistics do not see the rows not yet committed)."""

    parks: set[str]
    enterprises: set[str]
    opportunities: set[str]


def stored_ids(session: Session) -> Stored:
    return Stored(
        parks=set(session.scalars(select(schema.Park.park_id))),
        enterprises=set(session.scalars(select(schema.Enterprise.enterprise_id))),
        opportunities=set(session.scalars(select(schema.Opportunity.opportunity_id))),
    )


_LOADED_IN_BULK = ("enterprises", "energy", "water", "materials", "waste", "production", "opportunities")


@contextmanager
def first_load(session: Session) -> Iterator[bool]:
    """Where an import is the first into an empty database (the national dataset), the tables it fills in bulk
    get their keys built once at the end (`bulk.keys_built_after`; the parks it refers to keep theirs) and their
    COPYs are sent from a second thread while the caller checks the next rows (`bulk.copies_sent_aside`). Yields
    whether it is such a load."""
    tables = [schema.RECORD_TABLES[name].__table__ for name in _LOADED_IN_BULK]
    tables += [schema.opportunity_enterprises, schema.OpportunityEvent.__table__]
    with (
        bulk.keys_built_after(session, tables) as set_aside,  # type: ignore[arg-type]
        bulk.copies_sent_aside(session) if set_aside else contextlib.nullcontext(),
    ):
        yield set_aside


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    values.pop("enterprise_ids", None)
    for name in _LIST_COLUMNS & values.keys():
        values[name] = ";".join(values[name]) if values[name] else None
    return values


Rows = Sequence[dict[str, Any]]


def save(
    session: Session, sheets: Mapping[str, Rows], source: str, stored: Stored | None = None, log: bool = True
) -> dict[str, dict[str, int]]:
    """Insert new rows and update those whose id or natural key is already stored, in bulk (`sheets`: checked
    rows of the contract's sheets, column -> typed value). `stored` is updated with the ids inserted.

    Runs inside the caller's transaction, so a failure anywhere leaves the database as it was.
    """
    stored = stored or stored_ids(session)
    enterprises_before = set(stored.enterprises)  # those inserted below have no records stored yet
    counts: dict[str, dict[str, int]] = {}
    for name, sheet in contract.sheets().items():
        rows = sheets.get(name, [])
        if not rows:
            continue
        table = schema.RECORD_TABLES[name]
        if name == "opportunities":
            counts[name] = _save_opportunities(session, rows, stored.opportunities, source)
        elif len(sheet.key) == 1:
            counts[name] = _save_entities(session, table, sheet.key[0], rows, getattr(stored, name))
        else:
            counts[name] = _save_records(session, table, sheet.key, rows, enterprises_before)
    if log:
        log_import(session, source, counts)
    return counts


def log_import(session: Session, source: str, counts: dict[str, dict[str, int]]) -> None:
    session.add(
        schema.ImportLog(
            imported_at=dt.datetime.now(dt.UTC),
            source=source[-1000:],
            rows=json.dumps(counts, sort_keys=True),
        )
    )


def _save_opportunities(session: Session, rows: Rows, stored: set[str], source: str) -> dict[str, int]:
    """Opportunities with their enterprises, an event for each new one or changed stage, and, where the savings
    are expected, their cost saving kept as the expected one."""
    table: Any = schema.Opportunity.__table__
    before = _stages_of(session, [r["opportunity_id"] for r in rows if r["opportunity_id"] in stored])
    new, changed = [], []
    for row in rows:
        values = _columns(row)
        if row["opportunity_id"] in before:
            changed.append(values)
        else:
            values["expected_cost_saving_vnd"] = values["cost_saving_vnd"] if row.get("basis") == "expected" else None
            new.append(values)
    bulk.insert_rows(session, table, new)
    bulk.update_rows(session, table, "opportunity_id", changed)
    expected = [r["opportunity_id"] for r in changed if r.get("basis") == "expected"]
    for chunk in _chunks(expected):
        keep = update(table).where(table.c.opportunity_id.in_(chunk))
        session.execute(keep.values(expected_cost_saving_vnd=table.c.cost_saving_vnd))
    links = schema.opportunity_enterprises
    for chunk in _chunks(list(before)):
        session.execute(delete(links).where(links.c.opportunity_id.in_(chunk)))
    pairs = [
        {"opportunity_id": r["opportunity_id"], "enterprise_id": e, "position": i}
        for r in rows
        for i, e in enumerate(r.get("enterprise_ids") or [])
    ]
    bulk.insert_rows(session, links, pairs)
    today, now, note = dt.date.today(), dt.datetime.now(dt.UTC), f"import: {source[-200:]}"
    events = [
        {
            "opportunity_id": r["opportunity_id"],
            "occurred_on": today,
            "stage": r["stage"],
            "previous": before.get(r["opportunity_id"]),
            "basis": r.get("basis"),
            "note": note,
            "recorded_at": now,
        }
        for r in rows
        if before.get(r["opportunity_id"]) != r["stage"]
    ]
    bulk.insert_rows(session, schema.OpportunityEvent.__table__, events)
    if changed:
        session.expire_all()
    stored.update(r["opportunity_id"] for r in new)
    return {"inserted": len(new), "updated": len(changed)}


def _save_entities(session: Session, table: Any, key: str, rows: Rows, stored: set[str]) -> dict[str, int]:
    new = [_columns(r) for r in rows if r[key] not in stored]
    changed = [_columns(r) for r in rows if r[key] in stored]
    bulk.insert_rows(session, table.__table__, new)
    bulk.update_rows(session, table.__table__, key, changed)
    if changed:
        session.expire_all()  # objects this session loaded earlier must not show the values written over
    stored.update(r[key] for r in new)
    return {"inserted": len(new), "updated": len(changed)}


def _save_records(
    session: Session, table: Any, key: tuple[str, ...], rows: Rows, enterprises: set[str]
) -> dict[str, int]:
    """Yearly records: only an enterprise stored before may have records to update."""
    existing = {}
    for chunk in _chunks(sorted({r["enterprise_id"] for r in rows} & enterprises)):
        query = select(table.id, *(getattr(table, k) for k in key)).where(table.enterprise_id.in_(chunk))
        existing.update({tuple(found[1:]): found[0] for found in session.execute(query)})
    if not existing:
        bulk.insert_rows(session, table.__table__, rows)  # record sheets have no list columns to join
        return {"inserted": len(rows), "updated": 0}
    new, changed = [], []
    for row in rows:
        found = existing.get(tuple(row[k] for k in key))
        if found is None:
            new.append(row)
        else:
            changed.append(row | {"id": found})
    bulk.insert_rows(session, table.__table__, new)
    bulk.update_rows(session, table.__table__, "id", changed)
    if changed:
        session.expire_all()
    return {"inserted": len(new), "updated": len(changed)}


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


def parks(session: Session, province: str | None = None, cities: bool = False) -> list[model.Park]:
    """The industrial parks (with `cities`, the cities entered for park-city exchanges instead): a city is not a
    park of the programme's counts."""
    query = select(schema.Park).order_by(schema.Park.park_id)
    if province is not None:
        query = query.where(schema.Park.province == province)
    if cities:
        query = query.where(schema.Park.kind == "city")
    else:
        query = query.where(or_(schema.Park.kind.is_(None), schema.Park.kind != "city"))
    return [_park(o) for o in session.scalars(query)]


def park(session: Session, park_id: str) -> model.Park | None:
    stored = session.get(schema.Park, park_id)
    return _park(stored) if stored else None


def enterprise(session: Session, enterprise_id: str) -> model.Enterprise | None:
    stored = session.get(schema.Enterprise, enterprise_id)
    return _enterprise(stored) if stored else None


def enterprises_by_id(session: Session, enterprise_ids: Sequence[str]) -> list[model.Enterprise]:
    """The stored enterprises among `enterprise_ids`, by id (an id not stored is left out)."""
    found = []
    for chunk in _chunks(sorted(set(enterprise_ids))):
        query = select(schema.Enterprise).where(schema.Enterprise.enterprise_id.in_(chunk))
        found += [_enterprise(o) for o in session.scalars(query)]
    return sorted(found, key=lambda e: e.enterprise_id)


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

        def rows(table: Any, chunk: Sequence[str] = chunk) -> Iterable[Any]:
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
            model.Output(
                o.enterprise_id,
                o.year,
                o.product,
                o.canonical_quantity,
                o.canonical_unit,
                o.value_vnd,
                _canonical_share(o.available_to_others, o.quantity, o.canonical_quantity),
            )
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


def _canonical_share(part: float | None, quantity: float, canonical: float) -> float | None:
    """A part of a quantity given in the row's unit, in the canonical unit of the whole."""
    if part is None:
        return None
    return part * canonical / quantity if quantity else 0.0


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
        table: Any = schema.RECORD_TABLES[name]
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


def _stages_of(session: Session, opportunity_ids: Sequence[str]) -> dict[str, str | None]:
    result: dict[str, str | None] = {}
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
    """Move an opportunity to `stage` on date `on`, keeping the trail (the pipeline's checks are the caller's:
    `api.checked_move`)."""
    stored = session.get(schema.Opportunity, opportunity_id)
    if stored is None:
        raise KeyError(opportunity_id)
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


def last_stage_date(session: Session, opportunity_id: str) -> dt.date | None:
    return session.scalar(
        select(schema.OpportunityEvent.occurred_on)
        .where(schema.OpportunityEvent.opportunity_id == opportunity_id)
        .order_by(schema.OpportunityEvent.occurred_on.desc())
        .limit(1)
    )


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
    """Opportunities of these parks (all parks if None): read as plain rows (the national results table reads
    about 100,000 of them), their enterprises in one more query."""
    columns = [c.name for c in contract.sheets()["opportunities"].columns if c.name != "enterprise_ids"]
    table = schema.Opportunity.__table__
    query = select(*(table.c[c] for c in columns)).order_by(table.c.opportunity_id)
    links = select(schema.opportunity_enterprises.c.opportunity_id, schema.opportunity_enterprises.c.enterprise_id)
    if park_ids is not None:
        query = query.where(table.c.park_id.in_(list(park_ids)))
        links = links.join(table, table.c.opportunity_id == schema.opportunity_enterprises.c.opportunity_id).where(
            table.c.park_id.in_(list(park_ids))
        )
    members: dict[str, list[str]] = defaultdict(list)
    link = schema.opportunity_enterprises.c
    for opportunity_id, enterprise_id in session.execute(links.order_by(link.opportunity_id, link.position)):
        members[opportunity_id].append(enterprise_id)
    found = []
    for row in session.execute(query):
        values = dict(zip(columns, row, strict=True))
        found.append(model.Opportunity(**values, enterprise_ids=tuple(members.get(values["opportunity_id"], ()))))
    return found


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


def task_state(session: Session, assessment_id: int, task: int) -> TaskState | None:
    stored = session.get(schema.CpTaskState, (assessment_id, task))
    if stored is None:
        return None
    return TaskState(stored.task, stored.status, stored.started_on, stored.completed_on, stored.note)


def update_task(session: Session, assessment_id: int, new: TaskState) -> Assessment:
    """Store a task's new state (checked by the caller: `api.checked_task`)."""
    stored = session.get(schema.CpTaskState, (assessment_id, new.task))
    if stored is None:
        raise KeyError(f"assessment {assessment_id} task {new.task}")
    stored.status, stored.started_on, stored.completed_on, stored.note = (
        new.status,
        new.started_on,
        new.completed_on,
        new.note,
    )
    session.flush()
    assessment = session.get(schema.CpAssessment, assessment_id)
    assert assessment is not None  # its task was found above, in this transaction
    return _assessment(session, assessment)


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
        keep = {"stage", "basis"} if not Stage(stored.stage).is_early else set()
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
    """Record a step (or the outcome) of an application (its order checked by the caller: `api.checked_step`)."""
    session.add(
        schema.ApplicationStep(
            application_id=application_id, step=step, occurred_on=on, note=note, recorded_at=dt.datetime.now(dt.UTC)
        )
    )
    session.flush()

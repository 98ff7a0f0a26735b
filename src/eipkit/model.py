"""The domain as plain data: what calculations take and return, knowing nothing of storage or workbooks.

Quantities are in canonical units (energy GJ, mass t, volume m3) and were converted at import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Park:
    park_id: str
    name: str
    province: str
    area_ha: float
    lat: float | None = None
    lon: float | None = None
    green_area_ha: float | None = None
    industrial_land_ha: float | None = None
    established_year: int | None = None
    investor: str | None = None
    wwtp_capacity_m3_per_day: float | None = None
    services: tuple[str, ...] = ()
    investor_violations_3y: int | None = None
    io_monitoring: bool | None = None
    last_annual_report_year: int | None = None
    kind: str = "industrial_park"
    province_as_written: str | None = None  # a former unit's name the park was recorded with

    @property
    def is_city(self) -> bool:
        return self.kind == "city"


@dataclass(frozen=True)
class Enterprise:
    enterprise_id: str
    park_id: str
    name: str
    vsic: str
    employees: int | None = None
    lat: float | None = None
    lon: float | None = None
    iso_14001: bool | None = None
    iso_50001: bool | None = None
    violations_3y: int | None = None
    iso_9001: bool | None = None

    @property
    def division(self) -> str:
        return self.vsic[:2]


@dataclass(frozen=True)
class EnergyUse:
    enterprise_id: str
    year: int
    carrier: str
    energy_gj: float
    cost_vnd: float | None = None


@dataclass(frozen=True)
class WaterUse:
    enterprise_id: str
    year: int
    kind: str
    volume_m3: float
    cost_vnd: float | None = None


@dataclass(frozen=True)
class MaterialUse:
    enterprise_id: str
    year: int
    material: str
    mass_t: float
    chemical: bool = False
    cost_vnd: float | None = None


@dataclass(frozen=True)
class WasteFlow:
    enterprise_id: str
    year: int
    waste: str
    mass_t: float
    fate: str
    hazardous: bool = False
    waste_code: str | None = None
    receiver: str | None = None
    cost_vnd: float | None = None


@dataclass(frozen=True)
class Output:
    enterprise_id: str
    year: int
    product: str
    quantity: float
    unit: str
    value_vnd: float | None = None
    available: float | None = None  # offered to others (surplus steam or heat), in the same canonical unit


@dataclass(frozen=True)
class Opportunity:
    opportunity_id: str
    park_id: str
    kind: str
    title: str
    stage: str
    basis: str
    enterprise_ids: tuple[str, ...] = ()
    category: str | None = None
    year_identified: int | None = None
    year_implemented: int | None = None
    investment_vnd: float | None = None
    electricity_mwh: float | None = None
    fuel_gj: float | None = None
    fuel: str | None = None
    water_m3: float | None = None
    materials_t: float | None = None
    chemicals_t: float | None = None
    waste_t: float | None = None
    cost_saving_vnd: float | None = None
    co2e_t: float | None = None


@dataclass
class Records:
    """Yearly records of a set of enterprises, as the store hands them to calculations."""

    energy: list[EnergyUse] = field(default_factory=list)
    water: list[WaterUse] = field(default_factory=list)
    materials: list[MaterialUse] = field(default_factory=list)
    waste: list[WasteFlow] = field(default_factory=list)
    production: list[Output] = field(default_factory=list)

    def of(self, enterprise_id: str) -> Records:
        return Records(**{name: [r for r in rows if r.enterprise_id == enterprise_id] for name, rows in self._lists()})

    def in_year(self, year: int) -> Records:
        return Records(**{name: [r for r in rows if r.year == year] for name, rows in self._lists()})

    def years(self) -> list[int]:
        return sorted({r.year for _, rows in self._lists() for r in rows})

    def _lists(self) -> list[tuple[str, list[Any]]]:
        return [(name, getattr(self, name)) for name in ("energy", "water", "materials", "waste", "production")]


@dataclass(frozen=True)
class StageEvent:
    """One dated change of an opportunity's stage (or basis), kept forever for the monitoring trail."""

    opportunity_id: str
    occurred_on: dt.date
    stage: str
    previous: str | None
    basis: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class TaskState:
    """One of the 18 tasks of a cleaner-production assessment, as recorded."""

    task: int
    status: str
    started_on: dt.date | None = None
    completed_on: dt.date | None = None
    note: str | None = None

    @property
    def step(self) -> int:
        from eipkit import reference

        return reference.cp_tasks()[self.task].step


@dataclass(frozen=True)
class Assessment:
    """A cleaner-production assessment of an enterprise: its team, focus and tasks (the 6 steps, 18 tasks)."""

    assessment_id: int
    enterprise_id: str
    focus_area: str
    team: tuple[str, ...]
    consultant: str | None
    started_on: dt.date
    tasks: tuple[TaskState, ...]
    opportunity_ids: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        statuses = {t.status for t in self.tasks}
        if statuses <= {"done", "skipped"}:
            return "completed"
        if statuses == {"not_started"}:
            return "not_started"
        return "in_progress"

    @property
    def current_step(self) -> int | None:
        """The first step with a task still open, or None when all are done."""
        open_steps = [t.step for t in self.tasks if t.status in {"not_started", "in_progress"}]
        return min(open_steps) if open_steps else None

    def progress(self) -> dict[int, tuple[int, int]]:
        """Per step: tasks finished (done or skipped) and tasks in all."""
        result: dict[int, tuple[int, int]] = {}
        for state in self.tasks:
            finished, total = result.get(state.step, (0, 0))
            result[state.step] = (finished + (state.status in {"done", "skipped"}), total + 1)
        return dict(sorted(result.items()))


APPLICATION_OUTCOMES = ("granted", "refused", "withdrawn")


@dataclass(frozen=True)
class StepDone:
    step: str
    on: dt.date
    note: str | None = None


@dataclass
class Application:
    """An application for certification (a park, or an eco-enterprise) and the steps recorded so far."""

    id: int
    park_id: str
    enterprise_id: str | None
    procedure: str
    submitted: dt.date
    done: list[StepDone] = field(default_factory=list)

    @property
    def outcome(self) -> StepDone | None:
        return next((d for d in self.done if d.step in APPLICATION_OUTCOMES), None)


@dataclass(frozen=True)
class Course:
    """A training course of the programme (see `eipkit.training`)."""

    course_id: int
    title: str
    trainer: str
    held_on: dt.date
    place: str | None = None


@dataclass(frozen=True)
class Participant:
    participant_id: int
    course_id: int
    name: str
    organisation: str
    organisation_kind: str
    gender: str
    role: str | None = None
    code: str = field(default="", repr=False)  # the secret of the participant's own page


@dataclass(frozen=True)
class Attempt:
    participant_id: int
    exercise: str
    answer: str
    correct: bool
    feedback: str
    at: dt.datetime

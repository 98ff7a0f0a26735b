"""The certification procedures of Decree 35/2022 and their legal time limits, as dates on Vietnam's calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from eipkit import i18n
from eipkit.certification.calendar import WorkingCalendar, vietnam
from eipkit.errors import NotFound

PROCEDURES = ("park", "enterprise", "recertify")


class UnknownProcedure(NotFound):
    pass


@cache
def _data() -> dict[str, Any]:
    text = resources.files("eipkit.data").joinpath("procedures.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _spec(procedure: str) -> dict[str, Any]:
    if procedure not in PROCEDURES:
        raise UnknownProcedure("cert.unknown_procedure", name=procedure, known=", ".join(PROCEDURES))
    return _data()["procedures"][procedure]


def consulted(procedure: str, lang: str = "vi") -> list[str]:
    """The bodies whose opinion the procedure asks, under their names in force (former name in brackets)."""
    names = []
    for body in _spec(procedure).get("consulted", []):
        former = body.get(f"formerly_{lang}")
        names.append(f"{body[lang]} ({i18n.t('dossier.formerly', lang, name=former)})" if former else body[lang])
    return names


def step_ids(procedure: str) -> list[str]:
    """The steps of a procedure in their legal order (UnknownProcedure for a name that is not one)."""
    return [step["id"] for step in _spec(procedure)["steps"]]


@dataclass(frozen=True)
class Deadline:
    step: str
    actor: str
    action: str
    days: int | None
    unit: str
    due: dt.date | None
    citation: str
    confidence: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "actor": self.actor,
            "action": self.action,
            "limit": self.days,
            "unit": self.unit,
            "due": self.due.isoformat() if self.due else None,
            "citation": self.citation,
            "confidence": self.confidence,
        }


def timeline(
    submitted: dt.date,
    procedure: str = "park",
    calendar: WorkingCalendar | None = None,
    lang: str = "vi",
    all_working_days: bool = False,
) -> dict[str, Any]:
    """The due date of every step of `procedure` for a complete dossier received on `submitted`.

    Periods in working days skip days off; periods in plain days are calendar days (the usual reading of 'ngày'),
    unless `all_working_days`, for a province that counts every period in working days.
    """
    spec = _spec(procedure)
    calendar = calendar or vietnam()
    steps = []
    for step in spec["steps"]:
        days, unit = step["days"], step["unit"]
        if all_working_days and unit == "days":
            unit = "working_days"
        if days is None:
            due = None
        elif unit == "working_days":
            due = calendar.add_working_days(submitted, days)
        else:
            due = calendar.add_days(submitted, days)
        steps.append(
            Deadline(
                step["id"],
                step[f"actor_{lang}"],
                step[f"action_{lang}"],
                days,
                unit,
                due,
                step["citation"],
                step["confidence"],
            )
        )
    last = max((s.due for s in steps if s.due), default=submitted)
    days_off = calendar.days_off_between(submitted, last)
    rules = _data()["rules"]
    return {
        "procedure": procedure,
        "title": spec[f"title_{lang}"],
        "citation": spec["citation"],
        "submitted": submitted.isoformat(),
        "submitted_is_working_day": calendar.is_working_day(submitted),
        "dossier_sets": spec.get("dossier_sets"),
        "steps": [s.as_dict() for s in steps],
        "days_off_in_period": [
            {"date": d.date.isoformat(), "name": d.name[lang], "source": d.source, "confidence": d.confidence}
            for d in days_off
        ],
        "counting": {
            "first_day_not_counted": rules["first_day_not_counted"],
            "end_on_day_off_moves": rules["end_on_day_off_moves"],
            "plain_days_as": "working_days" if all_working_days else "calendar_days",
        },
    }

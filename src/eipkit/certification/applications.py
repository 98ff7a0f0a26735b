"""A certification application followed through the steps of its procedure, each against its legal due date.

An application is a procedure (park, enterprise, recertify) started on the day its complete dossier was received;
its steps are done in the order of `procedures.yaml`, each on a date no earlier than the one before, and an
outcome (granted, refused, withdrawn) closes it. The due dates come from `procedure.timeline`, so a board sees
what is due next, by when, and what is already late.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from eipkit.certification.calendar import WorkingCalendar
from eipkit.certification.procedure import step_ids, timeline
from eipkit.errors import Conflict
from eipkit.model import APPLICATION_OUTCOMES, Application

OUTCOMES = APPLICATION_OUTCOMES


class RefusedStep(Conflict):
    pass


def check_step(application: Application, step: str, on: dt.date) -> None:
    """Refuse a step out of order, twice, before the last recorded date, or after the application was closed."""
    where = {"application": application.id, "step": step}
    if application.outcome is not None:
        raise RefusedStep("app.closed", **where, outcome=application.outcome.step)
    last = application.done[-1].on if application.done else application.submitted
    if on < last:
        raise RefusedStep("app.date_back", **where, on=on.isoformat(), last=last.isoformat())
    if step in OUTCOMES:
        return
    steps = step_ids(application.procedure)
    if step not in steps:
        raise RefusedStep("app.unknown_step", **where, known=", ".join(steps + list(OUTCOMES)))
    expected = steps[len(application.done)] if len(application.done) < len(steps) else None
    if step != expected:
        raise RefusedStep("app.out_of_order", **where, expected=expected or "-")


def progress(
    application: Application, today: dt.date, calendar: WorkingCalendar | None = None, lang: str = "vi"
) -> dict[str, Any]:
    """Each step with its due date, the day it was done and whether in time; the next step, its due date, and how
    many days it is late (counted in calendar days after the due date)."""
    plan = timeline(application.submitted, application.procedure, calendar, lang)
    done = {d.step: d for d in application.done}
    steps = []
    next_step = None
    for s in plan["steps"]:
        due = dt.date.fromisoformat(s["due"]) if s["due"] else None
        record = done.get(s["step"])
        late_by = None
        if record is not None and due is not None:
            late_by = max((record.on - due).days, 0)
        elif record is None and next_step is None:
            next_step = s["step"]
            if due is not None and application.outcome is None:
                late_by = max((today - due).days, 0)
        steps.append(
            {
                **s,
                "done_on": record.on.isoformat() if record else None,
                "note": record.note if record else None,
                "days_late": late_by,
            }
        )
    outcome = application.outcome
    current = next((s for s in steps if s["step"] == next_step), None)
    overdue = outcome is None and current is not None and bool(current["days_late"])
    return {
        "id": application.id,
        "park_id": application.park_id,
        "enterprise_id": application.enterprise_id,
        "procedure": application.procedure,
        "title": plan["title"],
        "submitted": application.submitted.isoformat(),
        "state": outcome.step if outcome else (application.done[-1].step if application.done else "submitted"),
        "closed_on": outcome.on.isoformat() if outcome else None,
        "next_step": None if outcome else next_step,
        "next_due": None if outcome or current is None else current["due"],
        "overdue": overdue,
        "days_late": current["days_late"] if overdue and current else 0,
        "as_of": today.isoformat(),
        "steps": steps,
    }

"""The cleaner-production assessment as a workflow: 6 steps, 18 tasks (VNCPC/UNEP method), each with a status
and dates, and the opportunities it produced."""

from __future__ import annotations

import datetime as dt

from eipkit import reference
from eipkit.errors import Conflict
from eipkit.model import TaskState

TASK_STATUSES = ("not_started", "in_progress", "done", "skipped")


class AssessmentError(Conflict):
    """A task update that does not fit the workflow."""


def updated_task(
    current: TaskState, status: str, on: dt.date, note: str | None = None, started: dt.date | None = None
) -> TaskState:
    """The task after a status change on date `on`; dates are kept consistent (finished not before started)."""
    if status not in TASK_STATUSES:
        raise AssessmentError("err.task_status", status=status, allowed=", ".join(TASK_STATUSES))
    if current.task not in reference.cp_tasks():
        raise AssessmentError("err.task_number", task=current.task)
    started_on = started or current.started_on
    completed_on = current.completed_on
    if status == "in_progress":
        started_on = started_on or on
        completed_on = None
    elif status in {"done", "skipped"}:
        started_on = started_on or on
        completed_on = on
        if started_on > completed_on:
            raise AssessmentError("err.task_dates", started=started_on.isoformat(), completed=on.isoformat())
    else:
        started_on = completed_on = None
    return TaskState(current.task, status, started_on, completed_on, note if note is not None else current.note)

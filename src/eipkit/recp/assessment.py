"""The cleaner-production assessment as a workflow: 6 steps, 18 tasks (VNCPC/UNEP method), each with a status
and dates, and the opportunities it produced."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from eipkit import reference
from eipkit.i18n import LocalisedError

TASK_STATUSES = ("not_started", "in_progress", "done", "skipped")


class AssessmentError(LocalisedError):
    """A task update that does not fit the workflow."""


@dataclass(frozen=True)
class TaskState:
    task: int
    status: str
    started_on: dt.date | None = None
    completed_on: dt.date | None = None
    note: str | None = None

    @property
    def step(self) -> int:
        return reference.cp_tasks()[self.task].step


@dataclass(frozen=True)
class Assessment:
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

"""Long work people ask for (a park's optimisation, the national network): stored when submitted, run by a worker,
its progress and answer kept in the `jobs` table for any web process to show.

A job survives a restart: a worker that stops mid-job stops renewing its heartbeat, and another takes the job up
again after `STALLED_S` (the solve starts again: a solve is not resumable). Who runs the jobs depends on the
database (`eipkit.jobs.queue`): procrastinate's queue on PostgreSQL, read by `eipkit worker` processes on any
machine; on the embedded SQLite a thread of the web process, so nothing else has to be started.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import OperationalError

from eipkit import i18n
from eipkit.errors import LimitReached
from eipkit.store import Database
from eipkit.store.schema import JobRecord

STALLED_S = 10.0  # a running job whose heartbeat is older than this is taken up again
REPORT_EVERY_S = 0.5
BEAT_S = 2.0
OPEN = ("queued", "running")


class TooManyJobs(LimitReached):
    def __init__(self, limit: int) -> None:
        super().__init__("web.busy", limit=limit)


class Cancelled(Exception):
    """Raised in the work by its progress report once someone asked to cancel the job."""


@dataclass
class Job:
    """What a page shows of a job."""

    id: str
    kind: str
    owner: str
    park_id: str | None
    status: str
    step: str
    round: int | None = None
    gap: float | None = None
    elapsed_s: float | None = None
    error: str | None = None
    attempts: int = 0
    result: dict[str, Any] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.status not in OPEN


def _kinds() -> dict[str, Callable[..., dict[str, Any]]]:
    from eipkit.jobs.kinds import KINDS  # the work itself loads the solvers: not at start-up

    return KINDS


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _job(record: JobRecord) -> Job:
    return Job(
        record.id,
        record.kind,
        record.owner,
        record.park_id,
        record.status,
        record.step,
        record.round,
        record.gap,
        record.elapsed_s,
        record.error,
        record.attempts,
        json.loads(record.result) if record.result else {},
    )


def submit(
    database: Database, owner: str, kind_name: str, params: dict[str, Any], park_id: str | None = None, limit: int = 2
) -> Job:
    """Store a job and put it on the queue; a user has at most `limit` jobs waiting or running."""
    if kind_name not in _kinds():
        raise ValueError(f"unknown job kind {kind_name!r}")
    with database.transaction(changes_data=False) as session:
        if session.get_bind().dialect.name == "postgresql":  # two submissions at once count each other
            session.execute(select(func.pg_advisory_xact_lock(func.hashtext(owner))))
        waiting = session.scalar(
            select(func.count(JobRecord.id)).where(JobRecord.owner == owner, JobRecord.status.in_(OPEN))
        )
        if (waiting or 0) >= limit:
            raise TooManyJobs(limit)
        record = JobRecord(
            id=uuid.uuid4().hex,
            kind=kind_name,
            owner=owner,
            park_id=park_id,
            params=json.dumps(params),
            status="queued",
            step="queued",
            attempts=0,
            cancel_requested=False,
            submitted_at=_now(),
        )
        session.add(record)
    from eipkit.jobs import queue

    queue.enqueue(database, record.id)
    return _job(record)


def get(database: Database, job_id: str) -> Job | None:
    with database.sessions() as session:
        record = session.get(JobRecord, job_id)
        return _job(record) if record else None


def of_owner(database: Database, owner: str, limit: int = 20) -> list[Job]:
    with database.sessions() as session:
        records = session.scalars(
            select(JobRecord).where(JobRecord.owner == owner).order_by(JobRecord.submitted_at.desc()).limit(limit)
        )
        return [_job(r) for r in records]


def cancel(database: Database, job_id: str) -> Job | None:
    """Ask a job to stop: a waiting one ends at once, a running one at its next progress report."""
    with database.transaction(changes_data=False) as session:
        record = session.get(JobRecord, job_id)
        if record is None or record.status not in OPEN:
            return _job(record) if record else None
        record.cancel_requested = True
        if record.status == "queued":
            record.status, record.step, record.finished_at = "cancelled", "cancelled", _now()
        return _job(record)


def _takeable() -> Any:
    """Waiting, or running without a heartbeat for `STALLED_S` (its worker stopped)."""
    stale = _now() - dt.timedelta(seconds=STALLED_S)
    return or_(JobRecord.status == "queued", (JobRecord.status == "running") & (JobRecord.heartbeat_at < stale))


def claimable(database: Database, limit: int = 10) -> list[str]:
    """Jobs a worker may take, oldest first."""
    with database.sessions() as session:
        query = select(JobRecord.id).where(_takeable()).order_by(JobRecord.submitted_at).limit(limit)
        return list(session.scalars(query))


def _claim(database: Database, job_id: str) -> JobRecord | None:
    """Take the job for this worker, unless another holds it (its heartbeat is fresh) or it ended."""
    with database.transaction(changes_data=False) as session:
        taken: Any = session.execute(  # an UPDATE's result, with its rowcount
            update(JobRecord)
            .where(JobRecord.id == job_id, _takeable())
            .values(
                status="running",
                step="started",
                attempts=JobRecord.attempts + 1,
                started_at=_now(),
                heartbeat_at=_now(),
            )
        )
        if taken.rowcount != 1:
            return None
        return session.get(JobRecord, job_id)


class _Reporter:
    """The work's progress written to its row (at most every REPORT_EVERY_S), which also renews the heartbeat and
    tells the work when it was cancelled."""

    def __init__(self, database: Database, job_id: str) -> None:
        self.database, self.job_id = database, job_id
        self._last = 0.0

    def __call__(self, step: Any, force: bool = False) -> None:
        values: dict[str, Any] = {"heartbeat_at": _now()}
        if isinstance(step, str):
            values["step"] = step
        elif step is not None:
            values.update(step=step.phase.replace(" ", "_"), round=step.round, gap=step.gap, elapsed_s=step.elapsed_s)
        if not force and time.monotonic() - self._last < REPORT_EVERY_S:
            return
        self._last = time.monotonic()
        with self.database.transaction(changes_data=False) as session:
            session.execute(update(JobRecord).where(JobRecord.id == self.job_id).values(**values))
            if session.scalar(select(JobRecord.cancel_requested).where(JobRecord.id == self.job_id)):
                raise Cancelled


def _finish(database: Database, job_id: str, **values: Any) -> None:
    with database.transaction(changes_data=False) as session:
        session.execute(update(JobRecord).where(JobRecord.id == job_id).values(finished_at=_now(), **values))


def run(database: Database, job_id: str) -> Job | None:
    """Run one job to its end here (what a worker does); None when it was not this worker's to run."""
    record = _claim(database, job_id)
    if record is None:
        return None
    params = json.loads(record.params)
    lang = params.get("lang", i18n.DEFAULT)
    report = _Reporter(database, job_id)
    ended = threading.Event()
    beating = threading.Thread(target=_beat, args=(database, job_id, ended), daemon=True, name=f"beat-{job_id[:8]}")
    beating.start()
    try:
        report("started", force=True)
        result = _kinds()[record.kind](database, record.owner, params, report)
    except Cancelled:
        _finish(database, job_id, status="cancelled", step="cancelled")
    except i18n.LocalisedError as exc:
        _finish(database, job_id, status="failed", step="failed", error=exc.text(lang))
    except Exception as exc:  # the page shows why the run failed rather than polling forever
        _finish(database, job_id, status="failed", step="failed", error=str(exc) or type(exc).__name__)
    else:
        _finish(database, job_id, status="done", step="done", result=json.dumps(result, default=str))
    finally:
        ended.set()
        beating.join()
    return get(database, job_id)


def _beat(database: Database, job_id: str, ended: threading.Event) -> None:
    """The running job's heartbeat, renewed while the work computes between its progress reports."""
    while not ended.wait(BEAT_S):
        with contextlib.suppress(OperationalError), database.transaction(changes_data=False) as session:
            session.execute(
                update(JobRecord)
                .where(JobRecord.id == job_id, JobRecord.status == "running")
                .values(heartbeat_at=_now())
            )  # a writer holding SQLite past its busy timeout delays one beat, not the job

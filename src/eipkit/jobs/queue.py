"""Who runs the jobs. On PostgreSQL, procrastinate: a task queue kept in the same database (no other server), read
by `eipkit worker` processes on this or other machines; a worker that dies is seen by its missing heartbeat and its
job given to another. On the embedded SQLite, a thread of the web process (or of `eipkit worker`) reads the jobs
table itself, so the default installation has nothing else to start.

Set `EIPKIT_JOBS=embedded` to run jobs inside the web process on PostgreSQL too (one web process, no worker).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from eipkit import jobs
from eipkit.store import Database, connect

QUEUE = "eipkit"
TASK = "eipkit.run_job"
MODE_ENV = "EIPKIT_JOBS"
POLL_S = 0.5
BEAT_S = 2.0  # a worker's heartbeat, and how long without one before its jobs go to another worker
STALLED_WORKER_S = jobs.STALLED_S

log = logging.getLogger(__name__)


def uses_queue(database: Database) -> bool:
    """True when jobs go through procrastinate's queue (PostgreSQL), False when a thread reads the jobs table."""
    return database.engine.dialect.name == "postgresql" and os.environ.get(MODE_ENV) != "embedded"


def _url(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


@cache
def _database(url: str) -> Database:
    return connect(url, migrate=False)


@cache
def queue_app(url: str) -> Any:
    """The procrastinate application over the database at `url`, with its one task: run a stored job."""
    import procrastinate
    from sqlalchemy.engine import make_url

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo))

    @app.task(name=TASK, queue=QUEUE)
    def run_job(job_id: str) -> None:
        jobs.run(_database(url), job_id)

    return app


def enqueue(database: Database, job_id: str) -> None:
    if not uses_queue(database):
        Embedded.wake()
        return
    app = queue_app(_url(database))
    with app.open():
        app.configure_task(TASK).defer(job_id=job_id)


async def _retry_stalled(app: Any, every_s: float) -> None:
    """Give the jobs of workers that stopped beating to the living ones (a worker killed mid-job, a machine lost)."""
    while True:
        for job in await app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=STALLED_WORKER_S):
            log.warning("job %s of a stalled worker goes back to the queue", job.id)
            await app.job_manager.retry_job(job)
        await asyncio.sleep(every_s)


async def _queue_worker(database: Database, concurrency: int) -> None:
    app = queue_app(_url(database))
    async with app.open_async():
        retry = asyncio.create_task(_retry_stalled(app, BEAT_S))
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                update_heartbeat_interval=BEAT_S,
                stalled_worker_timeout=STALLED_WORKER_S,
                install_signal_handlers=True,
            )
        finally:
            retry.cancel()


def work(database: Database, concurrency: int = 2, started: Callable[[], None] | None = None) -> None:
    """Run jobs until stopped (Ctrl-C, SIGTERM): `eipkit worker`."""
    if started:
        started()
    if uses_queue(database):
        asyncio.run(_queue_worker(database, concurrency))
        return
    runner = Embedded(database, concurrency)
    runner.start()
    try:
        runner.join()
    except KeyboardInterrupt:
        runner.stop()


class Embedded:
    """Jobs run by threads of this process, read from the jobs table (SQLite, or `EIPKIT_JOBS=embedded`). A job a
    stopped process left running is taken up again once its heartbeat is older than `jobs.STALLED_S`."""

    _woken = threading.Event()

    def __init__(self, database: Database, at_once: int = 2) -> None:
        self.database, self.at_once = database, at_once
        self._running: dict[str, threading.Thread] = {}
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="eipkit-jobs")

    @classmethod
    def wake(cls) -> None:
        cls._woken.set()

    def start(self) -> Embedded:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self.wake()

    def join(self) -> None:
        while self._thread.is_alive():
            self._thread.join(1.0)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._running = {i: t for i, t in self._running.items() if t.is_alive()}
            free = self.at_once - len(self._running)
            if free > 0:
                try:
                    waiting = [
                        i for i in jobs.claimable(self.database, free + len(self._running)) if i not in self._running
                    ]
                except Exception:  # the database away for a moment: try again at the next poll
                    log.exception("could not read the jobs table")
                    waiting = []
                for job_id in waiting[:free]:
                    thread = threading.Thread(
                        target=jobs.run, args=(self.database, job_id), daemon=True, name=f"job-{job_id[:8]}"
                    )
                    self._running[job_id] = thread
                    thread.start()
            self._woken.wait(POLL_S)
            self._woken.clear()

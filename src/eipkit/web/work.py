"""Heavy work of a request kept off the event loop, with a bounded number running at once in all and per user.

Work that holds Python's interpreter lock for seconds (reading and checking a workbook: openpyxl and the
validation are Python and C parsers that never let go; building an optimisation model) runs in worker processes,
so the other people's pages keep answering at full speed. Short work and work that releases the lock (a password
check, a database write) runs on a worker thread.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import cache, partial
from typing import Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import HTTPException, Request

from eipkit import i18n
from eipkit.access import User
from eipkit.api.registry import Database, connect
from eipkit.web.security import language
from eipkit.workbooks.importer import ImportResult
from eipkit.workbooks.workbook import Limits

T = TypeVar("T")


class HeavyWork:
    def __init__(self, per_user: int, at_once: int) -> None:
        self.per_user, self.at_once = per_user, at_once
        self._limiter = CapacityLimiter(at_once)
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._processes: ProcessPoolExecutor | None = None

    @contextmanager
    def _counted(self, request: Request, who: str) -> Iterator[None]:
        """One more piece of work for `who` (a user, or a client before sign-in); 429 beyond `per_user`."""
        with self._lock:
            if self._running[who] >= self.per_user:
                raise HTTPException(429, i18n.t("web.busy", language(request)), headers={"Retry-After": "10"})
            self._running[who] += 1
        try:
            yield
        finally:
            with self._lock:
                self._running[who] -= 1
                if not self._running[who]:
                    del self._running[who]

    async def run(self, request: Request, who: str, work: Callable[[], T]) -> T:
        """`work()` on a worker thread (beyond `at_once` in all, it waits its turn without holding the loop)."""
        with self._counted(request, who):
            return await anyio.to_thread.run_sync(work, limiter=self._limiter)

    async def apart(self, request: Request, who: str, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker process: a module-level function whose arguments and answer pickle."""
        with self._counted(request, who):
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool(), partial(function, *args))

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._processes is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["eipkit.web.work"])
                self._processes = ProcessPoolExecutor(self.at_once, mp_context=context)
            return self._processes

    def close(self) -> None:
        with self._lock:
            if self._processes is not None:
                self._processes.shutdown(wait=False, cancel_futures=True)
                self._processes = None


async def heavy(request: Request, who: str, work: Callable[[], T]) -> T:
    runner: HeavyWork = request.app.state.heavy
    return await runner.run(request, who, work)


async def apart(request: Request, who: str, function: Callable[..., T], *args: Any) -> T:
    runner: HeavyWork = request.app.state.heavy
    return await runner.apart(request, who, function, *args)


def database_url(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


# --- what runs in the worker processes ------------------------------------------------------------------------


@cache
def _database(url: str) -> Database:
    return connect(url, migrate=False)


def import_upload(url: str, user: User, filename: str, content: bytes, limits: Limits) -> ImportResult:
    from eipkit.api import changes

    return changes.import_workbook(_database(url), user, filename, content, limits)


def water_reuse(data: Any) -> dict[str, Any]:
    from eipkit.symbiosis import water

    return water.solve(water.parse(data)).as_dict()


def solve_problem(problem: Any, objective: str, time_limit_s: float) -> dict[str, Any]:
    """An exchange problem sent to the REST API, through the one engine."""
    from eipkit.symbiosis import engine

    return engine.solve(problem, objective, engine.Limits(time_limit_s=time_limit_s)).as_dict()  # type: ignore[arg-type]


def exchange_network(data: Any, objective: str, points: int) -> Any:
    """The calculator's answer through the one engine (60 s, its default limit; the gap is said)."""
    from eipkit.symbiosis import engine, problem

    exchange = problem.parse(data)
    if points >= 2:
        return [p.as_dict() | {"links": len(p.links)} for p in engine.pareto(exchange, min(points, 10))]
    return engine.solve(exchange, objective).as_dict()  # type: ignore[arg-type]

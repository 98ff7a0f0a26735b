"""Heavy work of a request (an import, a calculator, a password check) on a worker thread, so the event loop
keeps answering everyone else, with a bounded number running at once in all and per user."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from fastapi import HTTPException, Request

from eipkit import i18n
from eipkit.web.security import language

T = TypeVar("T")


class HeavyWork:
    def __init__(self, per_user: int, at_once: int) -> None:
        self.per_user = per_user
        self._limiter = CapacityLimiter(at_once)
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    async def run(self, request: Request, who: str, work: Callable[[], T]) -> T:
        """`work()` on a worker thread; 429 when `who` (a user, or a client before sign-in) already has
        `per_user` running. Beyond `at_once` in all, work waits its turn without holding the loop."""
        with self._lock:
            if self._running[who] >= self.per_user:
                raise HTTPException(429, i18n.t("web.busy", language(request)), headers={"Retry-After": "10"})
            self._running[who] += 1
        try:
            return await anyio.to_thread.run_sync(work, limiter=self._limiter)
        finally:
            with self._lock:
                self._running[who] -= 1
                if not self._running[who]:
                    del self._running[who]


async def heavy(request: Request, who: str, work: Callable[[], T]) -> T:
    return await request.app.state.heavy.run(request, who, work)

"""Long work run beside the requests (a symbiosis optimisation), with its progress for the page to poll."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Job:
    id: str
    owner: str
    park_id: str
    step: str = "queued"
    round: int | None = None  # the solver's progress while it runs: its round, proven gap and elapsed seconds
    gap: float | None = None
    elapsed_s: float | None = None
    done: bool = False
    error: str | None = None
    result: dict[str, Any] = field(default_factory=dict)


class Jobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, owner: str, park_id: str, work: Callable[[Callable[[str], None]], dict[str, Any]]) -> Job:
        """Run `work(progress)` in a thread; it reports its steps through `progress` and returns its result."""
        job = Job(uuid.uuid4().hex, owner, park_id)
        with self._lock:
            self._jobs[job.id] = job

        def run() -> None:
            try:
                job.result = work(lambda step: _report(job, step))
                job.step = "done"
            except Exception as exc:  # the page shows why the run failed rather than polling forever
                job.error, job.step = str(exc), "failed"
            job.done = True

        threading.Thread(target=run, daemon=True, name=f"job-{job.id[:8]}").start()
        return job

    def running(self, owner: str) -> int:
        with self._lock:
            return sum(1 for j in self._jobs.values() if j.owner == owner and not j.done)

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)


def _report(job: Job, step: Any) -> None:
    """A step name, or a solver's progress (its phase, round, gap and elapsed time)."""
    if isinstance(step, str):
        job.step = step
        return
    job.step = step.phase.replace(" ", "_")
    job.round, job.gap, job.elapsed_s = step.round, step.gap, step.elapsed_s

"""One entry point for every exchange network, from one park to the whole country: `solve(problem, objective,
limits, progress)`.

It lists the pairs within reach once (a compiled grid search), refuses a problem whose pairs would not fit in memory
before allocating them, then chooses the method by size and shape:

- **full model** (at most FULL_MODEL_PAIRS pairs): the formulation of PRODUCT.md written with linopy and solved by
  HiGHS (`network.solve`), mixed-integer when links have fixed costs;
- **column generation** (more pairs, no fixed costs, or the CO2 objective, which has none): the exact linear problem
  over every pair, priced in rounds (`engine.column_generation`);
- **fixed charge** (more pairs with fixed costs): the linear relaxation over every pair as the proven bound, its flow
  rounded to links that pay, improved by the mixed-integer problem on those pairs when small enough
  (`engine.fixed_charge`).

Every answer has the same schema (`network.Solution`): status, the objective, the proven bound and gap, the method
that ran, the elapsed time and the links. A default time limit applies; a stopped run answers with its best feasible
flow and the gap it proved.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from eipkit.symbiosis import network, pairing
from eipkit.symbiosis.engine.column_generation import RoundReport, ScaleResult, gap_between, solve_lp
from eipkit.symbiosis.engine.fixed_charge import solve_fixed
from eipkit.symbiosis.network import Objective, Solution
from eipkit.symbiosis.problem import Problem, TooLarge

__all__ = ["Limits", "Progress", "TooLarge", "choose", "pareto", "solve"]

Method = Literal["full model", "column generation", "fixed charge"]
FULL_MODEL_PAIRS = 100_000
# what a pair costs in memory on the large paths: its site and distance (12 bytes), its coefficient (8), the parts'
# renumbered copies and the pricing's kept pairs (about 20 more), measured on the national instance
BYTES_PER_PAIR = 48
DEFAULT_TIME_LIMIT_S = 60.0
DEFAULT_GAP = 1e-4


@dataclass(frozen=True)
class Limits:
    """How long a solve may take (None: no limit), the relative gap at which it may stop, and the memory it may use
    (None: most of what the machine has free)."""

    time_limit_s: float | None = DEFAULT_TIME_LIMIT_S
    gap: float = DEFAULT_GAP
    memory_bytes: int | None = None


@dataclass(frozen=True)
class Progress:
    """What a running solve has reached: its phase, and on the large paths the round, the value of the last
    restricted problem, the proven bound and the gap between them."""

    phase: str
    elapsed_s: float
    round: int | None = None
    value: float | None = None
    bound: float | None = None
    gap: float | None = None


Report = Callable[[Progress], None]


def available_memory() -> int:
    """Bytes this machine can give a process now (MemAvailable), or its physical memory where that is unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def has_fixed_costs(problem: Problem) -> bool:
    return problem.default_fixed_cost_vnd_per_year > 0 or any(
        (a.fixed_cost_vnd_per_year or 0) > 0 for a in problem.arcs
    )


def choose(problem: Problem, objective: Objective, pairs: int) -> Method:
    if pairs <= FULL_MODEL_PAIRS:
        return "full model"
    return "fixed charge" if objective == "cost" and has_fixed_costs(problem) else "column generation"


@contextmanager
def _heartbeat(report: Report | None, phase: str, started: float) -> Iterator[None]:
    """A phase that reports nothing of its own still says every second that it is running."""
    if report is None:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(1.0):
            report(Progress(phase, time.perf_counter() - started))

    thread = threading.Thread(target=beat, daemon=True, name="solve-progress")
    report(Progress(phase, time.perf_counter() - started))
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def solve(
    problem: Problem,
    objective: Objective = "cost",
    limits: Limits | None = None,
    progress: Report | None = None,
) -> Solution:
    """The optimised exchange network of `problem`, by the method its size and shape call for."""
    if objective not in ("cost", "co2"):
        raise ValueError("objective must be 'cost' or 'co2'")
    limits = limits or Limits()
    with network.banner_to_stderr():
        return _solve(problem, objective, limits, progress)


def _solve(problem: Problem, objective: Objective, limits: Limits, progress: Report | None) -> Solution:
    started = time.perf_counter()
    budget = limits.memory_bytes if limits.memory_bytes is not None else int(0.8 * available_memory())
    with _heartbeat(progress, "pairs", started):
        data = pairing.arrays(problem)
        pairs = pairing.reach(problem, data, max_pairs=budget // BYTES_PER_PAIR)
    method = choose(problem, objective, len(pairs))
    left = None if limits.time_limit_s is None else max(limits.time_limit_s - (time.perf_counter() - started), 0.1)
    if method == "full model":
        with _heartbeat(progress, "full model", started):
            solution = network.solve(problem, objective, left, limits.gap)
    else:
        latest: dict[int, RoundReport] = {}
        guard = threading.Lock()

        def rounds(r: RoundReport) -> None:
            """Independent parts report side by side: the whole's value and bound are their sums."""
            if progress is None:
                return
            with guard:
                latest[r.part] = r
                value = sum(x.value for x in latest.values())
                bound = sum(x.bound for x in latest.values())
                deepest = max(x.round for x in latest.values())
            elapsed = time.perf_counter() - started
            progress(Progress(method, elapsed, deepest, value, bound, gap_between(bound, value)))

        if method == "fixed charge":
            found = solve_fixed(problem, time_limit_s=left or 1e9, gap=limits.gap, data=data, pairs=pairs)
            fixed = pairing.fixed_costs(problem, data)
        else:
            found = solve_lp(problem, objective, data, pairs, time_limit_s=left, gap=limits.gap, progress=rounds)
            fixed = None
        solution = _solution(problem, objective, found, fixed)
    solution.method = method
    solution.pairs = len(pairs)
    solution.elapsed_s = time.perf_counter() - started
    return solution


def pareto(problem: Problem, points: int, limits: Limits | None = None) -> list[Solution]:
    """`points` solutions along the money/CO2 trade-off (epsilon-constraint on the full model): refused with the
    reason when the problem has more pairs than the full model takes."""
    limits = limits or Limits()
    started = time.perf_counter()
    with network.banner_to_stderr():
        count = len(pairing.reach(problem, pairing.arrays(problem), max_pairs=FULL_MODEL_PAIRS))
        front = network.pareto(problem, points, limits.time_limit_s, limits.gap)
    for solution in front:
        solution.method, solution.pairs = "full model", count
        solution.elapsed_s = time.perf_counter() - started
    return front


def _solution(problem: Problem, objective: Objective, found: ScaleResult, fixed: pairing.FixedCosts | None) -> Solution:
    """A large path's answer in the schema of every answer: its links named by their supplies and demands."""
    arcs, flow = found.arcs, found.flow
    keep = flow > network.FLOW_TOLERANCE
    s, k = arcs.s[keep], arcs.k[keep]
    supplies, demands = problem.supplies, problem.demands
    links = pd.DataFrame(
        {
            "supply": [supplies[i].id for i in s],
            "demand": [demands[i].id for i in k],
            "supply_enterprise": [supplies[i].enterprise_id for i in s],
            "demand_enterprise": [demands[i].enterprise_id for i in k],
            "resource": [supplies[i].resource for i in s],
            "ratio": arcs.ratio[keep],
            "distance_km": arcs.distance[keep],
            "upper_t": arcs.upper[keep],
            "margin_vnd_per_t": arcs.margin[keep],
            "co2e_t_per_t": arcs.co2[keep],
            "fixed_cost_vnd_per_year": fixed(s, k) if fixed is not None else np.zeros(len(s)),
            "flow_t": flow[keep],
        }
    )
    return Solution(
        found.status,
        objective,
        float(found.objective_value),
        float(found.gap),
        links,
        arcs_considered=len(arcs),
        bound=found.bound,
        solver=found.solver,
        timings=found.timings | {"rounds": found.iterations},
    )

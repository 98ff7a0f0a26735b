"""The exchange network with fixed costs at national scale.

With fixed costs F_sk, the linear relaxation of the tightened model (x_sk <= M_sk y_sk, M_sk = min(Q_s, D_k / a_sk))
is the same linear problem with w_sk - F_sk / M_sk per tonne: over every pair within reach, its bound is a proven
upper bound on the whole mixed-integer problem. Its flow, rounded to the links that pay their fixed cost, is a
solution; on problems small enough, the mixed-integer problem on the pairs the relaxation priced in improves it,
split into independent components solved in parallel and warm-started from it. The best solution against that
bound is the proven gap.
"""

from __future__ import annotations

import functools
import math
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import highspy
import numpy as np
import pandas as pd

from eipkit.symbiosis.engine.column_generation import ScaleResult, gap_between, solve_lp, stop_status
from eipkit.symbiosis.engine.master import highs_lp, model_arrays, new_highs, restricted_master, run_highs
from eipkit.symbiosis.engine.pricing import TOLERANCE
from eipkit.symbiosis.network_simplex import dot
from eipkit.symbiosis.pairing import (
    ArcSet,
    Arrays,
    FixedCosts,
    Reach,
    arrays,
    components,
    fixed_costs,
)
from eipkit.symbiosis.problem import Problem


def _solve_component(args: tuple[Any, ...], threads: int = 0) -> tuple[float, float, np.ndarray, str]:
    """One component's mixed-integer problem. `threads` is 1 in the parallel workers, so that they do not compete
    for the cores; in this process HiGHS keeps its own count (it refuses another once its thread pool started)."""
    spec, stop_at, gap, start = args
    h = new_highs({"mip_rel_gap": gap, "threads": threads})
    h.passModel(highs_lp(spec))
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = list(start)
        solution.value_valid = True
        h.setSolution(solution)
    h.setOptionValue("time_limit", max(stop_at - time.time(), 1.0))
    run_highs(h)
    info = h.getInfo()
    value = info.objective_function_value
    bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else value
    return value, bound, np.asarray(h.getSolution().col_value), str(h.getModelStatus())


def _paying_links(data: Arrays, arcs: ArcSet, cost: np.ndarray, flow: np.ndarray) -> tuple[float, np.ndarray]:
    """A good solution of the fixed-cost problem from the relaxation's flow: open the links it uses, solve the
    linear problem on them paying their fixed costs in full, close the links whose margin does not pay their fixed
    cost, and again, keeping the best (a few network simplex solves on a few hundred thousand arcs)."""
    best_value, best = -math.inf, np.zeros(len(arcs))
    used = flow > TOLERANCE
    for _ in range(10):
        chosen = np.flatnonzero(used)
        solver = restricted_master(data)
        part = arcs.take(chosen)
        solver.add(part.s, part.k, part.ratio, part.margin)
        solver.solve(math.inf)
        x = np.zeros(len(arcs))
        x[chosen] = solver.flow()
        value = dot(arcs.margin, x) - float(cost[x > TOLERANCE].sum())
        if value > best_value:
            best_value, best = value, x
        paying = (x > TOLERANCE) & (arcs.margin * x > cost)
        if (paying == used).all():
            break
        used = paying
    return best_value, best


def solve_fixed(
    problem: Problem,
    fixed: FixedCosts | None = None,
    time_limit_s: float = 120.0,
    gap: float = 0.01,
    workers: int = 2,
    arcs: ArcSet | None = None,
    data: Arrays | None = None,
    pairs: Reach | None = None,
    mip_arcs: int = 200_000,
) -> ScaleResult:
    """The mixed-integer problem with a fixed cost per link (`fixed`, or the problem's own).

    Over every pair within reach (no `arcs`): the linear relaxation gives the proven upper bound and the pairs it
    priced in; its flow rounded to links that pay their fixed cost (`_paying_links`) gives a solution, improved by
    the mixed-integer problem on those pairs when there are at most `mip_arcs` of them; the gap is between the two. With
    `arcs`, the problem on those arcs alone, with HiGHS's own bound. Components are solved in parallel on
    `workers` processes, warm-started from the relaxation's flow when there is one (the relaxation's own parts on
    as many threads).
    """
    clock = time.perf_counter()
    deadline = clock + time_limit_s
    data = data or arrays(problem)
    fixed = fixed or fixed_costs(problem, data)
    timings: dict[str, float] = {}
    bound: float | None = None
    start_flow: np.ndarray | None = None
    if arcs is None:
        # the bound decides the gap: the relaxation may take most of the time; stopped early it still proves one
        relaxation = solve_lp(
            problem, "cost", data, pairs, fixed=fixed, time_limit_s=0.75 * time_limit_s, workers=workers
        )
        timings.update({f"relaxation_{key}": value for key, value in relaxation.timings.items()})
        timings["relaxation_value"], timings["relaxation_gap"] = relaxation.objective_value, relaxation.gap
        arcs, start_flow, bound = relaxation.arcs, relaxation.flow, relaxation.bound
    cost = fixed(arcs.s, arcs.k)
    keep = arcs.margin * arcs.upper > cost
    arcs, cost = arcs.take(keep), cost[keep]
    timings["relaxation_s"] = time.perf_counter() - clock
    rounded = -math.inf
    if start_flow is not None:
        clock = time.perf_counter()
        rounded, start_flow = _paying_links(data, arcs, cost, start_flow[keep])
        timings["rounding_value"], timings["rounding_s"] = rounded, time.perf_counter() - clock
    if start_flow is not None and len(arcs) > mip_arcs:
        # HiGHS would not finish the root of so large a problem in the time left (and overruns its limit)
        assert bound is not None  # the relaxation that gave the start flow gave its bound
        relative_gap = gap_between(bound, rounded)
        return ScaleResult(
            stop_status(relative_gap, gap),
            rounded,
            relative_gap,
            arcs,
            start_flow,
            timings=timings,
            bound=bound,
            solver="rounding",
        )
    labels = components(pd.DataFrame({"supply": arcs.s, "demand": arcs.k})) if len(arcs) else np.zeros(0, int)
    sizes = np.bincount(labels) if len(labels) else np.zeros(0, int)
    bins: list[list[int]] = [[] for _ in range(workers)]
    load = [0] * workers
    for component in np.argsort(-sizes):
        target = int(np.argmin(load))
        bins[target].append(int(component))
        load[target] += int(sizes[component])
    jobs, members = [], []
    # the solver's own gap is on these arcs only: against an outside bound it has to go further
    inner_gap = gap if bound is None else gap / 10
    # each worker stops by the same wall-clock time, less what HiGHS may overrun and returning the answer takes
    stop_at = time.time() + (deadline - time.perf_counter()) - (2.0 + 0.05 * time_limit_s)
    for chosen in bins:
        mask = np.isin(labels, chosen)
        if not mask.any():
            continue
        part = arcs.take(mask)
        spec = model_arrays(data.s_quantity, data.k_capacity, part, part.margin, cost[mask])
        warm = None
        if start_flow is not None:
            x = start_flow[mask]
            warm = np.concatenate([x, (x[cost[mask] > 0] > TOLERANCE).astype(float)])
        jobs.append((spec, stop_at, inner_gap, warm))
        members.append(mask)
    clock = time.perf_counter()
    if len(jobs) > 1 and workers > 1:
        # spawn, not fork: HiGHS keeps a thread pool that a forked child cannot use
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(functools.partial(_solve_component, threads=1), jobs))
    else:
        results = [_solve_component(job) for job in jobs]
    timings["mip_s"] = time.perf_counter() - clock
    failed = [r[3] for r in results if r[3] not in ("HighsModelStatus.kOptimal", "HighsModelStatus.kTimeLimit")]
    if failed:
        raise RuntimeError(f"HiGHS ended a component with {failed[0]}")
    value = sum(r[0] for r in results)
    timings["mip_bound_on_these_arcs"] = sum(r[1] for r in results)
    if bound is None:
        bound = timings["mip_bound_on_these_arcs"]
    flow = np.zeros(len(arcs))
    for mask, result in zip(members, results, strict=True):
        flow[mask] = result[2][: int(mask.sum())]
    if rounded > value and start_flow is not None:  # HiGHS found nothing better in its time
        value, flow = rounded, start_flow
    relative_gap = gap_between(bound, value) if results else 0.0
    return ScaleResult(
        stop_status(relative_gap, gap), value, relative_gap, arcs, flow, timings=timings, bound=bound, solver="HiGHS"
    )

"""The exchange network's linear problem at national scale: the formulation of `network`, for tens of millions
of pairs within reach, solved by column generation.

Every pair within reach is listed once, compactly (a demand site and a distance per pair, grouped by supply; a
compiled grid search finds them). The linear problem is then solved by column generation, exact: start from each
supply's best pairs, solve the restricted problem, price every pair within reach with its duals (supply price u_s,
demand price v_k) and add those whose reduced cost  w_sk - u_s - a_sk v_k  is positive, until none is. When the
substitution ratios factor per demand and per resource (`network_simplex.factor_ratios`), the restricted problems are
transportation problems solved by a network simplex that restarts from its spanning tree, and arcs that left the
basis are dropped between rounds; otherwise HiGHS's dual simplex restarts from its basis. Every pricing pass also
proves an upper bound (the Lagrangian bound of the demand prices), so a run stopped by its time limit answers with
a feasible flow and a proven gap; the last part of the time goes to tightening that bound by subgradient steps. On
large problems the first restricted problem comes from the same problem at park scale (`coarse_start`): half the
time to proven optimality on the national instance, which a cold start spends discovering the demand prices. Large
problems are also split into independent parts (connected components of the pairs, `parts`), solved side by side
on threads; each is solved faster than its share of the whole.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
from numba import njit, prange

from eipkit.symbiosis.engine.master import DualSimplexMaster, NetworkSimplexMaster, restricted_master
from eipkit.symbiosis.engine.parts import Part, Sharing, parts
from eipkit.symbiosis.engine.pricing import TOLERANCE, Pricing, price
from eipkit.symbiosis.network_simplex import dot
from eipkit.symbiosis.pairing import (
    _KERNELS,
    ArcSet,
    Arrays,
    FixedCosts,
    Reach,
    arc_set,
    arrays,
    coefficient,
    grid_cells,
    most_carried,
    reach,
)
from eipkit.symbiosis.problem import Problem

OPTIMAL_GAP = 1e-9


@dataclass(frozen=True)
class RoundReport:
    """A round of column generation as it ends: the value of its restricted problem and the best proven bound."""

    round: int
    value: float
    bound: float
    part: int = 0  # which independent part, when the problem was split (the whole's value and bound are sums)


@dataclass
class ScaleResult:
    status: str
    objective_value: float
    gap: float
    arcs: ArcSet
    flow: np.ndarray
    iterations: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    bound: float | None = None
    solver: str = ""


@dataclass
class Round:
    """One round of column generation: the restricted problem's arcs (positions in the reach) and flow, its demand
    prices, the pairs that pricing found worth adding and the bound it proved, and the seconds each step took."""

    taken: np.ndarray
    flow: np.ndarray
    v: np.ndarray
    positions: np.ndarray
    bound: float
    solve_s: float
    pricing_s: float


def _rounds(
    solver: NetworkSimplexMaster | DualSimplexMaster,
    pairs: Reach,
    data: Arrays,
    gain: np.ndarray,
    positions: np.ndarray,
    per_supply: int,
    deadline: float,
    sharing: Sharing | None = None,
) -> Iterator[Round]:
    """Column generation from the pairs at `positions`: a round per restricted problem solved, until pricing finds
    nothing (the last round has no positions) or the time runs out inside a solve (no round for it)."""
    supply = pairs.supply
    pricing = Pricing(pairs, data, gain, per_supply, sharing=sharing)
    taken = np.empty(0, dtype=np.int64)
    while True:
        site = pairs.site[positions]
        solver.add(supply[positions], data.site_demand[site], data.site_ratio[site], gain[positions])
        taken = np.concatenate([taken, positions])
        clock = time.perf_counter()
        solved = solver.solve(deadline)
        solve_s = time.perf_counter() - clock
        if not solved:
            return
        u, v = solver.duals()
        clock = time.perf_counter()
        positions, bound = pricing(u, v)
        yield Round(taken, solver.flow(), v, positions, bound, solve_s, time.perf_counter() - clock)
        if len(positions) == 0:
            return
        taken = taken[solver.forget()]


@njit(parallel=True, cache=True, nogil=True)
def _refined(
    start: np.ndarray, site: np.ndarray, group: np.ndarray, used_start: np.ndarray, used: np.ndarray, out: np.ndarray
) -> None:
    """Marks the pairs whose supply's group sends to their demand site (`used`, sorted per group)."""
    for s in prange(len(start) - 1):
        low, high = used_start[group[s]], used_start[group[s] + 1]
        if low == high:
            continue
        for e in range(start[s], start[s + 1]):
            at = low + np.searchsorted(used[low:high], site[e])
            out[e] = at < high and used[at] == site[e]


def coarse_start(
    problem: Problem,
    data: Arrays,
    pairs: Reach,
    objective: str,
    cell_deg: float,
    per_supply: int,
    deadline: float,
    sharing: Sharing | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The pairs of a first restricted problem and demand prices, from the problem at park scale, as multiscale
    optimal transport does: the supplies of one resource in one cell of `cell_deg` degrees (hazardous apart) pooled
    into one at their centre, with their summed quantity and mean disposal cost, both weighted by quantity; demands
    kept as they are (pooling them too loses the spread of their prices, which decides who is served). On the
    national instance, in 0.05° cells, that problem has six times fewer supplies; its demand prices bound the optimum
    within 2e-4, and the 890k pairs whose group sends to their site are a start that the column generation
    finishes in about 90 rounds instead of 227. Fixed and processing costs of pairs are left out: this only chooses
    where to start. None if it did not finish in time."""
    columns = max(int(360.0 // cell_deg), 1)
    cell = grid_cells(data.s_lat, data.s_lon, (cell_deg, 360.0 / columns, columns))
    key = (cell * len(data.resources) + data.s_resource) * 2 + data.s_hazardous
    _, first, group = np.unique(key, return_index=True, return_inverse=True)
    groups = len(first)
    quantity = np.bincount(group, data.s_quantity, groups)
    weight = np.maximum(quantity, 1e-300)

    def mean(values: np.ndarray) -> np.ndarray:
        return np.bincount(group, data.s_quantity * values, groups) / weight

    pooled = replace(
        data,
        s_resource=data.s_resource[first],
        s_quantity=quantity,
        s_disposal=mean(data.s_disposal),
        s_disposal_co2=mean(data.s_disposal_co2),
        s_transport=mean(data.s_transport),
        s_transport_co2=mean(data.s_transport_co2),
        s_hazardous=data.s_hazardous[first],
        s_enterprise=np.full(groups, -1, dtype=np.int64),
        s_lat=mean(data.s_lat),
        s_lon=mean(data.s_lon),
        processing={},
        fixed={},
    )
    grouped = reach(problem, pooled)
    group_gain = coefficient(problem, pooled, grouped.supply, grouped.site, grouped.distance, objective)
    no_prices = np.zeros(groups), np.zeros(len(data.k_capacity))
    positions, _ = price(grouped, pooled, group_gain, *no_prices, per_supply, sharing)
    generation = _rounds(
        restricted_master(pooled), grouped, pooled, group_gain, positions, per_supply, deadline, sharing
    )
    rounds = deque(generation, 1)
    if not rounds or len(rounds[0].positions):
        return None
    last = rounds[0]
    sends = last.taken[last.flow > TOLERANCE]
    by_group = np.lexsort((grouped.site[sends], grouped.supply[sends]))
    used = grouped.site[sends][by_group]
    used_start = np.searchsorted(grouped.supply[sends][by_group], np.arange(groups + 1))
    refined = np.zeros(len(pairs), dtype=np.bool_)
    with _KERNELS:
        _refined(pairs.start, pairs.site, group, used_start, used, refined)
    return np.flatnonzero(refined), last.v


def first_round(
    problem: Problem,
    data: Arrays,
    pairs: Reach,
    gain: np.ndarray,
    objective: str,
    per_supply: int,
    deadline: float,
    cell_deg: float,
    from_pairs: int = 2_000_000,
    sharing: Sharing | None = None,
) -> tuple[np.ndarray, np.ndarray, float]:
    """The pairs of the first restricted problem, the demand prices they were chosen at and the bound these prove:
    from the problem at park scale (`coarse_start`) when there are at least `from_pairs` pairs, else each supply's
    best pairs at zero prices. (Starting the park-scale problem from a coarser scale in turn was slower: 24 s
    against 18 s.)"""
    supply_price = np.zeros(len(data.s_quantity))  # pricing at u = 0 ranks each supply's pairs by their worth
    if len(pairs) >= from_pairs:
        coarse = coarse_start(problem, data, pairs, objective, cell_deg, per_supply, deadline, sharing)
        if coarse is not None:
            return *coarse, price(pairs, data, gain, supply_price, coarse[1], 1, sharing)[1]
    prices = np.zeros(len(data.k_capacity))
    positions, bound = price(pairs, data, gain, supply_price, prices, per_supply, sharing)
    return positions, prices, bound


@dataclass
class _Generated:
    """What column generation proved on one problem: its status, the value of its last restricted problem solved
    to optimality (the arcs `taken`, positions in its reach, and their flow), the best bound and its prices."""

    status: str
    value: float
    bound: float
    prices: np.ndarray
    taken: np.ndarray
    flow: np.ndarray
    iterations: int
    timings: dict[str, float]
    solver: str


def _gain(
    problem: Problem, objective: str, data: Arrays, pairs: Reach, fixed: FixedCosts | None, part: Part | None
) -> np.ndarray:
    """The pairs' objective coefficients; with fixed costs, the relaxation's (less F_sk / M_sk), looked up by the
    whole problem's supplies and demands when the pairs are a part's."""
    supply, site = pairs.supply, pairs.site
    gain = coefficient(problem, data, supply, site, pairs.distance, objective)
    if fixed is not None:
        s, k = supply, data.site_demand[site]
        if part is not None:
            s, k = part.supplies[s], part.demands[k]
        gain -= fixed(s, k) / most_carried(data, supply, site)
    return gain


def _generate(
    problem: Problem,
    objective: str,
    data: Arrays,
    pairs: Reach,
    gain: np.ndarray,
    per_supply: int,
    max_iterations: int,
    gap: float,
    deadline: float,
    coarse_cell_deg: float,
    coarse_from_pairs: int,
    sharing: Sharing | None = None,
    progress: Callable[[RoundReport], None] | None = None,
) -> _Generated:
    """Column generation on one problem (the whole, or one part of it) from its first round to a stopping rule."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    positions, prices, bound = first_round(
        problem, data, pairs, gain, objective, per_supply, deadline, coarse_cell_deg, coarse_from_pairs, sharing
    )
    timings["first_round_s"] = time.perf_counter() - clock
    timings["solve_s"] = timings["pricing_s"] = 0.0
    solver = restricted_master(data)
    answer = _Generated(
        "time_limit", 0.0, bound, prices, np.empty(0, dtype=np.int64), np.zeros(0), 0, timings, solver.name
    )
    generation = _rounds(solver, pairs, data, gain, positions, per_supply, deadline, sharing)
    for iteration, round_ in enumerate(generation, 1):
        timings["solve_s"] += round_.solve_s
        timings["pricing_s"] += round_.pricing_s
        value = dot(gain[round_.taken], round_.flow)
        if round_.bound < answer.bound:
            answer.bound, answer.prices = round_.bound, round_.v
        status = "optimal" if len(round_.positions) == 0 else stop_status(gap_between(answer.bound, value), gap)
        if status == "optimal":
            answer.bound = value
        answer.status, answer.value, answer.iterations = status, value, iteration
        answer.taken, answer.flow = round_.taken, round_.flow
        if progress is not None:
            progress(RoundReport(iteration, value, answer.bound))
        # a round is not started that the last one's time says would end past the deadline
        if status != "time_limit" or time.perf_counter() + round_.solve_s + round_.pricing_s > deadline:
            break
        if iteration == max_iterations:
            answer.status = "iteration_limit"
            break
    return answer


def _merged(split: list[Part], answers: list[_Generated], nk: int, gap: float) -> _Generated:
    """The whole problem's answer from its independent parts': values, bounds and flows add up (a sum of the parts'
    Lagrangian bounds is one of the whole); optimal when every part is, else stopped by the first limit a part
    reached, or within the gap."""
    statuses = {answer.status for answer in answers}
    value, bound = sum(a.value for a in answers), sum(a.bound for a in answers)
    stopped = [s for s in ("time_limit", "iteration_limit") if s in statuses]
    status = (
        "optimal" if statuses == {"optimal"} else stopped[0] if stopped else stop_status(gap_between(bound, value), gap)
    )
    prices = np.zeros(nk)
    for part, answer in zip(split, answers, strict=True):
        prices[part.demands] = answer.prices
    timings = {key: sum(a.timings[key] for a in answers) for key in answers[0].timings}
    return _Generated(
        status,
        value,
        value if status == "optimal" else bound,
        prices,
        np.concatenate([part.whole(answer.taken) for part, answer in zip(split, answers, strict=True)]),
        np.concatenate([answer.flow for answer in answers]),
        max(answer.iterations for answer in answers),
        timings,
        answers[0].solver,
    )


ANSWER_SHARE = 0.1  # of a time limit, kept for building the links of a stopped solve's answer


def solve_lp(
    problem: Problem,
    objective: str = "cost",
    data: Arrays | None = None,
    pairs: Reach | None = None,
    fixed: FixedCosts | None = None,
    per_supply: int = 5,
    max_iterations: int = 10_000,
    time_limit_s: float | None = None,
    gap: float = 0.0,
    bound_share: float = 0.15,
    coarse_cell_deg: float = 0.05,
    coarse_from_pairs: int = 2_000_000,
    workers: int = 2,
    split_from_pairs: int = 2_000_000,
    progress: Callable[[RoundReport], None] | None = None,
) -> ScaleResult:
    """The linear problem over every pair within reach to proven optimality, by column generation. With `fixed`,
    the linear relaxation of the fixed-cost problem (each arc's gain less F_sk / M_sk). With at least
    `coarse_from_pairs` pairs, the first restricted problem and a first bound come from the problem at park scale
    (`coarse_start`); otherwise from each supply's best pairs at zero prices. With at least `split_from_pairs`
    pairs, the problem is split into `workers` independent parts (`parts`) solved side by side on threads.

    Stopped by the time limit, after `max_iterations` rounds or once the proven gap is at most `gap`, the answer
    is the last restricted problem solved to optimality (a feasible flow) with the best proven upper bound (see
    `price`) and the gap between the two; status `time_limit`, `iteration_limit` or `gap_limit`. The last
    `bound_share` of the time limit goes to tightening that bound (`tighten`), but its last `ANSWER_SHARE`, kept for
    building the answer's links, so that the whole solve ends within its time limit.
    """
    start = time.perf_counter()
    limit = math.inf if time_limit_s is None else start + (1 - ANSWER_SHARE) * time_limit_s
    deadline = math.inf if time_limit_s is None else start + (1 - bound_share) * time_limit_s
    data = data or arrays(problem)
    timings = {"arrays_s": time.perf_counter() - start}
    clock = time.perf_counter()
    pairs = pairs or reach(problem, data)
    timings["reach_s"] = time.perf_counter() - clock
    timings["pairs"] = len(pairs)
    clock = time.perf_counter()
    split = parts(data, pairs, workers) if workers > 1 and len(pairs) >= split_from_pairs else []
    timings["parts"] = max(len(split), 1)
    timings["split_s"] = time.perf_counter() - clock
    sharing = Sharing(len(split))
    settings = (per_supply, max_iterations, gap, deadline, coarse_cell_deg, coarse_from_pairs, sharing)

    def generated(data: Arrays, pairs: Reach, part: Part | None) -> tuple[_Generated, np.ndarray]:
        clock = time.perf_counter()
        gain = _gain(problem, objective, data, pairs, fixed, part)
        coefficients_s = time.perf_counter() - clock
        number = next((i for i, p in enumerate(split) if p is part), 0)
        report = None if progress is None else (lambda r: progress(replace(r, part=number)))
        answer = _generate(problem, objective, data, pairs, gain, *settings, report)
        sharing.done()
        answer.timings = {"coefficients_s": coefficients_s} | answer.timings
        return answer, gain

    gain: np.ndarray | None = None  # split, only the parts' own gains are computed
    if len(split) > 1:
        with ThreadPoolExecutor(len(split)) as pool:
            answers = [answer for answer, _ in pool.map(lambda part: generated(part.data, part.pairs, part), split)]
        answer = _merged(split, answers, len(data.k_capacity), gap)
    else:
        answer, gain = generated(data, pairs, None)
    timings.update(answer.timings)
    taken, value, bound = answer.taken, answer.value, answer.bound
    arcs = arc_set(problem, data, pairs.supply_at(taken), pairs.site[taken], pairs.distance[taken])
    result = ScaleResult(
        answer.status,
        value,
        gap_between(bound, value),
        arcs,
        answer.flow,
        answer.iterations,
        timings,
        bound,
        answer.solver,
    )
    if answer.status not in ("time_limit", "iteration_limit"):
        return result
    clock = time.perf_counter()
    if gain is None:
        gain = _gain(problem, objective, data, pairs, fixed, None)
    result.bound = tighten(pairs, data, gain, answer.prices, value, bound, limit)
    timings["bound_s"] = time.perf_counter() - clock
    result.gap = gap_between(result.bound, value)
    return result


def tighten(
    pairs: Reach, data: Arrays, gain: np.ndarray, prices: np.ndarray, lower: float, bound: float, deadline: float
) -> float:
    """A tighter proven upper bound by subgradient steps on the demand prices: the bound of `price` is a convex
    function of them, whose subgradient at a demand is its capacity less what the supplies would send it if each
    went to its best pair. Polyak's step towards the known feasible value `lower`, halved when steps stop helping;
    each step is one pricing pass. Until `deadline` (at most 200 steps)."""
    ns, nk = len(data.s_quantity), len(data.k_capacity)
    v, step, idle = prices.copy(), 1.0, 0
    for _ in range(200):
        if time.perf_counter() > deadline:
            break
        positions, value = price(pairs, data, gain, np.zeros(ns), v, 1)
        if value < bound:
            bound, idle = value, 0
        else:
            idle += 1
            if idle == 3:
                step, idle = step / 2, 0
        s = pairs.supply_at(positions)
        site = pairs.site[positions]
        sent = np.bincount(data.site_demand[site], data.site_ratio[site] * data.s_quantity[s], minlength=nk)
        slope = data.k_capacity - sent
        slope[(v <= 0) & (slope > 0)] = 0.0
        norm = dot(slope, slope)
        if norm == 0 or value <= lower:
            break
        v = np.maximum(v - step * (value - lower) / norm * slope, 0.0)
    return bound


def gap_between(bound: float, value: float) -> float:
    """The proven relative gap between an upper bound and the value of a feasible solution."""
    return max((bound - value) / max(abs(bound), 1e-9), 0.0)


def stop_status(proven: float, gap: float) -> str:
    return "optimal" if proven <= OPTIMAL_GAP else ("gap_limit" if proven <= gap else "time_limit")

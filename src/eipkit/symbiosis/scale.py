"""The exchange network at national scale: the same formulation as `network`, solved without ever listing all
pairs within reach (tens of millions nationally).

Column generation keeps it exact for the linear problem: start from each supply's nearest accepting demand sites,
solve, then price every pair within reach with the duals (supply price u_s, demand price v_k) and add the pairs
whose reduced cost  margin_sk - u_s - a_sk v_k  is positive, until none is. Pricing walks a k-d tree of demand
sites per resource in chunks, so memory stays bounded. With fixed costs, the mixed-integer problem is solved on
the arcs the linear problem priced in, split into independent components solved in parallel, warm-started from
the linear solution.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import pandas as pd
from scipy.sparse import csc_matrix
from scipy.spatial import cKDTree

from eipkit.symbiosis.network import components, great_circle_km
from eipkit.symbiosis.problem import EARTH_RADIUS_KM, Problem

TOLERANCE = 1e-6


@dataclass
class Arrays:
    """The problem as flat arrays, with demand sites expanded per accepted resource."""

    s_resource: np.ndarray
    s_quantity: np.ndarray
    s_disposal: np.ndarray
    s_disposal_co2: np.ndarray
    s_hazardous: np.ndarray
    s_enterprise: np.ndarray
    s_xyz: np.ndarray
    s_lat: np.ndarray
    s_lon: np.ndarray
    k_capacity: np.ndarray
    k_price: np.ndarray
    k_co2: np.ndarray
    k_licensed: np.ndarray
    k_enterprise: np.ndarray
    k_lat: np.ndarray
    k_lon: np.ndarray
    sites: dict[str, tuple[np.ndarray, np.ndarray, cKDTree]] = field(default_factory=dict)


def _xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    p, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)])


def arrays(problem: Problem) -> Arrays:
    s = problem.supplies
    k = problem.demands
    enterprises = pd.Index(sorted({x.enterprise_id for x in s} | {x.enterprise_id for x in k}))
    s_lat = np.array([x.lat for x in s])
    s_lon = np.array([x.lon for x in s])
    k_lat = np.array([x.lat for x in k])
    k_lon = np.array([x.lon for x in k])
    data = Arrays(
        s_resource=np.array([x.resource for x in s], dtype=object),
        s_quantity=np.array([x.quantity_t for x in s]),
        s_disposal=np.array([x.disposal_cost_vnd_per_t for x in s]),
        s_disposal_co2=np.array([x.disposal_co2e_t_per_t for x in s]),
        s_hazardous=np.array([x.hazardous for x in s]),
        s_enterprise=enterprises.get_indexer([x.enterprise_id for x in s]),
        s_xyz=_xyz(s_lat, s_lon),
        s_lat=s_lat,
        s_lon=s_lon,
        k_capacity=np.array([x.capacity_t for x in k]),
        k_price=np.array([x.virgin_price_vnd_per_t for x in k]),
        k_co2=np.array([x.virgin_co2e_t_per_t for x in k]),
        k_licensed=np.array([x.licensed_hazardous for x in k]),
        k_enterprise=enterprises.get_indexer([x.enterprise_id for x in k]),
        k_lat=k_lat,
        k_lon=k_lon,
    )
    by_resource: dict[str, list[tuple[int, float]]] = {}
    for index, demand in enumerate(k):
        for resource, ratio in demand.accepts.items():
            by_resource.setdefault(resource, []).append((index, ratio))
    for resource, pairs in by_resource.items():
        sites = np.array([p[0] for p in pairs])
        ratios = np.array([p[1] for p in pairs])
        data.sites[resource] = (sites, ratios, cKDTree(_xyz(k_lat[sites], k_lon[sites])))
    return data


def _chord(problem: Problem) -> float:
    straight = problem.max_distance_km / problem.road_factor
    return 2 * math.sin(min(straight / (2 * EARTH_RADIUS_KM), math.pi / 2)) * (1 + 1e-9)


def _pairs(
    problem: Problem, data: Arrays, supplies: np.ndarray, resource: str, nearest: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Arcs (supply, demand, ratio) from these supplies of one resource: the `nearest` sites, or all in reach."""
    sites, ratios, tree = data.sites[resource]
    chord = _chord(problem)
    if nearest is not None:
        count = min(nearest, len(sites))
        _, idx = tree.query(data.s_xyz[supplies], k=count, distance_upper_bound=chord, workers=-1)
        idx = idx.reshape(len(supplies), count)
        found = idx < len(sites)
        s = np.repeat(supplies, count)[found.ravel()]
        j = idx.ravel()[found.ravel()]
    else:
        lists = tree.query_ball_point(data.s_xyz[supplies], chord, workers=-1)
        lengths = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
        s = np.repeat(supplies, lengths)
        j = np.fromiter((i for x in lists for i in x), dtype=np.int64, count=int(lengths.sum()))
    return s, sites[j], ratios[j]


@dataclass
class ArcSet:
    """Arcs as columns: supply, demand, ratio, distance and the two objective coefficients."""

    s: np.ndarray
    k: np.ndarray
    ratio: np.ndarray
    distance: np.ndarray
    margin: np.ndarray
    co2: np.ndarray

    def __len__(self) -> int:
        return len(self.s)

    def take(self, mask: np.ndarray) -> ArcSet:
        return ArcSet(*(getattr(self, f)[mask] for f in ("s", "k", "ratio", "distance", "margin", "co2")))

    @staticmethod
    def empty() -> ArcSet:
        integer, real = np.array([], dtype=np.int64), np.array([], dtype=float)
        return ArcSet(integer, integer.copy(), real, real.copy(), real.copy(), real.copy())

    @staticmethod
    def join(parts: list[ArcSet]) -> ArcSet:
        return ArcSet(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in ("s", "k", "ratio", "distance", "margin", "co2"))
        )


def _arcs(problem: Problem, data: Arrays, s: np.ndarray, k: np.ndarray, ratio: np.ndarray) -> ArcSet:
    distance = problem.road_factor * great_circle_km(data.s_lat[s], data.s_lon[s], data.k_lat[k], data.k_lon[k])
    ok = (
        (distance <= problem.max_distance_km)
        & (data.s_enterprise[s] != data.k_enterprise[k])
        & (~data.s_hazardous[s] | data.k_licensed[k])
    )
    s, k, ratio, distance = s[ok], k[ok], ratio[ok], distance[ok]
    margin = data.s_disposal[s] + ratio * data.k_price[k] - problem.transport_cost_vnd_per_tkm * distance
    co2 = data.s_disposal_co2[s] + ratio * data.k_co2[k] - problem.transport_co2e_t_per_tkm * distance
    return ArcSet(s, k, ratio, distance, margin, co2)


def arcs_from_table(problem: Problem, data: Arrays, table: pd.DataFrame) -> ArcSet:
    """The arcs of a `network.arcs_table` (ids) as an ArcSet (indices), e.g. to solve a given arc set here."""
    supplies = {s.id: i for i, s in enumerate(problem.supplies)}
    demands = {d.id: i for i, d in enumerate(problem.demands)}
    return _arcs(
        problem,
        data,
        table["supply"].map(supplies).to_numpy(dtype=np.int64),
        table["demand"].map(demands).to_numpy(dtype=np.int64),
        table["ratio"].to_numpy(dtype=float),
    )


def initial_arcs(problem: Problem, data: Arrays, nearest: int) -> ArcSet:
    parts = []
    for resource in np.unique(data.s_resource):
        if resource not in data.sites:
            continue
        supplies = np.flatnonzero(data.s_resource == resource)
        parts.append(_arcs(problem, data, *_pairs(problem, data, supplies, resource, nearest)))
    return ArcSet.join(parts) if parts else ArcSet.empty()


def price(
    problem: Problem,
    data: Arrays,
    u: np.ndarray,
    v: np.ndarray,
    objective: str,
    chunk: int = 4000,
    per_supply: int = 5,
    best: np.ndarray | None = None,
) -> ArcSet:
    """Every pair within reach whose reduced cost is positive (at most `per_supply` best per supply). When `best`
    is given it receives, per supply, the largest positive reduced cost over all its pairs (for `upper_bound`)."""
    found = []
    for resource in np.unique(data.s_resource):
        if resource not in data.sites:
            continue
        supplies = np.flatnonzero(data.s_resource == resource)
        for start in range(0, len(supplies), chunk):
            arcs = _arcs(problem, data, *_pairs(problem, data, supplies[start : start + chunk], resource, None))
            gain = arcs.margin if objective == "cost" else arcs.co2
            reduced = gain - u[arcs.s] - arcs.ratio * v[arcs.k]
            keep = reduced > TOLERANCE * np.maximum(1.0, np.abs(gain))
            if best is not None and keep.any():
                np.maximum.at(best, arcs.s[keep], reduced[keep])
            if keep.any():
                chosen = arcs.take(keep)
                order = np.lexsort((-reduced[keep], chosen.s))
                chosen = chosen.take(order)
                rank = np.arange(len(chosen)) - np.searchsorted(chosen.s, chosen.s)
                found.append(chosen.take(rank < per_supply))
    return ArcSet.join(found) if found else ArcSet.empty()


def _model(
    quantity: np.ndarray, capacity: np.ndarray, arcs: ArcSet, objective: str, fixed: np.ndarray | None
) -> dict[str, Any]:
    """x_a >= 0 for every arc (and y_a binary where a fixed cost applies); rows: supplies, then demands, then the
    links x_a <= ub_a y_a."""
    n = len(arcs)
    ns, nk = len(quantity), len(capacity)
    charged = np.flatnonzero(fixed > 0) if fixed is not None else np.array([], dtype=np.int64)
    m = len(charged)
    upper = np.minimum(quantity[arcs.s], capacity[arcs.k] / arcs.ratio)
    rows = np.concatenate([arcs.s, ns + arcs.k, ns + nk + np.arange(m), ns + nk + np.arange(m)])
    cols = np.concatenate([np.arange(n), np.arange(n), charged, n + np.arange(m)])
    values = np.concatenate([np.ones(n), arcs.ratio, np.ones(m), -upper[charged]])
    matrix = csc_matrix((values, (rows, cols)), shape=(ns + nk + m, n + m))
    gain = arcs.margin if objective == "cost" else arcs.co2
    # in the linear problem the bound min(Q_s, D_k / a) is implied by the rows; leaving it out keeps every reduced
    # cost of an optimal basis non-positive, which is what pricing relies on
    column_upper = upper if fixed is not None else np.full(n, highspy.kHighsInf)
    return {
        "cost": np.concatenate([gain, -fixed[charged] if m else np.array([])]),
        "lower": np.zeros(n + m),
        "upper": np.concatenate([column_upper, np.ones(m)]),
        "row_upper": np.concatenate([quantity, capacity, np.zeros(m)]),
        "start": matrix.indptr.astype(np.int32),
        "index": matrix.indices.astype(np.int32),
        "value": matrix.data,
        "integer": m,
    }


def _lp(spec: dict[str, Any]) -> highspy.HighsLp:
    """A HiGHS model from plain arrays (plain arrays travel to worker processes; HiGHS objects do not)."""
    columns, rows = len(spec["cost"]), len(spec["row_upper"])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = columns, rows
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = spec["cost"]
    lp.col_lower_ = spec["lower"]
    lp.col_upper_ = spec["upper"]
    lp.row_lower_ = np.full(rows, -highspy.kHighsInf)
    lp.row_upper_ = spec["row_upper"]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = spec["start"]
    lp.a_matrix_.index_ = spec["index"]
    lp.a_matrix_.value_ = spec["value"]
    if spec["integer"]:
        n = columns - spec["integer"]
        lp.integrality_ = [highspy.HighsVarType.kContinuous] * n + [highspy.HighsVarType.kInteger] * spec["integer"]
    return lp


def _highs(options: dict[str, Any]) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in options.items():
        h.setOptionValue(key, value)
    return h


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


def upper_bound(data: Arrays, u: np.ndarray, v: np.ndarray, best: np.ndarray) -> float:
    """A proven upper bound on the linear problem over every pair within reach, from the duals of a restricted
    problem: raising each supply's price by its largest positive reduced cost makes the duals feasible for all
    pairs (Farley's bound), and any feasible dual solution bounds the maximum."""
    return float(data.s_quantity @ (np.maximum(u, 0.0) + best) + data.k_capacity @ np.maximum(v, 0.0))


def solve_lp(
    problem: Problem,
    objective: str = "cost",
    nearest: int = 6,
    data: Arrays | None = None,
    max_iterations: int = 50,
    per_supply: int = 5,
    time_limit_s: float | None = None,
) -> ScaleResult:
    """The linear problem (no fixed costs) to proven optimality by column generation.

    Stopped by the time limit or after `max_iterations` rounds, the answer is the last restricted problem solved to
    optimality (a feasible flow) with a proven upper bound (`upper_bound`) and the gap between the two; status
    `time_limit` or `iteration_limit`.
    """
    start = time.perf_counter()
    data = data or arrays(problem)
    timings = {"arrays_s": time.perf_counter() - start}
    clock = time.perf_counter()
    arcs = initial_arcs(problem, data, nearest)
    gain = arcs.margin if objective == "cost" else arcs.co2
    arcs = arcs.take(gain > 0)
    timings["initial_arcs_s"] = time.perf_counter() - clock
    timings["solve_s"] = timings["pricing_s"] = 0.0
    ns = len(data.s_quantity)

    def remaining() -> float:
        return highspy.kHighsInf if time_limit_s is None else max(time_limit_s - (time.perf_counter() - start), 0.0)

    clock = time.perf_counter()
    h = _highs({"solver": "simplex", "time_limit": remaining()})
    h.passModel(_lp(_model(data.s_quantity, data.k_capacity, arcs, objective, None)))
    # the first restricted problem falls apart into many small ones (each supply's nearest sites are mostly in its
    # own park): solved apart they give the optimal basis of the whole at once
    h.setBasis(_basis_by_components(data, arcs, objective))
    h.run()
    timings["solve_s"] += time.perf_counter() - clock
    certified = ScaleResult("time_limit", 0.0, 1.0, ArcSet.empty(), np.array([]), 0, timings)
    for iteration in range(1, max_iterations + 1):
        if h.getModelStatus() not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kModelEmpty):
            return certified  # the time ran out inside a solve: the last certified answer stands
        solution = h.getSolution()
        duals, value = np.asarray(solution.row_dual), h.getInfo().objective_function_value
        clock = time.perf_counter()
        best = np.zeros(ns)
        added = price(problem, data, duals[:ns], duals[ns:], objective, per_supply=per_supply, best=best)
        timings["pricing_s"] += time.perf_counter() - clock
        if len(added) == 0:
            return ScaleResult("optimal", value, 0.0, arcs, np.asarray(solution.col_value), iteration, timings, value)
        bound = upper_bound(data, duals[:ns], duals[ns:], best)
        gap = (bound - value) / max(abs(bound), 1e-9)
        certified = ScaleResult(
            "time_limit", value, gap, arcs, np.asarray(solution.col_value), iteration, timings, bound
        )
        if remaining() <= 0:
            return certified
        clock = time.perf_counter()
        _add_columns(h, data, added, objective)
        h.setOptionValue("time_limit", h.getRunTime() + remaining())  # HiGHS counts its time over every run
        h.run()  # simplex restarts from the previous basis
        timings["solve_s"] += time.perf_counter() - clock
        arcs = ArcSet.join([arcs, added])
    certified.status = "iteration_limit"
    return certified


def _basis_by_components(data: Arrays, arcs: ArcSet, objective: str) -> highspy.HighsBasis:
    """The optimal basis of the restricted problem, assembled from its connected components solved one by one."""
    ns, nk = len(data.s_quantity), len(data.k_capacity)
    basic, lower = highspy.HighsBasisStatus.kBasic, highspy.HighsBasisStatus.kLower
    col_status = [lower] * len(arcs)
    row_status = [basic] * (ns + nk)
    if len(arcs):
        component = components(pd.DataFrame({"supply": arcs.s, "demand": arcs.k}))
        order = np.argsort(component, kind="stable")
        edges = np.searchsorted(component[order], np.arange(component.max() + 2))
        for c in range(len(edges) - 1):
            columns = order[edges[c] : edges[c + 1]]
            part = arcs.take(columns)
            supplies, demands = np.unique(part.s), np.unique(part.k)
            relabelled = ArcSet(
                np.searchsorted(supplies, part.s),
                np.searchsorted(demands, part.k),
                part.ratio,
                part.distance,
                part.margin,
                part.co2,
            )
            h = _highs({"solver": "simplex"})
            h.passModel(_lp(_model(data.s_quantity[supplies], data.k_capacity[demands], relabelled, objective, None)))
            h.run()
            found = h.getBasis()
            for i, status in zip(columns, found.col_status, strict=True):
                col_status[i] = status
            rows = list(found.row_status)
            for i, status in zip(supplies, rows[: len(supplies)], strict=True):
                row_status[i] = status
            for i, status in zip(demands, rows[len(supplies) :], strict=True):
                row_status[ns + i] = status
    basis = highspy.HighsBasis()
    basis.col_status, basis.row_status = col_status, row_status
    basis.valid = True
    return basis


def _add_columns(h: highspy.Highs, data: Arrays, arcs: ArcSet, objective: str) -> None:
    ns = len(data.s_quantity)
    n = len(arcs)
    upper = np.full(n, highspy.kHighsInf)
    gain = arcs.margin if objective == "cost" else arcs.co2
    starts = np.arange(0, 2 * n, 2, dtype=np.int32)
    index = np.empty(2 * n, dtype=np.int32)
    index[0::2], index[1::2] = arcs.s, ns + arcs.k
    values = np.empty(2 * n)
    values[0::2], values[1::2] = 1.0, arcs.ratio
    h.addCols(n, gain, np.zeros(n), upper, 2 * n, starts, index, values)


def _solve_component(args: tuple) -> tuple[float, float, np.ndarray, str]:
    spec, time_limit, gap, start = args
    h = _highs({"time_limit": float(time_limit), "mip_rel_gap": gap, "threads": 1})
    h.passModel(_lp(spec))
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = list(start)
        solution.value_valid = True
        h.setSolution(solution)
    h.run()
    info = h.getInfo()
    value = info.objective_function_value
    bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else value
    return value, bound, np.asarray(h.getSolution().col_value), str(h.getModelStatus())


def solve_fixed(
    problem: Problem,
    fixed_cost: np.ndarray | None = None,
    time_limit_s: float = 120.0,
    gap: float = 0.01,
    nearest: int = 6,
    workers: int = 2,
    seed_arcs: ArcSet | None = None,
) -> ScaleResult:
    """The mixed-integer problem with a fixed cost per arc (`fixed_cost` aligned with the arcs the linear problem
    priced in, or the problem's default), components solved in parallel and warm-started from the LP solution."""
    clock = time.perf_counter()
    data = arrays(problem)
    lp = solve_lp(problem, "cost", nearest, data) if seed_arcs is None else None
    arcs = seed_arcs if seed_arcs is not None else lp.arcs
    fixed = fixed_cost if fixed_cost is not None else np.full(len(arcs), problem.default_fixed_cost_vnd_per_year)
    keep = arcs.margin * np.minimum(data.s_quantity[arcs.s], data.k_capacity[arcs.k] / arcs.ratio) > fixed
    arcs, fixed = arcs.take(keep), fixed[keep]
    timings = {"lp_s": time.perf_counter() - clock}
    frame = pd.DataFrame({"supply": arcs.s, "demand": arcs.k})
    labels = components(frame) if len(frame) else np.array([], dtype=np.int64)
    sizes = np.bincount(labels) if len(labels) else np.array([])
    order = np.argsort(-sizes)
    bins: list[list[int]] = [[] for _ in range(workers)]
    load = [0] * workers
    for component in order:
        target = int(np.argmin(load))
        bins[target].append(int(component))
        load[target] += int(sizes[component])
    jobs, members = [], []
    for chosen in bins:
        mask = np.isin(labels, chosen)
        if not mask.any():
            continue
        part = arcs.take(mask)
        lp_model = _model(data.s_quantity, data.k_capacity, part, "cost", fixed[mask])
        start = None
        if lp is not None:
            flow = pd.Series(lp.flow, index=pd.MultiIndex.from_arrays([lp.arcs.s, lp.arcs.k]))
            x = flow.reindex(pd.MultiIndex.from_arrays([part.s, part.k])).fillna(0.0).to_numpy()
            charged = fixed[mask] > 0
            y = (x[charged] > TOLERANCE).astype(float)
            start = np.concatenate([x, y])
        jobs.append((lp_model, time_limit_s, gap, start))
        members.append(mask)
    clock = time.perf_counter()
    if len(jobs) > 1 and workers > 1:
        # spawn, not fork: HiGHS keeps a thread pool that a forked child cannot use
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_solve_component, jobs))
    else:
        results = [_solve_component(job) for job in jobs]
    timings["mip_s"] = time.perf_counter() - clock
    failed = [r[3] for r in results if r[3] not in ("HighsModelStatus.kOptimal", "HighsModelStatus.kTimeLimit")]
    if failed:
        raise RuntimeError(f"HiGHS ended a component with {failed[0]}")
    value = sum(r[0] for r in results)
    bound = sum(r[1] for r in results)
    flow = np.zeros(len(arcs))
    for mask, result in zip(members, results, strict=True):
        flow[mask] = result[2][: int(mask.sum())]
    relative_gap = (bound - value) / max(abs(bound), 1e-9) if results else 0.0
    status = "optimal" if all(r[3] == "HighsModelStatus.kOptimal" for r in results) else "time_limit"
    return ScaleResult(status, value, max(relative_gap, 0.0), arcs, flow, timings=timings)


def regions(problem: Problem) -> np.ndarray:
    """A region number per site (supplies first, then demands): sites of different regions are never within reach
    of each other, so the regions are independent problems.

    Sites fall in grid cells at least as wide as the reach; occupied cells that touch are joined. The partition is
    conservative: two regions may still be one problem in truth, never the reverse.
    """
    lat = np.array([s.lat for s in problem.supplies] + [d.lat for d in problem.demands])
    lon = np.array([s.lon for s in problem.supplies] + [d.lon for d in problem.demands])
    reach_deg = math.degrees(problem.max_distance_km / problem.road_factor / EARTH_RADIUS_KM)
    widest = max(math.cos(math.radians(min(85.0, float(np.abs(lat).max(initial=0.0))))), 0.05)
    rows = np.floor(lat / reach_deg).astype(np.int64)
    cols = np.floor(lon / (reach_deg / widest)).astype(np.int64)
    cells = pd.Index(pd.MultiIndex.from_arrays([rows, cols]).unique())
    cell_of = cells.get_indexer(pd.MultiIndex.from_arrays([rows, cols]))
    position = {cell: i for i, cell in enumerate(cells)}
    parent = list(range(len(cells)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (r, c), i in position.items():
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                j = position.get((r + dr, c + dc))
                if j is not None:
                    a, b = find(i), find(j)
                    if a != b:
                        parent[a] = b
    roots = np.array([find(i) for i in range(len(cells))])
    return pd.factorize(roots[cell_of])[0]


def _solve_region(args: tuple) -> tuple[float, list[tuple[str, str, float]], dict[str, float]]:
    problem, objective, nearest = args
    result = solve_lp(problem, objective, nearest)
    s_ids = [s.id for s in problem.supplies]
    k_ids = [d.id for d in problem.demands]
    flows = [
        (s_ids[s], k_ids[k], float(x))
        for s, k, x in zip(result.arcs.s, result.arcs.k, result.flow, strict=True)
        if x > TOLERANCE
    ]
    return result.objective_value, flows, result.timings


def solve_lp_by_region(
    problem: Problem, objective: str = "cost", nearest: int = 6, workers: int = 2
) -> tuple[float, list[tuple[str, str, float]], dict[str, Any]]:
    """The linear problem region by region (see `regions`), the largest regions first, on `workers` processes.
    Returns the objective, the flows (supply id, demand id, t) and timings."""
    clock = time.perf_counter()
    label = regions(problem)
    ns = len(problem.supplies)
    jobs = []
    for region in np.unique(label):
        supplies = [problem.supplies[i] for i in np.flatnonzero(label[:ns] == region)]
        demands = [problem.demands[i] for i in np.flatnonzero(label[ns:] == region)]
        if supplies and demands:
            jobs.append(problem.model_copy(update={"supplies": supplies, "demands": demands}))
    jobs.sort(key=lambda p: -(len(p.supplies) + len(p.demands)))
    split_s = time.perf_counter() - clock
    clock = time.perf_counter()
    arguments = [(job, objective, nearest) for job in jobs]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_solve_region, arguments))
    else:
        results = [_solve_region(a) for a in arguments]
    flows = [f for r in results for f in r[1]]
    timings = {
        "regions": len(jobs),
        "largest_region_sites": len(jobs[0].supplies) + len(jobs[0].demands) if jobs else 0,
        "split_s": split_s,
        "solve_s": time.perf_counter() - clock,
    }
    return sum(r[0] for r in results), flows, timings

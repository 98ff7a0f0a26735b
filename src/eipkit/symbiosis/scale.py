"""The exchange network at national scale: the formulation of `network`, for tens of millions of pairs within reach.

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
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from typing import Any

import highspy
import numpy as np
import pandas as pd
from numba import njit, parallel_chunksize, prange
from scipy.sparse import csc_matrix

from eipkit.symbiosis.network_simplex import Transport, dot
from eipkit.symbiosis.pairing import (
    _KERNELS,
    ArcSet,
    Arrays,
    FixedCosts,
    Reach,
    _no_arcs,
    arc_set,
    arrays,
    coefficient,
    components,
    fixed_costs,
    grid_cells,
    most_carried,
    reach,
)
from eipkit.symbiosis.problem import Problem

TOLERANCE = 1e-6
OPTIMAL_GAP = 1e-9


class Sharing:
    """The parts of a problem solved side by side (`solve_lp`): while more than one runs, each prices its pairs on
    its own core (a serial pass, outside `_KERNELS`), since a pass on every core would share one with the other
    part's network simplex and wait for it; the last one left prices on every core."""

    def __init__(self, parts: int) -> None:
        self.running = parts
        self._lock = threading.Lock()

    def done(self) -> None:
        with self._lock:
            self.running -= 1

    @property
    def alone(self) -> bool:
        return self.running <= 1


@njit(cache=True, nogil=True)
def _root(parent: np.ndarray, x: int) -> int:
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        parent[x], x = root, parent[x]
    return root


@njit(cache=True, nogil=True)
def _linked(start: np.ndarray, site: np.ndarray, site_demand: np.ndarray, nk: int) -> np.ndarray:
    """Supplies (0..ns-1) and demands (ns..) joined by the pairs within reach, by union-find: each node's label is
    the smallest node of its connected component. (scipy's connected_components needs the graph as a sparse matrix
    first: 4.5 s on the national instance against 1 s here.)"""
    ns = len(start) - 1
    parent = np.arange(ns + nk)
    for s in range(ns):
        for e in range(start[s], start[s + 1]):
            a, b = _root(parent, s), _root(parent, ns + site_demand[site[e]])
            if a != b:
                parent[max(a, b)] = min(a, b)
    for x in range(ns + nk):
        parent[x] = _root(parent, x)
    return parent


@dataclass
class Part:
    """Supplies and demands that share no pair with the rest of the problem (whole connected components), as a
    problem of their own: `data` and `pairs` renumbered, `offset` what turns the positions of a part supply's pairs
    into their positions in the whole reach."""

    supplies: np.ndarray
    demands: np.ndarray
    data: Arrays
    pairs: Reach
    offset: np.ndarray

    def whole(self, positions: np.ndarray) -> np.ndarray:
        """The positions in the whole reach of pairs at `positions` in the part's."""
        return positions + self.offset[self.pairs.supply_at(positions)]


@njit(parallel=True, cache=True, nogil=True)
def _renumbered(
    site: np.ndarray,
    distance: np.ndarray,
    start: np.ndarray,
    offset: np.ndarray,
    site_at: np.ndarray,
    part_site: np.ndarray,
    part_distance: np.ndarray,
) -> None:
    for s in prange(len(start) - 1):
        for e in range(start[s], start[s + 1]):
            part_site[e] = site_at[site[e + offset[s]]]
            part_distance[e] = distance[e + offset[s]]


def _part(data: Arrays, pairs: Reach, supplies: np.ndarray, demands: np.ndarray) -> Part:
    ns, nk = len(data.s_quantity), len(data.k_capacity)
    supply_at, demand_at = np.full(ns, -1), np.full(nk, -1)
    supply_at[supplies], demand_at[demands] = np.arange(len(supplies)), np.arange(len(demands))
    kept = demand_at[data.site_demand] >= 0
    site_at = (np.cumsum(kept) - 1).astype(np.int32)
    start = np.concatenate([[0], np.cumsum(np.diff(pairs.start)[supplies])])
    offset = pairs.start[supplies] - start[:-1]
    site, distance = np.empty(start[-1], dtype=np.int32), np.empty(start[-1])
    with _KERNELS:
        _renumbered(pairs.site, pairs.distance, start, offset, site_at, site, distance)

    def renumbered(table: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
        return {
            (int(supply_at[a]), int(demand_at[b])): value
            for (a, b), value in table.items()
            if supply_at[a] >= 0 and demand_at[b] >= 0
        }

    supply_side = {f.name: getattr(data, f.name)[supplies] for f in fields(data) if f.name.startswith("s_")}
    demand_side = {f.name: getattr(data, f.name)[demands] for f in fields(data) if f.name.startswith("k_")}
    part = replace(
        data,
        **supply_side,
        **demand_side,
        resource_start=np.concatenate([[0], np.cumsum(kept)])[data.resource_start],
        site_demand=demand_at[data.site_demand[kept]],
        site_ratio=data.site_ratio[kept],
        site_cell=data.site_cell[kept],
        factors=None if data.factors is None else (data.factors[0][demands], data.factors[1]),
        processing=renumbered(data.processing),
        fixed=renumbered(data.fixed),
    )
    return Part(supplies, demands, part, Reach(start, site, distance), offset)


def parts(data: Arrays, pairs: Reach, count: int) -> list[Part]:
    """The problem in at most `count` independent parts of about equal numbers of pairs: its connected components,
    the largest first into the part with the fewest pairs so far. Parts can be solved side by side, and each alone
    is solved faster than its share of the whole: the network simplex's trees are smaller (national instance, one
    after the other: 85 s against 116 s)."""
    ns = len(data.s_quantity)
    label = np.unique(_linked(pairs.start, pairs.site, data.site_demand, len(data.k_capacity)), return_inverse=True)[1]
    size = np.bincount(label[:ns], np.diff(pairs.start), minlength=label.max(initial=-1) + 1)
    bins: list[list[int]] = [[] for _ in range(count)]
    load = np.zeros(count)
    for component in np.argsort(-size, kind="stable"):
        lightest = int(np.argmin(load))
        bins[lightest].append(int(component))
        load[lightest] += size[component]
    chosen = [np.isin(label, members) for members in bins if members and size[members].sum() > 0]
    return [_part(data, pairs, np.flatnonzero(mask[:ns]), np.flatnonzero(mask[ns:])) for mask in chosen]


@njit(cache=True, nogil=True)
def _choose(values: np.ndarray, chosen: np.ndarray, s: int, e: int, reduced: float) -> None:
    """Pair e into supply s's best pairs so far, kept sorted by reduced cost."""
    slot = len(values) - 1
    while slot > 0 and values[slot - 1] < reduced:
        values[slot] = values[slot - 1]
        chosen[s, slot] = chosen[s, slot - 1]
        slot -= 1
    values[slot] = reduced
    chosen[s, slot] = e


@njit(cache=True, nogil=True)
def _price_supplies(
    low: int,
    high: int,
    start: np.ndarray,
    site: np.ndarray,
    gain: np.ndarray,
    site_price: np.ndarray,
    u: np.ndarray,
    relative: float,
    worth: np.ndarray,
    chosen: np.ndarray,
    ceiling: np.ndarray,
    floor: float,
    kept_count: np.ndarray,
    kept_start: np.ndarray,
    kept_gain: np.ndarray,
    kept_site: np.ndarray,
    kept_at: np.ndarray,
) -> None:
    """Supplies low..high-1 of `_price`, one after the other. A supply with a negative `ceiling` reads only its
    kept pairs (the others' reduced costs are at most that ceiling); with `floor` finite, every pair is read and
    those with a reduced cost of at least `floor` are kept, packed from supply low's first position in the reach
    (a run of supplies never keeps more pairs than it has).

    A pair must first beat the supply's fifth best so far, then the tolerance: when half the pairs price in, as on
    the park-scale problem, testing the tolerance first mispredicts half the time."""
    last = chosen.shape[1] - 1
    values = np.empty(last + 1)
    record, partial = floor > -np.inf, len(ceiling) > 0
    slot_at = start[low]
    for s in range(low, high):
        values[:] = -np.inf
        best = 0.0
        if partial and ceiling[s] < 0:
            for j in range(kept_start[s], kept_start[s] + kept_count[s]):
                net = kept_gain[j] - site_price[kept_site[j]]
                best = max(best, net)
                reduced = net - u[s]
                if reduced > values[last] and reduced > relative * max(1.0, abs(kept_gain[j])):
                    _choose(values, chosen, s, kept_at[j], reduced)
            worth[s] = max(best, u[s] + ceiling[s])
        else:
            first_kept = slot_at
            for e in range(start[s], start[s + 1]):
                net = gain[e] - site_price[site[e]]
                best = max(best, net)
                reduced = net - u[s]
                if record and reduced >= floor:
                    kept_at[slot_at], kept_gain[slot_at], kept_site[slot_at] = e, gain[e], site[e]
                    slot_at += 1
                if reduced > values[last] and reduced > relative * max(1.0, abs(gain[e])):
                    _choose(values, chosen, s, e, reduced)
            if record:
                kept_start[s], kept_count[s] = first_kept, slot_at - first_kept
            worth[s] = best


@njit(parallel=True, cache=True, nogil=True)
def _price(chunks: np.ndarray, *arguments: Any) -> None:
    """Per supply, what a tonne of it is worth at demand prices v, max(0, max_k w_sk - a_sk v_k) (into worth), and
    the pairs with the largest positive reduced costs (into chosen, as positions in the reach, -1 where fewer), the
    runs of supplies between `chunks` on every core; `arguments` are `_price_supplies`' after its first two.
    `site_price` is a_sk v_k per demand site, found once a pass: one lookup per pair instead of three."""
    for c in prange(len(chunks) - 1):
        _price_supplies(chunks[c], chunks[c + 1], *arguments)


def price(
    reach: Reach,
    data: Arrays,
    gain: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    per_supply: int,
    sharing: Sharing | None = None,
) -> tuple[np.ndarray, float]:
    """The positions in the reach of the pairs worth adding (at most `per_supply` per supply, the best first), and a
    proven upper bound on the linear problem over every pair within reach: with demand prices v >= 0, pricing each
    supply at what it is worth to its best pair makes a feasible dual solution, and any feasible dual solution
    bounds the maximum (the Lagrangian bound; never above Farley's)."""
    return Pricing(reach, data, gain, per_supply, keep=0.0, sharing=sharing)(u, v)


class Pricing:
    """Pricing round after round, reading only the pairs that could price in. When a pass reads every pair, it keeps
    those whose reduced cost is within a margin T of zero (the share `keep` of them); until the next such pass, a
    pair left out has a reduced cost of at most -T plus how much its supply's price fell plus how much the price of
    any site of its resource in the 3 x 3 cells around the supply fell (the cells its pairs come from), so a supply
    for which that sum is negative reads only its kept pairs, and its worth is bounded by its best kept pair or
    that ceiling. The same pairs are chosen as by reading them all; the bound is never below. A pass reads every
    pair again when the supplies to read would hold more than the share `reread` of them. On the national instance
    the fine rounds' prices settle after some twenty-five rounds; later passes read about a fifth of the pairs (the
    southern part's pricing 7.8 -> 4.4 s)."""

    def __init__(
        self,
        reach: Reach,
        data: Arrays,
        gain: np.ndarray,
        per_supply: int,
        keep: float = 0.08,
        reread: float = 0.3,
        sharing: Sharing | None = None,
    ) -> None:
        self.reach, self.data, self.gain, self.per_supply = reach, data, gain, per_supply
        self.keep, self.reread, self.sharing = keep, reread, sharing
        self.reference: tuple[np.ndarray, np.ndarray] | None = None
        self.margin, self.reads = 0.0, 1.0
        ns, room = (len(reach.start) - 1, len(reach)) if keep > 0 else (0, 0)
        self.kept_count = np.zeros(ns, dtype=np.int64)
        self.kept_start = np.zeros(ns, dtype=np.int64)
        self.kept_gain = np.empty(room)  # pages are touched only as far as each run of supplies packs its pairs
        self.kept_site = np.empty(room, dtype=reach.site.dtype)
        self.kept_at = np.empty(room, dtype=np.int64)
        if keep > 0:
            self.pair_count = np.diff(reach.start)
            self.block_start, self.neighbours = _site_blocks(data)

    def ceiling(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Per supply, a bound on the reduced cost of its pairs not kept at the reference prices."""
        u0, v0 = self.reference
        site_fall = self.data.site_ratio * np.maximum(v0 - v, 0.0)[self.data.site_demand]
        block_fall = np.append(np.maximum.reduceat(site_fall, self.block_start), 0.0)
        return block_fall[self.neighbours].max(axis=1) + (u0 - u) - self.margin

    def __call__(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, float]:
        reach, data = self.reach, self.data
        worth = np.zeros(len(reach.start) - 1)
        chosen = np.full((len(worth), self.per_supply), -1, dtype=np.int64)
        site_price = data.site_ratio * v[data.site_demand]
        ceiling, floor = np.empty(0), -np.inf
        self.reads = 1.0
        if self.keep > 0 and self.reference is not None:
            ceiling = self.ceiling(u, v)
            hot = ceiling >= 0
            self.reads = (self.kept_count[~hot].sum() + self.pair_count[hot].sum()) / max(len(reach), 1)
        if self.keep > 0 and self.reads > self.reread:
            self.reads, ceiling = 1.0, np.empty(0)
            self.reference, self.margin = None, self._margin(u, site_price)
            if self.margin > 0:  # else more than the share `keep` of the pairs price in: prices are far from settled
                self.reference, floor = (u.copy(), v.copy()), -self.margin
        kept = (self.kept_count, self.kept_start, self.kept_gain, self.kept_site, self.kept_at)
        if self.sharing is not None and not self.sharing.alone:
            _price_supplies(
                0, len(worth), reach.start, reach.site, self.gain, site_price, u, TOLERANCE, worth, chosen,
                ceiling, floor, *kept,
            )  # fmt: skip
        else:
            with _KERNELS, parallel_chunksize(1):
                _price(
                    reach.chunks, reach.start, reach.site, self.gain, site_price, u, TOLERANCE, worth, chosen,
                    ceiling, floor, *kept,
                )  # fmt: skip
        return chosen[chosen >= 0], dot(data.s_quantity, worth) + dot(data.k_capacity, v)

    def _margin(self, u: np.ndarray, site_price: np.ndarray) -> float:
        """T such that about the share `keep` of the pairs have a reduced cost above -T (from a sample)."""
        sample = np.arange(0, len(self.reach), max(len(self.reach) // 20_000, 1))
        reduced = self.gain[sample] - site_price[self.reach.site[sample]] - u[self.reach.supply_at(sample)]
        return max(-float(np.quantile(reduced, 1.0 - self.keep)), 0.0) if len(sample) else 0.0


def _site_blocks(data: Arrays) -> tuple[np.ndarray, np.ndarray]:
    """The runs of demand sites of one resource in one grid cell (where each starts), and for each supply the runs
    of its resource in the 3 x 3 cells around it, where `reach` looks for its pairs (the index past the last run
    where a cell has none)."""
    key = data.site_resource * 2**40 + data.site_cell
    block_start = np.flatnonzero(np.diff(key, prepend=-1))
    blocks = key[block_start]
    columns = data.grid[2]
    row, col = np.divmod(grid_cells(data.s_lat, data.s_lon, data.grid), columns)
    shifts = [(dr, dc) for dr in (-1, 0, 1) for dc in ((-1, 0, 1) if columns >= 3 else (0,))]
    neighbours = np.full((len(row), len(shifts)), len(blocks), dtype=np.int64)
    for i, (dr, dc) in enumerate(shifts):
        wanted = data.s_resource * 2**40 + (row + dr) * columns + (col + dc) % columns
        at = np.minimum(np.searchsorted(blocks, wanted), len(blocks) - 1)
        if len(blocks):
            neighbours[:, i] = np.where(blocks[at] == wanted, at, len(blocks))
    return block_start, neighbours


def _model(
    quantity: np.ndarray, capacity: np.ndarray, arcs: ArcSet, gain: np.ndarray, fixed: np.ndarray | None
) -> dict[str, Any]:
    """x_a >= 0 for every arc (and y_a binary where a fixed cost applies); rows: supplies, then demands, then the
    links x_a <= M_a y_a."""
    n = len(arcs)
    ns, nk = len(quantity), len(capacity)
    charged = np.flatnonzero(fixed > 0) if fixed is not None else np.array([], dtype=np.int64)
    m = len(charged)
    upper = arcs.upper
    rows = np.concatenate([arcs.s, ns + arcs.k, ns + nk + np.arange(m), ns + nk + np.arange(m)])
    cols = np.concatenate([np.arange(n), np.arange(n), charged, n + np.arange(m)])
    values = np.concatenate([np.ones(n), arcs.ratio, np.ones(m), -upper[charged]])
    matrix = csc_matrix((values, (rows, cols)), shape=(ns + nk + m, n + m))
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


def _run(h: highspy.Highs) -> None:
    """Run HiGHS; an infeasible verdict is checked without presolve (see `network.solve`): these problems are
    always feasible, nothing flowing."""
    h.run()
    if h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
        h.setOptionValue("presolve", "off")
        h.run()


def _highs(options: dict[str, Any]) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in options.items():
        h.setOptionValue(key, value)
    return h


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


class _NetworkSimplex:
    """Restricted problems as transportation problems (z = f_r x, see `network_simplex`)."""

    name = "network simplex"

    def __init__(self, data: Arrays) -> None:
        g, f = data.factors
        self.f = np.array([f.get(r, 1.0) for r in data.resources] + [1.0])[data.s_resource]
        self.g = g
        self.tree = Transport.start(self.f * data.s_quantity, data.k_capacity / g)

    def add(self, s: np.ndarray, k: np.ndarray, ratio: np.ndarray, gain: np.ndarray) -> None:
        self.tree.add(s, k, -gain / self.f[s])

    def solve(self, deadline: float) -> bool:
        while not self.tree.solve(max_pivots=200_000):
            if time.perf_counter() > deadline:
                return False
        return True

    def duals(self) -> tuple[np.ndarray, np.ndarray]:
        return self.f * np.maximum(self.tree.supply_price, 0.0), np.maximum(self.tree.demand_price, 0.0) / self.g

    def flow(self) -> np.ndarray:
        """x = z / f_r, with the supplies read off the tree's own arcs (in the order they were added)."""
        return self.tree.exchange_flow / self.f[self.tree.tail[self.tree.slack : self.tree.arcs]]

    def forget(self) -> np.ndarray:
        """Arcs out of the basis are dropped between rounds (pricing brings back any worth having): the
        restricted problems stay small and the pivots' search for an entering arc cheap."""
        return self.tree.compact()


class _DualSimplex:
    """Restricted problems as general linear problems for HiGHS (any substitution ratios)."""

    name = "HiGHS dual simplex"

    def __init__(self, data: Arrays) -> None:
        self.ns = len(data.s_quantity)
        self.h = _highs({"solver": "simplex"})
        self.h.passModel(_lp(_model(data.s_quantity, data.k_capacity, _no_arcs(), np.empty(0), None)))

    def add(self, s: np.ndarray, k: np.ndarray, ratio: np.ndarray, gain: np.ndarray) -> None:
        n = len(s)
        starts = np.arange(0, 2 * n, 2, dtype=np.int32)
        index = np.empty(2 * n, dtype=np.int32)
        index[0::2], index[1::2] = s, self.ns + k
        values = np.empty(2 * n)
        values[0::2], values[1::2] = 1.0, ratio
        self.h.addCols(n, gain, np.zeros(n), np.full(n, highspy.kHighsInf), 2 * n, starts, index, values)

    def solve(self, deadline: float) -> bool:
        self.h.setOptionValue("time_limit", self.h.getRunTime() + max(deadline - time.perf_counter(), 0.0))
        _run(self.h)  # simplex restarts from the previous basis
        return self.h.getModelStatus() in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kModelEmpty)

    def duals(self) -> tuple[np.ndarray, np.ndarray]:
        duals = np.asarray(self.h.getSolution().row_dual)
        return np.maximum(duals[: self.ns], 0.0), np.maximum(duals[self.ns :], 0.0)

    def flow(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().col_value)

    def forget(self) -> np.ndarray:
        return np.ones(self.h.getNumCol(), dtype=bool)


def _restricted(data: Arrays) -> _NetworkSimplex | _DualSimplex:
    """A solver for the restricted problems: the network simplex when the ratios factor, HiGHS otherwise."""
    return _NetworkSimplex(data) if data.factors else _DualSimplex(data)


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
    solver: _NetworkSimplex | _DualSimplex,
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
    generation = _rounds(_restricted(pooled), grouped, pooled, group_gain, positions, per_supply, deadline, sharing)
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
    solver = _restricted(data)
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
        status = "optimal" if len(round_.positions) == 0 else _reached(_gap(answer.bound, value), gap)
        if status == "optimal":
            answer.bound = value
        answer.status, answer.value, answer.iterations = status, value, iteration
        answer.taken, answer.flow = round_.taken, round_.flow
        if progress is not None:
            progress(RoundReport(iteration, value, answer.bound))
        if status != "time_limit" or time.perf_counter() > deadline:
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
    status = "optimal" if statuses == {"optimal"} else stopped[0] if stopped else _reached(_gap(bound, value), gap)
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
    `bound_share` of the time limit goes to tightening that bound (`tighten`).
    """
    start = time.perf_counter()
    limit = math.inf if time_limit_s is None else start + time_limit_s
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
        answer.status, value, _gap(bound, value), arcs, answer.flow, answer.iterations, timings, bound, answer.solver
    )
    if answer.status not in ("time_limit", "iteration_limit"):
        return result
    clock = time.perf_counter()
    if gain is None:
        gain = _gain(problem, objective, data, pairs, fixed, None)
    result.bound = tighten(pairs, data, gain, answer.prices, value, bound, limit)
    timings["bound_s"] = time.perf_counter() - clock
    result.gap = _gap(result.bound, value)
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


def _solve_component(args: tuple, threads: int = 0) -> tuple[float, float, np.ndarray, str]:
    """One component's mixed-integer problem. `threads` is 1 in the parallel workers, so that they do not compete
    for the cores; in this process HiGHS keeps its own count (it refuses another once its thread pool started)."""
    spec, stop_at, gap, start = args
    h = _highs({"mip_rel_gap": gap, "threads": threads})
    h.passModel(_lp(spec))
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = list(start)
        solution.value_valid = True
        h.setSolution(solution)
    h.setOptionValue("time_limit", max(stop_at - time.time(), 1.0))
    _run(h)
    info = h.getInfo()
    value = info.objective_function_value
    bound = info.mip_dual_bound if math.isfinite(info.mip_dual_bound) else value
    return value, bound, np.asarray(h.getSolution().col_value), str(h.getModelStatus())


def _gap(bound: float, value: float) -> float:
    """The proven relative gap between an upper bound and the value of a feasible solution."""
    return max((bound - value) / max(abs(bound), 1e-9), 0.0)


def _reached(proven: float, gap: float) -> str:
    return "optimal" if proven <= OPTIMAL_GAP else ("gap_limit" if proven <= gap else "time_limit")


def _paying_links(data: Arrays, arcs: ArcSet, cost: np.ndarray, flow: np.ndarray) -> tuple[float, np.ndarray]:
    """A good solution of the fixed-cost problem from the relaxation's flow: open the links it uses, solve the
    linear problem on them paying their fixed costs in full, close the links whose margin does not pay their fixed
    cost, and again, keeping the best (a few network simplex solves on a few hundred thousand arcs)."""
    best_value, best = -math.inf, np.zeros(len(arcs))
    used = flow > TOLERANCE
    for _ in range(10):
        chosen = np.flatnonzero(used)
        solver = _restricted(data)
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
        relative_gap = _gap(bound, rounded)
        return ScaleResult(
            _reached(relative_gap, gap),
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
        spec = _model(data.s_quantity, data.k_capacity, part, part.margin, cost[mask])
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
    if rounded > value:  # HiGHS found nothing better in its time
        value, flow = rounded, start_flow
    relative_gap = _gap(bound, value) if results else 0.0
    return ScaleResult(
        _reached(relative_gap, gap), value, relative_gap, arcs, flow, timings=timings, bound=bound, solver="HiGHS"
    )

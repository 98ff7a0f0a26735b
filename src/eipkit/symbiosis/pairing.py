"""Every pair s->k that may exchange, found once for every method of `engine`: a supply and a demand of another
enterprise that accepts its resource, within `max_distance_km` of road (road factor x great-circle distance), and
licensed when the supply is hazardous. A compiled grid search lists them compactly (a demand site and a distance per
pair, grouped by supply), and `coefficient` is the one place their objective coefficients are computed; the full
model reads the same pairs as a table (`arcs_table`).
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
from numba import njit, prange
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from eipkit.symbiosis.network_simplex import factor_ratios
from eipkit.symbiosis.problem import EARTH_RADIUS_KM, Demand, Problem, Supply, TooLarge

MIN_CELL_DEGREES = 1e-6
"""The smallest grid cell (about 0.1 m): a cell wider than the reach still finds every pair, and cell numbers stay
within int64 however small the reach."""

ARC_COLUMNS = [
    "supply",
    "demand",
    "supply_enterprise",
    "demand_enterprise",
    "resource",
    "ratio",
    "distance_km",
    "upper_t",
    "margin_vnd_per_t",
    "co2e_t_per_t",
    "fixed_cost_vnd_per_year",
]


def great_circle_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Haversine distance on a sphere of radius 6371.0088 km (the mean Earth radius)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    p, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)])


def reach_chord(problem: Problem) -> float:
    """The straight chord between unit vectors that spans `max_distance_km` of road: points farther apart are
    beyond reach, whatever their road distance rounds to."""
    straight = problem.max_distance_km / problem.road_factor
    return 2 * math.sin(min(straight / (2 * EARTH_RADIUS_KM), math.pi / 2))


_KERNELS = threading.Lock()
"""Held while a parallel compiled kernel runs, so that the parts solved side by side (`solve_lp`) enter them one at
a time: numba's fallback threading layer (workqueue, where neither OpenMP nor TBB is installed) aborts on
concurrent launches, and each kernel uses every core anyway. The network simplex runs outside it."""


FixedCosts = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""The fixed cost of a link (VND/yr) from arrays of supply and demand indices."""


@dataclass
class Arrays:
    """The problem as flat arrays. Demand sites are a demand and one resource it accepts, with its ratio; the sites
    of each resource are contiguous (`resource_start`) and sorted by grid cell (`site_cell`)."""

    s_resource: np.ndarray
    s_quantity: np.ndarray
    s_disposal: np.ndarray
    s_disposal_co2: np.ndarray
    s_transport: np.ndarray  # VND per t-km of each supply
    s_transport_co2: np.ndarray  # t CO2e per t-km of each supply
    s_hazardous: np.ndarray
    s_enterprise: np.ndarray
    s_lat: np.ndarray
    s_lon: np.ndarray
    k_capacity: np.ndarray
    k_price: np.ndarray
    k_co2: np.ndarray
    k_licensed: np.ndarray
    k_enterprise: np.ndarray
    k_lat: np.ndarray
    k_lon: np.ndarray
    resources: list[str]
    resource_start: np.ndarray
    site_demand: np.ndarray
    site_ratio: np.ndarray
    site_cell: np.ndarray
    grid: tuple[float, float, int]
    factors: tuple[np.ndarray, dict[str, float]] | None
    processing: dict[tuple[int, int], float] = field(default_factory=dict)
    fixed: dict[tuple[int, int], float] = field(default_factory=dict)

    @property
    def site_resource(self) -> np.ndarray:
        """The resource of each demand site (sites come in runs of one resource)."""
        return np.repeat(np.arange(len(self.resources), dtype=np.int64), np.diff(self.resource_start))


def _grid(problem: Problem, lat: np.ndarray) -> tuple[float, float, int]:
    """Cell height and width (degrees) and the number of columns of a grid in which two sites within reach are in
    the same or neighbouring cells: |dlat| <= d, and sin(|dlon| / 2) <= sin(d / 2) / cos(latitude) for both."""
    reach = problem.max_distance_km / problem.road_factor / EARTH_RADIUS_KM * (1 + 1e-9)
    height = max(math.degrees(reach), MIN_CELL_DEGREES)
    widest = math.cos(math.radians(min(85.0, float(np.abs(lat).max(initial=0.0)))))
    spread = math.sin(min(reach, math.pi) / 2) / widest
    width = 360.0 if spread >= 1 else max(math.degrees(2 * math.asin(spread)) * (1 + 1e-9), MIN_CELL_DEGREES)
    columns = max(int(360.0 // width), 1)
    return height, 360.0 / columns, columns if columns >= 3 else 1


def grid_cells(lat: np.ndarray, lon: np.ndarray, grid: tuple[float, float, int]) -> np.ndarray:
    height, width, columns = grid
    rows = np.floor((lat + 90.0) / height).astype(np.int64)
    cols = np.floor((lon + 180.0) / width).astype(np.int64) % columns
    return rows * columns + cols


def _sides(problem: Problem) -> tuple[list[str], list[str]]:
    """What each supply and demand may not pair within: its group, else its enterprise (a group's name is marked so
    that it never meets an enterprise id)."""
    s, k = problem.supplies, problem.demands
    if not any(x.group for x in s) and not any(x.group for x in k):
        return [x.enterprise_id for x in s], [x.enterprise_id for x in k]

    def side(x: Supply | Demand) -> str:
        return f"\x00{x.group}" if x.group else x.enterprise_id

    return [side(x) for x in s], [side(x) for x in k]


def _rates(supplies: list[Supply], field: str, default: float) -> np.ndarray:
    """Each supply's own transport rate, else the problem's."""
    own = [getattr(x, field) for x in supplies]
    if all(rate is None for rate in own):
        return np.full(len(supplies), float(default))
    return np.array([default if rate is None else rate for rate in own], dtype=float)


def arrays(problem: Problem) -> Arrays:
    s, k = problem.supplies, problem.demands
    s_side, k_side = _sides(problem)
    enterprises = pd.Index(sorted(set(s_side) | set(k_side)))
    resources = sorted({x.resource for x in s})
    resource_index = {r: i for i, r in enumerate(resources)}
    k_lat = np.array([x.lat for x in k], dtype=float)
    k_lon = np.array([x.lon for x in k], dtype=float)
    s_lat = np.array([x.lat for x in s], dtype=float)
    grid = _grid(problem, np.concatenate([s_lat, k_lat]))
    sites = [
        (resource_index[r], index, ratio)
        for index, d in enumerate(k)
        for r, ratio in d.accepts.items()
        if r in resource_index
    ]
    site_resource = np.array([x[0] for x in sites], dtype=np.int64)
    site_demand = np.array([x[1] for x in sites], dtype=np.int64)
    site_ratio = np.array([x[2] for x in sites], dtype=float)
    site_cell = grid_cells(k_lat[site_demand], k_lon[site_demand], grid)
    order = np.lexsort((site_cell, site_resource))
    supply_ids = {x.id: i for i, x in enumerate(s)}
    demand_ids = {x.id: i for i, x in enumerate(k)}
    processing, fixed = {}, {}
    for arc in problem.arcs:
        pair = (supply_ids[arc.supply], demand_ids[arc.demand])
        processing[pair] = arc.processing_cost_vnd_per_t
        if arc.fixed_cost_vnd_per_year is not None:
            fixed[pair] = arc.fixed_cost_vnd_per_year
    return Arrays(
        s_resource=np.array([resource_index[x.resource] for x in s], dtype=np.int64),
        s_quantity=np.array([x.quantity_t for x in s], dtype=float),
        s_disposal=np.array([x.disposal_cost_vnd_per_t for x in s], dtype=float),
        s_disposal_co2=np.array([x.disposal_co2e_t_per_t for x in s], dtype=float),
        s_transport=_rates(s, "transport_cost_vnd_per_tkm", problem.transport_cost_vnd_per_tkm),
        s_transport_co2=_rates(s, "transport_co2e_t_per_tkm", problem.transport_co2e_t_per_tkm),
        s_hazardous=np.array([x.hazardous for x in s], dtype=np.bool_),
        s_enterprise=enterprises.get_indexer(s_side),
        s_lat=s_lat,
        s_lon=np.array([x.lon for x in s], dtype=float),
        k_capacity=np.array([x.capacity_t for x in k], dtype=float),
        k_price=np.array([x.virgin_price_vnd_per_t for x in k], dtype=float),
        k_co2=np.array([x.virgin_co2e_t_per_t for x in k], dtype=float),
        k_licensed=np.array([x.licensed_hazardous for x in k], dtype=np.bool_),
        k_enterprise=enterprises.get_indexer(k_side),
        k_lat=k_lat,
        k_lon=k_lon,
        resources=resources,
        resource_start=np.searchsorted(site_resource[order], np.arange(len(resources) + 1)),
        site_demand=site_demand[order],
        site_ratio=site_ratio[order],
        site_cell=site_cell[order],
        grid=grid,
        factors=factor_ratios([d.accepts for d in k]),
        processing=processing,
        fixed=fixed,
    )


@njit(cache=True)
def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2) - math.radians(lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))


@njit(parallel=True, cache=True, nogil=True)
def _within_reach(
    s_resource: np.ndarray,
    s_quantity: np.ndarray,
    s_lat: np.ndarray,
    s_lon: np.ndarray,
    s_enterprise: np.ndarray,
    s_hazardous: np.ndarray,
    k_capacity: np.ndarray,
    k_lat: np.ndarray,
    k_lon: np.ndarray,
    k_enterprise: np.ndarray,
    k_licensed: np.ndarray,
    resource_start: np.ndarray,
    site_demand: np.ndarray,
    site_cell: np.ndarray,
    height: float,
    width: float,
    columns: int,
    road_factor: float,
    max_distance_km: float,
    s_xyz: np.ndarray,
    k_xyz: np.ndarray,
    chord: float,
    start: np.ndarray,
    site: np.ndarray,
    distance: np.ndarray,
    fill: bool,
) -> None:
    """Per supply, the sites of its resource in the 3 x 3 cells around it that are within reach, of another
    enterprise and licensed for a hazardous supply (nothing to or from a zero quantity): counted into
    start[s + 1], or written from start[s]. The chord between the points' unit vectors (`s_xyz`, `k_xyz`; no
    trigonometry) rules out the candidates clearly beyond reach and admits those clearly within it, whose distance
    it also gives (2R asin(chord / 2): the haversine's to 1e-12 km on the national instance, a third of the
    writing pass's time); the haversine decides the few in between (as in `network.arcs_table`)."""
    outside, inside = (chord * (1 + 1e-9)) ** 2, (chord * (1 - 1e-9)) ** 2
    for s in prange(len(s_resource)):
        if s_quantity[s] <= 0:
            continue
        r = s_resource[s]
        low, high = resource_start[r], resource_start[r + 1]
        row = math.floor((s_lat[s] + 90.0) / height)
        col = math.floor((s_lon[s] + 180.0) / width) % columns
        found = 0
        for dr in range(-1, 2):
            for dc in range(-1, 2) if columns >= 3 else range(1):
                cell = (row + dr) * columns + (col + dc) % columns
                first = low + np.searchsorted(site_cell[low:high], cell)
                last = low + np.searchsorted(site_cell[low:high], cell, side="right")
                for j in range(first, last):
                    k = site_demand[j]
                    if (
                        k_capacity[k] <= 0
                        or k_enterprise[k] == s_enterprise[s]
                        or (s_hazardous[s] and not k_licensed[k])
                    ):
                        continue
                    between = 0.0
                    for axis in range(3):
                        between += (s_xyz[s, axis] - k_xyz[k, axis]) ** 2
                    if between > outside:
                        continue
                    within, d = between < inside, 0.0
                    if not within:
                        d = road_factor * _haversine_km(s_lat[s], s_lon[s], k_lat[k], k_lon[k])
                        within = d <= max_distance_km
                    elif fill:
                        d = road_factor * 2 * EARTH_RADIUS_KM * math.asin(min(math.sqrt(between) / 2, 1.0))
                    if within:
                        if fill:
                            site[start[s] + found] = j
                            distance[start[s] + found] = d
                        found += 1
        if not fill:
            start[s + 1] = found


@dataclass
class Reach:
    """Every pair within reach, grouped by supply: supply s's pairs are start[s]:start[s + 1], each a demand site
    (`Arrays.site_demand`, `site_ratio`) and a road distance."""

    start: np.ndarray
    site: np.ndarray
    distance: np.ndarray

    def __len__(self) -> int:
        return len(self.site)

    @functools.cached_property
    def supply(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.start) - 1, dtype=np.int32), np.diff(self.start))

    def supply_at(self, positions: np.ndarray) -> np.ndarray:
        """The supplies of the pairs at `positions`, without the whole `supply` array."""
        return np.searchsorted(self.start, positions, side="right") - 1

    @functools.cached_property
    def chunks(self) -> np.ndarray:
        """Runs of supplies with about as many pairs each, many more than cores: pricing hands them out one at a
        time, so the cores finish together however unevenly the pairs spread over the supplies (a pass over the
        southern part 57 ms instead of 68 ms)."""
        count = min(len(self.start) - 1, 256)
        bounds = np.searchsorted(self.start, np.linspace(0, self.start[-1], count + 1), side="right") - 1
        bounds[0], bounds[-1] = 0, len(self.start) - 1
        return np.unique(bounds)


def reach(problem: Problem, data: Arrays, max_pairs: int | None = None) -> Reach:
    """Every pair within reach; TooLarge, before anything is allocated for them, when there are more than
    `max_pairs` (the counting pass costs a fraction of a second even on the national problem)."""
    height, width, columns = data.grid
    ns = len(data.s_quantity)
    start = np.zeros(ns + 1, dtype=np.int64)
    site = np.empty(0, dtype=np.int32)
    distance = np.empty(0)
    arguments = (
        data.s_resource,
        data.s_quantity,
        data.s_lat,
        data.s_lon,
        data.s_enterprise,
        data.s_hazardous,
        data.k_capacity,
        data.k_lat,
        data.k_lon,
        data.k_enterprise,
        data.k_licensed,
        data.resource_start,
        data.site_demand,
        data.site_cell,
        height,
        width,
        columns,
        problem.road_factor,
        problem.max_distance_km,
        unit_vectors(data.s_lat, data.s_lon),
        unit_vectors(data.k_lat, data.k_lon),
        reach_chord(problem),
    )
    if ns == 0 or len(data.site_demand) == 0:
        return Reach(start, site, distance)
    with _KERNELS:
        _within_reach(*arguments, start, site, distance, False)
        np.cumsum(start, out=start)
        if max_pairs is not None and start[-1] > max_pairs:
            raise TooLarge("sym.too_large", pairs=f"{int(start[-1]):,}", limit=f"{max_pairs:,}")
        site = np.empty(start[-1], dtype=np.int32)
        distance = np.empty(start[-1])
        _within_reach(*arguments, start, site, distance, True)
    return Reach(start, site, distance)


@dataclass
class ArcSet:
    """Arcs as columns: supply, demand, ratio, distance, the two objective coefficients and the most the arc can
    carry alone, M_sk = min(Q_s, D_k / a_sk)."""

    s: np.ndarray
    k: np.ndarray
    ratio: np.ndarray
    distance: np.ndarray
    margin: np.ndarray
    co2: np.ndarray
    upper: np.ndarray

    def __len__(self) -> int:
        return len(self.s)

    def take(self, mask: np.ndarray) -> ArcSet:
        return ArcSet(*(getattr(self, f.name)[mask] for f in fields(self)))


def _pair_costs(table: dict[tuple[int, int], float], s: np.ndarray, k: np.ndarray, default: float) -> np.ndarray:
    values = np.full(len(s), default)
    if table:
        nk = max(int(k.max(initial=0)), max(p[1] for p in table)) + 1
        keys = np.array([a * nk + b for a, b in table], dtype=np.int64)
        order = np.argsort(keys)
        keys, given = keys[order], np.array(list(table.values()))[order]
        wanted = s.astype(np.int64) * nk + k
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        hit = keys[at] == wanted
        values[hit] = given[at[hit]]
    return values


@njit(parallel=True, cache=True, nogil=True)
def _coefficient(
    s: np.ndarray,
    site: np.ndarray,
    distance: np.ndarray,
    site_demand: np.ndarray,
    site_ratio: np.ndarray,
    per_supply_t: np.ndarray,
    per_demand_t: np.ndarray,
    per_km: np.ndarray,
    out: np.ndarray,
) -> None:
    for e in prange(len(s)):
        j = site[e]
        out[e] = per_supply_t[s[e]] + site_ratio[j] * per_demand_t[site_demand[j]] - per_km[s[e]] * distance[e]


def coefficient(
    problem: Problem, data: Arrays, s: np.ndarray, site: np.ndarray, distance: np.ndarray, objective: str
) -> np.ndarray:
    """The objective coefficient of arcs (the one place it is computed): money d_s + a p_k - c dist - h_sk per
    tonne, or CO2 e_s + a e_k - e_t dist."""
    out = np.empty(len(s))
    if objective == "cost":
        terms = (data.s_disposal, data.k_price, data.s_transport)
    else:
        terms = (data.s_disposal_co2, data.k_co2, data.s_transport_co2)
    with _KERNELS:
        _coefficient(s, site, distance, data.site_demand, data.site_ratio, *terms, out)
    if objective == "cost" and data.processing:
        out -= _pair_costs(data.processing, s, data.site_demand[site], 0.0)
    return out


def most_carried(data: Arrays, s: np.ndarray, site: np.ndarray) -> np.ndarray:
    """M_sk = min(Q_s, D_k / a_sk): the most an arc can carry alone."""
    return np.minimum(data.s_quantity[s], data.k_capacity[data.site_demand[site]] / data.site_ratio[site])


def arc_set(problem: Problem, data: Arrays, s: np.ndarray, site: np.ndarray, distance: np.ndarray) -> ArcSet:
    return ArcSet(
        s.astype(np.int64),
        data.site_demand[site],
        data.site_ratio[site],
        distance,
        coefficient(problem, data, s, site, distance, "cost"),
        coefficient(problem, data, s, site, distance, "co2"),
        most_carried(data, s, site),
    )


def arcs_from_table(problem: Problem, data: Arrays, table: pd.DataFrame) -> ArcSet:
    """The arcs of a `network.arcs_table` (ids) as an ArcSet (indices), e.g. to solve a given arc set here."""
    supplies = {x.id: i for i, x in enumerate(problem.supplies)}
    demands = {x.id: i for i, x in enumerate(problem.demands)}
    resources = {r: i for i, r in enumerate(data.resources)}
    s = table["supply"].map(supplies).to_numpy(dtype=np.int64)
    k = table["demand"].map(demands).to_numpy(dtype=np.int64)
    r = np.array([resources[x] for x in table["resource"]], dtype=np.int64)
    keys = pd.MultiIndex.from_arrays([data.site_demand, data.site_resource])
    site = keys.get_indexer(pd.MultiIndex.from_arrays([k, r]))
    return arc_set(problem, data, s, site, table["distance_km"].to_numpy(dtype=float))


def _no_arcs() -> ArcSet:
    return ArcSet(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), *(np.empty(0) for _ in range(5)))


def fixed_costs(problem: Problem, data: Arrays) -> FixedCosts:
    """The problem's own fixed costs: the default, or an arc entry's."""
    return lambda s, k: _pair_costs(data.fixed, s, k, problem.default_fixed_cost_vnd_per_year)


def arcs_table(problem: Problem) -> pd.DataFrame:
    """Every pair within reach as a table with ids, distance, bound and coefficients (one row per arc), the table
    the full model is built from."""
    data = arrays(problem)
    found = reach(problem, data)
    arcs = arc_set(problem, data, found.supply, found.site, found.distance)
    supplies, demands = problem.supplies, problem.demands
    s, k = arcs.s, arcs.k
    return pd.DataFrame(
        {
            "supply": np.array([x.id for x in supplies], dtype=object)[s],
            "demand": np.array([x.id for x in demands], dtype=object)[k],
            "supply_enterprise": np.array([x.enterprise_id for x in supplies], dtype=object)[s],
            "demand_enterprise": np.array([x.enterprise_id for x in demands], dtype=object)[k],
            "resource": np.array([x.resource for x in supplies], dtype=object)[s],
            "ratio": arcs.ratio,
            "distance_km": arcs.distance,
            "upper_t": arcs.upper,
            "margin_vnd_per_t": arcs.margin,
            "co2e_t_per_t": arcs.co2,
            "fixed_cost_vnd_per_year": fixed_costs(problem, data)(s, k),
        },
        columns=ARC_COLUMNS,
    )


def components(arcs: pd.DataFrame) -> np.ndarray:
    """The connected component of each arc in the supply-demand graph: components share no constraint."""
    supplies = pd.Index(arcs["supply"].unique())
    demands = pd.Index(arcs["demand"].unique())
    s = supplies.get_indexer(arcs["supply"])
    k = len(supplies) + demands.get_indexer(arcs["demand"])
    n = len(supplies) + len(demands)
    graph = coo_matrix((np.ones(len(arcs)), (s, k)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels[s]

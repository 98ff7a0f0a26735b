"""The optimised exchange network, as in PRODUCT.md:

    maximise  sum_sk x_sk (d_s + a_sk p_k - c dist_sk - h_sk)  -  sum_sk F_sk y_sk
    subject to  sum_k x_sk <= Q_s ;  sum_s a_sk x_sk <= D_k ;  x_sk <= min(Q_s, D_k / a_sk) y_sk ;  x >= 0, y binary

The CO2 objective replaces the money terms by avoided disposal emissions, avoided virgin-material emissions and
transport emissions, and has no fixed costs. Arcs are a plain table (one row per pair s->k that may exchange);
arcs whose objective coefficient is not positive are dropped before the model is built, since an optimum never
needs them.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from eipkit.symbiosis.pairing import arcs_table
from eipkit.symbiosis.problem import Problem

Objective = Literal["cost", "co2"]


@dataclass
class Solution:
    status: str
    objective: Objective
    objective_value: float
    gap: float
    links: pd.DataFrame
    arcs_considered: int = 0
    notes: list[str] = field(default_factory=list)
    bound: float | None = None  # proven: no network does better
    solver: str = "HiGHS"
    method: str | None = None  # set by `engine.solve`, which chose it
    pairs: int | None = None  # pairs within reach
    elapsed_s: float | None = None
    timings: dict[str, float] = field(default_factory=dict)  # the large paths' phases, for the benchmarks

    @property
    def net_benefit_vnd_per_year(self) -> float:
        if self.links.empty:
            return 0.0
        return float(
            (self.links["flow_t"] * self.links["margin_vnd_per_t"]).sum() - self.links["fixed_cost_vnd_per_year"].sum()
        )

    @property
    def co2e_avoided_t_per_year(self) -> float:
        return float((self.links["flow_t"] * self.links["co2e_t_per_t"]).sum()) if not self.links.empty else 0.0

    @property
    def diverted_t_per_year(self) -> float:
        return float(self.links["flow_t"].sum()) if not self.links.empty else 0.0

    def as_dict(self) -> dict[str, Any]:
        links = [
            {
                "supply": r.supply,
                "demand": r.demand,
                "supply_enterprise": r.supply_enterprise,
                "demand_enterprise": r.demand_enterprise,
                "resource": r.resource,
                "flow_t": r.flow_t,
                "distance_km": r.distance_km,
                "net_benefit_vnd_per_year": r.flow_t * r.margin_vnd_per_t - r.fixed_cost_vnd_per_year,
                "co2e_avoided_t_per_year": r.flow_t * r.co2e_t_per_t,
            }
            for r in self.links.itertuples()
        ]
        return {
            "status": self.status,
            "method": self.method,
            "solver": self.solver,
            "objective": self.objective,
            "objective_value": self.objective_value,
            "bound": self.bound,
            "gap": self.gap,
            "pairs_within_reach": self.pairs,
            "elapsed_s": self.elapsed_s,
            "net_benefit_vnd_per_year": self.net_benefit_vnd_per_year,
            "co2e_avoided_t_per_year": self.co2e_avoided_t_per_year,
            "diverted_t_per_year": self.diverted_t_per_year,
            "links": links,
            "notes": self.notes,
        }


FLOW_TOLERANCE = 1e-6


@contextlib.contextmanager
def banner_to_stderr() -> Iterator[None]:
    """HiGHS prints a banner on standard output when it starts, whatever its options; standard output belongs to
    the command's JSON, so the banner goes to standard error instead. Threads solving side by side share the one
    redirection: the first in makes it, the last out undoes it."""
    global _redirected, _saved_stdout
    with _redirection:
        if _redirected == 0:
            sys.stdout.flush()
            _saved_stdout = os.dup(1)
            os.dup2(2, 1)
        _redirected += 1
    try:
        yield
    finally:
        with _redirection:
            _redirected -= 1
            if _redirected == 0:
                sys.stdout.flush()
                os.dup2(_saved_stdout, 1)
                os.close(_saved_stdout)


_redirection = threading.Lock()
_redirected = 0
_saved_stdout = -1


def _coefficient(arcs: pd.DataFrame, objective: Objective) -> np.ndarray:
    return (arcs["margin_vnd_per_t"] if objective == "cost" else arcs["co2e_t_per_t"]).to_numpy(dtype=float)


def build_model(
    problem: Problem, arcs: pd.DataFrame, objective: Objective = "cost", min_co2e_t: float | None = None
) -> linopy.Model:
    """The linopy model of the formulation over `arcs` (already pruned); `min_co2e_t` adds the epsilon
    constraint of a Pareto point (avoided CO2e at least that much)."""
    model = linopy.Model()
    index = pd.RangeIndex(len(arcs), name="arc")
    upper = xr.DataArray(arcs["upper_t"].to_numpy(dtype=float), coords=[index])
    x = model.add_variables(lower=0, upper=upper, coords=[index], name="flow")
    supply_of = xr.DataArray(arcs["supply"].to_numpy(), coords=[index], name="supply")
    demand_of = xr.DataArray(arcs["demand"].to_numpy(), coords=[index], name="demand")
    ratio = xr.DataArray(arcs["ratio"].to_numpy(dtype=float), coords=[index])
    quantity = pd.Series({s.id: s.quantity_t for s in problem.supplies})
    capacity = pd.Series({d.id: d.capacity_t for d in problem.demands})
    used_supplies = np.unique(arcs["supply"].to_numpy())
    used_demands = np.unique(arcs["demand"].to_numpy())
    model.add_constraints(
        x.groupby(supply_of).sum()
        <= xr.DataArray(quantity[used_supplies].to_numpy(), coords={"supply": used_supplies}),
        name="supply_limit",
    )
    model.add_constraints(
        (ratio * x).groupby(demand_of).sum()
        <= xr.DataArray(capacity[used_demands].to_numpy(), coords={"demand": used_demands}),
        name="demand_limit",
    )
    gain = xr.DataArray(_coefficient(arcs, objective), coords=[index])
    expression = (gain * x).sum()
    fixed = arcs["fixed_cost_vnd_per_year"].to_numpy(dtype=float)
    if objective == "cost" and (fixed > 0).any():
        charged = np.flatnonzero(fixed > 0)
        charged_index = pd.Index(charged, name="arc")
        y = model.add_variables(binary=True, coords=[charged_index], name="open")
        model.add_constraints(
            x.sel(arc=charged) <= xr.DataArray(arcs["upper_t"].to_numpy()[charged], coords=[charged_index]) * y,
            name="link_open",
        )
        expression = expression - (xr.DataArray(fixed[charged], coords=[charged_index]) * y).sum()
    if min_co2e_t is not None:
        co2 = xr.DataArray(arcs["co2e_t_per_t"].to_numpy(dtype=float), coords=[index])
        model.add_constraints((co2 * x).sum() >= min_co2e_t, name="co2_floor")
    model.add_objective(expression, sense="max")
    return model


def prune(arcs: pd.DataFrame, objective: Objective, keep_co2: bool = False) -> pd.DataFrame:
    """Drop arcs that can never improve the objective: a non-positive coefficient (or, for a Pareto point, no
    positive CO2 either), and an upper bound of zero."""
    useful = _coefficient(arcs, objective) > 0
    if keep_co2:
        useful |= arcs["co2e_t_per_t"].to_numpy(dtype=float) > 0
    return arcs[useful & (arcs["upper_t"].to_numpy(dtype=float) > 0)].reset_index(drop=True)


def solve(
    problem: Problem,
    objective: Objective = "cost",
    time_limit_s: float | None = None,
    mip_gap: float = 1e-4,
    min_co2e_t: float | None = None,
    arcs: pd.DataFrame | None = None,
) -> Solution:
    """Optimise the network; returns the selected links with their flow, money and CO2."""
    if objective not in ("cost", "co2"):
        raise ValueError("objective must be 'cost' or 'co2'")
    table = arcs_table(problem) if arcs is None else arcs
    candidates = prune(table, objective, keep_co2=min_co2e_t is not None)
    if candidates.empty:
        empty = candidates.assign(flow_t=[])
        status = "optimal" if not min_co2e_t or min_co2e_t <= 0 else "infeasible"
        return Solution(status, objective, 0.0, 0.0, empty, arcs_considered=0, bound=0.0)
    model = build_model(problem, candidates, objective, min_co2e_t)
    options: dict[str, Any] = {"output_flag": False, "log_to_console": False, "mip_rel_gap": mip_gap}
    if time_limit_s is not None:
        options["time_limit"] = float(time_limit_s)
    with banner_to_stderr():
        status, condition = model.solve(solver_name="highs", io_api="direct", **options)
        if condition == "infeasible":
            # HiGHS's presolve can call a feasible problem infeasible when a bound sits near its feasibility
            # tolerance (ERGO-Code/HiGHS#2511; a supply of 1.2e-7 t does it); without a CO2 floor nothing flowing
            # is always feasible, and with one the verdict is settled without presolve
            status, condition = model.solve(solver_name="highs", io_api="direct", **options | {"presolve": "off"})
    if condition not in ("optimal", "time_limit") or model.objective.value is None:
        return Solution(
            str(condition),
            objective,
            float("nan"),
            float("nan"),
            candidates.iloc[:0].assign(flow_t=[]),
            arcs_considered=len(candidates),
        )
    gap = 0.0
    highs = getattr(model, "solver_model", None)
    if highs is not None and "open" in model.variables:
        info = highs.getInfo()
        gap = float(max(info.mip_gap, 0.0)) if math.isfinite(info.mip_gap) else float("nan")
    flows = model.variables["flow"].solution.to_numpy()
    chosen = candidates.assign(flow_t=flows)
    chosen = chosen[chosen["flow_t"] > FLOW_TOLERANCE].reset_index(drop=True)
    value = float(model.objective.value)
    bound = value + gap * abs(value) if math.isfinite(gap) and str(condition) == "optimal" else None
    return Solution(str(condition), objective, value, gap, chosen, arcs_considered=len(candidates), bound=bound)


def pareto(problem: Problem, points: int, time_limit_s: float | None = None, mip_gap: float = 1e-4) -> list[Solution]:
    """`points` solutions along the money/CO2 trade-off (epsilon-constraint): from the cost optimum to the CO2
    optimum, each maximising money with avoided CO2 at least a level between the two."""
    if points < 2:
        raise ValueError("a Pareto front needs at least 2 points")
    table = arcs_table(problem)
    money = solve(problem, "cost", time_limit_s, mip_gap, arcs=table)
    carbon = solve(problem, "co2", time_limit_s, mip_gap, arcs=table)
    low, high = money.co2e_avoided_t_per_year, carbon.co2e_avoided_t_per_year
    result = [money]
    for level in np.linspace(low, high, points)[1:]:
        floor = level * (1 - 1e-9) if level > 0 else level
        result.append(solve(problem, "cost", time_limit_s, mip_gap, min_co2e_t=float(floor), arcs=table))
    return result

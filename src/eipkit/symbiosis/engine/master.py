"""The restricted (master) problem of column generation on the arcs priced in so far: a network simplex that
restarts from its spanning tree when the substitution ratios factor per demand and per resource
(`network_simplex.factor_ratios`), HiGHS's dual simplex restarting from its basis otherwise; and the HiGHS model of
an arc set from plain arrays, which also travels to worker processes."""

from __future__ import annotations

import time
from typing import Any

import highspy
import numpy as np
from scipy.sparse import csc_matrix

from eipkit.symbiosis.network import banner_to_stderr
from eipkit.symbiosis.network_simplex import Transport
from eipkit.symbiosis.pairing import (
    ArcSet,
    Arrays,
    _no_arcs,
)


def model_arrays(
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
        "cost": np.concatenate([gain, -fixed[charged] if m and fixed is not None else np.array([])]),
        "lower": np.zeros(n + m),
        "upper": np.concatenate([column_upper, np.ones(m)]),
        "row_upper": np.concatenate([quantity, capacity, np.zeros(m)]),
        "start": matrix.indptr.astype(np.int32),
        "index": matrix.indices.astype(np.int32),
        "value": matrix.data,
        "integer": m,
    }


def highs_lp(spec: dict[str, Any]) -> highspy.HighsLp:
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


def run_highs(h: highspy.Highs) -> None:
    """Run HiGHS; an infeasible verdict is checked without presolve (see `network.solve`): these problems are
    always feasible, nothing flowing."""
    with banner_to_stderr():
        h.run()
        if h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
            h.setOptionValue("presolve", "off")
            h.run()


def new_highs(options: dict[str, Any]) -> highspy.Highs:
    """A silent HiGHS (its banner, printed when it is made, goes to standard error)."""
    with banner_to_stderr():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in options.items():
        h.setOptionValue(key, value)
    return h


class NetworkSimplexMaster:
    """Restricted problems as transportation problems (z = f_r x, see `network_simplex`)."""

    name = "network simplex"

    def __init__(self, data: Arrays) -> None:
        assert data.factors is not None  # network simplex is chosen only for problems with substitution factors
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


class DualSimplexMaster:
    """Restricted problems as general linear problems for HiGHS (any substitution ratios)."""

    name = "HiGHS dual simplex"

    def __init__(self, data: Arrays) -> None:
        self.ns = len(data.s_quantity)
        self.h = new_highs({"solver": "simplex"})
        self.h.passModel(highs_lp(model_arrays(data.s_quantity, data.k_capacity, _no_arcs(), np.empty(0), None)))

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
        run_highs(self.h)  # simplex restarts from the previous basis
        return self.h.getModelStatus() in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kModelEmpty)

    def duals(self) -> tuple[np.ndarray, np.ndarray]:
        duals = np.asarray(self.h.getSolution().row_dual)
        return np.maximum(duals[: self.ns], 0.0), np.maximum(duals[self.ns :], 0.0)

    def flow(self) -> np.ndarray:
        return np.asarray(self.h.getSolution().col_value)

    def forget(self) -> np.ndarray:
        return np.ones(self.h.getNumCol(), dtype=bool)


def restricted_master(data: Arrays) -> NetworkSimplexMaster | DualSimplexMaster:
    """A solver for the restricted problems: the network simplex when the ratios factor, HiGHS otherwise."""
    return NetworkSimplexMaster(data) if data.factors else DualSimplexMaster(data)

"""Water reuse between enterprises: a linear model of sources, sinks, freshwater and regeneration units.

Sources i give flow F_i (m3/d) at concentrations C_ic; sinks j need D_j at inlet concentrations at most M_jc;
freshwater has zero concentration; a regeneration unit r returns what it receives at its fixed outlet
concentration R_rc, at a cost per m3. Unused source water and regenerated water are discharged.

    minimise  sum_j w_j   (or  p_fresh sum_j w_j + sum_r cost_r sum_i g_ir)
    s.t.  sum_j f_ij + sum_r g_ir <= F_i                        (source i)
          sum_i f_ij + sum_r h_rj + w_j = D_j                   (sink j)
          sum_i C_ic f_ij + sum_r R_rc h_rj <= M_jc D_j         (sink j, contaminant c)
          sum_j h_rj <= sum_i g_ir <= capacity_r                (regeneration r)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy.optimize import linprog

from eipkit.symbiosis.problem import ProblemError, _where


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WaterSource(_Strict):
    id: str = Field(min_length=1)
    enterprise_id: str = ""
    flow_m3_per_day: float = Field(ge=0, allow_inf_nan=False)
    concentrations: dict[str, float] = Field(default_factory=dict)


class WaterSink(_Strict):
    id: str = Field(min_length=1)
    enterprise_id: str = ""
    demand_m3_per_day: float = Field(ge=0, allow_inf_nan=False)
    max_concentrations: dict[str, float] = Field(default_factory=dict)


class Regeneration(_Strict):
    id: str = Field(min_length=1)
    outlet_concentrations: dict[str, float] = Field(default_factory=dict)
    cost_vnd_per_m3: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    capacity_m3_per_day: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class WaterProblem(_Strict):
    contaminants: list[str] = Field(min_length=1)
    freshwater_cost_vnd_per_m3: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    objective: Literal["freshwater", "cost"] = "freshwater"
    sources: list[WaterSource]
    sinks: list[WaterSink] = Field(min_length=1)
    regeneration: list[Regeneration] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_contaminants(self) -> WaterProblem:
        known = set(self.contaminants)
        for name, items, attribute in (
            ("sources", self.sources, "concentrations"),
            ("sinks", self.sinks, "max_concentrations"),
            ("regeneration", self.regeneration, "outlet_concentrations"),
        ):
            for index, item in enumerate(items):
                for contaminant, value in getattr(item, attribute).items():
                    if contaminant not in known:
                        raise ValueError(f"{name}[{index}].{attribute}: unknown contaminant '{contaminant}'")
                    if not value >= 0:
                        raise ValueError(f"{name}[{index}].{attribute}.{contaminant}: must be 0 or more")
        return self


def parse(data: Any) -> WaterProblem:
    try:
        return WaterProblem.model_validate(data)
    except ValidationError as exc:
        messages = [
            f"{_where(e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
            if e["loc"]
            else e["msg"].removeprefix("Value error, ")
            for e in exc.errors()
        ]
        raise ProblemError("; ".join(messages)) from None


def load(path: str | Path) -> WaterProblem:
    try:
        return parse(json.loads(Path(path).read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ProblemError("no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProblemError(f"not a JSON file ({exc})") from None


def solve(problem: WaterProblem) -> dict[str, Any]:
    """The reuse plan with the least freshwater (or cost): flows by pair, freshwater by sink, regeneration use.

    A sink without a limit for a contaminant accepts any concentration of it; a source without a concentration
    for a contaminant carries none.
    """
    sources, sinks, units = problem.sources, problem.sinks, problem.regeneration
    ns, nk, nr = len(sources), len(sinks), len(units)
    # variables: f[i,j] (ns*nk), g[i,r] (ns*nr), h[r,j] (nr*nk), w[j] (nk)
    n_f, n_g, n_h = ns * nk, ns * nr, nr * nk
    n = n_f + n_g + n_h + nk

    def f(i: int, j: int) -> int:
        return i * nk + j

    def g(i: int, r: int) -> int:
        return n_f + i * nr + r

    def h(r: int, j: int) -> int:
        return n_f + n_g + r * nk + j

    def w(j: int) -> int:
        return n_f + n_g + n_h + j

    cost = np.zeros(n)
    for j in range(nk):
        cost[w(j)] = 1.0 if problem.objective == "freshwater" else problem.freshwater_cost_vnd_per_m3
    if problem.objective == "cost":
        for i in range(ns):
            for r, unit in enumerate(units):
                cost[g(i, r)] = unit.cost_vnd_per_m3
    a_ub, b_ub, a_eq, b_eq = [], [], [], []
    for i, source in enumerate(sources):
        row = np.zeros(n)
        row[[f(i, j) for j in range(nk)]] = 1
        row[[g(i, r) for r in range(nr)]] = 1
        a_ub.append(row)
        b_ub.append(source.flow_m3_per_day)
    for j, sink in enumerate(sinks):
        row = np.zeros(n)
        row[[f(i, j) for i in range(ns)]] = 1
        row[[h(r, j) for r in range(nr)]] = 1
        row[w(j)] = 1
        a_eq.append(row)
        b_eq.append(sink.demand_m3_per_day)
        for contaminant, limit in sink.max_concentrations.items():
            row = np.zeros(n)
            for i, source in enumerate(sources):
                row[f(i, j)] = source.concentrations.get(contaminant, 0.0)
            for r, unit in enumerate(units):
                row[h(r, j)] = unit.outlet_concentrations.get(contaminant, 0.0)
            a_ub.append(row)
            b_ub.append(limit * sink.demand_m3_per_day)
    for r, unit in enumerate(units):
        row = np.zeros(n)
        row[[h(r, j) for j in range(nk)]] = 1
        row[[g(i, r) for i in range(ns)]] = -1
        a_ub.append(row)
        b_ub.append(0.0)
        if unit.capacity_m3_per_day is not None:
            row = np.zeros(n)
            row[[g(i, r) for i in range(ns)]] = 1
            a_ub.append(row)
            b_ub.append(unit.capacity_m3_per_day)
    result = linprog(
        cost,
        A_ub=np.array(a_ub) if a_ub else None,
        b_ub=b_ub or None,
        A_eq=np.array(a_eq),
        b_eq=b_eq,
        bounds=(0, None),
        method="highs",
    )
    if result.status != 0:
        return {
            "status": "infeasible" if result.status == 2 else result.message,
            "freshwater_m3_per_day": None,
            "flows": [],
        }
    x = result.x
    flows = []
    for i, source in enumerate(sources):
        for j, sink in enumerate(sinks):
            if x[f(i, j)] > 1e-7:
                flows.append({"from": source.id, "to": sink.id, "m3_per_day": float(x[f(i, j)])})
        for r, unit in enumerate(units):
            if x[g(i, r)] > 1e-7:
                flows.append({"from": source.id, "to": unit.id, "m3_per_day": float(x[g(i, r)])})
    for r, unit in enumerate(units):
        for j, sink in enumerate(sinks):
            if x[h(r, j)] > 1e-7:
                flows.append({"from": unit.id, "to": sink.id, "m3_per_day": float(x[h(r, j)])})
    freshwater = {sink.id: float(x[w(j)]) for j, sink in enumerate(sinks)}
    regenerated = sum(float(x[g(i, r)]) for i in range(ns) for r in range(nr))
    return {
        "status": "optimal",
        "objective": problem.objective,
        "objective_value": float(result.fun),
        "freshwater_m3_per_day": sum(freshwater.values()),
        "freshwater_by_sink": freshwater,
        "reused_m3_per_day": sum(
            fl["m3_per_day"]
            for fl in flows
            if fl["from"] in {s.id for s in sources} and fl["to"] in {k.id for k in sinks}
        ),
        "regenerated_m3_per_day": regenerated,
        "flows": flows,
    }

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

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import linopy
import numpy as np
import pandas as pd
import xarray as xr
from pydantic import Field, ValidationError, model_validator

from eipkit.i18n import Figure
from eipkit.symbiosis.network import banner_to_stderr
from eipkit.symbiosis.problem import FieldProblem, Strict, read_json, schema_problems


class WaterSource(Strict):
    id: str = Field(min_length=1)
    enterprise_id: str = ""
    flow_m3_per_day: float = Field(ge=0, allow_inf_nan=False)
    concentrations: dict[str, float] = Field(default_factory=dict)


class WaterSink(Strict):
    id: str = Field(min_length=1)
    enterprise_id: str = ""
    demand_m3_per_day: float = Field(ge=0, allow_inf_nan=False)
    max_concentrations: dict[str, float] = Field(default_factory=dict)


class Regeneration(Strict):
    id: str = Field(min_length=1)
    outlet_concentrations: dict[str, float] = Field(default_factory=dict)
    cost_vnd_per_m3: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    capacity_m3_per_day: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class WaterProblem(Strict):
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
                        raise FieldProblem(
                            f"{name}[{index}].{attribute}", "problem.unknown_contaminant", name=contaminant
                        )
                    if not value >= 0:
                        raise FieldProblem(
                            f"{name}[{index}].{attribute}.{contaminant}", "problem.min", limit=Figure(0.0)
                        )
        return self


def parse(data: Any) -> WaterProblem:
    try:
        return WaterProblem.model_validate(data)
    except ValidationError as exc:
        raise schema_problems(exc) from None


def load(path: str | Path) -> WaterProblem:
    return parse(read_json(path))


@dataclass
class WaterSolution:
    """The reuse plan: status, objective value, flows by pair (source -> sink, source -> unit, unit -> sink),
    freshwater by sink, water regenerated."""

    status: str
    objective: str
    objective_value: float | None = None
    flows: list[dict[str, Any]] = field(default_factory=list)
    freshwater_by_sink: dict[str, float] = field(default_factory=dict)
    reused_m3_per_day: float = 0.0
    regenerated_m3_per_day: float = 0.0

    @property
    def freshwater_m3_per_day(self) -> float | None:
        return sum(self.freshwater_by_sink.values()) if self.status == "optimal" else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "objective": self.objective,
            "objective_value": self.objective_value,
            "freshwater_m3_per_day": self.freshwater_m3_per_day,
            "freshwater_by_sink": self.freshwater_by_sink,
            "reused_m3_per_day": self.reused_m3_per_day,
            "regenerated_m3_per_day": self.regenerated_m3_per_day,
            "flows": self.flows,
        }


def _table(values: dict[tuple[str, str], float], rows: list[str], columns: list[str], names: tuple[str, str]) -> Any:
    """A (rows x columns) array of values, 0 where none is given, labelled for linopy."""
    grid = np.array([[values.get((r, c), 0.0) for c in columns] for r in rows], dtype=float).reshape(
        len(rows), len(columns)
    )
    return xr.DataArray(grid, coords={names[0]: rows, names[1]: columns})


def build_model(problem: WaterProblem) -> linopy.Model:
    """The linopy model of the formulation in the module's docstring, one constraint family per line of it."""
    sources = [s.id for s in problem.sources]
    sinks = [k.id for k in problem.sinks]
    units = [r.id for r in problem.regeneration]
    contaminants = problem.contaminants
    model = linopy.Model()
    source, sink, unit = (pd.Index(v, name=n) for v, n in ((sources, "source"), (sinks, "sink"), (units, "unit")))
    f = model.add_variables(lower=0, coords=[source, sink], name="reuse")
    w = model.add_variables(lower=0, coords=[sink], name="freshwater")
    available = xr.DataArray([s.flow_m3_per_day for s in problem.sources], coords=[source])
    demand = xr.DataArray([k.demand_m3_per_day for k in problem.sinks], coords=[sink])
    carried = _table(
        {(s.id, c): s.concentrations.get(c, 0.0) for s in problem.sources for c in contaminants},
        sources, contaminants, ("source", "contaminant"),
    )  # fmt: skip
    limited = [(k.id, c) for k in problem.sinks for c in k.max_concentrations]
    sent = f.sum("sink")
    received = f.sum("source") + w
    load = (carried * f).sum("source")
    if units:
        g = model.add_variables(lower=0, coords=[source, unit], name="to_regeneration")
        h = model.add_variables(lower=0, coords=[unit, sink], name="regenerated")
        outlet = _table(
            {(r.id, c): r.outlet_concentrations.get(c, 0.0) for r in problem.regeneration for c in contaminants},
            units, contaminants, ("unit", "contaminant"),
        )  # fmt: skip
        sent = sent + g.sum("unit")
        received = received + h.sum("unit")
        load = load + (outlet * h).sum("unit")
        model.add_constraints(h.sum("sink") <= g.sum("source"), name="regeneration_balance")
        capped = [r for r in problem.regeneration if r.capacity_m3_per_day is not None]
        for r in capped:
            model.add_constraints(g.sel(unit=r.id).sum() <= r.capacity_m3_per_day, name=f"capacity_{r.id}")
    model.add_constraints(sent <= available, name="source_limit")
    model.add_constraints(received == demand, name="sink_demand")
    for k, c in limited:
        limit = problem.sinks[sinks.index(k)].max_concentrations[c] * problem.sinks[sinks.index(k)].demand_m3_per_day
        model.add_constraints(load.sel(sink=k, contaminant=c) <= limit, name=f"quality_{k}_{c}")
    if problem.objective == "freshwater":
        model.add_objective(w.sum())
    else:
        unit_cost = xr.DataArray([r.cost_vnd_per_m3 for r in problem.regeneration], coords=[unit])
        regeneration = (unit_cost * model.variables["to_regeneration"]).sum() if units else 0
        model.add_objective(problem.freshwater_cost_vnd_per_m3 * w.sum() + regeneration)
    return model


def solve(problem: WaterProblem) -> WaterSolution:
    """The reuse plan with the least freshwater (or cost): flows by pair, freshwater by sink, regeneration use.

    A sink without a limit for a contaminant accepts any concentration of it; a source without a concentration
    for a contaminant carries none.
    """
    model = build_model(problem)
    with banner_to_stderr():
        _, condition = model.solve(solver_name="highs", io_api="direct", output_flag=False, log_to_console=False)
    if condition != "optimal":
        return WaterSolution(str(condition), problem.objective)
    assert model.objective.value is not None  # an optimal model has its objective's value
    result = WaterSolution("optimal", problem.objective, float(model.objective.value))
    variables = model.variables
    pairs = [("reuse", "source", "sink")]
    if problem.regeneration:
        pairs += [("to_regeneration", "source", "unit"), ("regenerated", "unit", "sink")]
    for name, origin, target in pairs:
        values = variables[name].solution
        for a in values.coords[origin].values:
            for b in values.coords[target].values:
                amount = float(values.sel({origin: a, target: b}))
                if amount > 1e-7:
                    result.flows.append({"from": str(a), "to": str(b), "m3_per_day": amount})
    fresh = variables["freshwater"].solution
    result.freshwater_by_sink = {str(k): float(fresh.sel(sink=k)) for k in fresh.coords["sink"].values}
    result.reused_m3_per_day = float(variables["reuse"].solution.sum())
    if problem.regeneration:
        result.regenerated_m3_per_day = float(variables["to_regeneration"].solution.sum())
    return result

"""Savings measured at the meter: IPMVP Option C (whole facility), avoided consumption.

For each resource the adjusted baseline is what the baseline would have used at the reporting period's production;
the avoided consumption is the adjusted baseline minus what the reporting period used (positive means saved).

- **One baseline period**: the baseline's use scaled by reporting over baseline production.
- **Three or more baseline periods**: the least-squares line use = fixed + variable x production over the baseline
  periods, read at the reporting production; its R2 and CV(RMSE) are reported, and the model is flagged when its
  CV(RMSE) exceeds ASHRAE Guideline 14's limit (`data/mv_criteria.csv`). Two periods leave no residual to judge a
  line by, so they are pooled and scaled as one.
- **Emissions and cost** are the avoided quantities (electricity, each fuel, water, materials) times the reporting
  period's factors and prices, the same on both sides: a cleaner grid or a dearer fuel is never counted as a saving.

Periods are labelled, not assumed to be years: monthly records fit the same method.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from eipkit.accounting import GJ_PER_MWH, Accounts, Factors, combustion
from eipkit.i18n import Message
from eipkit.model import Output

Normaliser = Literal["production_quantity", "production_value", "none"]
Model = Literal["ratio", "regression"]

# a resource measured, its unit, and whether it is a saving of resources (energy, water, materials) in the sense
# of Decree 35 Art. 37(2)(c), as opposed to a figure derived from them (CO2, money)
RESOURCE_UNITS = {
    "electricity_mwh": "MWh",
    "fuel_gj": "GJ",
    "water_m3": "m3",
    "materials_t": "t",
    "chemicals_t": "t",
    "waste_t": "t",
}
CONSUMPTION = ("electricity_mwh", "fuel_gj", "water_m3", "materials_t", "chemicals_t")
# electricity bought through the grid: what the grid factor and the electricity price apply to
BOUGHT = ("energy:electricity_grid", "energy:electricity_renewable_purchased")


@dataclass(frozen=True)
class Period:
    """What one period (a year, a month) produced and used: production in the normaliser's unit, and use by item
    (`energy:<carrier>` in GJ, `water_m3`, `materials_t`, `chemicals_t`, `waste_t`)."""

    label: str
    production: float
    use: Mapping[str, float]


def production_basis(outputs: Mapping[Any, Sequence[Output]]) -> tuple[Normaliser, dict[Any, float]]:
    """What production is measured in over all the periods: their physical quantity when every period reports one
    and the same product unit, else their value, else nothing (every period then counts as 1)."""
    units = {o.unit for produced in outputs.values() for o in produced}
    if len(units) == 1 and all(sum(o.quantity for o in produced) > 0 for produced in outputs.values()):
        return "production_quantity", {k: sum(o.quantity for o in v) for k, v in outputs.items()}
    if all(sum(o.value_vnd or 0.0 for o in produced) > 0 for produced in outputs.values()):
        return "production_value", {k: sum(o.value_vnd or 0.0 for o in v) for k, v in outputs.items()}
    return "none", dict.fromkeys(outputs, 1.0)


def period(label: str, accounts: Accounts, production: float) -> Period:
    use: dict[str, float] = {
        "energy:electricity_grid": accounts.grid_electricity_mwh * GJ_PER_MWH,
        "energy:electricity_solar_onsite": accounts.solar_electricity_mwh * GJ_PER_MWH,
        "energy:electricity_renewable_purchased": accounts.renewable_purchased_mwh * GJ_PER_MWH,
        "water_m3": accounts.water_withdrawal_m3,
        "materials_t": accounts.materials_t - accounts.chemicals_t,
        "chemicals_t": accounts.chemicals_t,
        "waste_t": accounts.waste_t,
    }
    for carrier, tj in accounts.fuel_by_carrier_tj.items():
        use[f"energy:{carrier}"] = tj * 1000
    if accounts.steam_purchased_tj:
        use["energy:steam_purchased"] = accounts.steam_purchased_tj * 1000
    return Period(label, production, use)


@dataclass(frozen=True)
class Fit:
    """The baseline model of one item: use = fixed + variable x production."""

    model: Model
    fixed: float
    variable: float
    periods: int
    r2: float | None = None
    cv_rmse: float | None = None

    def at(self, production: float) -> float:
        return self.fixed + self.variable * production


def fit(baseline: Sequence[Period], item: str) -> Fit:
    """The baseline model of `item` (see the module's docstring for which one)."""
    xs = [p.production for p in baseline]
    ys = [p.use.get(item, 0.0) for p in baseline]
    n = len(baseline)
    distinct = len(set(xs)) > 1
    if n < 3 or not distinct:
        produced, used = sum(xs), sum(ys)
        return (
            Fit("ratio", 0.0, used / produced if produced else 0.0, n) if produced else Fit("ratio", used / n, 0.0, n)
        )
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    variable = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    fixed = mean_y - variable * mean_x
    residual = sum((y - fixed - variable * x) ** 2 for x, y in zip(xs, ys, strict=True))
    total = sum((y - mean_y) ** 2 for y in ys)
    r2 = 1 - residual / total if total else 1.0
    cv = math.sqrt(residual / (n - 2)) / mean_y if mean_y and n > 2 else None
    return Fit("regression", fixed, variable, n, r2, cv)


@dataclass(frozen=True)
class Avoided:
    resource: str
    baseline: float
    adjusted_baseline: float
    reporting: float

    @property
    def avoided(self) -> float:
        return self.adjusted_baseline - self.reporting


@dataclass
class MeasuredSavings:
    baseline_periods: list[str]
    reporting_period: str
    normaliser: Normaliser
    production_ratio: float
    model: Model
    avoided: dict[str, Avoided] = field(default_factory=dict)
    fits: dict[str, Fit] = field(default_factory=dict)
    cv_rmse_limit: float | None = None
    co2e_factors: dict[str, float] = field(default_factory=dict)
    prices_vnd: dict[str, float] = field(default_factory=dict)
    notes: list[Message] = field(default_factory=list)

    @property
    def resources_saved(self) -> list[str]:
        """Resources whose consumption was measurably avoided (energy, water, materials): what counts as a saving of
        resources for Decree 35 Art. 37(2)(c); CO2 or money alone does not."""
        return [r for r in CONSUMPTION if r in self.avoided and self.avoided[r].avoided > 0]

    @property
    def model_fails(self) -> list[str]:
        """Items whose regression exceeds the CV(RMSE) limit."""
        limit = self.cv_rmse_limit
        return sorted(
            item for item, f in self.fits.items() if limit is not None and f.cv_rmse is not None and f.cv_rmse > limit
        )

    def values(self) -> dict[str, float]:
        """The avoided quantities, as an opportunity's saving columns."""
        return {k: v.avoided for k, v in self.avoided.items()}

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "method": "IPMVP Option C (whole facility): avoided consumption",
            "baseline_periods": self.baseline_periods,
            "reporting_period": self.reporting_period,
            "normaliser": self.normaliser,
            "production_ratio": self.production_ratio,
            "model": self.model,
            "avoided": {k: v.avoided for k, v in self.avoided.items()},
            "baseline": {k: v.baseline for k, v in self.avoided.items()},
            "adjusted_baseline": {k: v.adjusted_baseline for k, v in self.avoided.items()},
            "reporting": {k: v.reporting for k, v in self.avoided.items()},
            "fits": {
                k: {"model": f.model, "fixed": f.fixed, "variable": f.variable, "r2": f.r2, "cv_rmse": f.cv_rmse}
                for k, f in self.fits.items()
            },
            "cv_rmse_limit": self.cv_rmse_limit,
            "model_fails": self.model_fails,
            "co2e_factors_t_per_unit": self.co2e_factors,
            "prices_vnd_per_unit": self.prices_vnd,
            "resources_saved": self.resources_saved,
            "notes": [n.text(lang) for n in self.notes],
        }


def measured_savings(
    baseline: Sequence[Period],
    reporting: Period,
    normaliser: Normaliser,
    factors: Factors,
    prices_vnd: Mapping[str, float],
    cv_rmse_limit: float | None = None,
) -> MeasuredSavings:
    """Avoided consumption in the `reporting` period against the `baseline` periods, with the CO2 and money it is
    worth at the reporting period's `factors` and `prices_vnd` (VND per MWh, GJ of fuel, m3, t)."""
    if not baseline:
        raise ValueError("at least one baseline period is needed")
    items = sorted({k for p in [*baseline, reporting] for k in p.use})
    fits = {item: fit(baseline, item) for item in items}
    base_production = sum(p.production for p in baseline) / len(baseline)
    ratio = reporting.production / base_production if base_production else 1.0
    model: Model = "regression" if any(f.model == "regression" for f in fits.values()) else "ratio"
    result = MeasuredSavings(
        [p.label for p in baseline], reporting.label, normaliser, ratio, model, cv_rmse_limit=cv_rmse_limit
    )
    if model == "regression":
        result.fits = {k: f for k, f in fits.items() if f.model == "regression" and any(p.use.get(k) for p in baseline)}
    item_avoided: dict[str, Avoided] = {}
    for item in items:
        base = sum(p.use.get(item, 0.0) for p in baseline) / len(baseline)
        adjusted = fits[item].at(reporting.production) if normaliser != "none" else base
        item_avoided[item] = Avoided(item, base, adjusted, reporting.use.get(item, 0.0))

    def summed(resource: str, keys: Sequence[str], scale: float = 1.0) -> Avoided:
        parts = [item_avoided[k] for k in keys if k in item_avoided]
        return Avoided(
            resource,
            sum(a.baseline for a in parts) * scale,
            sum(a.adjusted_baseline for a in parts) * scale,
            sum(a.reporting for a in parts) * scale,
        )

    carriers = [k for k in items if k.startswith("energy:")]
    electric = ["energy:electricity_grid", "energy:electricity_solar_onsite", "energy:electricity_renewable_purchased"]
    fuels = [k for k in carriers if k not in electric and k != "energy:steam_purchased"]
    result.avoided["electricity_mwh"] = summed("electricity_mwh", electric, 1 / GJ_PER_MWH)
    result.avoided["fuel_gj"] = summed("fuel_gj", fuels)
    for resource in ("water_m3", "materials_t", "chemicals_t", "waste_t"):
        result.avoided[resource] = summed(resource, [resource])

    # one factor per quantity, the reporting period's, on both sides of the subtraction
    result.co2e_factors["electricity_grid_mwh"] = factors.grid.tco2_per_mwh
    for item in fuels:
        carrier = item.split(":", 1)[1]
        result.co2e_factors[f"{carrier}_gj"] = combustion(carrier, 1.0, factors).co2e_t
    bought_mwh = sum(item_avoided[k].avoided for k in BOUGHT if k in item_avoided) / GJ_PER_MWH
    co2e = bought_mwh * factors.grid.tco2_per_mwh
    co2e += sum(item_avoided[i].avoided * result.co2e_factors[f"{i.split(':', 1)[1]}_gj"] for i in fuels)
    result.avoided["co2e_t"] = Avoided("co2e_t", 0.0, co2e, 0.0)
    result.notes.append(Message("sav.note.factors", factor=factors.grid.tco2_per_mwh, year=factors.grid.year))

    result.prices_vnd = dict(prices_vnd)
    money = bought_mwh * prices_vnd.get("electricity", 0.0)
    money += result.avoided["fuel_gj"].avoided * prices_vnd.get("fuel", 0.0)
    for resource, priced in (("water_m3", "water"), ("materials_t", "materials"), ("chemicals_t", "chemicals")):
        money += result.avoided[resource].avoided * prices_vnd.get(priced, 0.0)
    result.avoided["cost_saving_vnd"] = Avoided("cost_saving_vnd", 0.0, money, 0.0)
    result.notes.append(Message("sav.note.prices"))
    if normaliser == "production_value":
        result.notes.append(Message("sav.note.by_value"))
    if normaliser == "none":
        result.notes.append(Message("sav.note.no_production"))
    if len(baseline) == 2:
        result.notes.append(Message("sav.note.pooled"))
    if result.model == "regression":
        result.notes.append(Message("sav.note.regression", periods=len(baseline)))
    if result.model_fails:
        limit = f"{(cv_rmse_limit or 0) * 100:.0f}%"
        result.notes.append(Message("sav.note.model_fails", items=", ".join(result.model_fails), limit=limit))
    return result


def split(savings: Mapping[str, float], expected: Mapping[str, float]) -> dict[str, dict[str, float]]:
    """Savings measured at one meter shared among the measures implemented in the period, in proportion to each
    measure's expected saving (its expected cost saving, else an equal share)."""
    weights = {k: max(v, 0.0) for k, v in expected.items()}
    total = sum(weights.values())
    if not total:
        weights, total = dict.fromkeys(expected, 1.0), float(len(expected))
    return {measure: {k: v * w / total for k, v in savings.items()} for measure, w in weights.items()}

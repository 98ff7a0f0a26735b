"""Savings measured from records: the baseline year's consumption, adjusted to the reporting year's production,
minus what the reporting year consumed (the IPMVP idea of avoided consumption).

Production is compared in physical units when both years report one and the same product unit; otherwise by
production value, which price changes also move (the result says which was used).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from eipkit.accounting import Accounts
from eipkit.model import Output

RESOURCES = {
    "electricity_mwh": lambda a: a.electricity_mwh,
    "fuel_gj": lambda a: a.fuel_tj * 1000,
    "water_m3": lambda a: a.water_withdrawal_m3,
    "materials_t": lambda a: a.materials_t - a.chemicals_t,
    "chemicals_t": lambda a: a.chemicals_t,
    "waste_t": lambda a: a.waste_t,
    "co2e_t": lambda a: a.total_tco2e,
}


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
    baseline_year: int
    reporting_year: int
    normaliser: Literal["production_quantity", "production_value", "none"]
    production_ratio: float
    avoided: dict[str, Avoided] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "baseline_year": self.baseline_year,
            "reporting_year": self.reporting_year,
            "normaliser": self.normaliser,
            "production_ratio": self.production_ratio,
            "avoided": {k: v.avoided for k, v in self.avoided.items()},
            "baseline": {k: v.baseline for k, v in self.avoided.items()},
            "adjusted_baseline": {k: v.adjusted_baseline for k, v in self.avoided.items()},
            "reporting": {k: v.reporting for k, v in self.avoided.items()},
            "notes": self.notes,
        }


def production_ratio(
    baseline: Sequence[Output], reporting: Sequence[Output]
) -> tuple[float, Literal["production_quantity", "production_value", "none"]]:
    """Reporting-year production over baseline-year production, and what it was measured in."""
    units = {o.unit for o in baseline} | {o.unit for o in reporting}
    base_quantity = sum(o.quantity for o in baseline)
    if len(units) == 1 and base_quantity > 0:
        return sum(o.quantity for o in reporting) / base_quantity, "production_quantity"
    base_value = sum(o.value_vnd or 0.0 for o in baseline)
    if base_value > 0:
        return sum(o.value_vnd or 0.0 for o in reporting) / base_value, "production_value"
    return 1.0, "none"


def measured_savings(
    baseline: Accounts, reporting: Accounts, baseline_output: Sequence[Output], reporting_output: Sequence[Output]
) -> MeasuredSavings:
    """Avoided consumption of each resource in the reporting year (positive means saved)."""
    ratio, normaliser = production_ratio(baseline_output, reporting_output)
    result = MeasuredSavings(baseline.year, reporting.year, normaliser, ratio)
    if normaliser == "production_value":
        result.notes.append("production compared by value: price changes between the years also move the result")
    if normaliser == "none":
        result.notes.append("no production records: the baseline is not adjusted to production")
    for name, read in RESOURCES.items():
        base = read(baseline)
        result.avoided[name] = Avoided(name, base, base * ratio, read(reporting))
    return result

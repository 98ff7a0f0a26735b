"""Enterprise indicators of resource productivity and pollution intensity (UNIDO/UNEP enterprise-level
indicators): output per unit of resource, and waste, wastewater and GHG per unit of output.

Output is the production value (comparable across an enterprise's products and across peers) and, where an
enterprise reports a single physical product unit, the physical quantity too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eipkit.accounting import Accounts
from eipkit.model import Output

BN = 1e9

# Intensities per billion VND of production value: the figures sector benchmarks compare (lower is better).
INTENSITIES = (
    "energy_gj_per_bn_vnd",
    "water_m3_per_bn_vnd",
    "materials_t_per_bn_vnd",
    "waste_t_per_bn_vnd",
    "wastewater_m3_per_bn_vnd",
    "ghg_tco2e_per_bn_vnd",
)
PRODUCTIVITIES = ("energy_productivity_vnd_per_gj", "water_productivity_vnd_per_m3", "materials_productivity_vnd_per_t")


def _ratio(numerator: float, denominator: float | None) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class Indicators:
    enterprise_id: str
    year: int
    production_value_vnd: float
    product_unit: str | None
    product_quantity: float | None
    values: dict[str, float | None] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "enterprise_id": self.enterprise_id,
            "year": self.year,
            "production_value_vnd": self.production_value_vnd,
            "product_unit": self.product_unit,
            "product_quantity": self.product_quantity,
            **self.values,
        }


def indicators(enterprise_id: str, accounts: Accounts, production: Sequence[Output]) -> Indicators:
    """Indicators of one enterprise-year from its accounts and its production records of that year."""
    year = accounts.year
    outputs = [o for o in production if o.year == year and o.enterprise_id == enterprise_id]
    value = sum(o.value_vnd or 0.0 for o in outputs)
    units = {o.unit for o in outputs}
    quantity = sum(o.quantity for o in outputs) if len(units) == 1 else None
    unit = units.pop() if len(units) == 1 else None
    energy_gj = accounts.energy_tj * 1000
    materials_t = accounts.materials_t
    amounts = {
        "energy_gj": energy_gj,
        "water_m3": accounts.water_withdrawal_m3,
        "materials_t": materials_t,
        "waste_t": accounts.waste_t,
        "wastewater_m3": accounts.wastewater_m3,
        "ghg_tco2e": accounts.total_tco2e,
    }
    values: dict[str, float | None] = {
        "energy_productivity_vnd_per_gj": _ratio(value, energy_gj),
        "water_productivity_vnd_per_m3": _ratio(value, accounts.water_withdrawal_m3),
        "materials_productivity_vnd_per_t": _ratio(value, materials_t),
    }
    for name, amount in amounts.items():
        values[f"{name}_per_bn_vnd"] = _ratio(amount, value / BN) if value else None
    for name, amount in amounts.items():
        values[f"{name}_per_unit"] = _ratio(amount, quantity) if quantity else None
    return Indicators(enterprise_id, year, value, unit, quantity, values)

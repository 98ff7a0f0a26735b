"""Proposing RECP options to an enterprise from the catalogue, ranked by what each would save it.

The saving is estimated from the enterprise's own consumption of the resource the option acts on, times the
middle of the option's typical saving range, priced at the enterprise's own unit cost from its records (or the
shipped default price, which the proposal then says).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from eipkit import reference, units
from eipkit.accounting import GJ_PER_MWH, Accounts
from eipkit.model import Records
from eipkit.recp.finance import BusinessCase, business_case
from eipkit.vocabulary import Carrier

BOILER_FUELS = frozenset(
    {
        Carrier.FUEL_OIL,
        Carrier.LPG,
        Carrier.NATURAL_GAS,
        Carrier.COAL_ANTHRACITE,
        Carrier.COAL_BITUMINOUS,
        Carrier.COAL_SUBBITUMINOUS,
        Carrier.BIOMASS_WOOD,
        Carrier.BIOMASS_RICE_HUSK,
    }
)
DEFAULT_RATE = 0.10
RESOURCE_UNIT = {"electricity": "MWh", "fuel": "GJ", "water": "m3", "materials": "t", "chemicals": "t"}


@dataclass(frozen=True)
class UnitPrice:
    vnd: float
    source: Literal["records", "default"]


@dataclass(frozen=True)
class Proposal:
    option: reference.RecpOption
    resource_used: float
    unit: str
    price: UnitPrice
    saving_low: float
    saving_high: float
    saving_vnd: float
    case: BusinessCase

    @property
    def saving(self) -> float:
        return (self.saving_low + self.saving_high) / 2

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "option_id": self.option.option_id,
            "title": self.option.title(lang),
            "category": self.option.category,
            "resource": self.option.resource,
            "resource_used": self.resource_used,
            "unit": self.unit,
            "saving": self.saving,
            "saving_range": [self.saving_low, self.saving_high],
            "unit_price_vnd": self.price.vnd,
            "price_source": self.price.source,
            "annual_saving_vnd": self.saving_vnd,
            "investment_vnd": self.case.investment_vnd,
            "simple_payback_years": self.case.simple_payback_years,
            "npv_vnd": self.case.npv_vnd,
            "irr": self.case.irr,
            "lifetime_years": self.case.years,
            "source": self.option.source,
            "confidence": self.option.confidence,
        }


def resource_use(accounts: Accounts) -> dict[str, float]:
    """What the options act on: grid electricity (MWh), boiler fuels (GJ), water withdrawn, materials, chemicals."""
    return {
        "electricity": accounts.grid_electricity_mwh,
        "fuel": sum(tj for carrier, tj in accounts.fuel_by_carrier_tj.items() if carrier in BOILER_FUELS) * 1000,
        "water": accounts.water_withdrawal_m3,
        "materials": accounts.materials_t - accounts.chemicals_t,
        "chemicals": accounts.chemicals_t,
    }


def _default_price(resource: str, records: Records) -> float:
    """Shipped default unit price per RESOURCE_UNIT, in force in the middle of the records' (latest) year; for
    fuels, the energy-weighted price of the fuels used."""
    years = records.years()
    table = reference.prices(reference.price_day(years[-1]) if years else None)
    if resource == "electricity":
        price = table[("electricity", "")]
        return price.price_vnd / units.convert(1, price.unit, "MWh")
    if resource == "fuel":
        weighted = total = 0.0
        for use in records.energy:
            if use.carrier in BOILER_FUELS:
                price = table[("fuel", use.carrier)]
                per_gj = price.price_vnd / units.carrier_energy(use.carrier, 1, price.unit).gj
                weighted += per_gj * use.energy_gj
                total += use.energy_gj
        return weighted / total if total else 0.0
    price = table[(resource, "")]
    return price.price_vnd / units.convert(1, price.unit, RESOURCE_UNIT[resource])


def unit_prices(records: Records) -> dict[str, UnitPrice]:
    """The enterprise's own unit costs where its records give them, else the shipped defaults."""
    own: dict[str, tuple[float, float]] = {}

    def add(resource: str, cost: float | None, amount: float) -> None:
        if cost and amount:
            spent, used = own.get(resource, (0.0, 0.0))
            own[resource] = (spent + cost, used + amount)

    for use in records.energy:
        if use.carrier == Carrier.ELECTRICITY_GRID:
            add("electricity", use.cost_vnd, use.energy_gj / GJ_PER_MWH)
        elif use.carrier in BOILER_FUELS:
            add("fuel", use.cost_vnd, use.energy_gj)
    for water in records.water:
        if water.kind == "withdrawal":
            add("water", water.cost_vnd, water.volume_m3)
    for material in records.materials:
        add("chemicals" if material.chemical else "materials", material.cost_vnd, material.mass_t)
    result = {}
    for resource in RESOURCE_UNIT:
        if resource in own:
            spent, used = own[resource]
            result[resource] = UnitPrice(spent / used, "records")
        else:
            result[resource] = UnitPrice(_default_price(resource, records), "default")
    return result


def applicable(option: reference.RecpOption, division: str, use: dict[str, float]) -> bool:
    if option.divisions and division not in option.divisions:
        return False
    return use["fuel" if option.requires == "boiler_fuel" else option.requires] > 0


def propose(
    accounts: Accounts,
    records: Records,
    division: str,
    catalogue: Sequence[reference.RecpOption] | None = None,
    rate: float = DEFAULT_RATE,
) -> list[Proposal]:
    """Applicable options, largest estimated yearly saving first, each with its business case."""
    catalogue = catalogue if catalogue is not None else list(reference.recp_options().values())
    use = resource_use(accounts)
    prices = unit_prices(records)
    proposals = []
    for option in catalogue:
        if not applicable(option, division, use):
            continue
        used = use[option.resource]
        low, high = used * option.saving_low, used * option.saving_high
        price = prices[option.resource]
        saving_vnd = (low + high) / 2 * price.vnd
        investment = saving_vnd * (option.payback_low_years + option.payback_high_years) / 2
        case = business_case(investment, saving_vnd, option.lifetime_years, rate)
        proposals.append(Proposal(option, used, RESOURCE_UNIT[option.resource], price, low, high, saving_vnd, case))
    return sorted(proposals, key=lambda p: (-p.saving_vnd, p.option.option_id))

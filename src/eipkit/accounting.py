"""Resource and GHG accounts of a set of enterprises for one year.

Scope 1: fuels burnt on site, IPCC 2006 stationary combustion (manufacturing) defaults, CO2 + CH4 + N2O with
AR5 GWPs; the CO2 of biomass is biogenic and reported apart. Scope 2: grid electricity times the official
grid factor of the year. Onsite solar counts zero. Purchased steam is reported as energy but carries no factor
yet (no Vietnamese default exists), which the accounts say.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from eipkit import reference
from eipkit.model import Records
from eipkit.vocabulary import Carrier

GJ_PER_MWH = 3.6

# The figures people read, in the order tables show them (the command line, park and enterprise reports).
REPORTED = (
    "enterprises",
    "enterprises_reporting",
    "electricity_mwh",
    "grid_electricity_mwh",
    "solar_electricity_mwh",
    "fuel_tj",
    "water_withdrawal_m3",
    "wastewater_m3",
    "materials_t",
    "chemicals_t",
    "waste_t",
    "hazardous_waste_t",
    "waste_landfilled_t",
    "waste_recovered_t",
    "scope1_tco2e",
    "scope2_tco2e",
    "total_tco2e",
    "biogenic_co2_t",
    "grid_ef_tco2_per_mwh",
    "grid_ef_year",
    "production_value_vnd",
)
RECOVERED_FATES = ("recycling", "reuse", "energy_recovery", "exchange")


@dataclass(frozen=True)
class Factors:
    """The factors one year's accounts use, passed in so a calculation never reads files itself."""

    fuels: dict[str, reference.Fuel]
    gwp: dict[str, float]
    grid: reference.GridFactorChoice

    @classmethod
    def for_year(cls, year: int) -> Factors:
        return cls(reference.fuels(), reference.gwp(), reference.grid_factor(year))


@dataclass(frozen=True)
class Combustion:
    """Emissions of burning a fuel, gas by gas, in tonnes."""

    fossil_co2_t: float
    biogenic_co2_t: float
    ch4_t: float
    n2o_t: float
    co2e_t: float


def combustion(carrier: str, energy_gj: float, factors: Factors) -> Combustion:
    fuel = factors.fuels[carrier]
    tj = energy_gj / 1000
    co2 = tj * fuel.co2_kg_per_tj / 1000
    ch4 = tj * fuel.ch4_kg_per_tj / 1000
    n2o = tj * fuel.n2o_kg_per_tj / 1000
    fossil = 0.0 if fuel.biogenic else co2
    co2e = fossil + ch4 * factors.gwp["CH4"] + n2o * factors.gwp["N2O"]
    return Combustion(fossil, co2 if fuel.biogenic else 0.0, ch4, n2o, co2e)


@dataclass
class Accounts:
    """One year's resource and GHG figures; the keys of `as_dict` are the `eipkit kpi` JSON keys."""

    year: int
    enterprises: int
    enterprises_reporting: int = 0
    electricity_mwh: float = 0.0
    grid_electricity_mwh: float = 0.0
    solar_electricity_mwh: float = 0.0
    renewable_purchased_mwh: float = 0.0
    fuel_tj: float = 0.0
    steam_purchased_tj: float = 0.0
    energy_tj: float = 0.0
    water_withdrawal_m3: float = 0.0
    wastewater_m3: float = 0.0
    water_reused_m3: float = 0.0
    materials_t: float = 0.0
    chemicals_t: float = 0.0
    waste_t: float = 0.0
    hazardous_waste_t: float = 0.0
    waste_landfilled_t: float = 0.0
    waste_recovered_t: float = 0.0
    waste_by_fate_t: dict[str, float] = field(default_factory=dict)
    fuel_by_carrier_tj: dict[str, float] = field(default_factory=dict)
    scope1_tco2e: float = 0.0
    scope2_tco2e: float = 0.0
    biogenic_co2_t: float = 0.0
    ch4_t: float = 0.0
    n2o_t: float = 0.0
    grid_ef_tco2_per_mwh: float = 0.0
    grid_ef_year: int = 0
    grid_ef_note: str | None = None
    production_value_vnd: float = 0.0
    energy_cost_vnd: float = 0.0
    water_cost_vnd: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def total_tco2e(self) -> float:
        return self.scope1_tco2e + self.scope2_tco2e

    def renewable_tj(self, factors: Factors | None = None) -> float:
        """Renewable energy used: onsite solar, renewable electricity purchased, and fuels whose CO2 is biogenic
        (wood, rice husk, bagasse, biogas)."""
        fuels = factors.fuels if factors else reference.fuels()
        biomass = sum(tj for carrier, tj in self.fuel_by_carrier_tj.items() if fuels[carrier].biogenic)
        return (self.solar_electricity_mwh + self.renewable_purchased_mwh) * GJ_PER_MWH / 1000 + biomass

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"total_tco2e": self.total_tco2e}


def account(records: Records, year: int, enterprises: int, factors: Factors | None = None) -> Accounts:
    """Accounts of `year` over these records (records of other years are ignored)."""
    factors = factors or Factors.for_year(year)
    data = records.in_year(year)
    result = Accounts(
        year=year,
        enterprises=enterprises,
        grid_ef_tco2_per_mwh=factors.grid.tco2_per_mwh,
        grid_ef_year=factors.grid.year,
        grid_ef_note=factors.grid.note("en"),
    )
    reporting = {r.enterprise_id for _, rows in data._lists() for r in rows}
    result.enterprises_reporting = len(reporting)

    fuel_by_carrier: dict[str, float] = defaultdict(float)
    for use in data.energy:
        result.energy_tj += use.energy_gj / 1000
        result.energy_cost_vnd += use.cost_vnd or 0.0
        if use.carrier == Carrier.ELECTRICITY_GRID:
            result.grid_electricity_mwh += use.energy_gj / GJ_PER_MWH
        elif use.carrier == Carrier.ELECTRICITY_SOLAR_ONSITE:
            result.solar_electricity_mwh += use.energy_gj / GJ_PER_MWH
        elif use.carrier == Carrier.ELECTRICITY_RENEWABLE_PURCHASED:
            result.renewable_purchased_mwh += use.energy_gj / GJ_PER_MWH
        elif use.carrier == Carrier.STEAM_PURCHASED:
            result.steam_purchased_tj += use.energy_gj / 1000
        else:
            fuel_by_carrier[use.carrier] += use.energy_gj / 1000
            burnt = combustion(use.carrier, use.energy_gj, factors)
            result.scope1_tco2e += burnt.co2e_t
            result.biogenic_co2_t += burnt.biogenic_co2_t
            result.ch4_t += burnt.ch4_t
            result.n2o_t += burnt.n2o_t
    result.fuel_by_carrier_tj = dict(sorted(fuel_by_carrier.items()))
    result.fuel_tj = sum(fuel_by_carrier.values())
    result.electricity_mwh = result.grid_electricity_mwh + result.solar_electricity_mwh + result.renewable_purchased_mwh
    # location-based scope 2, the method of the official inventories: electricity bought through the grid carries
    # the grid's factor, renewable contracts included (they count in the renewable share)
    result.scope2_tco2e = (result.grid_electricity_mwh + result.renewable_purchased_mwh) * factors.grid.tco2_per_mwh
    if result.renewable_purchased_mwh:
        result.notes.append("renewable electricity purchased is in scope 2 at the grid factor (location-based)")
    if result.steam_purchased_tj:
        result.notes.append("purchased steam is counted as energy but not in scope 2: no emission factor set")
    if factors.grid.is_fallback:
        result.notes.append(factors.grid.note("en") or "")

    for water in data.water:
        result.water_cost_vnd += water.cost_vnd or 0.0
        if water.kind == "withdrawal":
            result.water_withdrawal_m3 += water.volume_m3
        elif water.kind == "wastewater":
            result.wastewater_m3 += water.volume_m3
        elif water.kind == "reused":
            result.water_reused_m3 += water.volume_m3

    for material in data.materials:
        result.materials_t += material.mass_t
        if material.chemical:
            result.chemicals_t += material.mass_t

    by_fate: dict[str, float] = defaultdict(float)
    for flow in data.waste:
        result.waste_t += flow.mass_t
        by_fate[flow.fate] += flow.mass_t
        if flow.hazardous:
            result.hazardous_waste_t += flow.mass_t
    result.waste_by_fate_t = dict(sorted(by_fate.items()))
    result.waste_landfilled_t = by_fate.get("landfill", 0.0)
    result.waste_recovered_t = sum(by_fate.get(f, 0.0) for f in RECOVERED_FATES)

    result.production_value_vnd = sum(o.value_vnd or 0.0 for o in data.production)
    return result

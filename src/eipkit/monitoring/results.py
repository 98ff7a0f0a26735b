"""The programme results table: enterprises assessed and implementing, opportunities identified and implemented,
and the yearly savings of implemented opportunities split into expected and measured.

It has the shape of the published programme tables (e.g. "68 enterprises, over 600 RECP solutions identified,
about 300 implemented, 23 GWh/yr, 384,000 m3/yr, USD 3.1 M/yr").
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from eipkit import reference
from eipkit.accounting import Factors, combustion
from eipkit.model import Application, Opportunity
from eipkit.vocabulary import Stage

KINDS = ("recp", "symbiosis")
BASES = ("expected", "measured")
SAVINGS = ("electricity_mwh", "fuel_tj", "water_m3", "materials_chemicals_waste_t", "co2e_t", "cost_saving_vnd")


@cache  # the factors are shipped data, read once (`reference.grid_factors`); a results table asks 100,000 times
def grid_factor_for(year: int | None) -> reference.GridFactorChoice:
    """The grid factor of a measure's year; before the series, its first year; no year, the latest official."""
    official = sorted(y for y, f in reference.grid_factors().items() if f.status == "official")
    if year is None:
        return reference.grid_factor(official[-1])
    return reference.grid_factor(max(year, official[0]))


def _factor_year(opportunity: Opportunity) -> int | None:
    year = opportunity.year_implemented if opportunity.stage == "implemented" else None
    return year or opportunity.year_identified


def co2e_of(opportunity: Opportunity) -> tuple[float, bool]:
    """The opportunity's yearly CO2e saving, and whether it was computed (its own figure is blank).

    Electricity is priced at the grid factor of the year it was implemented (identified, if not implemented);
    fuel at its carrier's stationary-combustion factor with AR5 GWPs.
    """
    if opportunity.co2e_t is not None:
        return opportunity.co2e_t, False
    year = _factor_year(opportunity)
    total = (opportunity.electricity_mwh or 0.0) * grid_factor_for(year).tco2_per_mwh
    if opportunity.fuel_gj and opportunity.fuel:
        total += combustion(opportunity.fuel, opportunity.fuel_gj, Factors.for_year(grid_factor_for(year).year)).co2e_t
    return total, True


def _savings(opportunity: Opportunity) -> dict[str, float]:
    return {
        "electricity_mwh": opportunity.electricity_mwh or 0.0,
        "fuel_tj": (opportunity.fuel_gj or 0.0) / 1000,
        "water_m3": opportunity.water_m3 or 0.0,
        "materials_chemicals_waste_t": (opportunity.materials_t or 0.0)
        + (opportunity.chemicals_t or 0.0)
        + (opportunity.waste_t or 0.0),
        "co2e_t": co2e_of(opportunity)[0],
        "cost_saving_vnd": opportunity.cost_saving_vnd or 0.0,
    }


@dataclass
class ResultsTable:
    scope: str
    year: int | None
    usd_rate: float
    enterprises_assessed: dict[str, int] = field(default_factory=dict)
    enterprises_implementing: dict[str, int] = field(default_factory=dict)
    opportunities_identified: dict[str, int] = field(default_factory=dict)
    opportunities_implemented: dict[str, int] = field(default_factory=dict)
    savings: dict[str, dict[str, float]] = field(default_factory=dict)
    co2e_computed: int = 0
    years: set[int] = field(default_factory=set)  # whose grid factors priced a computed CO2e
    fuels: set[str] = field(default_factory=set)  # whose factors priced a computed CO2e
    investment_vnd: dict[str, float] = field(default_factory=dict)  # of implemented opportunities, by kind
    investment_unknown: int = 0  # implemented opportunities without an investment figure: the sum is a lower bound
    symbiosis_links: dict[str, int] = field(default_factory=dict)  # identified (not dropped) and operating
    certified: dict[str, int] = field(default_factory=dict)  # parks and eco-enterprises granted a certificate
    # registered on a course held by the year's end, by gender and kind of organisation; None for a scope of parks
    # (a course belongs to no park)
    people_trained: dict[str, Any] | None = None

    def programme_rows(self) -> list[tuple[str, float | int | None, float | int | None, float | int | None]]:
        """What a ministry and a donor report beside the savings, as (message key, total, RECP, symbiosis)."""
        invested = self.investment_vnd
        rows: list[tuple[str, float | int | None, float | int | None, float | int | None]] = [
            ("res.investment_mobilised_vnd", invested["total"], invested["recp"], invested["symbiosis"]),
            ("res.symbiosis_links_identified", self.symbiosis_links["identified"], None, None),
            ("res.symbiosis_links_operating", self.symbiosis_links["operating"], None, None),
            ("res.parks_certified", self.certified["parks"], None, None),
            ("res.eco_enterprises_certified", self.certified["eco_enterprises"], None, None),
        ]
        if self.people_trained is not None:
            trained = self.people_trained
            rows.append(("res.people_trained", trained["total"], None, None))
            rows += [(f"res.people_trained.{g}", n, None, None) for g, n in trained["by_gender"].items()]
            rows += [
                (f"res.people_trained_kind.{k}", n, None, None) for k, n in trained["by_organisation_kind"].items()
            ]
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope,
            "year": self.year,
            "enterprises_assessed": self.enterprises_assessed,
            "enterprises_implementing": self.enterprises_implementing,
            "opportunities_identified": self.opportunities_identified,
            "opportunities_implemented": self.opportunities_implemented,
            **self.savings,
            "cost_saving_usd": {b: v / self.usd_rate for b, v in self.savings["cost_saving_vnd"].items()},
            "usd_rate_vnd": self.usd_rate,
            "co2e_computed_for": self.co2e_computed,
            "investment_mobilised_vnd": self.investment_vnd,
            "investment_unknown_for": self.investment_unknown,
            "symbiosis_links": self.symbiosis_links,
            "certified": self.certified,
            "people_trained": self.people_trained,
            "savings_basis": "implemented opportunities, yearly savings",
        }


def _by_kind(items: Sequence[tuple[str, Any]]) -> dict[str, int]:
    """Distinct items overall and by kind, from (kind, item) pairs."""
    result = {"total": len({item for _, item in items})}
    for kind in KINDS:
        result[kind] = len({item for k, item in items if k == kind})
    return result


def _granted_by(application: Application, year: int | None) -> bool:
    outcome = application.outcome
    return outcome is not None and outcome.step == "granted" and (year is None or outcome.on.year <= year)


def results(
    opportunities: Sequence[Opportunity],
    scope: str,
    year: int | None,
    usd_rate: float,
    applications: Sequence[Application] = (),
    outside: Collection[str] = frozenset(),
) -> ResultsTable:
    """Results up to `year` (identified by then; implemented by then; certificates granted by its end), or of
    everything recorded. Investment mobilised is the investment of the implemented opportunities. Enterprises
    `outside` the programme (a city's facilities, partners of park-city links) are not counted as enterprises."""
    if usd_rate <= 0:
        raise ValueError("the USD rate must be positive")
    recorded = [o for o in opportunities if year is None or o.year_identified is None or o.year_identified <= year]
    implemented = [
        o
        for o in recorded
        if o.stage == "implemented" and (year is None or o.year_implemented is None or o.year_implemented <= year)
    ]
    table = ResultsTable(scope, year, usd_rate)
    table.enterprises_assessed = _by_kind([(o.kind, e) for o in recorded for e in o.enterprise_ids if e not in outside])
    table.enterprises_implementing = _by_kind(
        [(o.kind, e) for o in implemented for e in o.enterprise_ids if e not in outside]
    )
    table.opportunities_identified = _by_kind([(o.kind, o.opportunity_id) for o in recorded])
    table.opportunities_implemented = _by_kind([(o.kind, o.opportunity_id) for o in implemented])
    table.savings = {name: {basis: 0.0 for basis in BASES} | {"total": 0.0} for name in SAVINGS}
    table.investment_vnd = {"total": 0.0} | {kind: 0.0 for kind in KINDS}
    for opportunity in implemented:
        if opportunity.investment_vnd is None:
            table.investment_unknown += 1
            continue
        table.investment_vnd["total"] += opportunity.investment_vnd
        table.investment_vnd[opportunity.kind] += opportunity.investment_vnd
    links = [o for o in recorded if o.kind == "symbiosis"]
    table.symbiosis_links = {
        "identified": sum(o.stage != Stage.DROPPED for o in links),
        "operating": table.opportunities_implemented["symbiosis"],
    }
    granted = [a for a in applications if _granted_by(a, year)]
    table.certified = {
        "parks": len({a.park_id for a in granted if a.enterprise_id is None}),
        "eco_enterprises": len({a.enterprise_id for a in granted if a.enterprise_id is not None}),
    }
    for opportunity in implemented:
        basis = opportunity.basis if opportunity.basis in BASES else "expected"
        for name, value in _savings(opportunity).items():
            table.savings[name][basis] += value
            table.savings[name]["total"] += value
        if co2e_of(opportunity)[1]:
            table.co2e_computed += 1
            table.years.add(grid_factor_for(_factor_year(opportunity)).year)
            if opportunity.fuel_gj and opportunity.fuel:
                table.fuels.add(opportunity.fuel)
    return table

"""Candidate exchanges from the records and the knowledge base, each with the reasons it was suggested.

Supplies are wastes that leave an enterprise for landfill, incineration or treatment; demands are the recorded
inputs (materials, or fuels for by-products burnt as fuel) that a by-product can replace at a receiver whose sector
the knowledge base names. Water entries (treated municipal wastewater) are offered by the discharge of a source of
their sector and replace part of a receiver's withdrawal, carried by pipe. Candidates are the pairs that pass the
same arc rules as the optimisation (different enterprises, within the distance limit, hazardous waste only to a
licensed receiver).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from eipkit import labels, reference
from eipkit.accounting import Factors, combustion
from eipkit.i18n import Figure, Message, Said
from eipkit.model import Enterprise, Park, Records
from eipkit.symbiosis import pairing
from eipkit.symbiosis.knowledge import Synergy, best_waste_match, division_in, input_matches, waste_matches
from eipkit.symbiosis.problem import Demand, Problem, Supply

DISPOSAL_FATES = ("landfill", "incineration", "treatment")
LICENSED_PREFIXES = ("382", "383", "39")  # VSIC treatment and disposal, materials recovery, remediation


@cache
def transport_defaults() -> dict[str, float]:
    text = resources.files("eipkit.data").joinpath("transport.csv").read_text(encoding="utf-8")
    return {row["parameter"]: float(row["value"]) for row in csv.DictReader(text.splitlines())}


@dataclass
class _Explanations:
    """Why each supply and demand is there, gathered while reading the records."""

    reasons: dict[str, list[Message]] = field(default_factory=dict)
    confidence: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str | Message] = field(default_factory=dict)
    entries: dict[str, Synergy] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


@dataclass
class CandidateSet:
    problem: Problem
    arcs: Any
    reasons: dict[str, list[Message]] = field(default_factory=dict)
    confidence: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str | Message] = field(default_factory=dict)
    entries: dict[str, Synergy] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def label(self, key: str, lang: str) -> str:
        """What a supply or demand is, in the reader's language (a waste as the tenant wrote it stays as written)."""
        found = self.labels[key]
        return found.text(lang) if isinstance(found, Message) else found

    def rows(self, lang: str = "en") -> list[dict[str, Any]]:
        """One row per candidate, best money first, with its reasons and estimates at the largest feasible flow."""
        result = []
        for arc in self.arcs.itertuples():
            flow = float(arc.upper_t)
            entry = self.entries[arc.supply.split("|")[1]]
            water = entry.form == "water"
            unit = {"water": "m3", "heat": "GJ"}.get(entry.form, "t")
            result.append(
                {
                    "supply": arc.supply,
                    "demand": arc.demand,
                    "supply_enterprise": arc.supply_enterprise,
                    "waste": self.label(arc.supply, lang),
                    "demand_enterprise": arc.demand_enterprise,
                    "replaces": self.label(arc.demand, lang),
                    "kb_id": entry.kb_id,
                    "resource": entry.name(lang),
                    "use": entry.use(lang),
                    "distance_km": float(arc.distance_km),
                    "max_flow_t": flow,
                    "unit": unit,
                    "ratio": float(arc.ratio),
                    "money_vnd_per_year": flow * float(arc.margin_vnd_per_t),
                    "co2e_t_per_year": flow * float(arc.co2e_t_per_t),
                    "co2e_range_t_per_year": _co2e_range(entry, flow, float(arc.co2e_t_per_t), float(arc.ratio)),
                    "diverted_t_per_year": flow if unit == "t" else 0.0,
                    "water_m3_per_year": flow if water else 0.0,
                    "confidence": min(self.confidence[arc.supply], self.confidence[arc.demand], key=_rank),
                    "reasons": [
                        m.text(lang)
                        for m in self.reasons[arc.supply]
                        + self.reasons[arc.demand]
                        + [
                            Message(
                                "is.distance",
                                km=Figure(float(arc.distance_km), 1),
                                limit=Figure(self.problem.max_distance_km, 0),
                            ),
                            Message("is.knowledge_base", kb=entry.kb_id, source=entry.source),
                            *_range_reason(entry),
                        ]
                    ],
                }
            )
        return sorted(result, key=lambda r: -r["money_vnd_per_year"])


def _sector(division: str) -> Message:
    """A demand stated for a whole sector: its VSIC division with the division's name."""
    found = reference.divisions().get(division)
    name = Said(found.name_vi, found.name_en) if found else Said("", "")
    return Message("is.sector_label", division=division, name=name)


def _rank(confidence: str) -> int:
    return {"low": 0, "medium": 1, "high": 2}.get(confidence, 0)


def _where(enterprise: Enterprise, parks: dict[str, Park]) -> tuple[float, float] | None:
    if enterprise.lat is not None and enterprise.lon is not None:
        return enterprise.lat, enterprise.lon
    park = parks.get(enterprise.park_id)
    if park is not None and park.lat is not None and park.lon is not None:
        return park.lat, park.lon
    return None


def _fuel_per_t(carrier: str) -> tuple[float, float]:
    """GJ per t of a fuel and the CO2e avoided per t when it is not burnt."""
    fuel = reference.fuels()[carrier]
    per_t = combustion(carrier, fuel.ncv_mj_per_kg, Factors.for_year(2023))
    return fuel.ncv_mj_per_kg, per_t.co2e_t


def _co2e_range(entry: Synergy, flow: float, co2e_per_t: float, ratio: float) -> list[float] | None:
    """The CO2e of a candidate at both ends of its credit's range; the estimate is the conservative end."""
    high = entry.virgin_co2e_high_t_per_t
    if high is None:
        return None
    return [flow * co2e_per_t, flow * (co2e_per_t + ratio * (high - entry.virgin_co2e_t_per_t))]


def _range_reason(entry: Synergy) -> list[Message]:
    if entry.virgin_co2e_high_t_per_t is None:
        return []
    low, high = entry.virgin_co2e_t_per_t, entry.virgin_co2e_high_t_per_t
    return [Message("is.co2_range", low=Figure(low, 3), high=Figure(high, 3))]


@dataclass(frozen=True)
class _Site:
    """Where an enterprise's demands are, and what they may take."""

    enterprise_id: str
    lat: float
    lon: float
    group: str | None
    licensed: bool = False


def _demand(site: _Site, key: str, resource: str, ratio: float, capacity: float, price: float, co2e: float) -> Demand:
    return Demand(
        id=key,
        enterprise_id=site.enterprise_id,
        accepts={resource: ratio},
        capacity_t=capacity,
        virgin_price_vnd_per_t=price,
        virgin_co2e_t_per_t=co2e,
        licensed_hazardous=site.licensed,
        lat=site.lat,
        lon=site.lon,
        group=site.group,
    )


def _water(
    enterprise: Enterprise,
    where: tuple[float, float],
    own: Records,
    year: int,
    entry: Synergy,
    supplies: list[Supply],
    demands: list[Demand],
    result: _Explanations,
    group: str | None,
) -> None:
    """A water entry's supply (the treated water a source of its sector discharges) and demand (the share of a
    receiver's withdrawal that this water can replace), carried by pipe."""
    defaults = transport_defaults()
    eid = enterprise.enterprise_id
    if entry.source_divisions and division_in(enterprise.division, entry.source_divisions):
        discharged = sum(w.volume_m3 for w in own.water if w.kind == "wastewater")
        if discharged > 0:
            key = f"{eid}|{entry.kb_id}|wastewater"
            supplies.append(
                Supply(
                    id=key,
                    enterprise_id=eid,
                    resource=entry.resource,
                    quantity_t=discharged,
                    disposal_co2e_t_per_t=entry.disposal_co2e_t_per_t,
                    lat=where[0],
                    lon=where[1],
                    transport_cost_vnd_per_tkm=defaults["pipe_cost"],
                    transport_co2e_t_per_tkm=defaults["pipe_co2e"],
                    group=group,
                )
            )
            result.reasons[key] = [Message("is.discharges", enterprise=eid, volume=Figure(discharged, 0), year=year)]
            result.confidence[key], result.labels[key] = entry.confidence, Said(entry.name_vi, entry.name_en)
            result.entries[entry.kb_id] = entry
    if division_in(enterprise.division, entry.receiver_divisions) and entry.receiver_share:
        withdrawals = [w for w in own.water if w.kind == "withdrawal"]
        volume = sum(w.volume_m3 for w in withdrawals)
        if volume > 0:
            spent = sum(w.cost_vnd or 0.0 for w in withdrawals)
            price = spent / volume if spent else reference.prices()[("water", "")].price_vnd
            key = f"{eid}|{entry.kb_id}|withdrawal"
            site = _Site(eid, where[0], where[1], group)
            ratio = entry.substitution_ratio or 1.0
            capacity = volume * entry.receiver_share
            demands.append(_demand(site, key, entry.resource, ratio, capacity, price, entry.virgin_co2e_t_per_t))
            result.reasons[key] = [
                Message(
                    "is.withdraws",
                    enterprise=eid,
                    volume=Figure(volume, 0),
                    share=Figure(100 * entry.receiver_share, 0),
                    year=year,
                )
            ]
            result.confidence[key], result.labels[key] = (
                entry.confidence,
                labels.Choices("water_kind", "withdrawal"),
            )
            result.entries[entry.kb_id] = entry


STEAM_GJ_PER_T = 2.7  # saturated steam of about 10 bar, condensate not returned (engineering judgement)


def _heat(
    enterprise: Enterprise,
    where: tuple[float, float],
    own: Records,
    year: int,
    entry: Synergy,
    supplies: list[Supply],
    result: _Explanations,
    group: str | None,
) -> None:
    """A heat entry's supplies: the steam or heat a source of its sectors says it offers to others (a production
    row's available_to_others, in GJ, or in t of steam); receivers are the fuel burners of the entry's sectors."""
    if not division_in(enterprise.division, entry.source_divisions):
        return
    defaults = transport_defaults()
    for output in own.production:
        if not output.available or output.unit not in ("GJ", "t"):
            continue
        why = waste_matches(entry, output.product, None)
        if why is None:
            continue
        gj = output.available * (STEAM_GJ_PER_T if output.unit == "t" else 1.0)
        key = f"{enterprise.enterprise_id}|{entry.kb_id}|{output.product}"
        supplies.append(
            Supply(
                id=key,
                enterprise_id=enterprise.enterprise_id,
                resource=entry.resource,
                quantity_t=gj,
                lat=where[0],
                lon=where[1],
                transport_cost_vnd_per_tkm=defaults["heat_pipe_cost"],
                transport_co2e_t_per_tkm=defaults["heat_pipe_co2e"],
                group=group,
            )
        )
        offered = Message(
            "is.offers", enterprise=enterprise.enterprise_id, gj=Figure(gj, 0), product=output.product, year=year
        )
        result.reasons[key] = [offered]
        result.confidence[key], result.labels[key] = entry.confidence, output.product
        result.entries[entry.kb_id] = entry


def find(
    enterprises: Sequence[Enterprise],
    parks: Sequence[Park],
    records: Records,
    kb: Sequence[Synergy],
    max_distance_km: float | None = None,
    default_fixed_cost_vnd_per_year: float = 0.0,
    verified_codes: Collection[str] = frozenset(),
    groups: Mapping[str, str] | None = None,
) -> CandidateSet:
    """Candidates among these enterprises from their latest year of records. A match made by a waste code not in
    `verified_codes` says the code is unverified. Enterprises of one of `groups` (enterprise -> group, e.g. a town's
    facilities beside the parks in scope) are not paired with each other."""
    groups = groups or {}
    defaults = transport_defaults()
    park_by_id = {p.park_id: p for p in parks}
    latest: dict[str, int] = {}
    for _, rows in records._lists():
        for r in rows:
            latest[r.enterprise_id] = max(latest.get(r.enterprise_id, 0), r.year)
    supplies: list[Supply] = []
    demands: list[Demand] = []
    result = _Explanations()
    disposal_price = {fate: reference.prices()[("disposal", fate)].price_vnd for fate in DISPOSAL_FATES}
    water_entries = [entry for entry in kb if entry.form == "water"]
    heat_entries = [entry for entry in kb if entry.form == "heat"]

    for enterprise in enterprises:
        group = groups.get(enterprise.enterprise_id)
        where = _where(enterprise, park_by_id)
        if where is None:
            result.skipped.append(f"{enterprise.enterprise_id}: no location (enterprise or park lat/lon)")
            continue
        year = latest.get(enterprise.enterprise_id)
        if year is None:
            continue
        own = records.of(enterprise.enterprise_id).in_year(year)
        offers: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for flow in own.waste:
            if flow.fate in DISPOSAL_FATES:
                match = best_waste_match(kb, flow.waste, flow.waste_code)
                if match:
                    entry, why = match
                    if why.key == "is.match_code" and why.params["code"] not in verified_codes:
                        why = Message("is.match_code_unverified", **why.params)
                    offers[(entry.kb_id, flow.waste)].append((flow, why, entry))
        for (kb_id, waste), flows in offers.items():
            entry = flows[0][2]
            mass = sum(f.mass_t for f, _, _ in flows)
            cost = sum(f.cost_vnd if f.cost_vnd else f.mass_t * disposal_price[f.fate] for f, _, _ in flows)
            supply_id = f"{enterprise.enterprise_id}|{kb_id}|{waste}"
            supplies.append(
                Supply(
                    id=supply_id,
                    enterprise_id=enterprise.enterprise_id,
                    resource=entry.resource,
                    quantity_t=mass,
                    disposal_cost_vnd_per_t=cost / mass if mass else 0.0,
                    disposal_co2e_t_per_t=entry.disposal_co2e_t_per_t,
                    hazardous=entry.hazardous or any(f.hazardous for f, _, _ in flows),
                    lat=where[0],
                    lon=where[1],
                    group=group,
                )
            )
            fates = sorted({f.fate for f, _, _ in flows})
            result.reasons[supply_id] = [
                Message(
                    "is.sends",
                    enterprise=enterprise.enterprise_id,
                    mass=Figure(mass, 1),
                    waste=waste,
                    fates=labels.Choices("fate", *fates),
                    year=year,
                    why=flows[0][1],
                )
            ]
            source_ok = division_in(enterprise.division, entry.source_divisions)
            result.confidence[supply_id] = entry.confidence if source_ok else "medium"
            result.labels[supply_id] = waste
            result.entries[kb_id] = entry

        for entry in water_entries:
            _water(enterprise, where, own, year, entry, supplies, demands, result, group)
        for entry in heat_entries:
            _heat(enterprise, where, own, year, entry, supplies, result, group)

        site = _Site(enterprise.enterprise_id, where[0], where[1], group, enterprise.vsic.startswith(LICENSED_PREFIXES))
        for entry in kb:
            if entry.form == "water" or not division_in(enterprise.division, entry.receiver_divisions):
                continue
            matched = [(m, because) for m in own.materials if (because := input_matches(entry, m.material))]
            ratio = entry.substitution_ratio or 1.0
            if matched:
                capacity = sum(m.mass_t for m, _ in matched)
                spent = sum(m.cost_vnd or 0.0 for m, _ in matched)
                price = spent / capacity if spent and capacity else entry.virgin_price_vnd_per_t
                label = ", ".join(sorted({m.material for m, _ in matched}))
                reason = Message(
                    "is.uses",
                    enterprise=enterprise.enterprise_id,
                    mass=Figure(capacity, 1),
                    material=label,
                    year=year,
                    why=matched[0][1],
                )
                key = f"{enterprise.enterprise_id}|{entry.kb_id}|input"
                demands.append(_demand(site, key, entry.resource, ratio, capacity, price, entry.virgin_co2e_t_per_t))
                result.reasons[key], result.confidence[key], result.labels[key] = [reason], entry.confidence, label
                result.entries[entry.kb_id] = entry
            for use in own.energy:
                if use.carrier in entry.substitutes_carriers and entry.ncv_mj_per_kg:
                    ncv, co2e_per_t = _fuel_per_t(use.carrier)
                    tonnes = use.energy_gj / ncv
                    price = (
                        use.cost_vnd / tonnes if use.cost_vnd else reference.prices()[("fuel", use.carrier)].price_vnd
                    )
                    key = f"{enterprise.enterprise_id}|{entry.kb_id}|{use.carrier}"
                    ratio_fuel = entry.ncv_mj_per_kg / ncv
                    demands.append(_demand(site, key, entry.resource, ratio_fuel, tonnes, price, co2e_per_t))
                    result.reasons[key] = [
                        Message(
                            "is.burns_heat" if entry.form == "heat" else "is.burns",
                            enterprise=enterprise.enterprise_id,
                            mass=Figure(tonnes, 1),
                            fuel=labels.Choices("carrier", use.carrier),
                            year=year,
                            resource=Said(entry.name_vi, entry.name_en),
                            ncv=Figure(entry.ncv_mj_per_kg, 2 if entry.form == "heat" else 1),
                        )
                    ]
                    result.confidence[key] = entry.confidence
                    result.labels[key] = labels.Choices("carrier", use.carrier)
                    result.entries[entry.kb_id] = entry
            if not matched and entry.receiver_share and "any" not in entry.receiver_divisions:
                total = sum(m.mass_t for m in own.materials)
                if total > 0:
                    key = f"{enterprise.enterprise_id}|{entry.kb_id}|sector"
                    share = total * entry.receiver_share
                    virgin = entry.virgin_price_vnd_per_t
                    demands.append(_demand(site, key, entry.resource, ratio, share, virgin, entry.virgin_co2e_t_per_t))
                    result.reasons[key] = [
                        Message(
                            "is.sector",
                            enterprise=enterprise.enterprise_id,
                            division=enterprise.division,
                            share=Figure(100 * entry.receiver_share, 0),
                            mass=Figure(total, 0),
                        )
                    ]
                    result.confidence[key], result.labels[key] = "low", _sector(enterprise.division)
                    result.entries[entry.kb_id] = entry

    problem = Problem(
        transport_cost_vnd_per_tkm=defaults["transport_cost"],
        transport_co2e_t_per_tkm=defaults["transport_co2e"],
        road_factor=defaults["road_factor"],
        max_distance_km=max_distance_km or defaults["max_distance"],
        default_fixed_cost_vnd_per_year=default_fixed_cost_vnd_per_year,
        supplies=supplies,
        demands=demands,
    )
    return CandidateSet(problem, pairing.arcs_table(problem), **vars(result))

"""What crosses the boundary between a park and the city beside it: the indicators of the park-city circular economy
(water reused across the boundary, municipal waste used by industry, industrial by-products taken by the city, fuel
saved by heat sent across, CO2 avoided), from the links in operation and, apart, from those still planned.

A link crosses the boundary when one partner belongs to the park and the other to a park of kind `city`. Operating
links are implemented symbiosis opportunities (the supplier listed first) and the year's waste records sent to a
partner (fate `exchange`); a pair counted from an opportunity is not counted again from its records. CO2 comes from
opportunities only: a waste record carries none.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from eipkit.model import Opportunity, WasteFlow
from eipkit.vocabulary import OPEN


@dataclass(frozen=True)
class Flows:
    """Yearly quantities of links across the boundary (water in m3, materials in t, CO2e in t)."""

    links: int = 0
    water_reused_m3: float = 0.0
    municipal_waste_used_t: float = 0.0  # city -> park
    industrial_to_city_t: float = 0.0  # park -> city
    fuel_saved_gj: float = 0.0  # by steam or heat sent across (the receiver's boiler fuel)
    co2e_avoided_t: float = 0.0


@dataclass(frozen=True)
class ParkCity:
    park_id: str
    year: int
    cities: tuple[str, ...]  # names of the cities of the park's province
    operating: Flows
    planned: Flows


def _direction(
    supplier: str, receiver: str, park_of: Mapping[str, str], members: Collection[str], cities: Collection[str]
) -> str | None:
    """'from_city', 'to_city' or None when the pair does not join this park to a city."""
    if supplier in members and park_of.get(receiver) in cities:
        return "to_city"
    if receiver in members and park_of.get(supplier) in cities:
        return "from_city"
    return None


@dataclass(frozen=True)
class _Item:
    direction: str
    water_m3: float = 0.0
    tonnes: float = 0.0
    fuel_gj: float = 0.0
    co2e_t: float = 0.0


def _sum(items: Sequence[_Item]) -> Flows:
    return Flows(
        links=len(items),
        water_reused_m3=sum((i.water_m3 for i in items), 0.0),
        municipal_waste_used_t=sum((i.tonnes for i in items if i.direction == "from_city"), 0.0),
        industrial_to_city_t=sum((i.tonnes for i in items if i.direction == "to_city"), 0.0),
        fuel_saved_gj=sum((i.fuel_gj for i in items), 0.0),
        co2e_avoided_t=sum((i.co2e_t for i in items), 0.0),
    )


def flows(
    park_id: str,
    year: int,
    members: Collection[str],
    opportunities: Sequence[Opportunity],
    waste: Sequence[WasteFlow],
    park_of: Mapping[str, str],
    cities: Mapping[str, str],
) -> ParkCity:
    """The park-city indicators of one park in one year; `cities` maps a city's park id to its name."""
    operating: list[_Item] = []
    planned: list[_Item] = []
    pairs: set[frozenset[str]] = set()
    for o in opportunities:
        if o.kind != "symbiosis" or len(o.enterprise_ids) < 2:
            continue
        direction = _direction(o.enterprise_ids[0], o.enterprise_ids[1], park_of, members, cities)
        if direction is None:
            continue
        item = _Item(direction, o.water_m3 or 0.0, o.waste_t or 0.0, o.fuel_gj or 0.0, o.co2e_t or 0.0)
        if o.stage == "implemented" and (o.year_implemented is None or o.year_implemented <= year):
            operating.append(item)
            pairs.add(frozenset(o.enterprise_ids[:2]))
        elif o.stage in OPEN:
            planned.append(item)
    for w in waste:
        if w.year != year or w.fate != "exchange" or not w.receiver:
            continue
        direction = _direction(w.enterprise_id, w.receiver, park_of, members, cities)
        if direction is None or frozenset((w.enterprise_id, w.receiver)) in pairs:
            continue
        operating.append(_Item(direction, tonnes=w.mass_t))
    return ParkCity(park_id, year, tuple(sorted(cities.values())), _sum(operating), _sum(planned))

"""What a park's records prove: its symbiosis links and the enterprises that implemented RECP with measured
savings, each traceable to the opportunity or waste record it comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from eipkit import accounting
from eipkit.model import Enterprise, Opportunity, Park, Records
from eipkit.recp import park_share

SAVING_FIELDS = (
    "electricity_mwh",
    "fuel_gj",
    "water_m3",
    "materials_t",
    "chemicals_t",
    "waste_t",
    "co2e_t",
    "cost_saving_vnd",
)
ISO_STANDARDS = ("iso_14001", "iso_50001", "iso_9001")
# Circular 05/2025/TT-BKHDT Art. 2(1): the kinds of industrial-symbiosis activity, by opportunity category
LINK_TYPE_OF_CATEGORY = {
    "input_output_exchange": "a",
    "by_product_use": "a",
    "shared_infrastructure": "b",
    "third_party_symbiosis": "c",
    "cross_park_cooperation": "d",
}


@dataclass(frozen=True)
class Link:
    """An operating symbiosis link: from an implemented opportunity or a waste record sent to another enterprise."""

    source: str  # "opportunity" or "waste"
    ref: str
    enterprises: tuple[str, ...]
    title: str
    link_type: str  # a, b, c or d of Circular 05/2025 Art. 2(1)


@dataclass
class ParkFacts:
    """Everything the criteria of one park in one year are computed from."""

    park: Park
    year: int
    enterprises: list[Enterprise]
    opportunities: list[Opportunity]
    records: Records = field(default_factory=Records)
    park_of: dict[str, str] = field(default_factory=dict)  # enterprise -> park, also for partners in other parks

    @cached_property
    def members(self) -> dict[str, Enterprise]:
        return {e.enterprise_id: e for e in self.enterprises}

    def _type(self, enterprises: tuple[str, ...], category: str | None) -> str:
        if category in LINK_TYPE_OF_CATEGORY:
            return LINK_TYPE_OF_CATEGORY[category]
        parks = {self.park_of.get(e, self.park.park_id) for e in enterprises}
        return "d" if len(parks) > 1 else "a"

    @cached_property
    def accounts(self) -> accounting.Accounts:
        """The year's resource and GHG accounts, computed once for every measure that needs them."""
        return accounting.account(self.records, self.year, enterprises=len(self.enterprises))

    @cached_property
    def links(self) -> list[Link]:
        found: list[Link] = []
        pairs: set[frozenset[str]] = set()
        for o in self.opportunities:
            implemented = o.stage == "implemented" and (o.year_implemented is None or o.year_implemented <= self.year)
            if o.kind == "symbiosis" and implemented and len(set(o.enterprise_ids)) >= 2:
                found.append(
                    Link(
                        "opportunity",
                        o.opportunity_id,
                        o.enterprise_ids,
                        o.title,
                        self._type(o.enterprise_ids, o.category),
                    )
                )
                pairs.add(frozenset(o.enterprise_ids))
        for w in self.records.waste:
            if w.year != self.year or w.fate != "exchange" or not w.receiver or w.receiver == w.enterprise_id:
                continue
            pair = frozenset((w.enterprise_id, w.receiver))
            if pair in pairs:
                continue
            pairs.add(pair)
            enterprises = (w.enterprise_id, w.receiver)
            ref = f"{w.enterprise_id}/{w.year}/{w.waste}"
            found.append(Link("waste", ref, enterprises, f"{w.waste} → {w.receiver}", self._type(enterprises, None)))
        return found

    @cached_property
    def participants(self) -> list[str]:
        """Enterprises of this park taking part in a link (partners in other parks are their own park's matter)."""
        return sorted({e for link in self.links for e in link.enterprises if e in self.members})

    def recp_with_savings(self, minimum_saving: float = 0.0) -> dict[str, list[Opportunity]]:
        """Enterprises of the park with an implemented RECP opportunity whose measured saving of a resource exceeds
        the minimum (`recp.park_share`)."""
        return park_share.enterprises_with_measured_savings(self.opportunities, self.members, self.year, minimum_saving)

    def has_iso(self, enterprise: Enterprise, standards: tuple[str, ...] = ISO_STANDARDS) -> bool | None:
        """True when any of the standards is held, False when all are known not held, None when unknown."""
        held = [getattr(enterprise, s) for s in standards]
        if any(h is True for h in held):
            return True
        return False if all(h is False for h in held) else None

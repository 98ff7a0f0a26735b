"""A park's RECP share: which of its enterprises have implemented a cleaner-production measure whose saving of a
resource was measured, and which measures would bring the next ones in at the least cost.

Decree 35/2022 Art. 37(2)(c) asks for a share of a park's enterprises with such measures; certification states the
criterion (`certification.measures`, measure `recp_share`) and reads these figures, which belong to RECP.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable

from eipkit.model import Opportunity
from eipkit.vocabulary import OPEN, Basis, OpportunityKind, Stage

# Decree 35/2022 Art. 37(2)(c): solutions that save raw materials and materials, water, energy, chemicals, waste
# and scrap. A measured CO2 or money figure alone is not a saving of resources.
RESOURCE_FIELDS = ("electricity_mwh", "fuel_gj", "water_m3", "materials_t", "chemicals_t", "waste_t")
NEAREST_TO_COUNTING = (Stage.IMPLEMENTED, *reversed(OPEN))  # implemented, not yet measured; then open stages


def saves_a_resource(opportunity: Opportunity, minimum: float = 0.0) -> bool:
    """Whether any resource saving (energy, water, materials, chemicals, waste) exceeds `minimum`."""
    return any((getattr(opportunity, f) or 0.0) > minimum for f in RESOURCE_FIELDS)


def enterprises_with_measured_savings(
    opportunities: Iterable[Opportunity], members: Collection[str], year: int, minimum_saving: float = 0.0
) -> dict[str, list[Opportunity]]:
    """The park's enterprises (`members`) with an RECP opportunity implemented by `year` whose measured saving of a
    resource exceeds `minimum_saving`, and those opportunities."""
    counted: dict[str, list[Opportunity]] = {}
    for o in opportunities:
        if not (o.kind == OpportunityKind.RECP and o.stage == Stage.IMPLEMENTED and o.basis == Basis.MEASURED):
            continue
        if o.year_implemented is not None and o.year_implemented > year:
            continue
        if not saves_a_resource(o, minimum_saving):
            continue
        for e in o.enterprise_ids:
            if e in members:
                counted.setdefault(e, []).append(o)
    return counted


def enterprises_needed(counted: int, total: int, target_percent: float) -> int:
    """How many more enterprises reach `target_percent` of `total` (1 of 5 is 20 % and passes: integers at the
    boundary, not floating percentages)."""
    return max(0, math.ceil(target_percent * total / 100 - 1e-9) - counted)


def cheapest_measures(
    opportunities: Iterable[Opportunity], members: Collection[str], counted: Collection[str], needed: int
) -> list[tuple[str, Opportunity]]:
    """Per enterprise not yet counted, its RECP opportunity nearest to counting (implemented without a measured
    saving first, then the open stages nearest to implementation), then the least investment; the `needed` best."""
    best: dict[str, tuple[tuple[int, float], Opportunity]] = {}
    for o in opportunities:
        if o.kind != OpportunityKind.RECP or o.stage not in NEAREST_TO_COUNTING:
            continue
        key = (
            NEAREST_TO_COUNTING.index(Stage(o.stage)),
            o.investment_vnd if o.investment_vnd is not None else math.inf,
        )
        for e in o.enterprise_ids:
            if e in members and e not in counted and (e not in best or key < best[e][0]):
                best[e] = (key, o)
    ranked = sorted(best.items(), key=lambda item: item[1][0])[:needed]
    return [(enterprise, o) for enterprise, (_, o) in ranked]

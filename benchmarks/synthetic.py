"""A seeded synthetic national exchange-network instance (436 parks, about 100 enterprises each), for the
benchmarks and the tests of the national-scale solver. Synthetic: no real enterprise is in it.

Parks are spread over Vietnam's industrial regions; each enterprise has on average 3 supplies and 2 demands of
resources from the knowledge base, with the knowledge base's substitution ratios and prices.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from eipkit.symbiosis.knowledge import knowledge_base
from eipkit.symbiosis.problem import Demand, Problem, Supply

# (latitude, longitude, share of parks, spread in degrees): the industrial regions
REGIONS = [
    (21.00, 105.85, 0.20, 0.45),  # Hanoi, Bac Ninh, Hung Yen, Vinh Phuc
    (20.85, 106.65, 0.10, 0.30),  # Hai Phong, Quang Ninh, Hai Duong
    (19.50, 105.70, 0.05, 0.40),  # Thanh Hoa, Nghe An
    (16.05, 108.20, 0.07, 0.40),  # Da Nang, Quang Nam, Quang Ngai
    (13.80, 109.10, 0.03, 0.50),  # Binh Dinh, Phu Yen, Khanh Hoa
    (10.90, 106.75, 0.35, 0.45),  # Ho Chi Minh City, Binh Duong, Dong Nai, Ba Ria-Vung Tau
    (10.65, 106.35, 0.10, 0.35),  # Long An, Tay Ninh, Tien Giang
    (10.05, 105.75, 0.10, 0.60),  # Can Tho and the Mekong delta
]


def national(
    parks: int = 436,
    enterprises_per_park: int = 100,
    seed: int = 436,
    max_distance_km: float = 50.0,
) -> Problem:
    rng = np.random.default_rng(seed)
    kb = knowledge_base()
    resources = [e.resource for e in kb]
    ratio = {e.resource: e.substitution_ratio or 0.5 for e in kb}
    price = {e.resource: max(e.virgin_price_vnd_per_t, 300_000.0) for e in kb}
    co2 = {e.resource: e.virgin_co2e_t_per_t for e in kb}
    disposal_co2 = {e.resource: e.disposal_co2e_t_per_t for e in kb}
    shares = np.array([r[2] for r in REGIONS])
    region_of = rng.choice(len(REGIONS), size=parks, p=shares / shares.sum())
    park_lat = np.array([REGIONS[r][0] for r in region_of]) + rng.normal(0, 1, parks) * np.array(
        [REGIONS[r][3] for r in region_of]
    )
    park_lon = np.array([REGIONS[r][1] for r in region_of]) + rng.normal(0, 1, parks) * np.array(
        [REGIONS[r][3] for r in region_of]
    )
    supplies, demands = [], []
    for p in range(parks):
        count = max(10, int(rng.normal(enterprises_per_park, 15)))
        lat = park_lat[p] + rng.uniform(-0.015, 0.015, count)
        lon = park_lon[p] + rng.uniform(-0.015, 0.015, count)
        for e in range(count):
            enterprise = f"P{p:03d}-E{e:03d}"
            for n in range(rng.poisson(3)):
                resource = resources[rng.integers(len(resources))]
                supplies.append(
                    Supply(
                        id=f"{enterprise}-S{n}",
                        enterprise_id=enterprise,
                        resource=resource,
                        quantity_t=float(rng.lognormal(5, 1)),
                        disposal_cost_vnd_per_t=float(rng.uniform(2e5, 1.2e6)),
                        disposal_co2e_t_per_t=disposal_co2[resource],
                        hazardous=bool(rng.random() < 0.05),
                        lat=float(lat[e]),
                        lon=float(lon[e]),
                    )
                )
            for n in range(rng.poisson(2)):
                accepted = rng.choice(resources, size=rng.integers(1, 3), replace=False)
                demands.append(
                    Demand(
                        id=f"{enterprise}-D{n}",
                        enterprise_id=enterprise,
                        accepts={r: ratio[r] for r in accepted},
                        capacity_t=float(rng.lognormal(5.5, 1)),
                        virgin_price_vnd_per_t=float(np.mean([price[r] for r in accepted]) * rng.uniform(0.8, 1.2)),
                        virgin_co2e_t_per_t=float(np.mean([co2[r] for r in accepted])),
                        licensed_hazardous=bool(rng.random() < 0.1),
                        lat=float(lat[e]),
                        lon=float(lon[e]),
                    )
                )
    return Problem(
        transport_cost_vnd_per_tkm=3000,
        transport_co2e_t_per_tkm=0.0001,
        road_factor=1.3,
        max_distance_km=max_distance_km,
        default_fixed_cost_vnd_per_year=0.0,
        supplies=supplies,
        demands=demands,
    ), rng


def link_fixed_costs(seed: int = 436, low: float = 20e6, high: float = 100e6) -> Callable[[Any, Any], np.ndarray]:
    """A fixed cost for every possible link, uniform between `low` and `high` VND/yr: a hash of the pair (supply and
    demand indices), so a pair has the same cost whichever solver or subset of pairs asks for it."""

    def cost(s: Any, k: Any) -> np.ndarray:
        x = (np.atleast_1d(np.asarray(s, dtype=np.uint64)) << np.uint64(32)) ^ np.asarray(k, dtype=np.uint64)
        with np.errstate(over="ignore"):  # arithmetic modulo 2**64 is the point
            x = x + np.uint64(seed * 0x9E3779B97F4A7C15 % 2**64)
            x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)  # splitmix64's finaliser
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            x = x ^ (x >> np.uint64(31))
        return low + (high - low) * (x >> np.uint64(11)).astype(float) / 2.0**53

    return cost

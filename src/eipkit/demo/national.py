"""The synthetic national dataset: the six demo parks among synthetic parks up to the programme's 436, spread over
the 34 provincial units as the real parks are (`data/national_demo.yaml`), about 70 tenants each with the demo's
sector profiles by region, four years of records and their opportunities at every stage.

It is generated a few parks at a time and goes through the same validation and bulk storage as a large workbook,
in one transaction: all of it is stored, or nothing.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from eipkit import provinces
from eipkit.demo import SOURCE, Generator, spec
from eipkit.store import Database, state
from eipkit.workbooks.importer import ImportResult, import_batches

NATIONAL_SOURCE = "eipkit demo --national (synthetic data)"
PARKS_PER_BATCH = 12


@cache
def national_spec() -> dict[str, Any]:
    text = resources.files("eipkit.data").joinpath("national_demo.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _shares(weights: dict[str, float], total: int) -> dict[str, int]:
    """`total` split in proportion to `weights`, whole numbers by the largest remainder."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    counts = {k: math.floor(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: counts[k] - exact[k])[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


def parks() -> list[dict[str, Any]]:
    """Every park of the national dataset: the demo's six where they are, synthetic ones for the rest."""
    national = national_spec()
    rng = random.Random(national["seed"])
    real = spec()["parks"]
    units = national["units"]
    counts = _shares({name: unit[0] for name, unit in units.items()}, national["parks"])
    for park in real:
        counts[provinces.resolve(park["province"]).name] -= 1
    sizes, area = national["enterprises_per_park"], national["park_area_ha"]
    result = list(real)
    for name, (_, lat, lon, region) in units.items():
        code = provinces.units()[name].code
        divisions = national["sectors"][region]
        for number in range(1, max(counts[name], 0) + 1):
            tenants = min(max(round(rng.gauss(sizes["mean"], sizes["sd"])), sizes["low"]), sizes["high"])
            drawn = rng.choices(list(divisions), weights=list(divisions.values()), k=tenants)
            sectors = {int(d): drawn.count(d) for d in dict.fromkeys(drawn)}
            hectares = min(max(area["median"] * rng.lognormvariate(0, area["sigma"]), area["low"]), area["high"])
            result.append(
                {
                    "park_id": f"VN{code}-{number:03d}",
                    "name": f"KCN {name} {number} (giả lập)",
                    "province": name,
                    "area_ha": round(hectares, 1),
                    "established_year": rng.randint(1995, 2021),
                    "lat": round(lat + rng.uniform(-1, 1) * national["spread_deg"], 4),
                    "lon": round(lon + rng.uniform(-1, 1) * national["spread_deg"], 4),
                    "investor": f"Công ty phát triển hạ tầng KCN {name} (giả lập)",
                    "wwtp_capacity_m3_per_day": round(hectares * rng.uniform(15, 30), -2),
                    "sectors": sectors,
                }
            )
    return result


def batches(parks_per_batch: int = PARKS_PER_BATCH) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """The dataset as contract rows, a few parks at a time (the same every time)."""
    return Generator(parks(), national_spec()["seed"]).batches(parks_per_batch)


@dataclass(frozen=True)
class NationalLoad:
    parks: int
    enterprises: int
    result: ImportResult


def load(
    database: Database,
    progress: Callable[[str], None] | None = None,
    rows: Iterable[dict[str, list[dict[str, Any]]]] | None = None,
) -> NationalLoad:
    """Store the national dataset (or `rows`, its batches made beforehand) in one transaction; loading it twice
    updates, never duplicates."""
    result = import_batches(database, batches() if rows is None else rows, NATIONAL_SOURCE, progress)
    with database.transaction() as session:
        state.mark_synthetic(session, "national")
    counts = result.counts
    enterprises = counts.get("enterprises", {})
    total = enterprises.get("inserted", 0) + enterprises.get("updated", 0)
    return NationalLoad(parks=len(parks()), enterprises=total, result=result)


__all__ = ["NATIONAL_SOURCE", "SOURCE", "NationalLoad", "batches", "load", "national_spec", "parks"]

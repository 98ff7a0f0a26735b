"""Vietnam's provincial units as organised since 2025, and the units they replaced.

Resolution 202/2025/QH15 merged 52 of the 63 provinces and cities into 23, leaving 34 units whose local governments
work from 1 July 2025 (`data/provinces.csv`, `data/former_provinces.csv`). A record written with a former name
("Long An") is filed under the unit in force ("Tây Ninh"), keeping the name as written, so that results group by the
unit in force while a year before the merger can still be read under the former units.

A name eipkit does not know (a park outside Vietnam, a typing error) is kept as written: the same approach runs in
other countries.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str  # province or city (centrally run)
    formed_from: tuple[str, ...]
    source: str
    confidence: str

    @property
    def merged(self) -> bool:
        return len(self.formed_from) > 1


@dataclass(frozen=True)
class Former:
    name: str
    code: str
    unit: str
    effective: dt.date
    source: str


@dataclass(frozen=True)
class Resolved:
    """A province as written, and the unit in force it belongs to."""

    written: str
    name: str
    former: str | None  # the unit before 2025 when the written name tells it
    known: bool
    effective: dt.date | None = None

    @property
    def renamed(self) -> bool:
        """The record was written with a former unit's name (not a mere spelling of the unit's own)."""
        return self.known and self.former is not None and self.former != self.name


def key(name: str) -> str:
    """A name compared as people write it: case, accents (Hóa and Hoá), the prefixes tỉnh / thành phố / TP,
    hyphens and spaces do not matter."""
    text = unicodedata.normalize("NFD", name.strip().lower().replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    stripped = True
    while stripped:
        stripped = False
        for prefix in ("tinh ", "thanh pho ", "tp. ", "tp ", "t.p. "):
            if text.startswith(prefix):
                text, stripped = text[len(prefix) :], True
    return "".join(c for c in text if c.isalnum())


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("eipkit.data").joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def units() -> dict[str, Unit]:
    found = {}
    for row in _rows("provinces.csv"):
        formed = tuple(row["formed_from"].split(";"))
        found[row["name"]] = Unit(row["code"], row["name"], row["kind"], formed, row["source"], row["confidence"])
    return found


@cache
def formers() -> dict[str, Former]:
    return {
        row["former"]: Former(
            row["former"], row["former_code"], row["unit"], dt.date.fromisoformat(row["effective"]), row["source"]
        )
        for row in _rows("former_provinces.csv")
    }


@cache
def _lookup() -> tuple[dict[str, str], dict[str, str]]:
    """Keys of the units in force (names and aliases) and of the former units."""
    current: dict[str, str] = {}
    for row in _rows("provinces.csv"):
        for name in [row["name"], *filter(None, row["aliases"].split(";"))]:
            current[key(name)] = row["name"]
    former: dict[str, str] = {}
    for row in _rows("former_provinces.csv"):
        for name in [row["former"], *filter(None, row["aliases"].split(";"))]:
            former[key(name)] = row["former"]
    return current, former


def resolve(name: str, on: dt.date | None = None) -> Resolved:
    """The unit in force on `on` (today by default) for a province as written."""
    on = on or dt.date.today()
    current, former = _lookup()
    k = key(name)
    if k in former and former[k] not in units():
        before = formers()[former[k]]
        if on >= before.effective:
            return Resolved(name, before.unit, before.name, True, before.effective)
        return Resolved(name, before.name, before.name, True)
    if k in current:
        unit = units()[current[k]]
        # a unit's own name is also that of the former unit it kept the name of (Tây Ninh took in Long An)
        return Resolved(name, unit.name, unit.name if unit.name in unit.formed_from else None, True)
    return Resolved(name, name, None, False)


def former_unit(province: str, written: str | None) -> str | None:
    """The unit before 2025 of a record filed under `province` and written as `written` (None when written as the
    unit's own name): the former unit the written name names. A unit's own name reads as the former unit of the same
    name, the usual meaning of a record made before the merger; a name outside Vietnam stays itself."""
    resolved = resolve(written or province)
    return resolved.former if resolved.known else province


def in_unit(province: str, former: str) -> bool:
    """Whether the unit in force `province` took in the former unit `former`."""
    unit = units().get(province)
    return unit is not None and former in unit.formed_from


Ring = tuple[tuple[float, float], ...]  # (longitude, latitude) points, the first repeated last


@dataclass(frozen=True)
class Outline:
    unit: str
    rings: tuple[Ring, ...]  # one per piece of land (mainland, islands)


@dataclass(frozen=True)
class BaseMap:
    """The 34 units' approximate outlines and the two archipelagos, for maps drawn without the internet.

    Drawn from the communes' centres and areas (`tools/province_outlines.py`): right for the country's shape and for
    which unit a place is in, not a surveyed boundary; `confidence` says so wherever the map is shown."""

    outlines: tuple[Outline, ...]  # the largest first, so a unit inside another is drawn over it
    archipelagos: tuple[tuple[str, str, float, float], ...]  # unit, name, longitude, latitude
    source: str
    confidence: str


@cache
def base_map() -> BaseMap:
    data = json.loads(resources.files("eipkit.data").joinpath("provinces_outline.json").read_text(encoding="utf-8"))
    by_code = {unit.code: unit.name for unit in units().values()}
    outlines = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings = tuple(tuple((lon, lat) for lon, lat in polygon[0]) for polygon in polygons)
        outlines.append(Outline(by_code[feature["properties"]["code"]], rings))
    archipelagos = tuple((by_code[a["code"]], a["name"], a["lon"], a["lat"]) for a in data["archipelagos"])
    return BaseMap(tuple(outlines), archipelagos, data["source"], data["confidence"])

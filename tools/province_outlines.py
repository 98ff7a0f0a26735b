"""Build the offline base map: approximate outlines of Vietnam's 34 provincial units (from 1 July 2025).

No boundary file of the 34 units could be had offline, so the outlines are drawn from what the open dataset of
vietnamadminunits (MIT licence) does give for each of the 3,321 communes of the new division: its centre and its
area. Each commune gets the part of the country nearer to its centre than to any other (a Voronoi cell), cut to a
disc a little larger than its own area so that the coast and the borders follow where communes are; the cells are
then merged by provincial unit, smoothed and simplified. The result places a park in the right unit and shows the
country's shape; it is not a surveyed boundary, and the map says so.

The two archipelagos (Hoàng Sa, of Đà Nẵng, and Trường Sa, of Khánh Hòa) are communes of the dataset too; they are
written as points with their unit, as Vietnamese maps show them.

Run once when the dataset changes (build-time only; eipkit itself needs neither package):

    pip install shapely vietnamadminunits
    python tools/province_outlines.py src/eipkit/data/provinces_outline.json
"""

from __future__ import annotations

import json
import math
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path

import numpy
import shapely
import vietnamadminunits
from shapely.geometry import MultiPoint, Point, Polygon, mapping

EARTH_KM_PER_DEGREE = 111.32
CENTRAL_MERIDIAN = 106.0
DISC_SCALE = 1.3  # a commune reaches 1.3 times the radius of a disc of its own area
SMOOTHING_KM = 3.0
SIMPLIFY_DEGREES = 0.012  # about 1.3 km
DIGITS = 3
ARCHIPELAGOS = ("Đặc khu Hoàng Sa", "Đặc khu Trường Sa")


def to_plane(lon: float, lat: float) -> tuple[float, float]:
    """Sinusoidal projection in km: equal-area, so a cut disc keeps its commune's area."""
    return (lon - CENTRAL_MERIDIAN) * math.cos(math.radians(lat)) * EARTH_KM_PER_DEGREE, lat * EARTH_KM_PER_DEGREE


def to_degrees(plane: numpy.ndarray) -> numpy.ndarray:
    """The projection's inverse, for shapely.transform (an array of x, y rows in km)."""
    lat = plane[:, 1] / EARTH_KM_PER_DEGREE
    lon = CENTRAL_MERIDIAN + plane[:, 0] / (EARTH_KM_PER_DEGREE * numpy.cos(numpy.radians(lat)))
    return numpy.column_stack([lon, lat])


def communes() -> list[tuple[str, str, float, float, float]]:
    database = Path(vietnamadminunits.__file__).parent / "data" / "dataset.db"
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT provinceCode, ward, wardLon, wardLat, wardAreaKm2 FROM admin_units ORDER BY provinceCode, wardCode"
        ).fetchall()


def outlines() -> dict[str, object]:
    rows = communes()
    land = [r for r in rows if r[1] not in ARCHIPELAGOS]
    centres = [to_plane(lon, lat) for _, _, lon, lat, _ in land]
    cells = shapely.voronoi_polygons(MultiPoint(centres), extend_to=MultiPoint(centres).envelope.buffer(200))
    tree = shapely.STRtree([Point(c) for c in centres])
    by_centre = {}
    for cell in cells.geoms:
        for index in tree.query(cell, predicate="contains"):
            by_centre[int(index)] = cell
    known = sorted(r[4] for r in land if r[4])
    typical = known[len(known) // 2]  # the few communes without an area count as the median one
    pieces: dict[str, list[object]] = defaultdict(list)
    area: dict[str, float] = defaultdict(float)
    for index, (code, _, _, _, km2) in enumerate(land):
        reach = DISC_SCALE * math.sqrt(max(km2 or typical, 1.0) / math.pi)
        pieces[code].append(by_centre[index].intersection(Point(centres[index]).buffer(reach, 32)))
        area[code] += km2 or typical
    features = []
    for code in sorted(pieces, key=lambda c: -area[c]):  # the largest first: a unit inside another is drawn over it
        shape = shapely.union_all(pieces[code]).buffer(SMOOTHING_KM).buffer(-SMOOTHING_KM)
        shape = shapely.union_all([Polygon(p.exterior) for p in getattr(shape, "geoms", [shape])])  # no holes
        shape = shapely.transform(shape, to_degrees).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        shape = shapely.set_precision(shape, 10**-DIGITS)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "area_km2": round(area[code])},
                "geometry": mapping(shape),
            }
        )
    islands = [
        {"code": code, "name": name, "lon": round(lon, 3), "lat": round(lat, 3)}
        for code, name, lon, lat, _ in rows
        if name in ARCHIPELAGOS
    ]
    return {
        "type": "FeatureCollection",
        "source": "vietnamadminunits 1.0.4 (MIT licence): centre and area of each of the 3,321 communes from "
        "1 July 2025; outlines drawn by tools/province_outlines.py (Voronoi cells of the communes' centres cut to "
        f"{DISC_SCALE} times the radius of their own area, merged by unit, smoothed {SMOOTHING_KM} km, simplified "
        f"{SIMPLIFY_DEGREES} degrees)",
        "confidence": "approximate: the shape of the country and which unit a place is in, not surveyed boundaries",
        "archipelagos": islands,
        "features": features,
    }


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.write_text(json.dumps(outlines(), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{target}: {target.stat().st_size / 1000:.0f} kB")

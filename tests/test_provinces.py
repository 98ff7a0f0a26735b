"""Vietnam as organised since 2025: 34 provincial units (Resolution 202/2025/QH15), former names filed under the unit
in force with the name as written kept, results by the unit in force or by the former unit."""

from __future__ import annotations

import itertools
import json
import math
import unicodedata
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eipkit import api, errors, provinces
from eipkit.store import Database, repository
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path
from workbooks import small

# law-2025.md §2.1: 23 merged units of 52 former ones, and 11 units left as they were
MERGED = {
    "Tây Ninh": {"Long An", "Tây Ninh"},
    "Thành phố Hồ Chí Minh": {"Thành phố Hồ Chí Minh", "Bà Rịa - Vũng Tàu", "Bình Dương"},
    "Hải Phòng": {"Hải Dương", "Hải Phòng"},
    "Bắc Ninh": {"Bắc Giang", "Bắc Ninh"},
    "Đồng Nai": {"Bình Phước", "Đồng Nai"},
}
UNMERGED = {"Cao Bằng", "Điện Biên", "Hà Tĩnh", "Lai Châu", "Lạng Sơn", "Nghệ An", "Quảng Ninh", "Thanh Hóa", "Sơn La"}


def test_thirty_four_units_formed_from_the_sixty_three_of_before() -> None:
    units = provinces.units()
    assert len(units) == 34 and sum(u.kind == "city" for u in units.values()) == 6
    assert sum(u.merged for u in units.values()) == 23
    assert sum(len(u.formed_from) for u in units.values() if u.merged) == 52
    for unit, formed in MERGED.items():
        assert set(units[unit].formed_from) == formed
    assert {u.name for u in units.values() if not u.merged} >= UNMERGED
    assert {"Hà Nội", "Huế"} <= {u.name for u in units.values() if u.kind == "city"}


def _unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


FORMER = sorted(provinces.formers())
UNITS = sorted(provinces.units())


@given(
    st.sampled_from(FORMER + UNITS),
    st.sampled_from(["", "Tỉnh ", "tỉnh ", "Thành phố ", "TP "]),
    st.booleans(),
    st.booleans(),
)
def test_a_province_is_recognised_however_it_is_written(name: str, prefix: str, upper: bool, plain: bool) -> None:
    """Case, accents, a prefix and the spacing of a hyphen do not change which unit a name is filed under."""
    written = prefix + (_unaccented(name) if plain else name)
    written = written.upper() if upper else written
    expected = provinces.formers()[name].unit if name in provinces.formers() else name
    assert provinces.resolve(written.replace(" - ", "-")).name == expected


def test_a_name_from_outside_vietnam_is_kept_as_written() -> None:
    resolved = provinces.resolve("Bavaria")
    assert (resolved.name, resolved.known, resolved.renamed) == ("Bavaria", False, False)


def _long_an_rows() -> dict[str, list[dict]]:
    rows = small()
    rows["parks"][0]["province"] = "Long An"
    tay_ninh = dict(rows["parks"][0], park_id="P2", name="KCN Tây Ninh", province="Tây Ninh")
    rows["parks"].append(tay_ninh)
    rows["opportunities"].append(
        {"opportunity_id": "O9", "park_id": "P2", "kind": "recp", "title": "Đèn LED", "stage": "implemented",
         "basis": "expected", "enterprise_ids": "", "year_implemented": 2024, "cost_saving_vnd": 50e6}
    )  # fmt: skip
    return rows


def test_a_workbook_written_with_long_an_is_reported_under_tay_ninh(database: Database, tmp_path: Path) -> None:
    result = import_path(database, workbook.write(tmp_path / "la.xlsx", _long_an_rows()))
    (note,) = result.notes
    assert (note.sheet, note.row, note.column) == ("parks", 3, "province")
    assert "'Long An' is part of Tây Ninh since 01/07/2025" in note.text("en")
    assert "Nghị quyết 202/2025/QH15" in note.text("vi")
    with database.sessions() as session:
        stored = repository.park(session, "P1")
    assert (stored.province, stored.province_as_written) == ("Tây Ninh", "Long An")
    # results by the unit in force: both parks; asked as "Long An", the unit it now belongs to
    both = api.results(database, province="Tây Ninh")
    assert both.scope == "Tây Ninh" and both.as_dict()["opportunities_identified"]["total"] == 3
    assert api.results(database, province="Long An").as_dict() == both.as_dict()
    # the structure before the merger: only the park recorded in Long An, with its two opportunities
    before = api.results(database, province="Long An", former=True)
    assert before.scope == "Long An" and before.as_dict()["opportunities_identified"]["total"] == 2
    assert api.results(database, province="Tây Ninh", former=True).as_dict()["opportunities_identified"]["total"] == 1
    with pytest.raises(errors.NotFound):
        api.results(database, province="Đồng Nai")


# The base map's outlines are checked by a second method, not by the geometry code that drew them: areas by the
# shoelace formula on an equal-area (sinusoidal) projection, containment by ray casting.
KM_PER_DEGREE = 111.32
VIETNAM_KM2 = 331_345  # GSO, Statistical Yearbook of Viet Nam 2023, land area of the whole country


def _km2(ring: provinces.Ring) -> float:
    points = [((lon - 106) * math.cos(math.radians(lat)) * KM_PER_DEGREE, lat * KM_PER_DEGREE) for lon, lat in ring]
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(points))) / 2


def _inside(ring: provinces.Ring, lon: float, lat: float) -> bool:
    crossings = 0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
            crossings += 1
    return crossings % 2 == 1


def _units_at(lon: float, lat: float) -> list[str]:
    return [o.unit for o in provinces.base_map().outlines if any(_inside(r, lon, lat) for r in o.rings)]


def test_the_base_map_draws_every_unit_about_its_size() -> None:
    base = provinces.base_map()
    assert sorted(o.unit for o in base.outlines) == sorted(provinces.units())
    drawn = {o.unit: sum(_km2(r) for r in o.rings) for o in base.outlines}
    assert abs(sum(drawn.values()) / VIETNAM_KM2 - 1) < 0.05
    written = json.loads(resources.files("eipkit.data").joinpath("provinces_outline.json").read_text("utf-8"))
    by_code = {u.code: u.name for u in provinces.units().values()}
    for feature in written["features"]:  # the communes' own areas summed per unit, as the dataset gives them
        unit = by_code[feature["properties"]["code"]]
        assert 0.65 < drawn[unit] / feature["properties"]["area_km2"] < 1.35, unit
    assert "approximate" in base.confidence and "vietnamadminunits" in base.source
    assert {(unit, name) for unit, name, _, _ in base.archipelagos} == {
        ("Đà Nẵng", "Đặc khu Hoàng Sa"),
        ("Khánh Hòa", "Đặc khu Trường Sa"),
    }


def test_each_demo_park_lies_in_its_own_unit_on_the_base_map() -> None:
    from eipkit.demo import rows

    for park in rows()["parks"]:
        assert _units_at(park["lon"], park["lat"]) == [provinces.resolve(park["province"]).name], park["park_id"]
    assert _units_at(21.03, 105.85) == []  # lon and lat swapped: the Indian Ocean
    assert _units_at(107.0, 17.5) == []  # the Gulf of Tonkin off Quảng Trị
    assert _units_at(105.85, 21.03) == ["Hà Nội"]  # Hoàn Kiếm
    assert _units_at(106.70, 10.78) == ["Thành phố Hồ Chí Minh"]  # Bến Nghé

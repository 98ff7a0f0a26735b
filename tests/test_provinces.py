"""Vietnam as organised since 2025: 34 provincial units (Resolution 202/2025/QH15), former names filed under the unit
in force with the name as written kept, results by the unit in force or by the former unit."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eipkit import api, provinces
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
    with pytest.raises(api.NotFound):
        api.results(database, province="Đồng Nai")

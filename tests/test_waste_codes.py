"""Vietnamese waste codes: the shipped extract says how sure each code is and never matches a hazardous code to a
clean by-product; a user loads the official annex (all or nothing), and code matches are flagged until then."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eipkit import api, reference
from eipkit.store import Database
from eipkit.symbiosis import knowledge
from eipkit.workbooks import waste_codes, workbook
from eipkit.workbooks.importer import import_path
from eipkit.workbooks.validate import ImportRejected
from test_candidates import park_rows


def test_no_clean_by_product_is_matched_by_a_hazardous_code() -> None:
    """The shipped extract's hazardous (NH) and controlled (KS) codes never start with a prefix the knowledge base uses
    for a non-hazardous by-product: contaminated packaging (18 01 01) is not waste paper, hazardous sludge (12 06 05)
    is not compost, lamps (16 01 06) are not food waste."""
    hazardous = [c for c in reference.waste_codes().values() if c.mark in ("NH", "KS")]
    for entry in knowledge.shipped():
        if entry.hazardous:
            continue
        for prefix in entry.code_prefixes:
            clashes = [c.code for c in hazardous if c.code.startswith(prefix) or prefix.startswith(c.code)]
            assert clashes == [], (entry.kb_id, prefix, clashes)


def test_every_shipped_code_says_how_sure_it_is() -> None:
    codes = reference.waste_codes()
    assert {c.confidence for c in codes.values()} <= {"verified", "secondary", "recalled"}
    # waste-codes.md: five hazardous codes are seen in secondary data, none in the gazette text
    assert sorted(c.code for c in codes.values() if c.confidence == "secondary" and len(c.code) == 8) == [
        "16 01 06", "17 02 03", "18 01 01", "18 02 01", "19 06 01",
    ]  # fmt: skip
    assert not [c for c in codes.values() if c.confidence == "verified"]


@given(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99))
def test_a_code_reads_as_the_circular_writes_it(a: int, b: int, c: int) -> None:
    written = f"{a:02d} {b:02d} {c:02d}"
    assert waste_codes._code(written) == written
    assert waste_codes._code(written.replace(" ", "")) == written
    assert waste_codes._code(f"{a:02d}") == f"{a:02d}" and waste_codes._code(f"{a:02d}{b:02d}") == f"{a:02d} {b:02d}"


def _annex(path: Path, rows: list[str]) -> Path:
    path.write_text("code,name_vi,name_en,mark,ewc\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _oil_by_code(database: Database, tmp_path: Path) -> list[str]:
    rows = park_rows()
    rows["waste"][1].update(waste="Chất thải lỏng", waste_code="17 02 03")  # no keyword: matched by its code
    import_path(database, workbook.write(tmp_path / f"p{len(list(tmp_path.iterdir()))}.xlsx", rows))
    found = api.symbiosis_candidates(database, ["P"]).rows("en")
    return [reason for row in found if row["supply_enterprise"] == "GARAGE" for reason in row["reasons"]]


def test_a_loaded_annex_replaces_the_shipped_list_and_clears_the_flag(database: Database, tmp_path: Path) -> None:
    flagged = [r for r in _oil_by_code(database, tmp_path) if "17 02 03" in r]
    assert flagged and all("not verified against Circular 02/2022 Annex III" in r for r in flagged)
    assert not api.waste_codes(database).official

    count = api.load_waste_codes(
        database,
        _annex(tmp_path / "phu-luc-III.csv", [
            '17 02 03,"Dầu động cơ, hộp số, bôi trơn tổng hợp thải",Spent synthetic oils,NH,13 02 06*',
            "18 01 01,Bao bì mềm thải nhiễm thành phần nguy hại,,KS,",
            "17,Chất thải dầu,Oil wastes,,",
        ]),
    )  # fmt: skip
    assert count == 3
    loaded = api.waste_codes(database)
    assert (
        loaded.official
        and loaded.source == "phu-luc-III.csv"
        and sorted(loaded.codes) == ["17", "17 02 03", "18 01 01"]
    )
    assert "17 02 03" in loaded.verified and "16 01 06" not in loaded.codes  # the shipped extract is replaced
    cleared = [r for r in _oil_by_code(database, tmp_path) if "17 02 03" in r]
    assert cleared and not any("not verified" in r for r in cleared)


def test_a_bad_annex_is_refused_with_the_row_at_fault_and_nothing_changes(database: Database, tmp_path: Path) -> None:
    api.load_waste_codes(database, _annex(tmp_path / "good.csv", ["17 02 03,Dầu thải,,NH,"]))
    bad = _annex(
        tmp_path / "bad.csv",
        [
            "18 01 01,Bao bì,,KS,",
            "18 0 1,Sai mã,,,",
            "19 06 01,,Batteries,NH,",
            "18 01 01,Trùng,,KS,",
            "20 01 01,X,,XX,",
        ],
    )
    with pytest.raises(ImportRejected) as refused:
        api.load_waste_codes(database, bad)
    found = [(p.row, p.column) for p in refused.value.problems]
    assert found == [(3, "code"), (4, "name_vi"), (5, "code"), (6, "mark")]
    assert sorted(api.waste_codes(database).codes) == ["17 02 03"]  # the good annex stays


def test_fly_ash_is_credited_at_the_conservative_end_and_shows_its_range(sqlite_db: Database, tmp_path: Path) -> None:
    """Fly ash replacing clinker: the Vietnamese clinker factor is 0.897 tCO2e/t, of which 0.532 is process CO2
    (ximang.vn; waste_ef.csv calls 0.897 the upper bound). 100 t of ash at 0.9 t of clinker per t, 0 disposal CO2:
    90 t x 0.532 = 47.88 tCO2e, less the road transport; the high end adds 90 x (0.897 - 0.532) = 32.85 t."""
    ash = knowledge.shipped()[0]
    assert (ash.kb_id, ash.virgin_co2e_t_per_t, ash.virgin_co2e_high_t_per_t) == ("IS01", 0.532, 0.897)
    rows = {
        "parks": [{"park_id": "P", "name": "KCN", "province": "Hải Phòng", "area_ha": 100, "lat": 20.8, "lon": 106.7}],
        "enterprises": [
            {"enterprise_id": "POWER", "park_id": "P", "name": "Nhiệt điện", "vsic": "3511", "lat": 20.8, "lon": 106.7},
            {"enterprise_id": "CEMENT", "park_id": "P", "name": "Xi măng", "vsic": "2394", "lat": 20.8, "lon": 106.71},
        ],
        "waste": [{"enterprise_id": "POWER", "year": 2024, "waste": "Tro bay", "quantity": 100, "unit": "t",
                   "fate": "landfill"}],
        "materials": [{"enterprise_id": "CEMENT", "year": 2024, "material": "Clinker", "quantity": 5000, "unit": "t"}],
    }  # fmt: skip
    import_path(sqlite_db, workbook.write(tmp_path / "ash.xlsx", rows))
    (row,) = [r for r in api.symbiosis_candidates(sqlite_db, ["P"]).rows("en") if r["kb_id"] == "IS01"]
    low, high = row["co2e_range_t_per_year"]
    assert low == pytest.approx(row["co2e_t_per_year"])
    assert high - low == pytest.approx(90 * (0.897 - 0.532))
    assert 47.88 - 1 < low <= 47.88  # less the transport of 100 t over about 1.4 km
    assert any("conservative end" in r and "0.532" in r and "0.897" in r for r in row["reasons"])

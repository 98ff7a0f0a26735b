"""Workbook import and export on SQLite and PostgreSQL: round trip, every error listed, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from eipkit import api, contract, units
from eipkit.store import Database, connect, dump, repository
from eipkit.store.schema import ParkFigures
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path
from eipkit.workbooks.validate import ImportRejected
from workbooks import small


def comparable(database: Database) -> dict[str, list[tuple]]:
    """Stored rows without the audit trail (import log, stage history), which records when each import ran."""
    return {name: rows for name, rows in dump(database).items() if name not in {"imports", "opportunity_events"}}


def test_import_stores_every_row_with_its_canonical_quantities(database: Database, tmp_path: Path) -> None:
    path = workbook.write(tmp_path / "small.xlsx", small())
    result = import_path(database, path)
    assert result.counts["energy"] == {"inserted": 4, "updated": 0}
    assert result.rows == 1 + 2 + 4 + 2 + 2 + 2 + 1 + 2
    accounts = api.park_kpi(database, "P1", 2022)
    # 1,000,000 kWh = 1,000 MWh; 1,000 L diesel = 36.292 GJ; 10 t anthracite = 267 GJ
    assert accounts.electricity_mwh == pytest.approx(1000)
    assert accounts.fuel_tj == pytest.approx((36.292 + 267) / 1000)
    assert accounts.materials_t == pytest.approx(825)
    assert accounts.chemicals_t == pytest.approx(25)
    assert accounts.waste_recovered_t == 15
    with database.sessions() as session:
        opportunity = {o.opportunity_id: o for o in repository.opportunities(session, "P1")}
    assert opportunity["O2"].enterprise_ids == ("E2", "E1")


def test_export_imports_back_to_the_same_records(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "in.xlsx", small()))
    with database.sessions() as session:
        exported = repository.export_rows(session, "P1")
    out = workbook.write(tmp_path / "out.xlsx", exported, lang="en")

    fresh = connect(f"sqlite:///{tmp_path / 'fresh.db'}")
    import_path(fresh, out)
    assert comparable(fresh) == comparable(database)
    with fresh.sessions() as session:
        assert repository.export_rows(session, "P1") == exported


def test_importing_the_same_ids_again_updates_instead_of_duplicating(database: Database, tmp_path: Path) -> None:
    rows = small()
    import_path(database, workbook.write(tmp_path / "a.xlsx", rows))
    rows["energy"][0]["quantity"] = 2000
    rows["enterprises"][1]["name"] = "Công ty Giấy Mới"
    second = import_path(database, workbook.write(tmp_path / "b.xlsx", rows))
    assert second.counts["energy"] == {"inserted": 0, "updated": 4}
    assert second.counts["waste"] == {"inserted": 0, "updated": 2}
    tables = dump(database)
    assert len(tables["energy"]) == 4 and len(tables["enterprises"]) == 2
    assert api.park_kpi(database, "P1", 2022).grid_electricity_mwh == pytest.approx(2)
    with database.sessions() as session:
        assert repository.enterprise(session, "E2").name == "Công ty Giấy Mới"


def test_a_later_year_of_records_alone_updates_the_park_of_stored_enterprises(
    database: Database, tmp_path: Path
) -> None:
    """A tenant's next yearly workbook carries only records: their enterprises are found in the store, and the park's
    stored figures are marked for recomputing."""
    import_path(database, workbook.write(tmp_path / "a.xlsx", small()))
    with database.sessions() as session:
        before = session.scalar(select(ParkFigures.version).where(ParkFigures.park_id == "P1"))
    energy = [dict(row, year=2024) for row in small()["energy"] if row["year"] == 2022]
    result = import_path(database, workbook.write(tmp_path / "b.xlsx", {"energy": energy}))
    assert result.counts == {"energy": {"inserted": 3, "updated": 0}}
    with database.sessions() as session:
        after = session.scalar(select(ParkFigures.version).where(ParkFigures.park_id == "P1"))
    assert after == before + 1
    # E1's 1,000,000 kWh of 2022 again in 2024
    assert api.park_kpi(database, "P1", 2024).electricity_mwh == pytest.approx(1000)


BAD_CASES = [
    ("energy", 0, "unit", "kg", "energy", 3, "unit", "needs an energy unit"),
    ("energy", 1, "unit", "bananas", "energy", 4, "unit", "unknown unit 'bananas'"),
    ("water", 0, "quantity", -5, "water", 3, "quantity", "negative quantity"),
    ("water", 1, "quantity", "nhiều", "water", 4, "quantity", "is not a number"),
    ("energy", 2, "enterprise_id", "E404", "energy", 5, "enterprise_id", "unknown enterprise 'E404'"),
    ("enterprises", 1, "park_id", "P9", "enterprises", 4, "park_id", "unknown park 'P9'"),
    (
        "enterprises",
        1,
        "enterprise_id",
        "E1",
        "enterprises",
        4,
        "enterprise_id",
        "duplicate id: first at row 3",
    ),
    ("production", 0, "year", 2099, "production", 3, "year", "impossible year 2099"),
    ("waste", 0, "waste_code", "10-02-03", "waste", 3, "waste_code", "malformed waste code"),
    ("energy", 3, "carrier", "nuclear", "energy", 6, "carrier", "unknown carrier 'nuclear'"),
    ("waste", 0, "fate", "dumped", "waste", 3, "fate", "unknown fate 'dumped'"),
    ("opportunities", 0, "stage", "done", "opportunities", 3, "stage", "unknown stage 'done'"),
    ("opportunities", 1, "kind", "magic", "opportunities", 4, "kind", "unknown opportunity kind 'magic'"),
    ("materials", 1, "unit", "m3", "materials", 4, "unit", "not a unit of mass"),
]


def test_every_problem_is_listed_with_sheet_row_and_column(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "good.xlsx", small()))
    before = dump(database)
    rows = small()
    for sheet, index, column, value, *_ in BAD_CASES:
        rows[sheet][index][column] = value
    with pytest.raises(ImportRejected) as rejected:
        import_path(database, workbook.write(tmp_path / "bad.xlsx", rows))
    found = {(p.sheet, p.row, p.column): p.reason for p in rejected.value.problems}
    for *_, sheet, row, column, reason in BAD_CASES:
        assert reason in found.get((sheet, row, column), ""), (sheet, row, column, found)
    assert dump(database) == before


ACROSS_CELLS = [  # (sheet, row index, changes, spreadsheet row, column, reason): no cell is wrong on its own
    ("waste", 1, {"receiver": "E2"}, 4, "receiver", "receiver of its own waste"),
    ("waste", 0, {"receiver": "E2"}, 3, "receiver", "only for fate 'exchange'"),
    ("production", 0, {"available_to_others": 800}, 3, "available_to_others", "more is offered than was produced"),
    ("opportunities", 0, {"year_implemented": 2020}, 3, "year_implemented", "implemented in 2020, before identified"),
    ("opportunities", 1, {"fuel_gj": 5}, 4, "fuel", "a fuel saving needs its fuel carrier"),
]


def test_checks_across_cells_refuse_the_rows_that_break_them(database: Database, tmp_path: Path) -> None:
    """Sheets whose every cell reads are first built at once; a row that breaks a check across its cells sends its
    sheet through the row-by-row pass, which names it."""
    rows = small()
    for sheet, index, changes, *_ in ACROSS_CELLS:
        rows[sheet][index].update(changes)
    with pytest.raises(ImportRejected) as rejected:
        import_path(database, workbook.write(tmp_path / "across.xlsx", rows))
    found = {(p.sheet, p.row, p.column): p.reason for p in rejected.value.problems}
    assert len(found) == len(ACROSS_CELLS)
    for sheet, _, _, row, column, reason in ACROSS_CELLS:
        assert reason in found.get((sheet, row, column), ""), (sheet, row, column, found)
    rows["production"][0]["available_to_others"] = 700  # as much as was produced: accepted
    fine = workbook.write(tmp_path / "fine.xlsx", small() | {"production": rows["production"]})
    assert import_path(database, fine).counts["production"] == {"inserted": 1, "updated": 0}


def test_a_refused_first_import_leaves_an_empty_database_empty(database: Database, tmp_path: Path) -> None:
    rows = small()
    rows["water"][0]["unit"] = "kWh"
    before = dump(database)
    with pytest.raises(ImportRejected):
        import_path(database, workbook.write(tmp_path / "bad.xlsx", rows))
    assert dump(database) == before
    assert all(not rows for name, rows in before.items() if name not in ("alembic_version", "settings"))
    assert before["settings"] == [("data_version", "0"), ("figures_epoch", "0")]


def test_a_missing_required_column_is_reported_on_the_header_row(database: Database, tmp_path: Path) -> None:
    folder = workbook.write_csv_folder(tmp_path / "csv", small())
    text = (folder / "water.csv").read_text(encoding="utf-8").replace("kind,", "type,", 1)
    (folder / "water.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_path(database, folder)
    assert [(p.sheet, p.row, p.column) for p in rejected.value.problems] == [("water", 1, "kind")]


def test_a_csv_folder_imports_like_a_workbook(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write_csv_folder(tmp_path / "csv", small()))
    assert api.park_kpi(database, "P1", 2022).scope2_tco2e == pytest.approx(676.6)


def test_an_unreadable_file_is_refused_with_its_name(database: Database, tmp_path: Path) -> None:
    fake = tmp_path / "broken.xlsx"
    fake.write_text("not a zip", encoding="utf-8")
    with pytest.raises(ImportRejected, match="problem") as rejected:
        import_path(database, fake)
    assert "broken.xlsx" in rejected.value.problems[0].reason


def test_template_has_every_sheet_and_column_with_labels_and_drop_downs(tmp_path: Path) -> None:
    path = workbook.write(tmp_path / "template.xlsx", lang="vi")
    book = load_workbook(path)
    for sheet in contract.sheets().values():
        ws = book[sheet.name]
        assert [c.value for c in ws[1]] == list(sheet.column_names)
        assert [c.value for c in ws[2]] == [column.label("vi") for column in sheet.columns]
    assert book["parks"]["D2"].value == "Diện tích (ha)"
    validations = {str(v.sqref).split(":")[0]: v.formula1 for v in book["energy"].data_validations.dataValidation}
    carrier_column = "C"
    assert validations[f"{carrier_column}3"].startswith("'_lists'!")
    assert book["_lists"].sheet_state == "hidden"


def test_the_blank_template_imports_as_nothing(database: Database, tmp_path: Path) -> None:
    result = import_path(database, workbook.write(tmp_path / "template.xlsx"))
    assert result.rows == 0


def test_values_the_database_could_not_hold_are_refused_by_the_validator(database: Database, tmp_path: Path) -> None:
    rows = small()
    rows["enterprises"][0]["employees"] = 10**12
    rows["energy"][0]["unit"] = "k" + " " * 50 + "Wh"
    with pytest.raises(ImportRejected) as rejected:
        import_path(database, workbook.write_csv_folder(tmp_path / "csv", rows))
    reasons = {(p.sheet, p.column): p.reason for p in rejected.value.problems}
    assert "too large" in reasons[("enterprises", "employees")]
    assert "longer than 40" in reasons[("energy", "unit")]


def test_rows_built_at_once_equal_rows_built_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sheets of the demo, checked both ways: the fast pass (factors per unit, keys as a set) must give what the
    row-by-row pass gives, value for value and in the same order."""
    from eipkit import demo
    from eipkit.workbooks import importer, validate

    given = demo.rows()
    raw = importer._raw_sheets(given)
    at_once = validate.validate(raw)
    monkeypatch.setattr(validate, "_rows_at_once", lambda *_: None)
    one_by_one = validate.validate(raw)
    assert at_once.count() == one_by_one.count() == {sheet: len(rows) for sheet, rows in given.items()}
    for sheet, rows in one_by_one.rows.items():
        assert [(r.row, r.values) for r in at_once.rows[sheet]] == [(r.row, r.values) for r in rows], sheet
        assert all(type(r) is validate.Row for r in at_once.rows[sheet])
    energy = at_once.rows["energy"][0].values
    assert energy["energy_gj"] == units.carrier_energy(energy["carrier"], energy["quantity"], energy["unit"]).gj


def test_the_collector_pauses_during_an_import_and_resumes_after_it_even_when_refused(
    database: Database, tmp_path: Path
) -> None:
    import gc

    seen: list[bool] = []
    import_path(
        database, workbook.write(tmp_path / "good.xlsx", small()), progress=lambda _: seen.append(gc.isenabled())
    )
    assert seen and not any(seen) and gc.isenabled()
    rows = small()
    sheet, index, column, value, *_ = BAD_CASES[0]
    rows[sheet][index][column] = value
    with pytest.raises(ImportRejected):
        import_path(database, workbook.write(tmp_path / "bad.xlsx", rows))
    assert gc.isenabled()
    gc.disable()  # a caller that paused it itself finds it paused still
    try:
        import_path(database, workbook.write(tmp_path / "again.xlsx", small()))
        assert not gc.isenabled()
    finally:
        gc.enable()

"""Every output says what produced it: the JSON answers under `provenance`, the reports in their closing annex."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from eipkit import api, reference
from eipkit.reports import results_workbook
from eipkit.store import Database


def test_a_park_s_figures_name_their_factors_and_the_last_import(demo_copy: Database) -> None:
    accounts = api.park_kpi(demo_copy, "TANDO", 2025)
    origin = api.accounts_provenance(demo_copy, [accounts]).as_dict()
    (grid,) = origin["grid_factors"]
    # 2025 has no official factor: the 2023 one, 0.6592 tCO2/MWh, and the annex says which year it is
    assert (grid["year"], grid["factor_year"], grid["tco2_per_mwh"]) == (2025, 2023, 0.6592)
    assert sorted(f["carrier"] for f in origin["fuels"]) == sorted(accounts.fuel_by_carrier_tj)
    assert origin["gwp"] == {"CO2": 1.0, "CH4": 28.0, "N2O": 265.0}
    assert origin["last_import"]["source"] and origin["contract_version"] == 3
    assert "shipped extract" in origin["waste_codes"] and "database" not in origin


def test_the_results_workbook_ends_with_its_sources(demo_copy: Database, tmp_path: Path) -> None:
    table = api.results(demo_copy, ["DEEPC"], year=2024)
    origin = api.results_provenance(demo_copy, table)
    results_workbook.write(tmp_path / "r.xlsx", table, "vi", origin.rows("vi"))
    sheet = load_workbook(tmp_path / "r.xlsx")["Phương pháp và nguồn"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    items = [r[0] for r in rows]
    assert "Tỷ giá" in items and any(i.startswith("Hệ số lưới điện năm") for i in items)
    (usd,) = [r for r in rows if r[0] == "Tỷ giá"]
    assert usd[1] == f"{reference.usd_rate(2024):,.0f}".replace(",", ".") + " VND/USD (2024)"


def test_a_dossier_ends_with_the_methodology_annex(demo_copy: Database, tmp_path: Path) -> None:
    import docx

    paths = api.certification_dossier(demo_copy, "NAMCAUKIEN", tmp_path, lang="en")
    document = docx.Document(next(p for p in paths if p.suffix == ".docx"))
    headings = [p.text for p in document.paragraphs]
    assert "Annex: methods and sources" in headings
    annex = document.tables[-1]
    cells = [[c.text for c in row.cells] for row in annex.rows]
    assert cells[0] == ["Item", "Value", "Source; confidence"]
    assert ["Rule pack", "vn-decree-35-2022 " + _pack_version(), ""] in cells
    # the registration letter lists the bodies consulted under their 2025 names
    assert "- Ministry of Finance (formerly Ministry of Planning and Investment)" in headings


def _pack_version() -> str:
    from eipkit.certification import rules

    return rules.load("vn-decree-35-2022").version

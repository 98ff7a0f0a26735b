"""The programme results table against totals computed here from the raw opportunity rows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from eipkit import api, demo, errors
from eipkit.store import Database
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path
from processes import child_env
from workbooks import small

GRID = {
    2014: 0.6612,
    2015: 0.8154,
    2016: 0.9185,
    2017: 0.8649,
    2018: 0.9130,
    2019: 0.8458,
    2020: 0.8041,
    2021: 0.7221,
    2022: 0.6766,
    2023: 0.6592,
}
# kg CO2e per GJ burnt (IPCC 2006 manufacturing, AR5): (CO2 [fossil only] + 28 CH4 + 265 N2O) / 1000
KG_CO2E_PER_GJ = {
    "diesel": (74100 + 28 * 3 + 265 * 0.6) / 1000,
    "fuel_oil": (77400 + 28 * 3 + 265 * 0.6) / 1000,
    "lpg": (63100 + 28 + 26.5) / 1000,
    "natural_gas": (56100 + 28 + 26.5) / 1000,
    "coal_anthracite": (98300 + 280 + 397.5) / 1000,
    "coal_bituminous": (94600 + 280 + 397.5) / 1000,
    "biomass_wood": (840 + 1060) / 1000,
    "biomass_rice_husk": (840 + 1060) / 1000,
}


def grid(year: int | None) -> float:
    return GRID[min(max(year or 2023, 2014), 2023)]


def expected_co2e(row: dict) -> float:
    if row.get("co2e_t") is not None:
        return row["co2e_t"]
    year = row.get("year_implemented") if row["stage"] == "implemented" else None
    year = year or row.get("year_identified")
    total = (row.get("electricity_mwh") or 0) * grid(year)
    if row.get("fuel_gj") and row.get("fuel"):
        total += row["fuel_gj"] * KG_CO2E_PER_GJ[row["fuel"]] / 1000
    return total


def test_demo_results_match_totals_from_the_raw_rows(sqlite_db: Database) -> None:
    demo.load(sqlite_db)
    rows = demo.rows()["opportunities"]
    table = api.results(sqlite_db).as_dict()

    implemented = [r for r in rows if r["stage"] == "implemented"]
    assert table["opportunities_identified"]["total"] == len(rows)
    assert table["opportunities_identified"]["recp"] == sum(r["kind"] == "recp" for r in rows)
    assert table["opportunities_implemented"]["total"] == len(implemented)
    assert table["opportunities_implemented"]["symbiosis"] == sum(r["kind"] == "symbiosis" for r in implemented)
    city = {e["enterprise_id"] for e in demo.rows()["enterprises"] if e["park_id"] == "NCK-DOTHI"}
    assessed = {e for r in rows for e in r["enterprise_ids"].split(";")} - city  # a city's facility is no tenant
    implementing = {e for r in implemented for e in r["enterprise_ids"].split(";")} - city
    assert table["enterprises_assessed"]["total"] == len(assessed)
    assert table["enterprises_implementing"]["total"] == len(implementing)
    assert table["enterprises_implementing"]["recp"] == len(
        {e for r in implemented if r["kind"] == "recp" for e in r["enterprise_ids"].split(";")}
    )

    for basis in ("expected", "measured"):
        chosen = [r for r in implemented if r["basis"] == basis]
        assert table["electricity_mwh"][basis] == pytest.approx(sum(r.get("electricity_mwh") or 0 for r in chosen))
        assert table["fuel_tj"][basis] == pytest.approx(sum(r.get("fuel_gj") or 0 for r in chosen) / 1000)
        assert table["water_m3"][basis] == pytest.approx(sum(r.get("water_m3") or 0 for r in chosen))
        assert table["materials_chemicals_waste_t"][basis] == pytest.approx(
            sum((r.get("materials_t") or 0) + (r.get("chemicals_t") or 0) + (r.get("waste_t") or 0) for r in chosen)
        )
        assert table["cost_saving_vnd"][basis] == pytest.approx(sum(r.get("cost_saving_vnd") or 0 for r in chosen))
        assert table["co2e_t"][basis] == pytest.approx(sum(expected_co2e(r) for r in chosen))
        # no year asked: the latest year of data/usd_rates.csv, 2025's 26,000 VND/USD
        assert table["usd_rate_vnd"] == 26000
        assert table["cost_saving_usd"][basis] == pytest.approx(table["cost_saving_vnd"][basis] / 26000)
    assert table["co2e_computed_for"] == sum(r.get("co2e_t") is None for r in implemented)


def test_results_of_a_province_and_up_to_a_year(sqlite_db: Database) -> None:
    demo.load(sqlite_db)
    rows = demo.rows()["opportunities"]
    hai_phong = {"DEEPC", "NAMCAUKIEN"}
    table = api.results(sqlite_db, province="Hải Phòng", year=2023).as_dict()
    recorded = [r for r in rows if r["park_id"] in hai_phong and r["year_identified"] <= 2023]
    done = [r for r in recorded if r["stage"] == "implemented" and (r["year_implemented"] or 0) <= 2023]
    assert table["opportunities_identified"]["total"] == len(recorded)
    assert table["opportunities_implemented"]["total"] == len(done)
    assert table["electricity_mwh"]["total"] == pytest.approx(sum(r.get("electricity_mwh") or 0 for r in done))
    with pytest.raises(errors.NotFound):
        api.results(sqlite_db, province="Atlantis")


def test_a_stated_co2e_is_kept_and_a_blank_one_computed(database: Database, tmp_path: Path) -> None:
    rows = small()
    rows["opportunities"][0].update(
        stage="implemented",
        basis="expected",
        electricity_mwh=100,
        fuel_gj=1000,
        fuel="diesel",
        year_implemented=2022,
        co2e_t=None,
    )
    rows["opportunities"][1].update(stage="implemented", basis="measured", co2e_t=12.5, year_implemented=2023)
    import_path(database, workbook.write(tmp_path / "w.xlsx", rows))
    table = api.results(database, park_ids=["P1"]).as_dict()
    # 100 MWh x 0.6766 (2022) + 1 TJ diesel x (74.1 + 3 x 0.028 + 0.6 x 0.265 = 74.343) t/TJ
    assert table["co2e_t"]["expected"] == pytest.approx(67.66 + 74.343)
    assert table["co2e_t"]["measured"] == 12.5
    assert table["co2e_computed_for"] == 1
    assert table["enterprises_implementing"] == {"total": 2, "recp": 1, "symbiosis": 2}


def test_results_command_as_json_and_xlsx(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    run = [sys.executable, "-m", "eipkit"]
    subprocess.run([*run, "demo", "--db", db, "--out", str(tmp_path / "demo")], check=True, capture_output=True)
    payload = json.loads(
        subprocess.run(
            [*run, "results", "--park", "TANDO", "--db", db, "--format", "json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    tan_do = [r for r in demo.rows()["opportunities"] if r["park_id"] == "TANDO"]
    assert payload["opportunities_identified"]["total"] == len(tan_do)
    out = tmp_path / "results.xlsx"
    subprocess.run(
        [*run, "results", "--all", "--db", db, "--format", "xlsx", "--out", str(out)], check=True, capture_output=True
    )
    sheet = load_workbook(out)["results"]
    labels = [c.value for c in sheet["A"]]
    assert "Giải pháp được xác định" in labels
    row = labels.index("Giải pháp được xác định") + 1
    assert sheet.cell(row=row, column=2).value == len(demo.rows()["opportunities"])
    table = subprocess.run(
        [*run, "results", "--db", db, "--lang", "en"],
        check=True,
        capture_output=True,
        text=True,
        env=child_env(COLUMNS="160", PATH="/usr/bin:/bin"),
    ).stdout
    assert "Opportunities implemented" in table and "Electricity (MWh/yr)" in table


def test_investment_links_and_certificates_from_the_raw_rows_and_the_recorded_procedures(sqlite_db: Database) -> None:
    import datetime as dt

    demo.load(sqlite_db)
    rows = demo.rows()["opportunities"]
    implemented = [r for r in rows if r["stage"] == "implemented"]
    # an eco-enterprise granted in 2025, a park granted in 2026, a refused enterprise
    eco = api.submit_application(sqlite_db, "DEEPC", dt.date(2025, 3, 3), "enterprise", "DEEPC-001")
    api.record_application_step(sqlite_db, eco, "forward", dt.date(2025, 3, 5))
    api.record_application_step(sqlite_db, eco, "granted", dt.date(2025, 4, 1))
    park = api.submit_application(sqlite_db, "NAMCAUKIEN", dt.date(2025, 11, 3))
    api.record_application_step(sqlite_db, park, "granted", dt.date(2026, 1, 15))
    refused = api.submit_application(sqlite_db, "DEEPC", dt.date(2025, 3, 3), "enterprise", "DEEPC-002")
    api.record_application_step(sqlite_db, refused, "refused", dt.date(2025, 4, 1))

    table = api.results(sqlite_db).as_dict()
    for kind in ("recp", "symbiosis"):
        invested = sum(r.get("investment_vnd") or 0 for r in implemented if r["kind"] == kind)
        assert table["investment_mobilised_vnd"][kind] == pytest.approx(invested)
    assert table["investment_mobilised_vnd"]["total"] == pytest.approx(
        sum(r.get("investment_vnd") or 0 for r in implemented)
    )
    assert table["investment_unknown_for"] == sum(r.get("investment_vnd") is None for r in implemented)
    links = [r for r in rows if r["kind"] == "symbiosis"]
    assert table["symbiosis_links"] == {
        "identified": sum(r["stage"] != "dropped" for r in links),
        "operating": sum(r["stage"] == "implemented" for r in links),
    }
    assert table["certified"] == {"parks": 1, "eco_enterprises": 1}
    assert api.results(sqlite_db, year=2025).as_dict()["certified"] == {"parks": 0, "eco_enterprises": 1}
    assert api.results(sqlite_db, park_ids=["DEEPC"]).as_dict()["certified"] == {"parks": 0, "eco_enterprises": 1}


def test_the_results_workbook_downloads_for_the_parks_a_user_sees(demo_copy: Database) -> None:
    import io

    from eipkit.web import create_app
    from web_client import browser

    app = create_app(demo_copy)
    ministry = browser(app, "bo").get("/reports/results.xlsx?year=2024")
    sheet = load_workbook(io.BytesIO(ministry.content)).active
    rows = {r[0]: r[1:] for r in sheet.iter_rows(values_only=True) if r and r[0]}
    everything = api.results(demo_copy, year=2024)
    label = "Liên kết cộng sinh đang vận hành"
    assert rows[label][0] == everything.symbiosis_links["operating"]
    board = browser(app, "bql-haiphong").get("/reports/results.xlsx")
    rows = {r[0]: r[1:] for r in load_workbook(io.BytesIO(board.content)).active.iter_rows(values_only=True) if r}
    hai_phong = api.results(demo_copy, province="Hải Phòng")  # the board's parks, computed the other way
    invested = rows["Vốn đầu tư huy động (giải pháp đã thực hiện, VND)"][0]
    assert invested == pytest.approx(hai_phong.investment_vnd["total"])
    assert browser(app, "dn-deepc-001").get("/reports/results.xlsx").status_code == 403

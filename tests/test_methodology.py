"""docs/methodology.md against the code: each worked number on the page is what eipkit computes today."""

from __future__ import annotations

from pathlib import Path

import pytest

from eipkit import accounting, api, provinces, reference
from eipkit.model import EnergyUse, Records
from eipkit.recp.benchmark import position
from eipkit.store import Database
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path
from test_monitoring import _two_measures, plant

PAGE = (Path(__file__).parents[1] / "docs" / "methodology.md").read_text(encoding="utf-8")


def shown(value: float, digits: int) -> str:
    """A figure as the page writes it (English separators)."""
    return f"{value:,.{digits}f}"


def test_the_diesel_and_grid_examples() -> None:
    factors = accounting.Factors.for_year(2022)
    tonne = reference.fuels()["diesel"].ncv_mj_per_kg  # GJ per tonne
    burnt = accounting.combustion("diesel", tonne, factors)
    assert f"**{shown(burnt.fossil_co2_t, 4)} t CO2**" in PAGE
    assert f"**{shown(burnt.co2e_t, 3)} t CO2e**" in PAGE
    grid = accounting.account(Records(energy=[EnergyUse("E", 2022, "electricity_grid", 3600.0)]), 2022, 1)
    assert f"**{shown(grid.scope2_tco2e, 1)} t CO2**" in PAGE


def test_the_savings_examples(sqlite_db: Database, tmp_path: Path) -> None:
    import_path(sqlite_db, workbook.write(tmp_path / "a.xlsx", plant({2016: (100, 1000), 2023: (100, 1000)})))
    unchanged = api.enterprise_measured_savings(sqlite_db, "E1", 2016, 2023)
    naive = 1000 * (reference.grid_factor(2016).tco2_per_mwh - reference.grid_factor(2023).tco2_per_mwh)
    assert f"**{shown(naive, 1)} t CO2e**" in PAGE
    assert unchanged.avoided["co2e_t"].avoided == pytest.approx(0, abs=1e-9) and "**0 t**" in PAGE

    years = {2021: (100, 700), 2022: (200, 900), 2023: (300, 1100), 2024: (250, 900)}
    import_path(sqlite_db, workbook.write(tmp_path / "b.xlsx", plant(years)))
    fitted = api.enterprise_measured_savings(sqlite_db, "E1", [2021, 2022, 2023], 2024)
    scaled = api.enterprise_measured_savings(sqlite_db, "E1", 2023, 2024)
    assert f"**{shown(fitted.avoided['electricity_mwh'].avoided, 0)} MWh**" in PAGE
    assert f"**{shown(scaled.avoided['electricity_mwh'].avoided, 1)} MWh**" in PAGE

    import_path(sqlite_db, workbook.write(tmp_path / "c.xlsx", plant({2024: (100, 1000), 2025: (100, 800)})))
    priced = api.enterprise_measured_savings(sqlite_db, "E1", 2024, 2025)
    assert f"**{shown(priced.prices_vnd['electricity'] / 1000, 4)} VND/kWh**" in PAGE
    assert f"**{shown(priced.avoided['cost_saving_vnd'].avoided, 0)} VND**" in PAGE


def test_the_attribution_example(database: Database, tmp_path: Path) -> None:
    _two_measures(database, tmp_path)
    result = api.enterprise_measured_savings(database, "E1", 2023, 2024)
    shares = api.apply_measured_savings(database, ["M1", "M2"], result, "E1").shares
    assert f"**{shown(shares['M1']['electricity_mwh'], 0)} MWh**" in PAGE
    assert f"**{shown(shares['M2']['electricity_mwh'], 0)} MWh**" in PAGE


def test_the_benchmark_and_province_examples() -> None:
    assert position("x", 2.0, [1.0, 2.0, 3.0, 3.0, 6.0]).median == 3.0 and "median **3**" in PAGE
    assert position("x", 2.0, [1.0, 1.0, 1.0, 1.0, 10.0]).status == "not_enough_peers"
    assert provinces.resolve("Long An").name == "Tây Ninh" and '**"Long An" is reported under Tây Ninh**' in PAGE

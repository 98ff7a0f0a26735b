"""Stages and their history, savings measured from records, and the cleaner-production assessment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from eipkit import api, errors
from eipkit.monitoring.stages import StageError, check_move
from eipkit.recp.assessment import AssessmentError
from eipkit.store import Database
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path
from workbooks import small

ALLOWED = [
    ("identified", "proposed"),
    ("identified", "implemented"),
    ("feasibility", "implementing"),
    ("implementing", "dropped"),
    ("dropped", "identified"),
    ("dropped", "proposed"),
    (None, "feasibility"),
]
REFUSED = [
    ("implemented", "feasibility"),
    ("proposed", "proposed"),
    ("dropped", "implemented"),
    ("identified", "finished"),
]


@pytest.mark.parametrize(("current", "new"), ALLOWED)
def test_allowed_moves(current: str | None, new: str) -> None:
    check_move(current, new)


@pytest.mark.parametrize(("current", "new"), REFUSED)
def test_refused_moves(current: str, new: str) -> None:
    with pytest.raises(StageError):
        check_move(current, new)


def test_moving_an_opportunity_keeps_a_dated_history(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "w.xlsx", small()))
    today = dt.date.today()
    with pytest.raises(StageError, match="before the last recorded change"):
        api.move_opportunity(database, "O2", "feasibility", today - dt.timedelta(days=1))
    api.move_opportunity(database, "O2", "feasibility", today, note="study ordered")
    api.move_opportunity(database, "O2", "implemented", today + dt.timedelta(days=30), basis="measured")
    with pytest.raises(StageError, match="cannot move back"):
        api.move_opportunity(database, "O2", "proposed", today + dt.timedelta(days=31))
    events = api.opportunity_history(database, "O2")
    assert [(e.previous, e.stage) for e in events] == [
        (None, "proposed"),
        ("proposed", "feasibility"),
        ("feasibility", "implemented"),
    ]
    assert events[1].occurred_on == today and events[1].note == "study ordered"
    opportunity = {o.opportunity_id: o for o in _opportunities(database)}["O2"]
    assert opportunity.stage == "implemented"
    assert opportunity.year_implemented == (today + dt.timedelta(days=30)).year
    assert opportunity.basis == "measured"


def _opportunities(database: Database) -> list:
    from eipkit.store import repository

    with database.sessions() as session:
        return repository.opportunities_where(session)


def test_a_stage_changed_by_a_new_workbook_is_recorded_too(database: Database, tmp_path: Path) -> None:
    rows = small()
    import_path(database, workbook.write(tmp_path / "a.xlsx", rows))
    rows["opportunities"][1]["stage"] = "implementing"
    import_path(database, workbook.write(tmp_path / "b.xlsx", rows))
    import_path(database, workbook.write(tmp_path / "c.xlsx", rows))
    stages = [(e.previous, e.stage) for e in api.opportunity_history(database, "O2")]
    assert stages == [(None, "proposed"), ("proposed", "implementing")]


def savings_rows() -> dict[str, list[dict]]:
    rows = small()
    rows["energy"] = [
        {"enterprise_id": "E1", "year": 2022, "carrier": "electricity_grid", "quantity": 1000, "unit": "MWh"},
        {"enterprise_id": "E1", "year": 2024, "carrier": "electricity_grid", "quantity": 1050, "unit": "MWh"},
        {"enterprise_id": "E1", "year": 2022, "carrier": "lpg", "quantity": 10, "unit": "t"},
        {"enterprise_id": "E1", "year": 2024, "carrier": "lpg", "quantity": 9, "unit": "t"},
    ]
    rows["production"] = [
        {"enterprise_id": "E1", "year": 2022, "product": "Vải", "quantity": 100, "unit": "t", "value_vnd": 1e10},
        {"enterprise_id": "E1", "year": 2024, "product": "Vải", "quantity": 120000, "unit": "kg", "value_vnd": 1.1e10},
    ]
    rows["water"] = rows["materials"] = rows["waste"] = []
    return rows


def test_savings_measured_against_a_production_adjusted_baseline(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "s.xlsx", savings_rows()))
    result = api.enterprise_measured_savings(database, "E1", 2022, 2024)
    # production 100 t -> 120,000 kg = 120 t: ratio 1.2 (physical units, one product unit in both years)
    assert (result.normaliser, result.production_ratio) == ("production_quantity", pytest.approx(1.2))
    # electricity: 1,000 MWh x 1.2 = 1,200 expected without the measures; 1,050 used: 150 MWh avoided
    assert result.avoided["electricity_mwh"].avoided == pytest.approx(150)
    # LPG: 10 t x 47.3 GJ/t = 473 GJ; x 1.2 = 567.6; used 9 t = 425.7 GJ: 141.9 GJ avoided
    assert result.avoided["fuel_gj"].avoided == pytest.approx(141.9)
    # GHG: the avoided quantities at the reporting year's factors, on both sides: electricity at 0.6592 tCO2/MWh
    # (2024 borrows 2023's official factor); LPG 63.1 tCO2 + 1 kg CH4 x 28 + 0.1 kg N2O x 265 per TJ
    lpg = 63.1 + 1 * 28 / 1000 + 0.1 * 265 / 1000
    assert result.avoided["co2e_t"].avoided == pytest.approx(150 * 0.6592 + 141.9 / 1000 * lpg)

    api.apply_measured_savings(database, "O1", result, "E1")
    stored = {o.opportunity_id: o for o in _opportunities(database)}["O1"]
    assert stored.basis == "measured" and stored.electricity_mwh == pytest.approx(150)


def test_without_one_product_unit_production_value_adjusts_the_baseline(sqlite_db: Database, tmp_path: Path) -> None:
    rows = savings_rows()
    rows["production"][1]["unit"] = "pcs"
    import_path(sqlite_db, workbook.write(tmp_path / "v.xlsx", rows))
    result = api.enterprise_measured_savings(sqlite_db, "E1", 2022, 2024)
    assert (result.normaliser, result.production_ratio) == ("production_value", pytest.approx(1.1))
    assert result.avoided["electricity_mwh"].avoided == pytest.approx(1100 - 1050)
    assert result.notes


def test_a_cleaner_production_assessment_through_its_tasks(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "w.xlsx", small()))
    started = api.start_assessment(database, "E1", "Nhuộm (dyeing)", ["Trưởng nhóm", "Kỹ sư"], dt.date(2024, 1, 8))
    assert len(started.tasks) == 18 and started.status == "not_started" and started.current_step == 1
    number = started.assessment_id
    for task in (1, 2, 3):
        api.update_assessment_task(database, number, task, "done", dt.date(2024, 1, 10))
    state = api.update_assessment_task(database, number, 4, "in_progress", dt.date(2024, 1, 15))
    assert state.status == "in_progress" and state.current_step == 2
    assert state.progress()[1] == (3, 3) and state.progress()[2] == (0, 4) and state.progress()[6] == (0, 2)
    with pytest.raises(AssessmentError, match="before it started"):
        api.update_assessment_task(database, number, 4, "done", dt.date(2024, 1, 1))
    with pytest.raises(AssessmentError, match="unknown task status"):
        api.update_assessment_task(database, number, 5, "finished", dt.date(2024, 1, 1))
    api.link_assessment_opportunity(database, number, "O1")
    found = api.enterprise_assessments(database, "E1")
    assert found[0].opportunity_ids == ("O1",) and found[0].team == ("Trưởng nhóm", "Kỹ sư")
    assert found[0].tasks[3].started_on == dt.date(2024, 1, 15)
    with pytest.raises(errors.NotFound):
        api.update_assessment_task(database, number, 19, "done", dt.date(2024, 2, 1))


def plant(years: dict[int, tuple[float, float]], unit: str = "t") -> dict[str, list[dict]]:
    """One enterprise E1 of the small park: per year its (production, grid electricity in MWh), no other record."""
    rows = small()
    rows["energy"] = [
        {"enterprise_id": "E1", "year": y, "carrier": "electricity_grid", "quantity": mwh, "unit": "MWh"}
        for y, (_, mwh) in years.items()
    ]
    rows["production"] = [
        {"enterprise_id": "E1", "year": y, "product": "Vải", "quantity": made, "unit": unit, "value_vnd": 1e10}
        for y, (made, _) in years.items()
    ]
    rows["water"] = rows["materials"] = rows["waste"] = []
    return rows


def test_an_unchanged_plant_saves_nothing_when_the_grid_gets_cleaner(sqlite_db: Database, tmp_path: Path) -> None:
    """1,000 MWh for the same output in 2016 and 2023: the grid factor fell from 0.9185 to 0.6592 tCO2/MWh, which
    a difference of the two years' emissions would have called 259.3 tCO2e saved (28%)."""
    import_path(sqlite_db, workbook.write(tmp_path / "p.xlsx", plant({2016: (100, 1000), 2023: (100, 1000)})))
    result = api.enterprise_measured_savings(sqlite_db, "E1", 2016, 2023)
    assert result.avoided["electricity_mwh"].avoided == pytest.approx(0, abs=1e-9)
    assert result.avoided["co2e_t"].avoided == pytest.approx(0, abs=1e-9)
    assert result.avoided["cost_saving_vnd"].avoided == pytest.approx(0, abs=1e-6)
    assert result.co2e_factors["electricity_grid_mwh"] == 0.6592  # the reporting year's, on both sides
    assert any("0.6592" in n.text("en") and "both sides" in n.text("en") for n in result.notes)
    assert result.resources_saved == []


def test_a_plant_with_a_fixed_baseload_is_fitted_on_three_baseline_years(sqlite_db: Database, tmp_path: Path) -> None:
    """Electricity = 500 MWh of baseload + 2 MWh per tonne in 2021-2023 (100, 200, 300 t). In 2024 the plant made
    250 t with 900 MWh: the line says 500 + 2 x 250 = 1,000 MWh, so 100 MWh were avoided. Scaling one year's
    use by production would have said 2 x 900 = ... e.g. from 2023: 1,100 x 250/300 = 916.7, only 16.7 avoided."""
    years = {2021: (100, 700), 2022: (200, 900), 2023: (300, 1100), 2024: (250, 900)}
    import_path(sqlite_db, workbook.write(tmp_path / "p.xlsx", plant(years)))
    result = api.enterprise_measured_savings(sqlite_db, "E1", [2021, 2022, 2023], 2024)
    fit = result.fits["energy:electricity_grid"]
    assert result.model == "regression" and result.baseline_periods == ["2021", "2022", "2023"]
    assert (fit.fixed / 3.6, fit.variable / 3.6) == (pytest.approx(500), pytest.approx(2))  # GJ back to MWh
    assert fit.r2 == pytest.approx(1) and fit.cv_rmse == pytest.approx(0, abs=1e-12)
    assert result.avoided["electricity_mwh"].avoided == pytest.approx(100)
    one_year = api.enterprise_measured_savings(sqlite_db, "E1", 2023, 2024)
    assert one_year.model == "ratio" and one_year.avoided["electricity_mwh"].avoided == pytest.approx(
        1100 * 250 / 300 - 900
    )


def test_a_noisy_baseline_reports_r2_and_cv_rmse_and_fails_guideline_14(sqlite_db: Database, tmp_path: Path) -> None:
    years = {2020: (100, 700), 2021: (200, 1400), 2022: (300, 800), 2023: (400, 1500), 2024: (250, 1000)}
    import_path(sqlite_db, workbook.write(tmp_path / "p.xlsx", plant(years)))
    result = api.enterprise_measured_savings(sqlite_db, "E1", [2020, 2021, 2022, 2023], 2024)
    xs, ys = np.array([100, 200, 300, 400.0]), np.array([700, 1400, 800, 1500.0]) * 3.6
    variable, fixed = np.polyfit(xs, ys, 1)  # a second method: numpy's least squares
    residual = ys - (fixed + variable * xs)
    fit = result.fits["energy:electricity_grid"]
    assert (fit.fixed, fit.variable) == (pytest.approx(fixed), pytest.approx(variable))
    assert fit.r2 == pytest.approx(1 - (residual**2).sum() / ((ys - ys.mean()) ** 2).sum())
    # CV(RMSE) with n - p degrees of freedom (4 periods, 2 parameters), as ASHRAE Guideline 14 defines it
    assert fit.cv_rmse == pytest.approx(np.sqrt((residual**2).sum() / 2) / ys.mean())
    assert fit.cv_rmse > 0.25 and result.cv_rmse_limit == 0.25
    assert result.model_fails == ["energy:electricity_grid"]
    assert any("Guideline 14" in n.text("en") for n in result.notes)


def _two_measures(database: Database, tmp_path: Path) -> None:
    rows = plant({2023: (100, 1000), 2024: (100, 800)})
    rows["opportunities"] = [
        {"opportunity_id": f"M{n}", "park_id": "P1", "kind": "recp", "title": title, "stage": "implemented",
         "basis": "expected", "enterprise_ids": "E1", "year_implemented": 2024, "cost_saving_vnd": saving}
        for n, (title, saving) in enumerate((("Biến tần", 300e6), ("Đèn LED", 100e6)), start=1)
    ]  # fmt: skip
    import_path(database, workbook.write(tmp_path / "m.xlsx", rows))


def test_two_measures_share_one_metered_saving_in_proportion_to_their_expected_savings(
    database: Database, tmp_path: Path
) -> None:
    """200 MWh avoided at the meter in 2024, when two measures were implemented, expected to save 300 and 100
    million VND a year: 3/4 of the metered saving is the drives', 1/4 the lighting's."""
    _two_measures(database, tmp_path)
    result = api.enterprise_measured_savings(database, "E1", 2023, 2024)
    assert result.avoided["electricity_mwh"].avoided == pytest.approx(200)
    attribution = api.apply_measured_savings(database, "M1", result, "E1")
    assert attribution.as_dict()["measures"] == {"M1": 0.75, "M2": 0.25}
    stored = {o.opportunity_id: o for o in _opportunities(database)}
    assert stored["M1"].electricity_mwh == pytest.approx(150) and stored["M1"].basis == "measured"
    assert stored["M2"].basis == "expected"  # not chosen: left as it was
    assert stored["M1"].co2e_t == pytest.approx(150 * 0.6592)  # 2024 borrows 2023's official grid factor
    both = api.apply_measured_savings(database, ["M1", "M2"], result, "E1")
    assert both.shares["M2"]["electricity_mwh"] == pytest.approx(50)
    with pytest.raises(errors.NotFound):
        api.apply_measured_savings(database, "O2", result, "E3")


def test_avoided_cost_is_priced_at_the_reporting_year_s_default_electricity_price(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """No cost in the records: 2025's price is the one in force on 1 July 2025, 2,204.0655 VND/kWh (Decision
    1279/QĐ-BCT, from 10 May 2025), so 200 MWh avoided are worth 200,000 kWh x 2,204.0655 VND."""
    import_path(sqlite_db, workbook.write(tmp_path / "p.xlsx", plant({2024: (100, 1000), 2025: (100, 800)})))
    result = api.enterprise_measured_savings(sqlite_db, "E1", 2024, 2025)
    assert result.prices_vnd["electricity"] == pytest.approx(2204.0655 * 1000)
    assert result.avoided["cost_saving_vnd"].avoided == pytest.approx(200_000 * 2204.0655)

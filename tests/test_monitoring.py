"""Stages and their history, savings measured from records, and the cleaner-production assessment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eipkit import api
from eipkit.io import workbook
from eipkit.io.importer import import_path
from eipkit.monitoring.stages import StageError, check_move
from eipkit.recp.assessment import AssessmentError
from eipkit.store import Database
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
    # GHG: electricity at 0.6766 (2022) then 0.6592 (2024 borrows 2023); LPG 63.1 + 0.028 + 0.0265 t/TJ
    lpg = 63.1 + 1 * 28 / 1000 + 0.1 * 265 / 1000
    base = 1000 * 0.6766 + 0.473 * lpg
    report = 1050 * 0.6592 + 0.4257 * lpg
    assert result.avoided["co2e_t"].avoided == pytest.approx(base * 1.2 - report)

    api.apply_measured_savings(database, "O1", result)
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
    with pytest.raises(api.NotFound):
        api.update_assessment_task(database, number, 19, "done", dt.date(2024, 2, 1))

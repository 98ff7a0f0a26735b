"""Certification applications followed against their legal time limits, stored on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eipkit import api
from eipkit.certification.applications import RefusedStep
from eipkit.cli import app
from eipkit.store import Database
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path
from workbooks import small

D = dt.date


def test_park_application_before_tet_is_judged_step_by_step(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "w.xlsx", small()))
    number = api.submit_application(database, "P1", D(2025, 1, 24))
    # due dates counted by hand (see test_certification_timeline): forward Wed 5 Feb (3 working days over Tet),
    # opinions Sat 8 Feb -> Mon 10 Feb, appraisal Wed 5 Mar 2025
    api.record_application_step(database, number, "forward", D(2025, 2, 6), "sent to MPI, MOIT, MONRE")
    api.record_application_step(database, number, "opinions", D(2025, 2, 10))
    (shown,) = api.application_progress(database, D(2025, 3, 12), application_id=number, lang="en")
    steps = {s["step"]: s for s in shown["steps"]}
    assert steps["forward"]["due"] == "2025-02-05" and steps["forward"]["days_late"] == 1
    assert steps["opinions"]["due"] == "2025-02-10" and steps["opinions"]["days_late"] == 0
    assert (shown["state"], shown["next_step"], shown["next_due"]) == ("opinions", "appraisal", "2025-03-05")
    assert shown["overdue"] and shown["days_late"] == 7  # 12 March is 7 days after 5 March
    # on the due day itself nothing is late yet
    (in_time,) = api.application_progress(database, D(2025, 3, 5), application_id=number)
    assert not in_time["overdue"] and in_time["days_late"] == 0
    assert api.application_progress(database, D(2025, 3, 5), overdue_only=True) == []
    api.record_application_step(database, number, "appraisal", D(2025, 3, 14))
    api.record_application_step(database, number, "granted", D(2025, 4, 2))
    (closed,) = api.application_progress(database, D(2026, 1, 1), application_id=number)
    assert (closed["state"], closed["closed_on"], closed["overdue"], closed["next_step"]) == (
        "granted",
        "2025-04-02",
        False,
        None,
    )


def test_steps_out_of_order_or_dated_back_are_refused_and_not_stored(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "w.xlsx", small()))
    number = api.submit_application(database, "P1", D(2025, 4, 24), "enterprise", enterprise_id="E1")
    with pytest.raises(RefusedStep, match="next step is 'forward'"):
        api.record_application_step(database, number, "evaluation", D(2025, 4, 28))
    with pytest.raises(RefusedStep, match="before the last recorded date"):
        api.record_application_step(database, number, "forward", D(2025, 4, 23))
    with pytest.raises(RefusedStep, match="no step 'appraisal'"):
        api.record_application_step(database, number, "appraisal", D(2025, 4, 28))
    (shown,) = api.application_progress(database, D(2025, 4, 29), application_id=number)
    # nothing was stored; forward was due Mon 28 Apr (the make-up Saturday 26 Apr counts as a working day)
    assert shown["state"] == "submitted" and shown["next_due"] == "2025-04-28" and shown["days_late"] == 1
    api.record_application_step(database, number, "refused", D(2025, 4, 30))
    with pytest.raises(RefusedStep, match="already closed"):
        api.record_application_step(database, number, "forward", D(2025, 5, 2))
    with pytest.raises(RefusedStep, match="No application 999"):
        api.record_application_step(database, 999, "forward", D(2025, 5, 2))


def test_application_commands(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "w.xlsx", small()))
    runner = CliRunner()
    db = ["--db", database.url]
    opened = runner.invoke(app, ["certify", "apply", "--park", "P1", "--submitted", "2025-01-24", *db])
    assert opened.exit_code == 0, opened.output
    number = opened.output.strip()
    done = runner.invoke(app, ["certify", "step", number, "--done", "opinions", "--on", "2025-02-10", *db])
    assert done.exit_code == 5 and "không đúng thứ tự" in done.output  # a conflict with the stored steps
    listed = runner.invoke(
        app, ["certify", "applications", "--overdue", "--today", "2025-02-07", "--format", "json", *db]
    )
    assert listed.exit_code == 0, listed.output
    (late,) = json.loads(listed.output)
    assert (late["next_step"], late["days_late"]) == ("forward", 2)
    bad = runner.invoke(app, ["certify", "apply", "--park", "P1", "--submitted", "2025-01-24", "--procedure", "x", *db])
    assert bad.exit_code == 3 and "Không có thủ tục 'x'" in bad.output  # not found

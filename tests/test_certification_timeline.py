"""Legal time limits on Vietnam's calendar, checked against dates counted by hand on the 2025 and 2026 calendars."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from eipkit.certification import calendar, procedure
from eipkit.cli import app

runner = CliRunner()


def due(result: dict, step: str) -> str:
    return next(s["due"] for s in result["steps"] if s["step"] == step)


def test_park_dossier_received_the_friday_before_tet_2025() -> None:
    # Fri 24 Jan 2025; the Tet break runs Sat 25 Jan to Sun 2 Feb; working days resume Mon 3 Feb:
    # 3 working days -> Mon 3, Tue 4, Wed 5 Feb. 15 days -> Sat 8 Feb, a day off, so Mon 10 Feb.
    # 40 days -> Wed 5 Mar 2025.
    result = procedure.timeline(dt.date(2025, 1, 24), "park")
    assert due(result, "forward") == "2025-02-05"
    assert due(result, "opinions") == "2025-02-10"
    assert due(result, "appraisal") == "2025-03-05"
    assert due(result, "issue") is None  # the law's time limit for this step was not found: said, not guessed
    names = [d["date"] for d in result["days_off_in_period"]]
    assert "2025-01-29" in names and "2025-01-25" in names


def test_tet_2026_and_every_period_in_working_days() -> None:
    # Thu 12 Feb 2026; Tet break Sat 14 to Sun 22 Feb: Fri 13 (1), Mon 23 (2), Tue 24 (3)
    result = procedure.timeline(dt.date(2026, 2, 12), "enterprise", all_working_days=True)
    assert due(result, "forward") == "2026-02-24"
    # 20 working days from Fri 13 Feb: 13 Feb, then 23-27 Feb (6), 2-6 Mar (11), 9-13 Mar (16), 16-19 Mar (20)
    assert due(result, "evaluation") == "2026-03-19"


def test_make_up_working_saturday_counts() -> None:
    # Thu 24 Apr 2025: Fri 25 (1), Sat 26 is a make-up working day (2), Sun 27 off, Mon 28 (3)
    result = procedure.timeline(dt.date(2025, 4, 24), "enterprise")
    assert due(result, "forward") == "2025-04-28"
    # 20 days -> Wed 14 May 2025
    assert due(result, "evaluation") == "2025-05-14"
    # and Fri 2 May 2025 is the day off it pays for
    assert not calendar.vietnam().is_working_day(dt.date(2025, 5, 2))


def test_recertification_is_twenty_days_without_consultation() -> None:
    result = procedure.timeline(dt.date(2025, 8, 13), "recertify")
    # 13 Aug + 20 days = Tue 2 Sep 2025, National Day; Mon 1 Sep is off too; next working day Wed 3 Sep
    assert [s["step"] for s in result["steps"]] == ["evaluation"]
    assert due(result, "evaluation") == "2025-09-03"


def test_the_shipped_make_up_days_match_the_substitutions_the_holiday_library_knows() -> None:
    cal = calendar.vietnam()
    for year in (2024, 2025, 2026):
        for day, name in holidays.country_holidays("VN", years=year, language="vi").items():
            swapped = re.search(r"thay cho ngày (\d\d)/(\d\d)/(\d{4})", name)
            if swapped:
                workday = dt.date(int(swapped[3]), int(swapped[2]), int(swapped[1]))
                assert cal.is_working_day(workday), (day, workday)
                assert not cal.is_working_day(day)


def test_a_users_calendar_file_adds_days_and_a_bad_row_is_named(tmp_path: Path) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text(
        "date,kind,name_vi,name_en,source,confidence\n2025-06-02,day_off,Nghỉ địa phương,Local day off,tỉnh,verified\n",
        encoding="utf-8",
    )
    cal = calendar.vietnam(mine)
    # Fri 30 May 2025 + 1 working day: Mon 2 Jun is off now, so Tue 3 Jun
    assert cal.add_working_days(dt.date(2025, 5, 30), 1) == dt.date(2025, 6, 3)
    mine.write_text("date,kind\n2025-13-01,day_off\n", encoding="utf-8")
    try:
        calendar.vietnam(mine)
    except calendar.CalendarError as error:
        assert "row 2" in str(error)
    else:
        raise AssertionError("a bad date was accepted")


@settings(max_examples=60, deadline=None)
@given(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 1)), st.integers(1, 45))
def test_working_days_agree_with_a_plain_count(start: dt.date, count: int) -> None:
    cal = calendar.vietnam()
    official = set(holidays.country_holidays("VN", years=range(2024, 2028)))
    extra = {d.date: d.kind for d in calendar._shipped().values()}

    def working(day: dt.date) -> bool:
        if day in extra:
            return extra[day] == "workday"
        return day.weekday() < 5 and day not in official

    end = cal.add_working_days(start, count)
    span = [start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert working(end)
    assert sum(working(d) for d in span) == count
    plain = cal.add_days(start, count)
    assert working(plain) and plain >= start + dt.timedelta(days=count)
    assert all(not working(start + dt.timedelta(days=i)) for i in range(count, (plain - start).days))


def test_timeline_command_prints_json_and_refuses_a_bad_date() -> None:
    done = runner.invoke(app, ["certify", "timeline", "--submitted", "2025-01-24", "--format", "json"])
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["title"] == "Cấp giấy chứng nhận khu công nghiệp sinh thái"
    assert due(result, "forward") == "2025-02-05"
    assert runner.invoke(app, ["certify", "timeline", "--submitted", "24/01/2025"]).exit_code != 0
    bad = runner.invoke(app, ["certify", "timeline", "--submitted", "2025-01-24", "--procedure", "x"])
    assert bad.exit_code != 0 and "park, enterprise, recertify" in bad.output

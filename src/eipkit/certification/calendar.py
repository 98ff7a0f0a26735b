"""Vietnam's working days: weekends, public holidays (Tet and the Hung Kings day follow the lunar calendar), the
government's announced days off, and the make-up working Saturdays it sometimes sets.

Public holidays and their substitute days come from the `holidays` package (country VN); `data/calendar_vn.csv`
adds what a year's announcement sets beyond it (extra days off, make-up working days), with source and confidence,
and can be extended each year or by the user's own file.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import holidays

from eipkit.errors import BadInput


@dataclass(frozen=True)
class Day:
    date: dt.date
    kind: str  # holiday, day_off or workday
    name: dict[str, str]
    source: str
    confidence: str


@dataclass
class WorkingCalendar:
    extra: dict[dt.date, Day] = field(default_factory=dict)

    @staticmethod
    @cache
    def _holidays(year: int, lang: str) -> dict[dt.date, str]:
        return dict(holidays.country_holidays("VN", years=year, language="vi" if lang == "vi" else "en_US"))

    def day_off(self, day: dt.date) -> Day | None:
        """Why `day` is not a working day, or None when it is one."""
        entry = self.extra.get(day)
        if entry is not None:
            return None if entry.kind == "workday" else entry
        vi = self._holidays(day.year, "vi").get(day)
        if vi is not None:
            en = self._holidays(day.year, "en").get(day, vi)
            return Day(day, "holiday", {"vi": vi, "en": en}, "holidays (VN)", "library")
        if day.weekday() >= 5:
            names = {"vi": "Thứ Bảy" if day.weekday() == 5 else "Chủ nhật", "en": day.strftime("%A")}
            return Day(day, "weekend", names, "", "")
        return None

    def is_working_day(self, day: dt.date) -> bool:
        return self.day_off(day) is None

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The day on which `count` working days counted from the day after `start` are complete."""
        day = start
        while count > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def add_days(self, start: dt.date, count: int) -> dt.date:
        """`count` calendar days after `start`; a period ending on a day off ends on the next working day."""
        day = start + dt.timedelta(days=count)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def days_off_between(self, first: dt.date, last: dt.date) -> list[Day]:
        """Holidays and days off (not plain weekends) from `first` to `last`, both included."""
        found = []
        day = first
        while day <= last:
            off = self.day_off(day)
            if off is not None and off.kind != "weekend":
                found.append(off)
            day += dt.timedelta(days=1)
        return found


class CalendarError(BadInput):
    """A calendar file that cannot be read, with the row at fault."""


def _rows(text: str, where: str) -> dict[dt.date, Day]:
    days = {}
    for number, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            date = dt.date.fromisoformat(row["date"])
        except (KeyError, TypeError, ValueError):
            raise CalendarError("calendar.bad_row", where=where, row=number, reason="date must be YYYY-MM-DD") from None
        if row.get("kind") not in ("day_off", "workday"):
            raise CalendarError("calendar.bad_row", where=where, row=number, reason="kind must be day_off or workday")
        names = {"vi": row.get("name_vi") or "", "en": row.get("name_en") or ""}
        days[date] = Day(date, row["kind"], names, row.get("source") or "", row.get("confidence") or "")
    return days


@cache
def _shipped() -> dict[dt.date, Day]:
    text = resources.files("eipkit.data").joinpath("calendar_vn.csv").read_text(encoding="utf-8")
    return _rows(text, "calendar_vn.csv")


def vietnam(extra_file: Path | None = None) -> WorkingCalendar:
    """The official calendar, with the user's own additions (same columns as data/calendar_vn.csv) on top."""
    extra = dict(_shipped())
    if extra_file is not None:
        extra.update(_rows(extra_file.read_text(encoding="utf-8"), str(extra_file)))
    return WorkingCalendar(extra)

"""Messages: every key the code uses exists in both languages with the same placeholders."""

from __future__ import annotations

import math
import re
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eipkit import i18n
from eipkit.store import Database
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path
from eipkit.workbooks.validate import ImportRejected
from workbooks import small

SOURCE = Path(__file__).resolve().parents[1] / "src" / "eipkit"
KEY_IN_CODE = re.compile(r"""(?:Message|Error|t)\(\s*f?["']((?:err|ui|kpi|cli|col|dim|word|enum)\.[a-z_0-9.]+)["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_use_the_same_placeholders() -> None:
    for key, entry in i18n._messages().items():
        assert entry["vi"] and entry["en"], key
        assert placeholders(entry["vi"]) == placeholders(entry["en"]), key


def test_every_key_used_in_the_code_is_in_the_catalogue() -> None:
    used = {m for path in SOURCE.rglob("*.py") for m in KEY_IN_CODE.findall(path.read_text(encoding="utf-8"))}
    assert len(used) > 40
    assert used - set(i18n._messages()) == set()


def test_a_refused_workbook_reads_in_vietnamese(sqlite_db: Database, tmp_path: Path) -> None:
    rows = small()
    rows["water"][0]["quantity"] = -5
    rows["energy"][0]["unit"] = "kg"
    rows["enterprises"][0]["lat"] = 123
    with pytest.raises(ImportRejected) as rejected:
        import_path(sqlite_db, workbook.write(tmp_path / "bad.xlsx", rows))
    vietnamese = {p.column: p.text("vi") for p in rejected.value.problems}
    assert vietnamese["quantity"] == "số lượng âm -5"
    assert vietnamese["unit"] == "electricity_grid cần đơn vị năng lượng (kWh, MWh, GJ), không phải 'kg'"
    assert vietnamese["lat"] == "vĩ độ 123 nằm ngoài khoảng -90 đến 90"
    assert {p.column: p.reason for p in rejected.value.problems}["lat"] == "latitude 123 is outside -90 to 90"


def test_numbers_are_written_the_way_each_language_writes_them() -> None:
    assert i18n.number(1234567.891, "vi") == "1.234.567,9"
    assert i18n.number(1234567.891, "en") == "1,234,567.9"
    assert i18n.number(None, "vi") == "–"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="vi, en"):
        i18n.language("fr")


@given(
    value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    digits=st.integers(min_value=0, max_value=3),
    lang=st.sampled_from(["vi", "en"]),
)
def test_a_number_typed_as_the_reader_writes_it_reads_back(value: float, digits: int, lang: str) -> None:
    from eipkit.i18n import number, parse_number

    written = number(value, lang, digits)
    # the figure shown is the value rounded to its digits: read back, it is within half a last digit of the value
    assert abs(parse_number(written, lang) - value) <= 0.5 * 10**-digits + 4 * math.ulp(value)


def test_a_plain_decimal_point_is_never_read_as_grouping() -> None:
    from eipkit.i18n import NotANumber, parse_number

    assert parse_number("54.69", "vi") == 54.69 and parse_number("54,69", "vi") == 54.69
    assert parse_number("1.234", "vi") == 1234 and parse_number("1,234.5", "en") == 1234.5
    for text in ("năm mươi", "", "nan", "inf", "1,2,3"):
        with pytest.raises(NotANumber):
            parse_number(text, "vi")


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (74_402_759_000_000, "74.403 tỷ đồng", "VND 74,403 billion"),  # 74,402.759 billion, to the unit
        (1_969_605_142, "1,97 tỷ đồng", "VND 1.97 billion"),
        (570_688_000, "571 triệu đồng", "VND 571 million"),
        (12_500_000, "12,5 triệu đồng", "VND 12.5 million"),
        (12_000, "12.000 đồng", "VND 12,000"),
        (-3_500_000_000, "-3,50 tỷ đồng", "VND -3.50 billion"),
        (None, "–", "–"),
    ],
)
def test_money_is_said_in_billions_or_millions(value: float | None, vi: str, en: str) -> None:
    assert i18n.money(value, "vi") == vi and i18n.money(value, "en") == en


def test_a_stored_iso_day_is_written_the_readers_way() -> None:
    assert i18n.date("2025-02-05", "vi") == "05/02/2025" and i18n.date("2025-02-05", "en") == "5 Feb 2025"

"""Any table of a page as a workbook: what the reader sees (filtered, sorted) with its numbers as numbers.

The page sends the table's header and rows; nothing is read from the database, so a reader can only ever export
what was already shown to them. Limits keep a hostile request from making the server build a huge file.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from eipkit import __version__
from eipkit.errors import LimitReached
from eipkit.workbooks.workbook import save

MAX_ROWS = 20_000
MAX_COLUMNS = 60
MAX_TEXT = 2_000
_HEAD = PatternFill("solid", fgColor="E2EFDA")

Cell = str | float | int | None


class ExportRefused(LimitReached):
    """A table too large or not shaped as a table (header and rows of cells)."""


@dataclass(frozen=True)
class ShownTable:
    title: str
    headers: list[str]
    rows: list[list[Cell]]

    @classmethod
    def parse(cls, data: object) -> ShownTable:
        """The table sent by a page, checked cell by cell."""
        if not isinstance(data, dict):
            raise ExportRefused("export.not_table")
        title, headers, rows = data.get("title", ""), data.get("headers"), data.get("rows")
        if not isinstance(title, str) or not isinstance(headers, list) or not isinstance(rows, list):
            raise ExportRefused("export.not_table")
        if len(rows) > MAX_ROWS or len(headers) > MAX_COLUMNS:
            raise ExportRefused("export.too_large", rows=MAX_ROWS, columns=MAX_COLUMNS)
        checked = []
        for row in rows:
            if not isinstance(row, list) or len(row) > MAX_COLUMNS:
                raise ExportRefused("export.not_table")
            checked.append([_cell(value) for value in row])
        return cls(title[:200], [str(_cell(h) or "") for h in headers], checked)


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, int | float):
        return value if value == value and abs(value) < 1e300 else None
    if isinstance(value, str):
        return value[:MAX_TEXT]
    raise ExportRefused("export.not_table")


def to_bytes(table: ShownTable) -> bytes:
    """The workbook: a title line, the header in bold, the rows, and where and when it was made."""
    book = Workbook()
    sheet = book.active
    sheet.title = "eipkit"
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(table.headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = _HEAD
    for row in table.rows:
        sheet.append(row)
    sheet.append([])
    sheet.append([f"eipkit {__version__} · {dt.datetime.now(dt.UTC):%d/%m/%Y %H:%M} UTC"])
    for index, header in enumerate(table.headers, start=1):
        widest = max([len(header)] + [len(str(r[index - 1])) for r in table.rows[:500] if len(r) >= index])
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, widest + 2))
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    save(book, buffer)
    return buffer.getvalue()

"""A course's register as a workbook: who was trained, from which kind of organisation, and what they have done."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from eipkit.workbooks.workbook import save

_HEAD = PatternFill("solid", fgColor="E2EFDA")


def write(path: str | Path, title: str, headers: list[str], rows: list[list[Any]]) -> Path:
    path = Path(path)
    book = Workbook()
    ws = book.active
    ws.title = "register"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = _HEAD
    for row in rows:
        ws.append(row)
    for index, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(r[index - 1])) for r in rows])
        ws.column_dimensions[ws.cell(2, index).column_letter].width = min(max(width + 2, 10), 48)
    ws.freeze_panes = "A3"
    save(book, path)
    return path

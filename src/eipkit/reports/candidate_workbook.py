"""Candidate exchanges in a workbook sheet a consultant can edit: one row per candidate, with a status column."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from eipkit import i18n
from eipkit.workbooks.workbook import save

COLUMNS = (
    "supply_enterprise",
    "waste",
    "demand_enterprise",
    "replaces",
    "resource",
    "use",
    "distance_km",
    "max_flow_t",
    "money_vnd_per_year",
    "co2e_t_per_year",
    "confidence",
    "reasons",
    "kb_id",
)
STATUSES = "keep,contact,reject"


def write(path: str | Path, rows: Sequence[dict[str, Any]], lang: str = "vi") -> Path:
    path = Path(path)
    book = Workbook()
    ws = book.active
    ws.title = "candidates"
    ws.append([*COLUMNS, "status", "note"])
    ws.append(
        [i18n.t(f"sym.col.{c}", lang) for c in COLUMNS] + [i18n.t("sym.col.status", lang), i18n.t("sym.col.note", lang)]
    )
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="2E6B3F")
    for cell in ws[2]:
        cell.font, cell.fill = Font(italic=True), PatternFill("solid", fgColor="E2EFDA")
    for row in rows:
        ws.append([("; ".join(row[c]) if c == "reasons" else row[c]) for c in COLUMNS] + [None, None])
    status_column = len(COLUMNS) + 1
    letter = ws.cell(row=1, column=status_column).column_letter
    validation = DataValidation(type="list", formula1=f'"{STATUSES}"', allow_blank=True)
    ws.add_data_validation(validation)
    validation.add(f"{letter}3:{letter}{max(3, len(rows) + 2)}")
    for column in ("L",):
        ws.column_dimensions[column].width = 80
        for cell in ws[column]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    save(book, path)
    return path

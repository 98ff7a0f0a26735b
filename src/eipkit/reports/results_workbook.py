"""The results table as an Excel workbook, laid out like the programme's published tables."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from eipkit import i18n
from eipkit.monitoring.results import SAVINGS, ResultsTable
from eipkit.workbooks.workbook import save

_HEAD = PatternFill("solid", fgColor="E2EFDA")


def write(path: str | Path, table: ResultsTable, lang: str = "vi", annex: list[list[str]] | None = None) -> Path:
    path = Path(path)
    book = Workbook()
    ws = book.active
    ws.title = "results"
    title = f"{i18n.t('res.title', lang)} · {table.scope}" + (f" · {table.year}" if table.year else "")
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append(["", i18n.t("ui.total", lang), "RECP", i18n.t("ui.symbiosis", lang)])
    for key in (
        "enterprises_assessed",
        "enterprises_implementing",
        "opportunities_identified",
        "opportunities_implemented",
    ):
        counts = getattr(table, key)
        ws.append([i18n.t(f"res.{key}", lang), counts["total"], counts["recp"], counts["symbiosis"]])
    ws.append([])
    ws.append(
        [
            i18n.t("res.savings_title", lang),
            i18n.t("ui.expected", lang),
            i18n.t("ui.measured", lang),
            i18n.t("ui.total", lang),
        ]
    )
    data = table.as_dict()
    for name in (*SAVINGS, "cost_saving_usd"):
        ws.append(
            [
                i18n.t(f"res.{name}", lang),
                data[name]["expected"],
                data[name]["measured"],
                data[name].get("total", data[name]["expected"] + data[name]["measured"]),
            ]
        )
    ws.append([])
    ws.append([i18n.t("res.programme_title", lang), i18n.t("ui.total", lang), "RECP", i18n.t("ui.symbiosis", lang)])
    programme_head = ws.max_row
    for key, *values in table.programme_rows():
        ws.append([i18n.t(key, lang), *values])
    if table.investment_unknown:
        ws.append([i18n.t("res.investment_unknown", lang, count=table.investment_unknown)])
    ws.append([])
    ws.append([i18n.t("res.usd_rate", lang), table.usd_rate])
    ws.append([i18n.t("res.basis_note", lang)])
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.0"
    for row_number in (3, 9, programme_head):
        for cell in ws[row_number]:
            cell.fill = _HEAD
            cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 48
    for letter in "BCD":
        ws.column_dimensions[letter].width = 18
    if annex:
        sheet = book.create_sheet(i18n.t("prov.sheet", lang))
        sheet.append([i18n.t(k, lang) for k in ("prov.item", "prov.value", "prov.source")])
        for cell in sheet[1]:
            cell.fill, cell.font = _HEAD, Font(bold=True)
        for row in annex:
            sheet.append(row)
        for letter, width in zip("ABC", (36, 40, 90), strict=True):
            sheet.column_dimensions[letter].width = width
    save(book, path)
    return path

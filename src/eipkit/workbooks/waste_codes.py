"""Reading a list of Vietnamese waste codes (Circular 02/2022/TT-BTNMT Annex III, as amended) from a CSV or .xlsx
file: columns `code`, `name_vi`, and optionally `name_en`, `mark` (NH, KS, TT-R, TT) and `ewc`. Every row is checked;
one bad row refuses the file, each problem named by row and column."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eipkit.i18n import Message
from eipkit.workbooks.cells import CellError, is_blank, parse_waste_code
from eipkit.workbooks.validate import ImportRejected, Problem

SHEET = "waste_codes"
MARKS = ("NH", "KS", "TT-R", "TT")
_GROUP = re.compile(r"^\s*(\d{2})(?:\s*(\d{2}))?\s*$")


@dataclass(frozen=True)
class WasteCode:
    code: str
    name_vi: str
    name_en: str | None = None
    mark: str | None = None
    ewc: str | None = None


def _code(value: Any) -> str:
    """A group (`NN`), sub-group (`NN NN`) or waste (`NN NN NN`) code."""
    text = str(value).strip() if not isinstance(value, int) else str(value)
    group = _GROUP.match(text)
    if group:
        return " ".join(g for g in group.groups() if g)
    return parse_waste_code(value)


def _lines(path: Path) -> list[dict[str, Any]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
            header = [str(c or "").strip().lower() for c in next(rows, ())]
            return [dict(zip(header, row, strict=False)) for row in rows]
        finally:
            book.close()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k.strip().lower(): v for k, v in row.items() if k} for row in csv.DictReader(handle)]


def read(path: str | Path) -> list[WasteCode]:
    path = Path(path)
    try:
        lines = _lines(path)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError, KeyError) as exc:
        raise ImportRejected([Problem(SHEET, 0, "", Message("err.annex_file", path=path.name))]) from exc
    problems: list[Problem] = []
    if not lines or "code" not in lines[0] or "name_vi" not in lines[0]:
        raise ImportRejected([Problem(SHEET, 1, "code", Message("err.annex_header"))])
    found: dict[str, int] = {}
    codes = []
    for row_no, line in enumerate(lines, start=2):
        if all(is_blank(v) for v in line.values()):
            continue
        try:
            code = _code(line["code"])
        except CellError as exc:
            problems.append(Problem(SHEET, row_no, "code", exc.message))
            continue
        if code in found:
            problems.append(Problem(SHEET, row_no, "code", Message("err.duplicate_id", first=found[code])))
            continue
        found[code] = row_no
        name = line.get("name_vi")
        if is_blank(name):
            problems.append(Problem(SHEET, row_no, "name_vi", Message("err.required")))
            continue
        mark = None if is_blank(line.get("mark")) else str(line["mark"]).strip().upper()
        if mark is not None and mark not in MARKS:
            problems.append(
                Problem(SHEET, row_no, "mark", Message("err.annex_mark", value=mark, known=", ".join(MARKS)))
            )
            continue
        english = None if is_blank(line.get("name_en")) else str(line["name_en"]).strip()
        ewc = None if is_blank(line.get("ewc")) else str(line["ewc"]).strip()
        codes.append(WasteCode(code, str(name).strip(), english, mark, ewc))
    if problems:
        raise ImportRejected(problems)
    if not codes:
        raise ImportRejected([Problem(SHEET, 2, "code", Message("err.annex_empty"))])
    return codes

"""Reading and writing contract workbooks (.xlsx) and CSV folders.

Layout of every sheet: row 1 holds the column keys (English, never renamed), row 2 the labels with units in
the user's language, data from row 3. Row 2 is optional on input: a row whose cells are all labels is skipped.
"""

from __future__ import annotations

import csv
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineError, CalamineWorkbook

from eipkit import contract
from eipkit.errors import BadInput

FIRST_DATA_ROW = 3
_TEMPLATE_ROWS = 2000


class WorkbookError(BadInput):
    """The file cannot be read as a workbook or CSV folder at all."""


@dataclass(frozen=True)
class Limits:
    """How much a workbook may hold before it is refused unread: uploads to the web application set these (a
    hostile file must not take the server's memory or time); the command line sets none."""

    max_rows: int | None = None
    max_uncompressed_bytes: int | None = None
    max_shared_strings_bytes: int | None = None
    max_cell_chars: int = 32_767  # Excel's own limit for a cell


NO_LIMITS = Limits()
_ROW_TAGS = (b"<row ", b"<row>", b":row ", b":row>")


def _row_tags(stream: Any) -> int:
    """Rows in a worksheet's XML, counted on the stream as it is inflated (no XML parsing). Each block starts with
    the previous block's last 4 bytes, so a tag cut in two is counted once (a tag has 5 bytes: never twice)."""
    count, tail = 0, b""
    while chunk := stream.read(1 << 20):
        block = tail + chunk
        count += sum(block.count(tag) for tag in _ROW_TAGS)
        tail = block[-4:]
    return count


def _check_archive(path: Path, shown: str, limits: Limits) -> None:
    """Refuse an .xlsx whose inflated size, shared strings or row count exceed the limits, before openpyxl
    inflates anything into memory (a zip bomb or a 120 MB cell is refused in well under a second)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            inflated = sum(m.file_size for m in members)
            if limits.max_uncompressed_bytes and inflated > limits.max_uncompressed_bytes:
                raise WorkbookError(
                    "err.file_too_large", path=shown, size=_mb(inflated), limit=_mb(limits.max_uncompressed_bytes)
                )
            strings = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
            if limits.max_shared_strings_bytes and strings > limits.max_shared_strings_bytes:
                raise WorkbookError(
                    "err.file_too_large", path=shown, size=_mb(strings), limit=_mb(limits.max_shared_strings_bytes)
                )
            if limits.max_rows:
                rows = 0
                for member in members:
                    if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                        with archive.open(member) as stream:
                            rows += _row_tags(stream)
                if rows > limits.max_rows:
                    raise WorkbookError("err.file_too_many_rows", path=shown, rows=rows, limit=limits.max_rows)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
        raise WorkbookError("err.file_xlsx", path=shown) from exc


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


@dataclass
class RawSheet:
    """A sheet as read: its header and its rows, each with the row number a spreadsheet shows."""

    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _header_names(cells: Sequence[Any]) -> list[str]:
    return ["" if c is None else str(c).strip().lower() for c in cells]


def _is_label_row(values: Mapping[str, Any], sheet: contract.Sheet) -> bool:
    known = {c.name: c for c in sheet.columns}
    filled = {k: v for k, v in values.items() if v is not None and str(v).strip()}
    if not filled:
        return False
    for key, value in filled.items():
        column = known.get(key)
        if column is None or str(value).strip() not in {column.label("vi"), column.label("en")}:
            return False
    return True


def _collect(
    name: str, header: list[str], lines: Iterable[tuple[int, Sequence[Any]]], shown: str, limits: Limits, seen: int = 0
) -> RawSheet:
    """The rows of a sheet; `seen` rows were read from earlier sheets (the row limit is for the whole file)."""
    sheet = contract.sheets()[name]
    raw = RawSheet(name, header)
    for row_no, cells in lines:
        if limits.max_rows and seen + len(raw.rows) >= limits.max_rows:
            raise WorkbookError(
                "err.file_too_many_rows", path=shown, rows=f"> {limits.max_rows}", limit=limits.max_rows
            )
        if any(isinstance(c, str) and len(c) > limits.max_cell_chars for c in cells):
            raise WorkbookError("err.file_long_cell", path=shown, sheet=name, row=row_no, limit=limits.max_cell_chars)
        values = {key: cells[i] if i < len(cells) else None for i, key in enumerate(header) if key}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        if row_no == 2 and _is_label_row(values, sheet):
            continue
        raw.rows.append((row_no, values))
    return raw


def read_xlsx(path: Path, limits: Limits = NO_LIMITS, shown: str | None = None) -> dict[str, RawSheet]:
    """The contract's sheets of a workbook, read by calamine (Rust; about 12 times openpyxl's speed on the demo
    workbook) after the archive's sizes and row count were checked against `limits`. Cells come as the values
    Excel cached (no formula is evaluated); every parser accepts the float calamine gives for a whole number."""
    shown = shown or str(path)
    _check_archive(path, shown, limits)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise WorkbookError("err.file_xlsx", path=shown) from exc
    result: dict[str, RawSheet] = {}
    for name in book.sheet_names:
        if name not in contract.sheets():
            continue
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except (CalamineError, ValueError) as exc:
            raise WorkbookError("err.file_xlsx", path=shown) from exc
        if not rows:
            continue
        cells = [[_cell(c) for c in row] for row in rows]
        seen = sum(len(r.rows) for r in result.values())
        result[name] = _collect(name, _header_names(cells[0]), enumerate(cells[1:], start=2), shown, limits, seen)
    return result


def _cell(value: Any) -> Any:
    """As openpyxl gave it: nothing for an empty cell, a whole number as an int (calamine gives every number as a
    float, and a message should quote -5 as the user typed it, not -5.0)."""
    if value == "":
        return None
    if value.__class__ is float and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def read_csv_folder(path: Path, limits: Limits = NO_LIMITS) -> dict[str, RawSheet]:
    result: dict[str, RawSheet] = {}
    for name in contract.sheets():
        file = path / f"{name}.csv"
        if not file.exists():
            continue
        try:
            with file.open(newline="", encoding="utf-8-sig") as handle:
                lines = list(csv.reader(handle))
        except (UnicodeDecodeError, csv.Error) as exc:
            raise WorkbookError("err.file_csv", path=file, detail=exc) from exc
        if not lines:
            continue
        seen = sum(len(r.rows) for r in result.values())
        body = ([csv_value(c) for c in line] for line in lines[1:])
        result[name] = _collect(name, _header_names(lines[0]), enumerate(body, start=2), str(file), limits, seen)
    return result


def read(path: str | Path, limits: Limits = NO_LIMITS, shown: str | None = None) -> dict[str, RawSheet]:
    """Every contract sheet found in a .xlsx workbook or a folder of CSV files; messages call the file `shown`
    (an upload's own name rather than the server's temporary copy)."""
    path = Path(path)
    shown = shown or str(path)
    if path.is_dir():
        sheets = read_csv_folder(path, limits)
    elif path.suffix.lower() in {".xlsx", ".xlsm"}:
        sheets = read_xlsx(path, limits, shown)
    elif not path.exists():
        raise WorkbookError("err.file_missing", path=shown)
    else:
        raise WorkbookError("err.file_kind", path=shown)
    if not sheets:
        raise WorkbookError("err.file_no_sheet", path=shown, expected=", ".join(contract.sheets()))
    return sheets


_KEY_FONT = Font(bold=True, color="FFFFFF")
_KEY_FILL = PatternFill("solid", fgColor="2E6B3F")
_LABEL_FONT = Font(italic=True, color="44546A")
_LABEL_FILL = PatternFill("solid", fgColor="E2EFDA")


def write(path: str | Path, rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None, lang: str = "vi") -> Path:
    """A contract workbook with keys, labels, drop-down lists for enumerations and the given rows.

    With no rows this is the blank template; with a park's rows it is the export, which imports back as is.
    """
    path = Path(path)
    rows = rows or {}
    book = Workbook()
    book.remove(book.active)
    lists = book.create_sheet("_lists")
    list_ranges = _write_enum_lists(lists)
    for sheet in contract.sheets().values():
        ws = book.create_sheet(sheet.name)
        for col_index, column in enumerate(sheet.columns, start=1):
            key = ws.cell(row=1, column=col_index, value=column.name)
            key.font, key.fill = _KEY_FONT, _KEY_FILL
            label = ws.cell(row=2, column=col_index, value=column.label(lang))
            label.font, label.fill = _LABEL_FONT, _LABEL_FILL
            label.alignment = Alignment(wrap_text=True, vertical="top")
            letter = get_column_letter(col_index)
            ws.column_dimensions[letter].width = max(14, min(40, len(column.name) + 4))
            if column.kind in {"id", "ref:parks", "ref:enterprises", "vsic", "waste_code", "text"}:
                for r in range(FIRST_DATA_ROW, FIRST_DATA_ROW + max(len(rows.get(sheet.name, ())), 50)):
                    ws.cell(row=r, column=col_index).number_format = "@"
            enum = column.enum
            if enum and column.kind.startswith("enum:"):
                validation = DataValidation(type="list", formula1=list_ranges[enum], allow_blank=True)
                validation.error = column.label(lang)
                ws.add_data_validation(validation)
                validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + _TEMPLATE_ROWS}")
            elif column.kind == "bool":
                validation = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
                ws.add_data_validation(validation)
                validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{FIRST_DATA_ROW + _TEMPLATE_ROWS}")
        for r, record in enumerate(rows.get(sheet.name, ()), start=FIRST_DATA_ROW):
            for col_index, column in enumerate(sheet.columns, start=1):
                ws.cell(row=r, column=col_index, value=record.get(column.name))
        ws.freeze_panes = "A3"
    lists.sheet_state = "hidden"
    book.move_sheet(lists, offset=len(book.sheetnames))
    save(book, path)
    return path


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def save(book: Workbook, path: str | Path | IO[bytes]) -> None:
    """Save a workbook whose every cell is a value: a text that starts like a formula (a tenant's name typed as
    `=HYPERLINK(...)`) is written as text, so opening the export never runs what somebody typed."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    book.save(path)


def csv_text(value: Any) -> Any:
    """A cell for a CSV file: text that a spreadsheet would take for a formula gets a leading apostrophe (the
    usual guard; `csv_value` takes it off again on import, so the records round-trip)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_value(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def _write_enum_lists(ws: Any) -> dict[str, str]:
    """Enumerations in a hidden sheet, so drop-downs are not bound by Excel's 255-character inline limit."""
    ranges = {}
    for col_index, (name, values) in enumerate(contract.enums().items(), start=1):
        ws.cell(row=1, column=col_index, value=name)
        for r, item in enumerate(values, start=2):
            ws.cell(row=r, column=col_index, value=item.value)
        letter = get_column_letter(col_index)
        ranges[name] = f"{quote_sheetname(ws.title)}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def write_csv_folder(path: str | Path, rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> Path:
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for sheet in contract.sheets().values():
        with (path / f"{sheet.name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=sheet.column_names, extrasaction="ignore")
            writer.writeheader()
            for record in rows.get(sheet.name, ()):
                writer.writerow({k: "" if v is None else csv_text(v) for k, v in record.items()})
    return path

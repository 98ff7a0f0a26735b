"""Checking a whole workbook before anything is stored: every problem is listed, nothing is half-accepted."""

from __future__ import annotations

import contextlib
import itertools
import math
import operator
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from eipkit import contract, provinces, units
from eipkit.i18n import Message
from eipkit.workbooks.cells import CellError, parse_id, parser_for
from eipkit.workbooks.workbook import RawSheet


@dataclass(frozen=True)
class Problem:
    """One reason to refuse a workbook, where a person finds it: sheet, spreadsheet row, column."""

    sheet: str
    row: int
    column: str
    message: Message

    @property
    def reason(self) -> str:
        return self.message.text("en")

    def text(self, lang: str) -> str:
        return self.message.text(lang)

    def __str__(self) -> str:
        where = f"sheet '{self.sheet}', row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.reason}"


class ImportRejected(ValueError):
    """The workbook was refused; `problems` lists the first LISTED reasons in sheet and row order, `total` counts
    them all (a hostile or badly broken file must not turn into a list of millions)."""

    LISTED = 200

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.total = max(total or 0, len(problems))
        self.problems = sorted(problems, key=_problem_order)[: self.LISTED]
        super().__init__(f"{self.total} problem(s) in the workbook; nothing was imported")

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.problems, self.total)


class Problems(list[Problem]):
    """The problems found so far: every one counted, the first KEPT kept (enough to list the first LISTED of them
    in sheet and row order, since sheets and rows are checked in that order)."""

    KEPT = 5000

    def __init__(self) -> None:
        super().__init__()
        self.total = 0

    def append(self, problem: Problem) -> None:
        self.total += 1
        if len(self) < self.KEPT:
            super().append(problem)


def _problem_order(problem: Problem) -> tuple[int, int, str, str]:
    order = list(contract.sheets())
    index = order.index(problem.sheet) if problem.sheet in order else len(order)
    return (index, problem.row, problem.column, problem.reason)


class Row(NamedTuple):
    """A validated row: typed values by column, plus quantities in canonical units (see `units`)."""

    sheet: str
    row: int
    values: dict[str, Any]

    def key(self, sheet: contract.Sheet) -> tuple[Any, ...]:
        return tuple(self.values.get(k) for k in sheet.key)


@dataclass
class KnownIds:
    """Parks and enterprises already stored, which rows may refer to without repeating them."""

    parks: set[str] = field(default_factory=set)
    enterprises: set[str] = field(default_factory=set)


_VALUES_OF = operator.attrgetter("values")


@dataclass
class ValidWorkbook:
    rows: dict[str, list[Row]]
    notes: list[Problem] = field(default_factory=list)  # what was accepted but changed, said to the importer

    def values(self) -> dict[str, list[dict[str, Any]]]:
        """The rows as the store takes them: column -> typed value, sheet by sheet."""
        return {name: list(map(_VALUES_OF, rows)) for name, rows in self.rows.items()}

    def count(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.items()}


def validate(raw: Mapping[str, RawSheet], known: KnownIds | None = None) -> ValidWorkbook:
    """Typed, unit-converted rows of every sheet, or ImportRejected with every problem found."""
    known = known or KnownIds()
    declared = declared_ids(raw)
    pools = {"park": known.parks | declared.parks, "enterprise": known.enterprises | declared.enterprises}
    problems = Problems()
    rows: dict[str, list[Row]] = {}
    for name, sheet in contract.sheets().items():
        if name in raw:
            rows[name] = _validate_sheet(sheet, raw[name], problems, pools)
    if problems.total:
        raise ImportRejected(problems, problems.total)
    return ValidWorkbook(rows, _provinces_in_force(rows.get("parks", [])))


def _provinces_in_force(parks: list[Row]) -> list[Problem]:
    """Parks written with a former province ("Long An") are filed under the unit in force ("Tây Ninh"), the name as
    written kept; each such row is noted."""
    notes = []
    for row in parks:
        resolved = provinces.resolve(row.values["province"])
        row.values["province_as_written"] = None
        if resolved.name != row.values["province"]:
            row.values["province_as_written"] = row.values["province"]
            row.values["province"] = resolved.name
            if resolved.renamed:
                message = Message(
                    "note.province_in_force",
                    written=resolved.written,
                    unit=resolved.name,
                    since=resolved.effective.strftime("%d/%m/%Y") if resolved.effective else "",
                )
                notes.append(Problem("parks", row.row, "province", message))
    return notes


_REFERENCE_KINDS = {"ref:parks": "park", "ref:enterprises": "enterprise", "list:enterprises": "enterprise"}


def _validate_sheet(
    sheet: contract.Sheet, raw: RawSheet, problems: Problems, pools: Mapping[str, set[str]]
) -> list[Row]:
    """Column by column (each distinct value of a repeating column parsed once), then row by row for what needs a
    whole row; the problems reported in row and column order."""
    seen_headers: set[str] = set()
    for key in raw.header:
        if key and key in seen_headers:
            problems.append(Problem(sheet.name, 1, key, Message("err.header_twice")))
        seen_headers.add(key)
    missing = [c.name for c in sheet.columns if c.required and c.name not in seen_headers]
    for name in missing:
        problems.append(Problem(sheet.name, 1, name, Message("err.header_missing")))
    if missing:
        return []

    numbers, rows = map(list, zip(*raw.rows, strict=True)) if raw.rows else ([], [])
    found: list[tuple[int, int, str, Message]] = []  # (row index, column index, column, reason)
    parsed_columns = []
    cells_of = _cells_by_column(rows, [c.name for c in sheet.columns if c.name in seen_headers])
    for position, column in enumerate(sheet.columns):
        parsed, doubtful = _parse_column(column.kind, cells_of.get(column.name) or [None] * len(rows))
        for index in doubtful:
            value = parsed[index]
            if value is _BLANK:
                parsed[index] = None
                if column.required:
                    found.append((index, position, column.name, Message("err.required")))
            else:
                found.append((index, position, column.name, value.message))
        what = _REFERENCE_KINDS.get(column.kind)
        if what and _unknown_references(column.kind, parsed, pools[what]):
            pool = pools[what]
            for index, value in enumerate(parsed):
                for ident in value if value.__class__ is list else () if value is None else (value,):
                    if ident not in pool and not isinstance(ident, _Refused):
                        found.append((index, position, column.name, Message(f"err.unknown_{what}", ident=ident)))
        parsed_columns.append(parsed)

    names = [c.name for c in sheet.columns]
    if not found:
        at_once = _rows_at_once(sheet, numbers, names, parsed_columns)
        if at_once is not None:
            return at_once
    refused_rows = {index for index, _, _, message in found if not message.key.startswith("err.unknown_")}
    key_of = operator.itemgetter(*sheet.key)
    single_key = len(sheet.key) == 1
    result: list[Row] = []
    first_row_of_key: dict[Any, int] = {}
    for index, parsed_row in enumerate(zip(*parsed_columns, strict=True)):
        if index in refused_rows:
            continue
        values = dict(zip(names, parsed_row, strict=True))
        row_no = numbers[index]
        row_problems = _derive(sheet.name, values)
        for column_name, message in row_problems:
            found.append((index, names.index(column_name), column_name, message))
        if row_problems:
            continue
        key = key_of(values)
        first = first_row_of_key.get(key)
        if first is not None:
            message = (
                Message("err.duplicate_id", first=first)
                if single_key
                else Message("err.duplicate_record", columns=", ".join(sheet.key), first=first)
            )
            found.append((index, names.index(sheet.key[0]), sheet.key[0], message))
            continue
        first_row_of_key[key] = row_no
        result.append(Row(sheet.name, row_no, values))
    for index, _, column_name, message in sorted(found, key=lambda f: (f[0], f[1])):
        problems.append(Problem(sheet.name, numbers[index], column_name, message))
    return result


def _cells_by_column(rows: list[dict[str, Any]], names: list[str]) -> dict[str, list[Any]]:
    """Each column's cells, every row visited once for all its columns: a national batch's rows do not stay in the
    processor's caches from one column to the next. Rows that lack a column are read column by column."""
    if len(names) > 1 and rows:
        try:
            columns = zip(*map(operator.itemgetter(*names), rows), strict=True)
            return dict(zip(names, map(list, columns), strict=True))
        except KeyError:
            pass
    return {name: list(map(dict.get, rows, itertools.repeat(name))) for name in names}


def _unknown_references(kind: str, parsed: list[Any], pool: set[str]) -> bool:
    """Whether a reference column may name an id outside `pool`, its distinct values compared at once (a national
    batch's hundred thousand references to a few thousand ids); a list column (an opportunity's enterprises, few
    rows) is looked at value by value."""
    if kind.startswith("list"):
        return True
    return any(v is not None and v not in pool and v.__class__ is not _Refused for v in set(parsed))


@dataclass(frozen=True)
class _Refused:
    message: Message


_BLANK = object()
_REPEATED = ("id", "ref", "enum", "list", "unit", "year", "founding_year", "bool", "vsic", "waste_code", "text")
_LARGEST = sys.float_info.max
_TEXT_OR_NONE = frozenset({str, type(None)})


def _parse_column(kind: str, cells: Sequence[Any]) -> tuple[list[Any], list[int]]:
    """Each cell's typed value, `_BLANK`, or `_Refused` with the reason, and the rows where a value is one of these
    two. Kinds whose values repeat down a sheet (ids, years, units, choices) parse each distinct cell once, keyed by
    type too since 1 == 1.0 == True; numbers already typed as non-negative finite floats pass as they are."""
    parse = parser_for(kind)

    def one(cell: Any) -> Any:
        if cell is None or (cell.__class__ is str and not cell.strip()):
            return _BLANK
        try:
            return parse(cell)
        except CellError as exc:
            return _Refused(exc.message)

    if kind.startswith(_REPEATED):
        if set(map(type, cells)) <= _TEXT_OR_NONE:  # read from text: the cell is its own key
            keys: Sequence[Any] = cells
            table = {cell: one(cell) for cell in set(cells)}
        else:
            keys = list(zip(map(type, cells), cells, strict=True))
            table = {key: one(key[1]) for key in set(keys)}
        if kind.startswith("list"):
            parsed = [list(v) if (v := table[key]).__class__ is list else v for key in keys]
        else:
            parsed = list(map(table.__getitem__, keys))
        if not any(v.__class__ is _Refused or v is _BLANK for v in table.values()):
            return parsed, []
        slow: Sequence[int] = range(len(parsed))
    elif kind == "number":
        parsed = list(cells)
        if _all_plain_floats(cells):
            return parsed, []
        slow = [i for i, c in enumerate(cells) if not (c.__class__ is float and 0.0 <= c <= _LARGEST)]
        for index in slow:
            parsed[index] = one(cells[index])
    else:
        parsed = [one(c) for c in cells]
        slow = range(len(parsed))
    return parsed, [i for i in slow if (v := parsed[i]).__class__ is _Refused or v is _BLANK]


def _all_plain_floats(cells: Sequence[Any]) -> bool:
    """Whether every cell is already a non-negative finite float (numbers a program wrote), judged in C."""
    return (
        bool(cells)
        and set(map(type, cells)) == {float}
        and min(cells) >= 0.0
        and max(cells) <= _LARGEST
        and not any(map(math.isnan, cells))
    )


_CANONICAL_COLUMN: dict[str, tuple[str, tuple[units.Dimension, ...]]] = {
    "water": ("volume_m3", ("volume",)),
    "materials": ("mass_t", ("mass",)),
    "waste": ("mass_t", ("mass",)),
}
_PRODUCT_DIMENSIONS: tuple[units.Dimension, ...] = ("mass", "volume", "count", "area", "energy", "length")
_CHECKED_ACROSS_CELLS = {"production", "waste", "opportunities"}


def _rows_at_once(
    sheet: contract.Sheet, numbers: list[int], names: list[str], columns: list[list[Any]]
) -> list[Row] | None:
    """The rows of a sheet whose every cell was read, built together: quantities converted with one factor per
    distinct unit (the same product `_derive` computes), keys compared as a set. None when some row must be looked
    at alone (a unit that does not fit, a check across cells, a key twice): the row-by-row pass says which and why."""
    rows = list(map(dict, map(zip, itertools.repeat(names), zip(*columns, strict=True))))
    try:
        if sheet.name == "energy":
            pairs = list(map(operator.itemgetter("carrier", "unit"), rows))
            gj = {pair: units.carrier_gj_per_unit(*pair) for pair in set(pairs)}
            for values, pair in zip(rows, pairs, strict=True):
                values["energy_gj"] = values["quantity"] * gj[pair]
        elif sheet.name in _CANONICAL_COLUMN:
            column, allowed = _CANONICAL_COLUMN[sheet.name]
            factor = {unit: units.canonical_factor(unit, allowed)[0] for unit in {r["unit"] for r in rows}}
            for values in rows:
                values[column] = values["quantity"] * factor[values["unit"]]
        elif sheet.name == "production":
            found = {unit: units.canonical_factor(unit, _PRODUCT_DIMENSIONS) for unit in {r["unit"] for r in rows}}
            for values in rows:
                multiplier, dimension = found[values["unit"]]
                values["canonical_quantity"] = values["quantity"] * multiplier
                values["canonical_unit"] = units.CANONICAL[dimension]
    except units.UnitError:
        return None
    if sheet.name in _CHECKED_ACROSS_CELLS and any(_checks(sheet.name, values) for values in rows):
        return None
    if len(set(map(operator.itemgetter(*sheet.key), rows))) != len(rows):
        return None
    return list(map(tuple.__new__, itertools.repeat(Row), zip(itertools.repeat(sheet.name), numbers, rows)))


def _derive(sheet: str, values: dict[str, Any]) -> list[tuple[str, Message]]:
    """Canonical quantities and the checks that need more than one cell; returns (column, reason) pairs."""
    try:
        if sheet == "energy":
            energy = units.carrier_energy(values["carrier"], values["quantity"], values["unit"])
            values["energy_gj"] = energy.gj
        elif sheet in _CANONICAL_COLUMN:
            column, allowed = _CANONICAL_COLUMN[sheet]
            values[column], _ = units.to_canonical(values["quantity"], values["unit"], allowed)
        elif sheet == "production":
            quantity, dimension = units.to_canonical(values["quantity"], values["unit"], _PRODUCT_DIMENSIONS)
            values["canonical_quantity"] = quantity
            values["canonical_unit"] = units.CANONICAL[dimension]
    except units.UnitError as exc:
        return [("unit", exc.message)]
    return _checks(sheet, values)


def _checks(sheet: str, values: dict[str, Any]) -> list[tuple[str, Message]]:
    """The checks of a row that need more than one of its cells."""
    problems: list[tuple[str, Message]] = []
    if sheet == "production" and (values.get("available_to_others") or 0.0) > values["quantity"]:
        problems.append(("available_to_others", Message("err.available_more", quantity=values["quantity"])))
    if sheet == "waste":
        if values["receiver"] is not None and values["receiver"] == values["enterprise_id"]:
            problems.append(("receiver", Message("err.receiver_self")))
        if values["receiver"] is not None and values["fate"] != "exchange":
            problems.append(("receiver", Message("err.receiver_fate")))
    if sheet == "opportunities":
        identified, implemented = values["year_identified"], values["year_implemented"]
        if identified is not None and implemented is not None and implemented < identified:
            message = Message("err.years_order", implemented=implemented, identified=identified)
            problems.append(("year_implemented", message))
        if values["fuel_gj"] and values["fuel"] is None:
            problems.append(("fuel", Message("err.fuel_missing")))
        if values["fuel"] is not None and values["fuel"] in units.ELECTRIC_OR_HEAT:
            problems.append(("fuel", Message("err.fuel_not_fuel", fuel=values["fuel"])))
    return problems


def declared_ids(raw: Mapping[str, RawSheet]) -> KnownIds:
    """The parks and enterprises a workbook declares, even on rows refused for another reason."""
    return KnownIds(_declared(raw, "parks", "park_id"), _declared(raw, "enterprises", "enterprise_id"))


def _declared(raw: Mapping[str, RawSheet], sheet: str, column: str) -> set[str]:
    """Ids a sheet declares, even on rows refused for another reason, so one bad row does not cascade."""
    ids = set()
    for _, cells in raw[sheet].rows if sheet in raw else []:
        with contextlib.suppress(CellError):
            ids.add(parse_id(cells.get(column)))
    return ids

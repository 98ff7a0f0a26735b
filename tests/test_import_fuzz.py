"""Fuzzing the importer: random values and types in every column of every sheet never end in a traceback;
the import either succeeds or lists problems, and a refused import leaves the database exactly as it was."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from eipkit import contract
from eipkit.store import Database, dump
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path, import_rows
from eipkit.workbooks.validate import ImportRejected
from workbooks import small

CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2090, 1, 1)),
    st.sampled_from(
        [
            "",
            " ",
            "E1",
            "E2",
            "P1",
            "2022",
            "1e400",
            "-0",
            "yes",
            "có",
            "t",
            "kWh",
            "Nm3",
            "m3",
            "landfill",
            "exchange",
            "10 02 03",
            "17",
            "electricity_grid",
            "implemented",
            ";",
            "E1;E9",
        ]
    ),
)
COLUMNS = [(sheet.name, column.name) for sheet in contract.sheets().values() for column in sheet.columns]
MUTATIONS = st.lists(st.tuples(st.sampled_from(COLUMNS), st.integers(0, 3), CELLS), min_size=1, max_size=12)
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def mutate(mutations: list[tuple[tuple[str, str], int, Any]]) -> dict[str, list[dict[str, Any]]]:
    rows = small()
    for (sheet, column), index, value in mutations:
        sheet_rows = rows[sheet]
        if index >= len(sheet_rows):
            sheet_rows.append(dict(sheet_rows[0]))
            index = len(sheet_rows) - 1
        sheet_rows[index][column] = value
    return rows


def import_or_refuse(database: Database, run: Any) -> None:
    before = dump(database)
    try:
        run()
    except ImportRejected as rejected:
        assert rejected.problems
        assert all(p.sheet in contract.sheets() and p.reason for p in rejected.problems)
        assert dump(database) == before


@FUZZ
@given(mutations=MUTATIONS)
def test_random_cells_in_memory(database: Database, mutations: list) -> None:
    import_or_refuse(database, lambda: import_rows(database, mutate(mutations), source="fuzz"))


def _csv_text(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=MUTATIONS)
def test_random_cells_through_csv_files(database: Database, tmp_path_factory: Any, mutations: list) -> None:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    rows = {
        name: [{k: _csv_text(v) for k, v in row.items()} for row in sheet_rows]
        for name, sheet_rows in mutate(mutations).items()
    }
    workbook.write_csv_folder(folder, rows)
    import_or_refuse(database, lambda: import_path(database, folder))


def _xlsx_cell(value: Any) -> Any:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutations=MUTATIONS)
def test_random_cells_through_xlsx_files(database: Database, tmp_path_factory: Any, mutations: list) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "fuzz.xlsx"
    rows = {
        name: [{k: _xlsx_cell(v) for k, v in row.items()} for row in sheet_rows]
        for name, sheet_rows in mutate(mutations).items()
    }
    workbook.write(path, rows)
    import_or_refuse(database, lambda: import_path(database, path))


@given(st.lists(st.floats() | st.integers(-5, 5) | st.none(), max_size=30))
def test_a_number_column_flags_exactly_its_cells_that_are_not_non_negative_numbers(cells: list[Any]) -> None:
    from eipkit.workbooks import validate

    parsed, doubtful = validate._parse_column("number", cells)
    assert doubtful == [i for i, c in enumerate(cells) if c is None or not 0 <= c <= sys.float_info.max]
    assert all(parsed[i] == float(c) for i, c in enumerate(cells) if i not in doubtful)

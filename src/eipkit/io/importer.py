"""Importing a workbook or CSV folder into the store: all of it, or nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from eipkit.i18n import Message
from eipkit.io import workbook
from eipkit.io.validate import ImportRejected, Problem, ValidWorkbook, validate
from eipkit.store import Database, repository


@dataclass(frozen=True)
class ImportResult:
    source: str
    counts: dict[str, dict[str, int]]
    notes: tuple[Problem, ...] = ()  # accepted, but changed: a province filed under the unit in force

    @property
    def rows(self) -> int:
        return sum(c["inserted"] + c["updated"] for c in self.counts.values())


Check = Callable[[ValidWorkbook, Session], list[Problem]]


def import_path(
    database: Database,
    path: str | Path,
    progress: Callable[[str], None] | None = None,
    check: Check | None = None,
    source: str | None = None,
    limits: workbook.Limits = workbook.NO_LIMITS,
) -> ImportResult:
    """Validate every row, then store them in one transaction; on any problem nothing is written.

    Raises ImportRejected with the problems (sheet, row, column, reason), including a file that cannot be read
    at all or exceeds `limits`. `check` may refuse valid rows too (e.g. rows the importing user may not write);
    `source` names the import in the log and in messages when the path does not (an upload saved under a
    temporary name, which no message reveals).
    """
    step = progress or (lambda _message: None)
    step("read")
    try:
        raw = workbook.read(path, limits, shown=source)
    except workbook.WorkbookError as exc:
        raise ImportRejected([Problem("(file)", 0, "", exc.message)]) from exc
    return _store(database, raw, source or str(path), step, check)


def import_rows(
    database: Database,
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    source: str,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Rows built in memory (sheet -> list of column -> cell), checked exactly as a workbook would be."""
    raw = {}
    for name, sheet_rows in rows.items():
        header = list(dict.fromkeys(k for row in sheet_rows for k in row))
        numbered = [(n, dict(row)) for n, row in enumerate(sheet_rows, start=workbook.FIRST_DATA_ROW)]
        raw[name] = workbook.RawSheet(name, header, numbered)
    return _store(database, raw, source, progress or (lambda _message: None))


def _store(
    database: Database,
    raw: dict[str, workbook.RawSheet],
    source: str,
    step: Callable[[str], None],
    check: Check | None = None,
) -> ImportResult:
    try:
        with database.transaction() as session:
            step("validate")
            valid = validate(raw, repository.known_ids(session))
            refused = check(valid, session) if check else []
            if refused:
                raise ImportRejected(refused)
            step("store")
            counts = repository.save(session, valid, source=source)
    except DBAPIError as exc:
        # Validation should leave nothing for the database to refuse; if it does, the transaction is rolled
        # back and the user still gets a reason rather than a traceback.
        detail = str(exc.orig).strip().splitlines()[0]
        raise ImportRejected([Problem("(database)", 0, "", Message("err.database", detail=detail))]) from exc
    return ImportResult(source, counts, tuple(valid.notes))

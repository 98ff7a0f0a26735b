"""Importing a workbook or CSV folder into the store: all of it, or nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eipkit.io import workbook
from eipkit.io.validate import ImportRejected, Problem, validate
from eipkit.store import Database, repository


@dataclass(frozen=True)
class ImportResult:
    source: str
    counts: dict[str, dict[str, int]]

    @property
    def rows(self) -> int:
        return sum(c["inserted"] + c["updated"] for c in self.counts.values())


def import_path(
    database: Database, path: str | Path, progress: Callable[[str], None] | None = None
) -> ImportResult:
    """Validate every row, then store them in one transaction; on any problem nothing is written.

    Raises ImportRejected with every problem (sheet, row, column, reason), or WorkbookError when the file
    cannot be read at all.
    """
    step = progress or (lambda _message: None)
    step("read")
    try:
        raw = workbook.read(path)
    except workbook.WorkbookError as exc:
        raise ImportRejected([Problem("(file)", 0, "", str(exc))]) from exc
    with database.transaction() as session:
        step("validate")
        valid = validate(raw, repository.known_ids(session))
        step("store")
        counts = repository.save(session, valid, source=str(path))
    return ImportResult(str(path), counts)

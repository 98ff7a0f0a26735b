"""Importing a workbook or CSV folder into the store: all of it, or nothing."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from eipkit.i18n import Message
from eipkit.store import Database, repository, state
from eipkit.store.schema import Enterprise
from eipkit.workbooks import workbook
from eipkit.workbooks.validate import ImportRejected, KnownIds, Problem, ValidWorkbook, declared_ids, validate

RECORD_SHEETS = ("energy", "water", "materials", "waste", "production")


@dataclass(frozen=True)
class ImportResult:
    source: str
    counts: dict[str, dict[str, int]]
    notes: tuple[Problem, ...] = ()  # accepted, but changed: a province filed under the unit in force

    @property
    def rows(self) -> int:
        return sum(c["inserted"] + c["updated"] for c in self.counts.values())


Check = Callable[[ValidWorkbook, Session], list[Problem]]


class _CollectionPaused(contextlib.ContextDecorator):
    """Python's cyclic garbage collector paused while an import runs. An import builds rows by the million that
    live until it ends, and each full collection walks every one of them again: the national load spent 8 of its
    21 s there (`benchmarks/national_load.py`). Rows, cells and parsed values form no reference cycles, so nothing
    is left for the collector meanwhile; it resumes, with its usual thresholds, when the last import running in the
    process ends (imports may overlap in the web application's threads)."""

    _lock = threading.Lock()
    _running = 0
    _was_enabled = False

    def __enter__(self) -> None:
        with _CollectionPaused._lock:
            if _CollectionPaused._running == 0:
                _CollectionPaused._was_enabled = gc.isenabled()
                gc.disable()
            _CollectionPaused._running += 1

    def __exit__(self, *exc: object) -> None:
        with _CollectionPaused._lock:
            _CollectionPaused._running -= 1
            if _CollectionPaused._running == 0 and _CollectionPaused._was_enabled:
                gc.enable()


_collection_paused = _CollectionPaused()


@_collection_paused
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


@_collection_paused
def import_rows(
    database: Database,
    rows: Mapping[str, Sequence[Mapping[str, Any]]],
    source: str,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Rows built in memory (sheet -> list of column -> cell), checked exactly as a workbook would be."""
    return _store(database, _raw_sheets(rows), source, progress or (lambda _message: None))


@_collection_paused
def import_batches(
    database: Database,
    batches: Iterable[Mapping[str, Sequence[Mapping[str, Any]]]],
    source: str,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Rows too many to hold at once (a national dataset generated a few parks at a time), stored in one
    transaction: each batch checked as a workbook would be, its references against what is stored and what the
    batches before it declared, and stored in bulk. A refused batch stops the storing, the remaining batches are
    still checked so that every problem is reported, and nothing is kept."""
    step = progress or (lambda _message: None)
    counts: dict[str, dict[str, int]] = {}
    notes: list[Problem] = []
    problems: list[Problem] = []
    total = 0
    numbered: dict[str, int] = {}

    def store(session: Session, valid: ValidWorkbook, stored: repository.Stored) -> None:
        state.changes_parks(session, _parks_changed(session, valid.values()))
        for sheet, done in repository.save(session, valid.values(), source, stored, log=False).items():
            into = counts.setdefault(sheet, {"inserted": 0, "updated": 0})
            for key, value in done.items():
                into[key] += value

    try:
        with (
            database.transaction() as session,
            repository.first_load(session) as keys_set_aside,
            _Storer(in_line=keys_set_aside) as storer,
        ):
            stored = repository.stored_ids(session)
            known = KnownIds(set(stored.parks), set(stored.enterprises))
            for number, rows in enumerate(batches, start=1):
                step(f"validate {number}")
                raw = _raw_sheets(rows, numbered)
                declared = declared_ids(raw)  # later batches may refer to these, whether or not this one is refused
                try:
                    valid = validate(raw, known)
                except ImportRejected as exc:
                    problems.extend(exc.problems)
                    total += exc.total
                    valid = None
                known = KnownIds(known.parks | declared.parks, known.enterprises | declared.enterprises)
                if valid is None:
                    continue
                notes.extend(valid.notes)
                if not problems:
                    step(f"store {number}")
                    storer.submit(store, session, valid, stored)
            storer.wait()
            if problems:
                raise ImportRejected(problems, total)
            repository.log_import(session, source, counts)
            if keys_set_aside:
                step("build keys")
    except DBAPIError as exc:
        raise _refused_by_database(exc) from exc
    return ImportResult(source, counts, tuple(notes))


class _Storer:
    """Stores one batch on a second thread while the next is checked: the database's work on a batch (index
    insertions, key checks) overlaps the next batch's validation instead of waiting for it. One batch at a time, in
    order; the session is used by that thread alone until `wait` returns.

    `in_line` stores each batch on the calling thread: when the keys are built after the load, only the sending of
    the batch's COPYs goes to a thread of its own (`repository.first_load`), which waits on the server and hardly
    needs the interpreter lock; a thread that also builds and formats the rows fights the checking thread for it
    (the national load measured 43 s with such a thread, 38 s without, in an earlier version)."""

    def __init__(self, in_line: bool = False) -> None:
        self._pool = None if in_line else ThreadPoolExecutor(1, thread_name_prefix="eipkit-store")
        self._pending: Future[None] | None = None

    def submit(self, store: Callable[..., None], *args: Any) -> None:
        if self._pool is None:
            store(*args)
            return
        self.wait()
        self._pending = self._pool.submit(store, *args)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def __enter__(self) -> _Storer:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._pending is not None:
                self._pending.exception()  # the transaction must not end while a batch is being written
        finally:
            if self._pool is not None:
                self._pool.shutdown()


def _raw_sheets(
    rows: Mapping[str, Sequence[Mapping[str, Any]]], numbered: dict[str, int] | None = None
) -> dict[str, workbook.RawSheet]:
    """Rows built in memory as sheets read from a workbook; `numbered` carries each sheet's row numbers on from
    one batch to the next, so that a problem names the row of the whole dataset."""
    numbered = {} if numbered is None else numbered
    raw = {}
    for name, sheet_rows in rows.items():
        first = numbered.get(name, workbook.FIRST_DATA_ROW)
        cells = [row if row.__class__ is dict else dict(row) for row in sheet_rows]
        header = list(cells[0]) if cells else []
        # the columns of every row, gathered in C; a column the first row lacks comes after, in name order
        header += sorted(set().union(*cells) - set(header))
        raw[name] = workbook.RawSheet(name, header, list(enumerate(cells, start=first)))
        numbered[name] = first + len(sheet_rows)
    return raw


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
            stored = repository.stored_ids(session)
            valid = validate(raw, KnownIds(stored.parks, stored.enterprises))
            refused = check(valid, session) if check else []
            if refused:
                raise ImportRejected(refused)
            step("store")
            state.changes_parks(session, _parks_changed(session, valid.values()))
            counts = repository.save(session, valid.values(), source, stored)
    except DBAPIError as exc:
        raise _refused_by_database(exc) from exc
    return ImportResult(source, counts, tuple(valid.notes))


def _parks_changed(session: Session, sheets: Mapping[str, Sequence[Mapping[str, Any]]]) -> set[str]:
    """The parks whose figures these rows change: theirs, and those of the enterprises they are about."""
    park_of = {row["enterprise_id"]: row["park_id"] for row in sheets.get("enterprises", ())}
    parks = {row["park_id"] for name in ("parks", "opportunities") for row in sheets.get(name, ())}
    mentioned = {row["enterprise_id"] for name in RECORD_SHEETS for row in sheets.get(name, ())}
    for row in sheets.get("opportunities", ()):
        mentioned.update(row.get("enterprise_ids") or ())
    elsewhere = sorted(mentioned - park_of.keys())
    for start in range(0, len(elsewhere), 5000):
        chunk = elsewhere[start : start + 5000]
        query = select(Enterprise.enterprise_id, Enterprise.park_id).where(Enterprise.enterprise_id.in_(chunk))
        park_of.update((enterprise, park) for enterprise, park in session.execute(query))
    return parks | set(park_of.values())


def _refused_by_database(exc: DBAPIError) -> ImportRejected:
    """Validation should leave nothing for the database to refuse; if it does, the transaction is rolled back and
    the user still gets a reason rather than a traceback."""
    detail = str(exc.orig).strip().splitlines()[0]
    return ImportRejected([Problem("(database)", 0, "", Message("err.database", detail=detail))])

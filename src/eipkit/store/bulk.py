"""Many rows written at once: PostgreSQL's COPY, or one prepared statement run over every row on SQLite.

Both run on the caller's connection, inside its transaction, so a bulk write is still all or nothing (also when
the COPYs are sent from a second thread, `copies_sent_aside`).
"""

from __future__ import annotations

import datetime as dt
import io
import operator
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.copy import Copy, FileWriter
from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    Float,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    event,
    exists,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine


def columns_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every column any row sets, in first-seen order (rows that leave one out write NULL)."""
    return list(dict.fromkeys(column for row in rows for column in row))


def _table_of(rows: Sequence[dict[str, Any]]) -> tuple[list[str], Iterable[Sequence[Any]]]:
    """The columns any row sets and each row's values in their order, a row without a column giving NULL. Rows of
    one length that all hold the first row's columns (checked rows of one sheet do) hold nothing else: their values
    are picked without looking at each key."""
    first = list(rows[0]) if rows else []
    if len(first) > 1 and len(set(map(len, rows))) == 1:
        try:
            return first, list(map(operator.itemgetter(*first), rows))
        except KeyError:
            pass
    columns = columns_of(rows)
    return columns, ([row.get(c) for c in columns] for row in rows)


def insert_rows(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    columns, values = _table_of(rows)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection.connection.driver_connection, table, columns, values, session.info.get(_ASIDE))
    else:
        _insert_many(connection, table, columns, values)


# Column types COPY writes in PostgreSQL's binary format (about three times the text format's rate, client and
# server together), and the Python types each takes exactly as the text format would.
_BINARY: dict[type[TypeEngine[Any]], tuple[str, frozenset[type]]] = {
    String: ("text", frozenset({str})),
    Text: ("text", frozenset({str})),
    Integer: ("int4", frozenset({int})),
    Float: ("float8", frozenset({float, int})),
    Boolean: ("bool", frozenset({bool})),
    Date: ("date", frozenset({dt.date})),
}


def _copy(
    driver: Any, table: Any, columns: list[str], rows: Iterable[Sequence[Any]], aside: _CopiesAside | None = None
) -> None:
    rows = rows if isinstance(rows, list) else list(rows)
    binary = _binary_types(table, columns, rows)
    statement = sql.SQL("COPY {} ({}) FROM STDIN{}").format(
        sql.Identifier(table.name),
        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        sql.SQL(" (FORMAT BINARY)" if binary else ""),
    )
    try:
        if aside is not None:
            aside.submit(statement, _formatted(driver, rows, binary))
            return
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            _write_rows(copy, rows, binary)
    except psycopg.Error as exc:
        raise _as_dbapi_error(driver, statement, exc) from exc


def _write_rows(copy: Copy, rows: list[Sequence[Any]], binary: list[str] | None) -> None:
    if binary:
        copy.set_types(binary)
    for values in rows:
        copy.write_row(values)


def _as_dbapi_error(driver: Any, statement: sql.Composable, exc: psycopg.Error) -> StatementError:
    """The driver's own error, as SQLAlchemy would have raised it for any statement."""
    return DBAPIError.instance(statement.as_string(driver), None, exc, psycopg.Error)


def _formatted(driver: Any, rows: list[Sequence[Any]], binary: list[str] | None) -> memoryview:
    """The rows in COPY's own format, ready to send (psycopg's formatter writing to memory, no statement run)."""
    data = io.BytesIO()
    with driver.cursor() as cursor, Copy(cursor, binary=binary is not None, writer=FileWriter(data)) as copy:
        _write_rows(copy, rows, binary)
    return data.getbuffer()


class _CopiesAside:
    """COPY statements sent one after the other on a thread of their own, their rows already formatted: the thread
    only waits on the server, so it hardly contends with the caller for the interpreter lock (a thread that also
    built and formatted the rows made the national load slower, not faster)."""

    PENDING = 8  # statements formatted and not yet sent, at most: a bound on the memory they hold

    def __init__(self, driver: Any) -> None:
        self._driver = driver
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="eipkit-copy")
        self._pending: deque[Future[None]] = deque()

    def submit(self, statement: sql.Composable, data: memoryview) -> None:
        if len(self._pending) >= self.PENDING:
            self._pending.popleft().result()
        self._pending.append(self._thread.submit(self._send, statement, data))

    def _send(self, statement: sql.Composable, data: memoryview) -> None:
        try:
            with self._driver.cursor() as cursor, cursor.copy(statement) as copy:
                copy.write(data)
        except psycopg.Error as exc:
            raise _as_dbapi_error(self._driver, statement, exc) from exc

    def wait(self, *_event: Any) -> None:
        """Until every COPY submitted has been stored; raises the first one's error."""
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        for pending in self._pending:
            pending.exception()  # a failure is already on its way up; the transaction must not end mid-COPY
        self._thread.shutdown()


_ASIDE = "eipkit_copies_aside"


@contextmanager
def copies_sent_aside(session: Session) -> Iterator[None]:
    """Within the block, `insert_rows` on PostgreSQL formats the rows and hands the COPY to a second thread, which
    waits for the server while the caller goes on (checking the next batch of a national load: the server's share
    of the COPYs then no longer adds to the load's time). Every other statement the session runs first waits for
    the COPYs handed over, so it sees their rows and the order of writes holds; a COPY the server refuses raises
    there, or when the block ends. Same transaction, still all or nothing. On SQLite, nothing changes."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    aside = _CopiesAside(connection.connection.driver_connection)
    session.info[_ASIDE] = aside
    event.listen(connection, "before_cursor_execute", aside.wait)
    try:
        yield
        aside.wait()
    finally:
        event.remove(connection, "before_cursor_execute", aside.wait)
        del session.info[_ASIDE]
        aside.close()


def _binary_types(table: Any, columns: list[str], rows: list[Sequence[Any]]) -> list[str] | None:
    """The columns' type names for a binary COPY, or None where a column's type or one of its values has no exact
    binary form here (the text format then takes the rows as they are)."""
    names = []
    for column, values in zip(columns, zip(*rows, strict=True), strict=True):
        binary = _BINARY.get(type(table.c[column].type))
        if binary is None or not set(map(type, values)) - {type(None)} <= binary[1]:
            return None
        if binary[0] == "int4":
            given = [v for v in values if v is not None]
            if given and not (min(given) >= _INT4_LEAST and max(given) <= _INT4_MOST):
                return None  # out of range: the server refuses it, with its reason, in the text format
        names.append(binary[0])
    return names


_INT4_LEAST, _INT4_MOST = -(2**31), 2**31 - 1


def _insert_many(connection: Connection, table: Any, columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
    """The driver's own executemany, past SQLAlchemy's per-statement work; values still pass through each column
    type's conversion (dates and times as SQLAlchemy stores them on SQLite)."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    converters = [(i, f) for i, c in enumerate(columns) if (f := table.c[c].type.bind_processor(dialect))]

    def converted(values: Sequence[Any]) -> Sequence[Any]:
        if not converters:
            return values
        found = list(values)
        for i, convert in converters:
            if found[i] is not None:
                found[i] = convert(found[i])
        return found

    driver: Any = connection.connection.driver_connection
    driver.executemany(statement, map(converted, rows))


def update_rows(session: Session, table: Any, key: str, rows: Sequence[dict[str, Any]]) -> None:
    """Each row's values written over the stored row whose `key` column equals the row's `key`."""
    if not rows:
        return
    columns = [c for c in columns_of(rows) if c != key]
    statement = update(table).where(table.c[key] == bindparam("_key")).values({c: bindparam(c) for c in columns})
    session.execute(statement, [{"_key": row[key], **{c: row.get(c) for c in columns}} for row in rows])


_KEYS = text(
    "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE conrelid = ANY(CAST(:tables AS regclass[])) AND contype IN ('f', 'u') ORDER BY contype, conname"
)
_INDEXES = text(
    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
    " WHERE i.indrelid = ANY(CAST(:tables AS regclass[])) AND NOT i.indisprimary AND NOT EXISTS"
    " (SELECT 1 FROM pg_constraint c WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid)"
    " ORDER BY 1"
)


@contextmanager
def keys_built_after(session: Session, tables: Sequence[Table]) -> Iterator[bool]:
    """A first load into empty tables on PostgreSQL writes them without their foreign keys, unique keys and
    secondary indexes, which are built again once the rows are in, as pg_restore does and PostgreSQL's manual
    advises ("Populating a Database"): one sort or one join per key instead of an index insertion and a
    foreign-key check per row. Primary keys stay. All of it runs in the caller's transaction: a failure leaves the
    keys as they were, and rows that break a key refuse the whole load when the key is built again. Yields whether
    the keys were set aside; with rows already stored, or on SQLite, the load runs with its keys in place.

    The tables stay locked (ACCESS EXCLUSIVE) until the transaction ends, which on empty tables keeps only readers
    of rows that do not exist yet waiting."""
    connection = session.connection()
    if connection.dialect.name != "postgresql" or any(
        session.scalar(select(exists().select_from(table))) for table in tables
    ):
        yield False
        return
    names = {"tables": [table.name for table in tables]}
    keys = session.execute(_KEYS, names).all()
    indexes = session.execute(_INDEXES, names).all()
    quote = connection.dialect.identifier_preparer.quote
    for table, name, _, _ in keys:  # foreign keys first ('f' sorts before 'u')
        session.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}"))
    for name, _ in indexes:
        session.execute(text(f"DROP INDEX {name}"))
    yield True
    session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _, definition in indexes:
        session.execute(text(definition))
    for table, name, _, definition in reversed(keys):  # unique keys, then the foreign keys that may need them
        session.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}"))

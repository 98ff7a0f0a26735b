"""Many rows written at once: PostgreSQL's COPY, or one prepared statement run over every row on SQLite.

Both run on the caller's connection, inside its transaction, so a bulk write is still all or nothing.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from typing import Any

from psycopg import sql
from sqlalchemy import Connection, bindparam, update
from sqlalchemy.orm import Session


def columns_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every column any row sets, in first-seen order (rows that leave one out write NULL)."""
    first = rows[0].keys() if rows else {}.keys()
    if all(row.keys() == first for row in rows):  # checked rows of one sheet all set the same columns
        return list(first)
    return list(dict.fromkeys(column for row in rows for column in row))


def _values_of(rows: Sequence[dict[str, Any]], columns: list[str]) -> Iterable[Sequence[Any]]:
    """Each row's values in `columns`' order; a row without a column gives NULL."""
    if len(columns) > 1 and all(len(row) == len(columns) for row in rows):
        pick = operator.itemgetter(*columns)  # every row sets exactly these columns
        return map(pick, rows)
    return ([row.get(c) for c in columns] for row in rows)


def insert_rows(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = columns_of(rows)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _copy(connection.connection.driver_connection, table, columns, rows)
    else:
        _insert_many(connection, table, columns, rows)


def _copy(driver: Any, table: Any, columns: list[str], rows: Sequence[dict[str, Any]]) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for values in _values_of(rows, columns):
            copy.write_row(values)


def _insert_many(connection: Connection, table: Any, columns: list[str], rows: Sequence[dict[str, Any]]) -> None:
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
    driver.executemany(statement, map(converted, _values_of(rows, columns)))


def update_rows(session: Session, table: Any, key: str, rows: Sequence[dict[str, Any]]) -> None:
    """Each row's values written over the stored row whose `key` column equals the row's `key`."""
    if not rows:
        return
    columns = [c for c in columns_of(rows) if c != key]
    statement = update(table).where(table.c[key] == bindparam("_key")).values({c: bindparam(c) for c in columns})
    session.execute(statement, [{"_key": row[key], **{c: row.get(c) for c in columns}} for row in rows])

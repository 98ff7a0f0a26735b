"""Loading the synthetic national dataset (436 parks, about 30,000 enterprises, 1.4 million rows) through
`eipkit demo --national`'s entry point: every batch checked as a workbook would be, stored in bulk (COPY on
PostgreSQL), all in one transaction.

Reference run, in the same process and the same database: a plain COPY (PostgreSQL) or one prepared INSERT over
every row (SQLite) of the same rows into empty tables of text columns, with no checks, no conversion, no keys,
once before the load and once after it; their mean is the reference (a shared machine's speed drifts by 20 % and
more within a minute, and the load sits between the two). The dataset is generated before any clock starts.
Goal on PostgreSQL: at least 100,000 rows/s and at least half the plain COPY's rate.

    python benchmarks/national_load.py [--db URL]      (default: a new PostgreSQL database on 127.0.0.1)
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from eipkit.demo import national
from eipkit.store import Database, connect

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def plain_copy(database: Database, batches: list[dict[str, list[dict[str, Any]]]]) -> float:
    """The same rows into bare text tables: the floor any loader stands on."""
    columns = {}
    for batch in batches:
        for sheet, rows in batch.items():
            known = columns.setdefault(sheet, {})
            for row in rows:
                known.update(dict.fromkeys(row))
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for sheet, names in columns.items():
            cursor.execute(f'DROP TABLE IF EXISTS "copy_{sheet}"')
            cursor.execute(f'CREATE TABLE "copy_{sheet}" ({", ".join(f"{c} TEXT" for c in names)})')
        raw.commit()
        postgres = database.engine.dialect.name == "postgresql"
        start = time.perf_counter()
        for batch in batches:
            for sheet, rows in batch.items():
                names = list(columns[sheet])
                values = [[None if (v := row.get(c)) is None else str(v) for c in names] for row in rows]
                if postgres:
                    with cursor.copy(f'COPY "copy_{sheet}" ({", ".join(names)}) FROM STDIN') as copy:
                        for value in values:
                            copy.write_row(value)
                else:
                    marks = ", ".join("?" * len(names))
                    cursor.executemany(f'INSERT INTO "copy_{sheet}" VALUES ({marks})', values)
        raw.commit()
        took = time.perf_counter() - start
        for sheet in columns:
            cursor.execute(f'DROP TABLE "copy_{sheet}"')
        raw.commit()
        return took
    finally:
        raw.close()


def run(url: str) -> None:
    start = time.perf_counter()
    batches = list(national.batches())
    generated = time.perf_counter() - start
    rows = sum(len(r) for batch in batches for r in batch.values())
    print(f"generated {rows:,} rows in {len(batches)} batches in {generated:.1f} s (not counted below)")
    database = connect(url)
    copy_before = plain_copy(database, batches)
    start = time.perf_counter()
    loaded = national.load(database, rows=batches)
    seconds = time.perf_counter() - start
    print(f"loaded {loaded.parks} parks, {loaded.enterprises:,} enterprises into {database.url} in {seconds:.1f} s")
    copy_after = plain_copy(database, batches)
    copy_s = (copy_before + copy_after) / 2
    plain = "COPY" if database.engine.dialect.name == "postgresql" else "INSERT"
    print(f"plain {plain} of the same rows: {copy_before:.1f} s before the load, {copy_after:.1f} s after it")
    print(
        f"RESULT rows={rows} seconds={seconds:.1f} rows_per_s={rows / seconds:.0f} "
        f"copy_rows_per_s={rows / copy_s:.0f} ratio_vs_copy={copy_s / seconds:.2f}"
    )
    database.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="a database URL or SQLite file (default: a new PostgreSQL database)")
    args = parser.parse_args()
    if args.db:
        run(args.db if "://" in args.db else f"sqlite:///{Path(args.db)}")
        return
    admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
    name = f"eipkit_national_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server: measure on a SQLite file instead
        print(f"no PostgreSQL ({exc.__class__.__name__}): SQLite instead")
        run(f"sqlite:///{Path(tempfile.mkdtemp()) / 'national.db'}")
        return
    try:
        run(make_url(SERVER).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()

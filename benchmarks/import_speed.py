"""Import speed and memory: a workbook of at least 10,000 rows (the first parks of the national dataset) into
SQLite and PostgreSQL, through `eipkit import`'s entry point (read, check, convert, store in one transaction).

Reference run, in the same process: the reader (python-calamine) reading every cell of the same file, which any
importer must do; the ratio says what validation, unit conversion and storage add on top. Target: under 1 s.

    python benchmarks/import_speed.py [--postgres URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path

from python_calamine import CalamineWorkbook
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from eipkit.demo import national
from eipkit.store import connect
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path


def seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def peak_mib(run: Callable[[], object]) -> float:
    """Peak memory traced by Python during one call (timed apart: tracing slows the code down)."""
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def read_every_cell(path: Path) -> int:
    book = CalamineWorkbook.from_path(str(path))
    return sum(len(row) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python())


def workbook_rows(at_least: int) -> dict[str, list[dict]]:
    """The national dataset's first parks, whole, until there are `at_least` rows."""
    rows: dict[str, list[dict]] = {}
    for batch in national.batches(parks_per_batch=1):
        for sheet, sheet_rows in batch.items():
            rows.setdefault(sheet, []).extend(sheet_rows)
        if sum(len(r) for r in rows.values()) >= at_least:
            return rows
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="eipkit-bench-"))
    rows = workbook_rows(10_000)
    path = workbook.write(folder / "parks.xlsx", rows)
    n_rows = sum(len(r) for r in rows.values())

    reference_s = seconds(lambda: read_every_cell(path))
    reference_mib = peak_mib(lambda: read_every_cell(path))
    print(f"rows={n_rows} file_mib={path.stat().st_size / 2**20:.2f}")
    print(f"reference calamine read of every cell: {reference_s:.2f} s, peak {reference_mib:.1f} MiB")

    sqlite = connect(f"sqlite:///{folder / 'bench.db'}")
    took = seconds(lambda: import_path(sqlite, path))
    again = seconds(lambda: import_path(sqlite, path))
    peak = peak_mib(lambda: import_path(connect(f"sqlite:///{folder / 'memory.db'}"), path))
    print(
        f"import sqlite: {took:.2f} s, {n_rows / took:,.0f} rows/s, peak {peak:.1f} MiB, "
        f"ratio_vs_read={took / reference_s:.2f}"
    )
    print(f"re-import sqlite (all updates): {again:.2f} s, ratio_vs_read={again / reference_s:.2f}")
    result = f"RESULT rows={n_rows} seconds={took:.3f} rows_per_s={n_rows / took:.0f} reader_s={reference_s:.3f} "
    result += f"ratio_vs_reader={took / reference_s:.2f} reimport_s={again:.3f}"

    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    name = f"eipkit_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # a benchmark without a server still reports SQLite
        print(f"postgresql skipped: {exc.__class__.__name__}")
        print(result)
        return
    try:
        url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
        postgres = connect(url)
        took = seconds(lambda: import_path(postgres, path))
        print(f"import postgresql: {took:.2f} s, {n_rows / took:,.0f} rows/s, ratio_vs_read={took / reference_s:.2f}")
        result += f" postgresql_s={took:.3f}"
        postgres.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(result)


if __name__ == "__main__":
    main()

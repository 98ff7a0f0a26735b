"""Import speed and memory: the demo workbook (about 9,000 rows) into SQLite and PostgreSQL.

Reference run, in the same process: openpyxl reading every cell of the same file, which any importer must do;
the ratio says what validation, unit conversion and storage add on top.

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

from openpyxl import load_workbook
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from eipkit import demo
from eipkit.io import workbook
from eipkit.io.importer import import_path
from eipkit.store import connect


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
    book = load_workbook(path, read_only=True, data_only=True)
    cells = sum(1 for ws in book.worksheets for row in ws.iter_rows(values_only=True) for _ in row)
    book.close()
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="eipkit-bench-"))
    rows = demo.rows()
    path = workbook.write(folder / "demo.xlsx", rows)
    n_rows = sum(len(r) for r in rows.values())

    reference_s = seconds(lambda: read_every_cell(path))
    reference_mib = peak_mib(lambda: read_every_cell(path))
    print(f"rows={n_rows} file_mib={path.stat().st_size / 2**20:.2f}")
    print(f"reference openpyxl read: {reference_s:.2f} s, peak {reference_mib:.1f} MiB")

    sqlite = connect(f"sqlite:///{folder / 'bench.db'}")
    took = seconds(lambda: import_path(sqlite, path))
    again = seconds(lambda: import_path(sqlite, path))
    peak = peak_mib(lambda: import_path(connect(f"sqlite:///{folder / 'memory.db'}"), path))
    print(
        f"import sqlite: {took:.2f} s, {n_rows / took:,.0f} rows/s, peak {peak:.1f} MiB, "
        f"ratio_vs_read={took / reference_s:.2f}"
    )
    print(f"re-import sqlite (all updates): {again:.2f} s, ratio_vs_read={again / reference_s:.2f}")

    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    name = f"eipkit_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # a benchmark without a server still reports SQLite
        print(f"postgresql skipped: {exc.__class__.__name__}")
        return
    try:
        url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
        postgres = connect(url)
        took = seconds(lambda: import_path(postgres, path))
        print(f"import postgresql: {took:.2f} s, {n_rows / took:,.0f} rows/s, ratio_vs_read={took / reference_s:.2f}")
        postgres.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()

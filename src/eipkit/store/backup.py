"""Backing up and restoring the whole database (records, accounts, audit log, applications, assessments, stage
history, settings), online: SQLite through its backup API, PostgreSQL through pg_dump and pg_restore (custom
format), the tools every PostgreSQL administrator already trusts.

A backup is restored into a database of the same kind. After a restore the schema is brought to the latest
migration, so a backup taken by an older eipkit restores into a newer one.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from eipkit.errors import EipkitError
from eipkit.store.database import Database, upgrade

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(EipkitError):
    """A backup or restore that cannot be done, with the reason and what to do."""


def _kind(database: Database) -> str:
    return database.engine.url.get_backend_name()


def _libpq_url(database: Database) -> str:
    return (
        make_url(str(database.engine.url.render_as_string(hide_password=False)))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError("backup.no_tool", tool=name)
    return found


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError("backup.tool_failed", tool=Path(command[0]).name, detail=detail[-1] if detail else "")


def backup(database: Database, out: str | Path) -> Path:
    """Write a consistent copy of the database to `out` while it stays in use."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    if _kind(database) == "sqlite":
        raw = database.engine.raw_connection()
        try:
            target = sqlite3.connect(partial)
            try:
                raw.driver_connection.backup(target)  # type: ignore[union-attr]
            finally:
                target.close()
        finally:
            raw.close()
    elif _kind(database) == "postgresql":
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", _libpq_url(database)])
    else:
        raise BackupError("backup.kind", kind=_kind(database))
    partial.replace(out)
    return out


def restore(database: Database, source: str | Path) -> None:
    """Replace everything in the database by the backup `source` (of the same kind of database)."""
    source = Path(source)
    if not source.is_file():
        raise BackupError("backup.missing", path=source)
    with source.open("rb") as handle:
        head = handle.read(16)
    kind = _kind(database)
    if kind == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError("backup.not_this_kind", path=source, kind="SQLite")
        backup_db = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            tables = {r[0] for r in backup_db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" not in tables:
                raise BackupError("backup.not_eipkit", path=source)
            database.engine.dispose()
            raw = database.engine.raw_connection()
            try:
                backup_db.backup(raw.driver_connection)  # type: ignore[arg-type]
            finally:
                raw.close()
        finally:
            backup_db.close()
    elif kind == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError("backup.not_this_kind", path=source, kind="PostgreSQL (pg_dump --format=custom)")
        database.engine.dispose()
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq_url(database)}",
                str(source),
            ]
        )
    else:
        raise BackupError("backup.kind", kind=kind)
    database.engine.dispose()
    upgrade(database)

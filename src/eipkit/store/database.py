"""Where the data lives: a SQLite file by default, PostgreSQL by URL; the schema is kept by Alembic."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from eipkit.store import state
from eipkit.store.schema import Base

if TYPE_CHECKING:  # Alembic is loaded only when a schema has to change: a command on a current database starts faster
    from alembic.config import Config

DEFAULT_URL = "sqlite:///eipkit.db"
ENV_VAR = "EIPKIT_DB"


def resolve_url(db: str | None = None) -> str:
    """`--db` first, then `EIPKIT_DB`, then ./eipkit.db. A bare path means a SQLite file."""
    url = db or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in url:
        url = f"sqlite:///{Path(url)}"
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


BUSY_TIMEOUT_S = 15.0


_IMMEDIATE = "eipkit_write"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on; write-ahead logging, so readers never wait for a writer; transactions begun by SQLAlchemy
    (see `_sqlite_begin`) rather than by the driver."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """BEGIN IMMEDIATE for a unit of work (`Database.transaction`), a plain deferred BEGIN for reading."""
    immediate = connection.get_execution_options().get(_IMMEDIATE)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def transaction(self, changes_data: bool = True) -> Iterator[Session]:
        """One unit of work: committed whole or rolled back whole. On SQLite it takes the write lock at once
        (BEGIN IMMEDIATE), so two writers queue for the busy timeout instead of one failing when it first writes.
        Unless it only touches accounts or jobs (`changes_data` False), it bumps the data version on its way out,
        so every process's page cache sees the change at its next request."""
        with self.sessions() as session, session.begin():
            session.connection(execution_options={_IMMEDIATE: True})
            yield session
            if changes_data:
                state.bump(session)

    def data_version(self) -> int:
        with self.sessions() as session:
            return state.data_version(session)

    def analyze(self) -> None:
        """The query planner's statistics gathered again (ANALYZE, on PostgreSQL and SQLite alike): after a bulk
        load, as PostgreSQL's manual advises. Autovacuum would gather them later, and never where it is off: the
        national dataset's first readers then waited three to four times as long as later ones."""
        with self.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")

    def is_current(self) -> bool:
        with self.engine.connect() as connection:
            return inspect(connection).has_table("alembic_version")


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("eipkit.store") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def connect(db: str | None = None, migrate: bool = True, busy_timeout_s: float = BUSY_TIMEOUT_S) -> Database:
    """Open the database and bring its schema to the latest migration. On SQLite a second writer waits up to
    `busy_timeout_s` for the first, then fails with "database is locked" (the web answers 503, try again)."""
    url = resolve_url(db)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": busy_timeout_s})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    database = Database(engine, sessionmaker(engine, expire_on_commit=False))
    if migrate:
        upgrade(database)
    return database


@cache
def head_revision() -> str:
    """The newest migration: files are named after their revision (NNNN_what.py), each revising the one before."""
    versions = resources.files("eipkit.store").joinpath("migrations").joinpath("versions")
    return max(p.name[:4] for p in versions.iterdir() if p.name[:4].isdigit() and p.name.endswith(".py"))


def _at_head(database: Database) -> bool:
    try:
        with database.engine.connect() as connection:
            stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return False
    return stored == head_revision()


def upgrade(database: Database) -> None:
    if _at_head(database):
        return
    from alembic import command

    config = alembic_config(str(database.engine.url))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def dump(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of every table, sorted: two equal dumps mean two identical databases."""
    result = {}
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(select(table)).all()
            result[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return result

"""Fixtures: every storage test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from eipkit.store import Database, connect

POSTGRES_ADMIN_URL = os.environ.get("EIPKIT_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _vietnamese_default(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test as on a fresh machine: Vietnamese, ./eipkit.db, and signing keys in a file of the test run's own."""
    monkeypatch.delenv("EIPKIT_LANG", raising=False)
    monkeypatch.delenv("EIPKIT_DB", raising=False)
    monkeypatch.delenv("EIPKIT_SECRET_KEY", raising=False)
    monkeypatch.setenv("EIPKIT_KEY_FILE", str(tmp_path_factory.getbasetemp() / "signing-keys"))


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = connect(f"sqlite:///{tmp_path / 'eipkit.db'}")
    yield database
    database.engine.dispose()


@pytest.fixture
def postgresql_db() -> Iterator[Database]:
    """A fresh PostgreSQL database, dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"eipkit_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    database = connect(url)
    try:
        yield database
    finally:
        database.engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> Database:
    return request.getfixturevalue(f"{request.param}_db")


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo parks and the demo users, loaded once; tests that change data work on a copy."""
    from eipkit import demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = connect(f"sqlite:///{path}")
    demo.load(database)
    demo.add_users(database)
    database.engine.dispose()
    return path


@pytest.fixture
def demo_copy(demo_db_file: Path, tmp_path: Path) -> Iterator[Database]:
    import shutil

    path = tmp_path / "demo.db"
    shutil.copy(demo_db_file, path)
    database = connect(f"sqlite:///{path}")
    yield database
    database.engine.dispose()

"""Where the data lives: URL resolution and the transaction boundary."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Boolean, Column, Date, Float, Integer, MetaData, String, Table, Text, delete, select
from sqlalchemy.exc import DBAPIError

from eipkit.store import Database, bulk, connect, dump, resolve_url
from eipkit.store.schema import Park


def test_database_url_comes_from_the_option_then_the_environment_then_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert resolve_url(None) == "sqlite:///eipkit.db"
    monkeypatch.setenv("EIPKIT_DB", "postgresql://postgres@127.0.0.1:5432/x")
    assert resolve_url(None) == "postgresql+psycopg://postgres@127.0.0.1:5432/x"
    assert resolve_url("data/park.db") == "sqlite:///data/park.db"
    assert resolve_url("sqlite:///other.db") == "sqlite:///other.db"


def test_a_failed_transaction_leaves_nothing_behind(database: Database) -> None:
    before = dump(database)
    with pytest.raises(RuntimeError), database.transaction() as session:
        session.add(Park(park_id="X", name="X", province="Hà Nội", area_ha=1))
        session.flush()
        raise RuntimeError("stop")
    assert dump(database) == before


def test_a_sqlite_file_is_created_where_asked(tmp_path: Path) -> None:
    database = connect(str(tmp_path / "nested.db"))
    assert (tmp_path / "nested.db").exists()
    assert database.is_current()


_BULK = MetaData()
_SAMPLES = Table(
    "bulk_samples",
    _BULK,
    Column("id", Integer, primary_key=True),
    Column("name", String(60)),
    Column("note", Text),
    Column("quantity", Float),
    Column("year", Integer),
    Column("flag", Boolean),
    Column("on", Date),
)
_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)
_ROW = st.fixed_dictionaries(
    {
        "id": st.just(0),
        "name": st.none() | _TEXT,
        "note": st.none() | _TEXT | st.integers(0, 99_999),  # an int in a text column: the rows go as text
        "quantity": st.none() | st.floats(allow_nan=False) | st.integers(-(2**31), 2**31 - 1),
        "year": st.none() | st.integers(-(2**31), 2**31 - 1),
        "flag": st.none() | st.booleans(),
        "on": st.none() | st.dates(),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_ROW, min_size=1, max_size=20))
def test_rows_written_in_bulk_read_back_as_they_were_given(postgresql_db: Database, rows: list[dict]) -> None:
    """COPY in binary where every value has an exact binary form, in text otherwise: the same rows either way."""
    for number, row in enumerate(rows):
        row["id"] = number
    _BULK.create_all(postgresql_db.engine)  # once: the database goes with the test
    with postgresql_db.transaction() as session:
        bulk.insert_rows(session, _SAMPLES, rows)
        stored = [dict(r._mapping) for r in session.execute(select(_SAMPLES).order_by(_SAMPLES.c.id))]
        session.execute(delete(_SAMPLES))
    expected = [r | {"note": None if r["note"] is None else str(r["note"])} for r in rows]
    assert stored == expected


def test_a_value_the_database_refuses_in_bulk_is_its_error_with_the_reason(postgresql_db: Database) -> None:
    _BULK.create_all(postgresql_db.engine)
    with pytest.raises(DBAPIError, match="out of range for type integer"), postgresql_db.transaction() as session:
        bulk.insert_rows(session, _SAMPLES, [{"id": 1, "year": 2**40}])  # too large for the column: said by the server

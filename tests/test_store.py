"""Where the data lives: URL resolution and the transaction boundary."""

import contextlib
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Boolean, Column, Date, Float, Integer, MetaData, String, Table, Text, delete, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from eipkit.store import Database, bulk, connect, dump, resolve_url
from eipkit.store.schema import Enterprise, Park


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


def _written(session: Session, rows: list[dict], aside: bool) -> None:
    with bulk.copies_sent_aside(session) if aside else contextlib.nullcontext():
        bulk.insert_rows(session, _SAMPLES, rows)


@pytest.mark.parametrize("aside", [False, True], ids=["in-line", "sent-aside"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_ROW, min_size=1, max_size=20))
def test_rows_written_in_bulk_read_back_as_they_were_given(
    postgresql_db: Database, rows: list[dict], aside: bool
) -> None:
    """COPY in binary where every value has an exact binary form, in text otherwise: the same rows either way, sent
    by the caller or from a second thread."""
    for number, row in enumerate(rows):
        row["id"] = number
    _BULK.create_all(postgresql_db.engine)  # once: the database goes with the test
    with postgresql_db.transaction() as session:
        _written(session, rows, aside)
        stored = [dict(r._mapping) for r in session.execute(select(_SAMPLES).order_by(_SAMPLES.c.id))]
        session.execute(delete(_SAMPLES))
    expected = [r | {"note": None if r["note"] is None else str(r["note"])} for r in rows]
    assert stored == expected


@pytest.mark.parametrize("aside", [False, True], ids=["in-line", "sent-aside"])
def test_a_value_the_database_refuses_in_bulk_is_its_error_with_the_reason(
    postgresql_db: Database, aside: bool
) -> None:
    _BULK.create_all(postgresql_db.engine)
    with pytest.raises(DBAPIError, match="out of range for type integer"), postgresql_db.transaction() as session:
        _written(session, [{"id": 1, "year": 2**40}], aside)  # too large for the column: said by the server
    with postgresql_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(_SAMPLES)) == 0


def test_copies_sent_aside_go_from_another_thread_in_order_and_are_read_back_at_once(
    postgresql_db: Database,
) -> None:
    """Parks then their enterprises, in more COPYs than may wait at once, foreign keys in place: each enterprise's
    COPY finds its park stored before it; a count read within the block sees every row."""
    parks = [{"park_id": f"P{i}", "name": f"KCN {i}", "province": "Hải Phòng", "area_ha": 10.0 + i} for i in range(12)]
    threads = []
    with postgresql_db.transaction() as session, bulk.copies_sent_aside(session):
        for park in parks:
            bulk.insert_rows(session, Park.__table__, [park])
            enterprises = [
                {
                    "enterprise_id": f"{park['park_id']}-E{j}",
                    "park_id": park["park_id"],
                    "name": "Công ty",
                    "vsic": "2410",
                }
                for j in range(5)
            ]
            bulk.insert_rows(session, Enterprise.__table__, enterprises)
            threads.append({t.name.split("_")[0] for t in threading.enumerate()})
        assert session.scalar(select(func.count()).select_from(Enterprise)) == 12 * 5
        assert session.scalar(select(func.sum(Park.area_ha))) == sum(10.0 + i for i in range(12))
    assert all("eipkit-copy" in names for names in threads)
    assert "eipkit-copy" not in {t.name.split("_")[0] for t in threading.enumerate()}  # gone with the block


def test_a_copy_refused_on_the_other_thread_refuses_the_transaction(postgresql_db: Database) -> None:
    park = {"park_id": "P1", "name": "KCN 1", "province": "Hải Phòng", "area_ha": 10.0}
    stray = {"enterprise_id": "E1", "park_id": "P9", "name": "Công ty", "vsic": "2410"}  # a park never stored
    with (
        pytest.raises(IntegrityError, match="fk_enterprises_park_id_parks"),
        postgresql_db.transaction() as session,
        bulk.copies_sent_aside(session),
    ):
        bulk.insert_rows(session, Park.__table__, [park])
        bulk.insert_rows(session, Enterprise.__table__, [stray])
    with postgresql_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Park)) == 0


def test_analyze_gives_the_planner_the_rows_just_loaded(database: Database) -> None:
    parks = [{"park_id": f"P{i}", "name": f"KCN {i}", "province": "Hà Nội", "area_ha": 1.0} for i in range(7)]
    with database.transaction() as session:
        bulk.insert_rows(session, Park.__table__, parks)
    postgres = database.engine.dialect.name == "postgresql"
    counted = (
        "SELECT reltuples FROM pg_class WHERE relname = 'parks'"
        if postgres
        else "SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE tbl = 'parks' ORDER BY idx LIMIT 1"
    )
    with database.engine.connect() as connection:
        before = connection.exec_driver_sql(counted).scalar() if postgres else None
    database.analyze()
    with database.engine.connect() as connection:
        after = connection.exec_driver_sql(counted).scalar()
    assert before in (None, -1)  # never gathered: the planner guesses
    assert after == len(parks)

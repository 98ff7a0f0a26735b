"""Where the data lives: URL resolution and the transaction boundary."""

from pathlib import Path

import pytest

from eipkit.store import Database, connect, dump, resolve_url
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

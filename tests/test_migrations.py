"""The migrations build exactly the schema the code declares, on both backends."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from eipkit.store import Database
from eipkit.store.database import alembic_config
from eipkit.store.schema import Base


def test_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        # procrastinate's queue (PostgreSQL) is its own schema, created by the same migration
        ours = {"include_name": lambda name, _kind, _parent: not (name or "").startswith("procrastinate")}
        differences = compare_metadata(MigrationContext.configure(connection, opts=ours), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert {
        "parks",
        "enterprises",
        "energy",
        "water",
        "materials",
        "waste",
        "production",
        "opportunities",
        "opportunity_enterprises",
        "imports",
        "alembic_version",
    } <= tables


def test_connecting_again_does_not_migrate_twice(database: Database) -> None:
    from eipkit.store.database import head_revision, upgrade

    upgrade(database)
    head = ScriptDirectory.from_config(alembic_config(str(database.engine.url))).get_current_head()
    assert head == "0015" == head_revision()  # the quick check that skips Alembic on a current database
    with database.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == head


def test_the_signing_key_leaves_the_database_and_accounts_get_a_session_version(database: Database) -> None:
    """Revision 0007 on a database of 0006 that still holds the key the old web application kept in it."""
    config = alembic_config(database.engine.url.render_as_string(hide_password=False))
    command.downgrade(config, "0006")
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO settings (key, value) VALUES ('secret_key', 'old-key'), ('other', 'x')"))
        connection.execute(
            text(
                "INSERT INTO users (username, password_hash, role, name, failed_logins, created_at) "
                "VALUES ('bo', 'h', 'ministry', 'Bộ', 0, CURRENT_TIMESTAMP)"
            )
        )
    command.upgrade(config, "head")
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT key FROM settings ORDER BY key")).scalars().all() == [
            "data_version",
            "figures_epoch",
            "other",
        ]
        assert connection.execute(text("SELECT session_version FROM users")).scalar_one() == 0

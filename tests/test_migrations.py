"""The migrations build exactly the schema the code declares, on both backends."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from eipkit.store import Database
from eipkit.store.schema import Base


def test_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
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
    from eipkit.store.database import upgrade

    upgrade(database)
    with database.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == "0006"

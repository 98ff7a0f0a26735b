"""Alembic environment: runs on the connection eipkit hands over, or on the configured URL."""

from alembic import context
from sqlalchemy import create_engine

from eipkit.store.schema import Base

config = context.config
target_metadata = Base.metadata


def _ours(name: str | None, _kind: str, _parent: object) -> bool:
    """Autogenerate compares eipkit's tables only: procrastinate's queue schema is procrastinate's own."""
    return not (name or "").startswith("procrastinate")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True, include_name=_ours
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True, include_name=_ours
        )
        with context.begin_transaction():
            context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

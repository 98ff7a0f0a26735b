"""Storage: SQLAlchemy tables, Alembic migrations, and the functions that move records in and out."""

from eipkit.store.database import Database, connect, dump, resolve_url

__all__ = ["Database", "connect", "dump", "resolve_url"]

"""What is stored, as the command line and the web read it: the database itself (opened, backed up, restored),
its parks, enterprises, opportunities and records, and a park's rows as the workbook writes them. The faces reach the
store through these functions only (tests/test_layout.py holds them to it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eipkit.errors import NotFound
from eipkit.model import Enterprise, Opportunity, Park, Records
from eipkit.store import Database, connect, repository, resolve_url, state
from eipkit.store import backup as copies


def backup(database: Database, out: str | Path) -> Path:
    """A consistent copy of the whole database, written while it stays in use."""
    return copies.backup(database, out)


def restore(database: Database, source: str | Path) -> None:
    """Everything in the database replaced by a backup of the same kind of database."""
    copies.restore(database, source)


def synthetic(database: Database) -> str | None:
    """'demo' or 'national' when the stored data are the synthetic demonstration, which every page then says."""
    with database.sessions() as session:
        return state.synthetic(session)


def parks(database: Database) -> list[Park]:
    with database.sessions() as session:
        return repository.parks(session)


def all_enterprises(database: Database) -> list[Enterprise]:
    with database.sessions() as session:
        return repository.all_enterprises(session)


def park_opportunities(database: Database, park_id: str) -> list[Opportunity]:
    with database.sessions() as session:
        return repository.opportunities(session, park_id)


def opportunity_park(database: Database, opportunity_id: str) -> str:
    """The park an opportunity belongs to, which decides who may change it."""
    with database.sessions() as session:
        stored = repository.opportunity(session, opportunity_id)
        if stored is None:
            raise NotFound("nf.opportunity", opportunity=opportunity_id)
        return stored.park_id


def enterprise_records(database: Database, enterprise_id: str, year: int | None = None) -> Records:
    """An enterprise's yearly records (of one year, if given), in canonical units."""
    with database.sessions() as session:
        return repository.records(session, [enterprise_id], year)


def park_rows(database: Database, park_id: str) -> dict[str, list[dict[str, Any]]]:
    """A park's records as contract rows, in the units they were given: they import back unchanged."""
    with database.sessions() as session:
        return repository.export_rows(session, park_id)


__all__ = [
    "Database",
    "all_enterprises",
    "backup",
    "connect",
    "enterprise_records",
    "opportunity_park",
    "park_opportunities",
    "park_rows",
    "parks",
    "resolve_url",
    "restore",
    "synthetic",
]

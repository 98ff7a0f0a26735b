"""KPIs of a park or an enterprise for a year: the store feeds the accounting, nothing more."""

from __future__ import annotations

from eipkit import accounting
from eipkit.store import Database, repository


class NotFound(LookupError):
    """A park or enterprise id that is not in the database."""


def park_kpi(database: Database, park_id: str, year: int) -> accounting.Accounts:
    with database.sessions() as session:
        if repository.park(session, park_id) is None:
            raise NotFound(f"no park '{park_id}' in the database")
        members = [e.enterprise_id for e in repository.enterprises(session, park_id)]
        records = repository.records(session, members, year)
    return accounting.account(records, year, enterprises=len(members))


def enterprise_kpi(database: Database, enterprise_id: str, year: int) -> accounting.Accounts:
    with database.sessions() as session:
        if repository.enterprise(session, enterprise_id) is None:
            raise NotFound(f"no enterprise '{enterprise_id}' in the database")
        records = repository.records(session, [enterprise_id], year)
    return accounting.account(records, year, enterprises=1)


def park_years(database: Database, park_id: str) -> list[int]:
    with database.sessions() as session:
        members = [e.enterprise_id for e in repository.enterprises(session, park_id)]
        return repository.records(session, members).years()

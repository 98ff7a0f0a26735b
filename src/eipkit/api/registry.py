"""What is stored, as the command line and the web read it: the database itself (opened, backed up, restored),
its parks, enterprises, opportunities and records, and a park's rows as the workbook writes them. The faces reach the
store through these functions only (tests/test_layout.py holds them to it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from eipkit import reference
from eipkit.api.lookup import known_enterprise, known_park, park_members
from eipkit.errors import NotFound
from eipkit.model import Enterprise, Opportunity, Park, Records, StageEvent
from eipkit.store import Database, connect, repository, resolve_url, schema, state
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


def park_records(database: Database, park_id: str) -> Records:
    """Every yearly record of the park's enterprises, all years."""
    with database.sessions() as session:
        return repository.records(session, park_members(session, park_id))


def latest_year(database: Database, enterprise_id: str) -> int:
    """The latest year with any record of the enterprise."""
    with database.sessions() as session:
        known_enterprise(session, enterprise_id)
        years = repository.records(session, [enterprise_id]).years()
    if not years:
        raise NotFound("nf.records_of", enterprise=enterprise_id)
    return years[-1]


def enterprises(database: Database, enterprise_ids: Sequence[str]) -> list[Enterprise]:
    """The stored enterprises among these ids (a consultant's assignments, say), by id."""
    with database.sessions() as session:
        return repository.enterprises_by_id(session, enterprise_ids)


def enterprise_profile(database: Database, enterprise_id: str) -> tuple[Enterprise, Park]:
    """The enterprise and its park."""
    with database.sessions() as session:
        enterprise = known_enterprise(session, enterprise_id)
        return enterprise, known_park(session, enterprise.park_id)


def enterprise_opportunities(database: Database, enterprise_id: str) -> list[Opportunity]:
    """Opportunities the enterprise takes part in (alone or in a symbiosis link)."""
    with database.sessions() as session:
        enterprise = known_enterprise(session, enterprise_id)
        found = repository.opportunities_where(session, [enterprise.park_id])
    return [o for o in found if enterprise_id in o.enterprise_ids]


@dataclass(frozen=True)
class WasteCodeList:
    """The waste codes in use: the official annex a user loaded, else the extract shipped with eipkit."""

    official: bool
    source: str
    codes: dict[str, tuple[str, str]]  # code -> (Vietnamese name, confidence)

    @property
    def verified(self) -> frozenset[str]:
        """Codes that may be shown without a flag: all of a loaded official annex, the verified ones shipped."""
        return frozenset(code for code, (_, confidence) in self.codes.items() if confidence == "verified")


def waste_codes(database: Database) -> WasteCodeList:
    with database.sessions() as session:
        loaded = list(session.scalars(select(schema.WasteCodeEntry).order_by(schema.WasteCodeEntry.code)))
    if loaded:
        return WasteCodeList(True, loaded[0].source, {c.code: (c.name_vi, "verified") for c in loaded})
    shipped = reference.waste_codes()
    return WasteCodeList(
        False,
        "eipkit/data/waste_codes.csv",
        {c.code: (c.name_vi, c.confidence) for c in shipped.values()},
    )


def load_waste_codes(database: Database, path: str | Path) -> int:
    """Replace the waste-code list in use by the official annex in `path` (all of it, or nothing when any row is
    refused: ImportRejected names the row and column)."""
    from eipkit.workbooks import waste_codes as annex

    codes = annex.read(path)
    now, source = dt.datetime.now(dt.UTC), Path(path).name
    with database.transaction() as session:
        session.execute(delete(schema.WasteCodeEntry))
        session.add_all(
            schema.WasteCodeEntry(
                code=c.code,
                name_vi=c.name_vi,
                name_en=c.name_en,
                mark=c.mark,
                ewc=c.ewc,
                source=source,
                loaded_at=now,
            )
            for c in codes
        )
    return len(codes)


def opportunity_history(database: Database, opportunity_id: str) -> list[StageEvent]:
    with database.sessions() as session:
        if repository.opportunity(session, opportunity_id) is None:
            raise NotFound("nf.opportunity", opportunity=opportunity_id)
        return repository.history(session, opportunity_id)

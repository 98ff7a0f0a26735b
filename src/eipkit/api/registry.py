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
from eipkit.api._lookup import known_enterprise, known_park, latest_record_year, park_members
from eipkit.errors import NotFound
from eipkit.model import Enterprise, Opportunity, Park, Records, StageEvent
from eipkit.store import Database, connect, repository, resolve_url, schema, state
from eipkit.store import backup as copies


def backup(database: Database, out: str | Path) -> Path:
    """A consistent copy of the whole database, written while it stays in use (SQLite's online backup, or
    `pg_dump`'s custom format for PostgreSQL).

    Args:
        database: the store.
        out: the file to write.

    Examples:
        >>> api.backup(api.registry.connect("eipkit.db"), "eipkit-2026-12-07.db")
    """
    return copies.backup(database, out)


def restore(database: Database, source: str | Path) -> None:
    """Everything in the database replaced by a backup of the same kind of database.

    Args:
        database: the store replaced.
        source: a file `backup` wrote.

    Examples:
        >>> api.restore(database, "eipkit-2026-12-07.db")
    """
    copies.restore(database, source)


def synthetic(database: Database) -> str | None:
    """`demo` or `national` when the stored data are the synthetic demonstration, which every page then says;
    None for real data.

    Args:
        database: the store.

    Examples:
        >>> api.synthetic(database)
        'demo'
    """
    with database.sessions() as session:
        return state.synthetic(session)


def parks(database: Database) -> list[Park]:
    """The industrial parks stored, by id (the cities entered for park-city exchanges are not parks).

    Args:
        database: the store.

    Examples:
        >>> [p.park_id for p in api.parks(database)]
        ['AMATA-BH', 'DEEPC', 'HIEPPHUOC', 'NAMCAUKIEN', 'TANDO', 'VSIP-BN']
    """
    with database.sessions() as session:
        return repository.parks(session)


def all_enterprises(database: Database) -> list[Enterprise]:
    """Every enterprise stored, in the parks and in the cities, by id.

    Args:
        database: the store.

    Examples:
        >>> len(api.all_enterprises(database))
    """
    with database.sessions() as session:
        return repository.all_enterprises(session)


def park_opportunities(database: Database, park_id: str) -> list[Opportunity]:
    """A park's opportunities (RECP and symbiosis), by id.

    Args:
        database: the store.
        park_id: the park.

    Examples:
        >>> [o.opportunity_id for o in api.park_opportunities(database, "DEEPC") if o.stage == "implemented"]
    """
    with database.sessions() as session:
        return repository.opportunities(session, park_id)


def opportunity_park(database: Database, opportunity_id: str) -> str:
    """The park an opportunity belongs to, which decides who may change it.

    Args:
        database: the store.
        opportunity_id: the opportunity; an unknown one raises NotFound.

    Examples:
        >>> api.opportunity_park(database, "DEEPC-OP0007")
        'DEEPC'
    """
    with database.sessions() as session:
        stored = repository.opportunity(session, opportunity_id)
        if stored is None:
            raise NotFound("nf.opportunity", opportunity=opportunity_id)
        return stored.park_id


def enterprise_records(database: Database, enterprise_id: str, year: int | None = None) -> Records:
    """An enterprise's yearly records (of one year, if given), in canonical units (MWh, GJ, m3, t).

    Args:
        database: the store.
        enterprise_id: the enterprise.
        year: one year only (every year when None).

    Examples:
        >>> api.enterprise_records(database, "DEEPC-001", 2023).energy
    """
    with database.sessions() as session:
        return repository.records(session, [enterprise_id], year)


def park_rows(database: Database, park_id: str) -> dict[str, list[dict[str, Any]]]:
    """A park's records as the workbook contract's rows, in the units they were given: written to a workbook they
    import back unchanged.

    Args:
        database: the store.
        park_id: the park.

    Examples:
        >>> rows = api.park_rows(database, "DEEPC")
        >>> workbooks.workbook.write("deepc.xlsx", rows)
    """
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
    """Every yearly record of the park's enterprises, all years, in canonical units.

    Args:
        database: the store.
        park_id: the park; an unknown one raises NotFound.

    Examples:
        >>> api.park_records(database, "DEEPC").years()
        [2022, 2023, 2024, 2025]
    """
    with database.sessions() as session:
        return repository.records(session, park_members(session, park_id))


def latest_year(database: Database, enterprise_id: str) -> int:
    """The latest year with any record of the enterprise: the year a page or report shows unless told otherwise.

    Args:
        database: the store.
        enterprise_id: the enterprise; one without records raises NotFound.

    Examples:
        >>> api.latest_year(database, "DEEPC-001")
        2025
    """
    with database.sessions() as session:
        known_enterprise(session, enterprise_id)
        return latest_record_year(session, enterprise_id)


def enterprises(database: Database, enterprise_ids: Sequence[str]) -> list[Enterprise]:
    """The stored enterprises among these ids (a consultant's assignments, say), by id; unknown ids are left out.

    Args:
        database: the store.
        enterprise_ids: the ids wanted.

    Examples:
        >>> [e.name for e in api.enterprises(database, ["DEEPC-001", "NOPE"])]
    """
    with database.sessions() as session:
        return repository.enterprises_by_id(session, enterprise_ids)


def enterprise_profile(database: Database, enterprise_id: str) -> tuple[Enterprise, Park]:
    """The enterprise and its park.

    Args:
        database: the store.
        enterprise_id: the enterprise; an unknown one raises NotFound.

    Examples:
        >>> enterprise, park = api.enterprise_profile(database, "DEEPC-001")
    """
    with database.sessions() as session:
        enterprise = known_enterprise(session, enterprise_id)
        return enterprise, known_park(session, enterprise.park_id)


def enterprise_opportunities(database: Database, enterprise_id: str) -> list[Opportunity]:
    """Opportunities the enterprise takes part in (alone or in a symbiosis link).

    Args:
        database: the store.
        enterprise_id: the enterprise; an unknown one raises NotFound.

    Examples:
        >>> [o.stage for o in api.enterprise_opportunities(database, "TANDO-001")]
    """
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
    """The waste codes in use (Circular 02/2022/TT-BTNMT Annex III): the official annex a user loaded, else the
    extract shipped with eipkit, each code with its confidence.

    Args:
        database: the store.

    Examples:
        >>> codes = api.waste_codes(database)
        >>> codes.official, len(codes.verified)
    """
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
    refused: ImportRejected names the row and column); returns the number of codes loaded.

    Args:
        database: the store.
        path: a CSV or .xlsx file with the columns code, name_vi, name_en, mark, ewc.

    Examples:
        >>> api.load_waste_codes(database, "phu-luc-III.xlsx")
    """
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
    """An opportunity's moves along the pipeline, the first first: stage, day, basis, note.

    Args:
        database: the store.
        opportunity_id: the opportunity; an unknown one raises NotFound.

    Examples:
        >>> [(e.stage, e.occurred_on) for e in api.opportunity_history(database, "DEEPC-OP0007")]
    """
    with database.sessions() as session:
        if repository.opportunity(session, opportunity_id) is None:
            raise NotFound("nf.opportunity", opportunity=opportunity_id)
        return repository.history(session, opportunity_id)

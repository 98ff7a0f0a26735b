"""Energy, water, waste and greenhouse-gas accounts of a park or an enterprise for a year, as the IPCC and GHG Protocol
methods of `eipkit.accounting` compute them from the stored records."""

from __future__ import annotations

from eipkit import accounting
from eipkit.api._lookup import known_enterprise, park_members
from eipkit.store import Database, repository


def park_kpi(database: Database, park_id: str, year: int) -> accounting.Accounts:
    """A park's energy, water, materials, waste and GHG figures for a year: its enterprises' records summed, GHG by
    IPCC 2006 factors and the year's grid factor (scope 2, location-based).

    Args:
        database: the store (`api.registry.connect(url)`).
        park_id: as in the workbook (`DEEPC`); an unknown park raises NotFound.
        year: the calendar year of the records.

    Examples:
        >>> kpi = api.park_kpi(database, "DEEPC", 2023)
        >>> kpi.scope1_tco2e + kpi.scope2_tco2e  # tCO2e
    """
    with database.sessions() as session:
        members = park_members(session, park_id)
        records = repository.records(session, members, year)
    return accounting.account(records, year, enterprises=len(members))


def enterprise_kpi(database: Database, enterprise_id: str, year: int) -> accounting.Accounts:
    """An enterprise's figures for a year, computed as a park's are (one enterprise).

    Args:
        database: the store.
        enterprise_id: as in the workbook (`DEEPC-001`); an unknown one raises NotFound.
        year: the calendar year of the records.

    Examples:
        >>> api.enterprise_kpi(database, "DEEPC-001", 2023).electricity_mwh
    """
    with database.sessions() as session:
        known_enterprise(session, enterprise_id)
        records = repository.records(session, [enterprise_id], year)
    return accounting.account(records, year, enterprises=1)

"""What produced an answer: the factors, methods, rule packs and versions behind a figure, for the annex every report
and export carries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from eipkit import accounting, reference
from eipkit.api.registry import waste_codes
from eipkit.monitoring import results as results_table
from eipkit.monitoring.savings import MeasuredSavings
from eipkit.provenance import Provenance
from eipkit.store import Database, schema


def provenance(
    database: Database,
    methods: Sequence[str] = (),
    years: Sequence[int] = (),
    carriers: Sequence[str] = (),
    packs: Sequence[tuple[str, str]] = (),
    usd_year: int | None = None,
    price_day: dt.date | None = None,
) -> Provenance:
    """What an output was computed with (eipkit's version, the methods, the grid and fuel factors of the years and
    carriers, the rule packs, the USD rate and price day), and the database's state: its last import and the waste
    codes in use. Every report and export ends with it.

    Args:
        database: the store.
        methods: the methods used (`accounting`, `benchmark`, `certification`, ...).
        years: the years whose grid factors were used.
        carriers: the fuels whose factors were used.
        packs: the rule packs, as (id, version).
        usd_year: the year of the VND/USD rate used.
        price_day: the day of the prices used.

    Examples:
        >>> api.provenance(database, ["accounting"], [2024], ["coal_bituminous"]).rows("en")
    """
    with database.sessions() as session:
        last = session.scalars(select(schema.ImportLog).order_by(schema.ImportLog.id.desc()).limit(1)).first()
    codes = waste_codes(database)
    return Provenance(
        list(methods),
        list(years),
        list(carriers),
        list(packs),
        usd_year,
        price_day,
        (last.source, last.imported_at) if last else None,
        codes.source + (" (official)" if codes.official else " (shipped extract, mostly unverified)"),
    )


def accounts_provenance(database: Database, accounts: Sequence[accounting.Accounts]) -> Provenance:
    """The provenance of some yearly accounts: their grid factors and the fuels they burnt.

    Args:
        database: the store.
        accounts: what `park_kpi` or `enterprise_kpi` returned.

    Examples:
        >>> api.accounts_provenance(database, [api.park_kpi(database, "DEEPC", 2024)]).rows("vi")
    """
    carriers = sorted({c for a in accounts for c in a.fuel_by_carrier_tj})
    return provenance(database, ("accounting", "scope2"), [a.year for a in accounts], carriers)


def results_provenance(database: Database, table: results_table.ResultsTable) -> Provenance:
    """The results table's factors: the grid factor of each year a measure was implemented, and its USD rate.

    Args:
        database: the store.
        table: what `results` returned.

    Examples:
        >>> api.results_provenance(database, api.results(database, year=2025))
    """
    years = sorted(table.years) or [table.year or dt.date.today().year]
    return provenance(database, ("results",), years, sorted(table.fuels), usd_year=table.year or dt.date.today().year)


def savings_provenance(database: Database, savings: MeasuredSavings) -> Provenance:
    """Measured savings' factors: the reporting period's grid factor, the fuels avoided, the prices of the period.

    Args:
        database: the store.
        savings: what `enterprise_measured_savings` returned.

    Examples:
        >>> api.savings_provenance(database, api.enterprise_measured_savings(database, "TANDO-001", 2022, 2025))
    """
    year = int(savings.reporting_period)
    fuels = [k.removesuffix("_gj") for k in savings.co2e_factors if k.endswith("_gj")]
    return provenance(database, ("savings", "accounting", "scope2"), [year], fuels, price_day=reference.price_day(year))

"""Resource efficiency and cleaner production for one enterprise: its indicators, its place among anonymous peers of
its VSIC division, the catalogue options that pay for it, and its assessments (the UNIDO/UNEP RECP steps)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from eipkit import accounting
from eipkit.api._lookup import known_enterprise, known_park, latest_record_year
from eipkit.errors import NotFound
from eipkit.model import Assessment, Enterprise, Opportunity, Park, Records
from eipkit.recp import benchmark as peers
from eipkit.recp.indicators import Indicators, indicators
from eipkit.recp.options import DEFAULT_RATE, Proposal, propose
from eipkit.store import Database, repository


def enterprise_indicators(database: Database, enterprise_id: str, year: int) -> Indicators:
    """An enterprise's resource productivity and intensity indicators for a year (UNIDO/UNEP RECP): energy, water,
    materials, waste and GHG per billion VND of production value (and per unit of product where recorded).

    Args:
        database: the store.
        enterprise_id: as in the workbook; an unknown one raises NotFound.
        year: the year of the records and of the production value.

    Examples:
        >>> api.enterprise_indicators(database, "HIEPPHUOC-001", 2024).values["energy_gj_per_bn_vnd"]
    """
    with database.sessions() as session:
        known_enterprise(session, enterprise_id)
        records = repository.records(session, [enterprise_id], year)
    return indicators(enterprise_id, accounting.account(records, year, enterprises=1), records.production)


def division_indicators(database: Database, division: str, year: int) -> list[Indicators]:
    """Indicators of every enterprise of a VSIC division with records that year, across all parks: the peers a
    benchmark compares with.

    Args:
        database: the store.
        division: the two-digit VSIC 2018 division (`"24"`, basic metals).
        year: the year of the records.

    Examples:
        >>> len(api.division_indicators(database, "24", 2024))
    """
    with database.sessions() as session:
        members = [e.enterprise_id for e in repository.all_enterprises(session) if e.division == division]
        records = repository.records(session, members, year)
    return _peers(records, members, year)


def _peers(records: Records, members: Sequence[str], year: int) -> list[Indicators]:
    """The indicators of each of `members` with energy, water or production records in `records`."""
    result = []
    for enterprise_id in members:
        own = records.of(enterprise_id)
        if own.energy or own.water or own.production:
            result.append(indicators(enterprise_id, accounting.account(own, year, enterprises=1), own.production))
    return result


@dataclass(frozen=True)
class BenchmarkResult:
    enterprise_id: str
    division: str
    year: int
    indicators: Indicators
    positions: dict[str, peers.Position]


def enterprise_benchmark(database: Database, enterprise_id: str, year: int) -> BenchmarkResult:
    """The enterprise against the anonymous peers of its division (its percentile on each indicator, the peers'
    quartiles); peers' ids never leave this function.

    Args:
        database: the store.
        enterprise_id: as in the workbook; an unknown one raises NotFound.
        year: the year compared.

    Examples:
        >>> api.enterprise_benchmark(database, "HIEPPHUOC-001", 2024).positions
    """
    with database.sessions() as session:
        division = known_enterprise(session, enterprise_id).division
    own = enterprise_indicators(database, enterprise_id, year)
    positions = peers.benchmark(own, division_indicators(database, division, year))
    return BenchmarkResult(enterprise_id, division, year, own, positions)


def enterprise_options(database: Database, enterprise_id: str, year: int, rate: float = DEFAULT_RATE) -> list[Proposal]:
    """The RECP catalogue's options that fit the enterprise, ranked by their saving on its own consumption at the
    year's prices, each with its business case (payback, NPV and IRR at `rate`).

    Args:
        database: the store.
        enterprise_id: as in the workbook; an unknown one raises NotFound.
        year: the year whose consumption and prices are used.
        rate: the discount rate of the business cases (a fraction, 0.1 for 10 %).

    Examples:
        >>> best = api.enterprise_options(database, "HIEPPHUOC-001", 2024)[0]
        >>> best.saving_vnd, best.case.simple_payback_years
    """
    with database.sessions() as session:
        division = known_enterprise(session, enterprise_id).division
        records = repository.records(session, [enterprise_id], year)
    return propose(accounting.account(records, year, enterprises=1), records, division, rate=rate)


def start_assessment(
    database: Database,
    enterprise_id: str,
    focus_area: str,
    team: Sequence[str],
    started_on: dt.date | None = None,
    consultant: str | None = None,
) -> Assessment:
    """Start an enterprise's RECP assessment: its 18 tasks (the UNIDO/UNEP methodology's 6 steps), not started.

    Args:
        database: the store.
        enterprise_id: the enterprise assessed; an unknown one raises NotFound.
        focus_area: what the assessment looks at ("Lò hơi", the boiler house).
        team: the names of the enterprise's team.
        started_on: the first day (today when None).
        consultant: the consultant's user name, who may then edit it.

    Examples:
        >>> api.start_assessment(database, "TANDO-002", "Lò hơi", ["An", "Bình"]).assessment_id
    """
    with database.transaction() as session:
        known_enterprise(session, enterprise_id)
        return repository.start_assessment(
            session, enterprise_id, focus_area, team, started_on or dt.date.today(), consultant
        )


def update_assessment_task(
    database: Database,
    assessment_id: int,
    task: int,
    status: str,
    on: dt.date | None = None,
    note: str | None = None,
) -> Assessment:
    """Change a task of an assessment (not started, in progress, done or skipped), dated, with a note.

    Args:
        database: the store.
        assessment_id: the assessment's number.
        task: the task's number in the methodology (1 to 18).
        status: `not_started`, `in_progress`, `done` or `skipped`; anything else raises AssessmentError.
        on: the day of the change (today when None).
        note: what was done or found.

    Examples:
        >>> api.update_assessment_task(database, 7, 1, "done", dt.date(2026, 2, 10))
    """
    with database.transaction() as session:
        return checked_task(session, assessment_id, task, status, on or dt.date.today(), note)


def checked_task(
    session: Session, assessment_id: int, task: int, status: str, on: dt.date, note: str | None = None
) -> Assessment:
    """A task's new status after the workflow's checks (known status and task, dates kept consistent), in the
    caller's transaction.

    Args:
        session: the caller's open transaction.
        assessment_id: the assessment's number.
        task: the task's number.
        status: the new status.
        on: the day of the change.
        note: what was done or found.

    Examples:
        >>> with database.transaction() as session:
        ...     api.checked_task(session, 7, 2, "in_progress", dt.date(2026, 2, 11))
    """
    from eipkit.recp.assessment import updated_task

    current = repository.task_state(session, assessment_id, task)
    if current is None:
        raise NotFound("nf.task", task=task, assessment=assessment_id)
    return repository.update_task(session, assessment_id, updated_task(current, status, on, note))


def link_assessment_opportunity(database: Database, assessment_id: int, opportunity_id: str) -> None:
    """Record that an opportunity came out of an assessment (both must exist).

    Args:
        database: the store.
        assessment_id: the assessment's number.
        opportunity_id: the opportunity's id (`TANDO-OP0301`).

    Examples:
        >>> api.link_assessment_opportunity(database, 7, "TANDO-OP0301")
    """
    with database.transaction() as session:
        try:
            repository.link_opportunity(session, assessment_id, opportunity_id)
        except KeyError as exc:
            raise NotFound("nf.stored", what=exc.args[0]) from None


def enterprise_assessments(database: Database, enterprise_id: str) -> list[Assessment]:
    """An enterprise's assessments with their tasks, the latest first.

    Args:
        database: the store.
        enterprise_id: as in the workbook.

    Examples:
        >>> [a.focus_area for a in api.enterprise_assessments(database, "TANDO-002")]
    """
    with database.sessions() as session:
        known_enterprise(session, enterprise_id)
        return repository.assessments(session, enterprise_id)


@dataclass(frozen=True)
class EnterprisePage:
    """What an enterprise's page and RECP report show for a year, read together."""

    enterprise: Enterprise
    park: Park
    year: int
    records: Records  # of the year
    accounts: accounting.Accounts
    benchmark: BenchmarkResult
    options: list[Proposal]  # the best first
    opportunities: list[Opportunity]  # those it takes part in


def enterprise_page(
    database: Database, enterprise_id: str, year: int | None = None, rate: float = DEFAULT_RATE
) -> EnterprisePage:
    """An enterprise's figures, benchmark, options and opportunities for a year, from one reading of the store: its
    records and its division's are read once, where the separate functions (`enterprise_kpi`,
    `enterprise_benchmark`, `enterprise_options`, `enterprise_opportunities`) would each read them again.

    Args:
        database: the store.
        enterprise_id: as in the workbook; an unknown one raises NotFound.
        year: the year shown (the latest with records when None; none at all raises NotFound).
        rate: the discount rate of the options' business cases.

    Examples:
        >>> page = api.enterprise_page(database, "HIEPPHUOC-001")
        >>> page.year, page.accounts.electricity_mwh, page.benchmark.positions, page.options[:3]
    """
    with database.sessions() as session:
        enterprise = known_enterprise(session, enterprise_id)
        park = known_park(session, enterprise.park_id)
        if year is None:
            year = latest_record_year(session, enterprise_id)
        members = [e.enterprise_id for e in repository.all_enterprises(session) if e.division == enterprise.division]
        division = repository.records(session, members, year)
        in_park = repository.opportunities_where(session, [enterprise.park_id])
    records = division.of(enterprise_id)
    accounts = accounting.account(records, year, enterprises=1)
    own = indicators(enterprise_id, accounts, records.production)
    positions = peers.benchmark(own, _peers(division, members, year))
    return EnterprisePage(
        enterprise,
        park,
        year,
        records,
        accounts,
        BenchmarkResult(enterprise_id, enterprise.division, year, own, positions),
        propose(accounts, records, enterprise.division, rate=rate),
        [o for o in in_park if enterprise_id in o.enterprise_ids],
    )

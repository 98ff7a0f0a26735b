"""What was saved: an opportunity moved along its stages with the basis of its figures, savings measured against a
baseline (IPMVP Option C) and attributed to the measures, and the programme's results table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from eipkit import accounting, provinces, reference
from eipkit.api._lookup import known_enterprise, park_members, province_parks
from eipkit.errors import NotFound
from eipkit.model import StageEvent
from eipkit.monitoring import results as results_table
from eipkit.monitoring.savings import MeasuredSavings
from eipkit.store import Database, repository, schema


def enterprise_measured_savings(
    database: Database, enterprise_id: str, baseline_years: int | Sequence[int], reporting_year: int
) -> MeasuredSavings:
    """Savings of the reporting year measured at the enterprise's meters (IPMVP Option C, whole facility): against
    one baseline year scaled by production, or against three or more by a regression on production (ASHRAE Guideline
    14's CV(RMSE) checked); with avoided CO2e and cost at the reporting year's factors and prices.

    Args:
        database: the store.
        enterprise_id: as in the workbook; an unknown one raises NotFound.
        baseline_years: one year, or three or more for the regression.
        reporting_year: the year whose consumption is compared.

    Examples:
        >>> saved = api.enterprise_measured_savings(database, "TANDO-001", [2022, 2023, 2024], 2025)
        >>> saved.avoided["electricity_mwh"]
    """
    from eipkit import reference
    from eipkit.monitoring import savings
    from eipkit.recp.options import unit_prices

    years = [baseline_years] if isinstance(baseline_years, int) else sorted(set(baseline_years))
    if reporting_year in years:
        raise ValueError(f"the reporting year {reporting_year} cannot also be a baseline year")
    with database.sessions() as session:
        known_enterprise(session, enterprise_id)
        records = repository.records(session, [enterprise_id])
    missing = [y for y in [*years, reporting_year] if y not in records.years()]
    if missing:
        raise NotFound("nf.records_of_years", enterprise=enterprise_id, years=", ".join(map(str, missing)))
    outputs = {y: records.in_year(y).production for y in [*years, reporting_year]}
    normaliser, produced = savings.production_basis(outputs)
    periods = [savings.period(str(y), accounting.account(records.in_year(y), y, 1), produced[y]) for y in years]
    reporting = records.in_year(reporting_year)
    reporting_period = savings.period(
        str(reporting_year), accounting.account(reporting, reporting_year, 1), produced[reporting_year]
    )
    prices = {k: v.vnd for k, v in unit_prices(reporting).items()}
    return savings.measured_savings(
        periods,
        reporting_period,
        normaliser,
        accounting.Factors.for_year(reporting_year),
        prices,
        reference.cv_rmse_limit(12).value,
    )


def apply_measured_savings(
    database: Database, opportunity_ids: str | Sequence[str], savings: MeasuredSavings, enterprise_id: str
) -> Attribution:
    """Store the saving measured at the enterprise's meter on its opportunities (which then count as measured):
    each gets its share of it (see `attribute_measured_savings`).

    Args:
        database: the store.
        opportunity_ids: one opportunity or several, all of this enterprise.
        savings: what `enterprise_measured_savings` measured.
        enterprise_id: the enterprise whose meter measured it.

    Examples:
        >>> saved = api.enterprise_measured_savings(database, "TANDO-001", 2022, 2025)
        >>> api.apply_measured_savings(database, "TANDO-OP0301", saved, "TANDO-001").shares
    """
    with database.transaction() as session:
        attribution = attribute_measured_savings(session, enterprise_id, savings, opportunity_ids)
        for opportunity_id, values in attribution.shares.items():
            store_saving_values(session, opportunity_id, values)
    return attribution


@dataclass(frozen=True)
class Attribution:
    """Who gets what of one metered saving: the measures that share the meter and each chosen one's share."""

    sharing: dict[str, float]  # every measure implemented in the period (and the chosen ones): its weight
    shares: dict[str, dict[str, float]]  # the chosen ones: their saving columns

    def as_dict(self) -> dict[str, object]:
        total = sum(self.sharing.values()) or 1.0
        return {
            "method": "split in proportion to each measure's expected cost saving (equal shares when none is known)",
            "measures": {k: v / total for k, v in self.sharing.items()},
            "shares": self.shares,
        }


def attribute_measured_savings(
    session: Session, enterprise_id: str, savings: MeasuredSavings, chosen: str | Sequence[str]
) -> Attribution:
    """The saving measured at an enterprise's meter belongs to every measure it implemented in the period (after the
    last baseline period, up to the reporting one): it is split among them in proportion to their expected cost
    savings, and each chosen opportunity gets its share. An opportunity the enterprise takes no part in is not found.

    Args:
        session: the caller's open session.
        enterprise_id: the enterprise whose meter measured the saving.
        savings: what `enterprise_measured_savings` measured.
        chosen: the opportunities to receive their shares.

    Examples:
        >>> with database.sessions() as session:
        ...     api.attribute_measured_savings(session, "TANDO-001", saved, ["TANDO-OP0301"])
    """
    from eipkit.monitoring.savings import split

    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    enterprise = known_enterprise(session, enterprise_id)
    own = {o.opportunity_id: o for o in repository.opportunities_where(session, [enterprise.park_id])}
    own = {k: o for k, o in own.items() if enterprise_id in o.enterprise_ids}
    for opportunity_id in chosen:
        if opportunity_id not in own:
            raise NotFound("nf.opportunity_of", opportunity=opportunity_id, enterprise=enterprise_id)
    after, until = max(int(p) for p in savings.baseline_periods), int(savings.reporting_period)
    sharing = [
        k
        for k, o in own.items()
        if k in chosen or (o.stage == "implemented" and o.year_implemented and after < o.year_implemented <= until)
    ]
    expected = dict(
        session.execute(
            select(schema.Opportunity.opportunity_id, schema.Opportunity.expected_cost_saving_vnd).where(
                schema.Opportunity.opportunity_id.in_(sharing)
            )
        ).all()
    )
    weights = {k: max(expected.get(k) or 0.0, 0.0) for k in sharing}
    shares = split(savings.values(), weights)
    return Attribution(weights, {k: shares[k] for k in chosen})


def store_measured_savings(session: Session, opportunity_id: str, savings: MeasuredSavings) -> dict[str, float]:
    """The measured savings written on the opportunity in the caller's transaction; returns what was written.

    Args:
        session: the caller's open transaction.
        opportunity_id: the opportunity credited.
        savings: its share of the measured savings.

    Examples:
        >>> with database.transaction() as session:
        ...     api.store_measured_savings(session, "TANDO-OP0301", saved)
    """
    return store_saving_values(session, opportunity_id, savings.values())


def store_saving_values(session: Session, opportunity_id: str, values: dict[str, float]) -> dict[str, float]:
    """Saving values (electricity_mwh, fuel_gj, water_m3, materials_t, waste_t, cost_saving_vnd, co2e_t) written on
    an opportunity as measured, in the caller's transaction; returns them.

    Args:
        session: the caller's open transaction.
        opportunity_id: the opportunity credited.
        values: the values by field name, in the contract's units.

    Examples:
        >>> with database.transaction() as session:
        ...     api.store_saving_values(session, "TANDO-OP0301", {"electricity_mwh": 120.0})
    """
    written: dict[str, float | None] = dict(values)
    try:
        repository.set_savings(session, opportunity_id, written, basis="measured")
    except KeyError:
        raise NotFound("nf.opportunity", opportunity=opportunity_id) from None
    return values


def move_opportunity(
    database: Database,
    opportunity_id: str,
    stage: str,
    on: dt.date | None = None,
    basis: str | None = None,
    note: str | None = None,
) -> StageEvent:
    """Move an opportunity along the pipeline (identified, proposed, feasibility, implementing, implemented, or
    dropped), after the pipeline's checks; the move is kept in its history.

    Args:
        database: the store.
        opportunity_id: the opportunity (`DEEPC-OP0007`); an unknown one raises NotFound.
        stage: the new stage; a move the pipeline does not allow raises StageError.
        on: the day of the move (today when None), not before the last one.
        basis: where its figures come from from now on: `expected` or `measured`.
        note: why.

    Examples:
        >>> api.move_opportunity(database, "DEEPC-OP0007", "implemented", basis="measured").stage
    """
    with database.transaction() as session:
        return checked_move(session, opportunity_id, stage, on or dt.date.today(), basis, note)


def checked_move(
    session: Session, opportunity_id: str, stage: str, on: dt.date, basis: str | None = None, note: str | None = None
) -> StageEvent:
    """Move an opportunity's stage after the pipeline's checks (a move it allows, dated no earlier than the last),
    in the caller's transaction.

    Args:
        session: the caller's open transaction.
        opportunity_id: the opportunity.
        stage: the new stage.
        on: the day of the move.
        basis: where its figures come from from now on.
        note: why.

    Examples:
        >>> with database.transaction() as session:
        ...     api.checked_move(session, "DEEPC-OP0007", "implementing", dt.date(2026, 3, 1))
    """
    from eipkit.monitoring.stages import StageError, check_move

    stored = repository.opportunity(session, opportunity_id)
    if stored is None:
        raise NotFound("nf.opportunity", opportunity=opportunity_id)
    check_move(stored.stage, stage)
    last = repository.last_stage_date(session, opportunity_id)
    if last is not None and on < last:
        raise StageError("err.stage_date", on=on.isoformat(), last=last.isoformat())
    return repository.move_stage(session, opportunity_id, stage, on, basis, note)


def results(
    database: Database,
    park_ids: Sequence[str] | None = None,
    province: str | None = None,
    year: int | None = None,
    usd_rate: float | None = None,
    former: bool = False,
) -> results_table.ResultsTable:
    """The programme's results table: enterprises assessed and implementing, opportunities identified and implemented,
    and what was saved (electricity, fuel, water, materials, CO2e, money in VND and USD), of some parks, a province, or
    everything (no park and no province).

    Args:
        database: the store.
        park_ids: these parks only.
        province: a province, read as the unit in force ("Long An" is Tây Ninh since 1 July 2025), or with `former` as
            the unit before the 2025 merger (the parks recorded under it).
        year: implemented up to this year (all years when None).
        usd_rate: VND per USD (the year's rate from `data/usd_rates.csv` when None).
        former: read `province` as a unit before 2025.

    Examples:
        >>> api.results(database, province="Hải Phòng", year=2025).as_dict()["electricity_mwh"]["total"]
    """
    with database.sessions() as session:
        if province is not None:
            parks = [p.park_id for p in province_parks(session, province, former)]
            scope = province if former else provinces.resolve(province).name
        elif park_ids:
            for park_id in park_ids:
                park_members(session, park_id)
            parks, scope = list(park_ids), ", ".join(park_ids)
        else:
            parks, scope = None, "all"
        opportunities = repository.opportunities_where(session, parks)
        applications = repository.applications(session, parks)
        outside = {
            e.enterprise_id
            for c in repository.parks(session, cities=True)
            for e in repository.enterprises(session, c.park_id)
        }
    rate = usd_rate if usd_rate is not None else reference.usd_rate(year or dt.date.today().year)
    table = results_table.results(opportunities, scope, year, rate, applications, outside)
    if parks is None:
        from eipkit.api import training

        table.people_trained = training.trained(database, year)
    return table

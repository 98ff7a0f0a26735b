"""The library's entry points: each reads what it needs from the store, calls the calculations and returns
plain results. The command line and the web application call these and compute nothing themselves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from eipkit import accounting, provinces, reference
from eipkit.errors import NotFound
from eipkit.model import Assessment, Enterprise, Opportunity, Park, Records, StageEvent
from eipkit.monitoring import results as results_table
from eipkit.monitoring.savings import MeasuredSavings
from eipkit.provenance import Provenance
from eipkit.recp import benchmark as peers
from eipkit.recp.indicators import Indicators, indicators
from eipkit.recp.options import DEFAULT_RATE, Proposal, propose
from eipkit.store import Database, repository, schema

if TYPE_CHECKING:  # the symbiosis modules load linopy; commands that do not optimise need not wait for it
    from eipkit.certification.evaluate import Evaluation
    from eipkit.certification.evidence import ParkFacts
    from eipkit.symbiosis.candidates import CandidateSet
    from eipkit.symbiosis.engine import Limits
    from eipkit.symbiosis.network import Solution
    from eipkit.symbiosis.park_city import ParkCity


def _members(session: Session, park_id: str) -> list[str]:
    _park(session, park_id)  # an unknown park is not found, not an empty one
    return [e.enterprise_id for e in repository.enterprises(session, park_id)]


def _park(session: Session, park_id: str) -> Park:
    found = repository.park(session, park_id)
    if found is None:
        raise NotFound("nf.park", park=park_id)
    return found


def _enterprise(session: Session, enterprise_id: str) -> Enterprise:
    enterprise = repository.enterprise(session, enterprise_id)
    if enterprise is None:
        raise NotFound("nf.enterprise", enterprise=enterprise_id)
    return enterprise


def provenance(
    database: Database,
    methods: Sequence[str] = (),
    years: Sequence[int] = (),
    carriers: Sequence[str] = (),
    packs: Sequence[tuple[str, str]] = (),
    usd_year: int | None = None,
    price_day: dt.date | None = None,
) -> Provenance:
    """What an output was computed with, and the database's state: its last import and the waste codes in use."""
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
    """The provenance of some yearly accounts: their grid factors and the fuels they burnt."""
    carriers = sorted({c for a in accounts for c in a.fuel_by_carrier_tj})
    return provenance(database, ("accounting", "scope2"), [a.year for a in accounts], carriers)


def results_provenance(database: Database, table: results_table.ResultsTable) -> Provenance:
    """The results table's factors: the grid factor of each year a measure was implemented, and its USD rate."""
    years = sorted(table.years) or [table.year or dt.date.today().year]
    return provenance(database, ("results",), years, sorted(table.fuels), usd_year=table.year or dt.date.today().year)


def savings_provenance(database: Database, savings: MeasuredSavings) -> Provenance:
    """Measured savings: the reporting period's grid factor, the fuels avoided, the prices of the period."""
    year = int(savings.reporting_period)
    fuels = [k.removesuffix("_gj") for k in savings.co2e_factors if k.endswith("_gj")]
    return provenance(database, ("savings", "accounting", "scope2"), [year], fuels, price_day=reference.price_day(year))


def park_records(database: Database, park_id: str) -> Records:
    """Every yearly record of the park's enterprises, all years."""
    with database.sessions() as session:
        return repository.records(session, _members(session, park_id))


def park_kpi(database: Database, park_id: str, year: int) -> accounting.Accounts:
    with database.sessions() as session:
        members = _members(session, park_id)
        records = repository.records(session, members, year)
    return accounting.account(records, year, enterprises=len(members))


def enterprise_kpi(database: Database, enterprise_id: str, year: int) -> accounting.Accounts:
    with database.sessions() as session:
        _enterprise(session, enterprise_id)
        records = repository.records(session, [enterprise_id], year)
    return accounting.account(records, year, enterprises=1)


def enterprise_indicators(database: Database, enterprise_id: str, year: int) -> Indicators:
    with database.sessions() as session:
        _enterprise(session, enterprise_id)
        records = repository.records(session, [enterprise_id], year)
    return indicators(enterprise_id, accounting.account(records, year, enterprises=1), records.production)


def division_indicators(database: Database, division: str, year: int) -> list[Indicators]:
    """Indicators of every enterprise of a VSIC division with records that year, across all parks."""
    with database.sessions() as session:
        members = [e.enterprise_id for e in repository.all_enterprises(session) if e.division == division]
        records = repository.records(session, members, year)
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
    """The enterprise against the anonymous peers of its division; peers' ids never leave this function."""
    with database.sessions() as session:
        division = _enterprise(session, enterprise_id).division
    own = enterprise_indicators(database, enterprise_id, year)
    positions = peers.benchmark(own, division_indicators(database, division, year))
    return BenchmarkResult(enterprise_id, division, year, own, positions)


def enterprise_options(database: Database, enterprise_id: str, year: int, rate: float = DEFAULT_RATE) -> list[Proposal]:
    with database.sessions() as session:
        division = _enterprise(session, enterprise_id).division
        records = repository.records(session, [enterprise_id], year)
    return propose(accounting.account(records, year, enterprises=1), records, division, rate=rate)


def enterprise_measured_savings(
    database: Database, enterprise_id: str, baseline_years: int | Sequence[int], reporting_year: int
) -> MeasuredSavings:
    """Savings of the reporting year measured against one baseline year (scaled by production) or against three or
    more (a regression on production), with avoided CO2 and cost at the reporting year's factors and prices."""
    from eipkit import reference
    from eipkit.monitoring import savings
    from eipkit.recp.options import unit_prices

    years = [baseline_years] if isinstance(baseline_years, int) else sorted(set(baseline_years))
    if reporting_year in years:
        raise ValueError(f"the reporting year {reporting_year} cannot also be a baseline year")
    with database.sessions() as session:
        _enterprise(session, enterprise_id)
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
    """Store the saving measured at the enterprise's meter on its opportunities (which then count as measured): each
    gets its share of it (see `attribute_measured_savings`)."""
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
    savings, and each chosen opportunity gets its share. An opportunity the enterprise takes no part in is not
    found."""
    from eipkit.monitoring.savings import split

    chosen = [chosen] if isinstance(chosen, str) else list(chosen)
    enterprise = _enterprise(session, enterprise_id)
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
    """The measured savings written on the opportunity in the caller's transaction; returns what was written."""
    return store_saving_values(session, opportunity_id, savings.values())


def store_saving_values(session: Session, opportunity_id: str, values: dict[str, float]) -> dict[str, float]:
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
    with database.transaction() as session:
        return checked_move(session, opportunity_id, stage, on or dt.date.today(), basis, note)


def checked_move(
    session: Session, opportunity_id: str, stage: str, on: dt.date, basis: str | None = None, note: str | None = None
) -> StageEvent:
    """Move an opportunity's stage after the pipeline's checks: a move it allows, dated no earlier than the last."""
    from eipkit.monitoring.stages import StageError, check_move

    stored = repository.opportunity(session, opportunity_id)
    if stored is None:
        raise NotFound("nf.opportunity", opportunity=opportunity_id)
    check_move(stored.stage, stage)
    last = repository.last_stage_date(session, opportunity_id)
    if last is not None and on < last:
        raise StageError("err.stage_date", on=on.isoformat(), last=last.isoformat())
    return repository.move_stage(session, opportunity_id, stage, on, basis, note)


def opportunity_history(database: Database, opportunity_id: str) -> list[StageEvent]:
    with database.sessions() as session:
        if repository.opportunity(session, opportunity_id) is None:
            raise NotFound("nf.opportunity", opportunity=opportunity_id)
        return repository.history(session, opportunity_id)


def results(
    database: Database,
    park_ids: Sequence[str] | None = None,
    province: str | None = None,
    year: int | None = None,
    usd_rate: float | None = None,
    former: bool = False,
) -> results_table.ResultsTable:
    """Results of some parks, a province, or everything (no park and no province). A province is read as the unit
    in force ("Long An" is Tây Ninh since 1 July 2025), or with `former` as the unit before the 2025 merger (the
    parks recorded under it)."""
    with database.sessions() as session:
        if province is not None:
            parks = [p.park_id for p in province_parks(session, province, former)]
            scope = province if former else provinces.resolve(province).name
        elif park_ids:
            for park_id in park_ids:
                _members(session, park_id)
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


def province_parks(session: Session, province: str, former: bool = False) -> list[Park]:
    """The parks of a province: the unit in force the name belongs to, or with `former` the unit before 2025."""
    if former:
        chosen = provinces.resolve(province).former or province
        parks = [
            p for p in repository.parks(session) if provinces.former_unit(p.province, p.province_as_written) == chosen
        ]
    else:
        parks = repository.parks(session, province=provinces.resolve(province).name)
    if not parks:
        raise NotFound("nf.province", province=province)
    return parks


def start_assessment(
    database: Database,
    enterprise_id: str,
    focus_area: str,
    team: Sequence[str],
    started_on: dt.date | None = None,
    consultant: str | None = None,
) -> Assessment:
    with database.transaction() as session:
        _enterprise(session, enterprise_id)
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
    with database.transaction() as session:
        return checked_task(session, assessment_id, task, status, on or dt.date.today(), note)


def checked_task(
    session: Session, assessment_id: int, task: int, status: str, on: dt.date, note: str | None = None
) -> Assessment:
    """A task's new status after the workflow's checks (known status and task, dates kept consistent)."""
    from eipkit.recp.assessment import updated_task

    current = repository.task_state(session, assessment_id, task)
    if current is None:
        raise NotFound("nf.task", task=task, assessment=assessment_id)
    return repository.update_task(session, assessment_id, updated_task(current, status, on, note))


def link_assessment_opportunity(database: Database, assessment_id: int, opportunity_id: str) -> None:
    with database.transaction() as session:
        try:
            repository.link_opportunity(session, assessment_id, opportunity_id)
        except KeyError as exc:
            raise NotFound("nf.stored", what=exc.args[0]) from None


def enterprise_assessments(database: Database, enterprise_id: str) -> list[Assessment]:
    with database.sessions() as session:
        _enterprise(session, enterprise_id)
        return repository.assessments(session, enterprise_id)


def latest_year(database: Database, enterprise_id: str) -> int:
    """The latest year with any record of the enterprise."""
    with database.sessions() as session:
        _enterprise(session, enterprise_id)
        years = repository.records(session, [enterprise_id]).years()
    if not years:
        raise NotFound("nf.records_of", enterprise=enterprise_id)
    return years[-1]


def enterprise_opportunities(database: Database, enterprise_id: str) -> list[Opportunity]:
    """Opportunities the enterprise takes part in (alone or in a symbiosis link)."""
    with database.sessions() as session:
        enterprise = _enterprise(session, enterprise_id)
        found = repository.opportunities_where(session, [enterprise.park_id])
    return [o for o in found if enterprise_id in o.enterprise_ids]


def enterprises(database: Database, enterprise_ids: Sequence[str]) -> list[Enterprise]:
    """The stored enterprises among these ids (a consultant's assignments, say), by id."""
    with database.sessions() as session:
        return repository.enterprises_by_id(session, enterprise_ids)


def enterprise_profile(database: Database, enterprise_id: str) -> tuple[Enterprise, Park]:
    """The enterprise and its park."""
    with database.sessions() as session:
        enterprise = _enterprise(session, enterprise_id)
        return enterprise, _park(session, enterprise.park_id)


def _scope_parks(
    session: Session, park_ids: Sequence[str] | None, province: str | None, cities: bool = False
) -> list[Park]:
    """The parks named, a province's, or all; with `cities`, also the cities of their provinces (for symbiosis:
    park-city exchanges are found from either side)."""
    if province is not None:
        found = province_parks(session, province)
    elif park_ids:
        found = []
        for park_id in park_ids:
            park = repository.park(session, park_id)
            if park is None:
                raise NotFound("nf.park", park=park_id)
            found.append(park)
    else:
        found = repository.parks(session)
    if not cities:
        return found
    chosen = {p.park_id for p in found}
    wanted = {p.province for p in found}
    return found + [
        c for c in repository.parks(session, cities=True) if c.province in wanted and c.park_id not in chosen
    ]


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


def symbiosis_candidates(
    database: Database,
    park_ids: Sequence[str] | None = None,
    province: str | None = None,
    knowledge_file: str | None = None,
    max_distance_km: float | None = None,
) -> CandidateSet:
    """Candidate exchanges among the enterprises of these parks (within and across them)."""
    from eipkit.symbiosis import candidates, knowledge

    with database.sessions() as session:
        parks = _scope_parks(session, park_ids, province, cities=True)
        members = [e for p in parks for e in repository.enterprises(session, p.park_id)]
        records = repository.records(session, [e.enterprise_id for e in members])
    # the towns added to a scope of parks exchange with the parks, not among themselves
    named = set(park_ids or ())
    towns = {p.park_id for p in parks if p.is_city and p.park_id not in named}
    groups = {e.enterprise_id: e.park_id for e in members if e.park_id in towns}
    kb = knowledge.knowledge_base(knowledge_file)
    verified = waste_codes(database).verified
    return candidates.find(members, parks, records, kb, max_distance_km, verified_codes=verified, groups=groups)


def optimize_symbiosis(
    database: Database,
    park_ids: Sequence[str] | None = None,
    province: str | None = None,
    objective: str = "cost",
    limits: Limits | float | None = None,
    knowledge_file: str | None = None,
    progress: Callable[[Any], None] | None = None,
) -> tuple[CandidateSet, Solution]:
    """Optimise the exchange network of these parks (all of them when none is named) with the one engine
    (`symbiosis.engine.solve`) and store each selected link as a proposed symbiosis opportunity (an opportunity
    already further along keeps its stage)."""
    found, solution = solve_symbiosis(database, park_ids, province, objective, limits, knowledge_file, progress)
    with database.transaction() as session:
        store_links(session, found, solution.links)
    return found, solution


def solve_symbiosis(
    database: Database,
    park_ids: Sequence[str] | None = None,
    province: str | None = None,
    objective: str = "cost",
    limits: Limits | float | None = None,
    knowledge_file: str | None = None,
    progress: Callable[[Any], None] | None = None,
) -> tuple[CandidateSet, Solution]:
    """The optimised exchange network of these parks from their records and the knowledge base, stored nowhere."""
    from eipkit.symbiosis import engine

    if not isinstance(limits, engine.Limits):
        limits = engine.Limits() if limits is None else engine.Limits(time_limit_s=limits)
    found = symbiosis_candidates(database, park_ids, province, knowledge_file)
    return found, engine.solve(found.problem, objective, limits, progress)  # type: ignore[arg-type]


def national_symbiosis(
    database: Database,
    objective: str = "cost",
    limits: Limits | float | None = None,
    progress: Callable[[Any], None] | None = None,
    lang: str = "vi",
) -> dict[str, Any]:
    """The whole country's exchange network, told as aggregates only (no enterprise named): links, tonnes, money
    and CO2 per province (of the supplying enterprise) and per resource. Nothing is stored."""
    from eipkit.symbiosis import knowledge

    found, solution = solve_symbiosis(database, None, None, objective, limits, None, progress)
    with database.sessions() as session:
        everywhere = [*repository.parks(session), *repository.parks(session, cities=True)]
        province_of_park = {p.park_id: p.province for p in everywhere}
        province = {e.enterprise_id: province_of_park[e.park_id] for e in repository.all_enterprises(session)}
    names = {e.resource: e.name(lang) for e in knowledge.shipped()}
    measure = {"material": "tonnes", "water": "water_m3", "heat": "heat_gj"}  # what a link's flow is counted in
    counted_in = {e.resource: measure[e.form] for e in found.entries.values()}
    links = solution.links
    flows = {name: 0.0 for name in measure.values()}
    for link in links.itertuples():
        flows[counted_in.get(link.resource, "tonnes")] += float(link.flow_t)

    def grouped(key: Any) -> list[dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        for link in links.itertuples():
            group = key(link)
            row = rows.setdefault(
                group,
                {"group": group, "links": 0, **dict.fromkeys(measure.values(), 0.0), "money_vnd": 0.0, "co2e_t": 0.0},
            )
            row["links"] += 1
            row[counted_in.get(link.resource, "tonnes")] += float(link.flow_t)
            row["money_vnd"] += float(link.flow_t * link.margin_vnd_per_t - link.fixed_cost_vnd_per_year)
            row["co2e_t"] += float(link.flow_t * link.co2e_t_per_t)
        return sorted(rows.values(), key=lambda r: -r["money_vnd"])

    across = sum(province[x.supply_enterprise] != province[x.demand_enterprise] for x in links.itertuples())
    return {
        "status": solution.status,
        "method": solution.method,
        "gap": solution.gap,
        "elapsed_s": solution.elapsed_s,
        "enterprises": len(
            {e for c in (found.problem.supplies, found.problem.demands) for e in (x.enterprise_id for x in c)}
        ),
        "links": len(links),
        "links_across_provinces": int(across),
        "net_benefit_vnd_per_year": solution.net_benefit_vnd_per_year,
        "co2e_avoided_t_per_year": solution.co2e_avoided_t_per_year,
        "diverted_t_per_year": flows["tonnes"],
        "water_reused_m3_per_year": flows["water_m3"],
        "heat_supplied_gj_per_year": flows["heat_gj"],
        "by_province": grouped(lambda link: province[link.supply_enterprise]),
        "by_resource": grouped(lambda link: names.get(link.resource, link.resource)),
    }


def store_links(session: Session, found: CandidateSet, links: Any) -> list[str]:
    """Each chosen link (a solution's links, or candidate arcs with their `flow_t`) as a proposed symbiosis
    opportunity, in the caller's transaction; returns their ids."""
    year = dt.date.today().year
    park_of = {e.enterprise_id: e.park_id for e in repository.all_enterprises(session)}
    cities = {c.park_id for c in repository.parks(session, cities=True)}
    stored = []
    for link in links.itertuples():
        kb_id = link.supply.split("|")[1]
        opportunity_id = f"IS-{link.supply_enterprise}-{link.demand_enterprise}-{kb_id}"
        supplier, receiver = park_of[link.supply_enterprise], park_of[link.demand_enterprise]
        entry = found.entries[kb_id]
        water, heat = entry.form == "water", entry.form == "heat"
        values = {
            # a park-city link belongs to the park's side, as symbiosis with a third party (Decree 35 Art. 36(2)(b))
            "park_id": receiver if supplier in cities else supplier,
            "kind": "symbiosis",
            "title": f"{found.label(link.supply, 'vi')} → {link.demand_enterprise} ({found.label(link.demand, 'vi')})",
            "category": "third_party_symbiosis" if {supplier, receiver} & cities else "input_output_exchange",
            "basis": "expected",
            "waste_t": None if water or heat else float(link.flow_t),
            "water_m3": float(link.flow_t) if water else None,
            # heat: the receiver's boiler fuel saved, GJ of heat received times the fuel each GJ replaces
            "fuel_gj": float(link.flow_t) * entry.ncv_mj_per_kg if heat and entry.ncv_mj_per_kg else None,
            "fuel": link.demand.rsplit("|", 1)[1] if heat else None,
            "cost_saving_vnd": float(link.flow_t * link.margin_vnd_per_t - link.fixed_cost_vnd_per_year),
            "co2e_t": float(link.flow_t * link.co2e_t_per_t),
        }
        repository.propose_opportunity(
            session, opportunity_id, values, [link.supply_enterprise, link.demand_enterprise], year
        )
        stored.append(opportunity_id)
    return stored


def park_facts(database: Database, park_id: str, year: int | None = None, records: Records | None = None) -> ParkFacts:
    """What the certification criteria of a park are computed from, for `year` (default: its latest year);
    `records`, every year's records of the park when the caller has read them already (see `park_records`)."""
    from eipkit.certification.evidence import ParkFacts

    with database.sessions() as session:
        members = _members(session, park_id)
        records = repository.records(session, members) if records is None else records
        if year is None:
            years = records.years()
            year = years[-1] if years else dt.date.today().year - 1
        opportunities = repository.opportunities(session, park_id)
        records = records.in_year(year)
        # partners of a link may belong to other parks: only they are looked up
        partners = {e for o in opportunities for e in o.enterprise_ids}
        partners |= {w.receiver for w in records.waste if w.receiver is not None}
        park_of = {e: park_id for e in members}
        for enterprise_id in partners - set(park_of):
            partner = repository.enterprise(session, enterprise_id)
            if partner is not None:
                park_of[enterprise_id] = partner.park_id
        return ParkFacts(
            park=_park(session, park_id),
            year=year,
            enterprises=repository.enterprises(session, park_id),
            opportunities=opportunities,
            records=records,
            park_of=park_of,
        )


def certify_park(
    database: Database,
    park_id: str,
    pack: str = "vn-decree-35-2022",
    year: int | None = None,
    thresholds: dict[str, float] | None = None,
) -> Evaluation:
    """The park against a rule pack, with evidence, what is missing and the cheapest path per gap."""
    from eipkit.certification import evaluate, rules

    rule_pack = rules.load(pack).with_thresholds(thresholds or {})
    return evaluate.evaluate_park(rule_pack, park_facts(database, park_id, year))


def certify_enterprises(
    database: Database, park_id: str, pack: str = "vn-decree-35-2022", year: int | None = None
) -> list[Evaluation]:
    """Each enterprise of the park against the pack's eco-enterprise criteria (Decree 35 Art. 40(2), 42)."""
    from eipkit.certification import evaluate, rules

    return evaluate.evaluate_enterprises(rules.load(pack), park_facts(database, park_id, year))


def certification_dossier(
    database: Database,
    park_id: str,
    out_dir: str | Path,
    enterprise_id: str | None = None,
    pack: str = "vn-decree-35-2022",
    year: int | None = None,
    lang: str = "vi",
) -> list[Path]:
    """The Art. 41 dossier of a park (or the Art. 42 dossier of one of its enterprises) as DOCX and PDF."""
    from eipkit.certification import dossier, evaluate, rules
    from eipkit.reports.document import write_docx, write_pdf

    facts = park_facts(database, park_id, year)
    rule_pack = rules.load(pack)
    if enterprise_id is None:
        document = dossier.park_dossier(evaluate.evaluate_park(rule_pack, facts), facts, lang)
        stem = f"ho-so-kcn-sinh-thai-{park_id}-{facts.year}"
    else:
        enterprise = facts.members.get(enterprise_id)
        if enterprise is None:
            raise NotFound("nf.enterprise_in_park", enterprise=enterprise_id, park=park_id)
        evaluation = evaluate.evaluate_enterprise(rule_pack, facts, enterprise)
        document = dossier.enterprise_dossier(evaluation, facts, enterprise, lang)
        stem = f"ho-so-doanh-nghiep-sinh-thai-{enterprise_id}-{facts.year}"
    origin = accounts_provenance(database, [facts.accounts])
    origin.methods += ["certification"]
    origin.packs.append((rule_pack.id, rule_pack.version))
    _annex(document, origin, lang)
    out = Path(out_dir)
    return [write_docx(document, out / f"{stem}.docx"), write_pdf(document, out / f"{stem}.pdf")]


def annual_report(
    database: Database, park_id: str, year: int | None = None, enterprise_id: str | None = None, lang: str = "vi"
) -> dict[str, Any]:
    """The Art. 43 annual monitoring report of a park (forms A.4, A.5) or of one of its enterprises (B.4, B.5)."""
    from eipkit.certification import annual

    facts = park_facts(database, park_id, year)
    if enterprise_id is None:
        report = annual.park_report(facts, lang)
        across = park_city(database, park_id, facts.year)
        if across.cities:
            report["park_city"] = annual.park_city_section(across)
        return report
    enterprise = facts.members.get(enterprise_id)
    if enterprise is None:
        raise NotFound("nf.enterprise_in_park", enterprise=enterprise_id, park=park_id)
    return annual.enterprise_report(facts, enterprise, lang)


def park_city(database: Database, park_id: str, year: int | None = None) -> ParkCity:
    """What crosses the boundary between a park and the cities of its province in a year (default: the park's
    latest year of records)."""
    from eipkit.symbiosis import park_city as boundary

    with database.sessions() as session:
        park = repository.park(session, park_id)
        if park is None:
            raise NotFound("nf.park", park=park_id)
        members = _members(session, park_id)
        cities = {c.park_id: c.name for c in repository.parks(session, province=park.province, cities=True)}
        park_of = {e: park_id for e in members}
        for city in cities:
            park_of |= {e.enterprise_id: city for e in repository.enterprises(session, city)}
        own = repository.records(session, members)
        theirs = repository.records(session, [e for e, p in park_of.items() if p != park_id])
        opportunities = repository.opportunities(session, park_id)
    if year is None:
        years = own.years()
        year = years[-1] if years else dt.date.today().year - 1
    waste = own.waste + theirs.waste
    return boundary.flows(park_id, year, set(members), opportunities, waste, park_of, cities)


def park_provenance(database: Database, park_id: str, year: int | None = None, pack: str | None = None) -> Provenance:
    """What a park's figures of a year are computed with: for its annual report and dossier."""
    facts = park_facts(database, park_id, year)
    origin = accounts_provenance(database, [facts.accounts])
    origin.methods += ["certification"]
    if pack is not None:
        from eipkit.certification import rules

        loaded = rules.load(pack)
        origin.packs.append((loaded.id, loaded.version))
    return origin


def _annex(document: Any, origin: Provenance, lang: str) -> None:
    from eipkit import i18n

    headers = [i18n.t(k, lang) for k in ("prov.item", "prov.value", "prov.source")]
    document.annex(i18n.t("prov.title", lang), headers, origin.rows(lang))


def annual_report_files(
    report: dict[str, Any], out_dir: str | Path, lang: str = "vi", origin: Provenance | None = None
) -> list[Path]:
    """The annual report written as DOCX and PDF into `out_dir`, ending with its methodology annex."""
    from eipkit.certification.annual import report_document
    from eipkit.reports.document import write_docx, write_pdf

    subject = report.get("enterprise") or report["park"]
    stem = f"bao-cao-hang-nam-{subject}-{report['year']}"
    document = report_document(report, lang)
    _annex(document, origin or Provenance(["certification"], [report["year"]]), lang)
    out = Path(out_dir)
    return [write_docx(document, out / f"{stem}.docx"), write_pdf(document, out / f"{stem}.pdf")]


def submit_application(
    database: Database, park_id: str, submitted: dt.date, procedure: str = "park", enterprise_id: str | None = None
) -> int:
    """Open an application on the day its complete dossier was received; returns its number."""
    from eipkit.certification.procedure import step_ids

    step_ids(procedure)  # refuses an unknown procedure before anything is stored
    with database.transaction() as session:
        members = _members(session, park_id)
        if enterprise_id is not None and enterprise_id not in members:
            raise NotFound("nf.enterprise_in_park", enterprise=enterprise_id, park=park_id)
        return repository.add_application(session, park_id, enterprise_id, procedure, submitted).id


def record_application_step(
    database: Database, application_id: int, step: str, on: dt.date, note: str | None = None
) -> None:
    with database.transaction() as session:
        checked_step(session, application_id, step, on, note)


def checked_step(session: Session, application_id: int, step: str, on: dt.date, note: str | None = None) -> None:
    """Record an application's step after the procedure's checks: in order, not dated back, not after closing."""
    from eipkit.certification.applications import RefusedStep, check_step

    found = repository.applications(session, ids=[application_id])
    if not found:
        raise RefusedStep("app.not_found", application=application_id)
    check_step(found[0], step, on)
    repository.record_application_step(session, application_id, step, on, note)


def application_progress(
    database: Database,
    today: dt.date,
    park_ids: Sequence[str] | None = None,
    application_id: int | None = None,
    overdue_only: bool = False,
    lang: str = "vi",
) -> list[dict[str, Any]]:
    """Applications with each step's due date and what is late on `today`; the board's overdue view."""
    from eipkit.certification.applications import RefusedStep, progress
    from eipkit.certification.calendar import vietnam

    with database.sessions() as session:
        ids = [application_id] if application_id is not None else None
        found = repository.applications(session, park_ids, ids)
    if application_id is not None and not found:
        raise RefusedStep("app.not_found", application=application_id)
    calendar = vietnam()
    shown = [progress(a, today, calendar, lang) for a in found]
    return [p for p in shown if p["overdue"]] if overdue_only else shown

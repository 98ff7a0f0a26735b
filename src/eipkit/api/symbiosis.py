"""Industrial symbiosis: explained candidate exchanges in a park or a province, the optimisation that picks links
(linopy + HiGHS, with time limits and a proven gap), a problem file solved, the national network, and a park's
exchanges with its city."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from eipkit.api._lookup import park_members, parks_in_scope
from eipkit.api.registry import waste_codes
from eipkit.errors import NotFound
from eipkit.store import Database, repository

if TYPE_CHECKING:  # the symbiosis modules load linopy; commands that do not optimise need not wait for it
    from eipkit.symbiosis.candidates import CandidateSet
    from eipkit.symbiosis.engine import Limits
    from eipkit.symbiosis.network import Solution
    from eipkit.symbiosis.park_city import ParkCity


def symbiosis_candidates(
    database: Database,
    park_ids: Sequence[str] | None = None,
    province: str | None = None,
    knowledge_file: str | None = None,
    max_distance_km: float | None = None,
) -> CandidateSet:
    """Candidate exchanges among the enterprises of these parks (within and across them, and with the cities of their
    provinces): each waste matched to an enterprise that can take it by the knowledge base's synergies, explained (the
    rule, the substitution, the distance, the money and CO2e), with the confidence of the synergy behind it.

    Args:
        database: the store.
        park_ids: these parks (all when None and no province).
        province: a province's parks instead.
        knowledge_file: a knowledge base of your own in place of the shipped one (`data/synergies.csv` columns).
        max_distance_km: the longest haul considered (the knowledge base's 50 km when None).

    Examples:
        >>> found = api.symbiosis_candidates(database, ["HIEPPHUOC"])
        >>> len(found.arcs)
    """
    from eipkit.symbiosis import candidates, knowledge

    with database.sessions() as session:
        parks = parks_in_scope(session, park_ids, province, cities=True)
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
    (`symbiosis.engine.solve`: linopy + HiGHS, within its time limit, with its proven gap) and store each selected
    link as a proposed symbiosis opportunity (an opportunity already further along keeps its stage).

    Args:
        database: the store.
        park_ids: these parks.
        province: a province's parks instead.
        objective: `cost` (the most money saved) or `co2` (the most CO2e avoided).
        limits: the engine's limits, or a time limit in seconds (the engine's default when None).
        knowledge_file: a knowledge base of your own.
        progress: called with the solver's progress (bound, gap, seconds) while it runs.

    Returns:
        The candidates and the solution (status, gap, bound, the links chosen).

    Examples:
        >>> found, solution = api.optimize_symbiosis(database, province="Hải Phòng", limits=30)
        >>> solution.status, solution.gap
    """
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
    """The optimised exchange network of these parks, as `optimize_symbiosis` finds it, stored nowhere (what a user
    tries before proposing).

    Args:
        database: the store.
        park_ids: these parks.
        province: a province's parks instead.
        objective: `cost` or `co2`.
        limits: the engine's limits, or a time limit in seconds.
        knowledge_file: a knowledge base of your own.
        progress: called with the solver's progress.

    Examples:
        >>> _, solution = api.solve_symbiosis(database, ["DEEPC"], objective="co2")
        >>> solution.links[["supply", "demand", "flow_t"]]
    """
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
    """The whole country's exchange network, told as aggregates only (no enterprise named): links, tonnes, money and
    CO2 per province (of the supplying enterprise) and per resource. Nothing is stored.

    Args:
        database: the store.
        objective: `cost` or `co2`.
        limits: the engine's limits, or a time limit in seconds.
        progress: called with the solver's progress.
        lang: "vi" or "en", for the names of resources and provinces.

    Examples:
        >>> api.national_symbiosis(database, limits=120)["by_province"]
    """
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
    opportunity, in the caller's transaction; returns their ids.

    Args:
        session: the caller's open transaction.
        found: the candidates the links were chosen from.
        links: a solution's links table, or candidate arcs with `flow_t`.

    Examples:
        >>> found, solution = api.solve_symbiosis(database, ["DEEPC"])
        >>> with database.transaction() as session:
        ...     api.store_links(session, found, solution.links)
    """
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


def park_city(database: Database, park_id: str, year: int | None = None) -> ParkCity:
    """What crosses the boundary between a park and the cities of its province in a year: treated water and
    by-products taken by the city, the city's waste taken by tenants, and the CO2e avoided.

    Args:
        database: the store.
        park_id: the park; an unknown one raises NotFound.
        year: the year (the park's latest year of records when None).

    Examples:
        >>> api.park_city(database, "NAMCAUKIEN", 2024)
    """
    from eipkit.symbiosis import park_city as boundary

    with database.sessions() as session:
        park = repository.park(session, park_id)
        if park is None:
            raise NotFound("nf.park", park=park_id)
        members = park_members(session, park_id)
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

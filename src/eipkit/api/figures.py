"""Each park's dashboard figures, kept in the database (`park_figures`) and computed again only for the parks a
change touched: the national overview and the park table read one row per park, whatever the number of
enterprises and records behind it. The figures are what `certify_park` gives for the park's latest year and `park_kpi`
for each year with records; they carry the versions that produced them like any other answer of the library."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select, update

from eipkit.store import Database, repository, state
from eipkit.store.schema import ParkFigures

DEFAULT_PACK = "vn-decree-35-2022"


def compute(database: Database, park_id: str) -> dict[str, Any]:
    """A park's figures from its records (the slow way, used when the stored ones are stale): its records, read once,
    give the certification status of its latest year and the KPIs of every year.

    Args:
        database: the store.
        park_id: the park.

    Examples:
        >>> sorted(figures.compute(database, "DEEPC")["kpi_by_year"])
    """
    from eipkit import accounting, api
    from eipkit.certification import evaluate, rules

    records = api.park_records(database, park_id)  # every year, read once for the facts and each year's KPIs
    facts = api.park_facts(database, park_id, records=records)
    status = evaluate.evaluate_park(rules.load(DEFAULT_PACK), facts).as_dict("vi", named=False)
    year = facts.year if facts.records.years() else None  # no records: park_facts fell back on last year
    tenants = len(facts.enterprises)
    by_year = {
        str(y): accounting.account(records.in_year(y), y, enterprises=tenants).as_dict() for y in records.years()
    }
    return {
        "enterprises": len(facts.enterprises),
        "eligible": status["eligible"],
        "eligible_on_verified_criteria": status["eligible_on_verified_criteria"],
        "criteria_passed": sum(c["status"] == "pass" for c in status["criteria"]),
        "criteria": len(status["criteria"]),
        "pack": status["pack"],
        "pack_version": status["pack_version"],
        "latest_year": year,
        "kpi": by_year.get(str(year)) if year else None,
        "kpi_by_year": by_year,  # every year with records, for the dashboards' year selector
    }


def park_figures(
    database: Database,
    park_ids: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Figures of these parks (all by default): stored ones while current, the others computed and stored.

    Args:
        database: the store.
        park_ids: these parks (all when None).
        progress: called with each park's id as it is computed.

    Examples:
        >>> figures.park_figures(database, ["DEEPC"])["DEEPC"]["criteria_passed"]
    """
    with database.sessions() as session:
        epoch = state.figures_epoch(session)
        wanted = [p.park_id for p in repository.parks(session)]
        if park_ids is not None:
            chosen = set(park_ids)
            wanted = [p for p in wanted if p in chosen]
        stored = {row.park_id: row for row in session.scalars(select(ParkFigures))}
    result: dict[str, dict[str, Any]] = {}
    stale = []
    for park_id in wanted:
        row = stored.get(park_id)
        figures = {}
        if row is not None and row.figures and (row.computed_version, row.computed_epoch) == (row.version, epoch):
            figures = json.loads(row.figures)
        if "kpi_by_year" in figures:  # figures stored by an earlier version lack it: computed again
            result[park_id] = figures
        else:
            stale.append((park_id, row.version if row else None))
    for number, (park_id, version) in enumerate(stale, start=1):
        if progress:
            progress(f"figures {number}/{len(stale)}")
        result[park_id] = compute(database, park_id)
        _keep(database, park_id, version, epoch, result[park_id])
    return result


def ready_after_bulk_load(database: Database, progress: Callable[[str], None] | None = None) -> None:
    """After a bulk load (the national dataset): the planner's statistics gathered first (`Database.analyze`; with
    autovacuum off or late, the first readers waited three to four times as long), then every park's figures
    computed and stored, so that no reader pays for either.

    Args:
        database: the store.
        progress: called with each step ("ANALYZE", then each park's figures as they are computed).

    Examples:
        >>> figures.ready_after_bulk_load(database, progress=print)
    """
    if progress:
        progress("ANALYZE")
    database.analyze()
    park_figures(database, progress=progress)


def _keep(database: Database, park_id: str, version: int | None, epoch: int, figures: dict[str, Any]) -> None:
    """Store figures computed at `version`: a change made meanwhile has bumped it, and they stay stale."""
    text = json.dumps(figures, default=str)
    with database.transaction(changes_data=False) as session:
        if version is None:
            if session.get(ParkFigures, park_id) is None:
                session.add(
                    ParkFigures(park_id=park_id, version=0, computed_version=0, computed_epoch=epoch, figures=text)
                )
            return
        session.execute(
            update(ParkFigures)
            .where(ParkFigures.park_id == park_id, ParkFigures.version == version)
            .values(computed_version=version, computed_epoch=epoch, figures=text)
        )

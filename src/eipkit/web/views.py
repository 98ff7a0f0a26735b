"""What each page and API call shows, computed from the library and kept until the data changes.

Dashboards are read far more often than data changes, so results are cached per data version: every change
made through the application bumps the version; a change made outside it (the command line) shows after
`MAX_AGE` seconds.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import HTTPException, Request

from eipkit import access, api, contract, i18n
from eipkit.access import Place, User
from eipkit.store import Database, repository
from eipkit.web.security import language

MAX_AGE = 60.0
T = TypeVar("T")


class Cache:
    def __init__(self) -> None:
        self.version = 0
        self._items: dict[tuple, tuple[int, float, Any]] = {}
        self._lock = threading.Lock()
        self._computing: dict[tuple, threading.Lock] = {}

    def changed(self) -> None:
        with self._lock:
            self.version += 1
            self._items.clear()

    def _fresh(self, key: tuple) -> tuple[bool, Any]:
        found = self._items.get(key)
        if found and found[0] == self.version and time.monotonic() - found[1] < MAX_AGE:
            return True, found[2]
        return False, None

    def get(self, key: tuple, compute: Callable[[], T]) -> T:
        """The cached value, or computed once while other requests for the same key wait for it."""
        with self._lock:
            hit, value = self._fresh(key)
            if hit:
                return value
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                hit, value = self._fresh(key)
                if hit:
                    return value
                version, started = self.version, time.monotonic()
            value = compute()
            with self._lock:
                if version == self.version:
                    self._items[key] = (version, started, value)
        return value


def places(database: Database, cache: Cache) -> dict[str, Place]:
    def compute() -> dict[str, Place]:
        with database.sessions() as session:
            return {p.park_id: Place(p.park_id, p.province) for p in repository.parks(session)}

    return cache.get(("places",), compute)


def enterprise_places(database: Database, cache: Cache) -> dict[str, Place]:
    def compute() -> dict[str, Place]:
        parks = places(database, cache)
        with database.sessions() as session:
            return {
                e.enterprise_id: Place(e.park_id, parks[e.park_id].province, e.enterprise_id)
                for e in repository.all_enterprises(session)
            }

    return cache.get(("enterprise_places",), compute)


def parks(database: Database, cache: Cache, user: User) -> list[dict[str, Any]]:
    """The parks this user may list (see `access.visible_parks`), as rows of `park_table`."""
    visible = {p.park_id for p in access.visible_parks(user, places(database, cache).values())}
    return [p for p in park_table(database, cache) if p["park_id"] in visible]


def park_table(database: Database, cache: Cache) -> list[dict[str, Any]]:
    def compute() -> list[dict[str, Any]]:
        with database.sessions() as session:
            found = repository.parks(session)
            counts = Counter(e.park_id for e in repository.all_enterprises(session))
        rows = []
        for park in found:
            status = certification(database, cache, park.park_id, "vn-decree-35-2022")
            rows.append(
                {
                    "park_id": park.park_id,
                    "name": park.name,
                    "province": park.province,
                    "area_ha": park.area_ha,
                    "lat": park.lat,
                    "lon": park.lon,
                    "kind": park.kind,
                    "enterprises": counts[park.park_id],
                    "eligible": status["eligible"],
                    "eligible_on_verified_criteria": status["eligible_on_verified_criteria"],
                    "criteria_passed": sum(c["status"] == "pass" for c in status["criteria"]),
                    "criteria": len(status["criteria"]),
                }
            )
        return rows

    return cache.get(("park_table",), compute)


def latest_year(database: Database, cache: Cache, park_id: str) -> int | None:
    def compute() -> int | None:
        with database.sessions() as session:
            members = [e.enterprise_id for e in repository.enterprises(session, park_id)]
            years = repository.records(session, members).years()
        return years[-1] if years else None

    return cache.get(("latest_year", park_id), compute)


def kpi(database: Database, cache: Cache, park_id: str, year: int) -> dict[str, Any]:
    return cache.get(("kpi", park_id, year), lambda: api.park_kpi(database, park_id, year).as_dict())


def certification(
    database: Database, cache: Cache, park_id: str, rules: str, lang: str = "vi", named: bool = False
) -> dict[str, Any]:
    """A park against a rule pack; enterprises and opportunities named only when `named` (the reader may see the
    park's details), counted otherwise."""
    evaluation = cache.get(("certification", park_id, rules), lambda: api.certify_park(database, park_id, rules))
    return evaluation.as_dict(lang, named)


def results(database: Database, cache: Cache, park_ids: tuple[str, ...] | None) -> dict[str, Any]:
    return _results(database, cache, park_ids).as_dict()


def results_provenance(database: Database, cache: Cache, park_ids: tuple[str, ...] | None) -> dict[str, Any]:
    return api.results_provenance(database, _results(database, cache, park_ids)).as_dict()


def _results(database: Database, cache: Cache, park_ids: tuple[str, ...] | None) -> Any:
    return cache.get(("results", park_ids), lambda: api.results(database, park_ids))


def summary(database: Database, cache: Cache, park_id: str) -> Any:
    from eipkit.reports import park_summary

    return cache.get(("summary", park_id), lambda: park_summary.summarise(database, park_id))


def park_page(database: Database, cache: Cache, park_id: str, lang: str) -> dict[str, Any]:
    """The figures and charts of a park's dashboard (drawing the charts costs more than computing them)."""
    from eipkit.reports import park_summary

    def compute() -> dict[str, Any]:
        found = summary(database, cache, park_id)
        return {
            "park": found.park,
            "years": [a.year for a in found.accounts],
            "rows": park_summary.kpi_rows(found, lang),
            "charts": park_summary.charts(found, lang, details=False),
            "stages": stage_counts(found.opportunities, lang),
        }

    return cache.get(("park_page", park_id, lang), compute)


def stage_counts(opportunities: list[Any], lang: str) -> list[tuple[str, str, int, int]]:
    counts = Counter((o.kind, o.stage) for o in opportunities)
    return [
        (s, contract.enum_label("stage", s, lang), counts[("recp", s)], counts[("symbiosis", s)])
        for s in contract.enum_values("stage")
    ]


def savings_cards(result: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """Yearly savings of implemented opportunities, the figures a coordinator watches move."""
    keys = ("electricity_mwh", "fuel_tj", "water_m3", "materials_chemicals_waste_t", "co2e_t", "cost_saving_vnd")
    return [(i18n.t(f"result.{k}", lang), i18n.number(result[k]["total"], lang, 0)) for k in keys]


def national(database: Database, cache: Cache, lang: str) -> dict[str, Any]:
    """National figures: each park's latest year summed, the programme's results table."""

    def compute() -> dict[str, Any]:
        totals: Counter[str] = Counter()
        for row in park_table(database, cache):
            year = latest_year(database, cache, row["park_id"])
            if year is None:
                continue
            figures = kpi(database, cache, row["park_id"], year)
            for key in ("enterprises", "electricity_mwh", "water_withdrawal_m3", "waste_t", "total_tco2e"):
                totals[key] += figures.get(key) or 0.0
        return dict(totals)

    return cache.get(("national",), compute)


def park_place(request: Request, park_id: str) -> Place:
    """Where a park is, for the permission checks; 404 for an unknown id."""
    place = places(request.app.state.database, request.app.state.cache).get(park_id)
    if place is None:
        raise HTTPException(404, i18n.t("web.not_found", language(request), what=park_id))
    return place


def enterprise_place(request: Request, enterprise_id: str) -> Place:
    place = enterprise_places(request.app.state.database, request.app.state.cache).get(enterprise_id)
    if place is None:
        raise HTTPException(404, i18n.t("web.not_found", language(request), what=enterprise_id))
    return place

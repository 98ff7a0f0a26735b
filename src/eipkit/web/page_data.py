"""What each page and API call shows, computed from the library and kept until the data change.

Dashboards are read far more often than data change, so results are cached per data version: the number in the
database that every transaction changing data bumps, whichever process (another web process, a worker, the command
line) made the change. A request reads it once; the next request on any process sees a change.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar, cast

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from eipkit import access, api, contract, i18n
from eipkit.access import Place, User
from eipkit.api import figures as api_figures
from eipkit.api import registry
from eipkit.api.registry import Database
from eipkit.web.security import language

T = TypeVar("T")
_seen: ContextVar[tuple[int, int] | None] = ContextVar("data_version_seen", default=None)


class Cache:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._items: dict[tuple[Any, ...], tuple[int, Any]] = {}
        self._changes = 0  # changes made through this process: a request that made one reads the version again
        self._lock = threading.Lock()
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}

    def version(self) -> int:
        """The data version this request sees: read from the database at its first cached value."""
        seen = _seen.get()
        if seen is None or seen[0] != self._changes:
            seen = (self._changes, self.database.data_version())
            _seen.set(seen)
        return seen[1]

    def changed(self) -> None:
        """Data were changed through this process (perhaps on a worker thread): what any request shows next reads
        the new version."""
        with self._lock:
            self._changes += 1

    def _fresh(self, key: tuple[Any, ...], version: int) -> tuple[bool, Any]:
        found = self._items.get(key)
        if found and found[0] == version:
            return True, found[1]
        return False, None

    def get(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """The cached value, or computed once while other requests for the same key wait for it."""
        version = self.version()
        with self._lock:
            hit, value = self._fresh(key, version)
            if hit:
                return cast(T, value)
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                hit, value = self._fresh(key, version)
                if hit:
                    return cast(T, value)
            value = compute()
            with self._lock:
                newest = max((v for v, _ in self._items.values()), default=version)
                if version > newest:  # the data changed: what was kept for older versions can go
                    self._items = {k: item for k, item in self._items.items() if item[0] >= version}
                if version >= newest:
                    self._items[key] = (version, value)
        return value


class FreshVersion:
    """Pure ASGI middleware: each request starts without a data version, so it reads the current one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        _seen.set(None)
        await self.app(scope, receive, send)


def places(database: Database, cache: Cache) -> dict[str, Place]:
    def compute() -> dict[str, Place]:
        return {p.park_id: Place(p.park_id, p.province) for p in registry.parks(database)}

    return cache.get(("places",), compute)


def enterprise_places(database: Database, cache: Cache) -> dict[str, Place]:
    def compute() -> dict[str, Place]:
        parks = places(database, cache)
        return {
            e.enterprise_id: Place(e.park_id, parks[e.park_id].province, e.enterprise_id)
            for e in registry.all_enterprises(database)
            if e.park_id in parks  # a city's facilities have no page of their own
        }

    return cache.get(("enterprise_places",), compute)


def parks(database: Database, cache: Cache, user: User) -> list[dict[str, Any]]:
    """The parks this user may list (see `access.visible_parks`), as rows of `park_table`."""
    visible = {p.park_id for p in access.visible_parks(user, places(database, cache).values())}
    return [p for p in park_table(database, cache) if p["park_id"] in visible]


def park_table(database: Database, cache: Cache) -> list[dict[str, Any]]:
    """Every park with its stored figures (see `api.figures`): one row per park read, stale parks computed."""

    def compute() -> list[dict[str, Any]]:
        found = registry.parks(database)
        figures = api_figures.park_figures(database)
        keys = ("enterprises", "eligible", "eligible_on_verified_criteria", "criteria_passed", "criteria")
        return [
            {
                "park_id": park.park_id,
                "name": park.name,
                "province": park.province,
                "area_ha": park.area_ha,
                "lat": park.lat,
                "lon": park.lon,
                "kind": park.kind,
                **{k: figures[park.park_id][k] for k in keys},
                "latest_year": figures[park.park_id]["latest_year"],
                "kpi": figures[park.park_id]["kpi"],
                "kpi_by_year": figures[park.park_id]["kpi_by_year"],
            }
            for park in found
        ]

    return cache.get(("park_table",), compute)


def latest_year(database: Database, cache: Cache, park_id: str) -> int | None:
    def compute() -> int | None:
        years = api.park_records(database, park_id).years()
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
    table: dict[str, Any] = _results(database, cache, park_ids).as_dict()
    return table


def results_provenance(database: Database, cache: Cache, park_ids: tuple[str, ...] | None) -> dict[str, Any]:
    return api.results_provenance(database, _results(database, cache, park_ids)).as_dict()


def _results(database: Database, cache: Cache, park_ids: tuple[str, ...] | None) -> Any:
    return cache.get(("results", park_ids), lambda: api.results(database, park_ids))


def summary(database: Database, cache: Cache, park_id: str) -> Any:
    return cache.get(("summary", park_id), lambda: api.park_summary(database, park_id))


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


def park_city(database: Database, cache: Cache, park_id: str, lang: str) -> dict[str, Any] | None:
    """The park-city cards of a park's dashboard, or None when no city of its province is entered."""
    from eipkit.certification.annual import park_city_section

    def compute() -> dict[str, Any] | None:
        across = api.park_city(database, park_id)
        if not across.cities:
            return None
        section = park_city_section(across)
        cards = [
            (i18n.t(f"annual.item.{key}", lang), i18n.number(section[key], lang, digits))
            for key, digits in (
                ("links_operating", 0),
                ("water_reused_across_m3", 0),
                ("municipal_waste_used_t", 0),
                ("industrial_to_city_t", 0),
                ("fuel_saved_across_gj", 0),
                ("co2e_avoided_across_t", 1),
                ("links_planned", 0),
            )
        ]
        return {"cities": section["cities"], "year": across.year, "cards": cards}

    return cache.get(("park_city", park_id, lang), compute)


def stage_counts(opportunities: list[Any], lang: str) -> list[tuple[str, str, int, int]]:
    counts = Counter((o.kind, o.stage) for o in opportunities)
    return [
        (s, contract.enum_label("stage", s, lang), counts[("recp", s)], counts[("symbiosis", s)])
        for s in contract.enum_values("stage")
    ]


def savings_cards(result: dict[str, Any], lang: str) -> list[tuple[str, str, float]]:
    """Yearly savings of implemented opportunities, the figures a coordinator watches move: label, the figure as
    read (money in tỷ or triệu đồng) and its exact value (shown on hover)."""
    keys = ("electricity_mwh", "fuel_tj", "water_m3", "materials_chemicals_waste_t", "co2e_t", "cost_saving_vnd")
    cards = []
    for key in keys:
        total = result[key]["total"]
        shown = i18n.money(total, lang) if key.endswith("_vnd") else i18n.number(total, lang, 0)
        cards.append((i18n.t(f"result.{key}", lang), shown, total))
    return cards


def totals(
    database: Database, cache: Cache, lang: str, year: int | None = None, park_ids: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """National figures (or those of `park_ids`, a province's): each park's latest year summed (said so, with the
    years), or one year's across the parks that have it (said so, with the parks that do not); the years a reader
    may choose."""

    def compute() -> dict[str, Any]:
        rows = [r for r in park_table(database, cache) if park_ids is None or r["park_id"] in park_ids]
        years = sorted({int(y) for row in rows for y in row["kpi_by_year"]}, reverse=True)
        totals: dict[str, float] = {}
        counted: Counter[int] = Counter()
        for row in rows:
            figures = row["kpi"] if year is None else row["kpi_by_year"].get(str(year))
            if figures is None:
                continue
            counted[row["latest_year"] if year is None else year] += 1
            for key in ("enterprises", "electricity_mwh", "water_withdrawal_m3", "waste_t", "total_tco2e"):
                totals[key] = totals.get(key, 0.0) + (figures.get(key) or 0.0)
        newest_first = sorted(counted.items(), reverse=True)
        as_of = ", ".join(i18n.t("web.year_parks", lang, year=y, parks=count) for y, count in newest_first)
        missing = len(rows) - sum(counted.values())
        return {**totals, "as_of": as_of, "years": years, "year": year, "missing": missing}

    return cache.get(("totals", lang, year, park_ids), compute)


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

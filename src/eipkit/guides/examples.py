"""The worked examples of the guides, computed by the product on the demo: the figures a guide prints are stored in
`data/guides/examples.yaml`, and `drift` tells which of them the product no longer computes, so the guides never say
something the code does not do."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from eipkit.store import Database

Value = float | dt.date


@dataclass(frozen=True)
class Example:
    """A figure a guide prints: its value as written in the guide, with the digits it is shown with."""

    key: str
    value: Value
    digits: int = 0

    def same_as(self, computed: Value) -> bool:
        if isinstance(self.value, dt.date) or isinstance(computed, dt.date):
            return self.value == computed
        return round(float(computed), self.digits) == round(float(self.value), self.digits)


@cache
def printed() -> dict[str, Example]:
    """The figures as the guides print them."""
    text = resources.files("eipkit.data").joinpath("guides").joinpath("examples.yaml").read_text(encoding="utf-8")
    entries: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return {key: Example(key, entry["value"], entry.get("digits", 0)) for key, entry in entries.items()}


TIMELINE_RECEIVED = dt.date(2026, 2, 12)  # a park's dossier received the Thursday before the 2026 Tết break


def _monitoring(database: Database) -> dict[str, Value]:
    from eipkit import api

    park = api.park_kpi(database, "DEEPC", 2024)
    measured = api.enterprise_measured_savings(database, "DEEPC-001", [2022], 2024)
    saved = measured.avoided["electricity_mwh"]
    return {
        "deepc_2024_electricity_mwh": park.electricity_mwh,
        "deepc_2024_grid_mwh": park.grid_electricity_mwh,
        "deepc_2024_grid_ef": park.grid_ef_tco2_per_mwh,
        "deepc_2024_scope1_t": park.scope1_tco2e,
        "deepc_2024_scope2_t": park.scope2_tco2e,
        "deepc001_production_ratio": measured.production_ratio,
        "deepc001_baseline_mwh": saved.baseline,
        "deepc001_adjusted_mwh": saved.adjusted_baseline,
        "deepc001_reporting_mwh": saved.reporting,
        "deepc001_avoided_mwh": saved.avoided,
    }


def _recp(database: Database) -> dict[str, Value]:
    from eipkit import api

    position = api.enterprise_benchmark(database, "DEEPC-001", 2024).positions["energy_gj_per_bn_vnd"]
    found = {
        "deepc001_energy_gj_per_bn": position.value,
        "deepc001_energy_peers": position.peers,
        "deepc001_energy_q1": position.q1,
        "deepc001_energy_median": position.median,
        "deepc001_energy_percentile": position.percentile,
    }
    return {key: math.nan if value is None else value for key, value in found.items()}  # nan never matches


def _symbiosis(database: Database) -> dict[str, Value]:
    from eipkit import api

    rows = api.symbiosis_candidates(database, ["NAMCAUKIEN"]).rows("en")
    top = rows[0]
    water = next(r for r in rows if r["kb_id"] == "IS20")
    heat = next(r for r in rows if r["kb_id"] == "IS23" and r["demand_enterprise"] == "NCK-DOTHI-06")
    return {
        "nck_candidates": len(rows),
        "nck_top_flow_t": top["max_flow_t"],
        "nck_top_km": top["distance_km"],
        "nck_top_money_mvnd": top["money_vnd_per_year"] / 1e6,
        "nck_water_m3": water["max_flow_t"],
        "nck_water_km": water["distance_km"],
        "nck_water_money_mvnd": water["money_vnd_per_year"] / 1e6,
        "nck_heat_gj": heat["max_flow_t"],
        "nck_heat_money_mvnd": heat["money_vnd_per_year"] / 1e6,
        "nck_water_operating_m3": api.park_city(database, "NAMCAUKIEN", 2025).operating.water_reused_m3,
    }


def _certification(database: Database) -> dict[str, Value]:
    from eipkit import api
    from eipkit.certification import procedure

    judged = {r.criterion.id: r.value for r in api.certify_park(database, "NAMCAUKIEN").results}
    due = {s["step"]: s["due"] for s in procedure.timeline(TIMELINE_RECEIVED, "park")["steps"] if s["due"]}
    return {
        "nck_recp_share": judged["D35-37.2.c"],
        "nck_services_share": judged["D35-37.1.b"],
        "nck_tenant_violations": judged["D35-37.2.a"],
        "timeline_received": TIMELINE_RECEIVED,
        "timeline_forward_due": dt.date.fromisoformat(due["forward"]),
        "timeline_opinions_due": dt.date.fromisoformat(due["opinions"]),
        "timeline_appraisal_due": dt.date.fromisoformat(due["appraisal"]),
    }


def _workbook(database: Database) -> dict[str, Value]:
    from eipkit import units

    return {
        "kwh_12500_in_gj": units.convert(12_500, "kWh", "GJ"),
        "diesel_1000_l_in_gj": units.carrier_energy("diesel", 1000, "L").gj,
    }


def _results(database: Database) -> dict[str, Value]:
    from eipkit import api

    table = api.results(database).as_dict()
    return {
        "national_identified": table["opportunities_identified"]["total"],
        "national_implemented": table["opportunities_implemented"]["total"],
        "national_electricity_mwh": table["electricity_mwh"]["total"],
        "national_electricity_measured_mwh": table["electricity_mwh"]["measured"],
        "national_co2e_t": table["co2e_t"]["total"],
        "national_investment_bn": table["investment_mobilised_vnd"]["total"] / 1e9,
        "national_links_operating": table["symbiosis_links"]["operating"],
    }


COMPUTE: dict[str, Callable[[Database], dict[str, Value]]] = {
    "monitoring": _monitoring,
    "recp": _recp,
    "symbiosis": _symbiosis,
    "certification": _certification,
    "workbook": _workbook,
    "results": _results,
}


def computed(database: Database) -> dict[str, Value]:
    """Every figure of the guides as the product computes it today, on the demo loaded in `database`."""
    found: dict[str, Value] = {}
    for compute in COMPUTE.values():
        found |= compute(database)
    return found


def drift(database: Database) -> list[tuple[str, Value | None, Value | None]]:
    """(key, printed, computed) of every figure a guide prints that the product does not compute the same today."""
    now = computed(database)
    wrong: list[tuple[str, Value | None, Value | None]] = []
    for key in sorted(set(now) | set(printed())):
        example = printed().get(key)
        if example is None or key not in now or not example.same_as(now[key]):
            wrong.append((key, example.value if example else None, now.get(key)))
    return wrong

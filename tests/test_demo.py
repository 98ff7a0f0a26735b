"""The demo dataset: six real parks, synthetic tenants, and KPIs that a second method computes the same."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from eipkit import api, demo
from eipkit.store import Database, dump

# IPCC 2006 defaults written out by hand (NCV GJ/t; kg per TJ of CO2, CH4, N2O; biogenic), densities as stated.
IPCC = {
    "diesel": (43.0, 74100, 3, 0.6, False),
    "fuel_oil": (40.4, 77400, 3, 0.6, False),
    "lpg": (47.3, 63100, 1, 0.1, False),
    "natural_gas": (48.0, 56100, 1, 0.1, False),
    "coal_anthracite": (26.7, 98300, 10, 1.5, False),
    "coal_bituminous": (25.8, 94600, 10, 1.5, False),
    "biomass_wood": (15.6, 112000, 30, 4, True),
    "biomass_rice_husk": (11.6, 100000, 30, 4, True),
}
TONNES_PER = {("diesel", "L"): 0.844e-3, ("natural_gas", "Nm3"): 0.75e-3}
TONNES_PER_UNIT = {"t": 1.0, "kg": 1e-3}


def test_the_six_programme_parks_with_their_facts() -> None:
    rows = demo.rows()
    parks = {p["park_id"]: p for p in rows["parks"] if p.get("kind") != "city"}
    assert set(parks) == {"DEEPC", "HIEPPHUOC", "AMATA-BH", "VSIP-BN", "TANDO", "NAMCAUKIEN"}
    assert [p["park_id"] for p in rows["parks"] if p.get("kind") == "city"] == ["NCK-DOTHI"]  # beside Nam Cầu Kiền
    assert parks["VSIP-BN"]["province"] == "Bắc Ninh" and parks["VSIP-BN"]["area_ha"] == 700
    assert parks["HIEPPHUOC"]["area_ha"] == 311 + 579
    assert all("giả lập" in e["name"] for e in rows["enterprises"])
    per_park = Counter(e["park_id"] for e in rows["enterprises"] if e["park_id"] in parks)
    assert all(25 <= n <= 40 for n in per_park.values())


def test_every_park_has_opportunities_at_every_stage_and_several_years() -> None:
    rows = demo.rows()
    stages = defaultdict(set)
    for o in rows["opportunities"]:
        stages[o["park_id"]].add(o["stage"])
    assert all(s == set(demo.STAGES) for s in stages.values())
    assert len({r["year"] for r in rows["energy"]}) >= 3


def test_the_demo_is_the_same_every_time() -> None:
    assert demo.rows() == demo.rows()


def independent_park_figures(park_id: str, year: int) -> dict[str, float]:
    rows = demo.rows()
    members = {e["enterprise_id"] for e in rows["enterprises"] if e["park_id"] == park_id}
    grid = solar = fuel_gj = scope1 = biogenic = 0.0
    for r in rows["energy"]:
        if r["enterprise_id"] not in members or r["year"] != year:
            continue
        if r["carrier"].startswith("electricity"):
            mwh = r["quantity"] / 1000 if r["unit"] == "kWh" else r["quantity"]
            if r["carrier"] == "electricity_grid":
                grid += mwh
            else:
                solar += mwh
            continue
        ncv, co2, ch4, n2o, is_biogenic = IPCC[r["carrier"]]
        tonnes = r["quantity"] * TONNES_PER.get((r["carrier"], r["unit"]), TONNES_PER_UNIT.get(r["unit"], 0))
        tj = tonnes * ncv / 1000
        fuel_gj += tj * 1000
        scope1 += tj * ((0 if is_biogenic else co2) + 28 * ch4 + 265 * n2o) / 1000
        biogenic += tj * co2 / 1000 if is_biogenic else 0
    water = sum(
        r["quantity"]
        for r in rows["water"]
        if r["enterprise_id"] in members and r["year"] == year and r["kind"] == "withdrawal"
    )
    waste = [r for r in rows["waste"] if r["enterprise_id"] in members and r["year"] == year]
    return {
        "electricity_mwh": grid + solar,
        "fuel_tj": fuel_gj / 1000,
        "scope1_tco2e": scope1,
        "scope2_tco2e": grid * 0.6592,  # 2024 has no official factor: the 2023 one applies
        "biogenic_co2_t": biogenic,
        "water_withdrawal_m3": water,
        "waste_t": sum(r["quantity"] for r in waste),
        "waste_landfilled_t": sum(r["quantity"] for r in waste if r["fate"] == "landfill"),
        "hazardous_waste_t": sum(r["quantity"] for r in waste if r["hazardous"] == "yes"),
    }


@pytest.mark.parametrize("park_id", ["DEEPC", "TANDO"])
def test_park_kpis_of_the_demo_match_a_second_computation(sqlite_db: Database, park_id: str) -> None:
    demo.load(sqlite_db)
    accounts = api.park_kpi(sqlite_db, park_id, 2024)
    expected = independent_park_figures(park_id, 2024)
    for key, value in expected.items():
        assert getattr(accounts, key) == pytest.approx(value, rel=1e-9), key
    assert accounts.grid_ef_year == 2023


def test_loading_the_demo_twice_updates_instead_of_duplicating(database: Database) -> None:
    first = demo.load(database)
    counts = {name: len(rows) for name, rows in dump(database).items() if name != "imports"}
    second = demo.load(database)
    assert {name: len(rows) for name, rows in dump(database).items() if name != "imports"} == counts
    assert all(c["inserted"] == 0 for c in second.result.counts.values())
    facilities = sum(len(c["facilities"]) for c in demo.spec()["cities"])
    assert first.enterprises == 186 and counts["enterprises"] == 186 + facilities == 193

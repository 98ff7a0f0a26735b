"""Park-city exchanges: the city's municipal sources and sinks in the candidates and the optimisation of a park, and
the indicators of what crosses the boundary (water reused, municipal waste used by industry, CO2 avoided)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from eipkit import api, demo
from eipkit.model import Opportunity, WasteFlow
from eipkit.store import Database, repository
from eipkit.symbiosis import park_city
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path


def rows() -> dict[str, list[dict]]:
    def enterprise(eid: str, park: str, vsic: str, lon: float) -> dict:
        return {"enterprise_id": eid, "park_id": park, "name": eid, "vsic": vsic, "lat": 20.93, "lon": lon}

    return {
        "parks": [
            {"park_id": "P", "name": "KCN Thử", "province": "Hải Phòng", "area_ha": 100, "lat": 20.93, "lon": 106.62},
            {
                "park_id": "TOWN",
                "name": "Đô thị Thử",
                "province": "Hải Phòng",
                "area_ha": 900,
                "lat": 20.93,
                "lon": 106.64,
                "kind": "city",
            },
            {"park_id": "FAR", "name": "KCN Xa", "province": "Đồng Nai", "area_ha": 50, "lat": 10.9, "lon": 106.9},
        ],
        "enterprises": [
            enterprise("STEEL", "P", "2410", 106.62),
            enterprise("WWTP", "TOWN", "3700", 106.64),
            {"enterprise_id": "F1", "park_id": "FAR", "name": "F1", "vsic": "2410", "lat": 10.9, "lon": 106.9},
        ],
        "water": [
            {"enterprise_id": "STEEL", "year": 2024, "kind": "withdrawal", "quantity": 50_000, "unit": "m3",
             "cost_vnd": 50_000 * 16_000},
            {"enterprise_id": "WWTP", "year": 2024, "kind": "wastewater", "quantity": 100_000, "unit": "m3"},
            {"enterprise_id": "F1", "year": 2024, "kind": "withdrawal", "quantity": 10_000, "unit": "m3"},
        ],
    }  # fmt: skip


def pipe_km(lon1: float, lon2: float, lat: float = 20.93) -> float:
    p = math.radians(lat)
    h = math.cos(p) ** 2 * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 1.3 * 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_treated_municipal_wastewater_is_a_candidate_of_the_park_with_its_reasons(
    database: Database, tmp_path: Path
) -> None:
    import_path(database, workbook.write(tmp_path / "p.xlsx", rows()))
    found = api.symbiosis_candidates(database, ["P"]).rows("en")
    water = next(r for r in found if r["kb_id"] == "IS20")
    assert (water["supply_enterprise"], water["demand_enterprise"], water["unit"]) == ("WWTP", "STEEL", "m3")
    # the steel mill withdraws 50,000 m3 at 16,000 VND/m3; treated water may replace 30% of it (15,000 m3), carried
    # by pipe at 500 VND and 0.000026 t CO2e per m3-km; a m3 of supply water avoided is 0.000191 t CO2e
    km = pipe_km(106.62, 106.64)
    assert water["max_flow_t"] == pytest.approx(15_000)
    assert water["money_vnd_per_year"] == pytest.approx(15_000 * (16_000 - 500 * km))
    assert water["co2e_t_per_year"] == pytest.approx(15_000 * (0.000191 - 0.000026 * km))
    assert water["water_m3_per_year"] == pytest.approx(15_000) and water["diverted_t_per_year"] == 0
    assert any("WWTP discharges 100,000 m3/yr of treated wastewater (2024)" in r for r in water["reasons"])
    assert any("STEEL withdraws 50,000 m3/yr of water" in r and "30%" in r for r in water["reasons"])
    # a park in another province does not see the city; the city is not counted as a park
    assert not [r for r in api.symbiosis_candidates(database, ["FAR"]).rows("en") if r["kb_id"] == "IS20"]
    with database.sessions() as session:
        assert [p.park_id for p in repository.parks(session)] == ["FAR", "P"]


def test_surplus_steam_of_a_park_tenant_is_a_candidate_for_the_town_s_boilers(
    database: Database, tmp_path: Path
) -> None:
    data = rows()
    data["enterprises"].append(
        {
            "enterprise_id": "HOSPITAL",
            "park_id": "TOWN",
            "name": "Bệnh viện",
            "vsic": "8610",
            "lat": 20.93,
            "lon": 106.66,
        }
    )
    data["energy"] = [
        {
            "enterprise_id": "HOSPITAL",
            "year": 2024,
            "carrier": "lpg",
            "quantity": 100,
            "unit": "t",
            "cost_vnd": 100 * 25e6,
        }
    ]
    data["production"] = [
        {"enterprise_id": "STEEL", "year": 2024, "product": "Phôi thép", "quantity": 5000, "unit": "t"},
        {"enterprise_id": "STEEL", "year": 2024, "product": "Hơi nước dư", "quantity": 2000, "unit": "t",
         "available_to_others": 1500},
    ]  # fmt: skip
    import_path(database, workbook.write(tmp_path / "p.xlsx", data))
    heat = next(r for r in api.symbiosis_candidates(database, ["P"]).rows("en") if r["kb_id"] == "IS23")
    assert (heat["supply_enterprise"], heat["demand_enterprise"], heat["unit"]) == ("STEEL", "HOSPITAL", "GJ")
    # 1,500 t of steam at 2.7 GJ/t = 4,050 GJ offered; each GJ replaces 1.176 GJ of fuel, i.e. 1.176/47.3 t of LPG
    # bought at 25 million VND/t; the hospital burns 100 t, so it takes at most 100 / (1.176/47.3) = 4,022 GJ; a steam
    # pipe costs 20,000 VND per GJ-km
    ratio = 1.176 / 47.3
    km = pipe_km(106.62, 106.66)
    assert heat["max_flow_t"] == pytest.approx(100 / ratio)
    assert heat["money_vnd_per_year"] == pytest.approx(100 / ratio * (ratio * 25e6 - 20_000 * km))
    lpg_t = 47.3 * (63_100 + 28 * 1 + 265 * 0.1) / 1e6  # t CO2e of a tonne of LPG burnt (IPCC 2006, AR5)
    assert heat["co2e_t_per_year"] == pytest.approx(100 * lpg_t)
    assert any("STEEL offers 4,050 GJ/yr of 'Hơi nước dư'" in r for r in heat["reasons"])
    assert any("HOSPITAL burns 100.0 t/yr of LPG" in r and "1.18 GJ of fuel" in r for r in heat["reasons"])


def test_more_offered_than_produced_is_refused(database: Database, tmp_path: Path) -> None:
    from eipkit.workbooks.validate import ImportRejected

    data = rows()
    data["production"] = [
        {"enterprise_id": "STEEL", "year": 2024, "product": "Hơi nước dư", "quantity": 10, "unit": "GJ",
         "available_to_others": 11},
    ]  # fmt: skip
    with pytest.raises(ImportRejected) as refused:
        import_path(database, workbook.write(tmp_path / "p.xlsx", data))
    assert "available_to_others" in str(refused.value.problems[0])


def test_an_optimised_park_city_link_belongs_to_the_park_as_third_party_symbiosis(
    database: Database, tmp_path: Path
) -> None:
    import_path(database, workbook.write(tmp_path / "p.xlsx", rows()))
    api.optimize_symbiosis(database, ["P"])
    stored = {o.opportunity_id: o for o in api.enterprise_opportunities(database, "STEEL")}
    link = stored["IS-WWTP-STEEL-IS20"]
    assert (link.park_id, link.category, link.stage) == ("P", "third_party_symbiosis", "proposed")
    assert link.water_m3 == pytest.approx(15_000) and link.waste_t is None
    planned = api.park_city(database, "P")
    assert planned.cities == ("Đô thị Thử",) and planned.operating.links == 0
    assert planned.planned.water_reused_m3 == pytest.approx(15_000)
    today = dt.date.today()
    api.move_opportunity(database, "IS-WWTP-STEEL-IS20", "implemented", today)
    operating = api.park_city(database, "P", today.year).operating
    assert operating.links == 1 and operating.water_reused_m3 == pytest.approx(15_000)


def test_boundary_flows_by_hand() -> None:
    park_of = {"A": "P", "B": "P", "W": "C", "L": "C", "X": "Q"}
    members = {"A", "B"}

    def link(oid: str, ids: tuple[str, ...], stage: str, **saved: float) -> Opportunity:
        return Opportunity(oid, "P", "symbiosis", oid, stage, "measured", ids, year_implemented=2024, **saved)

    opportunities = [
        link("water", ("W", "A"), "implemented", water_m3=1000.0, co2e_t=0.2),
        link("slag", ("B", "L"), "implemented", waste_t=300.0, co2e_t=1.5),
        link("within", ("A", "B"), "implemented", waste_t=50.0, co2e_t=9.0),  # inside the park: not counted
        link("other park", ("X", "A"), "implemented", waste_t=70.0),  # another park, not a city
        link("later", ("W", "B"), "implemented", water_m3=500.0),  # implemented after the year asked
        link("sludge", ("W", "B"), "proposed", waste_t=40.0, co2e_t=3.0),
    ]
    opportunities[4] = Opportunity("later", "P", "symbiosis", "later", "implemented", "measured", ("W", "B"),
                                   year_implemented=2025, water_m3=500.0)  # fmt: skip
    waste = [
        WasteFlow("W", 2024, "Bùn thải sinh hoạt", 120.0, "exchange", receiver="B"),  # city -> park, by record
        WasteFlow("B", 2024, "Xỉ", 300.0, "exchange", receiver="L"),  # the slag link again: counted once
        WasteFlow("W", 2023, "Bùn thải sinh hoạt", 99.0, "exchange", receiver="B"),  # another year
    ]
    found = park_city.flows("P", 2024, members, opportunities, waste, park_of, {"C": "Town"})
    assert found.operating == park_city.Flows(
        links=3, water_reused_m3=1000.0, municipal_waste_used_t=120.0, industrial_to_city_t=300.0, co2e_avoided_t=1.7
    )
    assert found.planned == park_city.Flows(links=1, municipal_waste_used_t=40.0, co2e_avoided_t=3.0)


def test_the_demo_city_beside_nam_cau_kien(demo_copy: Database) -> None:
    found = api.symbiosis_candidates(demo_copy, ["NAMCAUKIEN"]).rows("vi")
    city = [
        r
        for r in found
        if r["supply_enterprise"].startswith("NCK-DOTHI") or r["demand_enterprise"].startswith("NCK-DOTHI")
    ]
    kinds = {r["kb_id"] for r in city}
    assert {"IS20", "IS19", "IS04"} <= kinds  # treated water and sludge to the park, slag to the town's road works
    town = {r["supply_enterprise"] for r in city} | {r["demand_enterprise"] for r in city}
    assert all(
        not (r["supply_enterprise"].startswith("NCK-") and r["demand_enterprise"].startswith("NCK-")) for r in city
    )
    assert town  # the town's own exchanges are its own scope's: organic waste to compost, rubble to landfill cover
    own = {r["kb_id"] for r in api.symbiosis_candidates(demo_copy, ["NCK-DOTHI"]).rows("en")}
    assert {"IS21", "IS22"} <= own
    water = next(r for r in city if r["kb_id"] == "IS20" and r["demand_enterprise"].startswith("NAMCAUKIEN"))
    assert any("xả" in r and "nước thải đã xử lý" in r for r in water["reasons"])
    spec = next(c for c in demo.spec()["cities"] if c["park_id"] == "NCK-DOTHI")
    link = spec["links"][0]
    report = api.annual_report(demo_copy, "NAMCAUKIEN", 2025)["park_city"]
    assert report["links_operating"] == 1 and report["water_reused_across_m3"] == link["water_m3"]
    assert report["co2e_avoided_across_t"] == link["co2e_t"]
    assert report["cities"] == spec["name"]
    with demo_copy.sessions() as session:
        assert len(repository.parks(session)) == len(demo.spec()["parks"])
        assert [c.park_id for c in repository.parks(session, cities=True)] == ["NCK-DOTHI"]

"""Candidate exchanges from records and the knowledge base, and the optimised network stored as opportunities."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from openpyxl import load_workbook

from eipkit import api
from eipkit.reports import candidate_workbook
from eipkit.store import Database
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path
from figures import figures, title


def park_rows() -> dict[str, list[dict]]:
    def enterprise(eid: str, vsic: str, lon: float) -> dict:
        return {"enterprise_id": eid, "park_id": "P", "name": eid, "vsic": vsic, "lat": 10.80, "lon": lon}

    return {
        "parks": [
            {"park_id": "P", "name": "KCN Thử", "province": "Long An", "area_ha": 100, "lat": 10.8, "lon": 106.5}
        ],
        "enterprises": [
            enterprise("PAPER", "1701", 106.50),
            enterprise("BOILER", "3530", 106.51),
            enterprise("GARAGE", "4520", 106.50),
            enterprise("RECYCLER", "3822", 106.52),
            enterprise("REFINERY", "1920", 106.52),
        ],
        "waste": [
            {
                "enterprise_id": "PAPER",
                "year": 2024,
                "waste": "Bùn giấy",
                "quantity": 100,
                "unit": "t",
                "fate": "landfill",
                "cost_vnd": 80e6,
            },
            {
                "enterprise_id": "GARAGE",
                "year": 2024,
                "waste": "Dầu thải",
                "quantity": 5,
                "unit": "t",
                "fate": "treatment",
                "hazardous": "yes",
            },
        ],
        "energy": [
            {
                "enterprise_id": "BOILER",
                "year": 2024,
                "carrier": "coal_anthracite",
                "quantity": 50,
                "unit": "t",
                "cost_vnd": 200e6,
            },
            {"enterprise_id": "RECYCLER", "year": 2024, "carrier": "fuel_oil", "quantity": 20, "unit": "t"},
            {"enterprise_id": "REFINERY", "year": 2024, "carrier": "fuel_oil", "quantity": 20, "unit": "t"},
        ],
    }


def road_km(lon1: float, lon2: float, lat: float = 10.80) -> float:
    p = math.radians(lat)
    h = math.cos(p) ** 2 * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 1.3 * 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_candidates_carry_their_reasons_and_estimates(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "p.xlsx", park_rows()))
    rows = api.symbiosis_candidates(database, ["P"]).rows("en")
    sludge = next(r for r in rows if r["supply_enterprise"] == "PAPER")
    assert sludge["demand_enterprise"] == "BOILER" and sludge["kb_id"] == "IS09"
    # 1 t of sludge (5 MJ/kg) replaces 5/26.7 t of anthracite bought at 200e6/50 = 4e6 VND/t; landfill cost
    # avoided 80e6/100 = 0.8e6 VND/t; transport 3,000 VND/t-km; the boiler can take 50 t coal = 267 t sludge.
    ratio = 5 / 26.7
    distance = road_km(106.50, 106.51)
    assert sludge["distance_km"] == pytest.approx(distance, rel=1e-9)
    assert sludge["max_flow_t"] == pytest.approx(100)
    assert sludge["money_vnd_per_year"] == pytest.approx(100 * (0.8e6 + ratio * 4e6 - 3000 * distance))
    # CO2: 0.5 t/t avoided landfill, plus the anthracite not burnt (26.7 GJ/t x (98.3 + 0.28 + 0.3975) kg/GJ)
    coal = 26.7 * (98300 + 10 * 28 + 1.5 * 265) / 1e6
    assert sludge["co2e_t_per_year"] == pytest.approx(100 * (0.5 + ratio * coal - 0.0001 * distance))
    assert any("sends 100.0 t/yr of 'Bùn giấy' to Landfill" in reason for reason in sludge["reasons"])
    assert any("burns 50.0 t/yr of Anthracite" in reason for reason in sludge["reasons"])
    said = api.symbiosis_candidates(database, ["P"]).rows("vi")
    vietnamese = next(r for r in said if r["supply_enterprise"] == "PAPER")["reasons"]
    assert any("đưa 100,0 t/năm 'Bùn giấy' đi Chôn lấp" in reason for reason in vietnamese)
    oil = [r for r in rows if r["supply_enterprise"] == "GARAGE"]
    assert [r["demand_enterprise"] for r in oil] == ["RECYCLER"]  # the refinery holds no hazardous-waste licence


def test_optimisation_stores_proposed_opportunities_once(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "p.xlsx", park_rows()))
    _, solution = api.optimize_symbiosis(database, ["P"])
    flows = {(link.supply_enterprise, link.demand_enterprise): link.flow_t for link in solution.links.itertuples()}
    assert flows[("PAPER", "BOILER")] == pytest.approx(100)
    assert flows[("GARAGE", "RECYCLER")] == pytest.approx(5)
    stored = {o.opportunity_id: o for o in api.enterprise_opportunities(database, "PAPER")}
    opportunity = stored["IS-PAPER-BOILER-IS09"]
    assert (opportunity.kind, opportunity.stage, opportunity.basis) == ("symbiosis", "proposed", "expected")
    assert opportunity.waste_t == pytest.approx(100) and opportunity.enterprise_ids == ("PAPER", "BOILER")
    api.move_opportunity(database, "IS-PAPER-BOILER-IS09", "implementing", dt.date.today())
    api.optimize_symbiosis(database, ["P"])
    again = {o.opportunity_id: o for o in api.enterprise_opportunities(database, "PAPER")}
    assert len(again) == len(stored) and again["IS-PAPER-BOILER-IS09"].stage == "implementing"


def test_the_candidate_list_is_an_editable_sheet(sqlite_db: Database, tmp_path: Path) -> None:
    import_path(sqlite_db, workbook.write(tmp_path / "p.xlsx", park_rows()))
    rows = api.symbiosis_candidates(sqlite_db, ["P"]).rows("vi")
    sheet = load_workbook(candidate_workbook.write(tmp_path / "c.xlsx", rows, "vi"))["candidates"]
    assert sheet["A2"].value == "Doanh nghiệp cung cấp"
    assert sheet.max_row == len(rows) + 2
    assert sheet.data_validations.dataValidation[0].formula1 == '"keep,contact,reject"'


def test_users_can_add_their_own_knowledge_base_entries(sqlite_db: Database, tmp_path: Path) -> None:
    from eipkit.symbiosis.knowledge import knowledge_base

    rows = park_rows()
    rows["waste"].append(
        {
            "enterprise_id": "PAPER",
            "year": 2024,
            "waste": "Vỏ trấu cháy dở",
            "quantity": 30,
            "unit": "t",
            "fate": "landfill",
        }
    )
    import_path(sqlite_db, workbook.write(tmp_path / "p.xlsx", rows))
    shipped = (Path(__file__).parents[1] / "src" / "eipkit" / "data" / "synergies.csv").read_text(encoding="utf-8")
    header, ash = shipped.splitlines()[0], shipped.splitlines()[1]
    mine = tmp_path / "mine.csv"
    mine.write_text(
        header + "\n" + ash.replace("IS01,fly_ash,", "MY01,husk_char,").replace("tro bay;fly ash", "vỏ trấu") + "\n",
        encoding="utf-8",
    )
    assert len(knowledge_base(mine)) == len(knowledge_base()) + 1
    found = api.symbiosis_candidates(sqlite_db, ["P"], knowledge_file=str(mine))
    assert any(s.resource == "husk_char" for s in found.problem.supplies)


def test_the_park_page_shows_exchanges_on_a_map_and_in_a_sankey(sqlite_db: Database, tmp_path: Path) -> None:
    from eipkit.reports import park_summary

    rows = park_rows()
    rows["waste"].append(
        {
            "enterprise_id": "PAPER",
            "year": 2024,
            "waste": "Tro xỉ",
            "quantity": 12,
            "unit": "t",
            "fate": "exchange",
            "receiver": "BOILER",
        }
    )
    import_path(sqlite_db, workbook.write(tmp_path / "p.xlsx", rows))
    api.optimize_symbiosis(sqlite_db, ["P"])
    summary = api.park_summary(sqlite_db, "P")
    existing = [(x.source, x.target, x.tonnes) for x in summary.exchanges if x.status == "existing"]
    proposed = {(x.source, x.target) for x in summary.exchanges if x.status == "proposed"}
    assert existing == [("PAPER", "BOILER", 12)]
    assert proposed == {("PAPER", "BOILER"), ("GARAGE", "RECYCLER")}
    charts = {title(f): f for f in figures(park_summary.render(summary, "en"))}
    assert "Schematic map of enterprises and exchanges" in charts
    (sankey,) = [f["data"][0] for f in charts.values() if f["data"] and f["data"][0]["type"] == "sankey"]
    # two hops for each flow here (no two share their sectors, resource and status): sector → resource → sector
    assert sorted(sankey["link"]["value"]) == sorted([x.tonnes for x in summary.exchanges] * 2)
    assert "Tro xỉ" in sankey["node"]["label"]  # resources by name, not enterprise ids
    assert not {"PAPER", "BOILER"} & set(sankey["node"]["label"])
    # a reader without the right to see names gets the exchanges counted, no map and no Sankey
    counted = park_summary.render(summary, "en", details=False)
    assert not [f for f in figures(counted) if f["data"] and f["data"][0]["type"] == "sankey"]
    assert "PAPER" not in counted and "BOILER" not in counted and 'data-testid="exchange-counts"' in counted


def test_park_city_exchanges_through_a_city_s_pseudo_enterprises(database: Database, tmp_path: Path) -> None:
    rows = {
        "parks": [
            {
                "park_id": "CITY",
                "name": "Thành phố (nguồn đô thị)",
                "province": "Long An",
                "area_ha": 1,
                "lat": 10.70,
                "lon": 106.40,
                "kind": "city",
            },
            {"park_id": "P", "name": "KCN Thử", "province": "Long An", "area_ha": 100, "lat": 10.75, "lon": 106.45},
        ],
        "enterprises": [
            {
                "enterprise_id": "WWTP",
                "park_id": "CITY",
                "name": "Nhà máy XLNT đô thị",
                "vsic": "3700",
                "lat": 10.70,
                "lon": 106.40,
            },
            {
                "enterprise_id": "BRICK",
                "park_id": "P",
                "name": "Gạch Long An",
                "vsic": "2392",
                "lat": 10.75,
                "lon": 106.45,
            },
        ],
        "waste": [
            {
                "enterprise_id": "WWTP",
                "year": 2024,
                "waste": "Bùn thải sinh hoạt",
                "quantity": 400,
                "unit": "t",
                "fate": "landfill",
            }
        ],
        "materials": [{"enterprise_id": "BRICK", "year": 2024, "material": "Đất sét", "quantity": 5000, "unit": "t"}],
    }
    import_path(database, workbook.write(tmp_path / "city.xlsx", rows))
    from eipkit.store import repository

    with database.sessions() as session:
        assert repository.park(session, "CITY").is_city and not repository.park(session, "P").is_city
    found = api.symbiosis_candidates(database, province="Long An").rows("en")
    assert [(r["supply_enterprise"], r["demand_enterprise"], r["kb_id"]) for r in found] == [("WWTP", "BRICK", "IS19")]
    # 0.5 t of clay replaced per t of sludge, 5,000 t of clay: all 400 t fit
    assert found[0]["max_flow_t"] == pytest.approx(400)


def test_a_sankeys_small_nodes_are_grouped_and_its_tonnes_kept() -> None:
    from eipkit.reports import park_summary

    tonnes = [50, 20, 10, 8, 5, 3, 2, 2]  # the five largest kept (5 t is 5 %, above 4 %), the last three grouped
    flows = {(f"S{i}", "Tro bay", "T", "proposed"): float(t) for i, t in enumerate(tonnes)}
    grouped, others = park_summary._small_grouped(flows, "vi")
    givers = {key[0]: t for key, t in grouped.items()}
    assert givers == {"S0": 50, "S1": 20, "S2": 10, "S3": 8, "S4": 5, "Các ngành khác (3)": 7}
    assert others == {"Các ngành khác (3)": "Khác (3)"} and sum(grouped.values()) == sum(tonnes)
    few = {(f"S{i}", "Tro bay", "T", "proposed"): float(t) for i, t in enumerate([90, 3, 3, 2, 2])}
    grouped, _ = park_summary._small_grouped(few, "en")  # under 4 % of the tonnes: grouped though among the five
    assert {key[0]: t for key, t in grouped.items()} == {"S0": 90, "Other sectors (4)": 10}
    alone = {("S0", "Tro bay", "T", "proposed"): 98.0, ("S1", "Tro bay", "T", "proposed"): 2.0}
    assert park_summary._small_grouped(alone, "vi")[0] == alone  # one small node stays itself

"""Indicators, sector benchmarks and options, checked by hand and against numpy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eipkit import api
from eipkit.accounting import account
from eipkit.model import EnergyUse, MaterialUse, Opportunity, Output, Records, WasteFlow, WaterUse
from eipkit.recp.benchmark import MAX_SHARE, MIN_PEERS, benchmark, position, quartiles
from eipkit.recp.indicators import INTENSITIES, indicators
from eipkit.recp.options import propose
from eipkit.store import Database
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path


def enterprise_records(eid: str = "E1", scale: float = 1.0) -> Records:
    return Records(
        energy=[
            EnergyUse(eid, 2022, "electricity_grid", 3600 * scale, cost_vnd=2e9 * scale),
            EnergyUse(eid, 2022, "natural_gas", 480 * scale, cost_vnd=1.2e8 * scale),
        ],
        water=[
            WaterUse(eid, 2022, "withdrawal", 20000 * scale, cost_vnd=2.8e8 * scale),
            WaterUse(eid, 2022, "wastewater", 16000 * scale),
        ],
        materials=[
            MaterialUse(eid, 2022, "steel", 900 * scale, cost_vnd=9e9 * scale),
            MaterialUse(eid, 2022, "acid", 100 * scale, chemical=True),
        ],
        waste=[WasteFlow(eid, 2022, "scrap", 50 * scale, "recycling")],
        production=[Output(eid, 2022, "parts", 2000 * scale, "t", 40e9 * scale)],
    )


def test_indicators_of_a_hand_made_enterprise() -> None:
    records = enterprise_records()
    result = indicators("E1", account(records, 2022, 1), records.production)
    # energy 3,600 + 480 GJ = 4,080 GJ; value 40 bn VND; 2,000 t of parts
    assert result.values["energy_gj_per_bn_vnd"] == pytest.approx(4080 / 40)
    assert result.values["energy_productivity_vnd_per_gj"] == pytest.approx(40e9 / 4080)
    assert result.values["water_m3_per_bn_vnd"] == pytest.approx(20000 / 40)
    assert result.values["materials_t_per_bn_vnd"] == pytest.approx(1000 / 40)
    assert result.values["waste_t_per_bn_vnd"] == pytest.approx(50 / 40)
    assert result.values["wastewater_m3_per_unit"] == pytest.approx(16000 / 2000)
    # GHG: 1,000 MWh x 0.6766 = 676.6 t; 0.48 TJ of gas x (56,100 + 28 x 1 + 265 x 0.1) kg/TJ = 26.94624 t
    assert result.values["ghg_tco2e_per_bn_vnd"] == pytest.approx((676.6 + 0.48 * 56154.5 / 1000) / 40)
    assert (result.product_unit, result.product_quantity) == ("t", 2000)


def test_no_production_value_gives_no_intensity_rather_than_a_division_by_zero() -> None:
    records = enterprise_records()
    records.production = [Output("E1", 2022, "parts", 10, "piece", None), Output("E1", 2022, "x", 3, "t", None)]
    result = indicators("E1", account(records, 2022, 1), records.production)
    assert all(result.values[k] is None for k in INTENSITIES)
    assert result.product_unit is None


@pytest.mark.parametrize(
    "peers", [[3.0, 7.0, 1.0, 9.0, 5.0], [2.0, 4.0, 4.0, 8.0, 10.0, 11.0, 30.0], [5.0, 6.0, 7.0, 6.5, 5.5]]
)
def test_quartiles_are_numpy_s_linear_percentiles(peers: list[float]) -> None:
    result = position("energy_gj_per_bn_vnd", 6.0, peers)
    expected = np.percentile(peers, [25, 50, 75])
    assert (result.q1, result.median, result.q3) == pytest.approx(tuple(expected))
    # mid-rank percentile: peers doing better, plus half of those level with it
    below, level = sum(v < 6.0 for v in peers), sum(v == 6.0 for v in peers)
    assert result.percentile == pytest.approx(100 * (below + 0.5 * level) / len(peers))


def test_peer_statistics_need_five_peers_none_of_them_dominant() -> None:
    # why: with three peers the quartiles give the three values back (q1 = (v1 + v2) / 2, q3 = (v2 + v3) / 2)
    q1, median, q3 = quartiles([9.0, 2.0, 5.0])
    assert (2 * q1 - median, median, 2 * q3 - median) == (2.0, 5.0, 9.0)
    assert position("energy_gj_per_bn_vnd", 4.0, [1.0, 5.0, 9.0]).q1 is None
    assert MIN_PEERS == 5 and MAX_SHARE == 0.5
    four = position("water_m3_per_bn_vnd", 4.0, [1.0, 2.0, 3.0, 4.0])
    assert four.status == "not_enough_peers" and four.median is None and four.q1 is None and four.peers == 4
    # 10 of a total of 14 is 71%: one peer dominates, so its figure would show through the others' statistics
    dominated = position("water_m3_per_bn_vnd", 4.0, [1.0, 1.0, 1.0, 1.0, 10.0])
    assert dominated.status == "not_enough_peers" and dominated.median is None
    # 6 of 15 is 40%: published, the median the third of five
    balanced = position("water_m3_per_bn_vnd", 4.0, [1.0, 2.0, 3.0, 3.0, 6.0])
    assert balanced.status == "ok" and balanced.median == 3.0 and balanced.peers == 5


def test_the_subject_is_not_its_own_peer_and_peers_stay_anonymous() -> None:
    subject_records = enterprise_records("E1")
    subject = indicators("E1", account(subject_records, 2022, 1), subject_records.production)
    others = []
    for n, scale in enumerate((0.5, 2.0, 4.0, 1.0, 3.0), start=2):
        r = enterprise_records(f"E{n}", scale)
        r.energy[0] = EnergyUse(f"E{n}", 2022, "electricity_grid", 3600 * scale * n, None)
        others.append(indicators(f"E{n}", account(r, 2022, 1), r.production))
    positions = benchmark(subject, [subject, *others])
    energy = positions["energy_gj_per_bn_vnd"]
    assert energy.peers == 5
    assert energy.median == pytest.approx(np.median([o.values["energy_gj_per_bn_vnd"] for o in others]))
    assert energy.quartile == 1 and energy.percentile == 0
    assert "E2" not in repr(energy.as_dict())


def test_options_are_ranked_by_the_saving_priced_at_the_enterprise_s_own_costs() -> None:
    records = enterprise_records()
    proposals = propose(account(records, 2022, 1), records, division="25")
    by_id = {p.option.option_id: p for p in proposals}
    # electricity price from records: 2e9 VND / 1,000 MWh = 2,000,000 VND/MWh
    leaks = by_id["compressed_air_leaks"]
    assert leaks.price.vnd == pytest.approx(2e6) and leaks.price.source == "records"
    assert leaks.saving == pytest.approx(1000 * (0.01 + 0.03) / 2)
    assert leaks.saving_vnd == pytest.approx(20 * 2e6)
    assert leaks.case.investment_vnd == pytest.approx(40e6 * 0.3)
    # boiler options act on the gas (480 GJ at 1.2e8 / 480 = 250,000 VND/GJ)
    assert by_id["boiler_tuning"].saving_vnd == pytest.approx(480 * 0.055 * 250000)
    # chemicals have no cost in the records: the shipped default price is used and said
    assert by_id["chemical_dosing"].price.source == "default"
    # sector-specific options only where they apply
    assert "chiller_optimisation" not in by_id and "low_liquor_dyeing" not in by_id
    assert "chiller_optimisation" in {p.option.option_id for p in propose(account(records, 2022, 1), records, "26")}
    savings = [p.saving_vnd for p in proposals]
    assert savings == sorted(savings, reverse=True)


def test_an_enterprise_without_a_boiler_gets_no_boiler_options() -> None:
    records = enterprise_records()
    records.energy = [records.energy[0]]
    ids = {p.option.option_id for p in propose(account(records, 2022, 1), records, "26")}
    assert not ids & {"boiler_tuning", "steam_traps", "condensate_return", "insulation", "economiser"}


def peer_rows(n: int) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {
        "parks": [{"park_id": "P", "name": "KCN P", "province": "Bắc Ninh", "area_ha": 100}],
        "enterprises": [],
        "energy": [],
        "production": [],
    }
    for i in range(1, n + 1):
        eid = f"E{i}"
        rows["enterprises"].append({"enterprise_id": eid, "park_id": "P", "name": eid, "vsic": "2610"})
        rows["energy"].append(
            {"enterprise_id": eid, "year": 2023, "carrier": "electricity_grid", "quantity": 100 * i, "unit": "MWh"}
        )
        rows["production"].append(
            {"enterprise_id": eid, "year": 2023, "product": "chips", "quantity": 1, "unit": "t", "value_vnd": 1e9}
        )
    return rows


def test_benchmark_from_the_store_across_a_division(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "peers.xlsx", peer_rows(6)))
    result = api.enterprise_benchmark(database, "E1", 2023)
    energy = result.positions["energy_gj_per_bn_vnd"]
    # peers E2..E6 use 200..600 MWh per bn VND = 720..2,160 GJ; the largest is 2,160 of 7,200 (30%)
    peers = [360 * i for i in range(2, 7)]
    assert energy.peers == 5
    assert (energy.q1, energy.median, energy.q3) == pytest.approx(tuple(np.percentile(peers, [25, 50, 75])))
    assert energy.quartile == 1


def test_a_division_of_three_leaves_each_enterprise_two_peers(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "three.xlsx", peer_rows(3)))
    assert api.enterprise_benchmark(database, "E2", 2023).positions["energy_gj_per_bn_vnd"].status == (
        "not_enough_peers"
    )


def _recp(ident: str, enterprise: str, stage: str, basis: str = "expected", **figures: float) -> Opportunity:
    return Opportunity(ident, "P", "recp", ident, stage, basis, (enterprise,), year_implemented=2024, **figures)


def test_a_parks_recp_share_counts_measured_resource_savings_and_ranks_the_next_measures() -> None:
    from eipkit.recp import park_share

    members = {"E1", "E2", "E3", "E4", "E5", "E6", "E7"}
    opportunities = [
        _recp("O1", "E1", "implemented", "measured", electricity_mwh=50.0),  # counted
        _recp("O2", "E2", "implemented", "measured", co2e_t=30.0, cost_saving_vnd=1e8),  # no resource saved
        _recp("O3", "E2", "implemented", "expected", water_m3=900.0, investment_vnd=5e8),  # to be measured
        _recp("O4", "E3", "feasibility", investment_vnd=1e8),
        _recp("O5", "E3", "implementing", investment_vnd=9e8),  # nearer to implementation than O4
        _recp("O6", "E4", "identified", investment_vnd=2e7),
        _recp("O7", "E5", "identified", investment_vnd=1e7),  # cheaper than O6 at the same stage
        _recp("O8", "X9", "implemented", "measured", waste_t=10.0),  # not of this park
    ]
    counted = park_share.enterprises_with_measured_savings(opportunities, members, 2024)
    assert {e: [o.opportunity_id for o in found] for e, found in counted.items()} == {"E1": ["O1"]}
    assert park_share.enterprises_with_measured_savings(opportunities, members, 2023) == {}  # implemented in 2024
    # 20 % of 7 enterprises is 1.4: two are needed, one is counted; 1 of 5 is exactly 20 %
    assert park_share.enterprises_needed(1, 7, 20) == 1
    assert park_share.enterprises_needed(1, 5, 20) == 0
    assert park_share.enterprises_needed(0, 10, 25) == 3
    ranked = park_share.cheapest_measures(opportunities, members, counted, 4)
    assert [(e, o.opportunity_id) for e, o in ranked] == [("E2", "O3"), ("E3", "O5"), ("E5", "O7"), ("E4", "O6")]


def test_an_enterprises_page_read_at_once_says_what_each_function_says(demo_copy: Database) -> None:
    demo_db = demo_copy
    page = api.enterprise_page(demo_db, "HIEPPHUOC-001")
    assert page.year == api.latest_year(demo_db, "HIEPPHUOC-001")
    assert page.accounts == api.enterprise_kpi(demo_db, "HIEPPHUOC-001", page.year)
    assert page.benchmark == api.enterprise_benchmark(demo_db, "HIEPPHUOC-001", page.year)
    assert page.options == api.enterprise_options(demo_db, "HIEPPHUOC-001", page.year)
    assert page.opportunities == api.enterprise_opportunities(demo_db, "HIEPPHUOC-001")
    assert (page.enterprise, page.park) == api.enterprise_profile(demo_db, "HIEPPHUOC-001")
    assert api.enterprise_page(demo_db, "HIEPPHUOC-001", 2023).accounts.year == 2023

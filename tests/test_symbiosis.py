"""The exchange network against hand-solved cases, an independent formulation solved by scipy.optimize.milp, and
an approved LP file; the water model against hand-solved cases."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from eipkit.symbiosis import network, pairing, water
from eipkit.symbiosis.problem import ProblemError, parse

LP_FILES = Path(__file__).parent / "lp_files"


def base(**extra: object) -> dict:
    return {
        "transport_cost_vnd_per_tkm": 5000,
        "transport_co2e_t_per_tkm": 0.0001,
        "max_distance_km": 60,
        "road_factor": 1.3,
    } | extra


def test_a_hand_solved_exchange() -> None:
    # A's ash (1,000 t, disposal 200,000 VND/t) and B's ash (500 t, 150,000 VND/t) compete for C, which replaces
    # 0.9 t of clinker (800,000 VND/t) per t of ash and needs at most 900 t of clinker: 1,000 t of ash.
    data = base(
        supplies=[
            {
                "id": "a",
                "enterprise_id": "A",
                "resource": "ash",
                "quantity_t": 1000,
                "disposal_cost_vnd_per_t": 200000,
                "lat": 20.84,
                "lon": 106.77,
            },
            {
                "id": "b",
                "enterprise_id": "B",
                "resource": "ash",
                "quantity_t": 500,
                "disposal_cost_vnd_per_t": 150000,
                "lat": 20.84,
                "lon": 106.77,
            },
        ],
        demands=[
            {
                "id": "c",
                "enterprise_id": "C",
                "accepts": {"ash": 0.9},
                "capacity_t": 900,
                "virgin_price_vnd_per_t": 800000,
                "virgin_co2e_t_per_t": 0.9,
                "lat": 20.84,
                "lon": 106.87,
            }
        ],
    )
    exchange = parse(data)
    distance = 1.3 * 2 * 6371.0088 * math.asin(math.cos(math.radians(20.84)) * math.sin(math.radians(0.05)))
    # per tonne: A 200,000 + 0.9 x 800,000 - 5,000 d; B 150,000 + 720,000 - 5,000 d: A first, 1,000 t fill C
    solution = network.solve(exchange, "cost")
    links = solution.links.set_index("supply")
    assert list(links.index) == ["a"] and links.loc["a", "flow_t"] == pytest.approx(1000)
    assert links.loc["a", "distance_km"] == pytest.approx(distance, rel=1e-9)
    assert solution.net_benefit_vnd_per_year == pytest.approx(1000 * (920000 - 5000 * distance))
    assert solution.co2e_avoided_t_per_year == pytest.approx(1000 * (0.81 - 0.0001 * distance))


def test_a_fixed_cost_closes_a_link_that_does_not_pay_for_itself() -> None:
    data = base(
        default_fixed_cost_vnd_per_year=1e8,
        supplies=[
            {
                "id": "s",
                "enterprise_id": "A",
                "resource": "sawdust",
                "quantity_t": 200,
                "disposal_cost_vnd_per_t": 100000,
                "lat": 10.9,
                "lon": 106.8,
            }
        ],
        demands=[
            {
                "id": "k",
                "enterprise_id": "B",
                "accepts": {"sawdust": 1.0},
                "capacity_t": 1000,
                "virgin_price_vnd_per_t": 300000,
                "lat": 10.9,
                "lon": 106.8,
            }
        ],
    )
    # 200 t x 400,000 VND/t = 80 M VND < 100 M VND fixed cost: better not to open the link
    assert network.solve(parse(data), "cost").links.empty
    data["supplies"][0]["quantity_t"] = 300  # 120 M VND > 100 M: open, net 20 M
    solution = network.solve(parse(data), "cost")
    assert solution.diverted_t_per_year == pytest.approx(300)
    assert solution.net_benefit_vnd_per_year == pytest.approx(20e6)


def test_rules_for_an_arc_same_enterprise_distance_and_hazardous_waste() -> None:
    data = base(
        max_distance_km=20,
        supplies=[
            {"id": "own", "enterprise_id": "A", "resource": "oil", "quantity_t": 10, "lat": 21.0, "lon": 106.0},
            {"id": "far", "enterprise_id": "B", "resource": "oil", "quantity_t": 10, "lat": 21.5, "lon": 106.0},
            {
                "id": "haz",
                "enterprise_id": "C",
                "resource": "oil",
                "quantity_t": 10,
                "hazardous": True,
                "lat": 21.0,
                "lon": 106.0,
            },
        ],
        demands=[
            {
                "id": "k",
                "enterprise_id": "A",
                "accepts": {"oil": 1},
                "capacity_t": 100,
                "virgin_price_vnd_per_t": 1e6,
                "lat": 21.0,
                "lon": 106.01,
            },
            {
                "id": "lic",
                "enterprise_id": "D",
                "accepts": {"oil": 1},
                "capacity_t": 100,
                "licensed_hazardous": True,
                "virgin_price_vnd_per_t": 1e6,
                "lat": 21.0,
                "lon": 106.01,
            },
        ],
    )
    pairs = set(zip(*pairing.arcs_table(parse(data))[["supply", "demand"]].to_numpy().T, strict=True))
    # own -> k: same enterprise; far: 55 km x 1.3 > 20 km; haz -> k: k is not licensed
    assert pairs == {("own", "lic"), ("haz", "lic")}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"max_distance_km": 0}, "max_distance_km"),
        ({"supplies": [{"id": "s"}]}, "supplies[0].enterprise_id"),
        (
            {
                "demands": [
                    {"id": "k", "enterprise_id": "B", "accepts": {"ash": -1}, "capacity_t": 1, "lat": 0, "lon": 0}
                ]
            },
            "substitution ratio",
        ),
        ({"arcs": [{"supply": "nope", "demand": "k"}]}, "arcs[0].supply"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_malformed_problems_name_the_field(change: dict, field: str) -> None:
    data = base(supplies=[], demands=[]) | change
    with pytest.raises(ProblemError, match=field.replace("[", r"\[").replace("]", r"\]")):
        parse(data)


def test_a_problem_file_at_fault_is_told_field_by_field_in_the_readers_language() -> None:
    import pickle

    data = base(
        supplies=[{"id": "s", "enterprise_id": "A", "resource": "ash", "quantity_t": "nhiều", "lat": 120, "lon": 0}],
        demands=[{"id": "k", "enterprise_id": "B", "accepts": {"ash": 0}, "capacity_t": 5, "lat": 0, "lon": 0}],
    ) | {"colour": "blue", "road_factor": 0.5}
    with pytest.raises(ProblemError) as refused:
        parse(data)
    said = refused.value.text("vi")
    for part in (
        "supplies[0].quantity_t: phải là một số hữu hạn",
        "supplies[0].lat: phải từ 90 trở xuống",
        "demands[0].accepts: tỷ lệ thay thế của 'ash' phải lớn hơn 0",
        "colour: không phải một trường của tệp bài toán",
        "road_factor: phải từ 1 trở lên",
    ):
        assert part in said
    assert said.startswith("Tệp bài toán không khớp mẫu: ") and "Input should" not in said
    assert "supplies[0].lat: must be 90 or less" in refused.value.text("en")
    crossed = pickle.loads(pickle.dumps(refused.value))  # as it comes back from the calculators' worker process
    assert isinstance(crossed, ProblemError) and crossed.text("vi") == said


def test_the_command_refuses_a_malformed_file_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"transport_cost_vnd_per_tkm": 1, "max_distance_km": 5, "supplies": [{"id": 3}], "demands": []}',
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "eipkit", "symbiosis", "solve", str(bad)], capture_output=True, text=True
    )
    assert result.returncode == 2 and "supplies[0]" in result.stderr and "Traceback" not in result.stderr
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "eipkit", "symbiosis", "solve", str(tmp_path / "broken.json")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "Tệp bài toán không phải JSON: lỗi ở dòng 1, cột 2" in result.stderr


def haversine(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def milp_optimum(data: dict, objective: str) -> float:
    """The same formulation written independently (dense matrices, plain loops) and solved by scipy's milp."""
    arcs = []
    for s in data["supplies"]:
        for k in data["demands"]:
            ratio = k["accepts"].get(s["resource"])
            d = data["road_factor"] * haversine(s["lat"], s["lon"], k["lat"], k["lon"])
            if (
                ratio is None
                or s["enterprise_id"] == k["enterprise_id"]
                or d > data["max_distance_km"]
                or (s.get("hazardous") and not k.get("licensed_hazardous"))
            ):
                continue
            money = (
                s["disposal_cost_vnd_per_t"]
                + ratio * k["virgin_price_vnd_per_t"]
                - data["transport_cost_vnd_per_tkm"] * d
            )
            carbon = (
                s["disposal_co2e_t_per_t"] + ratio * k["virgin_co2e_t_per_t"] - data["transport_co2e_t_per_tkm"] * d
            )
            arcs.append((s, k, ratio, money, carbon, min(s["quantity_t"], k["capacity_t"] / ratio)))
    if not arcs:
        return 0.0
    n = len(arcs)
    fixed = data.get("default_fixed_cost_vnd_per_year", 0.0) if objective == "cost" else 0.0
    size = 2 * n
    c = np.zeros(size)
    for i, (_, _, _, money, carbon, _) in enumerate(arcs):
        c[i] = -(money if objective == "cost" else carbon)
        c[n + i] = fixed
    rows, lower, upper = [], [], []
    for s in data["supplies"]:
        row = np.zeros(size)
        for i, arc in enumerate(arcs):
            if arc[0] is s:
                row[i] = 1
        rows.append(row), lower.append(-np.inf), upper.append(s["quantity_t"])
    for k in data["demands"]:
        row = np.zeros(size)
        for i, arc in enumerate(arcs):
            if arc[1] is k:
                row[i] = arc[2]
        rows.append(row), lower.append(-np.inf), upper.append(k["capacity_t"])
    for i, arc in enumerate(arcs):
        row = np.zeros(size)
        row[i], row[n + i] = 1, -arc[5]
        rows.append(row), lower.append(-np.inf), upper.append(0)
    integrality = np.r_[np.zeros(n), np.ones(n)]
    bounds = Bounds(np.zeros(size), np.r_[[a[5] for a in arcs], np.ones(n)])
    result = milp(
        c,
        constraints=LinearConstraint(np.array(rows), lower, upper),
        integrality=integrality,
        bounds=bounds,
        options={"mip_rel_gap": 1e-9},
    )
    assert result.success
    return -result.fun


POINT = st.tuples(st.floats(10.5, 10.9), st.floats(106.5, 106.9))
SUPPLY = st.fixed_dictionaries(
    {
        "enterprise_id": st.sampled_from("ABCD"),
        "resource": st.sampled_from(["ash", "scrap"]),
        "quantity_t": st.floats(0, 2000),
        "disposal_cost_vnd_per_t": st.floats(-50000, 400000),
        "disposal_co2e_t_per_t": st.floats(0, 0.5),
        "hazardous": st.booleans(),
        "where": POINT,
    }
)
DEMAND = st.fixed_dictionaries(
    {
        "enterprise_id": st.sampled_from("ABCD"),
        "accepts": st.dictionaries(st.sampled_from(["ash", "scrap"]), st.floats(0.2, 1.5), min_size=1),
        "capacity_t": st.floats(0, 2000),
        "virgin_price_vnd_per_t": st.floats(0, 900000),
        "virgin_co2e_t_per_t": st.floats(0, 2),
        "licensed_hazardous": st.booleans(),
        "where": POINT,
    }
)


def instance(supplies: list[dict], demands: list[dict], fixed: float) -> dict:
    def place(items: list[dict], prefix: str) -> list[dict]:
        placed = []
        for n, item in enumerate(items):
            lat, lon = item["where"]
            placed.append(
                {k: v for k, v in item.items() if k != "where"} | {"id": f"{prefix}{n}", "lat": lat, "lon": lon}
            )
        return placed

    return base(
        max_distance_km=40,
        default_fixed_cost_vnd_per_year=fixed,
        supplies=place(supplies, "s"),
        demands=place(demands, "k"),
    )


def feasibility_slack(supplies: list[dict], demands: list[dict], objective: str, solvers: int) -> float:
    """What the objective may be off by when each of `solvers` HiGHS runs leaves each row off by its primal
    feasibility tolerance, 1e-7 t, each tonne worth at most the best a supply can lose plus the best a demand can
    gain."""
    lose, gain = (
        ("disposal_cost_vnd_per_t", "virgin_price_vnd_per_t")
        if objective == "cost"
        else ("disposal_co2e_t_per_t", "virgin_co2e_t_per_t")
    )
    best = max(s[lose] for s in supplies) + max(r * d[gain] for d in demands for r in d["accepts"].values())
    return solvers * 1e-7 * (len(supplies) + len(demands)) * max(best, 0.0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    supplies=st.lists(SUPPLY, min_size=1, max_size=4),
    demands=st.lists(DEMAND, min_size=1, max_size=4),
    fixed=st.sampled_from([0.0, 0.0, 2e7, 1e8]),
    objective=st.sampled_from(["cost", "co2"]),
)
@example(  # a supply of 1.2e-7 t beside 1 and 2 t: HiGHS's presolve called this infeasible
    supplies=[
        {
            "enterprise_id": "A",
            "resource": "ash",
            "quantity_t": q,
            "disposal_cost_vnd_per_t": 0.0,
            "disposal_co2e_t_per_t": 0.0,
            "hazardous": False,
            "where": (10.5, 106.5),
        }
        for q in (0.0, 1.0, 2.0, 1.192092896e-07)
    ],
    demands=[
        {
            "enterprise_id": "B",
            "accepts": {"ash": 0.5},
            "capacity_t": 1.0,
            "virgin_price_vnd_per_t": 0.0,
            "virgin_co2e_t_per_t": 1.0,
            "licensed_hazardous": False,
            "where": (10.5, 106.5),
        }
    ],
    fixed=0.0,
    objective="co2",
)
@example(  # 6e-8 t worth 16,778 VND/t: ours sent it (0.001 VND, right by hand), scipy's milp left it out
    supplies=[
        {"enterprise_id": "A", "resource": "ash", "quantity_t": q, "disposal_cost_vnd_per_t": 0.0}
        | {"disposal_co2e_t_per_t": 0.0, "hazardous": False, "where": (10.5, 106.5)}
        for q in (0.0, 0.0, 0.0, 5.960464477539063e-08)
    ],
    demands=[
        {"enterprise_id": e, "accepts": {"ash": 1.0}, "capacity_t": c, "virgin_price_vnd_per_t": p}
        | {"virgin_co2e_t_per_t": 0.0, "licensed_hazardous": False, "where": (10.5, 106.5)}
        for e, c, p in (("A", 0.0, 0.0), ("B", 1.0, 16778.0))
    ],
    fixed=0.0,
    objective="cost",
)
def test_the_optimum_equals_an_independent_milp(supplies: list, demands: list, fixed: float, objective: str) -> None:
    data = instance(supplies, demands, fixed)
    ours = network.solve(parse(data), objective, mip_gap=1e-9)
    expected = milp_optimum(data, objective)
    assert ours.status == "optimal"
    off = feasibility_slack(supplies, demands, objective, solvers=2)
    assert ours.objective_value == pytest.approx(expected, rel=1e-6, abs=max(1e-3, off))


def test_pareto_points_trade_money_for_co2() -> None:
    data = base(
        supplies=[
            {
                "id": "s",
                "enterprise_id": "A",
                "resource": "ash",
                "quantity_t": 1000,
                "disposal_cost_vnd_per_t": 0,
                "lat": 20.8,
                "lon": 106.7,
            }
        ],
        demands=[
            {
                "id": "rich",
                "enterprise_id": "B",
                "accepts": {"ash": 1},
                "capacity_t": 1000,
                "virgin_price_vnd_per_t": 500000,
                "virgin_co2e_t_per_t": 0.1,
                "lat": 20.8,
                "lon": 106.75,
            },
            {
                "id": "green",
                "enterprise_id": "C",
                "accepts": {"ash": 1},
                "capacity_t": 1000,
                "virgin_price_vnd_per_t": 300000,
                "virgin_co2e_t_per_t": 0.9,
                "lat": 20.8,
                "lon": 106.75,
            },
        ],
    )
    points = network.pareto(parse(data), 5)
    money = [p.net_benefit_vnd_per_year for p in points]
    carbon = [p.co2e_avoided_t_per_year for p in points]
    assert carbon == sorted(carbon) and money == sorted(money, reverse=True)
    assert carbon[0] == pytest.approx(1000 * (0.1 - 0.0001 * points[0].links["distance_km"].iloc[0]))
    assert carbon[-1] == pytest.approx(network.solve(parse(data), "co2").co2e_avoided_t_per_year)
    # the middle point sends half the ash each way: the CO2 floor is halfway between the two ends
    assert carbon[2] == pytest.approx((carbon[0] + carbon[-1]) / 2, rel=1e-6)


def approved_model() -> str:
    data = base(
        default_fixed_cost_vnd_per_year=5e7,
        supplies=[
            {
                "id": "s1",
                "enterprise_id": "A",
                "resource": "ash",
                "quantity_t": 100,
                "disposal_cost_vnd_per_t": 1e5,
                "lat": 20.80,
                "lon": 106.70,
            },
            {
                "id": "s2",
                "enterprise_id": "B",
                "resource": "ash",
                "quantity_t": 50,
                "disposal_cost_vnd_per_t": 2e5,
                "lat": 20.81,
                "lon": 106.71,
            },
        ],
        demands=[
            {
                "id": "k1",
                "enterprise_id": "C",
                "accepts": {"ash": 0.5},
                "capacity_t": 60,
                "virgin_price_vnd_per_t": 8e5,
                "lat": 20.82,
                "lon": 106.72,
            }
        ],
    )
    exchange = parse(data)
    arcs = network.prune(pairing.arcs_table(exchange), "cost")
    return network.build_model(exchange, arcs.round({"margin_vnd_per_t": 2, "upper_t": 6}), "cost")


def lp_text(model, path: Path) -> str:  # type: ignore[no-untyped-def]
    model.to_file(path, io_api="lp")
    return path.read_text(encoding="utf-8")


def test_the_formulation_matches_the_approved_lp_file(tmp_path: Path) -> None:
    """Like oemof's constraint tests: a change to the maths shows as a diff to review, not a silent change."""
    written = lp_text(approved_model(), tmp_path / "model.lp")
    approved = (LP_FILES / "exchange_fixed_cost.lp").read_text(encoding="utf-8")
    assert written.split() == approved.split()


def test_water_reuse_without_regeneration_is_the_hand_solution() -> None:
    # S1: 100 m3/d at 100 mg/L COD. K1 needs 50 at <= 50: 100 x <= 2,500, x <= 25, fresh 25.
    # K2 needs 80 at <= 20: 100 x <= 1,600, x <= 16, fresh 64. S1 gives 41 <= 100. Freshwater 89.
    problem = water.parse(
        {
            "contaminants": ["COD"],
            "sources": [{"id": "S1", "flow_m3_per_day": 100, "concentrations": {"COD": 100}}],
            "sinks": [
                {"id": "K1", "demand_m3_per_day": 50, "max_concentrations": {"COD": 50}},
                {"id": "K2", "demand_m3_per_day": 80, "max_concentrations": {"COD": 20}},
            ],
        }
    )
    result = water.solve(problem).as_dict()
    assert result["freshwater_m3_per_day"] == pytest.approx(89)
    assert result["freshwater_by_sink"] == pytest.approx({"K1": 25, "K2": 64})


def test_water_reuse_with_a_regeneration_unit_of_limited_capacity() -> None:
    # K2 (80 at <= 20) takes up to 40 regenerated at 10: 100 f + 10 x 40 <= 1,600 gives f = 12; fresh 28.
    problem = water.parse(
        {
            "contaminants": ["COD", "TSS"],
            "sources": [{"id": "S1", "flow_m3_per_day": 100, "concentrations": {"COD": 100, "TSS": 10}}],
            "sinks": [{"id": "K2", "demand_m3_per_day": 80, "max_concentrations": {"COD": 20, "TSS": 50}}],
            "regeneration": [{"id": "R", "outlet_concentrations": {"COD": 10, "TSS": 5}, "capacity_m3_per_day": 40}],
        }
    )
    result = water.solve(problem).as_dict()
    assert result["freshwater_m3_per_day"] == pytest.approx(28)
    assert result["regenerated_m3_per_day"] == pytest.approx(40)


def test_water_command(tmp_path: Path) -> None:
    path = tmp_path / "water.json"
    path.write_text(
        json.dumps(
            {
                "contaminants": ["TDS"],
                "sources": [{"id": "a", "flow_m3_per_day": 10, "concentrations": {"TDS": 500}}],
                "sinks": [{"id": "b", "demand_m3_per_day": 10, "max_concentrations": {"TDS": 1000}}],
            }
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "eipkit", "symbiosis", "water", str(path)], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout)["freshwater_m3_per_day"] == pytest.approx(0)
    path.write_text('{"contaminants": [], "sinks": []}', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "eipkit", "symbiosis", "water", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 2 and "contaminants" in result.stderr


WATER_WITH_COSTS = {
    "contaminants": ["COD", "TSS"],
    "objective": "cost",
    "freshwater_cost_vnd_per_m3": 12000,
    "sources": [
        {"id": "S1", "flow_m3_per_day": 100, "concentrations": {"COD": 100, "TSS": 10}},
        {"id": "S2", "flow_m3_per_day": 30, "concentrations": {"COD": 40}},
    ],
    "sinks": [
        {"id": "K1", "demand_m3_per_day": 50, "max_concentrations": {"COD": 50}},
        {"id": "K2", "demand_m3_per_day": 80, "max_concentrations": {"COD": 20, "TSS": 50}},
    ],
    "regeneration": [
        {"id": "R", "outlet_concentrations": {"COD": 10, "TSS": 5}, "cost_vnd_per_m3": 3000, "capacity_m3_per_day": 40}
    ],
}


def test_the_water_formulation_matches_the_approved_lp_file(tmp_path: Path) -> None:
    """Reviewed by hand (tests/lp_files/water_regeneration.lp): x0-x3 reuse S1K1, S1K2, S2K1, S2K2; x4-x5 freshwater;
    x6-x7 to the unit; x8-x9 from it. c0 the unit returns no more than it gets, c1 its 40 m3/d, c2-c3 the sources,
    c4-c5 the demands, c6-c7 COD at K1 (50 x 50) and K2 (20 x 80), c8 TSS at K2 (50 x 80)."""
    written = lp_text(water.build_model(water.parse(WATER_WITH_COSTS)), tmp_path / "water.lp")
    approved = (LP_FILES / "water_regeneration.lp").read_text(encoding="utf-8")
    assert written.split() == approved.split()


def test_the_cheapest_water_plan_by_hand() -> None:
    """K2: S2's 30 m3/d (COD 1,200 g) and the unit's 40 (400 g) fill its 1,600 g; 10 m3/d fresh. K1: 25 from S1
    (2,500 g), 25 fresh. Fresh 35 x 12,000 + regenerated 40 x 3,000 = 540,000 VND/d (sending S2 to K1 instead
    costs the same: 7 + 28 fresh)."""
    result = water.solve(water.parse(WATER_WITH_COSTS))
    assert result.status == "optimal" and result.objective_value == pytest.approx(540_000)
    assert result.regenerated_m3_per_day == pytest.approx(40)

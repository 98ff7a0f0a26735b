"""The national-scale solver reaches the same optimum as the readable linopy model."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from eipkit.symbiosis import network, pairing
from eipkit.symbiosis.engine import column_generation, fixed_charge, parts, pricing
from eipkit.symbiosis.problem import Problem, parse
from synthetic import national
from test_symbiosis import DEMAND, POINT, SUPPLY, base, feasibility_slack, instance


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    supplies=st.lists(SUPPLY, min_size=1, max_size=5),
    demands=st.lists(DEMAND, min_size=1, max_size=5),
    objective=st.sampled_from(["cost", "co2"]),
    per_resource=st.booleans(),
)
@example(  # 6e-8 t of supply, under HiGHS's feasibility tolerance: the full model sent it to both demands
    supplies=[
        {"enterprise_id": "A", "resource": "ash", "quantity_t": 5.960464477539063e-08, "hazardous": False}
        | {"disposal_cost_vnd_per_t": 1678.0, "disposal_co2e_t_per_t": 0.0, "where": (10.5, 106.5)}
    ],
    demands=[
        {"enterprise_id": "B", "accepts": {"ash": 1.0}, "capacity_t": 1.0, "licensed_hazardous": False}
        | {"virgin_price_vnd_per_t": 0.0, "virgin_co2e_t_per_t": 0.0, "where": (10.5, 106.5)}
    ]
    * 2,
    objective="cost",
    per_resource=False,
)
def test_column_generation_reaches_the_full_model_s_optimum(
    supplies: list, demands: list, objective: str, per_resource: bool
) -> None:
    if per_resource:  # ratios of the resource alone: the transportation form and the network simplex
        demands = [d | {"accepts": {r: {"ash": 0.7, "scrap": 1.1}[r] for r in d["accepts"]}} for d in demands]
    problem = parse(instance(supplies, demands, 0.0))
    full = network.solve(problem, objective)
    result = column_generation.solve_lp(problem, objective, per_supply=1)
    if per_resource:
        assert result.solver == "network simplex"
    assert result.status == "optimal"
    overfill = feasibility_slack(supplies, demands, objective, solvers=1)  # HiGHS on the full model only
    assert result.objective_value == pytest.approx(full.objective_value, rel=1e-7, abs=max(1e-4, overfill))


def _every_pair_by_brute_force(problem: Problem) -> set[tuple[str, str]]:
    """The independent method: the haversine written out (sphere of 6371.0088 km) over every supply and demand."""
    found = set()
    for s in problem.supplies:
        for k in problem.demands:
            p1, p2 = math.radians(s.lat), math.radians(k.lat)
            dl = math.radians(k.lon - s.lon)
            h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
            road = problem.road_factor * 2 * 6371.0088 * math.asin(math.sqrt(min(h, 1.0)))
            if (
                s.resource in k.accepts
                and s.enterprise_id != k.enterprise_id
                and (not s.hazardous or k.licensed_hazardous)
                and road <= problem.max_distance_km * (1 + 1e-12)
            ):
                found.add((s.id, k.id))
    return found


@settings(max_examples=30, deadline=None)
@given(
    points=st.lists(POINT, min_size=2, max_size=30),
    far=st.booleans(),
    reach_km=st.sampled_from([5e-324, 0.001, 5.0, 60.0, 900.0]),  # a reach far below a grid cell's size too
)
@example(points=[(10.5, 106.5), (10.5, 106.5), (10.5, 106.500001)], far=False, reach_km=5e-324)
def test_the_grid_finds_exactly_the_pairs_within_reach(points: list, far: bool, reach_km: float) -> None:
    # points also near the date line and the pole, where the grid's cells wrap and narrow
    if far:
        points = [(min(lat * 4.0, 89.0), 179.9 if i % 2 else -179.9) for i, (lat, _) in enumerate(points)]
    supplies = [
        {"enterprise_id": f"E{i}", "resource": "ash", "quantity_t": 1.0, "where": p} for i, p in enumerate(points)
    ]
    demands = [
        {"enterprise_id": f"F{i}", "accepts": {"ash": 1.0}, "capacity_t": 1.0, "where": p} for i, p in enumerate(points)
    ]
    problem = parse(instance(supplies, demands, 0.0)).model_copy(update={"max_distance_km": reach_km})
    table = pairing.arcs_table(problem)
    assert set(zip(table["supply"], table["demand"], strict=True)) == _every_pair_by_brute_force(problem)


@settings(max_examples=30, deadline=None)
@given(points=st.lists(POINT, min_size=2, max_size=30), far=st.booleans(), reach_km=st.sampled_from([5.0, 60.0, 900.0]))
def test_every_pair_s_site_is_in_a_run_next_to_its_supply(points: list, far: bool, reach_km: float) -> None:
    # what `Pricing` relies on to bound the pairs it does not read: the runs of sites it looks at for a supply hold
    # every site of that supply's pairs, and each run is one resource in one grid cell
    if far:
        points = [(min(lat * 4.0, 89.0), 179.9 if i % 2 else -179.9) for i, (lat, _) in enumerate(points)]
    resources = ["ash", "scrap"]
    supplies = [
        {"enterprise_id": f"E{i}", "resource": resources[i % 2], "quantity_t": 1.0, "where": p}
        for i, p in enumerate(points)
    ]
    demands = [
        {"enterprise_id": f"F{i}", "accepts": {r: 1.0 for r in resources[: 1 + i % 2]}, "capacity_t": 1.0, "where": p}
        for i, p in enumerate(points)
    ]
    problem = parse(instance(supplies, demands, 0.0)).model_copy(update={"max_distance_km": reach_km})
    data = pairing.arrays(problem)
    pairs = pairing.reach(problem, data)
    block_start, neighbours = pricing._site_blocks(data)
    block = np.searchsorted(block_start, np.arange(len(data.site_demand)), side="right") - 1
    resource = np.searchsorted(data.resource_start, np.arange(len(data.site_demand)), side="right") - 1
    for b in range(len(block_start)):
        assert len(set(zip(resource[block == b], data.site_cell[block == b], strict=True))) == 1
    assert len(set(zip(resource, data.site_cell, strict=True))) == len(block_start)
    for s, j in zip(pairs.supply, pairs.site, strict=True):
        assert block[j] in neighbours[s]


def _chosen_and_bound(
    pairs: pairing.Reach, data: pairing.Arrays, gain: np.ndarray, u: np.ndarray, v: np.ndarray, per_supply: int
) -> tuple[list[set[int]], float]:
    """Pricing written out with numpy over every pair: each supply's best pairs above the tolerance, and the bound."""
    net = gain - data.site_ratio[pairs.site] * v[data.site_demand[pairs.site]]
    reduced = net - u[pairs.supply]
    prices_in = reduced > pricing.TOLERANCE * np.maximum(1.0, np.abs(gain))
    chosen = []
    for s in range(len(u)):
        at = np.arange(pairs.start[s], pairs.start[s + 1])
        at = at[prices_in[at]]
        chosen.append(set(at[np.argsort(-reduced[at])][:per_supply].tolist()))
    worth = np.zeros(len(u))
    np.maximum.at(worth, pairs.supply, net)
    return chosen, float(data.s_quantity @ worth + data.k_capacity @ v)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), step=st.sampled_from([0.001, 0.01, 0.1]))
def test_pricing_that_reads_only_the_kept_pairs_chooses_what_reading_every_pair_chooses(seed: int, step: float) -> None:
    problem, _ = national(parks=3, enterprises_per_park=30, seed=seed % 50)
    data = pairing.arrays(problem)
    pairs = pairing.reach(problem, data)
    gain = pairing.coefficient(problem, data, pairs.supply, pairs.site, pairs.distance, "cost")
    rng = np.random.default_rng(seed)
    scale_of = float(np.abs(gain).max())
    u = rng.uniform(0, 0.5, len(data.s_quantity)) * scale_of
    v = rng.uniform(0, 0.5, len(data.k_capacity)) * scale_of
    kept = pricing.Pricing(pairs, data, gain, 3, keep=0.2)
    partial = 0
    for _ in range(10):
        positions, bound = kept(u, v)
        chosen, expected_bound = _chosen_and_bound(pairs, data, gain, u, v, 3)
        supply_of = np.searchsorted(pairs.start, positions, side="right") - 1
        assert [set(positions[supply_of == s].tolist()) for s in range(len(u))] == chosen
        if kept.reads < 1:
            partial += 1  # the pairs left unread are bounded: the bound may only be looser
            assert bound >= expected_bound * (1 - 1e-12)
        else:
            assert bound == pytest.approx(expected_bound, rel=1e-12)
        u = np.maximum(u + rng.normal(0, step, len(u)) * scale_of, 0.0)
        v = np.maximum(v + rng.normal(0, step, len(v)) * scale_of, 0.0)
    if step == 0.001:
        assert partial > 0  # prices that move little: most rounds read the kept pairs only


def test_a_regional_instance_agrees_with_the_full_model() -> None:
    problem, _ = national(parks=12, enterprises_per_park=40, seed=7)
    full = network.solve(problem, "cost")
    fast = column_generation.solve_lp(problem, "cost", per_supply=2)
    assert fast.solver == "network simplex"  # the knowledge base's ratios depend on the resource only
    assert fast.iterations > 1  # each supply's two best pairs were not enough: pricing had work to do
    assert fast.objective_value == pytest.approx(full.objective_value, rel=1e-7)
    assert (fast.status, fast.bound) == ("optimal", pytest.approx(full.objective_value, rel=1e-7))
    assert len(fast.arcs) < full.arcs_considered
    # stopped after the first round: a feasible flow below the optimum and a proven bound above it
    early = column_generation.solve_lp(problem, "cost", per_supply=1, max_iterations=1)
    assert early.status == "iteration_limit" and early.iterations == 1
    assert early.objective_value < full.objective_value * (1 - 1e-6)
    assert early.bound > full.objective_value * (1 + 1e-6)
    assert early.gap == pytest.approx((early.bound - early.objective_value) / early.bound)
    sent = np.bincount(early.arcs.s, weights=early.flow, minlength=len(problem.supplies))
    assert (sent <= np.array([s.quantity_t for s in problem.supplies]) * (1 + 1e-9) + 1e-6).all()
    received = np.bincount(early.arcs.k, weights=early.flow * early.arcs.ratio, minlength=len(problem.demands))
    assert (received <= np.array([d.capacity_t for d in problem.demands]) * (1 + 1e-9) + 1e-6).all()
    gains = early.arcs.margin @ early.flow
    assert gains == pytest.approx(early.objective_value, rel=1e-9)


@pytest.fixture(params=["cost", "co2"])
def regional(request: pytest.FixtureRequest) -> tuple[str, Problem, network.Solution, pairing.Arrays, pairing.Reach]:
    """The 12-park instance for one objective: the problem, the linopy model's optimum, its arrays and pairs."""
    problem, _ = national(parks=12, enterprises_per_park=40, seed=7)
    data = pairing.arrays(problem)
    return request.param, problem, network.solve(problem, request.param), data, pairing.reach(problem, data)


def test_a_start_from_the_park_scale_problem_reaches_the_same_optimum(regional: tuple) -> None:
    objective, problem, full, data, pairs = regional
    started = column_generation.coarse_start(problem, data, pairs, objective, 0.05, 5, math.inf)
    assert started is not None
    positions, prices = started
    assert 0 < len(positions) < len(pairs) / 2  # a start, not every pair
    # its prices are feasible demand prices: their Lagrangian bound is above the optimum, and close to it
    gain = pairing.coefficient(problem, data, pairs.supply, pairs.site, pairs.distance, objective)
    _, bound = pricing.price(pairs, data, gain, np.zeros(len(problem.supplies)), prices, 1)
    assert full.objective_value * (1 - 1e-9) <= bound < full.objective_value * 1.01  # zero prices: 2.6 times
    # forced on so small a problem (it starts by itself from 2 M pairs): the same optimum, proven
    fast = column_generation.solve_lp(problem, objective, data, pairs, coarse_from_pairs=0)
    assert (fast.status, fast.objective_value) == ("optimal", pytest.approx(full.objective_value, rel=1e-7))


def test_independent_parts_solved_side_by_side_reach_the_same_optimum(regional: tuple) -> None:
    objective, problem, full, data, pairs = regional
    split = parts.parts(data, pairs, 2)
    # the independent method: scipy's connected components of the full model's arcs (7 here, 6,919 arcs in the
    # largest, 6,019 in the other six): no component may straddle two parts, and every pair is in one part
    table = pairing.arcs_table(problem)
    labels = pairing.components(table)
    part_of = {}
    for number, part in enumerate(split):
        part_of |= {problem.supplies[s].id: number for s in part.supplies}
        part_of |= {problem.demands[k].id: number for k in part.demands}
    assert all(table.groupby(labels)["supply"].agg(lambda ids: len({part_of[i] for i in ids}) == 1))
    assert all(table.groupby(labels)["demand"].agg(lambda ids: len({part_of[i] for i in ids}) == 1))
    positions = [part.whole(np.arange(len(part.pairs))) for part in split]
    assert (np.sort(np.concatenate(positions)) == np.arange(len(pairs))).all()
    size = np.bincount(labels)
    assert size.max() > size.sum() - size.max()  # so the largest component is a part of its own
    assert sorted(len(part.pairs) for part in split) == [size.sum() - size.max(), size.max()]
    # a part's pairs are the whole reach's pairs of its supplies, renumbered
    for part, at in zip(split, positions, strict=True):
        site = part.pairs.site
        whole = {(s, k) for s, k in zip(pairs.supply[at], data.site_demand[pairs.site[at]], strict=True)}
        own = {
            (part.supplies[s], part.demands[k])
            for s, k in zip(part.pairs.supply, part.data.site_demand[site], strict=True)
        }
        assert own == whole
        assert (part.pairs.distance == pairs.distance[at]).all()
    fast = column_generation.solve_lp(problem, objective, data, pairs, split_from_pairs=0)
    assert fast.timings["parts"] == 2
    assert (fast.status, fast.objective_value) == ("optimal", pytest.approx(full.objective_value, rel=1e-7))
    # fixed costs that differ from link to link are looked up by the whole problem's supplies and demands
    fixed = lambda s, k: 1e5 * (1 + (7 * s + 3 * k) % 5)  # noqa: E731
    relaxed = [
        column_generation.solve_lp(problem, objective, data, pairs, fixed=fixed, split_from_pairs=n) for n in (0, 10**9)
    ]
    assert [r.timings["parts"] for r in relaxed] == [2, 1]
    assert relaxed[0].objective_value == pytest.approx(relaxed[1].objective_value, rel=1e-9)
    assert relaxed[0].objective_value < fast.objective_value
    # stopped after one round: the parts' flows together feasible, their bounds together above the optimum
    early = column_generation.solve_lp(
        problem, objective, data, pairs, per_supply=1, max_iterations=1, split_from_pairs=0
    )
    assert early.status == "iteration_limit"
    assert early.objective_value < full.objective_value < early.bound
    sent = np.bincount(early.arcs.s, weights=early.flow, minlength=len(problem.supplies))
    assert (sent <= data.s_quantity * (1 + 1e-9) + 1e-6).all()
    received = np.bincount(early.arcs.k, weights=early.flow * early.arcs.ratio, minlength=len(problem.demands))
    assert (received <= data.k_capacity * (1 + 1e-9) + 1e-6).all()
    gains = early.arcs.margin if objective == "cost" else early.arcs.co2
    assert gains @ early.flow == pytest.approx(early.objective_value, rel=1e-9)


def test_the_bound_at_zero_prices_and_its_tightening() -> None:
    problem, _ = national(parks=12, enterprises_per_park=40, seed=7)
    full = network.solve(problem, "cost")
    data = pairing.arrays(problem)
    pairs = pairing.reach(problem, data)
    gain = pairing.coefficient(problem, data, pairs.supply, pairs.site, pairs.distance, "cost")
    ns, nk = len(problem.supplies), len(problem.demands)
    _, loose = pricing.price(pairs, data, gain, np.zeros(ns), np.zeros(nk), 1)
    # at zero demand prices every supply is worth its best margin: sum_s Q_s max(0, max_k w_sk), from the table
    table = pairing.arcs_table(problem)
    best = table.groupby("supply")["margin_vnd_per_t"].max().clip(lower=0)
    quantity = {s.id: s.quantity_t for s in problem.supplies}
    assert loose == pytest.approx(sum(quantity[s] * m for s, m in best.items()), rel=1e-9)
    tight = column_generation.tighten(pairs, data, gain, np.zeros(nk), 0.0, loose, math.inf)
    assert full.objective_value * (1 - 1e-9) <= tight < 0.9 * loose  # still a bound, and a much better one
    # at any demand prices v: sum_s Q_s max(0, max_k w_sk - a_sk v_k) + sum_k D_k v_k, again from the table
    v = np.random.default_rng(1).uniform(0, 4e5, nk)
    price_of = {d.id: v[i] for i, d in enumerate(problem.demands)}
    net = table["margin_vnd_per_t"] - table["ratio"] * table["demand"].map(price_of)
    worth = net.groupby(table["supply"]).max().clip(lower=0)
    expected = sum(quantity[s] * w for s, w in worth.items()) + sum(
        d.capacity_t * v[i] for i, d in enumerate(problem.demands)
    )
    _, at_v = pricing.price(pairs, data, gain, np.zeros(ns), v, 1)
    assert at_v == pytest.approx(expected, rel=1e-9)
    assert at_v >= full.objective_value * (1 - 1e-9)


def test_fixed_costs_match_the_full_model() -> None:
    problem, _ = national(parks=2, enterprises_per_park=8, seed=3)
    problem = problem.model_copy(update={"default_fixed_cost_vnd_per_year": 3e7})
    full = network.solve(problem, "cost", mip_gap=1e-9)
    data = pairing.arrays(problem)
    # on the full model's own arcs: the same optimum
    table = network.prune(pairing.arcs_table(problem), "cost")
    arcs = pairing.arcs_from_table(problem, data, table)
    on_arcs = fixed_charge.solve_fixed(problem, time_limit_s=60, gap=1e-9, arcs=arcs, data=data)
    assert on_arcs.objective_value == pytest.approx(full.objective_value, rel=1e-6)
    # over every pair within reach: the relaxation's bound is above the optimum, the solution found below it
    over_reach = fixed_charge.solve_fixed(problem, time_limit_s=60, gap=1e-9, data=data)
    assert over_reach.bound >= full.objective_value * (1 - 1e-9)
    assert over_reach.objective_value <= full.objective_value * (1 + 1e-9)
    assert over_reach.gap == pytest.approx((over_reach.bound - over_reach.objective_value) / over_reach.bound)
    # the relaxation's flow rounded to paying links alone (no MIP): feasible, and its value is what it earns
    rounded = fixed_charge.solve_fixed(problem, time_limit_s=60, gap=1e-9, data=data, mip_arcs=0)
    assert rounded.solver == "rounding" and rounded.objective_value <= full.objective_value * (1 + 1e-9)
    used = rounded.flow > 1e-6
    earned = rounded.arcs.margin @ rounded.flow - 3e7 * used.sum()
    assert rounded.objective_value == pytest.approx(earned, rel=1e-9)
    assert rounded.objective_value > 0.9 * full.objective_value  # a good solution, not just a feasible one
    sent = np.bincount(rounded.arcs.s, weights=rounded.flow, minlength=len(problem.supplies))
    assert (sent <= np.array([s.quantity_t for s in problem.supplies]) * (1 + 1e-9) + 1e-6).all()
    # the relaxation's bound is the LP with each gain less F / M, solved here with the full model
    relaxed = network.prune(pairing.arcs_table(problem), "cost")
    relaxed["margin_vnd_per_t"] -= 3e7 / relaxed["upper_t"]
    relaxed["fixed_cost_vnd_per_year"] = 0.0
    lp = network.solve(problem.model_copy(update={"default_fixed_cost_vnd_per_year": 0.0}), "cost", arcs=relaxed)
    assert over_reach.bound == pytest.approx(lp.objective_value, rel=1e-7)


@pytest.mark.parametrize(("link_cost", "expected"), [(0.0, 700_000.0), (1e4, 690_000.0)])
def test_a_bound_at_highs_feasibility_tolerance_does_not_make_the_problem_infeasible(
    link_cost: float, expected: float
) -> None:
    # HiGHS's presolve called this infeasible (a supply of 1.2e-7 t). By hand: every tonne earns 300,000 + 0.5 x
    # 100,000 VND at distance 0; the demand replaces at most 1 t, so takes 2 t of ash: s1's 2 t on one link
    supplies = [
        {"id": f"s{n}", "enterprise_id": "A", "resource": "ash", "quantity_t": q, "disposal_cost_vnd_per_t": 3e5,
         "disposal_co2e_t_per_t": 0.0, "hazardous": False, "lat": 10.5, "lon": 106.5}
        for n, q in enumerate((1.0, 2.0, 1.192092896e-07))
    ]  # fmt: skip
    demand = {"id": "k", "enterprise_id": "B", "accepts": {"ash": 0.5}, "capacity_t": 1.0,
              "virgin_price_vnd_per_t": 1e5, "virgin_co2e_t_per_t": 1.0, "licensed_hazardous": False,
              "lat": 10.5, "lon": 106.5}  # fmt: skip
    problem = parse(base(default_fixed_cost_vnd_per_year=link_cost, supplies=supplies, demands=[demand]))
    data = pairing.arrays(problem)
    arcs = pairing.arcs_from_table(problem, data, network.prune(pairing.arcs_table(problem), "cost"))
    result = fixed_charge.solve_fixed(problem, arcs=arcs, data=data, gap=1e-9, workers=1)
    assert result.status == "optimal"
    assert result.objective_value == pytest.approx(expected, rel=1e-9)
    assert network.solve(problem, "cost", mip_gap=1e-9).objective_value == pytest.approx(expected, rel=1e-9)

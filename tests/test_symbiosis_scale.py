"""The national-scale solver reaches the same optimum as the readable linopy model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eipkit.symbiosis import network, scale
from eipkit.symbiosis.problem import parse
from eipkit.symbiosis.synthetic import national
from test_symbiosis import DEMAND, SUPPLY, instance


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    supplies=st.lists(SUPPLY, min_size=1, max_size=5),
    demands=st.lists(DEMAND, min_size=1, max_size=5),
    objective=st.sampled_from(["cost", "co2"]),
)
def test_column_generation_reaches_the_full_model_s_optimum(supplies: list, demands: list, objective: str) -> None:
    problem = parse(instance(supplies, demands, 0.0))
    full = network.solve(problem, objective)
    if full.links.empty and full.objective_value == 0:
        result = scale.solve_lp(problem, objective, nearest=1)
        assert result.objective_value == pytest.approx(0, abs=1e-6)
        return
    result = scale.solve_lp(problem, objective, nearest=1)
    assert result.objective_value == pytest.approx(full.objective_value, rel=1e-7, abs=1e-4)


def test_a_regional_instance_agrees_with_the_full_model() -> None:
    problem, _ = national(parks=12, enterprises_per_park=40, seed=7)
    full = network.solve(problem, "cost")
    fast = scale.solve_lp(problem, "cost", nearest=3)
    assert fast.iterations > 1  # the nearest three sites were not enough: pricing had work to do
    assert fast.objective_value == pytest.approx(full.objective_value, rel=1e-7)
    assert len(fast.arcs) < full.arcs_considered
    assert (fast.status, fast.bound) == ("optimal", pytest.approx(full.objective_value, rel=1e-7))
    # stopped after the first round: a feasible flow below the optimum and a proven bound above it
    early = scale.solve_lp(problem, "cost", nearest=1, max_iterations=1)
    assert early.status == "iteration_limit" and early.iterations == 1
    assert early.objective_value < full.objective_value * (1 - 1e-6)
    assert early.bound > full.objective_value * (1 + 1e-6)
    assert early.gap == pytest.approx((early.bound - early.objective_value) / early.bound)
    ns = len(problem.supplies)
    sent = np.bincount(early.arcs.s, weights=early.flow, minlength=ns)
    assert (sent <= np.array([s.quantity_t for s in problem.supplies]) * (1 + 1e-9) + 1e-6).all()


def test_fixed_costs_in_components_match_the_full_model() -> None:
    problem, _ = national(parks=2, enterprises_per_park=8, seed=3)
    problem = problem.model_copy(update={"default_fixed_cost_vnd_per_year": 3e7})
    full = network.solve(problem, "cost", mip_gap=1e-9)
    # the full model's candidate arcs are exactly those the fast path should consider
    table = network.prune(network.arcs_table(problem), "cost")
    arcs = scale.arcs_from_table(problem, scale.arrays(problem), table)
    fast = scale.solve_fixed(problem, np.full(len(arcs), 3e7), time_limit_s=60, gap=1e-9, seed_arcs=arcs)
    assert fast.objective_value == pytest.approx(full.objective_value, rel=1e-6)


def test_regions_are_independent_and_solving_them_apart_gives_the_same_optimum() -> None:
    problem, _ = national(parks=30, enterprises_per_park=20, seed=11, max_distance_km=30)
    label = scale.regions(problem)
    assert len(np.unique(label)) > 1
    table = network.arcs_table(problem)
    index = {s.id: i for i, s in enumerate(problem.supplies)} | {
        d.id: len(problem.supplies) + i for i, d in enumerate(problem.demands)
    }
    # no arc within reach joins two regions
    assert (label[table["supply"].map(index)] == label[table["demand"].map(index)]).all()
    value, flows, timings = scale.solve_lp_by_region(problem, workers=1)
    assert value == pytest.approx(scale.solve_lp(problem).objective_value, rel=1e-7)
    assert timings["regions"] == len(np.unique(label))
    sent: dict[str, float] = {}
    for supply, _, tonnes in flows:
        sent[supply] = sent.get(supply, 0.0) + tonnes
    quantity = {s.id: s.quantity_t for s in problem.supplies}
    assert sent and all(tonnes <= quantity[s] * (1 + 1e-9) + 1e-6 for s, tonnes in sent.items())

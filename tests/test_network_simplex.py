"""The network simplex against an independent LP solver, and the factoring of substitution ratios."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from eipkit.symbiosis.network_simplex import Transport, dot, factor_ratios


@st.composite
def transportation(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    ns = draw(st.integers(1, 7))
    nk = draw(st.integers(1, 7))
    pairs = draw(st.lists(st.integers(0, ns * nk - 1), min_size=1, max_size=ns * nk, unique=True))
    # small integers make ties and degenerate bases common, which is what strong feasibility is for
    amount = st.one_of(st.integers(1, 4).map(float), st.floats(0.5, 50))
    supply = np.array(draw(st.lists(amount, min_size=ns, max_size=ns)))
    capacity = np.array(draw(st.lists(amount, min_size=nk, max_size=nk)))
    gain = np.array(
        draw(
            st.lists(
                st.one_of(st.integers(-2, 5).map(float), st.floats(-10, 100)), min_size=len(pairs), max_size=len(pairs)
            )
        )
    )
    pairs = np.array(pairs)
    return supply, capacity, pairs // nk, pairs % nk, gain


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=transportation(), batches=st.integers(1, 3))
@example(  # a gain of -6e-8 beside one of 60: the duals are feasible to the solver's tolerance, not to 1e-9
    case=(
        np.array([1.0, 1.0, 1.0]),
        np.array([1.0, 1.0, 1.0, 1.0, 2.0]),
        np.array([2, 0, 1, 1, 0, 1, 1]),
        np.array([0, 4, 0, 1, 0, 2, 4]),
        np.array([0.0, 1.0, 0.0, 0.0, -5.96046448e-08, 0.0, 60.0]),
    ),
    batches=1,
)
@example(  # a gain of 1e-7, at HiGHS's default dual feasibility tolerance: the reference must not round it away
    case=(np.array([1.0]), np.array([0.5, 1.0]), np.array([0, 0]), np.array([0, 1]), np.array([1.0, 1e-7])),
    batches=1,
)
@example(  # a gain of 1e-9, at our own tolerance: left out, 2e-9 lost
    case=(np.array([2.0]), np.array([1.0, 2.0]), np.array([0]), np.array([1]), np.array([1e-9])), batches=1
)
def test_the_network_simplex_finds_the_lp_optimum_and_feasible_duals(case: tuple, batches: int) -> None:
    supply, capacity, s, k, gain = case
    ns, nk, m = len(supply), len(capacity), len(s)
    tree = Transport.start(supply, capacity)
    # arcs added in batches, each solve restarting from the last tree, as column generation does
    for part in np.array_split(np.arange(m), batches):
        tree.add(s[part], k[part], -gain[part])
        assert tree.solve()
    rows = np.concatenate([s, ns + k])
    matrix = coo_matrix((np.ones(2 * m), (rows, np.tile(np.arange(m), 2))), shape=(ns + nk, m))
    strict = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
    b_ub = np.concatenate([supply, capacity])
    reference = linprog(-gain, A_ub=matrix, b_ub=b_ub, bounds=(0, None), method="highs", options=strict)
    value = -tree.cost_value
    # either solver may leave out an arc whose reduced cost is within its optimality tolerance (ours 1e-9 of the
    # largest cost, the reference's 1e-10), losing that much on each tonne the arc could carry
    within = 2e-9 * max(1.0, float(np.abs(gain).max())) * min(supply.sum(), capacity.sum())
    assert value == pytest.approx(-reference.fun, rel=1e-9, abs=within)
    flow = tree.exchange_flow
    assert (flow >= 0).all()
    assert (np.bincount(s, flow, ns) <= supply * (1 + 1e-12)).all()
    assert (np.bincount(k, flow, nk) <= capacity * (1 + 1e-12)).all()
    u, v = tree.supply_price, tree.demand_price
    # dual feasible within the solver's optimality tolerance, 1e-9 of the largest cost ...
    tolerance = 1e-9 * max(1.0, float(np.abs(gain).max()))
    assert (u >= -tolerance).all() and (v >= -tolerance).all()
    assert (gain - u[s] - v[k] <= tolerance).all()
    assert supply @ u + capacity @ v == pytest.approx(value, rel=1e-9, abs=1e-9)  # ... and as good as the primal


def test_forgetting_arcs_out_of_the_basis_keeps_the_flow_and_the_tree() -> None:
    # two supplies (5 t, 3 t), two demands (4 t, 6 t); by hand: s0 -> k0 4 t (gain 10), s1 -> k1 3 t (gain 7),
    # s0 -> k1 1 t (gain 2): 40 + 21 + 2 = 63; s1 -> k0 (gain 1) stays out
    tree = Transport.start(np.array([5.0, 3.0]), np.array([4.0, 6.0]))
    tree.add(np.array([0, 1, 0, 1]), np.array([0, 1, 1, 0]), -np.array([10.0, 7.0, 2.0, 1.0]))
    assert tree.solve()
    assert -tree.cost_value == pytest.approx(63.0)
    kept = tree.compact()
    assert kept.tolist() == [True, True, True, False]
    assert tree.exchange_flow.tolist() == pytest.approx([4.0, 3.0, 1.0])
    # s1 -> k0 now pays 20: each tonne moved there from k1 gains 13 and pushes a tonne of s0 from k0 to k1 (-8):
    # 3 t move, 63 + 3 x 5 = 78 (s1 -> k0 3 t, s0 -> k0 1 t, s0 -> k1 4 t)
    tree.add(np.array([1]), np.array([0]), -np.array([20.0]))
    assert tree.solve()
    assert -tree.cost_value == pytest.approx(78.0)
    assert tree.exchange_flow.tolist() == pytest.approx([1.0, 0.0, 4.0, 3.0])


def test_ratios_that_depend_on_the_resource_or_the_demand_factor() -> None:
    g, f = factor_ratios([{"ash": 0.5, "slag": 0.8}, {"ash": 0.5}, {"slag": 0.8, "gypsum": 1.0}])
    assert f["ash"] * g[0] == pytest.approx(0.5) and f["slag"] * g[2] == pytest.approx(0.8)
    assert f["gypsum"] * g[2] == pytest.approx(1.0) and f["ash"] * g[1] == pytest.approx(0.5)
    # per demand: 0.9 for everything demand 0 takes, 0.6 for demand 1
    g, f = factor_ratios([{"ash": 0.9, "slag": 0.9}, {"ash": 0.6, "slag": 0.6}])
    assert g[1] / g[0] == pytest.approx(0.6 / 0.9) and f["ash"] == pytest.approx(f["slag"])
    # a product g_k f_r cannot give ash 0.5 / slag 0.8 at one demand and ash 0.8 / slag 0.5 at the other
    assert factor_ratios([{"ash": 0.5, "slag": 0.8}, {"ash": 0.8, "slag": 0.5}]) is None


@settings(max_examples=60, deadline=None)
@given(
    g=st.lists(st.floats(0.05, 20.0), min_size=1, max_size=8),
    f=st.lists(st.floats(0.05, 20.0), min_size=1, max_size=5),
    accepted=st.lists(st.lists(st.integers(0, 4), max_size=5), min_size=8, max_size=8),
)
def test_ratios_made_as_products_factor_again(g: list[float], f: list[float], accepted: list[list[int]]) -> None:
    # ratios built as g_k f_r on any pattern of accepted resources (empty ones and unlinked sets included): the
    # factors found give back every ratio, whatever scale each linked set of resources was given
    names = [f"r{i}" for i in range(len(f))]
    accepts = [{names[r]: g[k] * f[r] for r in set(accepted[k]) if r < len(f)} for k in range(len(g))]
    factors = factor_ratios(accepts)
    assert factors is not None
    found_g, found_f = factors
    for k, ratios in enumerate(accepts):
        for name, ratio in ratios.items():
            assert found_g[k] * found_f[name] == pytest.approx(ratio, rel=1e-12)
    assert set(found_f) == {name for ratios in accepts for name in ratios}


@given(st.lists(st.tuples(st.floats(-1e9, 1e9), st.floats(-1e9, 1e9)), max_size=50))
def test_the_dot_product_without_blas_is_numpy_s(pairs: list[tuple[float, float]]) -> None:
    a, b = (np.array([p[i] for p in pairs], dtype=float) for i in (0, 1))
    scale = float(np.abs(a * b).sum())
    assert dot(a, b) == pytest.approx(float(a @ b), abs=1e-12 * scale + 1e-300)

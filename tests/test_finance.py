"""Business cases against hand arithmetic and against a second method for the IRR (polynomial roots)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eipkit.recp.finance import business_case, irr, npv


def irr_by_polynomial_roots(investment: float, saving: float, years: int) -> float:
    """With x = 1/(1+r): saving (x + x^2 + ... + x^N) - investment = 0; the real root in (0, 1) gives r."""
    coefficients = [saving] * years + [-investment]  # x^N ... x^1, x^0
    roots = np.roots(coefficients)
    real = [r.real for r in roots if abs(r.imag) < 1e-9 and 0 < r.real < 1e6]
    assert len(real) == 1
    return 1 / real[0] - 1


def test_a_hundred_million_saving_thirty_a_year_for_five_years_at_ten_percent() -> None:
    case = business_case(100e6, 30e6, 5, 0.10)
    annuity = (1 - 1.1**-5) / 0.1  # 3.790787
    assert case.simple_payback_years == pytest.approx(100 / 30)
    assert case.npv_vnd == pytest.approx(-100e6 + 30e6 * annuity)
    assert case.npv_vnd == pytest.approx(13.7236e6, rel=1e-5)
    assert case.irr == pytest.approx(0.15238, abs=1e-5)


def test_a_measure_that_saves_nothing_has_no_payback_and_no_irr() -> None:
    case = business_case(50e6, 0, 10, 0.08)
    assert case.simple_payback_years is None and case.irr is None
    assert case.npv_vnd == -50e6


def test_bad_inputs_are_refused() -> None:
    for args in ((-1, 1, 5, 0.1), (1, 1, 0, 0.1), (float("nan"), 1, 5, 0.1)):
        with pytest.raises(ValueError):
            business_case(*args)
    with pytest.raises(ValueError):
        npv(-1.0, [1, 2])


@given(
    investment=st.floats(min_value=1e6, max_value=1e12),
    payback=st.floats(min_value=0.2, max_value=25),
    years=st.integers(min_value=1, max_value=30),
)
def test_irr_equals_the_root_of_the_cash_flow_polynomial(investment: float, payback: float, years: int) -> None:
    saving = investment / payback
    if saving * years <= investment * (1 + 1e-9):
        return  # never pays back: no positive IRR to compare (the polynomial root is below zero)
    ours = irr([-investment] + [saving] * years)
    assert ours == pytest.approx(irr_by_polynomial_roots(investment, saving, years), rel=1e-6, abs=1e-9)
    assert abs(npv(ours, [-investment] + [saving] * years)) < investment * 1e-8


def test_finance_command_prints_the_three_figures() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "eipkit",
            "recp",
            "finance",
            "--investment",
            "100000000",
            "--annual-saving",
            "30000000",
            "--years",
            "5",
            "--rate",
            "0.1",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(result.stdout)
    assert figures["simple_payback_years"] == pytest.approx(3.3333333)
    assert figures["npv_vnd"] == pytest.approx(-100e6 + 30e6 * (1 - 1.1**-5) / 0.1, rel=1e-9)
    assert figures["irr"] == pytest.approx(0.15238, abs=1e-5)

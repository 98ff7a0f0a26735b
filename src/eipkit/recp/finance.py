"""Business cases of a measure: simple payback, net present value and internal rate of return.

Cash flows are yearly and at year end: the investment at year 0, the same saving in years 1 to N.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


def npv(rate: float, cash_flows: Sequence[float]) -> float:
    """Net present value of cash flows at years 0, 1, 2, ..."""
    if rate <= -1:
        raise ValueError("the discount rate must be above -100%")
    return sum(flow / (1 + rate) ** year for year, flow in enumerate(cash_flows))


def irr(cash_flows: Sequence[float]) -> float | None:
    """The rate at which the NPV is zero, or None when the flows never change sign across the search range.

    For a measure (one outflow, then inflows) NPV falls monotonically with the rate, so the root is unique.
    """
    from scipy.optimize import brentq  # imported here: scipy.optimize takes a third of a second to load

    low, high = -0.9999, 1.0
    if npv(low, cash_flows) * npv(high, cash_flows) > 0:
        while high < 1e6 and npv(low, cash_flows) * npv(high, cash_flows) > 0:
            high *= 10
        if npv(low, cash_flows) * npv(high, cash_flows) > 0:
            return None
    return float(brentq(lambda r: npv(r, cash_flows), low, high, xtol=1e-12, rtol=1e-12, maxiter=500))


@dataclass(frozen=True)
class BusinessCase:
    investment_vnd: float
    annual_saving_vnd: float
    years: int
    rate: float
    simple_payback_years: float | None
    npv_vnd: float
    irr: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def business_case(investment_vnd: float, annual_saving_vnd: float, years: int, rate: float) -> BusinessCase:
    """Payback (None when the measure saves nothing), NPV at `rate` over `years`, IRR (None when undefined)."""
    if investment_vnd < 0 or not math.isfinite(investment_vnd):
        raise ValueError("the investment must be a finite amount of zero or more")
    if not math.isfinite(annual_saving_vnd):
        raise ValueError("the annual saving must be a finite amount")
    if years < 1:
        raise ValueError("the lifetime must be at least one year")
    flows = [-investment_vnd] + [annual_saving_vnd] * years
    payback = investment_vnd / annual_saving_vnd if annual_saving_vnd > 0 else None
    rate_of_return = irr(flows) if investment_vnd > 0 and annual_saving_vnd > 0 else None
    return BusinessCase(investment_vnd, annual_saving_vnd, years, rate, payback, npv(rate, flows), rate_of_return)

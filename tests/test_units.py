"""Units at the boundary, checked against hand arithmetic and by converting there and back."""

import contextlib
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eipkit import units

SAME_DIMENSION = [
    ("kWh", "MWh", 1e-3),
    ("MWh", "GJ", 3.6),
    ("GJ", "TJ", 1e-3),
    ("kg", "t", 1e-3),
    ("L", "m3", 1e-3),
    ("tấn", "kg", 1000.0),
    ("lít", "L", 1.0),
    ("m³", "L", 1000.0),
]


@pytest.mark.parametrize(("source", "target", "factor"), SAME_DIMENSION)
def test_conversion_factors_are_the_textbook_ones(source: str, target: str, factor: float) -> None:
    assert units.convert(1.0, source, target) == pytest.approx(factor)


def test_a_thousand_litres_of_diesel_is_36_gigajoules() -> None:
    # 1,000 L x 0.844 kg/L = 844 kg = 0.844 t; x 43.0 GJ/t (IPCC NCV) = 36.292 GJ
    energy = units.carrier_energy("diesel", 1000, "L")
    assert energy.gj == pytest.approx(36.292)
    assert energy.route == "volume x density x NCV"


def test_natural_gas_by_normal_cubic_metre_uses_gas_density() -> None:
    # 1,000 Nm3 x 0.75 kg/Nm3 = 0.75 t; x 48.0 GJ/t = 36.0 GJ (36 MJ/Nm3)
    assert units.carrier_energy("natural_gas", 1000, "Nm3").gj == pytest.approx(36.0)


def test_coal_by_mass_uses_its_calorific_value() -> None:
    assert units.carrier_energy("coal_anthracite", 2, "t").gj == pytest.approx(2 * 26.7)


def test_electricity_must_be_energy() -> None:
    with pytest.raises(units.UnitError, match="needs an energy unit"):
        units.carrier_energy("electricity_grid", 5, "t")
    assert units.carrier_energy("electricity_grid", 1000, "kWh").gj == pytest.approx(3.6)


def test_coal_by_volume_is_refused_for_want_of_a_density() -> None:
    with pytest.raises(units.UnitError, match="no density"):
        units.carrier_energy("coal_anthracite", 5, "m3")


@pytest.mark.parametrize("text", ["bananas", "10**10**10", "1/0", "", "   ", "kg;drop table", "m" * 60])
def test_unreadable_units_are_refused(text: str) -> None:
    with pytest.raises(units.UnitError):
        units.parse_unit(text)


def test_wrong_dimension_is_named() -> None:
    with pytest.raises(units.UnitError, match="not a unit of mass"):
        units.to_canonical(3, "m3", ("mass",))


UNIT_PAIRS = st.sampled_from(
    [
        ("kWh", "GJ"),
        ("MWh", "kWh"),
        ("t", "kg"),
        ("L", "m3"),
        ("Nm3", "m3"),
        ("TJ", "MWh"),
        ("kg", "tấn"),
        ("m3", "lít"),
    ]
)


@given(value=st.floats(min_value=0, max_value=1e12, allow_nan=False), pair=UNIT_PAIRS)
def test_converting_there_and_back_returns_the_value(value: float, pair: tuple[str, str]) -> None:
    there = units.convert(value, *pair)
    back = units.convert(there, pair[1], pair[0])
    assert math.isclose(back, value, rel_tol=1e-12, abs_tol=1e-9)


@given(st.text(max_size=30))
def test_parse_unit_never_fails_with_anything_but_a_unit_error(text: str) -> None:
    with contextlib.suppress(units.UnitError):
        units.parse_unit(text)

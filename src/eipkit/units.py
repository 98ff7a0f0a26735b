"""Units at the boundary: whatever a workbook says, the store and the calculations see one unit per dimension.

Canonical units: energy GJ, mass t, volume m3, count piece, area m2. Fuels given by mass or volume become
energy through their net calorific value and density (see `reference.fuels`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import pint

from eipkit import reference
from eipkit.errors import BadInput
from eipkit.i18n import Message
from eipkit.vocabulary import Carrier

Dimension = Literal["energy", "mass", "volume", "count", "area", "length"]

CANONICAL: dict[Dimension, str] = {
    "energy": "GJ",
    "mass": "t",
    "volume": "m3",
    "count": "piece",
    "area": "m2",
    "length": "m",
}

# What people type in Vietnamese and English workbooks, mapped to a pint expression.
_ALIASES: dict[str, str] = {
    "tấn": "t",
    "tan": "t",
    "tonne": "t",
    "tonnes": "t",
    "ton": "t",
    "tons": "t",
    "lít": "L",
    "lit": "L",
    "litre": "L",
    "litres": "L",
    "liter": "L",
    "liters": "L",
    "khối": "m3",
    "m³": "m3",
    "nm³": "Nm3",
    "sm3": "Nm3",
    "m²": "m2",
    "cái": "piece",
    "chiếc": "piece",
    "sản phẩm": "piece",
    "pcs": "piece",
    "pc": "piece",
    "units": "piece",
    "unit": "piece",
}

_CASE_FOLDED = {
    "kwh": "kWh",
    "mwh": "MWh",
    "gwh": "GWh",
    "gj": "GJ",
    "mj": "MJ",
    "tj": "TJ",
    "kg": "kg",
    "t": "t",
    "l": "L",
    "m3": "m3",
    "nm3": "Nm3",
    "m2": "m2",
}


# A unit expression is names with an optional small power, joined by / or *: pint would otherwise
# evaluate arbitrary arithmetic such as 10**10**10.
_TOKEN = re.compile(r"[^\W\d_]+(?:_[^\W\d_]+)*(?:\^?[1-3])?")


class UnitError(BadInput):
    """A unit that cannot be read, or that has the wrong dimension for its column."""


@cache
def registry() -> pint.UnitRegistry[Any]:
    ureg: Any = pint.UnitRegistry()
    ureg.define("cubic_metre_ = meter ** 3 = m3")
    ureg.define("square_metre_ = meter ** 2 = m2")
    # A normal cubic metre is a quantity of gas at 0 °C and 1 atm; it is a volume here and becomes mass only
    # through a stated gas density.
    ureg.define("normal_cubic_metre = meter ** 3 = Nm3")
    ureg.define("piece = [count]")
    ureg.define("pair = 2 * piece")
    ureg.define("dozen_ = 12 * piece = dozen")
    return ureg


def _normalise(text: str) -> str:
    cleaned = unicodedata.normalize("NFC", text).strip()
    cleaned = re.sub(r"\s+", " ", cleaned)
    lowered = cleaned.lower()
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    if lowered in _CASE_FOLDED:
        return _CASE_FOLDED[lowered]
    return cleaned


@cache
def parse_unit(text: str) -> pint.Unit:
    """The pint unit for a workbook's unit cell, or UnitError naming what was not understood."""
    if not isinstance(text, str) or not text.strip():
        raise UnitError("err.unit_missing")
    expression = _normalise(text)
    tokens = re.split(r"\s*[/*·]\s*|\s+", expression)
    if len(expression) > 40 or not all(_TOKEN.fullmatch(t) and t.rstrip("^123").isalpha() for t in tokens):
        raise UnitError("err.unit_unknown", unit=text)
    try:
        unit = registry().parse_units(expression)
    except Exception as exc:  # pint's parser is a black box that also raises AssertionError on odd input
        raise UnitError("err.unit_unknown", unit=text) from exc
    return unit


def dimension_of(unit: pint.Unit) -> Dimension | None:
    return _dimension(unit.dimensionality)


@cache
def _dimension(dimensionality: object) -> Dimension | None:
    ureg = registry()
    for dim, canonical in CANONICAL.items():
        if dimensionality == ureg.parse_units(canonical).dimensionality:
            return dim
    return None


@cache
def _factor(unit: str, to: str) -> float:
    """How many `to` make one `unit`; every unit eipkit accepts is multiplicative, so one factor suffices."""
    source = parse_unit(unit)
    target = parse_unit(to)
    if source.dimensionality != target.dimensionality:
        raise UnitError("err.unit_convert", unit=unit, to=to)
    return float(registry().Quantity(1.0, source).to(target).magnitude)


def convert(quantity: float, unit: str, to: str) -> float:
    """`quantity` in `unit` expressed in `to`; UnitError if the two do not share a dimension."""
    return quantity * _factor(unit, to)


def to_canonical(quantity: float, unit: str, allowed: tuple[Dimension, ...]) -> tuple[float, Dimension]:
    """Quantity in its dimension's canonical unit; UnitError if the unit is not of an allowed dimension."""
    factor, dim = canonical_factor(unit, allowed)
    return quantity * factor, dim


def canonical_factor(unit: str, allowed: tuple[Dimension, ...]) -> tuple[float, Dimension]:
    """The factor `to_canonical` multiplies by, and the dimension: a column of quantities in few units is converted
    with one factor per unit."""
    return _canonical(unit, allowed)


@cache
def _canonical(unit: str, allowed: tuple[Dimension, ...]) -> tuple[float, Dimension]:
    """One factor per unit and set of dimensions: a national import converts a million quantities in a few units."""
    dim = dimension_of(parse_unit(unit))
    if dim is None or dim not in allowed:
        raise UnitError("err.unit_dimension", unit=unit, wanted=_Either(allowed))
    return _factor(unit, CANONICAL[dim]), dim


class _Either(Message):
    """Dimension names joined by 'or', in the reader's language."""

    def __init__(self, dimensions: tuple[Dimension, ...]) -> None:
        super().__init__("dim.or", dimensions=dimensions)

    def text(self, lang: str = "en") -> str:
        joiner = Message("dim.or").text(lang)
        dimensions: tuple[str, ...] = self.params["dimensions"]  # type: ignore[assignment]
        return joiner.join(Message(f"dim.{d}").text(lang) for d in dimensions)


@dataclass(frozen=True)
class CarrierEnergy:
    """Energy content of a carrier quantity, with the route taken to get it (kept for the audit trail)."""

    gj: float
    route: str


ELECTRIC_OR_HEAT = frozenset(str(c) for c in Carrier if not c.is_burnt)


def carrier_energy(carrier: str, quantity: float, unit: str) -> CarrierEnergy:
    """Energy in GJ of a quantity of an energy carrier.

    Electricity and purchased steam must be given as energy; fuels may be given as energy, mass (through the
    net calorific value) or volume (through density, liquid for L and m3, gaseous at normal conditions for Nm3).
    """
    gj_per_unit, route = _carrier_factor(carrier, unit)
    return CarrierEnergy(quantity * gj_per_unit, route)


def carrier_gj_per_unit(carrier: str, unit: str) -> float:
    """The factor `carrier_energy` multiplies by (GJ in one `unit` of `carrier`); UnitError as it raises."""
    return _carrier_factor(carrier, unit)[0]


@cache
def _carrier_factor(carrier: str, unit: str) -> tuple[float, str]:
    """GJ in one `unit` of `carrier`, and the route; every route is a product of factors, so one number suffices."""
    parsed = parse_unit(unit)
    dim = dimension_of(parsed)
    if dim == "energy":
        return _factor(unit, "GJ"), "energy"
    if carrier in ELECTRIC_OR_HEAT:
        raise UnitError("err.unit_energy", carrier=carrier, unit=unit)
    fuel = reference.fuels().get(carrier)
    if fuel is None:
        raise UnitError("err.carrier_unknown", carrier=carrier)
    if dim == "mass":
        return _factor(unit, "t") * fuel.ncv_mj_per_kg, "mass x NCV"
    if dim == "volume":
        gaseous = carrier == "natural_gas" or "normal_cubic_metre" in str(parsed)
        # kg/Nm3 over 1000 and kg/L are both t/m3.
        if gaseous:
            density = fuel.density_kg_per_nm3 / 1000 if fuel.density_kg_per_nm3 else None
        else:
            density = fuel.density_kg_per_l
        if density is None:
            key = "err.no_density_gas" if gaseous else "err.no_density_liquid"
            raise UnitError(key, carrier=carrier, unit=unit)
        return _factor(unit, "m3") * density * fuel.ncv_mj_per_kg, "volume x density x NCV"
    raise UnitError("err.unit_not_emv", unit=unit)

"""The exchange-network problem as data (the JSON problem file), validated with every error naming its field.

Supplies s offer Q_s t/yr of a resource whose disposal would cost d_s VND/t; demands k accept resources with a
substitution ratio a_sk (t of virgin input replaced per t received), up to D_k t/yr of virgin input priced p_k.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from eipkit.errors import LimitReached

EARTH_RADIUS_KM = 6371.0088


class ProblemError(ValueError):
    """A problem file that cannot be read or does not fit the schema; the message names each field at fault."""


class TooLarge(LimitReached):
    """A problem whose pairs within reach would not fit in the memory a solve may use: refused before allocating."""


class Strict(BaseModel):
    """The base of every problem schema (exchange network, water reuse): an unknown or misspelt field is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Supply(Strict):
    id: str = Field(min_length=1)
    enterprise_id: str = Field(min_length=1)
    resource: str = Field(min_length=1)
    quantity_t: float = Field(ge=0, allow_inf_nan=False)
    disposal_cost_vnd_per_t: float = Field(default=0.0, allow_inf_nan=False)
    disposal_co2e_t_per_t: float = Field(default=0.0, allow_inf_nan=False)
    hazardous: bool = False
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    # a supply that does not travel by the problem's road haulage (treated water by pipe): its own rates
    transport_cost_vnd_per_tkm: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    transport_co2e_t_per_tkm: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    # supplies and demands of one group never pair, as those of one enterprise do not (a town's facilities beside a
    # park: their exchanges among themselves are not the park's)
    group: str | None = None


class Demand(Strict):
    id: str = Field(min_length=1)
    enterprise_id: str = Field(min_length=1)
    accepts: dict[str, float] = Field(min_length=1)
    capacity_t: float = Field(ge=0, allow_inf_nan=False)
    virgin_price_vnd_per_t: float = Field(default=0.0, allow_inf_nan=False)
    virgin_co2e_t_per_t: float = Field(default=0.0, allow_inf_nan=False)
    licensed_hazardous: bool = False
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    group: str | None = None

    @model_validator(mode="after")
    def _positive_ratios(self) -> Demand:
        for resource, ratio in self.accepts.items():
            if not ratio > 0:
                raise ValueError(f"substitution ratio of '{resource}' must be above 0")
        return self


class ArcCost(Strict):
    supply: str
    demand: str
    processing_cost_vnd_per_t: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    fixed_cost_vnd_per_year: float | None = Field(default=None, ge=0, allow_inf_nan=False)


class Problem(Strict):
    transport_cost_vnd_per_tkm: float = Field(ge=0, allow_inf_nan=False)
    transport_co2e_t_per_tkm: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    road_factor: float = Field(default=1.3, ge=1, allow_inf_nan=False)
    max_distance_km: float = Field(gt=0, allow_inf_nan=False)
    default_fixed_cost_vnd_per_year: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    supplies: list[Supply]
    demands: list[Demand]
    arcs: list[ArcCost] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Problem:
        listed = {"supplies": [s.id for s in self.supplies], "demands": [d.id for d in self.demands]}
        for name, ids in listed.items():
            seen: set[str] = set()
            for index, ident in enumerate(ids):
                if ident in seen:
                    raise ValueError(f"{name}[{index}].id: duplicate id '{ident}'")
                seen.add(ident)
        supplies = {s.id for s in self.supplies}
        demands = {d.id for d in self.demands}
        for index, arc in enumerate(self.arcs):
            if arc.supply not in supplies:
                raise ValueError(f"arcs[{index}].supply: no supply '{arc.supply}'")
            if arc.demand not in demands:
                raise ValueError(f"arcs[{index}].demand: no demand '{arc.demand}'")
        return self


def _where(location: tuple[Any, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def parse(data: Any) -> Problem:
    """A Problem from decoded JSON, or ProblemError listing every field at fault."""
    try:
        return Problem.model_validate(data)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"{_where(error['loc'])}: {message}" if error["loc"] else message)
        raise ProblemError("; ".join(lines)) from None


def load(path: str | Path) -> Problem:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProblemError("no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProblemError(f"not a JSON file ({exc})") from None
    return parse(data)

"""The exchange-network problem as data (the JSON problem file), validated with every error naming its field.

Supplies s offer Q_s t/yr of a resource whose disposal would cost d_s VND/t; demands k accept resources with a
substitution ratio a_sk (t of virgin input replaced per t received), up to D_k t/yr of virgin input priced p_k.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from eipkit.errors import BadInput, LimitReached
from eipkit.i18n import Figure, Joined, Message

EARTH_RADIUS_KM = 6371.0088


class ProblemError(BadInput):
    """A problem file that cannot be read or does not fit the schema; the message names each field at fault, in the
    reader's language."""


class FieldProblem(ValueError):
    """A rule of a problem file broken at `where` (a check across fields, which pydantic reports at the top)."""

    def __init__(self, where: str, key: str, **params: object) -> None:
        super().__init__(f"{where}: {key}")
        self.where, self.message = where, Message(key, **params)


_SAID = {  # pydantic's error types, as the reader is told them
    "missing": "problem.missing",
    "extra_forbidden": "problem.unknown_field",
    "float_parsing": "problem.not_number",
    "float_type": "problem.not_number",
    "finite_number": "problem.not_number",
    "int_parsing": "problem.not_number",
    "int_type": "problem.not_number",
    "int_from_float": "problem.not_number",
    "string_type": "problem.not_text",
    "string_too_short": "problem.empty",
    "too_short": "problem.empty",
    "list_type": "problem.not_list",
    "dict_type": "problem.not_object",
    "model_type": "problem.not_object",
    "model_attributes_type": "problem.not_object",
    "bool_parsing": "problem.not_bool",
    "bool_type": "problem.not_bool",
}
_LIMITS = {
    "greater_than_equal": ("problem.min", "ge"),
    "greater_than": ("problem.above", "gt"),
    "less_than_equal": ("problem.max", "le"),
    "less_than": ("problem.below", "lt"),
}


def schema_problems(exc: ValidationError) -> ProblemError:
    """Every field at fault, each at its place in the file (`supplies[0].lat`) and said in the reader's words."""
    said = []
    for error in exc.errors():
        where, kind, context = _where(error["loc"]), error["type"], error.get("ctx") or {}
        cause = context.get("error")
        if isinstance(cause, FieldProblem):  # a model's own check: its place is inside that model
            inside = _where(error["loc"]) if error["loc"] else ""
            where, problem = f"{inside}.{cause.where}" if inside else cause.where, cause.message
        elif kind in _SAID:
            problem = Message(_SAID[kind])
        elif kind in _LIMITS:
            key, bound = _LIMITS[kind]
            limit = float(context[bound])
            problem = Message(key, limit=Figure(limit, 0 if limit.is_integer() else 2))
        elif kind == "literal_error":
            problem = Message("problem.one_of", expected=str(context.get("expected", "")))
        else:
            problem = Message("problem.other", reason=error["msg"])
        said.append(Message("problem.at", where=where, problem=problem))
    return ProblemError("problem.invalid", problems=Joined(said))


def read_json(path: str | Path) -> Any:
    """A problem file's JSON; its absence or a syntax error named by line and column, in the reader's words."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProblemError("problem.no_file") from None
    except UnicodeDecodeError:
        raise ProblemError("problem.not_utf8") from None
    except json.JSONDecodeError as exc:
        raise ProblemError("problem.not_json", line=exc.lineno, column=exc.colno) from None


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
                raise FieldProblem("accepts", "problem.ratio", resource=resource)
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
                    raise FieldProblem(f"{name}[{index}].id", "problem.duplicate_id", id=ident)
                seen.add(ident)
        supplies = {s.id for s in self.supplies}
        demands = {d.id for d in self.demands}
        for index, arc in enumerate(self.arcs):
            if arc.supply not in supplies:
                raise FieldProblem(f"arcs[{index}].supply", "problem.no_supply", id=arc.supply)
            if arc.demand not in demands:
                raise FieldProblem(f"arcs[{index}].demand", "problem.no_demand", id=arc.demand)
        return self


def _where(location: tuple[Any, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "{}"


def parse(data: Any) -> Problem:
    """A Problem from decoded JSON, or ProblemError listing every field at fault."""
    try:
        return Problem.model_validate(data)
    except ValidationError as exc:
        raise schema_problems(exc) from None


def load(path: str | Path) -> Problem:
    return parse(read_json(path))

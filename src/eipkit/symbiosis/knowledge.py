"""The knowledge base of typical exchanges (waste or by-product -> receiving use), shipped as data with sources;
users can add their own entries in a CSV file with the same columns."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from eipkit.i18n import Message

LIST_FIELDS = (
    "waste_keywords",
    "code_prefixes",
    "source_divisions",
    "receiver_divisions",
    "input_keywords",
    "substitutes_carriers",
)


class KnowledgeError(ValueError):
    """A knowledge-base file whose rows do not fit the schema."""


class Synergy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kb_id: str = Field(min_length=1)
    resource: str = Field(min_length=1)
    name_vi: str
    name_en: str
    waste_keywords: tuple[str, ...]
    code_prefixes: tuple[str, ...]
    ewc_hint: str
    source_divisions: tuple[str, ...]
    receiver_divisions: tuple[str, ...]
    input_keywords: tuple[str, ...]
    substitutes_carriers: tuple[str, ...]
    ncv_mj_per_kg: float | None = Field(default=None, gt=0)
    substitution_ratio: float | None = Field(default=None, gt=0)
    receiver_share: float | None = Field(default=None, gt=0, le=1)
    processing_cost_vnd_per_t: float = Field(ge=0)
    hazardous: bool
    disposal_co2e_t_per_t: float
    virgin_co2e_t_per_t: float  # the credit used: the conservative end when a source gives a range
    virgin_co2e_high_t_per_t: float | None = None  # the range's other end, shown with the candidate
    virgin_price_vnd_per_t: float = Field(ge=0)
    use_vi: str
    use_en: str
    source: str
    confidence: str
    # water: the resource is treated water in m3 (counted as t), offered by the source's discharged wastewater,
    # taken in place of part of a receiver's withdrawal, carried by pipe; heat: GJ of surplus steam or heat offered
    # on a production row (available_to_others), taken in place of boiler fuel, carried by pipe
    form: Literal["material", "water", "heat"] = "material"

    @field_validator(*LIST_FIELDS, mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(normalise(v) for v in value.split(";") if v.strip())
        return value

    @field_validator("ncv_mj_per_kg", "substitution_ratio", "receiver_share", "virgin_co2e_high_t_per_t", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("form", mode="before")
    @classmethod
    def _material_unless_said(cls, value: object) -> object:
        return "material" if value in ("", None) else value

    @field_validator("hazardous", mode="before")
    @classmethod
    def _yes_no(cls, value: object) -> object:
        return value == "yes" if isinstance(value, str) else value

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en

    def use(self, lang: str) -> str:
        return self.use_vi if lang == "vi" else self.use_en


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def _read(text: str, where: str) -> list[Synergy]:
    entries = []
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            entries.append(Synergy.model_validate(row))
        except ValidationError as exc:
            raise KnowledgeError(f"{where} line {line}: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from None
    return entries


@cache
def shipped() -> tuple[Synergy, ...]:
    text = resources.files("eipkit.data").joinpath("synergies.csv").read_text(encoding="utf-8")
    return tuple(_read(text, "eipkit/data/synergies.csv"))


def knowledge_base(extra: str | Path | None = None) -> list[Synergy]:
    """A user's entries (from a CSV file with the same columns) first, then the shipped ones they do not replace."""
    mine = _read(Path(extra).read_text(encoding="utf-8"), str(extra)) if extra is not None else []
    replaced = {e.kb_id for e in mine}
    return mine + [e for e in shipped() if e.kb_id not in replaced]


def best_waste_match(kb: Sequence[Synergy], waste: str, code: str | None) -> tuple[Synergy, Message] | None:
    """The entry a waste record belongs to: the longest matching keyword wins (the most specific), then a code
    prefix; on a tie the earlier entry (a user's before the shipped ones)."""
    name = normalise(waste)
    best: tuple[int, Synergy, Message] | None = None
    for entry in kb:
        for keyword in entry.waste_keywords:
            if keyword in name and (best is None or len(keyword) > best[0]):
                best = (len(keyword), entry, Message("is.match_name", keyword=keyword))
    if best is not None:
        return best[1], best[2]
    for entry in kb:
        why = waste_matches(entry, waste, code)
        if why:
            return entry, why
    return None


def waste_matches(entry: Synergy, waste: str, code: str | None) -> Message | None:
    """Why a waste record is this entry's resource (a keyword of its name, or its code), or None."""
    name = normalise(waste)
    for keyword in entry.waste_keywords:
        if keyword in name:
            return Message("is.match_name", keyword=keyword)
    if code:
        for prefix in entry.code_prefixes:
            if code.startswith(prefix):
                return Message("is.match_code", code=code, prefix=prefix)
    return None


def input_matches(entry: Synergy, material: str) -> Message | None:
    name = normalise(material)
    for keyword in entry.input_keywords:
        if keyword in name:
            return Message("is.match_input", keyword=keyword)
    return None


def division_in(division: str, divisions: tuple[str, ...]) -> bool:
    return "any" in divisions or division in divisions

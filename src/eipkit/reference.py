"""Reference data shipped with the package: every figure with its source, year, unit and confidence.

One loader validates each file on first use, so a bad edit to a data file fails loudly and names the row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class ReferenceDataError(RuntimeError):
    """A shipped data file does not match its schema."""


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GridFactor(_Row):
    year: int
    tco2_per_mwh: float = Field(gt=0, lt=2)
    method: str
    status: Literal["official", "estimate"]
    document: str
    source: str
    confidence: str


class Fuel(_Row):
    carrier: str
    ipcc_category: str
    ncv_mj_per_kg: float = Field(gt=0)
    co2_kg_per_tj: float = Field(ge=0)
    ch4_kg_per_tj: float = Field(ge=0)
    n2o_kg_per_tj: float = Field(ge=0)
    biogenic: bool
    density_kg_per_l: float | None = Field(default=None, gt=0)
    density_kg_per_nm3: float | None = Field(default=None, gt=0)
    source: str
    confidence: str

    @field_validator("density_kg_per_l", "density_kg_per_nm3", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


class Gwp(_Row):
    gas: Literal["CO2", "CH4", "N2O"]
    gwp100: float = Field(gt=0)
    source: str
    confidence: str


class Division(_Row):
    division: str = Field(pattern=r"^\d{2}$")
    section: str = Field(pattern=r"^[A-U]$")
    name_en: str
    name_vi: str
    source: str
    confidence: str


def _load(filename: str, model: type[_Row]) -> list:
    text = resources.files("eipkit.data").joinpath(filename).read_text(encoding="utf-8")
    rows = []
    for line_no, raw in enumerate(csv.DictReader(text.splitlines()), start=2):
        if raw.get("biogenic") is not None:
            raw = {**raw, "biogenic": raw["biogenic"] == "yes"}
        try:
            rows.append(model.model_validate(raw))
        except ValidationError as exc:
            raise ReferenceDataError(f"eipkit/data/{filename} line {line_no}: {exc}") from exc
    return rows


@cache
def grid_factors() -> dict[int, GridFactor]:
    return {row.year: row for row in _load("grid_ef.csv", GridFactor)}


@cache
def fuels() -> dict[str, Fuel]:
    return {row.carrier: row for row in _load("fuels.csv", Fuel)}


@cache
def gwp() -> dict[str, float]:
    return {row.gas: row.gwp100 for row in _load("gwp.csv", Gwp)}


@cache
def divisions() -> dict[str, Division]:
    return {row.division: row for row in _load("vsic2018.csv", Division)}


@dataclass(frozen=True)
class GridFactorChoice:
    """The grid factor applied to a year, and whether it was borrowed from another year."""

    year_asked: int
    factor: GridFactor

    @property
    def tco2_per_mwh(self) -> float:
        return self.factor.tco2_per_mwh

    @property
    def year(self) -> int:
        return self.factor.year

    @property
    def is_fallback(self) -> bool:
        return self.factor.year != self.year_asked

    def note(self, lang: str = "en") -> str | None:
        if not self.is_fallback:
            return None
        if lang == "vi":
            return (
                f"Chưa có hệ số phát thải lưới điện chính thức cho năm {self.year_asked}; "
                f"dùng hệ số chính thức gần nhất ({self.year}: {self.tco2_per_mwh} tCO2/MWh)."
            )
        return (
            f"No official grid emission factor for {self.year_asked}; "
            f"using the latest official value ({self.year}: {self.tco2_per_mwh} tCO2/MWh)."
        )


def grid_factor(year: int) -> GridFactorChoice:
    """Official combined-margin factor of the year; a later year takes the latest official one.

    Research estimates in the file are kept for reference and never chosen here: official factors are what
    Vietnamese inventories and the programme's reports cite.
    """
    official = {y: f for y, f in grid_factors().items() if f.status == "official"}
    if year in official:
        return GridFactorChoice(year, official[year])
    earlier = [y for y in official if y < year]
    if not earlier:
        first = min(official)
        raise ValueError(f"no official grid emission factor for {year}; the series starts in {first}")
    return GridFactorChoice(year, official[max(earlier)])

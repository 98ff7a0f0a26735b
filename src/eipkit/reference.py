"""Reference data shipped with the package: every figure with its source, year, unit and confidence.

One loader validates each file on first use, so a bad edit to a data file fails loudly and names the row.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from eipkit import i18n


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


class RecpOption(_Row):
    """A typical RECP measure: what it saves, as a share of the resource it acts on, and what it costs."""

    option_id: str
    title_vi: str
    title_en: str
    category: str
    resource: Literal["electricity", "fuel", "water", "materials", "chemicals"]
    requires: Literal["electricity", "boiler_fuel", "water", "materials", "chemicals"]
    divisions: tuple[str, ...]
    saving_low: float = Field(gt=0, lt=1)
    saving_high: float = Field(gt=0, lt=1)
    payback_low_years: float = Field(gt=0)
    payback_high_years: float = Field(gt=0)
    lifetime_years: int = Field(ge=1, le=50)
    source: str
    confidence: str

    @field_validator("divisions", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return tuple(v for v in value.split(";") if v) if isinstance(value, str) else value

    def title(self, lang: str) -> str:
        return self.title_vi if lang == "vi" else self.title_en


class Price(_Row):
    """A default price from the day it took effect, used only when an enterprise's own records carry no cost."""

    resource: Literal["electricity", "fuel", "water", "materials", "chemicals", "disposal"]
    carrier: str
    price_vnd: float = Field(gt=0)
    unit: str
    valid_from: dt.date
    source: str
    confidence: str


class MvCriterion(_Row):
    """A limit a measurement-and-verification baseline model must meet, with its source."""

    criterion: Literal["cv_rmse_max"]
    value: float = Field(gt=0)
    unit: str
    applies_to: str
    source: str
    year: int
    confidence: str


class UsdRate(_Row):
    """VND per US dollar over a year, for the USD columns of results tables."""

    year: int
    vnd_per_usd: float = Field(gt=1000, lt=100000)
    source: str
    confidence: str


class ShippedWasteCode(_Row):
    """A waste code of the extract shipped with eipkit, with how sure it is (most are not verified)."""

    code: str = Field(pattern=r"^\d{2}( \d{2}){0,2}$")
    name_vi: str
    name_en: str
    mark: Literal["NH", "KS", "TT-R", "TT", ""]
    ewc: str
    confidence: Literal["verified", "secondary", "recalled"]
    source: str


class CpTask(_Row):
    """A task of the 6-step, 18-task cleaner-production assessment method."""

    step: int = Field(ge=1, le=6)
    task: int = Field(ge=1, le=18)
    step_vi: str
    step_en: str
    title_vi: str
    title_en: str
    confidence: str


def _load(filename: str, model: type[_Row]) -> list[Any]:
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


@cache
def recp_options() -> dict[str, RecpOption]:
    return {row.option_id: row for row in _load("recp_options.csv", RecpOption)}


@cache
def price_rows() -> tuple[Price, ...]:
    return tuple(sorted(_load("prices.csv", Price), key=lambda row: row.valid_from))


def prices(on: dt.date | None = None) -> dict[tuple[str, str], Price]:
    """The default prices in force on `on` (the latest when None; the earliest known before any took effect)."""
    chosen: dict[tuple[str, str], Price] = {}
    for row in price_rows():
        key = (row.resource, row.carrier)
        if key not in chosen or on is None or row.valid_from <= on:
            chosen[key] = row
    return chosen


def price_day(year: int) -> dt.date:
    """The day whose prices stand for a year's: 1 July, the middle of the year."""
    return dt.date(year, 7, 1)


@cache
def waste_codes() -> dict[str, ShippedWasteCode]:
    return {row.code: row for row in _load("waste_codes.csv", ShippedWasteCode)}


@cache
def usd_rates() -> dict[int, UsdRate]:
    return {row.year: row for row in _load("usd_rates.csv", UsdRate)}


def usd_rate(year: int) -> float:
    """The year's VND per USD; a later year takes the latest known, an earlier one the first."""
    rates = usd_rates()
    known = [y for y in rates if y <= year]
    return rates[max(known) if known else min(rates)].vnd_per_usd


@cache
def mv_criteria() -> tuple[MvCriterion, ...]:
    return tuple(_load("mv_criteria.csv", MvCriterion))


def cv_rmse_limit(reporting_months: int) -> MvCriterion:
    """ASHRAE Guideline 14's CV(RMSE) limit for a baseline model whose savings are reported over this many months."""
    under, over = (c for c in mv_criteria() if c.criterion == "cv_rmse_max")
    return under if reporting_months < 12 else over


@cache
def cp_tasks() -> dict[int, CpTask]:
    tasks = {row.task: row for row in _load("cp_method.csv", CpTask)}
    if sorted(tasks) != list(range(1, 19)):
        raise ReferenceDataError("eipkit/data/cp_method.csv: expected tasks 1 to 18")
    return tasks


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
        factor = i18n.number(self.tco2_per_mwh, lang, 4)
        return i18n.t("grid.fallback", lang, asked=self.year_asked, year=self.year, factor=factor)


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

"""Workbook contract version 1, read from the tables in `eipkit/data/`.

The importer, the template and export writers and the documentation all read these tables, so a column is
described once (the PyPSA way: the schema is data, code reads it).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

VERSION = 1


@dataclass(frozen=True)
class Column:
    sheet: str
    name: str
    required: bool
    kind: str
    unit: str
    unit_vi: str
    label_vi: str
    label_en: str
    description: str

    @property
    def enum(self) -> str | None:
        """Name of the enumeration whose values this column takes (single or `;`-list), if any."""
        head, _, tail = self.kind.partition(":")
        return tail if head in {"enum", "list"} and tail in enums() else None

    def label(self, lang: str) -> str:
        text, unit = (self.label_vi, self.unit_vi) if lang == "vi" else (self.label_en, self.unit)
        return f"{text} ({unit})" if unit else text


@dataclass(frozen=True)
class Sheet:
    name: str
    key: tuple[str, ...]
    label_vi: str
    label_en: str
    description: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"sheet '{self.name}' has no column '{name}'")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class EnumValue:
    value: str
    label_vi: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_vi if lang == "vi" else self.label_en


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("eipkit.data").joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def version() -> int:
    """The contract's version (`data/contract_versions.csv`): columns are only ever added, so a workbook of an
    earlier version imports as it is."""
    return max(int(row["version"]) for row in _rows("contract_versions.csv"))


@cache
def enums() -> dict[str, tuple[EnumValue, ...]]:
    grouped: dict[str, list[EnumValue]] = {}
    for row in _rows("enums.csv"):
        grouped.setdefault(row["enum"], []).append(EnumValue(row["value"], row["label_vi"], row["label_en"]))
    return {name: tuple(values) for name, values in grouped.items()}


def enum_values(name: str) -> tuple[str, ...]:
    return tuple(v.value for v in enums()[name])


def enum_label(name: str, value: str, lang: str) -> str:
    for item in enums()[name]:
        if item.value == value:
            return item.label(lang)
    return value


@cache
def sheets() -> dict[str, Sheet]:
    """The contract's sheets in workbook order, each with its columns in order."""
    columns: dict[str, list[Column]] = {}
    for row in _rows("contract.csv"):
        columns.setdefault(row["sheet"], []).append(
            Column(
                sheet=row["sheet"],
                name=row["column"],
                required=row["required"] == "yes",
                kind=row["kind"],
                unit=row["unit"],
                unit_vi=row["unit_vi"],
                label_vi=row["label_vi"],
                label_en=row["label_en"],
                description=row["description"],
            )
        )
    result = {}
    for row in _rows("sheets.csv"):
        result[row["sheet"]] = Sheet(
            name=row["sheet"],
            key=tuple(row["key"].split(";")),
            label_vi=row["label_vi"],
            label_en=row["label_en"],
            description=row["description"],
            columns=tuple(columns[row["sheet"]]),
        )
    return result

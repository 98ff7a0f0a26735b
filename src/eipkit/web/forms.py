"""Problems typed into a page's form row by row, turned into the calculators' problem files (the JSON the REST API
and the command line take), with every number read the reader's way and every refusal naming its row and field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eipkit import i18n
from eipkit.errors import BadInput

ROWS_SHOWN = 4  # blank rows a form starts with; the page adds more


class FormRefused(BadInput):
    """A row of a form that cannot be read: which table, which row, which field, why."""


def _rows(fields: Mapping[str, Sequence[str]], names: Sequence[str]) -> list[tuple[int, list[str]]]:
    """The rows of a table of inputs (`name` repeated once a row), numbered from 1, blank rows left out."""
    columns = [list(fields.get(name, ())) for name in names]
    count = max((len(c) for c in columns), default=0)
    rows = []
    for index in range(count):
        cells = [c[index].strip() if index < len(c) else "" for c in columns]
        if any(cells):
            rows.append((index + 1, cells))
    return rows


def _number(text: str, lang: str, table: str, row: int, field: str) -> float:
    try:
        value = i18n.parse_number(text, lang)
    except i18n.NotANumber:
        raise FormRefused("form.not_a_number", table=table, row=row, field=field, text=text[:40]) from None
    if value < 0:
        raise FormRefused("form.negative", table=table, row=row, field=field, text=text[:40])
    return value


def water_problem(fields: Mapping[str, Sequence[str]], lang: str) -> dict[str, Any]:
    """Sources and sinks of one contaminant, typed row by row, as a water-reuse problem."""
    contaminant = (fields.get("contaminant") or ["COD"])[0].strip() or "COD"
    sources_label, sinks_label = i18n.t("form.sources", lang), i18n.t("form.sinks", lang)
    flow, demand = i18n.t("form.flow", lang), i18n.t("form.demand", lang)
    concentration, limit = i18n.t("form.concentration", lang), i18n.t("form.limit", lang)
    sources = [
        {
            "id": cells[0] or f"S{row}",
            "flow_m3_per_day": _number(cells[1], lang, sources_label, row, flow),
            "concentrations": {contaminant: _number(cells[2] or "0", lang, sources_label, row, concentration)},
        }
        for row, cells in _rows(fields, ("source_id", "source_flow", "source_conc"))
    ]
    sinks = [
        {
            "id": cells[0] or f"K{row}",
            "demand_m3_per_day": _number(cells[1], lang, sinks_label, row, demand),
            "max_concentrations": {contaminant: _number(cells[2] or "0", lang, sinks_label, row, limit)},
        }
        for row, cells in _rows(fields, ("sink_id", "sink_demand", "sink_max"))
    ]
    if not sinks:
        raise FormRefused("form.no_rows", table=sinks_label)
    return {"contaminants": [contaminant], "sources": sources, "sinks": sinks}


def typed(fields: Mapping[str, Sequence[str]], *names: str) -> bool:
    """Whether any of these inputs holds something: the form was filled in rather than a file sent."""
    return any(value.strip() for name in names for value in fields.get(name, ()))

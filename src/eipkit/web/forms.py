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


def _parsed(text: str, lang: str, table: str, row: int, field: str) -> float:
    try:
        return i18n.parse_number(text, lang)
    except i18n.NotANumber:
        raise FormRefused("form.not_a_number", table=table, row=row, field=field, text=text[:40]) from None


def _number(text: str, lang: str, table: str, row: int, field: str) -> float:
    value = _parsed(text, lang, table, row, field)
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


def _coordinate(text: str, lang: str, table: str, row: int, field: str, bound: float) -> float:
    """A latitude (`bound` 90) or longitude (180) in decimal degrees."""
    value = _parsed(text, lang, table, row, field)
    if not -bound <= value <= bound:
        raise FormRefused("form.out_of_range", table=table, row=row, field=field, text=text[:40], bound=bound)
    return value


SUPPLY_COLUMNS = ("id", "enterprise", "resource", "quantity", "disposal", "lat", "lon")
DEMAND_COLUMNS = ("id", "enterprise", "accepts", "ratio", "capacity", "price", "co2e", "lat", "lon")


def exchange_problem(fields: Mapping[str, Sequence[str]], lang: str) -> dict[str, Any]:
    """Supplies of a waste or by-product and the enterprises that could take them, typed row by row, as an
    exchange-network problem; haulage at the rate and within the distance typed above the tables (the knowledge
    base's defaults when left blank)."""
    from eipkit.symbiosis.candidates import transport_defaults

    defaults = transport_defaults()
    settings_label = i18n.t("form.exchange_settings", lang)

    def setting(name: str, default: float, label: str) -> float:
        text = (fields.get(name) or [""])[0].strip()
        value = _number(text, lang, settings_label, 1, i18n.t(label, lang)) if text else default
        if value == 0 and name == "max_distance":
            raise FormRefused("form.not_positive", table=settings_label, row=1, field=i18n.t(label, lang), text=text)
        return value

    supplies_label, demands_label = i18n.t("form.supplies", lang), i18n.t("form.demands", lang)
    label = {c: i18n.t(f"form.exchange.{c}", lang) for c in {*SUPPLY_COLUMNS, *DEMAND_COLUMNS}}

    def needed(text: str, table: str, row: int, column: str) -> str:
        if not text:
            raise FormRefused("form.missing", table=table, row=row, field=label[column])
        return text

    supplies = []
    for row, cells in _rows(fields, [f"supply_{c}" for c in SUPPLY_COLUMNS]):
        ident, enterprise, resource, quantity, disposal, lat, lon = cells
        supplies.append(
            {
                "id": ident or f"S{row}",
                "enterprise_id": needed(enterprise, supplies_label, row, "enterprise"),
                "resource": needed(resource, supplies_label, row, "resource"),
                "quantity_t": _number(quantity, lang, supplies_label, row, label["quantity"]),
                "disposal_cost_vnd_per_t": _number(disposal or "0", lang, supplies_label, row, label["disposal"]),
                "lat": _coordinate(lat, lang, supplies_label, row, label["lat"], 90),
                "lon": _coordinate(lon, lang, supplies_label, row, label["lon"], 180),
            }
        )
    demands = []
    for row, cells in _rows(fields, [f"demand_{c}" for c in DEMAND_COLUMNS]):
        ident, enterprise, accepts, ratio, capacity, price, co2e, lat, lon = cells
        demands.append(
            {
                "id": ident or f"D{row}",
                "enterprise_id": needed(enterprise, demands_label, row, "enterprise"),
                "accepts": {
                    needed(accepts, demands_label, row, "accepts"): _number(
                        ratio or "1", lang, demands_label, row, label["ratio"]
                    )
                },
                "capacity_t": _number(capacity, lang, demands_label, row, label["capacity"]),
                "virgin_price_vnd_per_t": _number(price or "0", lang, demands_label, row, label["price"]),
                "virgin_co2e_t_per_t": _number(co2e or "0", lang, demands_label, row, label["co2e"]),
                "lat": _coordinate(lat, lang, demands_label, row, label["lat"], 90),
                "lon": _coordinate(lon, lang, demands_label, row, label["lon"], 180),
            }
        )
    for table, rows in ((supplies_label, supplies), (demands_label, demands)):
        if not rows:
            raise FormRefused("form.no_rows", table=table)
    return {
        "transport_cost_vnd_per_tkm": setting("transport_cost", defaults["transport_cost"], "form.transport_cost"),
        "transport_co2e_t_per_tkm": defaults["transport_co2e"],
        "road_factor": defaults["road_factor"],
        "max_distance_km": setting("max_distance", defaults["max_distance"], "form.max_distance"),
        "supplies": supplies,
        "demands": demands,
    }


def typed(fields: Mapping[str, Sequence[str]], *names: str) -> bool:
    """Whether any of these inputs holds something: the form was filled in rather than a file sent."""
    return any(value.strip() for name in names for value in fields.get(name, ()))

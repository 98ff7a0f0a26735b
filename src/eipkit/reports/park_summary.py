"""A readable HTML summary per park: key figures and their trend, GHG by scope, energy mix, waste by fate,
opportunities by stage. Charts use plotly with its script written once beside the pages (no internet needed)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, select_autoescape
from plotly.offline import get_plotlyjs

from eipkit import __version__, accounting, contract, i18n, reference
from eipkit.model import Enterprise, Opportunity, Park
from eipkit.store import Database, repository

TABLE_KEYS = (
    "enterprises_reporting",
    "electricity_mwh",
    "solar_electricity_mwh",
    "fuel_tj",
    "water_withdrawal_m3",
    "wastewater_m3",
    "materials_t",
    "chemicals_t",
    "waste_t",
    "hazardous_waste_t",
    "waste_landfilled_t",
    "waste_recovered_t",
    "scope1_tco2e",
    "scope2_tco2e",
    "total_tco2e",
    "biogenic_co2_t",
    "grid_ef_tco2_per_mwh",
    "production_value_vnd",
)
_COLOURS = {"scope1": "#C0504D", "scope2": "#4F81BD", "biogenic": "#9BBB59"}


@dataclass
class ParkSummary:
    """Everything one page shows, computed before rendering so the template only lays it out."""

    park: Park
    enterprises: list[Enterprise]
    accounts: list[accounting.Accounts]
    opportunities: list[Opportunity]
    notes: list[str] = field(default_factory=list)


def summarise(database: Database, park_id: str) -> ParkSummary:
    with database.sessions() as session:
        park = repository.park(session, park_id)
        if park is None:
            raise LookupError(f"no park '{park_id}' in the database")
        members = repository.enterprises(session, park_id)
        records = repository.records(session, [e.enterprise_id for e in members])
        opportunities = repository.opportunities(session, park_id)
    accounts = [accounting.account(records, year, enterprises=len(members)) for year in records.years()]
    return ParkSummary(park, members, accounts, opportunities)


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("eipkit.reports", "templates"), autoescape=select_autoescape())
    return env


def _figure_html(figure: go.Figure) -> str:
    figure.update_layout(
        margin={"l": 40, "r": 10, "t": 40, "b": 40}, height=340, template="plotly_white", autosize=True
    )
    figure.update_yaxes(automargin=True)
    return figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        default_width="100%",
        default_height="340px",
        config={"displaylogo": False, "responsive": True},
    )


def _charts(summary: ParkSummary, lang: str) -> dict[str, str]:
    years = [str(a.year) for a in summary.accounts]
    ghg = go.Figure()
    ghg.add_bar(
        name=i18n.t("ui.scope1", lang),
        x=years,
        y=[a.scope1_tco2e for a in summary.accounts],
        marker_color=_COLOURS["scope1"],
    )
    ghg.add_bar(
        name=i18n.t("ui.scope2", lang),
        x=years,
        y=[a.scope2_tco2e for a in summary.accounts],
        marker_color=_COLOURS["scope2"],
    )
    ghg.add_scatter(
        name=i18n.t("ui.biogenic", lang),
        x=years,
        y=[a.biogenic_co2_t for a in summary.accounts],
        mode="markers+lines",
        marker_color=_COLOURS["biogenic"],
    )
    ghg.update_layout(barmode="stack", title=i18n.t("ui.ghg_split", lang), yaxis_title="tCO2e")

    energy = go.Figure()
    energy.add_bar(
        name=i18n.t("kpi.grid_electricity_mwh", lang).split(" (")[0],
        x=years,
        y=[a.grid_electricity_mwh * accounting.GJ_PER_MWH / 1000 for a in summary.accounts],
    )
    energy.add_bar(
        name=i18n.t("kpi.solar_electricity_mwh", lang).split(" (")[0],
        x=years,
        y=[a.solar_electricity_mwh * accounting.GJ_PER_MWH / 1000 for a in summary.accounts],
    )
    carriers = sorted({c for a in summary.accounts for c in a.fuel_by_carrier_tj})
    for carrier in carriers:
        energy.add_bar(
            name=contract.enum_label("carrier", carrier, lang),
            x=years,
            y=[a.fuel_by_carrier_tj.get(carrier, 0.0) for a in summary.accounts],
        )
    energy.update_layout(barmode="stack", title=i18n.t("ui.energy_trend", lang), yaxis_title="TJ")

    latest = summary.accounts[-1] if summary.accounts else None
    fates = list(latest.waste_by_fate_t) if latest else []
    waste = go.Figure(
        go.Bar(
            x=[latest.waste_by_fate_t[f] for f in fates] if latest else [],
            y=[contract.enum_label("fate", f, lang) for f in fates],
            orientation="h",
            marker_color="#8064A2",
        )
    )
    title = i18n.t("ui.waste_by_fate", lang) + (f" ({latest.year})" if latest else "")
    waste.update_layout(title=title, xaxis_title="t")
    return {"ghg": _figure_html(ghg), "energy": _figure_html(energy), "waste": _figure_html(waste)}


def render(summary: ParkSummary, lang: str = "vi", banner: str | None = None) -> str:
    """The page of one park as HTML text."""
    digits = {"grid_ef_tco2_per_mwh": 4, "production_value_vnd": 0, "enterprises_reporting": 0}
    rows = []
    for key in TABLE_KEYS:
        values = [getattr(a, key) if key != "total_tco2e" else a.total_tco2e for a in summary.accounts]
        rows.append((i18n.t(f"kpi.{key}", lang), [i18n.number(v, lang, digits.get(key, 1)) for v in values]))
    stage_counts = Counter((o.kind, o.stage) for o in summary.opportunities)
    stages = [
        (contract.enum_label("stage", s, lang), stage_counts[("recp", s)], stage_counts[("symbiosis", s)])
        for s in contract.enum_values("stage")
    ]
    sectors = Counter(e.division for e in summary.enterprises)
    divisions = reference.divisions()
    sector_rows = [
        (code, divisions[code].name_vi if lang == "vi" else divisions[code].name_en, count)
        for code, count in sorted(sectors.items(), key=lambda item: (-item[1], item[0]))
    ]
    fallback_notes = sorted({reference.grid_factor(a.year).note(lang) or "" for a in summary.accounts} - {""})
    return (
        _environment()
        .get_template("park_summary.html.j2")
        .render(
            lang=lang,
            t=lambda key, **kw: i18n.t(key, lang, **kw),
            num=lambda v, d=1: i18n.number(v, lang, d),
            park=summary.park,
            years=[a.year for a in summary.accounts],
            rows=rows,
            stages=stages,
            kinds=(
                contract.enum_label("opportunity_kind", "recp", lang),
                contract.enum_label("opportunity_kind", "symbiosis", lang),
            ),
            sectors=sector_rows,
            charts=_charts(summary, lang),
            banner=banner,
            notes=summary.notes + fallback_notes,
            generated=i18n.t("ui.generated", lang, version=__version__, date=dt.date.today().isoformat()),
        )
    )


def write_all(
    database: Database,
    out: str | Path,
    lang: str = "vi",
    banner: str | None = None,
    park_notes: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """One page per park and an index; returns the index path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    with database.sessions() as session:
        parks = repository.parks(session)
    entries = []
    for park in parks:
        summary = summarise(database, park.park_id)
        summary.notes = list((park_notes or {}).get(park.park_id, ()))
        (out / f"{park.park_id}.html").write_text(render(summary, lang, banner), encoding="utf-8")
        latest = summary.accounts[-1] if summary.accounts else None
        entries.append((park, len(summary.enterprises), latest))
    index = out / "index.html"
    index.write_text(
        _environment()
        .get_template("index.html.j2")
        .render(
            lang=lang,
            t=lambda key, **kw: i18n.t(key, lang, **kw),
            num=lambda v, d=1: i18n.number(v, lang, d),
            entries=entries,
            banner=banner,
            generated=i18n.t("ui.generated", lang, version=__version__, date=dt.date.today().isoformat()),
        ),
        encoding="utf-8",
    )
    return index

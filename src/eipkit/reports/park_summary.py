"""A readable HTML summary per park: key figures and their trend, GHG by scope, energy mix, waste by fate,
opportunities by stage. Charts use plotly with its script written once beside the pages (no internet needed)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader

from eipkit import __version__, accounting, contract, i18n, reference
from eipkit.model import Enterprise, Opportunity, Park
from eipkit.reports.charts import figure_html, write_scripts
from eipkit.vocabulary import Carrier

TABLE_KEYS = tuple(k for k in accounting.REPORTED if k not in {"enterprises", "grid_electricity_mwh", "grid_ef_year"})
_COLOURS = {"scope1": "#C0504D", "scope2": "#4F81BD", "biogenic": "#9BBB59"}


@dataclass(frozen=True)
class Exchange:
    """A flow between two enterprises: existing (a waste record with fate exchange) or proposed (an open
    symbiosis opportunity)."""

    source: str
    target: str
    tonnes: float  # m3 when `unit` is m3 (treated water)
    what: str
    status: str
    unit: str = "t"


@dataclass
class ParkSummary:
    """Everything one page shows, computed before rendering so the template only lays it out."""

    park: Park
    enterprises: list[Enterprise]
    accounts: list[accounting.Accounts]
    opportunities: list[Opportunity]
    notes: list[str] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    partners: list[Enterprise] = field(default_factory=list)  # the other ends outside the park (a town, another park)


_EXCHANGE_COLOURS = {"existing": "rgba(46,107,63,0.6)", "proposed": "rgba(237,125,49,0.6)"}


def exchange_charts(summary: ParkSummary, lang: str) -> dict[str, str]:
    """A schematic map (longitude, latitude; no base map, which would need the internet) of the enterprises and
    their exchanges, and a Sankey diagram of the tonnes exchanged."""
    located = [e for e in summary.enterprises + summary.partners if e.lat is not None and e.lon is not None]
    where = {e.enterprise_id: (e.lon, e.lat) for e in located}
    figure = go.Figure()
    for group, label, colour in (
        (summary.enterprises, "ui.tenants", "#44546A"),
        (summary.partners, "ui.partners", "#8E6C8A"),
    ):
        shown = [e for e in group if e.enterprise_id in where]
        if shown:
            figure.add_scatter(
                x=[where[e.enterprise_id][0] for e in shown],
                y=[where[e.enterprise_id][1] for e in shown],
                mode="markers",
                name=i18n.t(label, lang),
                text=[f"{e.enterprise_id}: {e.name}" for e in shown],
                hoverinfo="text",
                marker={"color": colour, "size": 7},
            )
    for status in ("existing", "proposed"):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for x in summary.exchanges:
            if x.status == status and x.source in where and x.target in where:
                xs += [where[x.source][0], where[x.target][0], None]
                ys += [where[x.source][1], where[x.target][1], None]
        if xs:
            figure.add_scatter(
                x=xs,
                y=ys,
                mode="lines",
                name=i18n.t(f"ui.exchange_{status}", lang),
                line={"color": _EXCHANGE_COLOURS[status], "width": 2},
            )
    figure.update_layout(
        title=i18n.t("ui.exchange_map", lang),
        xaxis_title=i18n.t("word.longitude", lang),
        yaxis_title=i18n.t("word.latitude", lang),
    )
    figure.update_yaxes(scaleanchor="x", scaleratio=1)
    return {"map": figure_html(figure, 520), "sankey": figure_html(_sankey(summary, lang), 520)}


def _sankey(summary: ParkSummary, lang: str) -> go.Figure:
    """Tonnes exchanged from the suppliers' sectors through each resource to the receivers' sectors: a few named
    nodes where one per enterprise would pile up ids. A sector that gives and takes appears on both sides, so the
    diagram has no cycles to draw."""
    division_of = {e.enterprise_id: e.division for e in summary.enterprises + summary.partners}
    names = reference.divisions()

    def sector(enterprise_id: str) -> str:
        found = names.get(division_of.get(enterprise_id) or "")
        if found is None:
            return i18n.t("ui.other_sector", lang)
        name = found.name_vi if lang == "vi" else found.name_en
        return f"{found.division} · {name if len(name) <= 34 else name[:33] + '…'}"

    flows: dict[tuple[str, str, str, str], float] = {}
    for x in summary.exchanges:
        if x.unit == "t":  # tonnes only: water is drawn on the map
            key = (sector(x.source), x.what, sector(x.target), x.status)
            flows[key] = flows.get(key, 0.0) + x.tonnes
    flows, others = _small_grouped(flows, lang)
    last = lambda name: (name in others, name)  # noqa: E731  each column's "others" at its foot
    givers = sorted({k[0] for k in flows}, key=last)
    resources = sorted({k[1] for k in flows}, key=last)
    takers = sorted({k[2] for k in flows}, key=last)
    node = {f"give|{n}": i for i, n in enumerate(givers)}
    node.update({f"what|{n}": len(node) + i for i, n in enumerate(resources)})
    node.update({f"take|{n}": len(node) + i for i, n in enumerate(takers)})
    links: list[tuple[int, int, float, str]] = []
    for (giver, what, taker, status), tonnes in sorted(flows.items()):
        links.append((node[f"give|{giver}"], node[f"what|{what}"], tonnes, status))
        links.append((node[f"what|{what}"], node[f"take|{taker}"], tonnes, status))
    labels = [*givers, *resources, *takers]

    def short(name: str) -> str:
        """What a phone shows beside a node (charts.js swaps it in on a narrow chart): a sector's VSIC division,
        a resource's first words; the whole name stays in the node's hover."""
        head, dot, _ = name.partition(" · ")
        if name in others or (dot and head.isdigit()):
            return others.get(name, head)
        return name if len(name) <= 14 else name[:13] + "…"

    sankey = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": labels,
                "customdata": [short(name) for name in labels],
                "hovertemplate": [f"{name}<br>%{{value:,.0f}} t<extra></extra>" for name in labels],
                "pad": 10,
                "thickness": 12,
            },
            link={
                "source": [link[0] for link in links],
                "target": [link[1] for link in links],
                "value": [link[2] for link in links],
                "label": [i18n.t(f"ui.exchange_{link[3]}", lang) for link in links],
                "color": [_EXCHANGE_COLOURS[link[3]] for link in links],
            },
            valueformat=",.0f",
            valuesuffix=" t",
        )
    )
    sankey.update_layout(title=i18n.t("ui.exchange_sankey", lang))  # charts.js writes figures the page's way
    return sankey


SANKEY_NODES = 5  # per column: more, and the small ones' labels pile up on each other
SANKEY_SHARE = 0.04  # a node under this share of the tonnes joins the column's "others"


Flows = dict[tuple[str, str, str, str], float]  # (giving sector, resource, taking sector, status) -> tonnes


def _small_grouped(flows: Flows, lang: str) -> tuple[Flows, dict[str, str]]:
    """The flows with each column's small nodes (beyond the largest few, or under a few per cent of the tonnes)
    merged into one "others (n)" node, as a reader of a flow diagram expects, and those nodes' names with their
    short forms; the tonnes are kept whole."""
    total = sum(flows.values())
    kinds = ("ui.other_sectors", "ui.other_resources", "ui.other_sectors")
    renamed: list[dict[str, str]] = []
    others: dict[str, str] = {}
    for column, kind in enumerate(kinds):
        through: dict[str, float] = {}
        for key, tonnes in flows.items():
            through[key[column]] = through.get(key[column], 0.0) + tonnes
        ranked = sorted(through, key=lambda name: (-through[name], name))
        small = [n for i, n in enumerate(ranked) if i >= SANKEY_NODES or through[n] < SANKEY_SHARE * total]
        other = i18n.t(kind, lang, count=len(small))
        renamed.append({n: other for n in small} if len(small) > 1 else {})
        if len(small) > 1:
            others[other] = i18n.t("ui.others_short", lang, count=len(small))
    grouped: Flows = {}
    for (giver, what, taker, status), tonnes in flows.items():
        key = (renamed[0].get(giver, giver), renamed[1].get(what, what), renamed[2].get(taker, taker), status)
        grouped[key] = grouped.get(key, 0.0) + tonnes
    return grouped, others


def _environment() -> Environment:
    return Environment(loader=PackageLoader("eipkit.reports", "templates"), autoescape=True)


def charts(summary: ParkSummary, lang: str, details: bool = True) -> dict[str, str]:
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
    if any(a.renewable_purchased_mwh for a in summary.accounts):
        energy.add_bar(
            name=contract.enum_label("carrier", Carrier.ELECTRICITY_RENEWABLE_PURCHASED, lang),
            x=years,
            y=[a.renewable_purchased_mwh * accounting.GJ_PER_MWH / 1000 for a in summary.accounts],
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
    return {
        "ghg": figure_html(ghg),
        "energy": figure_html(energy),
        "waste": figure_html(waste),
        **(exchange_charts(summary, lang) if details else {}),
    }


def exchange_counts(summary: ParkSummary) -> dict[str, tuple[int, float]]:
    """Exchanges by status, counted and weighed: what a reader without the right to see names is shown."""
    counts: dict[str, tuple[int, float]] = {}
    for x in summary.exchanges:
        number, tonnes = counts.get(x.status, (0, 0.0))
        counts[x.status] = (number + 1, tonnes + (x.tonnes if x.unit == "t" else 0.0))
    return counts


def kpi_rows(summary: ParkSummary, lang: str) -> list[tuple[str, list[str]]]:
    """Each reported figure by year, written as the reader's locale writes numbers."""
    digits = {"grid_ef_tco2_per_mwh": 4, "enterprises_reporting": 0}
    rows = []
    for key in TABLE_KEYS:
        values = [getattr(a, key) if key != "total_tco2e" else a.total_tco2e for a in summary.accounts]
        if key.endswith("_vnd"):  # money as a reader says it, in tỷ or triệu đồng
            rows.append((i18n.t(f"kpi.{key}", lang), [i18n.money(v, lang) for v in values]))
            continue
        rows.append((i18n.t(f"kpi.{key}", lang), [i18n.number(v, lang, digits.get(key, 1)) for v in values]))
    return rows


def render(
    summary: ParkSummary,
    lang: str = "vi",
    banner: str | None = None,
    details: bool = True,
    annex: list[list[str]] | None = None,
) -> str:
    """The page of one park as HTML text; without `details` the exchanges are counted, no enterprise named."""
    rows = kpi_rows(summary, lang)
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
            charts=charts(summary, lang, details),
            exchanges=exchange_counts(summary),
            details=details,
            annex=annex or [],
            banner=banner,
            notes=summary.notes + fallback_notes,
            generated=i18n.t("ui.generated", lang, version=__version__, date=i18n.date(dt.date.today(), lang)),
        )
    )


def write_all(
    pages: Sequence[tuple[ParkSummary, list[list[str]]]], out: str | Path, lang: str = "vi", banner: str | None = None
) -> Path:
    """One page per park summary (with its methodology annex rows) and an index; returns the index path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_scripts(out)
    entries = []
    for summary, annex in pages:
        park = summary.park
        (out / f"{park.park_id}.html").write_text(render(summary, lang, banner, annex=annex), encoding="utf-8")
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
            generated=i18n.t("ui.generated", lang, version=__version__, date=i18n.date(dt.date.today(), lang)),
        ),
        encoding="utf-8",
    )
    return index

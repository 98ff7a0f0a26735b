"""The RECP report of an enterprise: profile, key figures, consumption breakdown, indicators against anonymous
peers, proposed options with business cases, implemented measures with their savings, and the assessment.

The content is gathered once (`eipkit.api.enterprise_report`); HTML (Jinja2, plotly) and PDF (fpdf2, matplotlib
charts, DejaVu Sans, which covers Vietnamese) lay out the same content.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader

from eipkit import __version__, accounting, contract, i18n, reference
from eipkit.model import Assessment, Enterprise, Opportunity, Park
from eipkit.provenance import Provenance
from eipkit.recp.benchmark import Position
from eipkit.recp.indicators import INTENSITIES
from eipkit.recp.options import Proposal
from eipkit.reports.charts import figure_html, write_scripts
from eipkit.reports.document import font_files
from eipkit.vocabulary import Carrier

TOP_OPTIONS = 8
_NOT_KEY = {
    "enterprises",
    "enterprises_reporting",
    "grid_electricity_mwh",
    "solar_electricity_mwh",
    "waste_landfilled_t",
    "waste_recovered_t",
    "biogenic_co2_t",
    "grid_ef_tco2_per_mwh",
    "grid_ef_year",
}
KEY_FIGURES = tuple(k for k in accounting.REPORTED if k not in _NOT_KEY)


@dataclass
class ReportContent:
    enterprise: Enterprise
    park: Park
    year: int
    accounts: accounting.Accounts
    positions: dict[str, Position]
    proposals: list[Proposal]
    implemented: list[Opportunity]
    pipeline: list[Opportunity]
    assessments: list[Assessment]
    notes: list[str] = field(default_factory=list)
    provenance: Provenance | None = None


def notes(content: ReportContent, lang: str) -> list[str]:
    """The report's closing notes in the reader's language."""
    result = [i18n.t("ui.factors_note", lang), i18n.t("rep.peers_note", lang), *content.notes]
    grid = reference.grid_factor(content.year).note(lang)
    return [*result, grid] if grid else result


def _rows(content: ReportContent, lang: str) -> dict[str, list[list[str]]]:
    """Every table of the report as text cells, shared by the HTML and the PDF."""
    num = lambda v, d=1: i18n.number(v, lang, d)  # noqa: E731
    division = reference.divisions()[content.enterprise.division]
    yes_no = lambda v: i18n.t("rep.yes", lang) if v else i18n.t("rep.no", lang)  # noqa: E731
    profile = [
        [i18n.t("ui.enterprise", lang), content.enterprise.name],
        [i18n.t("ui.park", lang), f"{content.park.name} ({content.park.province})"],
        ["VSIC 2018", f"{content.enterprise.vsic} · {division.name_vi if lang == 'vi' else division.name_en}"],
        [i18n.t("rep.employees", lang), num(content.enterprise.employees, 0)],
        [
            "ISO 14001 / ISO 50001 / ISO 9001",
            " / ".join(yes_no(held) for held in _iso(content.enterprise)),
        ],
        [i18n.t("ui.year", lang), str(content.year)],
    ]
    figures = content.accounts.as_dict()
    key = [
        [i18n.t(f"kpi.{k}", lang), i18n.money(figures[k], lang) if k.endswith("vnd") else num(figures[k], 1)]
        for k in KEY_FIGURES
    ]
    peers = []
    for name in INTENSITIES:
        p = content.positions[name]
        if p.status == "ok":
            peers.append(
                [
                    i18n.t(f"ind.{name}", lang),
                    num(p.value, 2),
                    num(p.q1, 2),
                    num(p.median, 2),
                    num(p.q3, 2),
                    f"{p.quartile}/4",
                ]
            )
        else:
            peers.append([i18n.t(f"ind.{name}", lang), num(p.value, 2), i18n.t(f"ui.{p.status}", lang), "", "", ""])
    options = [
        [
            p.option.title(lang),
            f"{num(p.saving, 1)} {p.unit}",
            num(p.saving_vnd / 1e6, 0),
            num(p.case.investment_vnd / 1e6, 0),
            num(p.case.simple_payback_years, 1),
            num(p.case.npv_vnd / 1e6, 0),
            f"{num(100 * p.case.irr, 0)} %" if p.case.irr else "–",
        ]
        for p in content.proposals
    ]
    implemented = [
        [
            o.title,
            contract.enum_label("basis", o.basis, lang),
            str(o.year_implemented or "–"),
            num(o.electricity_mwh),
            num((o.fuel_gj or 0) / 1000, 2),
            num(o.water_m3, 0),
            num((o.materials_t or 0) + (o.chemicals_t or 0) + (o.waste_t or 0)),
            num((o.cost_saving_vnd or 0) / 1e6, 0),
        ]
        for o in content.implemented
    ]
    pipeline = [
        [o.title, contract.enum_label("stage", o.stage, lang), num((o.cost_saving_vnd or 0) / 1e6, 0)]
        for o in content.pipeline
    ]
    tasks = reference.cp_tasks()
    assessment = [
        [
            f"{t.step}.{t.task}",
            tasks[t.task].title_vi if lang == "vi" else tasks[t.task].title_en,
            i18n.t(f"task.{t.status}", lang),
            str(t.completed_on or t.started_on or ""),
        ]
        for a in content.assessments[-1:]
        for t in a.tasks
    ]
    return {
        "profile": profile,
        "key": key,
        "peers": peers,
        "options": options,
        "implemented": implemented,
        "pipeline": pipeline,
        "assessment": assessment,
    }


HEADERS = {
    "peers": ("ui.indicator", "rep.value", "ui.q1", "ui.median", "ui.q3", "rep.quartile"),
    "options": (
        "ui.option",
        "ui.saving",
        "rep.saving_mvnd",
        "rep.investment_mvnd",
        "ui.payback",
        "rep.npv_mvnd",
        "ui.irr",
    ),
    "implemented": (
        "rep.measure",
        "ui.expected_or_measured",
        "ui.year",
        "saving.electricity_mwh",
        "rep.fuel_tj",
        "saving.water_m3",
        "rep.mcw_t",
        "rep.saving_mvnd",
    ),
    "pipeline": ("rep.measure", "ui.stage", "rep.saving_mvnd"),
    "assessment": ("rep.task", "", "ui.stage", "ui.date"),
}


def _iso(enterprise: Enterprise) -> tuple[bool | None, ...]:
    return enterprise.iso_14001, enterprise.iso_50001, enterprise.iso_9001


def _energy_mix(content: ReportContent, lang: str) -> tuple[list[str], list[float]]:
    a = content.accounts
    labels = [
        contract.enum_label("carrier", Carrier.ELECTRICITY_GRID, lang),
        contract.enum_label("carrier", Carrier.ELECTRICITY_SOLAR_ONSITE, lang),
        contract.enum_label("carrier", Carrier.ELECTRICITY_RENEWABLE_PURCHASED, lang),
    ]
    values = [
        a.grid_electricity_mwh * accounting.GJ_PER_MWH,
        a.solar_electricity_mwh * accounting.GJ_PER_MWH,
        a.renewable_purchased_mwh * accounting.GJ_PER_MWH,
    ]
    for carrier, tj in a.fuel_by_carrier_tj.items():
        labels.append(contract.enum_label("carrier", carrier, lang))
        values.append(tj * 1000)
    return [lab for lab, v in zip(labels, values, strict=True) if v > 0], [v for v in values if v > 0]


def _peer_chart_data(content: ReportContent) -> list[tuple[str, float]]:
    """Each published intensity as a percentage of the peers' median."""
    return [
        (name, 100 * p.value / p.median)
        for name, p in content.positions.items()
        if p.status == "ok" and p.median and p.value is not None
    ]


def write_html(content: ReportContent, out: str | Path, lang: str = "vi") -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_scripts(out.parent)
    labels, values = _energy_mix(content, lang)
    energy = go.Figure(go.Pie(labels=labels, values=values, hole=0.4, sort=False))
    energy.update_layout(title=i18n.t("rep.energy_mix", lang) + " (GJ)")
    peers = go.Figure()
    chart = _peer_chart_data(content)
    names = [i18n.t(f"ind.{n}", lang) for n, _ in chart]
    peers.add_bar(
        name=i18n.t("rep.this_enterprise", lang),
        y=names,
        x=[share for _, share in chart],
        orientation="h",
        marker_color="#2e6b3f",
    )
    peers.add_vline(x=100, line_dash="dash", annotation_text=i18n.t("ui.median", lang))
    peers.update_layout(title=i18n.t("rep.vs_median", lang), xaxis_title="% " + i18n.t("ui.median", lang).lower())
    waste = go.Figure(
        go.Bar(
            x=[contract.enum_label("fate", f, lang) for f in content.accounts.waste_by_fate_t],
            y=list(content.accounts.waste_by_fate_t.values()),
            marker_color="#8064A2",
        )
    )
    waste.update_layout(title=i18n.t("ui.waste_by_fate", lang), yaxis_title="t")
    charts = {name: figure_html(figure) for name, figure in (("energy", energy), ("peers", peers), ("waste", waste))}
    env = Environment(loader=PackageLoader("eipkit.reports", "templates"), autoescape=True)
    html = env.get_template("enterprise_report.html.j2").render(
        lang=lang,
        t=lambda key, **kw: i18n.t(key, lang, **kw),
        content=content,
        tables=_rows(content, lang),
        headers={k: [i18n.t(h, lang) if h else "" for h in v] for k, v in HEADERS.items()},
        charts=charts,
        notes=notes(content, lang),
        annex=content.provenance.rows(lang) if content.provenance else [],
        generated=i18n.t("ui.generated", lang, version=__version__, date=i18n.date(dt.date.today(), lang)),
    )
    out.write_text(html, encoding="utf-8")
    return out


def _png(figure: Any) -> io.BytesIO:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    buffer.seek(0)
    return buffer


def _pdf_charts(content: ReportContent, lang: str) -> list[io.BytesIO]:
    from matplotlib.figure import Figure

    charts = []
    labels, values = _energy_mix(content, lang)
    if values:
        figure = Figure(figsize=(6.5, 3.0))
        ax = figure.add_subplot()
        ax.barh(labels, values, color="#2e6b3f")
        ax.set_title(i18n.t("rep.energy_mix", lang) + " (GJ)", fontsize=10)
        ax.tick_params(labelsize=8)
        charts.append(_png(figure))
    chart = _peer_chart_data(content)
    if chart:
        figure = Figure(figsize=(6.5, 3.0))
        ax = figure.add_subplot()
        ax.barh([i18n.t(f"ind.{n}", lang) for n, _ in chart], [share for _, share in chart], color="#4F81BD")
        ax.axvline(100, color="black", linestyle="--", linewidth=1)
        ax.set_title(i18n.t("rep.vs_median", lang), fontsize=10)
        ax.tick_params(labelsize=8)
        charts.append(_png(figure))
    return charts


def write_pdf(content: ReportContent, out: str | Path, lang: str = "vi") -> Path:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    regular, bold = font_files()
    pdf = FPDF(format="A4")
    pdf.set_title(i18n.t("rep.title", lang) + f" · {content.enterprise.name}")
    pdf.set_creator(f"eipkit {__version__}")
    pdf.add_font("DejaVu", "", regular)
    pdf.add_font("DejaVu", "B", bold)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, i18n.t("rep.title", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 6, f"{content.enterprise.name} · {content.year}", new_x="LMARGIN", new_y="NEXT")
    tables = _rows(content, lang)
    headers = {k: [i18n.t(h, lang) if h else "" for h in v] for k, v in HEADERS.items()}
    heading = FontFace(emphasis="BOLD", fill_color=(226, 239, 218))

    def section(title: str) -> None:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)

    def table(name: str, rows: list[list[str]], widths: tuple[int, ...] | None = None) -> None:
        if not rows:
            pdf.multi_cell(0, 5, i18n.t("rep.none", lang), new_x="LMARGIN", new_y="NEXT")
            return
        with pdf.table(
            col_widths=widths,
            headings_style=heading,
            line_height=4.5,
            text_align="LEFT",
            first_row_as_headings=name in headers,
        ) as grid:
            if name in headers:
                grid.row(headers[name])
            for row in rows:
                grid.row([str(c) for c in row])

    section(i18n.t("rep.profile", lang))
    table("profile", tables["profile"], (1, 2))
    section(i18n.t("ui.kpi_table", lang, year=content.year))
    table("key", tables["key"], (2, 1))
    for chart in _pdf_charts(content, lang):
        pdf.image(chart, w=170)
    section(i18n.t("rep.peers", lang))
    table("peers", tables["peers"], (4, 2, 2, 2, 2, 1))
    section(i18n.t("rep.options", lang))
    table("options", tables["options"], (5, 2, 2, 2, 2, 2, 1))
    section(i18n.t("rep.implemented", lang))
    table("implemented", tables["implemented"], (5, 2, 1, 2, 2, 2, 2, 2))
    section(i18n.t("rep.pipeline", lang))
    table("pipeline", tables["pipeline"], (5, 2, 2))
    if tables["assessment"]:
        section(i18n.t("rep.assessment", lang))
        table("assessment", tables["assessment"], (1, 6, 2, 2))
    if content.provenance is not None:
        section(i18n.t("prov.title", lang))
        with pdf.table(col_widths=(2, 3, 4), headings_style=heading, line_height=4, text_align="LEFT") as grid:
            grid.row([i18n.t(k, lang) for k in ("prov.item", "prov.value", "prov.source")])
            for row in content.provenance.rows(lang):
                grid.row(row)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 8)
    for note in notes(content, lang):
        pdf.multi_cell(0, 4, note, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        4,
        i18n.t("ui.generated", lang, version=__version__, date=i18n.date(dt.date.today(), lang)),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.output(str(out))
    return out

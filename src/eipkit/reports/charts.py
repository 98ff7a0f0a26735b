"""Charts as data: each figure is a `<div>` holding its plotly JSON, drawn by one script file (`charts.js`).

Pages carry no inline script, so the web application can forbid inline scripts (its Content-Security-Policy), and a
figure's text (an enterprise or park name) is escaped like any other attribute. The same markup works in the
written reports, which ship `plotly.min.js` and `charts.js` beside their pages.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

import plotly.graph_objects as go
from markupsafe import Markup, escape

SCRIPT = "charts.js"
PLOTLY = "plotly.min.js"


def figure_html(figure: go.Figure, height: int = 340) -> Markup:
    """The figure as a `<div>` sized by its container's width and `height`, which `charts.js` draws; its title is
    written above it as text, which wraps on a phone where a drawn title would be cut and the toolbar would cover
    it."""
    title = figure.layout.title.text
    figure.update_layout(
        title=None,
        margin={"l": 40, "r": 10, "t": 30, "b": 40},
        height=height,
        template="plotly_white",
        autosize=True,
    )
    figure.update_yaxes(automargin=True)
    data = escape(figure.to_json())
    chart = f'<div class="chart" style="height:{int(height)}px" data-figure="{data}"></div>'
    if not title:
        return Markup(chart)
    return Markup(f'<figure class="chart-box"><figcaption>{escape(title)}</figcaption>{chart}</figure>')


def add_base_map(
    figure: go.Figure,
    focus: str | None = None,
    shown: Sequence[tuple[float, float]] = (),
    margin_deg: float = 0.4,
) -> None:
    """Draw the provincial units under a map on longitude/latitude axes (no tiles, no internet): the unit `focus`
    shaded and the view fitted to it and to the points `shown` (a park recorded outside its unit stays in view), or
    the whole country with its two archipelagos named. Call it before adding the data, which is then drawn on top."""
    from eipkit import provinces

    base = provinces.base_map()
    figure.update_layout(plot_bgcolor="#F2F6F9")  # the sea
    figure.update_xaxes(showgrid=False, zeroline=False)
    figure.update_yaxes(showgrid=False, zeroline=False)
    for outline in base.outlines:
        lon: list[float | None] = []
        lat: list[float | None] = []
        for ring in outline.rings:
            lon += [x for x, _ in ring] + [None]
            lat += [y for _, y in ring] + [None]
        figure.add_scatter(
            x=lon,
            y=lat,
            mode="lines",
            fill="toself",
            fillcolor="#DCE6D5" if outline.unit == focus else "#EEF0EC",
            line={"width": 0.6, "color": "#FFFFFF" if focus is None else "#B9C0B4"},
            text=outline.unit,
            hoveron="fills",
            hoverinfo="text",
            showlegend=False,
        )
    if focus is None:
        figure.add_scatter(
            x=[lon for _, _, lon, _ in base.archipelagos],
            y=[lat for _, _, _, lat in base.archipelagos],
            mode="markers+text",
            text=[name.removeprefix("Đặc khu ") for _, name, _, _ in base.archipelagos],
            hovertext=[f"{name} ({unit})" for unit, name, _, _ in base.archipelagos],
            hoverinfo="text",
            textposition="bottom left",  # toward the mainland: at the map's right edge a name would be cut
            cliponaxis=False,
            marker={"size": 5, "color": "#8A9384", "symbol": "diamond"},
            showlegend=False,
        )
        rings = [ring for outline in base.outlines for ring in outline.rings]
        rings.append(tuple((lon, lat) for _, _, lon, lat in base.archipelagos))
        figure.update_xaxes(constrain="domain")  # the country is tall: the map narrows rather than show empty sea
    else:
        rings = [ring for outline in base.outlines if outline.unit == focus for ring in outline.rings]
        rings = [max(rings, key=len)] if rings else []  # the mainland, not an island far off the coast
    if rings:
        lon_seen = [x for ring in rings for x, _ in ring] + [x for x, _ in shown]
        lat_seen = [y for ring in rings for _, y in ring] + [y for _, y in shown]
        figure.update_xaxes(range=[min(lon_seen) - margin_deg, max(lon_seen) + margin_deg])
        figure.update_yaxes(range=[min(lat_seen) - margin_deg, max(lat_seen) + margin_deg])


@cache
def script() -> str:
    return resources.files("eipkit.reports").joinpath("assets", SCRIPT).read_text(encoding="utf-8")


@cache
def plotly_script() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


@cache
def plotly_script_gzip() -> bytes:
    return gzip.compress(plotly_script().encode("utf-8"), compresslevel=9)


def write_scripts(folder: Path) -> None:
    """Put the two scripts a written report's charts need beside it (no internet needed to open it)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PLOTLY).write_text(plotly_script(), encoding="utf-8")
    (folder / SCRIPT).write_text(script(), encoding="utf-8")

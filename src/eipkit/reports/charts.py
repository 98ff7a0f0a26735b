"""Charts as data: each figure is a `<div>` holding its plotly JSON, drawn by one script file (`charts.js`).

Pages carry no inline script, so the web application can forbid inline scripts (its Content-Security-Policy), and a
figure's text (an enterprise or park name) is escaped like any other attribute. The same markup works in the
written reports, which ship `plotly.min.js` and `charts.js` beside their pages.
"""

from __future__ import annotations

import gzip
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

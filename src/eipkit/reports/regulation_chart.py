"""The threshold sweep as a chart: parks meeting the criterion, failing none, and eco-enterprises, against the
threshold. One figure for the ministry's page and for `eipkit certify sweep --chart`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go

from eipkit import i18n
from eipkit.certification.impact import SweepStep


def figure(steps: Sequence[SweepStep], pack: str, criterion: str, lang: str = "vi") -> go.Figure:
    x = [s.threshold for s in steps]
    t = lambda key: i18n.t(f"impact.head.{key}", lang)  # noqa: E731
    chart = go.Figure()
    for key, values in (
        ("meeting", [s.parks_meeting for s in steps]),
        ("not_failing", [s.parks_not_failing for s in steps]),
        ("eligible", [s.parks_eligible for s in steps]),
    ):
        chart.add_scatter(x=x, y=values, mode="lines+markers", name=t(key))
    chart.add_bar(x=x, y=[s.eco_enterprises for s in steps], name=t("eco"), yaxis="y2", opacity=0.35)
    chart.update_layout(
        title=i18n.t("impact.title.sweep", lang, criterion=criterion, pack=pack),
        xaxis_title=t("threshold"),
        yaxis={"title": t("parks"), "rangemode": "tozero", "tickformat": "d"},
        yaxis2={"title": t("enterprise"), "overlaying": "y", "side": "right", "rangemode": "tozero", "tickformat": "d"},
        legend={"orientation": "h", "y": -0.25},
        separators=",." if lang == "vi" else ".,",
    )
    return chart


def write(path: Path, pack: str, criterion: str, steps: Sequence[SweepStep], lang: str = "vi") -> Path:
    """A self-contained HTML file (plotly included: it opens without internet)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure(steps, pack, criterion, lang).write_html(path, include_plotlyjs=True, full_html=True)
    return path

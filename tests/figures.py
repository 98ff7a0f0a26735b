"""The plotly figures of a page, read back from its HTML as a browser would see them (each chart is a
`<div class="chart" data-figure="...">` holding the figure's JSON, its title in the `<figcaption>` before it)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any


class _Charts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, Any]] = []
        self._caption: list[str] | None = None
        self._pending = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "figcaption":
            self._caption = []
        if tag == "div" and values.get("data-figure"):
            figure = json.loads(values["data-figure"] or "{}")
            figure["caption"], self._pending = self._pending, ""
            self.found.append(figure)

    def handle_data(self, data: str) -> None:
        if self._caption is not None:
            self._caption.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "figcaption" and self._caption is not None:
            self._pending, self._caption = "".join(self._caption).strip(), None


def figures(html: str) -> list[dict[str, Any]]:
    parser = _Charts()
    parser.feed(html)
    return parser.found


def title(figure: dict[str, Any]) -> str:
    """The chart's title: written above it as text (its caption), else drawn by plotly."""
    if figure.get("caption"):
        return str(figure["caption"])
    text = figure.get("layout", {}).get("title", {})
    return text.get("text", "") if isinstance(text, dict) else str(text)

"""The plotly figures of a page, read back from its HTML as a browser would see them (each chart is a
`<div class="chart" data-figure="...">` holding the figure's JSON)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any


class _Charts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "div" and values.get("data-figure"):
            self.found.append(json.loads(values["data-figure"] or "{}"))


def figures(html: str) -> list[dict[str, Any]]:
    parser = _Charts()
    parser.feed(html)
    return parser.found


def title(figure: dict[str, Any]) -> str:
    text = figure.get("layout", {}).get("title", {})
    return text.get("text", "") if isinstance(text, dict) else str(text)

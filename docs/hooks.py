"""MkDocs hook: the pages that are generated from the package rather than written by hand (the workbook contract,
the programme's guides, the REST API's operations), so that the site cannot drift from the code. A page asks for
one with a marker line, e.g. `<!-- eipkit:contract -->`."""

from __future__ import annotations

import re
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

MARKER = re.compile(r"^<!-- eipkit:(\w+)(?: (\w+))? -->$", re.MULTILINE)


def on_page_markdown(markdown: str, **_: Any) -> str:
    return MARKER.sub(lambda m: _generated(m.group(1), m.group(2)), markdown)


def _generated(what: str, topic: str | None) -> str:
    if what == "contract":
        return _contract()
    if what == "guide" and topic:
        return _guide(topic)
    if what == "rest":
        return _rest()
    raise ValueError(f"unknown generated section: {what}")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _contract() -> str:
    from eipkit import contract

    source = "`src/eipkit/data/contract.csv`, `sheets.csv` and `enums.csv`"
    parts = [f"Contract version {contract.version()}, read from {source}."]
    for sheet in contract.sheets().values():
        key = ", ".join(sheet.key)
        parts.append(f"\n## {sheet.label_en} (`{sheet.name}`)\n")
        parts.append(f"{sheet.description.rstrip('.')}. Key: {key}. Sheet title in Vietnamese: {sheet.label_vi}.\n")
        parts.append("| column | required | kind | unit | label (vi) | what it holds |")
        parts.append("|---|---|---|---|---|---|")
        for c in sheet.columns:
            kind = c.kind + (": " + ", ".join(contract.enum_values(c.enum)) if c.enum else "")
            cells = ["yes" if c.required else "", kind, c.unit, c.label_vi, c.description]
            parts.append(f"| `{c.name}` | " + " | ".join(map(_cell, cells)) + " |")
    return "\n".join(parts) + "\n"


def _guide(topic: str) -> str:
    from eipkit import guides

    text = guides.guide(topic, "en").text
    return "\n".join(line for line in text.splitlines() if not line.startswith("# ")) + "\n"


@cache
def _openapi() -> dict[str, Any]:
    from eipkit.api.registry import connect
    from eipkit.web import create_app

    with tempfile.TemporaryDirectory() as folder:
        database = connect(f"sqlite:///{Path(folder) / 'openapi.db'}")
        try:
            return create_app(database).openapi()
        finally:
            database.engine.dispose()


def _rest() -> str:
    schema = _openapi()
    parts = [f"{schema['info'].get('description', '')}\n", "| method | path | what it does |", "|---|---|---|"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            summary = operation.get("summary") or operation.get("operationId", "")
            parts.append(f"| {method.upper()} | `{path}` | {_cell(summary)} |")
    return "\n".join(parts) + "\n"

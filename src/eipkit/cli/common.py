"""What every command shares: the options, the consoles, output as a table or JSON, and clean failures."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from eipkit import i18n

T = TypeVar("T")
console = Console()
errors = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite file (default: EIPKIT_DB, else ./eipkit.db)."),
]
LangOption = Annotated[str | None, typer.Option("--lang", help="vi (default) or en; or set EIPKIT_LANG.")]
DateOption = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today).")]


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table or json.")]


def progress() -> Progress:
    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=errors, transient=True
    )


def fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[red]{escape(message)}[/red]", soft_wrap=True, highlight=False)
    return typer.Exit(code)


def attempt(call: Callable[[], T], lang: str = "en") -> T:
    """Run a library call; an unknown id or a refused change ends the command with its reason, not a traceback."""
    from eipkit.api import NotFound
    from eipkit.i18n import LocalisedError

    try:
        return call()
    except NotFound as exc:
        raise fail(str(exc)) from None
    except LocalisedError as exc:
        raise fail(exc.text(lang)) from None


def parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise fail(f"'{text}' is not a date (YYYY-MM-DD)") from None


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def print_table(
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    right: Sequence[int] = (),
    widths: dict[int, int] | None = None,
) -> None:
    table = Table(title=title, title_justify="left")
    for index, header in enumerate(headers):
        width = (widths or {}).get(index)
        table.add_column(header, justify="right" if index in right else "left", min_width=width)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


def figure(value: float | None, lang: str, digits: int = 1) -> str:
    return i18n.number(value, lang, digits)

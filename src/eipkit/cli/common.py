"""What every command shares: the options, the consoles, output as a table or JSON, and clean failures."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
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


@contextlib.contextmanager
def solve_progress(quiet: bool, lang: str) -> Iterator[Callable[[Any], None] | None]:
    """A status line on standard error while a solve runs longer than a second: phase, round, value, proven bound,
    gap and elapsed time (a line every few seconds when standard error is not a terminal; `--quiet` silences it)."""
    if quiet:
        yield None
        return
    printed = [0.0]

    def line(p: Any) -> str:
        parts = [i18n.t(f"solve.phase.{p.phase.replace(' ', '_')}", lang)]
        if p.round is not None:
            parts.append(i18n.t("solve.round", lang, round=p.round))
        if p.value is not None and p.bound is not None:
            parts.append(i18n.t("solve.bound", lang, value=figure(p.value, lang, 0), bound=figure(p.bound, lang, 0)))
        if p.gap is not None:
            parts.append(i18n.t("solve.gap", lang, gap=figure(100 * p.gap, lang, 4)))
        parts.append(f"{figure(p.elapsed_s, lang, 1)} s")
        return escape(" · ".join(parts))

    if not errors.is_terminal:

        def report(p: Any) -> None:
            if p.elapsed_s >= 1.0 and p.elapsed_s - printed[0] >= 3.0:
                printed[0] = p.elapsed_s
                errors.print(line(p), highlight=False, soft_wrap=True)

        yield report
        return
    with errors.status("", spinner="dots") as status:

        def update(p: Any) -> None:
            if p.elapsed_s >= 1.0:
                status.update(line(p))

        yield update


def fail(message: str, code: int = 1) -> typer.Exit:
    errors.print(f"[red]{escape(message)}[/red]", soft_wrap=True, highlight=False)
    return typer.Exit(code)


def attempt(call: Callable[[], T], lang: str = "en") -> T:
    """Run a library call; an unknown id or a refused change ends the command with its reason, not a traceback."""
    from eipkit.i18n import LocalisedError

    try:
        return call()
    except LocalisedError as exc:
        raise refusal(exc, lang) from None


def refusal(exc: Exception, lang: str | None = None) -> typer.Exit:
    """The end of a refused command: its reason in the reader's language, with the exit code of its kind
    (`eipkit.errors`: 2 bad input, 3 not found, 4 not allowed, 5 conflict, 6 limit reached, else 1)."""
    from eipkit.errors import EipkitError
    from eipkit.i18n import LocalisedError, language

    lang = language(lang)
    if isinstance(exc, EipkitError):
        return fail(exc.text(lang), exc.exit_code)
    return fail(exc.text(lang) if isinstance(exc, LocalisedError) else str(exc))


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

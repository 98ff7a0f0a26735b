"""`eipkit results` and `eipkit report`: the tables and documents people read."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from eipkit import api, i18n
from eipkit.api.registry import connect
from eipkit.cli.common import DbOption, LangOption, console, fail, figure, print_json, print_table, refusal
from eipkit.errors import NotFound
from eipkit.monitoring.results import SAVINGS
from eipkit.reports import results_workbook


class ResultsFormat(StrEnum):
    table = "table"
    json = "json"
    xlsx = "xlsx"


def results(
    park: Annotated[list[str] | None, typer.Option("--park", help="Park ID (repeat for several).")] = None,
    province: Annotated[str | None, typer.Option("--province", help="Every park of a province.")] = None,
    all_parks: Annotated[
        bool, typer.Option("--all", help="Every park (the default without --park/--province).")
    ] = False,
    year: Annotated[int | None, typer.Option("--year", help="Results up to this year.")] = None,
    usd_rate: Annotated[
        float | None, typer.Option("--usd-rate", help="VND per USD (default: the year's, data/usd_rates.csv).")
    ] = None,
    former: Annotated[
        bool, typer.Option("--former", help="Read --province as the unit before the 2025 merger (e.g. Long An).")
    ] = False,
    output: Annotated[ResultsFormat, typer.Option("--format", help="table, json or xlsx.")] = ResultsFormat.table,
    out: Annotated[Path | None, typer.Option("--out", help="File for --format xlsx.")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The programme results table: enterprises, opportunities and yearly savings, expected and measured."""
    lang = i18n.language(lang)
    if sum(bool(x) for x in (park, province, all_parks)) > 1:
        raise fail("give one of --park, --province or --all")
    database = connect(db)
    try:
        table = api.results(
            database, park_ids=park or None, province=province, year=year, usd_rate=usd_rate, former=former
        )
    except (NotFound, ValueError) as exc:
        raise refusal(exc, lang) from None
    if output is ResultsFormat.json:
        print_json(table.as_dict() | {"provenance": api.results_provenance(database, table).as_dict()})
        return
    if output is ResultsFormat.xlsx:
        path = out or Path("results.xlsx")
        results_workbook.write(path, table, lang, api.results_provenance(database, table).rows(lang))
        console.print(i18n.t("cli.results_written", lang, path=path))
        return
    counts = [
        (i18n.t(f"res.{key}", lang), *(getattr(table, key)[k] for k in ("total", "recp", "symbiosis")))
        for key in (
            "enterprises_assessed",
            "enterprises_implementing",
            "opportunities_identified",
            "opportunities_implemented",
        )
    ]
    print_table(
        f"{i18n.t('res.title', lang)} · {table.scope}" + (f" · {year}" if year else ""),
        ["", i18n.t("ui.total", lang), "RECP", i18n.t("ui.symbiosis", lang)],
        counts,
        right=[1, 2, 3],
    )
    data = table.as_dict()
    rows = [
        (
            i18n.t(f"res.{name}", lang),
            *(figure(data[name][b], lang, 0 if name.endswith("vnd") else 1) for b in ("expected", "measured", "total")),
        )
        for name in (*SAVINGS, "cost_saving_usd")
        if name in data and isinstance(data[name], dict) and "expected" in data[name]
    ]
    print_table(
        i18n.t("res.savings_title", lang),
        ["", i18n.t("ui.expected", lang), i18n.t("ui.measured", lang), i18n.t("ui.total", lang)],
        rows,
        right=[1, 2, 3],
    )
    programme = [
        (i18n.t(key, lang), *(None if v is None else figure(v, lang, 0) for v in values))
        for key, *values in table.programme_rows()
    ]
    print_table(
        i18n.t("res.programme_title", lang),
        ["", i18n.t("ui.total", lang), "RECP", i18n.t("ui.symbiosis", lang)],
        programme,
        right=[1, 2, 3],
    )
    if table.investment_unknown:
        console.print(i18n.t("res.investment_unknown", lang, count=table.investment_unknown))


def report(
    enterprise: Annotated[str, typer.Option("--enterprise", help="Enterprise ID.")],
    year: Annotated[int | None, typer.Option("--year", help="Year of the records (default: the latest).")] = None,
    out: Annotated[Path, typer.Option("--out", help="report.html or report.pdf")] = Path("report.html"),
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The RECP report of an enterprise, HTML or PDF (by the file's ending), Vietnamese by default."""
    from eipkit.reports import enterprise_report

    lang = i18n.language(lang)
    database = connect(db)
    try:
        year = year or api.latest_year(database, enterprise)
        content = api.enterprise_report(database, enterprise, year)
    except NotFound as exc:
        raise refusal(exc, lang) from None
    if out.suffix.lower() == ".pdf":
        enterprise_report.write_pdf(content, out, lang)
    else:
        enterprise_report.write_html(content, out, lang)
    console.print(i18n.t("cli.report_written", lang, path=out))


def register(app: typer.Typer) -> None:
    app.command("results")(results)
    app.command("report")(report)

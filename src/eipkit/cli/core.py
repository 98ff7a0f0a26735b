"""The data commands: template, import, export, contract, KPIs, factors and the demo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from eipkit import accounting, api, contract, i18n, reference
from eipkit.api import registry
from eipkit.api.registry import connect
from eipkit.cli.common import (
    DbOption,
    LangOption,
    OutputFormat,
    console,
    errors,
    fail,
    print_json,
    refusal,
)
from eipkit.cli.common import progress as _progress
from eipkit.errors import NotFound
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path
from eipkit.workbooks.validate import ImportRejected

app = typer.Typer(
    help="eipkit: eco-industrial parks, from tenants' yearly records to a ministry's results table.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def template(
    out: Annotated[Path, typer.Option("--out", help="Where to write the blank workbook (.xlsx).")],
    lang: LangOption = None,
) -> None:
    """Write a blank workbook of contract version 1: every sheet and column, labels with units, drop-downs."""
    lang = i18n.language(lang)
    workbook.write(out, lang=lang)
    console.print(i18n.t("cli.template_written", lang, path=out))


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A .xlsx workbook or a folder of .csv files.")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Import a workbook or CSV folder, all or nothing; on bad input list every problem and exit with 2."""
    lang = i18n.language(lang)
    database = connect(db)
    with _progress() as progress:
        task = progress.add_task(str(path), total=None)
        try:
            result = import_path(database, path, progress=lambda step: progress.update(task, description=step))
        except ImportRejected as rejected:
            progress.stop()
            _print_problems(rejected, lang)
            raise typer.Exit(2) from None
    console.print(i18n.t("cli.imported", lang, rows=result.rows, source=result.source))
    for note in result.notes:
        console.print(
            f"- {note.sheet}, {i18n.t('col.row', lang).lower()} {note.row}: {note.text(lang)}", highlight=False
        )


def _print_problems(rejected: ImportRejected, lang: str) -> None:
    table = Table(title=i18n.t("cli.rejected", lang, count=rejected.total), title_justify="left")
    for key in ("col.sheet", "col.row", "col.column", "col.reason"):
        table.add_column(i18n.t(key, lang))
    for problem in rejected.problems:
        table.add_row(problem.sheet, str(problem.row) if problem.row else "", problem.column, problem.text(lang))
    errors.print(table)
    if rejected.total > len(rejected.problems):
        errors.print(i18n.t("web.problems_shown", lang, shown=len(rejected.problems), total=rejected.total))


@app.command()
def export(
    park: Annotated[str, typer.Option("--park", help="Park ID.")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the workbook (.xlsx).")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Export a park's records to a contract workbook that imports back to the same records."""
    lang = i18n.language(lang)
    database = connect(db)
    try:
        rows = registry.park_rows(database, park)
    except KeyError:
        raise fail(f"no park '{park}' in the database") from None
    workbook.write(out, rows, lang=lang)
    console.print(i18n.t("cli.export_written", lang, park=park, path=out))


KPI_KEYS = accounting.REPORTED


@app.command("kpi")
def kpi_(
    year: Annotated[int, typer.Option("--year", help="Reporting year.")],
    park: Annotated[str | None, typer.Option("--park", help="Park ID.")] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise", help="Enterprise ID.")] = None,
    db: DbOption = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table or json.")] = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Resource and GHG figures of a park (or one enterprise) for a year."""
    lang = i18n.language(lang)
    if (park is None) == (enterprise is None):
        raise fail("give exactly one of --park or --enterprise")
    database = connect(db)
    try:
        accounts = api.park_kpi(database, park, year) if park else api.enterprise_kpi(database, enterprise or "", year)
    except (NotFound, ValueError) as exc:
        raise refusal(exc, lang) from None
    figures = accounts.as_dict()
    note = reference.grid_factor(year).note(lang)
    if output is OutputFormat.json:
        payload = {"park_id": park, "enterprise_id": enterprise} | figures
        payload["grid_ef_note"] = note
        payload["provenance"] = api.accounts_provenance(database, [accounts]).as_dict()
        print_json(payload)
        return
    table = Table(title=f"{park or enterprise} · {i18n.t('ui.year', lang)} {year}", title_justify="left")
    table.add_column(i18n.t("ui.indicator", lang))
    table.add_column(i18n.t("ui.value", lang), justify="right")
    for key in KPI_KEYS:
        value = figures[key]
        digits = 4 if key == "grid_ef_tco2_per_mwh" else (0 if key.endswith("_vnd") else 1)
        shown = str(value) if key == "grid_ef_year" else i18n.number(value, lang, digits)
        table.add_row(i18n.t(f"kpi.{key}", lang), shown)
    console.print(table)
    if note:
        console.print(f"[yellow]{i18n.t('cli.grid_fallback', lang)}: {note}[/yellow]")


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the HTML park summaries.")] = Path("eipkit-demo"),
    national: Annotated[
        bool,
        typer.Option(
            "--national",
            help="The synthetic national dataset: 436 parks over the 34 provincial units, about 30,000 enterprises "
            "and 1.4 million rows, the six demo parks among them (summaries written for those six).",
        ),
    ] = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Load the synthetic demo of the programme's six parks and write an HTML summary per park."""
    from eipkit import demo as demo_data

    lang = i18n.language(lang)
    database = connect(db)
    out.mkdir(parents=True, exist_ok=True)
    with _progress() as progress:
        task = progress.add_task("demo", total=None)
        show = lambda step: progress.update(task, description=str(step))  # noqa: E731
        if national:
            from eipkit.demo import national as national_data

            loaded: Any = national_data.load(database, progress=show)  # a NationalLoad or a DemoLoad
            from eipkit.api import figures

            figures.ready_after_bulk_load(database, progress=show)
        else:
            loaded = demo_data.load(database, progress=show)
        progress.update(task, description="reports")
        workbook.write(out / "demo-workbook.xlsx", demo_data.rows(), lang=lang)
        index = api.write_park_summaries(
            database,
            out,
            lang=lang,
            banner=demo_data.synthetic_banner("national" if national else "demo", lang),
            park_notes=demo_data.park_notes(lang),
            park_ids=[p["park_id"] for p in demo_data.spec()["parks"]],
        )
    console.print(i18n.t("cli.demo_loaded", lang, parks=loaded.parks, enterprises=loaded.enterprises, db=database.url))
    console.print(i18n.t("cli.demo_reports", lang, path=index))


@app.command()
def factors(
    output: Annotated[OutputFormat, typer.Option("--format", help="table or json.")] = OutputFormat.table,
) -> None:
    """Show the grid emission factors and fuel factors in use, with their sources."""
    grid = [f.model_dump() for f in reference.grid_factors().values()]
    fuel = [f.model_dump() for f in reference.fuels().values()]
    if output is OutputFormat.json:
        print_json({"grid": grid, "fuels": fuel})
        return
    table = Table(title="Grid emission factors (tCO2/MWh)", title_justify="left")
    for name in ("year", "tco2_per_mwh", "status", "document", "confidence"):
        table.add_column(name)
    for f in grid:
        table.add_row(*(str(f[n]) for n in ("year", "tco2_per_mwh", "status", "document", "confidence")))
    console.print(table)
    table = Table(title="Fuels (IPCC 2006)", title_justify="left")
    for name in ("carrier", "ncv_mj_per_kg", "co2_kg_per_tj", "ch4_kg_per_tj", "n2o_kg_per_tj", "biogenic"):
        table.add_column(name)
    for f in fuel:
        figures = [str(f[n]) for n in ("carrier", "ncv_mj_per_kg", "co2_kg_per_tj", "ch4_kg_per_tj", "n2o_kg_per_tj")]
        table.add_row(*figures, "yes" if f["biogenic"] else "no")
    console.print(table)


@app.command("contract")
def contract_(lang: LangOption = None) -> None:
    """Print the workbook contract: sheets, columns, required or not, kinds, units and labels."""
    lang = i18n.language(lang)
    for sheet in contract.sheets().values():
        title = f"{sheet.name} · {sheet.label_vi if lang == 'vi' else sheet.label_en} (key: {', '.join(sheet.key)})"
        table = Table(title=title, title_justify="left")
        for name in ("column", "required", "kind", "unit", "label"):
            table.add_column(name)
        for column in sheet.columns:
            kind = column.kind
            if column.enum:
                kind += " = " + " | ".join(contract.enum_values(column.enum))
            table.add_row(column.name, "yes" if column.required else "", kind, column.unit, column.label(lang))
        console.print(table)

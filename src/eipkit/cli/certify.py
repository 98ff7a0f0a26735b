"""`eipkit certify`: Decree 35/2022 criteria, gaps, eco-enterprises, dossiers, time limits and annual reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from eipkit import api, i18n
from eipkit.cli.common import (
    DbOption,
    FormatOption,
    LangOption,
    OutputFormat,
    attempt,
    fail,
    parse_date,
    print_json,
    print_table,
)
from eipkit.store import connect

app = typer.Typer(
    help="Certification: evaluate a park against a rule pack (eipkit certify --park ID), and more below.",
    invoke_without_command=True,
)

ParkOption = Annotated[str, typer.Option("--park", help="Park ID.")]
PackOption = Annotated[str, typer.Option("--rules", help="Rule pack id (eipkit certify packs) or a pack file.")]
YearOption = Annotated[int | None, typer.Option("--year", help="Year of the data (default: the latest).")]
STATUS = {"pass": "[green]pass[/green]", "fail": "[red]fail[/red]", "unknown": "[yellow]unknown[/yellow]"}


def _thresholds(values: list[str] | None) -> dict[str, float]:
    found = {}
    for item in values or []:
        key, _, number = item.partition("=")
        try:  # without '=' the number is empty and refused here too
            found[key.strip()] = float(number)
        except ValueError:
            raise fail(f"--threshold {item}: expected ID=NUMBER") from None
    return found


def _show(evaluation: dict, lang: str) -> None:
    verdict = {True: i18n.t("cert.yes", lang), False: i18n.t("cert.no", lang), None: "?"}
    rows = []
    for c in evaluation["criteria"]:
        notes = c["missing"] + c["path"]
        value = c["value"]
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        rows.append((c["id"], c["title"], STATUS[c["status"]], value, c["threshold"] or "", "\n".join(notes[:6])))
    title = f"{evaluation['name']} ({evaluation['subject']}), {evaluation['year']}: {evaluation['pack_title']}"
    print_table(title, ["id", "criterion", "status", "value", "threshold", "missing / path"], rows)
    print(
        f"eligible: {verdict[evaluation['eligible']]}; on the verified criteria: "
        f"{verdict[evaluation['eligible_on_verified_criteria']]}; unverified: "
        f"{', '.join(evaluation['unverified_criteria']) or '-'}"
    )


@app.callback()
def certify(
    ctx: typer.Context,
    park: Annotated[str | None, typer.Option("--park", help="Park ID.")] = None,
    pack: PackOption = "vn-decree-35-2022",
    year: YearOption = None,
    threshold: Annotated[
        list[str] | None, typer.Option("--threshold", help="ID=VALUE: your threshold for a criterion (repeat).")
    ] = None,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Evaluate a park: eligible (true, false, or null when a criterion is unknown) and, per criterion, the status,
    value, threshold, evidence, what is missing and the cheapest path to close the gap."""
    if ctx.invoked_subcommand is not None:
        return
    if park is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    lang = i18n.language(lang)
    database = connect(db)
    thresholds = _thresholds(threshold)
    evaluated = attempt(lambda: api.certify_park(database, park, pack, year, thresholds), lang)
    evaluation = evaluated.as_dict(lang)
    if output == OutputFormat.json:
        packs = [(evaluated.pack.id, evaluated.pack.version)]
        origin = api.provenance(database, ("certification", "accounting", "scope2"), [evaluated.year], packs=packs)
        print_json(evaluation | {"provenance": origin.as_dict()})
    else:
        _show(evaluation, lang)


@app.command("enterprises")
def enterprises(
    park: ParkOption,
    pack: PackOption = "vn-decree-35-2022",
    year: YearOption = None,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Each enterprise of a park against the eco-enterprise criteria (Decree 35 Art. 40(2), 42)."""
    lang = i18n.language(lang)
    database = connect(db)
    found = [e.as_dict(lang) for e in attempt(lambda: api.certify_enterprises(database, park, pack, year), lang)]
    if output == OutputFormat.json:
        print_json(found)
        return
    ids = [c["id"] for c in found[0]["criteria"]] if found else []
    verdict = {True: "[green]eco[/green]", False: "[red]no[/red]", None: "[yellow]?[/yellow]"}
    rows = [
        (e["subject"], e["name"], *(STATUS[c["status"]] for c in e["criteria"]), verdict[e["eligible"]]) for e in found
    ]
    print_table(f"{park}: eco-enterprise criteria", ["id", "name", *ids, "eligible"], rows)


@app.command("timeline")
def timeline(
    submitted: Annotated[str, typer.Option("--submitted", help="Day the complete dossier was received (YYYY-MM-DD).")],
    procedure: Annotated[str, typer.Option("--procedure", help="park, enterprise or recertify.")] = "park",
    calendar_file: Annotated[
        Path | None, typer.Option("--calendar", help="Your own days off / make-up working days (CSV).")
    ] = None,
    working_days: Annotated[
        bool, typer.Option("--all-working-days", help="Count every period in working days (some provinces do).")
    ] = False,
    output: FormatOption = OutputFormat.json,
    lang: LangOption = None,
) -> None:
    """Due dates of each step of a certification procedure on Vietnam's working-day calendar."""
    from eipkit.certification import calendar
    from eipkit.certification import procedure as procedures

    lang = i18n.language(lang)
    day = parse_date(submitted)
    assert day is not None
    chosen = attempt(lambda: calendar.vietnam(calendar_file), lang)
    result = attempt(lambda: procedures.timeline(day, procedure, chosen, lang, working_days), lang)
    if output == OutputFormat.json:
        print_json(result)
        return
    rows = [
        (s["step"], s["actor"], s["action"], f"{s['limit']} {s['unit']}" if s["limit"] else "?", s["due"] or "?")
        for s in result["steps"]
    ]
    print_table(f"{result['title']} ({result['submitted']})", ["step", "actor", "action", "limit", "due"], rows)


@app.command("packs")
def packs_() -> None:
    """The rule packs that ship with eipkit."""
    from eipkit.certification import rules

    rows = []
    for name in rules.packs():
        pack = rules.load(name)
        rows.append((pack.id, pack.version, pack.title["en"], len(pack.criteria) + len(pack.enterprise_criteria)))
    print_table("rule packs", ["id", "version", "title", "criteria"], rows)


@app.command("dossier")
def dossier(
    park: ParkOption,
    out: Annotated[Path, typer.Option("--out", help="Folder for the .docx and .pdf.")],
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="An enterprise of the park: its eco-enterprise dossier.")
    ] = None,
    pack: PackOption = "vn-decree-35-2022",
    year: YearOption = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Write the Art. 41 dossier of a park, or the Art. 42 dossier of an enterprise, as DOCX and PDF."""
    lang = i18n.language(lang)
    database = connect(db)
    for path in attempt(lambda: api.certification_dossier(database, park, out, enterprise, pack, year, lang), lang):
        typer.echo(path)


@app.command("annual")
def annual(
    park: ParkOption,
    enterprise: Annotated[
        str | None, typer.Option("--enterprise", help="An eco-enterprise of the park: its report (B.4, B.5).")
    ] = None,
    year: YearOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the report as DOCX and PDF here.")] = None,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The Art. 43 annual monitoring report: forms A.4 and A.5 for a park, B.4 and B.5 for an eco-enterprise."""
    lang = i18n.language(lang)
    database = connect(db)
    report = attempt(lambda: api.annual_report(database, park, year, enterprise, lang), lang)
    origin = api.park_provenance(database, park, report["year"])
    if out is not None:
        for path in api.annual_report_files(report, out, lang, origin):
            typer.echo(path, err=True)
    if output == OutputFormat.json:
        print_json(report | {"provenance": origin.as_dict()})
        return
    for section in ("land", "recp", "symbiosis"):
        if section in report:
            print_table(f"{report['form']} · {section}", ["item", "value"], list(report[section].items()))
    rows = [(r["code"], r["indicator"], r["value"], r["minimum"], r["missing"] or "") for r in report["indicators"]]
    print_table(
        f"{report['name']} {report['year']}: indicators", ["code", "indicator", "value", "min", "missing"], rows
    )


@app.command("apply")
def apply(
    park: ParkOption,
    submitted: Annotated[str, typer.Option("--submitted", help="Day the complete dossier was received (YYYY-MM-DD).")],
    procedure: Annotated[str, typer.Option("--procedure", help="park, enterprise or recertify.")] = "park",
    enterprise: Annotated[str | None, typer.Option("--enterprise", help="The enterprise that applies.")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Open a certification application (its number is printed) to follow it against its legal time limits."""
    lang = i18n.language(lang)
    database = connect(db)
    day = parse_date(submitted)
    assert day is not None
    typer.echo(attempt(lambda: api.submit_application(database, park, day, procedure, enterprise), lang))


@app.command("step")
def step(
    application: Annotated[int, typer.Argument(help="Application number.")],
    done: Annotated[str, typer.Option("--done", help="The step done (forward, opinions, ...) or granted/refused.")],
    on: Annotated[str | None, typer.Option("--on", help="Day it was done (default: today).")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Record a step of an application, in the order of its procedure, or its outcome."""
    lang = i18n.language(lang)
    database = connect(db)
    day = parse_date(on) or dt.date.today()
    attempt(lambda: api.record_application_step(database, application, done, day, note), lang)


@app.command("applications")
def applications(
    park: Annotated[str | None, typer.Option("--park", help="Only this park's applications.")] = None,
    number: Annotated[int | None, typer.Option("--id", help="Only this application.")] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only applications with a step past its due date.")
    ] = False,
    today: Annotated[str | None, typer.Option("--today", help="Day to judge lateness on (default: today).")] = None,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Applications with their state, the next step and its due date, and how many days it is late."""
    lang = i18n.language(lang)
    database = connect(db)
    day = parse_date(today) or dt.date.today()
    parks = [park] if park else None
    found = attempt(lambda: api.application_progress(database, day, parks, number, overdue, lang), lang)
    if output == OutputFormat.json:
        print_json(found)
        return
    rows = [
        (
            a["id"],
            a["park_id"],
            a["enterprise_id"] or "",
            a["procedure"],
            a["submitted"],
            a["state"],
            a["next_step"] or "",
            a["next_due"] or "",
            f"[red]{a['days_late']}[/red]" if a["overdue"] else "",
        )
        for a in found
    ]
    headers = ["id", "park", "enterprise", "procedure", "submitted", "state", "next", "due", "days late"]
    print_table(f"applications on {day.isoformat()}", headers, rows)

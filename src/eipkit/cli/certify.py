"""`eipkit certify`: Decree 35/2022 criteria, gaps, eco-enterprises, dossiers, time limits and annual reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from eipkit import api, i18n
from eipkit.api.registry import connect
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
    progress,
)

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


def _show(evaluation: dict[str, Any], lang: str) -> None:
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


T = TypeVar("T")
ScopeParks = Annotated[list[str] | None, typer.Option("--park", help="Park ID (repeat); default: every park.")]
ScopeProvince = Annotated[str | None, typer.Option("--province", help="Every park of a provincial unit.")]
NationalOption = Annotated[bool, typer.Option("--national", help="Every park (the default without --park/--province).")]
TimeLimitOption = Annotated[
    float, typer.Option("--time-limit", help="Stop after this many seconds and say how many parks were judged.")
]


def _heads(lang: str) -> Callable[[str], str]:
    """The impact tables' column headings in the reader's language."""
    return lambda key: i18n.t(f"impact.head.{key}", lang)


def _scope(park: list[str] | None, province: str | None, national: bool) -> tuple[list[str] | None, str | None]:
    if national and (park or province):
        raise fail("--national covers every park: give it alone, or --park / --province")
    if park and province:
        raise fail("give --park or --province, not both")
    return park or None, province


def _reporting(work: Callable[[Callable[[str], None]], T], lang: str) -> T:
    """Run work that reports each park it judges, with the report on a status line."""
    with progress() as bar:
        task = bar.add_task("", total=None)
        return attempt(lambda: work(lambda text: bar.update(task, description=text)), lang)


def _standing(value: str, lang: str) -> str:
    colour = {"eligible": "green", "not_eligible": "red", "undetermined": "yellow"}.get(value, "dim")
    return f"[{colour}]{i18n.t(f'impact.standing.{value}', lang)}[/{colour}]"


@app.command("compare")
def compare(
    packs: Annotated[
        list[str], typer.Option("--rules", help="Rule pack id or draft pack file (repeat; the first is the baseline).")
    ],
    park: ScopeParks = None,
    province: ScopeProvince = None,
    national: NationalOption = False,
    year: YearOption = None,
    changed_only: Annotated[bool, typer.Option("--changed-only", help="Only parks whose standing changes.")] = False,
    time_limit: TimeLimitOption = 600.0,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Every park and enterprise in scope under each rule pack: eligible, not eligible (a criterion fails) or
    undetermined (none fails, some cannot be judged), what changes from the first pack to the last and which
    criterion causes it."""
    from eipkit.api import regulation
    from eipkit.certification.impact import STANDINGS

    lang = i18n.language(lang)
    park_ids, province = _scope(park, province, national)
    database = connect(db)
    found, coverage = _reporting(
        lambda report: regulation.compare(
            database, packs, park_ids, province, year, time_limit_s=time_limit, progress=report
        ),
        lang,
    )
    payload = regulation.comparison_dict(found, coverage, lang)
    if output == OutputFormat.json:
        print_json(payload)
        return
    t = _heads(lang)
    ids = [p["id"] for p in payload["packs"]]

    def rows(subjects: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [
            (
                s["id"],
                s["name"],
                s["province"],
                *(_standing(v, lang) for v in s["standings"]),
                "\n".join(
                    f"{c['criterion']} {c['title']} ({i18n.t('impact.change.' + c['change'], lang)})"
                    for c in s["causes"]
                ),
            )
            for s in subjects
            if s["changed"] or not changed_only
        ]

    title = i18n.t("impact.title.compare", lang, packs=" → ".join(ids))
    park_rows = rows(payload["parks"])
    print_table(title, [t("park"), t("name"), t("province"), *ids, t("causes")], park_rows)
    if changed_only and not park_rows:
        print(i18n.t("impact.nothing_changed", lang))
    changed = [e for e in payload["enterprises"] if e["changed"]]
    if changed:
        head = [t("enterprise"), t("name"), t("province"), *ids, t("causes")]
        print_table(i18n.t("impact.title.enterprises", lang), head, rows(changed))
    both = list(zip(payload["park_counts"], payload["enterprise_counts"], strict=True))
    counts = [(i18n.t(f"impact.standing.{s}", lang), *(f"{p[s]} / {e[s]}" for p, e in both)) for s in STANDINGS]
    print_table(i18n.t("impact.title.counts", lang), ["", *ids], counts)
    if payload["note"]:
        print(payload["note"])


@app.command("diff")
def diff(
    first: Annotated[str, typer.Argument(help="A rule pack id or pack file.")],
    second: Annotated[str, typer.Argument(help="Another rule pack id or pack file.")],
    output: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Two packs' criteria side by side (paired as the packs declare, else by what they measure): thresholds,
    wording, new, dropped and redefined criteria."""
    from eipkit.api import regulation

    lang = i18n.language(lang)
    sides = attempt(lambda: regulation.diff(first, second), lang)

    def side(c: Any) -> dict[str, Any] | None:
        if c is None:
            return None
        return {
            "id": c.id,
            "title": c.title[lang],
            "threshold": c.threshold.text(lang) if c.threshold else None,
            "wording": c.wording,
        }

    payload: dict[str, list[dict[str, Any]]] = {
        kind: [
            {"measure": p.measure, "change": p.change, "first": side(p.first), "second": side(p.second)} for p in pairs
        ]
        for kind, pairs in sides.items()
    }
    if output == OutputFormat.json:
        print_json(payload)
        return

    def cell(c: dict[str, Any] | None) -> str:
        return "-" if c is None else f"{c['id']} {c['title']}\n{c['threshold'] or ''} [{c['wording']}]"

    t = _heads(lang)
    for kind in ("park", "enterprise"):
        if not payload[kind]:
            continue
        rows = [
            (cell(p["first"]), cell(p["second"]), i18n.t(f"impact.change.{p['change']}", lang)) for p in payload[kind]
        ]
        title = i18n.t("impact.title.diff", lang, first=first, second=second) + f" ({t(kind)})"
        print_table(title, [first, second, t("change")], rows)


@app.command("sweep")
def sweep(
    pack: PackOption,
    criterion: Annotated[str, typer.Option("--criterion", help="The criterion whose threshold moves.")],
    low: Annotated[float, typer.Option("--from", help="First threshold.")],
    high: Annotated[float, typer.Option("--to", help="Last threshold.")],
    step: Annotated[float, typer.Option("--step", help="Between thresholds.")] = 5.0,
    park: ScopeParks = None,
    province: ScopeProvince = None,
    national: NationalOption = False,
    year: YearOption = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="Also write the sweep as a chart (.html).")] = None,
    time_limit: TimeLimitOption = 600.0,
    output: FormatOption = OutputFormat.table,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """How many parks meet a criterion, fail none, meet all, and how many eco-enterprises they hold, as one
    threshold moves (e.g. the RECP share from 10% to 40%)."""
    from eipkit.api import regulation

    lang = i18n.language(lang)
    park_ids, province = _scope(park, province, national)
    try:
        thresholds = regulation.thresholds_between(low, high, step)
    except ValueError as exc:
        raise fail(f"--from {low} --to {high} --step {step}: {exc}") from None
    database = connect(db)
    steps, coverage = _reporting(
        lambda report: regulation.sweep(
            database, pack, criterion, thresholds, park_ids, province, year, time_limit, progress=report
        ),
        lang,
    )
    note = coverage.note()
    if output == OutputFormat.json:
        print_json(
            {
                "pack": pack,
                "criterion": criterion,
                "steps": [s.__dict__ for s in steps],
                "coverage": {"parks": coverage.parks, "of": coverage.of, "complete": coverage.complete},
                "note": note.text(lang) if note else None,
            }
        )
    else:
        t = _heads(lang)
        rows = [
            (
                i18n.number(s.threshold, lang, 0 if float(s.threshold).is_integer() else 2),
                s.parks,
                s.parks_meeting,
                s.parks_not_failing,
                s.parks_eligible,
                s.eco_enterprises,
            )
            for s in steps
        ]
        heads = [t("threshold"), t("parks"), t("meeting"), t("not_failing"), t("eligible"), t("eco")]
        print_table(i18n.t("impact.title.sweep", lang, criterion=criterion, pack=pack), heads, rows, right=range(6))
        if note:
            print(note.text(lang))
    if chart is not None:
        from eipkit.reports import regulation_chart

        regulation_chart.write(chart, pack, criterion, steps, lang)

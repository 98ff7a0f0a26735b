"""`eipkit recp`: indicators, sector benchmarks, options, business cases and the cleaner-production assessment."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from eipkit import api, i18n, reference
from eipkit.api.registry import connect
from eipkit.cli.common import (
    DateOption,
    DbOption,
    FormatOption,
    LangOption,
    OutputFormat,
    attempt,
    fail,
    figure,
    parse_date,
    print_json,
    print_table,
    refusal,
)
from eipkit.errors import NotFound
from eipkit.recp.finance import business_case

app = typer.Typer(help="Resource efficiency and cleaner production (RECP) of an enterprise.", no_args_is_help=True)
assessment_app = typer.Typer(help="The cleaner-production assessment: 6 steps, 18 tasks.", no_args_is_help=True)
app.add_typer(assessment_app, name="assessment")

EnterpriseOption = Annotated[str, typer.Option("--enterprise", help="Enterprise ID.")]
YearOption = Annotated[int, typer.Option("--year", help="Year of the records.")]


@app.command("indicators")
def indicators_(
    enterprise: EnterpriseOption,
    year: YearOption,
    db: DbOption = None,
    output: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Resource productivity and pollution intensity of an enterprise for a year."""
    lang = i18n.language(lang)
    database = connect(db)
    result = attempt(lambda: api.enterprise_indicators(database, enterprise, year), lang)
    if output is OutputFormat.json:
        print_json(result.as_dict() | {"provenance": _origin(database, enterprise, year)})
        return
    rows = [(i18n.t(f"ind.{k}", lang), figure(v, lang, 3)) for k, v in result.values.items()]
    print_table(f"{enterprise} · {year}", [i18n.t("ui.indicator", lang), i18n.t("ui.value", lang)], rows, right=[1])


@app.command("benchmark")
def benchmark_(
    enterprise: EnterpriseOption,
    year: YearOption,
    db: DbOption = None,
    output: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Where the enterprise stands among the anonymous enterprises of its VSIC division."""
    lang = i18n.language(lang)
    database = connect(db)
    result = attempt(lambda: api.enterprise_benchmark(database, enterprise, year), lang)
    if output is OutputFormat.json:
        print_json(
            {
                "enterprise_id": enterprise,
                "division": result.division,
                "year": year,
                "indicators": {k: p.as_dict() for k, p in result.positions.items()},
                "provenance": _origin(database, enterprise, year, "benchmark"),
            }
        )
        return
    headers = [
        i18n.t(k, lang)
        for k in ("ui.indicator", "ui.value", "ui.peers", "ui.q1", "ui.median", "ui.q3", "ui.percentile")
    ]
    rows = []
    for key, p in result.positions.items():
        if p.status != "ok":
            rows.append(
                (
                    i18n.t(f"ind.{key}", lang),
                    figure(p.value, lang, 2),
                    p.peers,
                    i18n.t(f"ui.{p.status}", lang),
                    "",
                    "",
                    "",
                )
            )
        else:
            rows.append(
                (
                    i18n.t(f"ind.{key}", lang),
                    figure(p.value, lang, 2),
                    p.peers,
                    figure(p.q1, lang, 2),
                    figure(p.median, lang, 2),
                    figure(p.q3, lang, 2),
                    figure(p.percentile, lang, 0),
                )
            )
    print_table(f"{enterprise} · VSIC {result.division} · {year}", headers, rows, right=[1, 2, 3, 4, 5, 6])


@app.command("options")
def options_(
    enterprise: EnterpriseOption,
    year: Annotated[int | None, typer.Option("--year", help="Year of the records (default: the latest).")] = None,
    rate: Annotated[float, typer.Option("--rate", help="Discount rate for the NPV.")] = 0.10,
    db: DbOption = None,
    output: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """RECP options that apply to the enterprise, ranked by the yearly saving estimated from its own records."""
    lang = i18n.language(lang)
    database = connect(db)
    try:
        year = year or api.latest_year(database, enterprise)
        proposals = api.enterprise_options(database, enterprise, year, rate)
    except NotFound as exc:
        raise refusal(exc, lang) from None
    if output is OutputFormat.json:
        options = [p.as_dict(lang) for p in proposals]
        origin = _origin(database, enterprise, year)
        print_json({"enterprise_id": enterprise, "year": year, "rate": rate, "options": options, "provenance": origin})
        return
    headers = [
        i18n.t(k, lang)
        for k in (
            "ui.option",
            "ui.saving",
            "ui.saving_vnd",
            "ui.investment",
            "ui.payback",
            "ui.npv",
            "ui.irr",
            "ui.price_source",
        )
    ]
    rows = [
        (
            p.option.title(lang),
            f"{figure(p.saving, lang, 1)} {p.unit}",
            figure(p.saving_vnd, lang, 0),
            figure(p.case.investment_vnd, lang, 0),
            figure(p.case.simple_payback_years, lang, 1),
            figure(p.case.npv_vnd, lang, 0),
            figure(100 * p.case.irr, lang, 0) + " %" if p.case.irr else "–",
            i18n.t(f"ui.price_{p.price.source}", lang),
        )
        for p in proposals
    ]
    print_table(f"{enterprise} · {year}", headers, rows, right=[1, 2, 3, 4, 5, 6], widths={0: 34})


@app.command("finance")
def finance_(
    investment: Annotated[float, typer.Option("--investment", help="Investment, VND.")],
    annual_saving: Annotated[float, typer.Option("--annual-saving", help="Yearly saving, VND.")],
    years: Annotated[int, typer.Option("--years", help="Lifetime in years.")],
    rate: Annotated[float, typer.Option("--rate", help="Discount rate, e.g. 0.1 for 10%.")],
    output: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Business case of a measure: simple payback, NPV and IRR."""
    lang = i18n.language(lang)
    try:
        case = business_case(investment, annual_saving, years, rate)
    except ValueError as exc:
        raise fail(str(exc)) from None
    if output is OutputFormat.json:
        print_json(case.as_dict())
        return
    rows = [
        (i18n.t("ui.payback", lang), figure(case.simple_payback_years, lang, 2)),
        (i18n.t("ui.npv", lang), figure(case.npv_vnd, lang, 0)),
        (i18n.t("ui.irr", lang), figure(100 * case.irr, lang, 2) + " %" if case.irr is not None else "–"),
    ]
    print_table(
        i18n.t("ui.business_case", lang), [i18n.t("ui.indicator", lang), i18n.t("ui.value", lang)], rows, right=[1]
    )


@assessment_app.command("start")
def assessment_start(
    enterprise: EnterpriseOption,
    focus: Annotated[str, typer.Option("--focus", help="Focus area (the most wasteful process step).")],
    team: Annotated[str, typer.Option("--team", help="Team members, separated by ';'.")] = "",
    consultant: Annotated[str | None, typer.Option("--consultant", help="Assigned consultant.")] = None,
    date: DateOption = None,
    db: DbOption = None,
) -> None:
    """Start a cleaner-production assessment of an enterprise: its 18 tasks are created, not started."""
    try:
        result = api.start_assessment(
            connect(db),
            enterprise,
            focus,
            [t.strip() for t in team.split(";") if t.strip()],
            parse_date(date),
            consultant,
        )
    except NotFound as exc:
        raise refusal(exc) from None
    print_json({"assessment_id": result.assessment_id, "enterprise_id": enterprise, "status": result.status})


@assessment_app.command("task")
def assessment_task(
    assessment: Annotated[int, typer.Option("--assessment", help="Assessment number.")],
    task: Annotated[int, typer.Option("--task", help="Task 1 to 18.")],
    status: Annotated[str, typer.Option("--status", help="not_started, in_progress, done or skipped.")],
    date: DateOption = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Set the status of a task of an assessment, with its date."""
    lang = i18n.language(lang)
    result = attempt(
        lambda: api.update_assessment_task(connect(db), assessment, task, status, parse_date(date), note), lang
    )
    print_json({"assessment_id": assessment, "status": result.status, "current_step": result.current_step})


@assessment_app.command("link")
def assessment_link(
    assessment: Annotated[int, typer.Option("--assessment", help="Assessment number.")],
    opportunity: Annotated[str, typer.Option("--opportunity", help="Opportunity ID produced by the assessment.")],
    db: DbOption = None,
) -> None:
    """Record that an opportunity came out of an assessment."""
    try:
        api.link_assessment_opportunity(connect(db), assessment, opportunity)
    except NotFound as exc:
        raise refusal(exc) from None


@assessment_app.command("show")
def assessment_show(
    enterprise: EnterpriseOption,
    db: DbOption = None,
    output: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """The assessments of an enterprise with every task's status and dates."""
    lang = i18n.language(lang)
    found = attempt(lambda: api.enterprise_assessments(connect(db), enterprise), lang)
    if output is OutputFormat.json:
        print_json(
            [
                {
                    "assessment_id": a.assessment_id,
                    "focus_area": a.focus_area,
                    "team": a.team,
                    "consultant": a.consultant,
                    "started_on": a.started_on,
                    "status": a.status,
                    "current_step": a.current_step,
                    "opportunities": a.opportunity_ids,
                    "tasks": [
                        {
                            "task": t.task,
                            "step": t.step,
                            "status": t.status,
                            "started_on": t.started_on,
                            "completed_on": t.completed_on,
                            "note": t.note,
                        }
                        for t in a.tasks
                    ],
                }
                for a in found
            ]
        )
        return
    tasks = reference.cp_tasks()
    for a in found:
        rows = [
            (
                t.step,
                t.task,
                tasks[t.task].title_vi if lang == "vi" else tasks[t.task].title_en,
                t.status,
                t.started_on,
                t.completed_on,
            )
            for t in a.tasks
        ]
        print_table(
            f"#{a.assessment_id} · {a.focus_area} · {a.status}", ["step", "task", "", "status", "start", "end"], rows
        )


def _origin(database: Any, enterprise: str, year: int, *methods: str) -> dict[str, Any]:
    """The provenance of an enterprise's figures of a year: its factors and fuels, its default prices."""
    from eipkit import reference

    origin = api.accounts_provenance(database, [api.enterprise_kpi(database, enterprise, year)])
    origin.methods += list(methods)
    origin.price_day = reference.price_day(year)
    return origin.as_dict()

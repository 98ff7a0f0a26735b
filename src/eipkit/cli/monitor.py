"""`eipkit monitor`: opportunities through their stages, and savings measured from records."""

from __future__ import annotations

from typing import Annotated

import typer

from eipkit import api, i18n
from eipkit.api.registry import connect
from eipkit.cli.common import (
    DateOption,
    DbOption,
    FormatOption,
    LangOption,
    OutputFormat,
    attempt,
    console,
    fail,
    figure,
    parse_date,
    print_json,
    print_table,
    refusal,
)
from eipkit.errors import NotFound

app = typer.Typer(help="Monitoring: opportunity stages and measured savings.", no_args_is_help=True)
OpportunityOption = Annotated[str, typer.Option("--opportunity", help="Opportunity ID.")]


@app.command("stage")
def stage(
    opportunity: OpportunityOption,
    to: Annotated[
        str, typer.Option("--stage", help="identified, proposed, feasibility, implementing, implemented or dropped.")
    ],
    date: DateOption = None,
    basis: Annotated[str | None, typer.Option("--basis", help="expected or measured.")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Move an opportunity to another stage; the change is kept in its dated history."""
    lang = i18n.language(lang)
    if basis is not None and basis not in ("expected", "measured"):
        raise fail("--basis must be expected or measured")
    event = attempt(lambda: api.move_opportunity(connect(db), opportunity, to, parse_date(date), basis, note), lang)
    print_json(
        {"opportunity_id": opportunity, "stage": event.stage, "previous": event.previous, "date": event.occurred_on}
    )


@app.command("history")
def history(
    opportunity: OpportunityOption,
    db: DbOption = None,
    output: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """The dated stage changes of an opportunity."""
    lang = i18n.language(lang)
    events = attempt(lambda: api.opportunity_history(connect(db), opportunity), lang)
    if output is OutputFormat.json:
        print_json(
            [
                {"date": e.occurred_on, "stage": e.stage, "previous": e.previous, "basis": e.basis, "note": e.note}
                for e in events
            ]
        )
        return
    print_table(
        opportunity,
        [i18n.t("ui.date", lang), "", i18n.t("ui.stage", lang), "", ""],
        [(e.occurred_on, e.previous or "", e.stage, e.basis or "", e.note or "") for e in events],
    )


@app.command("savings")
def savings(
    enterprise: Annotated[str, typer.Option("--enterprise", help="Enterprise ID.")],
    baseline: Annotated[
        list[int], typer.Option("--baseline", help="Baseline year; repeat it for 3 or more years (a regression).")
    ],
    year: Annotated[int, typer.Option("--year", help="Reporting year.")],
    apply_to: Annotated[
        list[str] | None,
        typer.Option(
            "--apply-to", help="Store the result (its share) on this opportunity as measured savings; repeat."
        ),
    ] = None,
    db: DbOption = None,
    output: FormatOption = OutputFormat.table,
    lang: LangOption = None,
) -> None:
    """Savings measured from records (IPMVP Option C): the baseline adjusted to the reporting year's production
    (scaled from one year, regressed on three or more), avoided CO2 and cost at the reporting year's factors."""
    lang = i18n.language(lang)
    database = connect(db)
    try:
        result = api.enterprise_measured_savings(database, enterprise, baseline, year)
        attribution = api.apply_measured_savings(database, apply_to, result, enterprise) if apply_to else None
    except (NotFound, ValueError) as exc:
        raise refusal(exc, lang) from None
    if output is OutputFormat.json:
        extra = {"attribution": attribution.as_dict()} if attribution else {}
        origin = api.savings_provenance(database, result).as_dict()
        print_json({"enterprise_id": enterprise} | result.as_dict(lang) | extra | {"provenance": origin})
        return
    rows = [
        (
            i18n.t(f"saving.{k}", lang),
            figure(a.baseline, lang),
            figure(a.adjusted_baseline, lang),
            figure(a.reporting, lang),
            figure(a.avoided, lang),
        )
        for k, a in result.avoided.items()
    ]
    headers = [
        i18n.t(k, lang) for k in ("ui.indicator", "ui.baseline", "ui.adjusted_baseline", "ui.reporting", "ui.avoided")
    ]
    periods = ", ".join(result.baseline_periods)
    print_table(
        f"{enterprise} · {periods} → {year} · {result.normaliser} × {result.production_ratio:.3f}",
        headers,
        rows,
        right=[1, 2, 3, 4],
    )
    if result.fits:
        print_table(
            i18n.t("sav.fits", lang),
            ["", i18n.t("sav.fixed", lang), i18n.t("sav.variable", lang), "R²", "CV(RMSE)"],
            [
                (item, figure(f.fixed, lang, 2), figure(f.variable, lang, 6), figure(f.r2, lang, 3),
                 f"{f.cv_rmse:.1%}" if f.cv_rmse is not None else "–")
                for item, f in result.fits.items()
            ],
            right=[1, 2, 3, 4],
        )  # fmt: skip
    for note in result.notes:
        console.print(f"- {note.text(lang)}", highlight=False)
    if attribution:
        measures: dict[str, float] = attribution.as_dict()["measures"]  # type: ignore[assignment]
        shares = ", ".join(f"{k} {v:.0%}" for k, v in measures.items())
        console.print(i18n.t("sav.note.split", lang, count=len(measures), shares=shares), highlight=False)

"""`eipkit symbiosis`: the exchange network and water reuse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from eipkit import api, i18n
from eipkit.api.registry import connect
from eipkit.cli.common import (
    DbOption,
    LangOption,
    attempt,
    fail,
    figure,
    print_json,
    print_table,
    solve_progress,
)
from eipkit.reports import candidate_workbook

app = typer.Typer(help="Industrial symbiosis: optimised exchange networks and water reuse.", no_args_is_help=True)


TimeLimitOption = Annotated[
    float, typer.Option("--time-limit", help="Seconds the solve may take (0: no limit); the answer says its gap.")
]
QuietOption = Annotated[bool, typer.Option("--quiet", help="No progress line on standard error.")]


MemoryOption = Annotated[
    float | None,
    typer.Option("--max-memory-gb", help="Memory the solve may use (default: 80% of what is free); more is refused."),
]


def _limits(time_limit: float, gap: float, memory_gb: float | None = None) -> Any:
    from eipkit.symbiosis import engine

    memory = None if memory_gb is None else int(memory_gb * 1024**3)
    return engine.Limits(time_limit_s=time_limit or None, gap=gap, memory_bytes=memory)


@app.command("solve")
def solve(
    path: Annotated[Path, typer.Argument(help="Problem file (JSON; see the README for its fields).")],
    objective: Annotated[str, typer.Option("--objective", help="cost or co2.")] = "cost",
    pareto: Annotated[int | None, typer.Option("--pareto", help="N points of the money/CO2 trade-off.")] = None,
    time_limit: TimeLimitOption = 60.0,
    gap: Annotated[float, typer.Option("--gap", help="Relative gap at which the solve may stop.")] = 1e-4,
    output: Annotated[str, typer.Option("--format", help="json (the only format).")] = "json",
    quiet: QuietOption = False,
    max_memory_gb: MemoryOption = None,
    lang: LangOption = None,
) -> None:
    """Optimise the exchange network of a problem file, one park or the whole country: the method is chosen by the
    problem's size (see README); prints the links with flow, money and CO2, the status, the proven bound and gap."""
    from eipkit.symbiosis import engine, problem

    lang = i18n.language(lang)
    if objective not in ("cost", "co2"):
        raise fail("--objective must be cost or co2")
    if output != "json":
        raise fail("--format must be json")
    try:
        exchange = problem.load(path)
    except problem.ProblemError as exc:
        raise fail(f"{path}: {exc.text(lang)}", code=2) from None
    if pareto is not None:
        if pareto < 2:
            raise fail("--pareto needs at least 2 points")
        points = attempt(lambda: engine.pareto(exchange, pareto, _limits(time_limit, gap)), lang)
        print_json({"pareto": [p.as_dict() | {"links": len(p.links)} for p in points]})
        return
    with solve_progress(quiet, lang) as progress:
        limits = _limits(time_limit, gap, max_memory_gb)
        solution = attempt(lambda: engine.solve(exchange, objective, limits, progress), lang)  # type: ignore[arg-type]
    print_json(solution.as_dict())


@app.command("water")
def water_(
    path: Annotated[Path, typer.Argument(help="Water problem file (JSON).")],
    output: Annotated[str, typer.Option("--format", help="json (the only format).")] = "json",
    lang: LangOption = None,
) -> None:
    """Least freshwater (or cost) reuse of water between enterprises under contaminant limits."""
    from eipkit.symbiosis import problem, water

    lang = i18n.language(lang)
    if output != "json":
        raise fail("--format must be json")
    try:
        reuse = water.load(path)
    except problem.ProblemError as exc:
        raise fail(f"{path}: {exc.text(lang)}", code=2) from None
    print_json(water.solve(reuse).as_dict())


def _scope(park: list[str] | None, province: str | None, all_parks: bool) -> None:
    if sum(bool(x) for x in (park, province, all_parks)) != 1:
        raise fail("give one of --park, --province or --all")


@app.command("candidates")
def candidates_(
    park: Annotated[list[str] | None, typer.Option("--park", help="Park ID (repeat for several).")] = None,
    province: Annotated[str | None, typer.Option("--province", help="Every park of a province.")] = None,
    all_parks: Annotated[bool, typer.Option("--all", help="Every park.")] = False,
    max_distance: Annotated[float | None, typer.Option("--max-distance", help="km by road.")] = None,
    kb: Annotated[str | None, typer.Option("--kb", help="Your own knowledge-base entries (CSV).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Also write the list to an .xlsx to edit.")] = None,
    output: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Candidate exchanges between enterprises, each with its reasons and estimated money, CO2 and tonnes."""
    lang = i18n.language(lang)
    _scope(park, province, all_parks)
    database = connect(db)
    found = attempt(lambda: api.symbiosis_candidates(database, park or None, province, kb, max_distance), lang)
    rows = found.rows(lang)
    if out is not None:
        candidate_workbook.write(out, rows, lang)
    if output == "json":
        origin = api.provenance(database, ("symbiosis",)).as_dict()
        print_json({"candidates": rows, "skipped": found.skipped, "provenance": origin})
        return
    print_table(
        i18n.t("sym.candidates", lang),
        [
            i18n.t(k, lang)
            for k in (
                "sym.from",
                "sym.waste",
                "sym.to",
                "sym.replaces",
                "sym.km",
                "sym.tonnes",
                "sym.money",
                "sym.co2",
                "sym.confidence",
            )
        ],
        [
            (
                r["supply_enterprise"],
                r["waste"],
                r["demand_enterprise"],
                r["replaces"],
                f"{r['distance_km']:.1f}",
                figure(r["max_flow_t"], lang, 0),
                figure(r["money_vnd_per_year"] / 1e6, lang, 0),
                figure(r["co2e_t_per_year"], lang, 0),
                r["confidence"],
            )
            for r in rows[:50]
        ],
        right=[4, 5, 6, 7],
    )


@app.command("optimize")
def optimize(
    park: Annotated[list[str] | None, typer.Option("--park", help="Park ID (repeat for several).")] = None,
    province: Annotated[str | None, typer.Option("--province", help="Every park of a province.")] = None,
    all_parks: Annotated[bool, typer.Option("--all", "--national", help="Every park of the country.")] = False,
    objective: Annotated[str, typer.Option("--objective", help="cost or co2.")] = "cost",
    time_limit: TimeLimitOption = 60.0,
    gap: Annotated[float, typer.Option("--gap", help="Relative gap at which the solve may stop.")] = 1e-4,
    kb: Annotated[str | None, typer.Option("--kb", help="Your own knowledge-base entries (CSV).")] = None,
    quiet: QuietOption = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Optimise the exchange network from the database (a park, a province or the whole country) with the same
    engine as `solve`, and store the links as proposed symbiosis opportunities."""
    lang = i18n.language(lang)
    _scope(park, province, all_parks)
    if objective not in ("cost", "co2"):
        raise fail("--objective must be cost or co2")
    database = connect(db)
    with solve_progress(quiet, lang) as progress:
        _, solution = attempt(
            lambda: api.optimize_symbiosis(
                database, park or None, province, objective, _limits(time_limit, gap), kb, progress
            ),
            lang,
        )
    print_json(solution.as_dict())

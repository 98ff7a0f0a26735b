"""`eipkit symbiosis`: the exchange network and water reuse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from eipkit.cli.common import fail, print_json
from eipkit.symbiosis import network, problem, water

app = typer.Typer(help="Industrial symbiosis: optimised exchange networks and water reuse.", no_args_is_help=True)


@app.command("solve")
def solve(
    path: Annotated[Path, typer.Argument(help="Problem file (JSON; see the README for its fields).")],
    objective: Annotated[str, typer.Option("--objective", help="cost or co2.")] = "cost",
    pareto: Annotated[int | None, typer.Option("--pareto", help="N points of the money/CO2 trade-off.")] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds per solve.")] = None,
    gap: Annotated[float, typer.Option("--gap", help="Relative MIP gap to stop at.")] = 1e-4,
    output: Annotated[str, typer.Option("--format", help="json (the only format).")] = "json",
) -> None:
    """Optimise the exchange network of a problem file; print the selected links with flow, money and CO2."""
    if objective not in ("cost", "co2"):
        raise fail("--objective must be cost or co2")
    if output != "json":
        raise fail("--format must be json")
    try:
        exchange = problem.load(path)
    except problem.ProblemError as exc:
        raise fail(f"{path}: {exc}", code=2) from None
    if pareto is not None:
        if pareto < 2:
            raise fail("--pareto needs at least 2 points")
        points = network.pareto(exchange, pareto, time_limit, gap)
        print_json({"pareto": [p.as_dict() | {"links": len(p.links)} for p in points]})
        return
    print_json(network.solve(exchange, objective, time_limit, gap).as_dict())  # type: ignore[arg-type]


@app.command("water")
def water_(
    path: Annotated[Path, typer.Argument(help="Water problem file (JSON).")],
    output: Annotated[str, typer.Option("--format", help="json (the only format).")] = "json",
) -> None:
    """Least freshwater (or cost) reuse of water between enterprises under contaminant limits."""
    if output != "json":
        raise fail("--format must be json")
    try:
        reuse = water.load(path)
    except problem.ProblemError as exc:
        raise fail(f"{path}: {exc}", code=2) from None
    print_json(water.solve(reuse))

"""`eipkit guide`: the programme's technical guidance on the command line, printed or as PDF."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.markdown import Markdown

from eipkit import guides, i18n
from eipkit.cli.common import LangOption, console, fail, progress


def guide(
    topic: Annotated[
        str | None, typer.Argument(help="recp, symbiosis, certification, monitoring, workbook or results.")
    ] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the guide as PDF to this file.")] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Recompute every worked-example figure on a fresh demo; exit 1 on drift.")
    ] = False,
    lang: LangOption = None,
) -> None:
    """A guide of the programme (Vietnamese by default); without a topic, the list of guides."""
    lang = i18n.language(lang)
    if check:
        raise typer.Exit(_check(lang))
    if topic is None:
        for name in guides.TOPICS:
            console.print(f"{name:15} {guides.guide(name, lang).title}")
        return
    try:
        found = guides.guide(topic, lang)
    except guides.UnknownGuide as exc:
        raise fail(exc.text(lang)) from None
    if pdf is not None:
        guides.pdf(found, pdf)
        console.print(i18n.t("cli.report_written", lang, path=pdf))
        return
    console.print(Markdown(found.text))


def _check(lang: str) -> int:
    from eipkit import demo
    from eipkit.api.registry import connect
    from eipkit.guides import examples

    with tempfile.TemporaryDirectory() as folder, progress() as bar:
        bar.add_task(i18n.t("cli.loading_demo", lang), total=None)
        database = connect(f"sqlite:///{Path(folder) / 'demo.db'}")
        demo.load(database)
        wrong = examples.drift(database)
        database.engine.dispose()
    for key, printed, computed in wrong:
        console.print(i18n.t("guide.drift", lang, figure=key, printed=printed, computed=computed))
    if not wrong:
        console.print(i18n.t("guide.checked", lang, count=len(examples.printed())))
    return 1 if wrong else 0

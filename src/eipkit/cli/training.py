"""`eipkit training`: the trainer's records on the command line (courses, participants, progress, the register as
a workbook) and a participant's answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from eipkit import contract, i18n
from eipkit.api import training
from eipkit.api.registry import connect
from eipkit.cli.common import DbOption, LangOption, attempt, console, parse_date, print_table
from eipkit.training.exercises import catalogue

app = typer.Typer(help="Training courses, participants and their exercises (each in a private sandbox).")


@app.command("course")
def course(
    title: Annotated[str, typer.Option("--title", help="The course's title.")],
    held_on: Annotated[str | None, typer.Option("--on", help="Day it is held, YYYY-MM-DD (default: today).")] = None,
    place: Annotated[str | None, typer.Option("--place", help="Where.")] = None,
    trainer: Annotated[str, typer.Option("--trainer", help="The trainer's account name.")] = "cli",
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Hold a course; prints its number."""
    lang = i18n.language(lang)
    day = parse_date(held_on) or dt.date.today()
    made = attempt(lambda: training.create_course(connect(db), None, title, day, place, trainer), lang)
    console.print(i18n.t("train.course_made", lang, course=made.course_id))


@app.command("participant")
def participant(
    course: Annotated[int, typer.Option("--course", help="The course's number.")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    organisation: Annotated[str, typer.Option("--organisation", help="Organisation.")],
    kind: Annotated[
        str,
        typer.Option("--kind", help="management_board, park_investor, enterprise, consultant, government or other."),
    ],
    gender: Annotated[str, typer.Option("--gender", help="female, male or other.")],
    role: Annotated[str | None, typer.Option("--role", help="Role or position.")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Register a participant; prints the private link of their page (path under the web application)."""
    lang = i18n.language(lang)
    made = attempt(
        lambda: training.add_participant(connect(db), None, course, name, organisation, kind, gender, role), lang
    )
    console.print(i18n.t("train.participant_made", lang, name=made.name, link=f"/training/p/{made.code}"))


@app.command("list")
def listing(
    course: Annotated[int | None, typer.Option("--course", help="One course's participants and progress.")] = None,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The courses, or one course's participants with the exercises they have done."""
    lang = i18n.language(lang)
    database = connect(db)
    t = i18n.t
    if course is None:
        rows = [
            [c.course_id, c.title, i18n.date(c.held_on, lang), c.place or "", c.trainer]
            for c in training.courses(database, None)
        ]
        heads = ["#"] + [t(f"train.head.{k}", lang) for k in ("course", "held_on", "place", "trainer")]
        print_table(t("train.title", lang), heads, rows)
        return
    _, found = attempt(lambda: training.course_progress(database, None, course), lang)
    total = len(catalogue())
    rows = [
        [
            p.participant.name,
            p.participant.organisation,
            contract.enum_label("gender", p.participant.gender, lang),
            f"{len(p.done)}/{total}",
        ]
        for p in found
    ]
    heads = [t(f"train.head.{k}", lang) for k in ("name", "organisation", "gender", "progress")]
    print_table(t("train.head.participants", lang), heads, rows)


@app.command("export")
def export(
    course: Annotated[int, typer.Option("--course", help="The course's number.")],
    out: Annotated[Path, typer.Option("--out", help="The workbook to write (.xlsx).")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """The course's register with each participant's progress, as a workbook."""
    from eipkit.reports import training_register

    lang = i18n.language(lang)
    database = connect(db)
    held, _ = attempt(lambda: training.course_progress(database, None, course), lang)
    headers, rows = training.export_rows(database, None, course, lang)
    training_register.write(out, f"{held.title} · {i18n.date(held.held_on, lang)}", headers, rows)
    console.print(i18n.t("train.export_written", lang, path=out))


@app.command("answer")
def answer(
    code: Annotated[str, typer.Option("--code", help="The participant's code (the end of their private link).")],
    exercise: Annotated[str, typer.Option("--exercise", help="The exercise's id.")],
    given: Annotated[str, typer.Option("--answer", help="The answer, as the participant writes it.")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Check a participant's answer on their sandbox and record it; exit 1 when it is not right yet."""
    lang = i18n.language(lang)
    verdict = attempt(lambda: training.answer(connect(db), code, exercise, given, lang), lang)
    console.print(verdict.feedback.text(lang))
    if not verdict.correct:
        raise typer.Exit(1)


@app.command("exercises")
def exercises(lang: LangOption = None) -> None:
    """The exercises and the guide section each one practises."""
    lang = i18n.language(lang)
    rows = [[e.exercise_id, e.title[lang], f"/guide/{e.guide}#{e.anchor}"] for e in catalogue().values()]
    print_table(i18n.t("train.exercises", lang), ["id", i18n.t("guide.head.title", lang), "guide"], rows)

"""Keeping a deployment: backups, signing keys, and moving an enterprise or a park (audited, as the operator)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from eipkit import access, i18n
from eipkit.api import registry
from eipkit.api.registry import connect
from eipkit.cli.common import DbOption, LangOption, attempt, console

keys_app = typer.Typer(help="The keys that sign web sessions and API tokens.", no_args_is_help=True)
move_app = typer.Typer(help="Move an enterprise to another park, or a park to another province (audited).")


def _operator() -> access.User:
    return access.operator(getpass.getuser())


def upgrade(db: DbOption = None) -> None:
    """Bring the database's schema to this version's latest migration (every command does so before it runs; this
    one does nothing else: run it once when upgrading a deployment, before restarting its processes)."""
    from alembic.runtime.migration import MigrationContext

    database = connect(db)
    with database.engine.connect() as connection:
        console.print(
            f"{database.url}: schema at revision {MigrationContext.configure(connection).get_current_revision()}"
        )


def backup(
    out: Annotated[Path, typer.Option("--out", help="The backup file to write.")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Copy the whole database (records, accounts, audit log, applications...) while it stays in use: SQLite's
    backup API, or pg_dump's custom format for PostgreSQL."""
    lang = i18n.language(lang)
    written = attempt(lambda: registry.backup(connect(db), out), lang)
    console.print(i18n.t("backup.written", lang, path=written, size=f"{written.stat().st_size / 1e6:.1f}"))


def restore(
    source: Annotated[Path, typer.Argument(help="A file written by eipkit backup.")],
    yes: Annotated[bool, typer.Option("--yes", help="Replace the database without asking.")] = False,
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Replace everything in the database by a backup of the same kind of database."""
    lang = i18n.language(lang)
    database = connect(db)
    if not yes:
        typer.confirm(i18n.t("backup.confirm", lang, db=database.url), abort=True)
    attempt(lambda: registry.restore(database, source), lang)
    console.print(i18n.t("backup.restored", lang, path=source, db=database.url))


@keys_app.command("rotate")
def rotate(
    keep: Annotated[int, typer.Option("--keep", help="Old keys that still verify (0 signs everyone out).")] = 1,
) -> None:
    """Start signing with a new key; sessions signed with the kept old keys stay valid until they expire."""
    from eipkit.web.keys import rotate as rotate_keys

    path = attempt(lambda: rotate_keys(keep))
    console.print(f"{path}: new signing key, {keep} old key(s) kept")


@move_app.command("enterprise")
def move_enterprise(
    enterprise: Annotated[str, typer.Argument(help="Enterprise ID.")],
    park: Annotated[str, typer.Option("--park", help="The park it moves to.")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    from eipkit.api import changes

    lang = i18n.language(lang)
    attempt(lambda: changes.move_enterprise(connect(db), _operator(), enterprise, park), lang)
    console.print(i18n.t("move.done", lang, what=enterprise, where=park))


@move_app.command("park")
def move_park(
    park: Annotated[str, typer.Argument(help="Park ID.")],
    province: Annotated[str, typer.Option("--province", help="The province it now belongs to.")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    from eipkit.api import changes

    lang = i18n.language(lang)
    attempt(lambda: changes.move_park(connect(db), _operator(), park, province), lang)
    console.print(i18n.t("move.done", lang, what=park, where=province))


reference_app = typer.Typer(help="Reference lists in use: load an official list in place of the shipped one.")
load_app = typer.Typer(help="Load an official list (validated, all or nothing).", no_args_is_help=True)
reference_app.add_typer(load_app, name="load")


@load_app.command("waste-codes")
def load_waste_codes(
    path: Annotated[Path, typer.Argument(help="CSV or .xlsx: code, name_vi [, name_en, mark, ewc].")],
    db: DbOption = None,
    lang: LangOption = None,
) -> None:
    """Load the official waste list (Circular 02/2022/TT-BTNMT Annex III, as amended) in place of the shipped
    extract, whose codes are mostly unverified."""
    from eipkit import api
    from eipkit.cli.core import _print_problems
    from eipkit.workbooks.validate import ImportRejected

    lang = i18n.language(lang)
    try:
        count = api.load_waste_codes(connect(db), path)
    except ImportRejected as rejected:
        _print_problems(rejected, lang)
        raise typer.Exit(2) from None
    console.print(i18n.t("annex.loaded", lang, count=count, source=path.name))


@reference_app.command("waste-codes")
def show_waste_codes(db: DbOption = None, lang: LangOption = None) -> None:
    """The waste codes in use, each with how sure it is."""
    from eipkit import api
    from eipkit.cli.common import print_table

    lang = i18n.language(lang)
    found = api.waste_codes(connect(db))
    rows = [(code, name, confidence) for code, (name, confidence) in sorted(found.codes.items())]
    title = f"{found.source} ({i18n.t('annex.official' if found.official else 'annex.shipped', lang)})"
    print_table(title, ["code", "name_vi", "confidence"], rows)

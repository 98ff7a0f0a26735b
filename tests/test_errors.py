"""One error hierarchy, answered alike by each face: the kind decides the exit code and the HTTP status, the reader's
language the reason (the table of the README's "Every command takes" section)."""

from __future__ import annotations

import pytest
import typer
from fastapi import Request

from eipkit import errors, i18n
from eipkit.cli.common import refusal
from eipkit.monitoring.stages import StageError
from eipkit.store import Database
from eipkit.web import create_app
from eipkit.web.security import LANG_COOKIE
from eipkit.workbooks.cells import CellError
from web_client import browser

KINDS = [  # kind, exit code, HTTP status: the README's table
    (errors.BadInput, 2, 422),
    (errors.NotFound, 3, 404),
    (errors.NotAllowed, 4, 403),
    (errors.Conflict, 5, 409),
    (errors.LimitReached, 6, 429),
    (errors.EipkitError, 1, 400),
]


@pytest.mark.parametrize(("kind", "exit_code", "status"), KINDS)
def test_each_kind_ends_a_command_with_its_code_and_its_reason(kind: type, exit_code: int, status: int) -> None:
    error = kind("nf.park", park="NOPE")
    ended = refusal(error, "vi")
    assert isinstance(ended, typer.Exit) and ended.exit_code == exit_code
    assert (kind.exit_code, kind.http_status) == (exit_code, status)


@pytest.mark.parametrize(("kind", "exit_code", "status"), KINDS)
def test_each_kind_is_answered_on_the_web_with_its_status_in_the_readers_language(
    demo_copy: Database, kind: type, exit_code: int, status: int
) -> None:
    app = create_app(demo_copy)

    @app.get("/api/refused")
    def refused(request: Request) -> None:
        raise kind("nf.park", park="NOPE")

    client = browser(app, "bo")
    answer = client.get("/api/refused")
    assert answer.status_code == status
    assert answer.json() == {"detail": "Không có khu công nghiệp 'NOPE' trong cơ sở dữ liệu"}
    client.cookies.set(LANG_COOKIE, "en")
    english = client.get("/api/refused")
    assert english.status_code == status and english.json()["detail"] == errors.NotFound("nf.park", park="NOPE").text(
        "en"
    )


def test_the_modules_errors_are_of_the_kinds_that_fit_them() -> None:
    assert issubclass(CellError, errors.BadInput) and issubclass(StageError, errors.Conflict)
    assert issubclass(errors.NotFound, LookupError)  # still caught where a missing key is expected
    assert issubclass(errors.EipkitError, i18n.LocalisedError)

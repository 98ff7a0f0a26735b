"""What can go wrong for a user, in the few kinds each face answers alike: the command line with an exit code, the
web with an HTTP status, both with the reason in the reader's language (`i18n.LocalisedError`). A module raises the
kind that fits, or its own subclass of one; the faces map the kinds once (`cli.common.refusal`, `web.app`)."""

from __future__ import annotations

from typing import Any, ClassVar

from eipkit.i18n import LocalisedError


class EipkitError(LocalisedError):
    """The base of every error a user is told about; a kind states its exit code and HTTP status in its header:
    `class BadInput(EipkitError, exit_code=2, http_status=422)`."""

    exit_code: ClassVar[int] = 1
    http_status: ClassVar[int] = 400

    def __init_subclass__(cls, exit_code: int | None = None, http_status: int | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if exit_code is not None:
            cls.exit_code = exit_code
        if http_status is not None:
            cls.http_status = http_status


class BadInput(EipkitError, exit_code=2, http_status=422):
    """What was given cannot be read or breaks a rule of its format: a cell, a unit, a file, a form field."""


class NotFound(EipkitError, LookupError, exit_code=3, http_status=404):
    """A park, enterprise, opportunity or other record that is not stored."""


class NotAllowed(EipkitError, exit_code=4, http_status=403):
    """The person may not see or make this change, whatever the request claims."""

    def __init__(self, key: str = "web.forbidden", **params: object) -> None:
        super().__init__(key, **params)


class Conflict(EipkitError, exit_code=5, http_status=409):
    """A change the stored state does not allow now: a stage out of order, a step of a procedure refused."""


class LimitReached(EipkitError, exit_code=6, http_status=429):
    """Too much at once: jobs per user, rows of an export, pairs of an optimisation."""


__all__ = ["BadInput", "Conflict", "EipkitError", "LimitReached", "NotAllowed", "NotFound"]

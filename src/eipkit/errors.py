"""What can go wrong for a user, in the few kinds each face answers alike: the command line with an exit code, the
web with an HTTP status, both with the reason in the reader's language (`i18n.LocalisedError`). A module raises the
kind that fits, or its own subclass of one; the faces map the kinds once (`cli.common.attempt`, `web.app`)."""

from __future__ import annotations

from eipkit.i18n import LocalisedError


class EipkitError(LocalisedError):
    """The base of every error a user is told about."""

    exit_code = 1
    http_status = 400


class BadInput(EipkitError):
    """What was given cannot be read or breaks a rule of its format: a cell, a unit, a file, a form field."""

    exit_code = 2
    http_status = 422


class NotFound(EipkitError, LookupError):
    """A park, enterprise, opportunity or other record that is not stored."""

    exit_code = 3
    http_status = 404


class NotAllowed(EipkitError):
    """The person may not see or make this change, whatever the request claims."""

    exit_code = 4
    http_status = 403

    def __init__(self, key: str = "web.forbidden", **params: object) -> None:
        super().__init__(key, **params)


class Conflict(EipkitError):
    """A change the stored state does not allow now: a stage out of order, a step of a procedure refused."""

    exit_code = 5
    http_status = 409


class LimitReached(EipkitError):
    """Too much at once: jobs per user, rows of an export, pairs of an optimisation."""

    exit_code = 6
    http_status = 429


__all__ = ["BadInput", "Conflict", "EipkitError", "LimitReached", "NotAllowed", "NotFound"]

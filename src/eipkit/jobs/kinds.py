"""The work a job can be: each takes the database, its owner's name, its parameters and a progress report, and
answers a JSON-able result. Rights are checked again here, on the stored account, when the work starts: an account
changed or removed since the job was submitted no longer runs it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eipkit import users
from eipkit.errors import NotAllowed
from eipkit.store import Database

Progress = Callable[[Any], None]


def _account(database: Database, owner: str) -> Any:
    user = users.find(database, owner)
    if user is None:
        raise NotAllowed()
    return user


def park_optimisation(database: Database, owner: str, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """A park's exchange network optimised with the one engine; its links stored as proposed opportunities."""
    from eipkit.api import changes

    progress("candidates")
    return changes.optimize_park(database, _account(database, owner), params["park_id"], params["objective"], progress)


def national_symbiosis(database: Database, owner: str, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """The whole country's network for the ministry, as aggregates only; nothing stored."""
    from eipkit import api

    if _account(database, owner).role != "ministry":
        raise NotAllowed()
    progress("candidates")
    return api.national_symbiosis(database, params["objective"], progress=progress, lang=params.get("lang", "vi"))


def regulation_impact(database: Database, owner: str, params: dict[str, Any], progress: Progress) -> dict[str, Any]:
    """Rule packs compared over every park for the ministry, as counts only."""
    from eipkit.api import regulation

    if _account(database, owner).role != "ministry":
        raise NotAllowed()
    return regulation.ministry_summary(
        database, params["packs"], params["criterion"], params["thresholds"], params.get("lang", "vi"),
        progress=progress,
    )  # fmt: skip


KINDS: dict[str, Callable[[Database, str, dict[str, Any], Progress], dict[str, Any]]] = {
    "symbiosis.park": park_optimisation,
    "symbiosis.national": national_symbiosis,
    "certification.impact": regulation_impact,
}

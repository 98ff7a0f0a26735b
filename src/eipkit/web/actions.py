"""Changes made through the application: each checked against the user's rights and written with its audit
entry in one transaction, so a change is never stored without its trail (nor the trail without the change)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from eipkit import access, api, users
from eipkit.access import Place, User
from eipkit.i18n import Message
from eipkit.io.importer import ImportResult, import_path
from eipkit.io.validate import Problem, ValidWorkbook
from eipkit.store import Database, repository, schema

OPPORTUNITY_FIELDS = ("stage", "basis", "cost_saving_vnd", "electricity_mwh", "water_m3", "waste_t", "co2e_t")


def _row_places(valid: ValidWorkbook, session: Session) -> list[tuple[str, int, Place, str]]:
    """Where each row of a workbook belongs: (sheet, row, place, what it names)."""
    provinces = {p.park_id: p.province for p in repository.parks(session)}
    provinces.update({r.values["park_id"]: r.values["province"] for r in valid.rows.get("parks", [])})
    park_of = {e.enterprise_id: e.park_id for e in repository.all_enterprises(session)}
    park_of.update({r.values["enterprise_id"]: r.values["park_id"] for r in valid.rows.get("enterprises", [])})
    found = []
    for sheet, rows in valid.rows.items():
        for row in rows:
            values = row.values
            if sheet in ("parks", "opportunities"):
                park = values["park_id"]
                found.append((sheet, row.row, Place(park, provinces.get(park, "")), park))
            else:
                enterprise = values["enterprise_id"]
                park = park_of.get(enterprise, "")
                found.append((sheet, row.row, Place(park, provinces.get(park, ""), enterprise), enterprise))
    return found


def import_workbook(database: Database, user: User, filename: str, content: bytes) -> ImportResult:
    """Import an uploaded workbook when every row is one the user may write; otherwise nothing is stored and
    every problem (invalid cells and rows out of the user's reach) is listed."""

    def check(valid: ValidWorkbook, session: Session) -> list[Problem]:
        rows = _row_places(valid, session)
        refused = [
            Problem(sheet, row, "", Message("err.not_allowed", what=what))
            for sheet, row, place, what in rows
            if not access.edits(user, place)
        ]
        if not refused:
            for park in sorted({place.park_id for _, _, place, _ in rows}):
                counts = Counter(sheet for sheet, _, place, _ in rows if place.park_id == park)
                users.audit(session, user, "import", "workbook", filename, after=dict(counts), park_id=park)
        return refused

    suffix = Path(filename).suffix.lower() or ".xlsx"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        return import_path(database, path, check=check, source=filename)


def _opportunity_state(stored: schema.Opportunity) -> dict[str, Any]:
    return {f: getattr(stored, f) for f in OPPORTUNITY_FIELDS}


def edit_opportunity(
    database: Database,
    user: User,
    opportunity_id: str,
    stage: str | None,
    savings: dict[str, float | None],
    on: dt.date,
) -> dict[str, Any]:
    """Move an opportunity's stage (dated, checked by the pipeline's rules) and set its savings."""
    with database.transaction() as session:
        stored = repository.opportunity(session, opportunity_id)
        if stored is None:
            raise api.NotFound(opportunity_id)
        before = _opportunity_state(stored)
        if stage and stage != stored.stage:
            repository.move_stage(session, opportunity_id, stage, on, note=f"web: {user.username}")
        if savings:
            repository.set_savings(session, opportunity_id, savings, basis=stored.basis)
        session.flush()
        after = _opportunity_state(stored)
        users.audit(session, user, "edit", "opportunity", opportunity_id, before, after, stored.park_id)
        return after


def opportunity_place(database: Database, opportunity_id: str) -> Place | None:
    with database.sessions() as session:
        stored = repository.opportunity(session, opportunity_id)
        if stored is None:
            return None
        park = repository.park(session, stored.park_id)
        return Place(stored.park_id, park.province if park else "")


def record_audit(
    database: Database, user: User, action: str, entity: str, entity_id: str, after: Any, park_id: str
) -> None:
    with database.transaction() as session:
        users.audit(session, user, action, entity, entity_id, after=after, park_id=park_id)

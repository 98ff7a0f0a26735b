"""What every process serving one database must agree on, kept in the database: the data version (bumped by every
transaction that changes data, so a page cache in any process knows when it is stale) and whether the data are a
synthetic demonstration (said on every page)."""

from __future__ import annotations

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from eipkit.store.schema import Setting

DATA_VERSION = "data_version"
SYNTHETIC = "synthetic"


def data_version(session: Session) -> int:
    value = session.scalar(select(Setting.value).where(Setting.key == DATA_VERSION))
    return int(value or 0)


def bump(session: Session) -> None:
    session.execute(
        update(Setting)
        .where(Setting.key == DATA_VERSION)
        .values(value=text("CAST(CAST(value AS INTEGER) + 1 AS VARCHAR(20))"))
    )


def synthetic(session: Session) -> str | None:
    """'demo' or 'national' when the stored data are the synthetic demonstration, else None."""
    return session.scalar(select(Setting.value).where(Setting.key == SYNTHETIC))


def mark_synthetic(session: Session, which: str) -> None:
    found = session.get(Setting, SYNTHETIC)
    if found is None:
        session.add(Setting(key=SYNTHETIC, value=which))
    elif found.value != which and found.value != "national":
        found.value = which

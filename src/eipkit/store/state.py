"""What every process serving one database must agree on, kept in the database: the data version (bumped by every
transaction that changes data, so a page cache in any process knows when it is stale) and whether the data are a
synthetic demonstration (said on every page)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from eipkit.store.schema import ParkFigures, Setting

DATA_VERSION = "data_version"
SYNTHETIC = "synthetic"


FIGURES_EPOCH = "figures_epoch"
_PARKS = "eipkit_changed_parks"


def _number(session: Session, key: str) -> int:
    return int(session.scalar(select(Setting.value).where(Setting.key == key)) or 0)


def data_version(session: Session) -> int:
    return _number(session, DATA_VERSION)


def figures_epoch(session: Session) -> int:
    return _number(session, FIGURES_EPOCH)


def _increment(session: Session, key: str) -> None:
    session.execute(
        update(Setting).where(Setting.key == key).values(value=text("CAST(CAST(value AS INTEGER) + 1 AS VARCHAR(20))"))
    )


def changes_parks(session: Session, park_ids: Iterable[str]) -> None:
    """Say which parks this transaction changes: only their stored figures are computed again. A transaction that
    says nothing makes every park's figures stale (right, if slower)."""
    session.info.setdefault(_PARKS, set()).update(park_ids)


def bump(session: Session) -> None:
    """The end of a transaction that changed data: the data version, and the versions of the parks it changed."""
    _increment(session, DATA_VERSION)
    parks = session.info.pop(_PARKS, None)
    if parks is None:
        _increment(session, FIGURES_EPOCH)
        return
    known = set(session.scalars(select(ParkFigures.park_id).where(ParkFigures.park_id.in_(list(parks)))))
    if known:
        session.execute(
            update(ParkFigures).where(ParkFigures.park_id.in_(list(known))).values(version=ParkFigures.version + 1)
        )
    session.add_all(ParkFigures(park_id=p, version=1) for p in sorted(parks - known))


def synthetic(session: Session) -> str | None:
    """'demo' or 'national' when the stored data are the synthetic demonstration, else None."""
    return session.scalar(select(Setting.value).where(Setting.key == SYNTHETIC))


def mark_synthetic(session: Session, which: str) -> None:
    found = session.get(Setting, SYNTHETIC)
    if found is None:
        session.add(Setting(key=SYNTHETIC, value=which))
    elif found.value != which and found.value != "national":
        found.value = which

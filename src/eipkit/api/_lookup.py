"""A park, an enterprise or a province as a user names them, found in the store or refused as not found (NotFound,
localised): the one place the api turns a name into stored objects."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from eipkit import provinces
from eipkit.errors import NotFound
from eipkit.model import Enterprise, Park
from eipkit.store import repository


def park_members(session: Session, park_id: str) -> list[str]:
    known_park(session, park_id)  # an unknown park is not found, not an empty one
    return [e.enterprise_id for e in repository.enterprises(session, park_id)]


def known_park(session: Session, park_id: str) -> Park:
    found = repository.park(session, park_id)
    if found is None:
        raise NotFound("nf.park", park=park_id)
    return found


def latest_record_year(session: Session, enterprise_id: str) -> int:
    """The latest year with any record of the enterprise; none at all is not found."""
    years = repository.records(session, [enterprise_id]).years()
    if not years:
        raise NotFound("nf.records_of", enterprise=enterprise_id)
    return years[-1]


def known_enterprise(session: Session, enterprise_id: str) -> Enterprise:
    enterprise = repository.enterprise(session, enterprise_id)
    if enterprise is None:
        raise NotFound("nf.enterprise", enterprise=enterprise_id)
    return enterprise


def parks_in_scope(
    session: Session, park_ids: Sequence[str] | None, province: str | None, cities: bool = False
) -> list[Park]:
    """The parks named, a province's, or all; with `cities`, also the cities of their provinces (for symbiosis:
    park-city exchanges are found from either side)."""
    if province is not None:
        found = province_parks(session, province)
    elif park_ids:
        found = []
        for park_id in park_ids:
            park = repository.park(session, park_id)
            if park is None:
                raise NotFound("nf.park", park=park_id)
            found.append(park)
    else:
        found = repository.parks(session)
    if not cities:
        return found
    chosen = {p.park_id for p in found}
    wanted = {p.province for p in found}
    return found + [
        c for c in repository.parks(session, cities=True) if c.province in wanted and c.park_id not in chosen
    ]


def province_parks(session: Session, province: str, former: bool = False) -> list[Park]:
    """The parks of a province: the unit in force the name belongs to, or with `former` the unit before 2025."""
    if former:
        chosen = provinces.resolve(province).former or province
        parks = [
            p for p in repository.parks(session) if provinces.former_unit(p.province, p.province_as_written) == chosen
        ]
    else:
        parks = repository.parks(session, province=provinces.resolve(province).name)
    if not parks:
        raise NotFound("nf.province", province=province)
    return parks

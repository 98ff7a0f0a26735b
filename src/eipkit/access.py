"""Who may see and change what: the five roles of the programme and the confidentiality of enterprise records.

An enterprise's raw records are seen only by the enterprise, its park's coordinator, a consultant assigned to it
(or to its park) and the management board of its province; the ministry sees aggregates (park and national
figures, certification status, results), never one enterprise's records. Benchmarks are anonymous elsewhere
(`recp.benchmark`, at least 3 peers). The web application asks these questions; they hold no web code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ROLES = ("ministry", "board", "coordinator", "consultant", "enterprise")


@dataclass(frozen=True)
class User:
    username: str
    role: str
    name: str = ""
    province: str | None = None
    park_id: str | None = None
    enterprise_id: str | None = None
    parks: frozenset[str] = field(default_factory=frozenset)
    enterprises: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Place:
    """Where a record sits: its park and that park's province, and the enterprise when there is one."""

    park_id: str
    province: str
    enterprise_id: str | None = None


def sees_park(user: User, park: Place) -> bool:
    """The park's aggregate figures: KPIs, certification, opportunities counted by stage."""
    match user.role:
        case "ministry":
            return True
        case "board":
            return park.province == user.province
        case "coordinator":
            return park.park_id == user.park_id
        case "consultant":
            return park.park_id in user.parks
    return False


def sees_park_details(user: User, park: Place) -> bool:
    """The park's opportunities one by one and its symbiosis candidates (they name enterprises)."""
    return user.role != "ministry" and sees_park(user, park)


def sees_records(user: User, place: Place) -> bool:
    """One enterprise's raw records, indicators, options and reports."""
    match user.role:
        case "enterprise":
            return place.enterprise_id is not None and place.enterprise_id == user.enterprise_id
        case "consultant":
            return place.enterprise_id in user.enterprises or place.park_id in user.parks
        case "board" | "coordinator":
            return sees_park(user, place)
    return False


def edits(user: User, place: Place) -> bool:
    """Changing records, opportunities or applications of a park (enterprise_id None) or of an enterprise."""
    if place.enterprise_id is None:
        return user.role in ("board", "coordinator", "consultant") and sees_park_details(user, place)
    return sees_records(user, place)


def visible_parks(user: User, parks: Iterable[Place]) -> list[Place]:
    """Parks listed for this user: those whose figures they see, and an enterprise's own park."""
    return [p for p in parks if sees_park(user, p) or (user.role == "enterprise" and p.park_id == user.park_id)]


def refused_rows(user: User, rows: Iterable[tuple[str, int, Place]]) -> list[tuple[str, int, Place]]:
    """The (sheet, row, place) of an import this user may not write."""
    return [(sheet, row, place) for sheet, row, place in rows if not edits(user, place)]


def park_places(parks: Iterable[tuple[str, str]]) -> dict[str, Place]:
    return {park_id: Place(park_id, province) for park_id, province in parks}


def enterprise_place(enterprise_id: str, park_id: str, provinces: Mapping[str, str]) -> Place:
    return Place(park_id, provinces.get(park_id, ""), enterprise_id)

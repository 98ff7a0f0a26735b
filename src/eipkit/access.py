"""Who may see and change what: the five roles of the programme and the confidentiality of enterprise records.

An enterprise's raw records are seen only by the enterprise, its park's coordinator, a consultant assigned to it
(or to its park) and the management board of its province; the ministry sees aggregates (park and national
figures, certification status, results), never one enterprise's records. Benchmarks are anonymous elsewhere
(`recp.benchmark`: at least 5 peers, none dominant). The web application asks these questions; they hold no web code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

ROLES = ("ministry", "board", "coordinator", "consultant", "enterprise")
OPERATOR = "operator"  # the command line: whoever holds the database itself; never an account of the web


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
    session_version: int = 0


@dataclass(frozen=True)
class Place:
    """Where a record sits: its park and that park's province, and the enterprise when there is one."""

    park_id: str
    province: str
    enterprise_id: str | None = None


def operator(name: str) -> User:
    """The person running the command line, named in the audit log; they hold the database, so every right."""
    return User(f"cli:{name}", OPERATOR, name)


def sees_park(user: User, park: Place) -> bool:
    """The park's aggregate figures: KPIs, certification, opportunities counted by stage."""
    match user.role:
        case "ministry" | "operator":
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
        case "board" | "coordinator" | "operator":
            return sees_park(user, place)
    return False


def edits(user: User, place: Place) -> bool:
    """Changing records, opportunities or applications of a park (enterprise_id None) or of an enterprise."""
    if place.enterprise_id is None:
        return user.role in ("board", "coordinator", "consultant", "operator") and sees_park_details(user, place)
    return sees_records(user, place)


def moves(user: User, old: Place, new: Place) -> bool:
    """Moving an enterprise to another park needs the right to change both parks as a whole (an enterprise may not
    move itself). A park changes province only from the command line: no board may give a park away or take one,
    and a consultant's assignment says nothing of provinces."""
    if old.park_id == new.park_id and old.province != new.province:
        return user.role == OPERATOR
    return edits(user, Place(old.park_id, old.province)) and edits(user, Place(new.park_id, new.province))


def visible_parks(user: User, parks: Iterable[Place]) -> list[Place]:
    """Parks listed for this user: those whose figures they see, and an enterprise's own park."""
    return [p for p in parks if sees_park(user, p) or (user.role == "enterprise" and p.park_id == user.park_id)]

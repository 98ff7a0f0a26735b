"""The permission matrix: every route the application registers x every role (and no one signed in) x its own place,
another park, another province and another enterprise, against the real application on SQLite and PostgreSQL.

The expected answer of each request comes from `eipkit.access` applied to the place the demo's rows give the
target (never from the application's own lookups); a route without a row here fails the test, so a new route
cannot ship without its rights being stated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from eipkit import access, demo, users
from eipkit.access import Place, User
from eipkit.store import Database, connect
from eipkit.web import create_app
from web_client import ROLE_USERS, api_client, browser, csrf

DEMO = demo.rows()
PROVINCE = {p["park_id"]: p["province"] for p in DEMO["parks"]}
PARK_OF = {e["enterprise_id"]: e["park_id"] for e in DEMO["enterprises"]}
FIRST_OPPORTUNITY = {}
for _o in DEMO["opportunities"]:
    FIRST_OPPORTUNITY.setdefault(_o["park_id"], _o["opportunity_id"])

# own park and province (DEEPC, Hải Phòng) for the coordinator and the board; another park of the same province
# (NAMCAUKIEN, the consultant's park); another province (HIEPPHUOC)
PARKS = ("DEEPC", "NAMCAUKIEN", "HIEPPHUOC")
# the enterprise user's own (and a consultant's assigned one), another of its park, one of another park, one of
# another province
ENTERPRISES = ("DEEPC-001", "DEEPC-003", "NAMCAUKIEN-001", "HIEPPHUOC-001")


def park(park_id: str) -> Place:
    return Place(park_id, PROVINCE[park_id])


def enterprise(enterprise_id: str) -> Place:
    return Place(PARK_OF[enterprise_id], PROVINCE[PARK_OF[enterprise_id]], enterprise_id)


@dataclass(frozen=True)
class Case:
    """One request and who may make it: `allowed(user)` from `eipkit.access`; `status` when allowed."""

    url: str
    allowed: Callable[[User], bool]
    status: int | tuple[int, ...] = 200
    data: dict[str, str] = field(default_factory=dict)
    files: dict[str, Any] | None = None
    json: Any = None


Cases = Callable[[], list[Case]]
ANYONE: Callable[[User], bool] = lambda _user: True  # noqa: E731
NOT_MINISTRY: Callable[[User], bool] = lambda user: user.role != "ministry"  # noqa: E731
TRAINS: Callable[[User], bool] = lambda user: user.role in ("ministry", "board", "consultant")  # noqa: E731


def by_park(path: str, rule: Callable[[User, Place], bool], status: int | tuple[int, ...] = 200, **kw: Any) -> Cases:
    return lambda: [Case(path.format(p), lambda u, p=p: rule(u, park(p)), status, **kw) for p in PARKS]


def by_enterprise(
    path: str, rule: Callable[[User, Place], bool], status: int | tuple[int, ...] = 200, chosen=ENTERPRISES, **kw: Any
) -> Cases:
    return lambda: [Case(path.format(e), lambda u, e=e: rule(u, enterprise(e)), status, **kw) for e in chosen]


def province_rule(province: str) -> Callable[[User], bool]:
    return lambda u: u.role == "ministry" or (u.role == "board" and u.province == province)


def moves_within(user: User, place: Place) -> bool:
    return access.sees_records(user, place) and access.moves(user, place, park(place.park_id))


# Each route of the application, as (method, path) exactly as registered, with the requests that exercise it.
# Changes are sent so that an allowed person gets past the check and is then refused for the content (a stage
# that does not exist, a date that is not one, no file) or changes nothing (a move to the park it is in), so the
# matrix leaves the data as it found it.
PAGES: dict[tuple[str, str], Cases] = {
    ("GET", "/login"): lambda: [Case("/login", ANYONE)],
    ("POST", "/login"): lambda: [Case("/login", ANYONE, 401, data={"username": "nobody", "password": "x"})],
    ("POST", "/logout"): lambda: [Case("/logout", ANYONE, 303)],
    ("GET", "/"): lambda: [Case("/", ANYONE, (200, 303))],
    ("GET", "/national"): lambda: [Case("/national", lambda u: u.role == "ministry")],
    ("GET", "/national/symbiosis"): lambda: [Case("/national/symbiosis", lambda u: u.role == "ministry")],
    ("POST", "/national/symbiosis/optimize"): lambda: [
        Case("/national/symbiosis/optimize", lambda u: u.role == "ministry", 400, data={"objective": "x"})
    ],
    ("GET", "/national/regulation"): lambda: [Case("/national/regulation", lambda u: u.role == "ministry")],
    ("POST", "/national/regulation"): lambda: [
        Case("/national/regulation", lambda u: u.role == "ministry", 400, data={"first": "x", "second": "x"})
    ],
    ("GET", "/provinces/{province}"): lambda: [
        Case(f"/provinces/{p}", province_rule(p)) for p in ("Hải Phòng", "Thành phố Hồ Chí Minh")
    ],
    ("GET", "/parks/{park_id}"): by_park("/parks/{}", access.sees_park),
    ("GET", "/parks/{park_id}/opportunities"): by_park("/parks/{}/opportunities", access.sees_park_details),
    ("POST", "/opportunities/{opportunity_id}"): lambda: [
        Case(f"/opportunities/{FIRST_OPPORTUNITY[p]}", lambda u, p=p: access.edits(u, park(p)), data={"stage": "x"})
        for p in PARKS
    ],
    ("GET", "/parks/{park_id}/symbiosis"): by_park("/parks/{}/symbiosis", access.sees_park_details),
    # an unknown candidate: not found for those who may change the park, refused for the rest (two parks: the
    # candidates are computed for each request)
    ("POST", "/parks/{park_id}/symbiosis/propose"): lambda: [
        Case(f"/parks/{p}/symbiosis/propose", lambda u, p=p: access.edits(u, park(p)), (404,), data={"supply": "x"})
        for p in ("DEEPC", "NAMCAUKIEN")
    ],
    ("POST", "/parks/{park_id}/symbiosis/optimize"): by_park(
        "/parks/{}/symbiosis/optimize", access.edits, 400, data={"objective": "x"}
    ),
    ("GET", "/jobs/{job_id}"): lambda: [Case("/jobs/0123abcd", lambda _u: False, status=404)],
    ("POST", "/jobs/{job_id}/cancel"): lambda: [Case("/jobs/0123abcd/cancel", lambda _u: False, status=404, data={})],
    ("GET", "/parks/{park_id}/certification"): by_park("/parks/{}/certification", access.sees_park),
    ("POST", "/parks/{park_id}/applications"): by_park(
        "/parks/{}/applications", access.edits, 400, data={"submitted": "not-a-date"}
    ),
    ("GET", "/parks/{park_id}/dossier.{kind}"): lambda: [
        Case(f"/parks/{p}/dossier.docx", lambda u, p=p: access.sees_park_details(u, park(p)))
        for p in ("DEEPC", "HIEPPHUOC")
    ],
    ("GET", "/parks/{park_id}/annual.{kind}"): lambda: [
        Case(f"/parks/{p}/annual.pdf", lambda u, p=p: access.sees_park_details(u, park(p)))
        for p in ("NAMCAUKIEN", "HIEPPHUOC")
    ],
    ("GET", "/parks/{park_id}/summary.html"): by_park("/parks/{}/summary.html", access.sees_park),
    ("GET", "/enterprises/{enterprise_id}"): by_enterprise("/enterprises/{}", access.sees_records),
    ("POST", "/enterprises/{enterprise_id}/assessments"): by_enterprise(
        "/enterprises/{}/assessments", access.edits, 400, data={"on": "2025-01-01"}
    ),
    ("GET", "/enterprises/{enterprise_id}/savings"): by_enterprise(
        "/enterprises/{}/savings?baseline=2024&reporting=2025", access.sees_records
    ),
    ("POST", "/enterprises/{enterprise_id}/savings"): by_enterprise(
        "/enterprises/{}/savings", access.edits, 400, data={"opportunity": "x"}
    ),
    ("POST", "/enterprises/{enterprise_id}/park"): lambda: [
        Case(f"/enterprises/{e}/park", lambda u, e=e: moves_within(u, enterprise(e)), 303, data={"park_id": PARK_OF[e]})
        for e in ENTERPRISES
    ],
    ("GET", "/enterprises/{enterprise_id}/report.pdf"): by_enterprise(
        "/enterprises/{}/report.pdf", access.sees_records, chosen=("DEEPC-002", "HIEPPHUOC-001")
    ),
    ("GET", "/upload"): lambda: [Case("/upload", NOT_MINISTRY)],
    ("GET", "/upload/template.xlsx"): lambda: [Case("/upload/template.xlsx", ANYONE)],
    ("POST", "/upload"): lambda: [Case("/upload", NOT_MINISTRY, 400)],
    ("GET", "/reports"): lambda: [Case("/reports", ANYONE)],
    ("GET", "/reports/results.xlsx"): lambda: [
        Case("/reports/results.xlsx", lambda u: u.role in ("ministry", "board", "coordinator", "consultant"))
    ],
    ("GET", "/tools"): lambda: [Case("/tools", ANYONE)],
    ("POST", "/tools/water"): lambda: [Case("/tools/water", ANYONE, 400, data={"problem": "{"})],
    ("POST", "/tools/exchange"): lambda: [Case("/tools/exchange", ANYONE, 400, data={"problem": "{"})],
    ("POST", "/export.xlsx"): lambda: [
        Case("/export.xlsx", ANYONE, 200, json={"title": "t", "headers": ["a"], "rows": [[1]]})
    ],
    ("GET", "/audit"): lambda: [Case("/audit", NOT_MINISTRY)],
    ("GET", "/training"): lambda: [Case("/training", TRAINS)],
    ("POST", "/training"): lambda: [Case("/training", TRAINS, 400, data={"title": ""})],
    # an unknown course: not found for a trainer (another trainer's course answers the same), refused for the rest
    ("GET", "/training/{course_id}"): lambda: [Case("/training/999", TRAINS, (404,))],
    ("POST", "/training/{course_id}/participants"): lambda: [
        Case("/training/999/participants", TRAINS, (400,), data={"gender": "x"})
    ],
    ("GET", "/training/{course_id}/register.xlsx"): lambda: [Case("/training/999/register.xlsx", TRAINS, (404,))],
}
API: dict[tuple[str, str], Cases] = {
    ("POST", "/api/token"): lambda: [Case("/api/token", ANYONE, 401, data={"username": "nobody", "password": "x"})],
    ("POST", "/api/logout"): lambda: [Case("/api/logout", ANYONE, 204)],
    ("GET", "/api/parks"): lambda: [Case("/api/parks", ANYONE)],
    ("GET", "/api/parks/{park_id}/kpi"): by_park("/api/parks/{}/kpi", access.sees_park),
    ("GET", "/api/enterprises/{enterprise_id}/records"): by_enterprise(
        "/api/enterprises/{}/records", access.sees_records
    ),
    ("GET", "/api/parks/{park_id}/certification"): by_park("/api/parks/{}/certification", access.sees_park),
    ("POST", "/api/imports"): lambda: [Case("/api/imports", NOT_MINISTRY, 422, files={"file": ("x.xlsx", b"x")})],
    ("POST", "/api/enterprises/{enterprise_id}/park"): lambda: [
        Case(
            f"/api/enterprises/{e}/park",
            lambda u, e=e: moves_within(u, enterprise(e)),
            204,
            json={"park_id": PARK_OF[e]},
        )
        for e in ENTERPRISES
    ],
    ("POST", "/api/symbiosis/solve"): lambda: [Case("/api/symbiosis/solve", ANYONE, json=TINY_PROBLEM)],
    ("GET", "/api/results"): lambda: [
        Case("/api/results", lambda u: u.role != "enterprise"),
        *[
            Case(f"/api/results?park={p}", lambda u, p=p: u.role != "enterprise" and access.sees_park(u, park(p)))
            for p in PARKS
        ],
    ],
}
TINY_PROBLEM = {
    "transport_cost_vnd_per_tkm": 5000,
    "max_distance_km": 60,
    "supplies": [
        {"id": "a", "enterprise_id": "A", "resource": "ash", "quantity_t": 10, "disposal_cost_vnd_per_t": 2e5,
         "lat": 20.84, "lon": 106.77},
    ],
    "demands": [
        {"id": "c", "enterprise_id": "C", "accepts": {"ash": 1.0}, "capacity_t": 10, "virgin_price_vnd_per_t": 8e5,
         "lat": 20.84, "lon": 106.78},
    ],
}  # fmt: skip
PUBLIC = {
    ("GET", "/openapi.json"): "/openapi.json",
    ("GET", "/docs"): "/docs",
    ("GET", "/favicon.ico"): "/favicon.ico",
    ("GET", "/assets/plotly.min.js"): "/assets/plotly.min.js",
    ("GET", "/assets/charts.js"): "/assets/charts.js",
    ("GET", "/lang/{code}"): "/lang/en",
    ("GET", "/guide"): "/guide",
    ("GET", "/guide/{topic}"): "/guide/recp",
    ("GET", "/guide/{topic}.pdf"): "/guide/results.pdf",
    ("MOUNT", "/static"): "/static/app.css",
    ("MOUNT", "/static/swagger"): "/static/swagger/swagger-ui.css",
}
# a participant's page: the secret code in the path is the key (tests/test_training.py: a right code, an unknown one,
# a forged form)
BY_CODE = {
    ("GET", "/training/p/{code}"),
    ("POST", "/training/p/{code}/answer"),
    ("GET", "/training/p/{code}/dossier.pdf"),
}
# the last change made as each person: it ends their sessions or tokens
LAST = {("POST", "/logout"), ("POST", "/api/logout")}


def registered_routes(routes: list[Any]) -> Iterator[tuple[str, str]]:
    """Every (method, path) the application answers, through routers included in it (FastAPI keeps them nested
    since 0.160), and its mounts."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from registered_routes(included.routes)
        elif hasattr(route, "methods") and route.methods is not None:
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route.path
        else:
            yield "MOUNT", route.path


def test_every_registered_route_has_a_row(app: Any) -> None:
    rows = set(PAGES) | set(API) | set(PUBLIC) | BY_CODE
    assert set(registered_routes(app.routes)) == rows


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request: pytest.FixtureRequest, demo_db_file: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The demo, on SQLite (a copy of the session's file) or loaded into a fresh PostgreSQL database."""
    import shutil
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from conftest import POSTGRES_ADMIN_URL

    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("matrix") / "demo.db"
        shutil.copy(demo_db_file, path)
        database = connect(f"sqlite:///{path}")
        yield create_app(database)
        database.engine.dispose()
        return
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"eipkit_matrix_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    database = connect(make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False))
    try:
        demo.load(database)
        demo.add_users(database)
        yield create_app(database)
    finally:
        database.engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _send(client: TestClient, method: str, case: Case, headers: dict[str, str]) -> int:
    if method == "GET":
        return client.get(case.url, follow_redirects=False).status_code
    answer = client.post(
        case.url, data=case.data or None, files=case.files, json=case.json, headers=headers, follow_redirects=False
    )
    return answer.status_code


def _expected(case: Case, user: User | None, signed_in_status: int) -> tuple[int, ...]:
    if user is None:
        return (signed_in_status,)
    if case.allowed(user):
        return case.status if isinstance(case.status, tuple) else (case.status,)
    return (404,) if case.status == 404 else (403,)


ROLES = (*ROLE_USERS, None)


@pytest.mark.parametrize("role", ROLES)
def test_pages_answer_each_role_as_access_says(app: Any, role: str | None) -> None:
    database: Database = app.state.database
    user = users.find(database, ROLE_USERS[role]) if role else None
    client = browser(app, ROLE_USERS[role]) if role else TestClient(app)
    headers = {"X-CSRF-Token": csrf(client, "/login")}
    wrong = []
    for (method, path), cases in sorted(PAGES.items(), key=lambda item: item[0] in LAST):
        for case in cases():
            if path == "/login" or (method, path) in LAST:
                expected: tuple[int, ...] = case.status if isinstance(case.status, tuple) else (case.status,)
            else:
                expected = _expected(case, user, 303)
            got = _send(client, method, case, headers)
            if got not in expected:
                wrong.append((method, case.url, got, expected))
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_each_role_as_access_says(app: Any, role: str | None) -> None:
    database: Database = app.state.database
    user = users.find(database, ROLE_USERS[role]) if role else None
    client = api_client(app, ROLE_USERS[role]) if role else TestClient(app)
    wrong = []
    for (method, path), cases in sorted(API.items(), key=lambda item: item[0] in LAST):
        for case in cases():
            if path == "/api/token":
                expected: tuple[int, ...] = (401,)
            elif (method, path) == ("POST", "/api/logout"):
                expected = (204,) if role else (401,)
            else:
                expected = _expected(case, user, 401)
            got = _send(client, method, case, {})
            if got not in expected:
                wrong.append((method, case.url, got, expected))
    assert wrong == []
    for (method, _path), url in PUBLIC.items():
        assert TestClient(app).get(url, follow_redirects=False).status_code in (200, 301, 303), (method, url)


def test_an_unknown_park_or_enterprise_is_not_found_for_everyone_signed_in(app: Any) -> None:
    for role in ROLE_USERS:
        client = browser(app, ROLE_USERS[role])
        for url in ("/parks/NOPE", "/parks/NOPE/certification", "/enterprises/NOPE", "/parks/NOPE/summary.html"):
            assert client.get(url).status_code == 404, (role, url)

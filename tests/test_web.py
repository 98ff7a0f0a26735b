"""The web application: who sees and changes what (every role against every page and API call), sign-in,
CSRF, uploads all-or-nothing, edits with their audit trail, figures checked against the demo's raw rows."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from eipkit import api, demo, i18n, users
from eipkit.store import Database, connect, schema
from eipkit.web import create_app
from eipkit.workbooks import workbook
from web_client import ROLE_USERS, api_client, browser, csrf
from workbooks import small

ROLES = tuple(ROLE_USERS)
ALL = set(ROLES)
# the demo users: board of Hải Phòng (DEEPC and NAMCAUKIEN), coordinator of DEEPC, consultant assigned to the park
# NAMCAUKIEN and to the enterprises DEEPC-001 and DEEPC-002, enterprise DEEPC-001
PAGES = {
    "/national": {"ministry"},
    "/provinces/Hải Phòng": {"ministry", "board"},
    "/parks/DEEPC": {"ministry", "board", "coordinator"},
    "/parks/NAMCAUKIEN": {"ministry", "board", "consultant"},
    "/parks/DEEPC/opportunities": {"board", "coordinator"},
    "/parks/NAMCAUKIEN/opportunities": {"board", "consultant"},
    "/parks/DEEPC/symbiosis": {"board", "coordinator"},
    "/parks/DEEPC/certification": {"ministry", "board", "coordinator"},
    "/parks/DEEPC/dossier.docx": {"board", "coordinator"},
    "/parks/NAMCAUKIEN/annual.pdf": {"board", "consultant"},
    "/parks/DEEPC/summary.html": {"ministry", "board", "coordinator"},
    "/enterprises/DEEPC-001": {"board", "coordinator", "consultant", "enterprise"},
    "/enterprises/DEEPC-003": {"board", "coordinator"},
    "/enterprises/HIEPPHUOC-001": set(),
    "/enterprises/DEEPC-002/report.pdf": {"board", "coordinator", "consultant"},
    "/enterprises/DEEPC-002/savings?baseline=2024&reporting=2025": {"board", "coordinator", "consultant"},
    "/upload": ALL - {"ministry"},
    "/reports": ALL,
    "/tools": ALL,
    "/audit": ALL - {"ministry"},
}
API = {
    "/api/parks": ALL,
    "/api/parks/DEEPC/kpi?year=2023": {"ministry", "board", "coordinator"},
    "/api/enterprises/DEEPC-001/records?year=2023": {"board", "coordinator", "consultant", "enterprise"},
    "/api/enterprises/DEEPC-003/records": {"board", "coordinator"},
    "/api/parks/DEEPC/certification": {"ministry", "board", "coordinator"},
    "/api/parks/NAMCAUKIEN/certification?rules=vn-decree-82-2018": {"ministry", "board", "consultant"},
    "/api/results": {"ministry", "board", "coordinator", "consultant"},
    "/api/results?park=DEEPC": {"ministry", "board", "coordinator"},
}


@pytest.fixture(scope="module")
def app(demo_db_file: Path):  # type: ignore[no-untyped-def]
    database = connect(f"sqlite:///{demo_db_file}")
    yield create_app(database)
    database.engine.dispose()


def refused_reads(client: TestClient, table: dict[str, set[str]], role: str) -> list:  # type: ignore[type-arg]
    """Reads every path of `table`: 200 where the role is allowed, 403 elsewhere; returns the refusals."""
    refused = []
    for path, allowed in table.items():
        answer = client.get(path)
        assert answer.status_code == (200 if role in allowed else 403), (role, path, answer.status_code)
        if role not in allowed:
            refused.append(answer)
    return refused


@pytest.mark.parametrize("role", ROLES)
def test_every_page_allows_or_refuses_each_role(app, role: str) -> None:  # type: ignore[no-untyped-def]
    for answer in refused_reads(browser(app, ROLE_USERS[role]), PAGES, role):
        assert "Bạn không có quyền" in answer.text  # said in Vietnamese, the default


@pytest.mark.parametrize("role", ROLES)
def test_every_api_call_allows_or_refuses_each_role(app, role: str) -> None:  # type: ignore[no-untyped-def]
    client = api_client(app, ROLE_USERS[role])
    for answer in refused_reads(client, API, role):
        assert answer.json()["detail"]
    listed = sorted(p["park_id"] for p in client.get("/api/parks").json())
    expected = {
        "ministry": ["AMATA-BH", "DEEPC", "HIEPPHUOC", "NAMCAUKIEN", "TANDO", "VSIP-BN"],
        "board": ["DEEPC", "NAMCAUKIEN"],
        "coordinator": ["DEEPC"],
        "consultant": ["NAMCAUKIEN"],
        "enterprise": ["DEEPC"],
    }
    assert listed == expected[role]


def test_without_credentials_pages_ask_to_sign_in_and_the_api_answers_401(app) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    for path in PAGES:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    for path in API:
        answer = client.get(path)
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
        assert "Bearer" in answer.json()["detail"]
    forged = client.get("/api/parks", headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 401
    assert client.get("/docs").status_code == 200 and "/api/token" in client.get("/openapi.json").text


def test_api_figures_equal_the_demo_rows(app) -> None:  # type: ignore[no-untyped-def]
    rows = demo.rows()
    members = {e["enterprise_id"] for e in rows["enterprises"] if e["park_id"] == "DEEPC"}
    scale = {"MWh": 1.0, "kWh": 0.001}
    grid = sum(
        r["quantity"] * scale[r["unit"]]
        for r in rows["energy"]
        if r["enterprise_id"] in members and r["year"] == 2023 and r["carrier"] == "electricity_grid"
    )
    figures = api_client(app, "bo").get("/api/parks/DEEPC/kpi?year=2023").json()
    assert figures["grid_electricity_mwh"] == pytest.approx(grid, rel=1e-9)
    assert figures["enterprises"] == len(members)
    own = api_client(app, "dn-deepc-001").get("/api/enterprises/DEEPC-001/records?year=2023").json()
    expected = [r for r in rows["waste"] if r["enterprise_id"] == "DEEPC-001" and r["year"] == 2023]
    assert {r["unit"] for r in expected} == {"t"}
    assert sorted(w["mass_t"] for w in own["waste"]) == pytest.approx(sorted(r["quantity"] for r in expected))


def test_sign_in_is_throttled_and_forms_need_the_csrf_token(demo_copy: Database) -> None:
    app = create_app(demo_copy)
    client = TestClient(app)
    for _ in range(users.MAX_FAILURES):
        assert client.post("/api/token", data={"username": "bo", "password": "wrong-password"}).status_code == 401
    locked = client.post("/api/token", data={"username": "bo", "password": demo.DEMO_PASSWORD})
    assert locked.status_code == 401 and "khoá" in locked.json()["detail"]
    # one password tried on many accounts from one client: after 20 failures in 5 minutes the client waits
    app.state.throttle.limit = 8
    names = ["bql-haiphong", "tuvan", "dn-deepc-001", "nobody"]
    for n in range(8 - users.MAX_FAILURES):
        client.post("/api/token", data={"username": names[n % len(names)], "password": "Matkhau123"})
    waited = client.post("/api/token", data={"username": "dieuphoi-deepc", "password": demo.DEMO_PASSWORD})
    assert waited.status_code == 429 and waited.headers["retry-after"] == "300"
    app.state.throttle.limit = 20
    page = browser(app, "dieuphoi-deepc")
    assert page.post("/logout", data={}).status_code == 403
    token = csrf(page, "/upload")
    assert page.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303


def _bad_workbook(path: Path) -> bytes:
    rows = small()
    rows["energy"][0]["quantity"] = "nhiều"
    workbook.write(path, rows)
    return path.read_bytes()


def test_upload_lists_every_problem_and_stores_nothing(demo_copy: Database, tmp_path: Path) -> None:
    app = create_app(demo_copy)
    client = browser(app, "bql-haiphong")
    answer = client.post(
        "/upload",
        data={"csrf_token": csrf(client, "/upload")},
        files={"workbook": ("sai.xlsx", io.BytesIO(_bad_workbook(tmp_path / "bad.xlsx")))},
    )
    assert answer.status_code == 422 and 'data-testid="problems"' in answer.text and "quantity" in answer.text
    # the small workbook's park P1 (Hải Phòng) is within the board's province: a clean one is imported
    workbook.write(tmp_path / "ok.xlsx", small())
    ok = client.post(
        "/upload",
        data={"csrf_token": csrf(client, "/upload")},
        files={"workbook": ("ok.xlsx", (tmp_path / "ok.xlsx").read_bytes())},
    )
    assert ok.status_code == 200 and 'data-testid="imported"' in ok.text
    assert users.audit_log(demo_copy)[0]["action"] == "import"
    with demo_copy.sessions() as session:
        logged = session.scalars(select(schema.ImportLog).order_by(schema.ImportLog.id.desc())).first()
    assert logged.source == "ok.xlsx"  # the uploaded file's name, not the temporary copy's
    # an enterprise may not write another enterprise's rows: refused with the rows named, nothing stored
    refused = api_client(app, "dn-deepc-001").post(
        "/api/imports", files={"file": ("ok.xlsx", (tmp_path / "ok.xlsx").read_bytes())}
    )
    assert refused.status_code == 403
    problems = refused.json()["detail"]["problems"]
    assert {p["sheet"] for p in problems} >= {"parks", "enterprises", "energy"}
    assert api_client(app, "bo").post("/api/imports", files={"file": ("x.xlsx", b"x")}).status_code == 403


def test_moving_an_opportunity_to_implemented_moves_the_park_savings(demo_copy: Database) -> None:
    rows = demo.rows()
    chosen = next(
        o
        for o in rows["opportunities"]
        if o["park_id"] == "DEEPC" and o["stage"] == "implementing" and o.get("cost_saving_vnd")
    )
    app = create_app(demo_copy)
    reader = api_client(app, "bo")
    before = reader.get("/api/results?park=DEEPC").json()["cost_saving_vnd"]["total"]
    implemented = sum(
        o.get("cost_saving_vnd") or 0.0
        for o in rows["opportunities"]
        if o["park_id"] == "DEEPC" and o["stage"] == "implemented"
    )
    assert before == pytest.approx(implemented)
    coordinator = browser(app, "dieuphoi-deepc")
    token = csrf(coordinator, "/upload")
    moved = coordinator.post(
        f"/opportunities/{chosen['opportunity_id']}",
        data={"stage": "implemented", "cost_saving_vnd": str(chosen["cost_saving_vnd"])},
        headers={"X-CSRF-Token": token},
    )
    assert moved.status_code == 200 and 'role="alert"' not in moved.text
    after = reader.get("/api/results?park=DEEPC").json()["cost_saving_vnd"]["total"]
    assert after == pytest.approx(before + chosen["cost_saving_vnd"])
    entry = users.audit_log(demo_copy)[0]
    assert (entry["username"], entry["entity_id"]) == ("dieuphoi-deepc", chosen["opportunity_id"])
    assert entry["park_id"] == "DEEPC"
    # the park's people read the trail; a consultant of another park and the enterprise do not see it
    assert chosen["opportunity_id"] in browser(app, "bql-haiphong").get("/audit").text
    for name in ("tuvan", "dn-deepc-001"):
        assert chosen["opportunity_id"] not in browser(app, name).get("/audit").text
    assert (entry["before"]["stage"], entry["after"]["stage"]) == ("implementing", "implemented")
    # a consultant of another park, and the ministry, may not
    for name in ("tuvan", "bo"):
        other = browser(app, name)
        refused = other.post(
            f"/opportunities/{chosen['opportunity_id']}",
            data={"stage": "dropped"},
            headers={"X-CSRF-Token": csrf(other, "/reports")},
        )
        assert refused.status_code == 403
    # going back is refused by the pipeline's rules, said on the board, nothing changed
    back = coordinator.post(
        f"/opportunities/{chosen['opportunity_id']}", data={"stage": "proposed"}, headers={"X-CSRF-Token": token}
    )
    assert 'role="alert"' in back.text
    typed = coordinator.post(
        f"/opportunities/{chosen['opportunity_id']}",
        data={"cost_saving_vnd": "1,5 tỷ"},
        headers={"X-CSRF-Token": token},
    )
    assert 'role="alert"' in typed.text and "1,5 tỷ" in typed.text
    assert reader.get("/api/results?park=DEEPC").json()["cost_saving_vnd"]["total"] == pytest.approx(after)


def test_the_board_shows_every_card_with_totals_and_takes_vietnamese_numbers(demo_copy: Database) -> None:
    rows = [o for o in demo.rows()["opportunities"] if o["park_id"] == "NAMCAUKIEN"]
    app = create_app(demo_copy)
    consultant = browser(app, "tuvan")
    page = consultant.get("/parks/NAMCAUKIEN/opportunities").text
    assert page.count('class="opportunity"') == len(rows)  # no column stops at 40 cards
    implemented = sum(o.get("cost_saving_vnd") or 0.0 for o in rows if o["stage"] == "implemented")
    column = page[page.index('data-stage="implemented"') : page.index('data-stage="dropped"')]
    assert f"<strong>{i18n.money(implemented, 'vi')}</strong>" in column  # the column's total, counted from the rows
    chosen = next(o for o in rows if o["stage"] == "proposed")
    token = csrf(consultant, "/reports")
    saved = consultant.post(
        f"/opportunities/{chosen['opportunity_id']}",
        data={"stage": "proposed", "cost_saving_vnd": "120.000.000"},  # as a Vietnamese reader types it
        headers={"X-CSRF-Token": token},
    )
    card = saved.text[saved.text.index(f'id="op-{chosen["opportunity_id"]}"') :][:3000]
    assert 'data-testid="card-saved"' in card and "120 triệu đồng" in card
    assert 'value="120.000.000"' in card  # shown back the reader's way, not 120000000.0
    assert users.audit_log(demo_copy)[0]["after"]["cost_saving_vnd"] == 120_000_000.0
    refused = consultant.post(
        f"/opportunities/{chosen['opportunity_id']}",
        data={"cost_saving_vnd": "một trăm"},
        headers={"X-CSRF-Token": token},
    )
    card = refused.text[refused.text.index(f'id="op-{chosen["opportunity_id"]}"') :][:3000]
    assert 'data-testid="card-error"' in card and "một trăm" in html.unescape(card)  # said on the card itself
    assert users.audit_log(demo_copy)[0]["after"]["cost_saving_vnd"] == 120_000_000.0


def test_language_switch_is_remembered(app) -> None:  # type: ignore[no-untyped-def]
    client = browser(app, "bo")
    assert "Toàn quốc" in client.get("/national").text
    client.get("/lang/en")
    assert "National overview" in client.get("/national").text
    assert "National overview" in client.get("/parks/DEEPC").text or "Park dashboard" in client.get("/parks/DEEPC").text


def test_accounts_and_audit_are_stored_on_both_backends(database: Database) -> None:
    from eipkit.workbooks.importer import import_rows

    import_rows(database, small(), "test")
    user = users.add_user(database, "tv", "mat-khau-dai", "consultant", parks=["P1"], enterprises=["E2"])
    assert user.parks == frozenset({"P1"}) and user.enterprises == frozenset({"E2"})
    assert users.authenticate(database, "tv", "mat-khau-dai").role == "consultant"
    with pytest.raises(users.LoginRefused):
        users.authenticate(database, "tv", "sai")
    with pytest.raises(users.BadUser, match="at least 8"):
        users.add_user(database, "x", "short", "ministry")
    with pytest.raises(users.BadUser, match="needs its province"):
        users.add_user(database, "x", "long-enough", "board")
    with database.transaction() as session:
        users.audit(session, user, "edit", "opportunity", "O1", {"stage": "proposed"}, {"stage": "feasibility"})
    (entry,) = users.audit_log(database)
    assert entry["before"] == {"stage": "proposed"} and entry["after"]["stage"] == "feasibility"
    # signing out, or a new password, ends every session and token issued so far (their version no longer matches)
    assert user.session_version == 0
    users.end_sessions(database, "tv")
    assert users.find(database, "tv").session_version == 1
    users.add_user(database, "tv", "mat-khau-moi", "consultant")
    assert users.find(database, "tv").session_version == 2


def test_an_application_is_opened_and_followed_from_the_certification_page(demo_copy: Database) -> None:
    app = create_app(demo_copy)
    board = browser(app, "bql-haiphong")
    token = csrf(board, "/parks/DEEPC/certification")
    opened = board.post(
        "/parks/DEEPC/applications",
        data={"csrf_token": token, "submitted": "2025-01-24", "procedure": "park"},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    page = board.get("/parks/DEEPC/certification").text
    # forward due Wed 5 Feb 2025 (3 working days over Tet, counted by hand in test_certification_timeline)
    assert "Gửi lấy ý kiến: Hạn 05/02/2025" in page
    done = board.post(
        "/parks/DEEPC/applications",
        data={"csrf_token": token, "application": "1", "step": "forward", "on": "2025-02-06"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Gửi lấy ý kiến: Hạn 05/02/2025, 06/02/2025 (+1)" in board.get("/parks/DEEPC/certification").text
    out_of_order = board.post(
        "/parks/DEEPC/applications",
        data={"csrf_token": token, "application": "1", "step": "appraisal", "on": "2025-02-07"},
    )
    assert out_of_order.status_code == 400 and "không đúng thứ tự" in out_of_order.text
    assert [e["action"] for e in users.audit_log(demo_copy)[:2]] == ["step", "open"]
    ministry = browser(app, "bo")
    assert (
        ministry.post("/parks/DEEPC/applications", data={"csrf_token": csrf(ministry, "/reports")}).status_code == 403
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_change_allows_or_refuses_each_role(demo_copy: Database, role: str) -> None:
    """Changes: allowed roles get past the permission check (and then a 200, or a 400 for a bad date), the others
    a 403 before anything is written."""
    app = create_app(demo_copy)
    client = browser(app, ROLE_USERS[role])
    token = {"X-CSRF-Token": csrf(client, "/reports")}
    first = {}
    for o in demo.rows()["opportunities"]:
        first.setdefault(o["park_id"], o["opportunity_id"])
    changes = {
        (f"/opportunities/{first['DEEPC']}", ()): ({"board", "coordinator"}, 200),
        (f"/opportunities/{first['NAMCAUKIEN']}", ()): ({"board", "consultant"}, 200),
        ("/parks/DEEPC/applications", (("submitted", "not-a-date"),)): ({"board", "coordinator"}, 400),
        ("/upload", ()): (ALL - {"ministry"}, 400),  # no file attached
    }
    for (path, fields), (allowed, status) in changes.items():
        answer = client.post(path, data=dict(fields), headers=token)
        assert answer.status_code == (status if role in allowed else 403), (role, path, answer.status_code)
    if role not in {"board", "coordinator"}:
        assert client.post("/parks/DEEPC/symbiosis/optimize", headers=token).status_code == 403
    entries = users.audit_log(demo_copy)
    assert all(e["username"] == ROLE_USERS[role] for e in entries)
    assert len(entries) == sum(
        1 for (path, _), (allowed, status) in changes.items() if role in allowed and status == 200
    )


def test_cp_assessment_and_measured_savings_from_the_enterprise_page(demo_copy: Database) -> None:
    from eipkit import api

    app = create_app(demo_copy)
    own = browser(app, "dn-deepc-001")
    token = csrf(own, "/enterprises/DEEPC-001")
    started = own.post(
        "/enterprises/DEEPC-001/assessments",
        data={"csrf_token": token, "focus_area": "Lò hơi", "team": "An; Bình", "on": "2025-03-03"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    (mine,) = [a for a in api.enterprise_assessments(demo_copy, "DEEPC-001") if a.focus_area == "Lò hơi"]
    assert mine.team == ("An", "Bình") and len(mine.tasks) == 18
    own.post(
        "/enterprises/DEEPC-001/assessments",
        data={
            "csrf_token": token,
            "assessment": str(mine.assessment_id),
            "task": "1",
            "status": "done",
            "on": "2025-03-04",
        },
    )
    (after,) = [a for a in api.enterprise_assessments(demo_copy, "DEEPC-001") if a.focus_area == "Lò hơi"]
    assert (after.tasks[0].status, after.tasks[0].completed_on.isoformat()) == ("done", "2025-03-04")
    # another enterprise's assessment number through this enterprise's address is not found
    other = browser(app, "dieuphoi-deepc")
    other_token = csrf(other, "/reports")
    theirs = api.start_assessment(demo_copy, "DEEPC-003", "Nước", ["C"])
    refused = other.post(
        "/enterprises/DEEPC-001/assessments",
        data={"csrf_token": other_token, "assessment": str(theirs.assessment_id), "task": "1", "status": "done"},
    )
    assert refused.status_code == 404
    # avoided electricity 2025 against 2024, from the demo's raw rows: the baseline scaled by the output ratio
    rows = demo.rows()
    output = {p["year"]: p["quantity"] for p in rows["production"] if p["enterprise_id"] == "DEEPC-001"}
    grid = {
        e["year"]: e["quantity"]
        for e in rows["energy"]
        if e["enterprise_id"] == "DEEPC-001" and e["carrier"] == "electricity_grid" and e["unit"] == "MWh"
    }
    assert not any(
        e["carrier"] == "electricity_solar_onsite" for e in rows["energy"] if e["enterprise_id"] == "DEEPC-001"
    )  # grid electricity is all of it
    avoided = grid[2024] * output[2025] / output[2024] - grid[2025]
    page = own.get("/enterprises/DEEPC-001/savings?baseline=2024&reporting=2025")
    assert page.status_code == 200 and i18n_number(avoided) in page.text
    chosen = next(
        o.opportunity_id for o in api.enterprise_opportunities(demo_copy, "DEEPC-001") if o.stage == "implemented"
    )
    stored = own.post(
        "/enterprises/DEEPC-001/savings",
        data={"csrf_token": token, "opportunity": chosen, "baseline": "2024", "reporting": "2025"},
        follow_redirects=False,
    )
    assert stored.status_code == 303
    saved = next(o for o in api.enterprise_opportunities(demo_copy, "DEEPC-001") if o.opportunity_id == chosen)
    assert saved.electricity_mwh == pytest.approx(avoided) and saved.basis == "measured"
    assert users.audit_log(demo_copy)[0]["action"] == "measure"
    assert browser(app, "bo").get("/enterprises/DEEPC-001/savings?baseline=2024&reporting=2025").status_code == 403


def i18n_number(value: float) -> str:
    """A figure as a Vietnamese page writes it with one decimal: '.' between thousands, ',' before decimals."""
    whole, decimal = f"{value:,.1f}".split(".")
    return whole.replace(",", ".") + "," + decimal


def test_calculators_solve_uploaded_problems(app) -> None:  # type: ignore[no-untyped-def]
    import json
    import math

    client = browser(app, "bo")
    token = csrf(client, "/tools")
    water = {
        "contaminants": ["COD"],
        "sources": [{"id": "S1", "flow_m3_per_day": 100, "concentrations": {"COD": 100}}],
        "sinks": [
            {"id": "K1", "demand_m3_per_day": 50, "max_concentrations": {"COD": 50}},
            {"id": "K2", "demand_m3_per_day": 80, "max_concentrations": {"COD": 20}},
        ],
    }
    # solved by hand in test_symbiosis: 25 + 64 = 89 m3/day of freshwater
    page = client.post("/tools/water", data={"csrf_token": token}, files={"file": ("w.json", json.dumps(water))})
    assert page.status_code == 200 and "89,0" in page.text
    ash = {
        "transport_cost_vnd_per_tkm": 5000,
        "transport_co2e_t_per_tkm": 0.0001,
        "max_distance_km": 60,
        "supplies": [
            {"id": "a", "enterprise_id": "A", "resource": "ash", "quantity_t": 1000,
             "disposal_cost_vnd_per_t": 200000, "lat": 20.84, "lon": 106.77},
        ],
        "demands": [
            {"id": "c", "enterprise_id": "C", "accepts": {"ash": 0.9}, "capacity_t": 900,
             "virgin_price_vnd_per_t": 800000, "virgin_co2e_t_per_t": 0.9, "lat": 20.84, "lon": 106.87},
        ],
    }  # fmt: skip
    distance = 1.3 * 2 * 6371.0088 * math.asin(math.cos(math.radians(20.84)) * math.sin(math.radians(0.05)))
    money = 1000 * (920000 - 5000 * distance)
    page = client.post("/tools/exchange", data={"csrf_token": token, "problem": json.dumps(ash), "objective": "cost"})
    # the card in tỷ/triệu đồng to three figures, the links' table in million đồng with one decimal
    assert page.status_code == 200 and f"{money / 1e6:.0f} triệu đồng" in page.text
    assert f">{money / 1e6:.1f}<".replace(".", ",") in page.text
    front = client.post("/tools/exchange", data={"csrf_token": token, "problem": json.dumps(ash), "pareto": "3"})
    assert front.text.count("<tr><td>") >= 3
    bad = client.post("/tools/water", data={"csrf_token": token, "problem": "{not json"})
    assert bad.status_code == 400 and "JSON" in bad.text
    wrong = client.post("/tools/water", data={"csrf_token": token, "problem": json.dumps({"sources": []})})
    assert wrong.status_code == 400 and "contaminants: thiếu (bắt buộc)" in html.unescape(wrong.text)
    ash["supplies"][0]["quantity_t"] = "một nghìn"
    words = client.post("/tools/exchange", data={"csrf_token": token, "problem": json.dumps(ash)})
    said = html.unescape(words.text)
    assert words.status_code == 400 and "supplies[0].quantity_t: phải là một số hữu hạn" in said
    assert "Input should" not in said and "Field required" not in said


def test_the_application_on_postgresql(postgresql_db: Database) -> None:
    """The same application over PostgreSQL: sign-in, a dashboard, a confidential read refused, a change audited."""
    demo.load(postgresql_db)
    demo.add_users(postgresql_db)
    app = create_app(postgresql_db)
    tenants = sum(e["park_id"] == "DEEPC" for e in demo.rows()["enterprises"])
    assert api_client(app, "bo").get("/api/parks/DEEPC/kpi?year=2023").json()["enterprises"] == tenants
    assert api_client(app, "bo").get("/api/enterprises/DEEPC-001/records").status_code == 403
    coordinator = browser(app, "dieuphoi-deepc")
    assert "DEEP C" in coordinator.get("/parks/DEEPC").text
    first = next(o["opportunity_id"] for o in demo.rows()["opportunities"] if o["park_id"] == "DEEPC")
    edited = coordinator.post(
        f"/opportunities/{first}",
        data={"cost_saving_vnd": "123456"},
        headers={"X-CSRF-Token": csrf(coordinator, "/reports")},
    )
    assert edited.status_code == 200
    (entry,) = users.audit_log(postgresql_db)
    assert entry["after"]["cost_saving_vnd"] == 123456.0 and entry["username"] == "dieuphoi-deepc"
    for _ in range(users.MAX_FAILURES):
        TestClient(app).post("/api/token", data={"username": "tuvan", "password": "sai-mat-khau"})
    assert "khoá" in TestClient(app).post("/api/token", data={"username": "tuvan", "password": demo.DEMO_PASSWORD}).text


def test_a_consultant_finds_the_enterprises_of_its_work_by_name(app) -> None:  # type: ignore[no-untyped-def]
    names = {e["enterprise_id"]: e["name"] for e in demo.rows()["enterprises"]}
    page = browser(app, "tuvan").get("/").text
    table = page[page.index('data-testid="my-enterprises"') :]
    for enterprise_id in ("DEEPC-001", "DEEPC-002"):  # its assignments, by name with their id
        assert f'<a href="/enterprises/{enterprise_id}">{html.escape(names[enterprise_id])}</a>' in table


def test_a_candidate_becomes_a_proposed_opportunity_from_the_symbiosis_page(demo_copy: Database) -> None:
    app = create_app(demo_copy)
    coordinator = browser(app, "dieuphoi-deepc")
    page = coordinator.get("/parks/DEEPC/symbiosis").text
    supply = html.unescape(re.search(r'name="supply" value="([^"]+)"', page).group(1))
    demand = html.unescape(re.search(r'name="demand" value="([^"]+)"', page).group(1))
    found = api.symbiosis_candidates(demo_copy, ["DEEPC"])
    best = found.rows("vi")[0]  # the page's first row is the best money
    assert (supply, demand) == (best["supply"], best["demand"])
    token = csrf(coordinator, "/reports")
    made = coordinator.post(
        "/parks/DEEPC/symbiosis/propose", data={"supply": supply, "demand": demand}, headers={"X-CSRF-Token": token}
    )
    assert made.status_code == 200 and 'data-testid="proposed"' in made.text
    kb_id = supply.split("|")[1]
    opportunity_id = f"IS-{best['supply_enterprise']}-{best['demand_enterprise']}-{kb_id}"
    stored = {o.opportunity_id: o for o in api.enterprise_opportunities(demo_copy, best["supply_enterprise"])}
    assert stored[opportunity_id].stage == "proposed" and stored[opportunity_id].kind == "symbiosis"
    # its money is the candidate's at its largest flow, less the link's fixed cost a year
    arc = found.arcs[(found.arcs["supply"] == supply) & (found.arcs["demand"] == demand)].iloc[0]
    expected = best["money_vnd_per_year"] - arc["fixed_cost_vnd_per_year"]
    assert stored[opportunity_id].cost_saving_vnd == pytest.approx(expected)
    assert users.audit_log(demo_copy)[0]["entity_id"] == opportunity_id
    # the enterprise itself may not, and a candidate that is not one is not found
    enterprise = browser(app, "dn-deepc-001")
    refused = enterprise.post(
        "/parks/DEEPC/symbiosis/propose",
        data={"supply": supply, "demand": demand},
        headers={"X-CSRF-Token": csrf(enterprise, "/reports")},
    )
    assert refused.status_code == 403
    unknown = coordinator.post(
        "/parks/DEEPC/symbiosis/propose", data={"supply": supply, "demand": "x"}, headers={"X-CSRF-Token": token}
    )
    assert unknown.status_code == 404


def test_the_enterprise_page_scores_it_among_its_peers_and_says_electricity_in_mwh(demo_copy: Database) -> None:
    import math

    from eipkit.recp.benchmark import INTENSITIES

    enterprise_id = "DEEPC-001"
    year = api.latest_year(demo_copy, enterprise_id)
    mine = api.enterprise_indicators(demo_copy, enterprise_id, year).values
    profile, _ = api.enterprise_profile(demo_copy, enterprise_id)
    peers = [i for i in api.division_indicators(demo_copy, profile.division, year) if i.enterprise_id != enterprise_id]
    page = browser(create_app(demo_copy), "dn-deepc-001").get(f"/enterprises/{enterprise_id}").text
    scores = [int(s) for s in re.findall(r'data-testid="score">(\d+)<', page)]
    # the score counted by hand from the peers' values: 100 less the share of peers that use less, ties half
    expected = []
    for name in INTENSITIES:
        value, others = mine.get(name), [v for p in peers if (v := p.values.get(name)) is not None]
        if value is None or len(others) < 5 or max(others) >= 0.5 * sum(others):
            continue  # not shown: too few peers, or one of them would be recognisable
        better = sum(v < value for v in others) + 0.5 * sum(v == value for v in others)
        expected.append(max(1, min(100, math.floor(100 - 100 * better / len(others) + 0.5))))  # halves go up
    assert expected and scores == expected
    grid = next(
        r for r in demo.rows()["energy"]
        if r["enterprise_id"] == enterprise_id and r["year"] == year and r["carrier"] == "electricity_grid"
    )  # fmt: skip
    mwh = grid["quantity"] / (1000 if grid["unit"] == "kWh" else 1)
    assert f"{i18n.number(mwh, 'vi', 1)} MWh" in page  # the card's unit, whatever unit the tenant wrote


def test_the_national_totals_say_which_year_of_each_park_they_sum(app) -> None:  # type: ignore[no-untyped-def]
    from collections import Counter

    rows = demo.rows()
    park_of = {e["enterprise_id"]: e["park_id"] for e in rows["enterprises"]}
    towns = {p["park_id"] for p in rows["parks"] if p.get("kind") == "city"}
    latest: dict[str, int] = {}
    for sheet in ("energy", "water", "materials", "waste", "production"):
        for r in rows[sheet]:
            park = park_of[r["enterprise_id"]]
            if park not in towns:
                latest[park] = max(latest.get(park, 0), r["year"])
    said = ", ".join(f"{year} ({n} KCN)" for year, n in sorted(Counter(latest.values()).items(), reverse=True))
    page = browser(app, "bo").get("/national").text
    assert f'data-testid="as-of">Tổng của năm gần nhất có số liệu của mỗi KCN: {said}<' in page


def test_the_water_calculator_takes_its_problem_typed_row_by_row(app) -> None:  # type: ignore[no-untyped-def]
    client = browser(app, "dn-deepc-001")
    token = csrf(client, "/tools")
    typed = {
        "csrf_token": token,
        "contaminant": "COD",
        "source_id": ["S1", ""],
        "source_flow": ["100", ""],
        "source_conc": ["100", ""],
        "sink_id": ["K1", "K2", ""],
        "sink_demand": ["50", "80,0", ""],  # typed the Vietnamese way
        "sink_max": ["50", "20", ""],
    }
    # solved by hand in test_symbiosis: K1 takes 25 m3 of the source, K2 16; fresh water 25 + 64 = 89 m3/day
    page = client.post("/tools/water", data=typed)
    assert page.status_code == 200 and "89,0" in page.text
    wrong = client.post("/tools/water", data={**typed, "sink_demand": ["50", "tám mươi", ""]})
    assert wrong.status_code == 400
    assert "Nơi dùng nước, dòng 2, Nhu cầu (m³/ngày): “tám mươi” không phải là một số" in html.unescape(wrong.text)
    broken = client.post("/tools/water", data={"csrf_token": token, "problem": "{not json"})
    assert broken.status_code == 400 and "dòng 1, cột 2" in broken.text and "Expecting" not in broken.text


def test_the_exchange_calculator_takes_its_problem_typed_row_by_row(app) -> None:  # type: ignore[no-untyped-def]
    import math

    client = browser(app, "dn-deepc-001")
    token = csrf(client, "/tools")
    typed = {
        "csrf_token": token,
        "transport_cost": "5.000",  # typed the Vietnamese way
        "max_distance": "60",
        "supply_id": ["a", ""],
        "supply_enterprise": ["A", ""],
        "supply_resource": ["ash", ""],
        "supply_quantity": ["1.000", ""],
        "supply_disposal": ["200.000", ""],
        "supply_lat": ["20,84", ""],
        "supply_lon": ["106,77", ""],
        "demand_id": ["c", ""],
        "demand_enterprise": ["C", ""],
        "demand_accepts": ["ash", ""],
        "demand_ratio": ["0,9", ""],
        "demand_capacity": ["900", ""],
        "demand_price": ["800.000", ""],
        "demand_co2e": ["0,9", ""],
        "demand_lat": ["20,84", ""],
        "demand_lon": ["106,87", ""],
    }
    # the same ash as the uploaded problem above: 1,000 t replacing 900 t of an input at 800,000 VND/t, 200,000
    # VND/t of disposal avoided, hauled at 5,000 VND/t-km over 1.3 times the great-circle distance
    distance = 1.3 * 2 * 6371.0088 * math.asin(math.cos(math.radians(20.84)) * math.sin(math.radians(0.05)))
    money = 1000 * (920000 - 5000 * distance)
    page = client.post("/tools/exchange", data=typed)
    assert page.status_code == 200 and f"{money / 1e6:.0f} triệu đồng" in page.text
    assert f">{money / 1e6:.1f}<".replace(".", ",") in page.text
    far = client.post("/tools/exchange", data={**typed, "max_distance": "5"})  # 13.6 km apart by road
    assert far.status_code == 200 and "triệu đồng" not in far.text.split('data-testid="exchange-result"')[1][:300]
    wrong = client.post("/tools/exchange", data={**typed, "demand_capacity": ["chín trăm", ""]})
    assert wrong.status_code == 400
    said = "Doanh nghiệp có thể nhận, dòng 1, Nhu cầu (t/năm): “chín trăm” không phải là một số"
    assert said in html.unescape(wrong.text)
    north = client.post("/tools/exchange", data={**typed, "demand_lat": ["120,84", ""]})
    assert "Doanh nghiệp có thể nhận, dòng 1, Vĩ độ: “120,84” phải nằm trong khoảng từ -90 đến 90 độ" in html.unescape(
        north.text
    )
    nowhere = client.post("/tools/exchange", data={**typed, "max_distance": "0"})
    assert nowhere.status_code == 400 and "Khoảng cách tối đa (km): “0” phải lớn hơn 0" in html.unescape(nowhere.text)
    nameless = client.post("/tools/exchange", data={**typed, "supply_enterprise": ["", ""]})
    assert "Nguồn chất thải, phụ phẩm, dòng 1, Doanh nghiệp: cần có giá trị" in html.unescape(nameless.text)


def test_the_assessment_table_saves_every_task_changed_at_once(demo_copy: Database) -> None:
    app = create_app(demo_copy)
    own = browser(app, "dn-deepc-001")
    token = csrf(own, "/enterprises/DEEPC-001")
    started = api.start_assessment(demo_copy, "DEEPC-001", "Khí nén", ["An"])
    form = {"csrf_token": token, "assessment": str(started.assessment_id)}
    form |= {f"status_{t.task}": t.status for t in started.tasks}  # the table as the page shows it
    form |= {"status_1": "done", "on_1": "2025-03-04", "status_2": "in_progress", "on_2": "2025-03-05"}
    saved = own.post("/enterprises/DEEPC-001/assessments", data=form, follow_redirects=False)
    assert saved.status_code == 303
    (after,) = [a for a in api.enterprise_assessments(demo_copy, "DEEPC-001") if a.focus_area == "Khí nén"]
    statuses = {t.task: t.status for t in after.tasks}
    assert statuses[1] == "done" and statuses[2] == "in_progress"
    assert all(statuses[t.task] == t.status for t in started.tasks if t.task > 2)  # the others as they were
    assert after.tasks[0].completed_on.isoformat() == "2025-03-04"
    audited = [e["entity_id"] for e in users.audit_log(demo_copy) if e["entity"] == "assessment"]
    assert sorted(audited[:2]) == [f"{started.assessment_id}/1", f"{started.assessment_id}/2"]
    # one unknown status refuses the whole table: nothing of it is kept
    form |= {"status_3": "done", "status_4": "nonsense"}
    refused = own.post("/enterprises/DEEPC-001/assessments", data=form, follow_redirects=False)
    assert refused.status_code == 400
    (again,) = [a for a in api.enterprise_assessments(demo_copy, "DEEPC-001") if a.focus_area == "Khí nén"]
    assert {t.task: t.status for t in again.tasks}[3] == statuses[3]


def test_a_park_page_shows_the_trail_to_it_and_marks_the_tab_read(app) -> None:  # type: ignore[no-untyped-def]
    ministry = browser(app, "bo").get("/parks/DEEPC/certification").text
    trail = ministry[ministry.index('class="trail"') : ministry.index('class="tabs"')]
    assert '<a href="/national">' in trail and '<a href="/provinces/Hải Phòng">Hải Phòng</a>' in trail
    tabs = ministry[ministry.index('class="tabs"') :]
    assert '<a href="/parks/DEEPC/certification" aria-current="page">' in tabs
    coordinator = browser(app, "dieuphoi-deepc").get("/parks/DEEPC/symbiosis").text
    trail = coordinator[coordinator.index('class="trail"') : coordinator.index('class="tabs"')]
    assert "/national" not in trail and "/provinces/" not in trail  # a coordinator's place is the park


def test_the_ministry_chooses_the_year_the_national_totals_sum(app) -> None:  # type: ignore[no-untyped-def]
    database = app.state.database
    parks = [r["park_id"] for r in demo.rows()["parks"] if r.get("kind") != "city"]
    client = browser(app, "bo")
    assert '<option value="2023">2023</option>' in client.get("/national").text
    page = client.get("/national?year=2023").text
    # the year's electricity summed park by park from their records (the stored figures are another path)
    expected = sum(api.park_kpi(database, p, 2023).electricity_mwh for p in parks)
    cards = page[page.index('class="cards"') : page.index('data-testid="as-of"')]
    assert f'<div class="value">{i18n.number(expected, "vi", 0)}</div>' in cards
    assert "Tổng của năm 2023" in page
    assert client.get("/national?year=1999").status_code == 404


def test_a_board_chooses_the_year_its_provinces_totals_sum(app) -> None:  # type: ignore[no-untyped-def]
    database = app.state.database
    parks = [r["park_id"] for r in demo.rows()["parks"] if r.get("province") == "Hải Phòng" and r.get("kind") != "city"]
    assert sorted(parks) == ["DEEPC", "NAMCAUKIEN"]
    client = browser(app, "bql-haiphong")
    page = client.get("/provinces/Hải Phòng?year=2023").text
    # the year's electricity and emissions summed park by park from their records (the page reads stored figures)
    for key in ("electricity_mwh", "total_tco2e"):
        expected = sum(getattr(api.park_kpi(database, p, 2023), key) for p in parks)
        cards = page[page.index('data-testid="year-pick"') : page.index('data-testid="as-of"')]
        assert f'<div class="value">{i18n.number(expected, "vi", 0)}</div>' in cards
    assert 'action="/provinces/H%E1%BA%A3i%20Ph%C3%B2ng"' in page and "Tổng của năm 2023" in page
    latest = client.get("/provinces/Hải Phòng").text
    assert "Tổng của năm gần nhất có số liệu của mỗi KCN" in latest
    assert client.get("/provinces/Hải Phòng?year=1999").status_code == 404


def test_a_park_dashboard_says_which_years_its_figures_cover(app) -> None:  # type: ignore[no-untyped-def]
    years = api.park_records(app.state.database, "DEEPC").years()  # the records themselves, not the page's figures
    page = browser(app, "dieuphoi-deepc").get("/parks/DEEPC").text
    said = f"Số liệu của {len(years)} năm, {years[0]}–{years[-1]}; năm gần nhất có số liệu: {years[-1]}"
    assert f'data-testid="as-of">{said}<' in page


def _figures(page: str) -> list[dict]:  # type: ignore[type-arg]
    import json

    return [json.loads(html.unescape(data)) for data in re.findall(r'data-figure="([^"]*)"', page)]


def test_the_park_maps_sit_on_the_provincial_units_drawn_offline(app) -> None:  # type: ignore[no-untyped-def]
    from eipkit import provinces

    client = browser(app, "bo")
    national = client.get("/national").text
    (country,) = [f for f in _figures(national) if any(t.get("fill") == "toself" for t in f["data"])]
    outlines = [t for t in country["data"] if t.get("fill") == "toself"]
    assert sorted(t["text"] for t in outlines) == sorted(provinces.units())
    named = {text for t in country["data"] if t.get("mode") == "markers+text" for text in t["text"]}
    assert {"Hoàng Sa", "Trường Sa"} <= named
    assert country["layout"]["xaxis"]["range"][1] > 114.45  # Trường Sa in view
    assert "Ranh giới 34 tỉnh, thành phố (từ 01/07/2025) là gần đúng" in national

    province = client.get("/provinces/Hải Phòng").text
    (local,) = [f for f in _figures(province) if any(t.get("fill") == "toself" for t in f["data"])]
    shaded = {t["text"] for t in local["data"] if t.get("fill") == "toself" and t["fillcolor"] == "#DCE6D5"}
    assert shaded == {"Hải Phòng"}
    (low, high) = local["layout"]["xaxis"]["range"]
    parks = [p for p in demo.rows()["parks"] if p["province"] == "Hải Phòng"]
    assert len(parks) == 3 and all(low < p["lon"] < high for p in parks)  # two parks and a park-city
    assert high - low < 3  # the province in view, not the country


def test_a_park_recorded_outside_its_province_stays_in_the_provinces_map() -> None:
    import plotly.graph_objects as go

    from eipkit.reports.charts import add_base_map

    fitted, stray = go.Figure(), go.Figure()
    add_base_map(fitted, "Hải Phòng")
    add_base_map(stray, "Hải Phòng", [(105.0, 20.0)])  # in Ninh Bình, by a typing error say
    assert fitted.layout.xaxis.range[0] > 105.0 and fitted.layout.yaxis.range[0] > 20.0
    assert stray.layout.xaxis.range[0] < 105.0 and stray.layout.yaxis.range[0] < 20.0

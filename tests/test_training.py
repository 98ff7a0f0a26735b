"""The training mode: a trainer's course and participants, exercises done in private sandboxes and marked against the
product's computation (right and wrong answers worked out here by a second method), and the people trained in the
results table."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from eipkit import api, demo
from eipkit.access import User
from eipkit.api import training
from eipkit.store import Database
from eipkit.training import sandbox
from eipkit.web import create_app
from processes import child_env
from test_demo import independent_park_figures
from web_client import browser

RESOURCES = ("electricity_mwh", "fuel_gj", "water_m3", "materials_t", "chemicals_t", "waste_t")
OPEN = ("identified", "proposed", "feasibility", "implementing")


@pytest.fixture(autouse=True)
def sandboxes(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """One sandboxes folder for the session: the demo every sandbox copies is built once."""
    folder = tmp_path_factory.getbasetemp() / "sandboxes"
    monkeypatch.setenv("EIPKIT_SANDBOXES", str(folder))
    yield folder


def vietnamese(value: float, digits: int = 1) -> str:
    """A number typed the Vietnamese way, by hand: '.' between thousands, ',' before decimals."""
    return f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def course_of(database: Database) -> tuple[int, str, str]:
    held = training.create_course(database, None, "Tập huấn RECP Hải Phòng", demo_day(), "Hải Phòng", "tuvan")
    lan = training.add_participant(
        database, None, held.course_id, "Nguyễn Thị Lan", "Ban quản lý KKT Hải Phòng", "management_board", "female"
    )
    minh = training.add_participant(database, None, held.course_id, "Trần Văn Minh", "Công ty A", "enterprise", "male")
    return held.course_id, lan.code, minh.code


def demo_day():  # type: ignore[no-untyped-def]
    import datetime as dt

    return dt.date(2025, 11, 20)


def test_an_exercise_marks_a_right_and_a_wrong_answer(database: Database) -> None:
    course_id, lan, minh = course_of(database)
    scope2 = independent_park_figures("DEEPC", 2024)["scope2_tco2e"]  # grid MWh x 0.6592, from the demo's rows
    right = training.answer(database, lan, "scope-2", vietnamese(scope2), "vi")
    assert right.correct and "Đúng" in right.feedback.text("vi")
    wrong = training.answer(database, minh, "scope-2", vietnamese(scope2 * 0.9), "vi")
    assert not wrong.correct and "thấp hơn" in wrong.feedback.text("vi")
    typo = training.answer(database, minh, "energy-intensity", "năm mươi", "vi")
    assert not typo.correct and "không phải là một số" in typo.feedback.text("vi")
    _, progress = training.course_progress(database, None, course_id)
    assert [(p.participant.name, p.done, p.tried) for p in progress] == [
        ("Nguyễn Thị Lan", ("scope-2",), 1),
        ("Trần Văn Minh", (), 2),
    ]
    trained = api.results(database).as_dict()["people_trained"]
    assert trained["total"] == 2 and trained["by_gender"] == {"female": 1, "male": 1, "other": 0}
    assert trained["by_organisation_kind"] == {"enterprise": 1, "management_board": 1}
    assert api.results(database, year=2024).as_dict()["people_trained"]["total"] == 0  # the course is in 2025


def cheapest_by_hand(target_percent: float) -> tuple[int, list[tuple[float, str]]]:
    """From the demo's rows: how many more Nam Cầu Kiền enterprises need measured RECP savings, and each other
    enterprise's cheapest open RECP opportunity with a resource saving, cheapest first."""
    rows = demo.rows()
    members = {e["enterprise_id"] for e in rows["enterprises"] if e["park_id"] == "NAMCAUKIEN"}
    recp = [o for o in rows["opportunities"] if o["kind"] == "recp" and o["enterprise_ids"] in members]
    counted = {
        o["enterprise_ids"]
        for o in recp
        if o["stage"] == "implemented" and o["basis"] == "measured" and any((o.get(f) or 0) > 0 for f in RESOURCES)
    }
    needed = math.ceil(target_percent / 100 * len(members)) - len(counted)
    best: dict[str, tuple[float, str]] = {}
    for o in recp:
        costed = o["stage"] in OPEN and o["enterprise_ids"] not in counted and o.get("investment_vnd") is not None
        if costed and any((o.get(f) or 0) > 0 for f in RESOURCES):
            best[o["enterprise_ids"]] = min(
                best.get(o["enterprise_ids"], (math.inf, "")), (o["investment_vnd"], o["opportunity_id"])
            )
    return needed, sorted(best.values())


def test_the_cheapest_way_to_a_recp_share_is_marked_against_a_hand_count(database: Database) -> None:
    _, lan, _ = course_of(database)
    needed, ranked = cheapest_by_hand(50)
    assert needed == 4  # 26 enterprises, 9 with measured savings: 13 are half
    cheapest = [oid for _, oid in ranked[:needed]]
    short = training.answer(database, lan, "cheapest-recp-share", "; ".join(cheapest[:-1]), "vi")
    assert not short.correct and "cần thêm 4" in short.feedback.text("vi")
    dearer = [*cheapest[:-1], ranked[needed + 1][1]]
    dear = training.answer(database, lan, "cheapest-recp-share", ";".join(dearer), "vi")
    least = sum(cost for cost, _ in ranked[:needed])
    assert not dear.correct and f"{least / 1e6:,.0f}".replace(",", ".") + " triệu" in dear.feedback.text("vi")
    right = training.answer(database, lan, "cheapest-recp-share", " ; ".join(cheapest), "en")
    assert right.correct, right.feedback.text("en")


def test_recording_a_measured_saving_changes_the_sandbox_only(database: Database) -> None:
    _, lan, _ = course_of(database)
    own = sandbox.sandbox(lan)
    try:
        target = training.exercises.saving_opportunity(own)
        saved = api.enterprise_measured_savings(own, "DEEPC-001", [2022], 2024).avoided["electricity_mwh"]
    finally:
        own.engine.dispose()
    # IPMVP option C by hand from the printed terms: the 2022 use scaled by production, less the 2024 use
    assert saved.adjusted_baseline - saved.reporting == pytest.approx(saved.avoided)
    assert training.answer(database, lan, "record-saving", vietnamese(saved.avoided, 2), "vi").correct
    own = sandbox.sandbox(lan)
    try:
        recorded = next(o for o in api.enterprise_opportunities(own, "DEEPC-001") if o.opportunity_id == target)
    finally:
        own.engine.dispose()
    assert recorded.basis == "measured" and recorded.electricity_mwh and recorded.electricity_mwh > 0
    demo.load(database)  # the programme's own copy of the demo is untouched by the exercise
    original = next(o for o in api.enterprise_opportunities(database, "DEEPC-001") if o.opportunity_id == target)
    assert original.electricity_mwh != recorded.electricity_mwh


def test_rights_are_those_of_the_stored_course(database: Database) -> None:
    consultant = User("tuvan", "consultant")
    board = User("bql-haiphong", "board", province="Hải Phòng")
    held = training.create_course(database, consultant, "Khoá của tư vấn", demo_day())
    with pytest.raises(training.TrainingError, match="No course"):
        training.course_progress(database, board, held.course_id)
    with pytest.raises(training.TrainingError, match="No course"):
        training.add_participant(database, board, held.course_id, "A", "B", "enterprise", "female")
    with pytest.raises(training.TrainingError, match="Only ministry"):
        training.create_course(database, User("dn-deepc-001", "enterprise"), "X", demo_day())
    with pytest.raises(training.TrainingError, match="not allowed"):
        training.add_participant(database, consultant, held.course_id, "A", "B", "enterprise", "unknown")
    assert [c.course_id for c in training.courses(database, board)] == []
    assert [c.course_id for c in training.courses(database, User("bo", "ministry"))] == [held.course_id]
    with pytest.raises(training.TrainingError, match="No participant"):
        training.answer(database, "not-a-code", "scope-2", "1", "en")


def test_trainer_and_participant_pages(demo_copy: Database) -> None:
    assert api.results(demo_copy, ["DEEPC"]).people_trained is None  # a course belongs to no park
    app = create_app(demo_copy)
    trainer = browser(app, "tuvan")
    page = trainer.get("/training")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    made = trainer.post(
        "/training",
        data={"csrf_token": token, "title": "Tập huấn <RECP>", "held_on": "2025-11-20"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    course_url = made.headers["location"]
    added = trainer.post(
        f"{course_url}/participants",
        data={
            "csrf_token": token,
            "name": "Lê Thị Hoa",
            "organisation": '=HYPERLINK("x")',
            "organisation_kind": "park_investor",
            "gender": "female",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    listed = trainer.get(course_url).text
    assert "Tập huấn &lt;RECP&gt;" in listed and "Chủ đầu tư hạ tầng KCN" in listed and "Nữ" in listed
    code = re.search(r'href="/training/p/([A-Za-z0-9_-]+)"', listed).group(1)
    register = load_workbook(__import__("io").BytesIO(trainer.get(f"{course_url}/register.xlsx").content))
    sheet = register.active
    assert sheet["A3"].value == "Lê Thị Hoa" and sheet["B3"].value == '=HYPERLINK("x")' and sheet["B3"].data_type == "s"
    participant = TestClient(app)  # no account: the private link is the key
    desk = participant.get(f"/training/p/{code}")
    assert desk.status_code == 200 and "DEEPC-OP" in desk.text and "bản sao riêng" in desk.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', desk.text).group(1)
    answered = participant.post(
        f"/training/p/{code}/answer", data={"csrf_token": token, "exercise": "dossier-gaps", "answer": "1"}
    )
    assert answered.status_code == 200 and 'data-testid="verdict"' in answered.text and "Chưa đúng" in answered.text
    forged = participant.post(
        f"/training/p/{code}/answer", data={"csrf_token": "x", "exercise": "scope-2", "answer": "1"}
    )
    assert forged.status_code == 403
    assert participant.get("/training/p/unknown-code").status_code == 404
    assert participant.get(f"/training/p/{code}/dossier.pdf").content.startswith(b"%PDF")
    assert browser(app, "dn-deepc-001").get("/training").status_code == 403
    assert browser(app, "bql-haiphong").get(course_url).status_code == 404


def test_the_trainer_s_records_from_the_command_line(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = child_env(PATH="/usr/bin:/bin", COLUMNS="200", HOME=str(tmp_path), EIPKIT_SANDBOXES=str(tmp_path))
        command = [sys.executable, "-m", "eipkit", *args, "--db", f"sqlite:///{tmp_path / 'main.db'}"]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)

    assert "số 1" in run("training", "course", "--title", "Tập huấn", "--on", "2025-11-20").stdout
    added = run(
        "training", "participant", "--course", "1", "--name", "Phạm Thu", "--organisation", "Sở Công Thương",
        "--kind", "government", "--gender", "female",
    )  # fmt: skip
    assert added.returncode == 0 and "/training/p/" in added.stdout
    refused = run("training", "participant", "--course", "9", "--name", "A", "--organisation", "B",
                  "--kind", "enterprise", "--gender", "male")  # fmt: skip
    assert refused.returncode == 1 and "khoá đào tạo số 9" in refused.stderr
    assert "Phạm Thu" in run("training", "list", "--course", "1").stdout
    assert run("training", "export", "--course", "1", "--out", str(tmp_path / "r.xlsx")).returncode == 0
    assert load_workbook(tmp_path / "r.xlsx").active["A3"].value == "Phạm Thu"


def test_every_exercise_has_its_check_and_its_guide_section() -> None:
    from eipkit import guides
    from eipkit.training import exercises

    for exercise in exercises.catalogue().values():
        assert exercise.answer == "opportunities" or exercise.exercise_id in exercises.NUMBERS
        assert exercise.anchor in guides.guide(exercise.guide, "vi").anchors
        assert exercise.task["vi"] != exercise.task["en"] and exercise.title["vi"] != exercise.title["en"]

"""One deployment for the whole programme: the national dataset, the data version every process reads, durable
jobs, and two web processes with a worker on PostgreSQL (the worker killed in the middle of a job)."""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from eipkit import demo, jobs, provinces
from eipkit.api import figures
from eipkit.demo import national
from eipkit.store import Database, bulk, connect, repository, schema, state
from eipkit.web import create_app
from eipkit.workbooks import workbook
from eipkit.workbooks.validate import ImportRejected
from web_client import api_client, browser, csrf

# 1. the national dataset ----------------------------------------------------------------------------------------


def test_the_national_parks_follow_the_units_shares() -> None:
    spec = national.national_spec()
    parks = national.parks()
    assert len(parks) == spec["parks"] == 436
    assert len({p["park_id"] for p in parks}) == 436
    assert {p["park_id"] for p in demo.spec()["parks"]} <= {p["park_id"] for p in parks}
    # the largest remainder worked out here: each unit gets floor(436 * w / W), the largest remainders one more
    weights = {name: unit[0] for name, unit in spec["units"].items()}
    exact = {name: 436 * w / sum(weights.values()) for name, w in weights.items()}
    expected = {name: math.floor(v) for name, v in exact.items()}
    short = 436 - sum(expected.values())
    for name in sorted(exact, key=lambda n: exact[n] - math.floor(exact[n]), reverse=True)[:short]:
        expected[name] += 1
    counted = Counter(provinces.resolve(p["province"]).name for p in parks)
    assert counted == {name: n for name, n in expected.items() if n}
    assert len(counted) == 34
    tenants = sum(sum(p["sectors"].values()) for p in parks[6:])
    assert 25_000 <= tenants + 186 <= 35_000


def test_the_national_load_is_all_or_nothing(database: Database) -> None:
    batches = [b for b, _ in zip(national.Generator(national.parks()[6:10], 7).batches(2), range(2), strict=False)]
    rows = sum(len(r) for b in batches for r in b.values())
    bad = copy.deepcopy(batches)
    bad[1]["energy"][3]["quantity"] = "mười"  # not a number, in the second batch
    with pytest.raises(ImportRejected) as refused:
        national.load(database, rows=bad)
    first_batch_energy = len(batches[0]["energy"])
    problem = refused.value.problems[0]
    assert (
        problem.sheet == "energy" and problem.row == workbook.FIRST_DATA_ROW + first_batch_energy + 3
    )  # across batches
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(schema.Park)) == 0
        assert session.scalar(select(func.count()).select_from(schema.EnergyRecord)) == 0
    loaded = national.load(database, rows=batches)
    with database.sessions() as session:
        stored = sum(session.scalar(select(func.count()).select_from(table)) for table in schema.RECORD_TABLES.values())
        assert state.synthetic(session) == "national"
    assert loaded.parks == 436  # the dataset's size, though only four were given here
    assert stored == rows
    national.load(database, rows=batches)  # again: updated, not duplicated
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(schema.Enterprise)) == len(
            [e for b in batches for e in b["enterprises"]]
        )


def _keys(database: Database) -> set[tuple[str, ...]]:
    """Every constraint and index of the schema as PostgreSQL would write it again."""
    with database.sessions() as session:
        constraints = session.execute(
            text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE connamespace = 'public'::regnamespace"
            )
        )
        indexes = session.execute(
            text("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        )
        return {tuple(row) for row in constraints} | {tuple(row) for row in indexes}


def test_a_first_load_builds_the_keys_it_set_aside_as_they_were(postgresql_db: Database) -> None:
    before = _keys(postgresql_db)
    assert ("energy", "uq_energy_enterprise_id", "UNIQUE (enterprise_id, year, carrier)") in before
    batches = [b for b, _ in zip(national.Generator(national.parks()[6:8], 7).batches(1), range(2), strict=False)]
    steps: list[str] = []
    national.load(postgresql_db, rows=batches, progress=steps.append)
    assert "build keys" in steps  # an empty database: keys set aside, then built again
    assert _keys(postgresql_db) == before
    again: list[str] = []
    national.load(postgresql_db, rows=batches, progress=again.append)
    assert "build keys" not in again and "store 2" in again  # rows stored: the keys stay in place
    assert _keys(postgresql_db) == before


def test_after_a_bulk_load_the_planner_knows_the_rows_and_every_park_has_its_figures(postgresql_db: Database) -> None:
    batches = [b for b, _ in zip(national.Generator(national.parks()[6:8], 7).batches(1), range(2), strict=False)]
    national.load(postgresql_db, rows=batches)
    steps: list[str] = []
    figures.ready_after_bulk_load(postgresql_db, progress=steps.append)
    assert steps == ["ANALYZE", "figures 1/2", "figures 2/2"]  # two parks given, one per batch
    with postgresql_db.sessions() as session:
        energy = session.scalar(select(func.count()).select_from(schema.EnergyRecord))
        planned = session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'energy'"))
        kept = select(func.count()).select_from(schema.ParkFigures).where(schema.ParkFigures.figures.is_not(None))
        stored = session.scalar(kept)
    assert energy == sum(len(b["energy"]) for b in batches) and planned == energy
    assert stored == 2
    again: list[str] = []
    assert len(figures.park_figures(postgresql_db, progress=again.append)) == 2
    assert again == []  # stored and current: nothing computed again


def test_rows_that_break_a_key_set_aside_refuse_the_whole_load(postgresql_db: Database) -> None:
    before = _keys(postgresql_db)
    park = {"park_id": "P1", "name": "KCN thử", "province": "Hải Phòng", "area_ha": 100.0}
    enterprise = {"enterprise_id": "E1", "park_id": "P1", "name": "Công ty thử", "vsic": 2410}
    energy = {
        "enterprise_id": "E1",
        "year": 2024,
        "carrier": "electricity",
        "quantity": 5.0,
        "unit": "MWh",
        "energy_gj": 18.0,
    }
    with (
        pytest.raises(IntegrityError, match="uq_energy_enterprise_id"),
        postgresql_db.transaction() as session,
        repository.first_load(session) as set_aside,
    ):
        assert set_aside
        bulk.insert_rows(session, schema.Park.__table__, [park])
        bulk.insert_rows(session, schema.Enterprise.__table__, [enterprise])
        bulk.insert_rows(session, schema.EnergyRecord.__table__, [energy, energy])  # twice the same record
    with postgresql_db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(schema.EnergyRecord)) == 0
        assert session.scalar(select(func.count()).select_from(schema.Park)) == 0
    assert _keys(postgresql_db) == before
    with (  # the keys are back: a record of no enterprise is refused
        pytest.raises(IntegrityError, match="fk_energy_enterprise_id_enterprises"),
        postgresql_db.transaction() as session,
    ):
        bulk.insert_rows(session, schema.EnergyRecord.__table__, [energy])


# 2. what several processes share ----------------------------------------------------------------------------------


def test_a_change_in_one_process_is_seen_by_the_next_request_of_another(demo_copy: Database, tmp_path: Path) -> None:
    url = demo_copy.engine.url.render_as_string(hide_password=False)
    first, second = create_app(demo_copy), create_app(connect(url, migrate=False))
    ministry = api_client(second, "bo")
    before = ministry.get("/api/results").json()
    version = demo_copy.data_version()
    coordinator = browser(first, "dieuphoi-deepc")
    token = csrf(coordinator, "/upload")
    with demo_copy.sessions() as session:
        opportunity = session.scalar(
            select(schema.Opportunity.opportunity_id)
            .where(schema.Opportunity.park_id == "DEEPC", schema.Opportunity.stage == "implementing")
            .order_by(schema.Opportunity.opportunity_id)
        )
    page = coordinator.post(
        f"/opportunities/{opportunity}", data={"stage": "implemented", "csrf_token": token}, follow_redirects=False
    )
    assert page.status_code in (200, 303), page.text
    assert demo_copy.data_version() == version + 1
    after = ministry.get("/api/results").json()
    fresh = api_client(create_app(connect(url, migrate=False)), "bo").get("/api/results").json()
    for answer in (before, after, fresh):
        answer.pop("provenance")  # says when it was generated, to the second
    assert after == fresh != before  # the second process read the new version, not what it had cached


def test_signing_in_does_not_change_the_data_version(demo_copy: Database) -> None:
    version = demo_copy.data_version()
    browser(create_app(demo_copy), "bo")
    assert demo_copy.data_version() == version


def test_a_job_is_stored_run_and_cancelled(database: Database) -> None:
    from eipkit import users

    users.add_user(database, "coord", "Matkhau-dai-12", "coordinator", "C", park_id="NOPARK")
    job = jobs.submit(database, "coord", "symbiosis.park", {"park_id": "NOPARK", "objective": "cost"}, "NOPARK")
    second = jobs.submit(database, "coord", "symbiosis.park", {"park_id": "NOPARK", "objective": "cost"}, "NOPARK")
    with pytest.raises(jobs.TooManyJobs):
        jobs.submit(database, "coord", "symbiosis.park", {"park_id": "NOPARK", "objective": "co2"}, "NOPARK")
    assert jobs.cancel(database, second.id).status == "cancelled"
    assert jobs.run(database, second.id) is None  # a cancelled job is not run
    ran = jobs.run(database, job.id)
    assert ran is not None and ran.status == "failed" and ran.attempts == 1  # the park does not exist
    assert jobs.run(database, job.id) is None  # ended: nobody runs it again
    # a job whose worker stopped (no heartbeat for longer than STALLED_S) is taken up again
    third = jobs.submit(database, "coord", "symbiosis.park", {"park_id": "NOPARK", "objective": "cost"}, "NOPARK")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=jobs.STALLED_S + 5)
    with database.transaction(changes_data=False) as session:
        session.execute(
            update(schema.JobRecord).where(schema.JobRecord.id == third.id).values(status="running", heartbeat_at=old)
        )
    assert jobs.claimable(database) == [third.id]
    assert jobs.run(database, third.id).attempts == 1
    with database.transaction(changes_data=False) as session:
        session.execute(
            update(schema.JobRecord)
            .where(schema.JobRecord.id == third.id)
            .values(status="running", heartbeat_at=dt.datetime.now(dt.UTC))
        )
    assert jobs.run(database, third.id) is None  # a fresh heartbeat: another worker holds it


# 3. two web processes and a worker on PostgreSQL --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _eipkit(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "eipkit", *args],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_until(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def _status(database: Database, job_id: str) -> str | None:
    found = jobs.get(database, job_id)
    return found.status if found else None


def test_two_web_processes_and_a_worker_restarted_mid_job(postgresql_db: Database, tmp_path: Path) -> None:
    demo.load(postgresql_db)
    demo.add_users(postgresql_db)
    url = postgresql_db.engine.url.render_as_string(hide_password=False)
    env = dict(os.environ, EIPKIT_DB=url, EIPKIT_SECRET_KEY="k" * 48, EIPKIT_LANG="vi")
    log = tmp_path / "processes.log"
    ports = [_free_port(), _free_port()]
    started = [_eipkit("serve", "--port", str(p), env=env, log=log) for p in ports]
    worker = _eipkit("worker", env=env, log=log)
    started.append(worker)
    try:
        for port in ports:
            _wait_until(lambda port=port: _answers(port), 60, f"the web process on {port} answering")
        one, other = (httpx.Client(base_url=f"http://127.0.0.1:{p}", timeout=30) for p in ports)
        page = one.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        signed = one.post(
            "/login",
            data={"username": "dieuphoi-deepc", "password": demo.DEMO_PASSWORD, "csrf_token": token, "next": "/"},
        )
        assert signed.status_code == 303, signed.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', one.get("/upload").text).group(1)
        submitted = one.post("/parks/DEEPC/symbiosis/optimize", data={"objective": "cost", "csrf_token": token})
        assert submitted.status_code == 200, submitted.text
        job_id = re.search(r'hx-get="/jobs/([0-9a-f]+)"', submitted.text).group(1)
        _wait_until(lambda: _status(postgresql_db, job_id) == "running", 60, "the worker taking the job")
        os.killpg(worker.pid, signal.SIGKILL)  # the worker dies mid-job, as a machine would
        worker.wait(10)
        assert _status(postgresql_db, job_id) == "running"
        started.append(_eipkit("worker", env=env, log=log))
        _wait_until(lambda: _status(postgresql_db, job_id) == "done", 120, "another worker finishing the job")
        other.cookies = one.cookies  # the same person, now served by the other process
        shown = other.get(f"/jobs/{job_id}")
        assert shown.status_code == 200 and 'data-testid="job-done"' in shown.text
        done = jobs.get(postgresql_db, job_id)
        assert done.attempts == 2 and done.result["links"] > 0
        assert f"{done.result['links']} liên kết" in shown.text
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        print(log.read_text(errors="replace")[-3000:])


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_the_embedded_runner_runs_and_cancels_jobs_from_the_web(
    demo_copy: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eipkit.jobs import kinds

    def waits(_database: Database, _owner: str, _params: dict, progress) -> dict:  # type: ignore[no-untyped-def]
        for _ in range(600):
            progress("candidates", force=True)
            time.sleep(0.05)
        return {}

    monkeypatch.setitem(kinds.KINDS, "test.waits", waits)
    app = create_app(demo_copy)
    with TestClient(app):  # the application's start-up starts the embedded runner (SQLite: nothing else to run)
        ministry = browser(app, "bo")
        token = csrf(ministry, "/national/symbiosis")
        job = jobs.submit(demo_copy, "bo", "test.waits", {})
        _wait_until(lambda: _status(demo_copy, job.id) == "running", 30, "the runner taking the job")
        other = browser(app, "dieuphoi-deepc")
        assert other.get(f"/jobs/{job.id}").status_code == 404
        assert other.post(f"/jobs/{job.id}/cancel", data={"csrf_token": csrf(other, "/upload")}).status_code == 404
        assert _status(demo_copy, job.id) == "running"
        assert 'data-testid="job-cancel"' in ministry.get(f"/jobs/{job.id}").text
        assert ministry.post(f"/jobs/{job.id}/cancel", data={"csrf_token": token}).status_code == 200
        _wait_until(lambda: _status(demo_copy, job.id) == "cancelled", 10, "the job stopping")
        assert 'data-testid="job-cancelled"' in ministry.get(f"/jobs/{job.id}").text
        # the ministry's national optimisation, submitted from its page, run by the same runner
        started = ministry.post("/national/symbiosis/optimize", data={"objective": "cost", "csrf_token": token})
        job_id = re.search(r'hx-get="/jobs/([0-9a-f]+)"', started.text).group(1)
        _wait_until(lambda: _status(demo_copy, job_id) == "done", 120, "the national optimisation")
        assert 'data-testid="by_province"' in ministry.get(f"/jobs/{job_id}").text


def test_the_store_depends_on_the_model_and_its_schema_only() -> None:
    """Loading the store loads no calculation, validation, certification or report module (checked in a fresh
    interpreter, where nothing else was imported before)."""
    code = (
        "import sys, eipkit.store.repository; print(' '.join(sorted(m for m in sys.modules if m.startswith('eipkit'))))"
    )
    loaded = set(
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    )
    assert loaded == {
        "eipkit",
        "eipkit.contract",
        "eipkit.data",  # the contract's tables, read by the vocabulary
        "eipkit.model",
        "eipkit.store",
        "eipkit.store.bulk",
        "eipkit.store.database",
        "eipkit.store.repository",
        "eipkit.store.schema",
        "eipkit.store.state",
        "eipkit.vocabulary",  # the model's words: stages, kinds, fates
    }


def test_stored_park_figures_agree_with_the_library_and_only_a_changed_park_is_recomputed(demo_copy: Database) -> None:
    from eipkit import api
    from eipkit.api import figures

    stored = figures.park_figures(demo_copy)
    status = api.certify_park(demo_copy, "DEEPC").as_dict("vi", named=False)
    year = api.park_facts(demo_copy, "DEEPC").year
    assert stored["DEEPC"]["latest_year"] == year
    assert stored["DEEPC"]["kpi"] == api.park_kpi(demo_copy, "DEEPC", year).as_dict()
    assert stored["DEEPC"]["criteria_passed"] == sum(c["status"] == "pass" for c in status["criteria"])
    assert stored["DEEPC"]["eligible"] == status["eligible"]
    with demo_copy.sessions() as session:
        opportunity = session.scalar(
            select(schema.Opportunity.opportunity_id).where(
                schema.Opportunity.park_id == "HIEPPHUOC", schema.Opportunity.stage == "implementing"
            )
        )
    api.move_opportunity(demo_copy, opportunity, "dropped")  # says nothing of its parks: all figures stale
    computed: list[str] = []
    figures.park_figures(demo_copy, progress=computed.append)
    assert len(computed) == len(stored)  # the unannounced change made every park stale
    computed.clear()
    with demo_copy.transaction() as session:
        state.changes_parks(session, ["HIEPPHUOC"])
    again = figures.park_figures(demo_copy, progress=computed.append)
    assert computed == ["figures 1/1"] and again["DEEPC"] == stored["DEEPC"]

"""One entry point for every exchange network (`symbiosis.engine.solve`): the method chosen by size, the same answer
whichever method runs, a default time limit, a refusal before memory runs out, and every face of the product (command,
pages, REST API) going through it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from eipkit.symbiosis import engine
from eipkit.symbiosis.problem import TooLarge
from synthetic import national


@pytest.fixture(scope="module")
def region():  # type: ignore[no-untyped-def]
    """40 parks of 100 enterprises: about 680,000 pairs within reach, beyond the full model's size."""
    problem, _ = national(parks=40, seed=1)
    return problem


@pytest.fixture(scope="module")
def park():  # type: ignore[no-untyped-def]
    problem, _ = national(parks=2, enterprises_per_park=30, seed=3)
    return problem


def test_the_method_follows_the_problem_s_size_and_shape(park, region) -> None:  # type: ignore[no-untyped-def]
    assert engine.choose(park, "cost", 5_000) == "full model"
    assert engine.choose(region, "cost", engine.FULL_MODEL_PAIRS + 1) == "column generation"
    fixed = region.model_copy(update={"default_fixed_cost_vnd_per_year": 1e7})
    assert engine.choose(fixed, "cost", engine.FULL_MODEL_PAIRS + 1) == "fixed charge"
    assert engine.choose(fixed, "co2", engine.FULL_MODEL_PAIRS + 1) == "column generation"  # CO2 has no fixed costs
    small = engine.solve(park, "cost")
    assert (small.method, small.status, small.elapsed_s is not None) == ("full model", "optimal", True)
    assert small.bound == pytest.approx(small.objective_value) and small.pairs > 0


@pytest.mark.parametrize("objective", ["cost", "co2"])
def test_column_generation_finds_the_full_model_s_optimum(
    park, objective: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The same problem solved by both methods (a second method, not the code under test, gives the answer)."""
    full = engine.solve(park, objective, engine.Limits(gap=0.0))
    monkeypatch.setattr(engine, "FULL_MODEL_PAIRS", 0)
    large = engine.solve(park, objective, engine.Limits(gap=0.0))
    assert (full.method, large.method) == ("full model", "column generation")
    assert large.status == "optimal"
    assert large.objective_value == pytest.approx(full.objective_value, rel=1e-7)
    # the large path's links respect every supply and capacity
    links = large.links
    supplied = links.groupby("supply")["flow_t"].sum()
    quantity = {s.id: s.quantity_t for s in park.supplies}
    assert all(v <= quantity[s] * (1 + 1e-9) + 1e-7 for s, v in supplied.items())
    received = (links["flow_t"] * links["ratio"]).groupby(links["demand"]).sum()
    capacity = {d.id: d.capacity_t for d in park.demands}
    assert all(v <= capacity[k] * (1 + 1e-9) + 1e-7 for k, v in received.items())


def test_a_stopped_solve_answers_with_a_feasible_flow_its_bound_and_its_gap() -> None:
    country, _ = national(parks=150, seed=5)  # about 2.5 million pairs: more than a second to prove optimal
    engine.solve(country, "cost", engine.Limits(time_limit_s=0.5, gap=0.0))  # compiles the kernels on a fresh clone
    reports: list[engine.Progress] = []
    stopped = engine.solve(country, "cost", engine.Limits(time_limit_s=1.5, gap=0.0), reports.append)
    assert stopped.method == "column generation" and stopped.status == "time_limit"
    assert stopped.bound >= stopped.objective_value > 0 and 0 < stopped.gap < 1
    assert stopped.gap == pytest.approx((stopped.bound - stopped.objective_value) / stopped.bound, rel=1e-6)
    supplied = stopped.links.groupby("supply")["flow_t"].sum()
    quantity = {s.id: s.quantity_t for s in country.supplies}
    assert all(v <= quantity[s] * (1 + 1e-9) + 1e-7 for s, v in supplied.items())
    # the limit plus 10%, plus what runs to its end once started: the park-scale first round and building the links
    # of the answer (up to about 0.9 s on an idle CI machine, 2.37 and 2.85 s were seen on a busy one; the status
    # above is what says the limit stopped it, this only catches a limit ignored until a long phase ends)
    assert stopped.elapsed_s < 1.5 * 1.1 + 2.0
    rounds = [r for r in reports if r.round is not None]
    assert rounds and all(r.bound >= r.value for r in rounds)
    assert reports[0].phase == "pairs"


def test_a_problem_too_large_for_the_memory_is_refused_before_allocating(region) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TooLarge) as refused:
        engine.solve(region, "cost", engine.Limits(memory_bytes=10_000_000))
    message = refused.value.text("en")
    assert "pairs within reach" in message and "208,333" in message  # 10 MB at 48 bytes a pair


def _eipkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eipkit", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_the_command_solves_a_problem_file_through_the_engine(park, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "p.json").write_text(park.model_dump_json(), encoding="utf-8")
    done = _eipkit("symbiosis", "solve", "p.json", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["method"] == "full model" and answer["status"] == "optimal" and answer["elapsed_s"] > 0
    assert answer["bound"] == pytest.approx(answer["objective_value"])
    refused = _eipkit("symbiosis", "solve", "p.json", "--max-memory-gb", "0.00001", "--lang", "en", cwd=tmp_path)
    assert refused.returncode == 6 and "pairs within reach" in refused.stderr and refused.stdout == ""  # a limit


def test_the_pages_and_the_api_solve_through_the_engine(demo_copy, park) -> None:  # type: ignore[no-untyped-def]
    from eipkit.web import create_app
    from web_client import api_client, browser, csrf

    app = create_app(demo_copy)
    answer = api_client(app, "tuvan").post(
        "/api/symbiosis/solve?objective=co2", json=json.loads(park.model_dump_json())
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["method"] == "full model" and answer.json()["objective"] == "co2"
    page = browser(app, "tuvan")
    calculated = page.post(
        "/tools/exchange", data={"csrf_token": csrf(page, "/tools"), "problem": park.model_dump_json()}
    )
    assert calculated.status_code == 200 and 'data-testid="method"' in calculated.text
    bad = api_client(app, "tuvan").post("/api/symbiosis/solve", json={"supplies": "none"})
    assert bad.status_code == 422


def finished_job(client: Any, started: str) -> str:
    """The job page of the job a form started, once it is done (at most a minute)."""
    import re
    import time

    job = re.search(r'hx-get="/jobs/([0-9a-f]+)"', started).group(1)  # type: ignore[union-attr]
    for _ in range(600):
        page = client.get(f"/jobs/{job}").text
        if 'data-testid="job-done"' in page:
            break
        time.sleep(0.1)
    return page


def test_the_ministry_runs_the_national_optimisation_and_sees_aggregates_only(demo_copy) -> None:  # type: ignore[no-untyped-def]

    from eipkit import api, demo
    from eipkit.web import create_app
    from web_client import browser, csrf

    direct = api.national_symbiosis(demo_copy, lang="en")
    assert (
        direct["links"]
        == sum(r["links"] for r in direct["by_province"])
        == sum(r["links"] for r in direct["by_resource"])
    )
    assert sum(r["tonnes"] for r in direct["by_province"]) == pytest.approx(direct["diverted_t_per_year"])
    app = create_app(demo_copy)
    ministry = browser(app, "bo")
    assert ministry.get("/national/symbiosis").status_code == 200
    started = ministry.post("/national/symbiosis/optimize", data={"csrf_token": csrf(ministry, "/national/symbiosis")})
    page = finished_job(ministry, started.text)
    assert 'data-testid="by_province"' in page and "Hải Phòng" in page
    named = [e["enterprise_id"] for e in demo.rows()["enterprises"] if e["enterprise_id"] in page]
    assert named == []
    assert browser(app, "bql-haiphong").get("/national/symbiosis").status_code == 403


def test_the_ministry_compares_rule_packs_over_every_park_and_sees_counts_only(demo_copy) -> None:  # type: ignore[no-untyped-def]
    import re

    from eipkit import demo
    from eipkit.api import regulation
    from eipkit.web import create_app
    from web_client import browser, csrf

    comparison, coverage = regulation.compare(demo_copy, ["vn-decree-82-2018", "vn-decree-35-2022"])
    steps, _ = regulation.sweep(demo_copy, "vn-decree-35-2022", "D35-37.2.c", [10, 25, 40])
    app = create_app(demo_copy)
    ministry = browser(app, "bo")
    assert ministry.get("/national/regulation").status_code == 200
    form = {
        "csrf_token": csrf(ministry, "/national/regulation"),
        "first": "vn-decree-82-2018",
        "second": "vn-decree-35-2022",
        "criterion": "D35-37.2.c",
        "low": "10",
        "high": "40",
        "step": "15",
    }
    started = ministry.post("/national/regulation", data=form)
    page = finished_job(ministry, started.text)
    assert 'data-testid="impact-sweep"' in page and 'class="chart"' in page
    sweep_rows = re.findall(r'<tr><td class="num">(\d+)</td><td class="num">(\d+)</td><td class="num">(\d+)</td>', page)
    assert [(int(a), int(b), int(c)) for a, b, c in sweep_rows] == [
        (int(s.threshold), s.parks, s.parks_meeting) for s in steps
    ]
    counts = comparison.counts("enterprise")
    assert f"{counts[1]['eligible']} DN" in page  # the eco-enterprises under Decree 35, counted, not named
    named = [e["enterprise_id"] for e in demo.rows()["enterprises"] if e["enterprise_id"] in page]
    assert named == [] and coverage.complete
    bad = ministry.post("/national/regulation", data=form | {"criterion": "D82-43.5"})
    assert bad.status_code == 400 and "không có tiêu chí" in bad.text

    import yaml

    from eipkit.certification import rules

    shipped = rules.resources.files("eipkit.data").joinpath("rules/vn-decree-35-2022.yaml").read_text("utf-8")
    draft = yaml.safe_load(shipped)
    draft["pack"]["id"] = "du-thao-2026"
    draft["criteria"][6]["threshold"]["value"] = 30  # D35-37.2.c, the RECP share
    assert draft["criteria"][6]["id"] == "D35-37.2.c"
    text = yaml.safe_dump(draft, allow_unicode=True)
    upload = {"draft": ("du-thao.yaml", text.encode("utf-8"), "application/x-yaml")}
    fields = form | {"csrf_token": csrf(ministry, "/national/regulation"), "first": "vn-decree-35-2022"}
    page = finished_job(ministry, ministry.post("/national/regulation", data=fields, files=upload).text)
    assert "du-thao-2026" in page
    # the draft moves a park criterion only: its eco-enterprises are Decree 35's, in both columns of the row
    parks_eligible = comparison.counts("park")[1]["eligible"]
    assert page.count(f"{parks_eligible} KCN · {counts[1]['eligible']} DN") == 2
    draft["criteria"][6]["measure"] = "nonsense"
    broken = {"draft": ("du-thao.yaml", yaml.safe_dump(draft).encode("utf-8"), "application/x-yaml")}
    refused = ministry.post("/national/regulation", data=fields, files=broken)
    assert refused.status_code == 400 and "D35-37.2.c.measure" in refused.text
    assert browser(app, "bql-haiphong").get("/national/regulation").status_code == 403

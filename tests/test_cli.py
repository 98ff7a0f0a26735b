"""The command line as a user runs it: installed `eipkit`, real files, exit codes, Vietnamese by default."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eipkit import api
from eipkit.store import connect
from eipkit.workbooks import workbook
from processes import child_env
from workbooks import small

COMMANDS = ["template", "import", "export", "kpi", "demo", "factors", "contract"]


def eipkit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eipkit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=child_env(PATH="/usr/bin:/bin", COLUMNS="200", HOME=str(cwd)),
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, tmp_path: Path) -> None:
    result = eipkit(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "Usage" in result.stdout


def test_template_import_kpi_export_chain(tmp_path: Path) -> None:
    assert eipkit("template", "--out", "template.xlsx", cwd=tmp_path).returncode == 0
    assert (tmp_path / "template.xlsx").exists()

    workbook.write(tmp_path / "small.xlsx", small())
    imported = eipkit("import", "small.xlsx", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "Đã nhập 16 dòng" in imported.stdout
    assert (tmp_path / "eipkit.db").exists()

    kpi = eipkit("kpi", "--park", "P1", "--year", "2022", "--format", "json", cwd=tmp_path)
    figures = json.loads(kpi.stdout)
    assert figures["scope2_tco2e"] == pytest.approx(676.6)
    assert figures["grid_ef_year"] == 2022 and figures["enterprises"] == 2
    required = {
        "enterprises",
        "electricity_mwh",
        "fuel_tj",
        "water_withdrawal_m3",
        "wastewater_m3",
        "materials_t",
        "chemicals_t",
        "waste_t",
        "hazardous_waste_t",
        "waste_landfilled_t",
        "waste_recovered_t",
        "scope1_tco2e",
        "scope2_tco2e",
        "biogenic_co2_t",
        "grid_ef_tco2_per_mwh",
        "grid_ef_year",
        "production_value_vnd",
    }
    assert required <= figures.keys()

    table = eipkit("kpi", "--enterprise", "E1", "--year", "2022", cwd=tmp_path)
    assert "Phát thải phạm vi 2 (tCO2e)" in table.stdout and "676,6" in table.stdout

    later = eipkit("kpi", "--park", "P1", "--year", "2025", "--lang", "en", cwd=tmp_path)
    assert "latest official value (2023" in later.stdout

    assert eipkit("export", "--park", "P1", "--out", "p1.xlsx", cwd=tmp_path).returncode == 0
    again = eipkit("import", "p1.xlsx", cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_bad_workbook_exits_2_and_lists_every_problem(tmp_path: Path) -> None:
    rows = small()
    rows["energy"][0]["unit"] = "kg"
    rows["water"][1]["quantity"] = -3
    workbook.write(tmp_path / "bad.xlsx", rows)
    result = eipkit("import", "bad.xlsx", "--db", str(tmp_path / "x.db"), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "2 lỗi" in result.stderr and "cơ sở dữ liệu không thay đổi" in result.stderr
    assert "energy" in result.stderr and "water" in result.stderr
    assert "số lượng âm -3" in result.stderr and "cần đơn vị năng lượng" in result.stderr


def test_unknown_park_is_a_clear_error(tmp_path: Path) -> None:
    result = eipkit("kpi", "--park", "NOPE", "--year", "2022", cwd=tmp_path)
    assert result.returncode == 3  # not found (eipkit.errors), said in the reader's language
    assert "Không có khu công nghiệp 'NOPE'" in result.stderr and "Traceback" not in result.stderr
    english = eipkit("kpi", "--park", "NOPE", "--year", "2022", "--lang", "en", cwd=tmp_path)
    assert english.returncode == 3 and "no park 'NOPE' in the database" in english.stderr


def test_demo_writes_a_vietnamese_summary_per_park(tmp_path: Path) -> None:
    result = eipkit("demo", "--out", "demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pages = sorted(p.name for p in (tmp_path / "demo").glob("*.html"))
    assert pages == [
        "AMATA-BH.html",
        "DEEPC.html",
        "HIEPPHUOC.html",
        "NAMCAUKIEN.html",
        "TANDO.html",
        "VSIP-BN.html",
        "index.html",
    ]
    page = (tmp_path / "demo" / "NAMCAUKIEN.html").read_text(encoding="utf-8")
    assert "KCN Nam Cầu Kiền" in page and "Dữ liệu minh hoạ" in page
    chart_title = "Cơ cấu phát thải khí nhà kính"  # inside the figure's JSON, escaped or not by the JSON encoder
    assert chart_title in page or json.dumps(chart_title)[1:-1] in page
    assert "Cơ hội theo giai đoạn" in page and "plotly.min.js" in page
    english = eipkit("demo", "--out", "demo-en", "--lang", "en", "--db", "en.db", cwd=tmp_path)
    assert english.returncode == 0
    assert "Synthetic demonstration data" in (tmp_path / "demo-en" / "TANDO.html").read_text(encoding="utf-8")


def test_regulation_impact_from_the_command_line_agrees_with_each_park_judged_alone(tmp_path: Path) -> None:
    assert eipkit("demo", "--out", "demo", cwd=tmp_path).returncode == 0
    packs = ("--rules", "vn-decree-82-2018", "--rules", "vn-decree-35-2022")
    compared = eipkit("certify", "compare", *packs, "--format", "json", cwd=tmp_path)
    assert compared.returncode == 0, compared.stderr
    payload = json.loads(compared.stdout)
    standing = {True: "eligible", False: "not_eligible", None: "undetermined"}
    recp_passes = 0
    database = connect(f"sqlite:///{tmp_path / 'eipkit.db'}")
    for park in payload["parks"]:
        for index, pack in enumerate(("vn-decree-82-2018", "vn-decree-35-2022")):
            # each park judged alone by what `eipkit certify --park` prints (in process: a start-up per park and pack
            # would cost a minute; the command itself is checked on one park below)
            judged = api.certify_park(database, park["id"], pack).as_dict("en")
            assert park["standings"][index] == standing[judged["eligible"]]
            failing = [c["id"] for c in judged["criteria"] if c["status"] == "fail"]
            assert park["failing"][index] == failing
            if pack == "vn-decree-35-2022":
                recp_passes += any(c["id"] == "D35-37.2.c" and c["status"] == "pass" for c in judged["criteria"])
    database.engine.dispose()
    alone = eipkit("certify", "--park", "DEEPC", "--rules", "vn-decree-35-2022", "--format", "json", cwd=tmp_path)
    first = next(p for p in payload["parks"] if p["id"] == "DEEPC")
    assert first["standings"][1] == standing[json.loads(alone.stdout)["eligible"]]
    assert payload["coverage"] == {"parks": 6, "of": 6, "complete": True}
    assert sum(payload["park_counts"][1].values()) == 6
    assert payload["enterprise_counts"][0]["no_criteria"] == 186  # Decree 82's pack has no eco-enterprise criteria

    swept = eipkit(
        "certify", "sweep", "--rules", "vn-decree-35-2022", "--criterion", "D35-37.2.c",
        "--from", "10", "--to", "40", "--step", "10", "--chart", "sweep.html", "--format", "json", cwd=tmp_path,
    )  # fmt: skip
    assert swept.returncode == 0, swept.stderr
    steps = {s["threshold"]: s for s in json.loads(swept.stdout)["steps"]}
    assert list(steps) == [10, 20, 30, 40]
    assert steps[20]["parks_meeting"] == recp_passes  # the law's own 20% gives each park's own verdict
    meeting = [s["parks_meeting"] for s in steps.values()]
    assert meeting == sorted(meeting, reverse=True)  # a higher bar never lets more parks through
    assert (tmp_path / "sweep.html").stat().st_size > 1_000_000  # plotly inside: opens offline

    cut = eipkit("certify", "compare", *packs, "--time-limit", "0", cwd=tmp_path)
    assert cut.returncode == 0 and "0/6" in cut.stdout  # said, not silently partial

    side = eipkit("certify", "diff", "vn-decree-82-2018", "vn-decree-35-2022", "--lang", "en", cwd=tmp_path)
    assert side.returncode == 0 and "Redefined" in side.stdout and "Criterion dropped" in side.stdout
    assert "is_plan_share" not in side.stdout  # the measure's key stays in the JSON
    bad = eipkit("certify", "compare", "--rules", "vn-decree-35-2022", cwd=tmp_path)
    assert bad.returncode == 2 and "Cần ít nhất hai bộ tiêu chí" in bad.stderr and "Traceback" not in bad.stderr


def test_factors_prints_the_grid_and_fuel_tables(tmp_path: Path) -> None:
    shown = eipkit("factors", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    # IPCC 2006 Vol.2 Tab.2.2: diesel 74,100 kg CO2/TJ; the official 2023 grid factor 0.6592 tCO2/MWh
    assert "74100" in shown.stdout and "0.6592" in shown.stdout

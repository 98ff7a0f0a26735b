"""Certification from stored data, on SQLite and PostgreSQL: evaluation, dossier, annual report, command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
from pypdf import PdfReader
from typer.testing import CliRunner

from eipkit import api
from eipkit.cli import app
from eipkit.store import Database
from eipkit.workbooks import workbook
from eipkit.workbooks.importer import import_path
from workbooks import small


def statuses(database: Database, year: int = 2022) -> dict[str, tuple[str, object]]:
    evaluation = api.certify_park(database, "P1", year=year)
    return {r.criterion.id: (r.status, r.value) for r in evaluation.results}


def test_park_evaluated_from_the_database(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "w.xlsx", small()))
    found = statuses(database)
    # the hand-made park: 3 of the 7 basic services, report of 2023, O1 measured at E1 (1 of 2 enterprises)
    assert found["D35-37.1.a"] == ("pass", 0)
    assert found["D35-37.1.b"] == ("fail", 42.9)
    assert found["D35-37.1.c"][0] == "pass"
    assert found["D35-37.2.a"] == ("unknown", None)  # no violation count entered for either enterprise
    assert found["D35-37.2.c"] == ("pass", 50.0)
    # 2022: E2 sent 15 t of ash to E1, a link; E1 holds ISO 14001, E2's ISO status is unknown
    assert found["D35-37.2.b"] == ("unknown", 1)
    shown = {c["id"]: c["threshold"] for c in api.certify_park(database, "P1", year=2022).as_dict("vi")["criteria"]}
    assert shown["D35-37.2.c"] == "≥ 20 % số doanh nghiệp" and shown["D35-37.1.a"] == "= 0 vi phạm"
    missing = [m.text("en") for m in api.certify_park(database, "P1", year=2022).results[5].missing]
    assert missing == ["ISO status unknown for: E2"]
    # this year: no exchange recorded and O2 only proposed, until it is implemented
    today = dt.date.today()
    assert statuses(database, today.year)["D35-37.2.b"] == ("fail", 0)
    api.move_opportunity(database, "O2", "implemented", today)
    assert statuses(database, today.year)["D35-37.2.b"] == ("unknown", 1)


def test_dossier_is_written_in_vietnamese_as_docx_and_pdf(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "w.xlsx", small()))
    docx_path, pdf_path = api.certification_dossier(database, "P1", tmp_path / "out", year=2022)
    text = "\n".join(p.text for p in docx.Document(str(docx_path)).paragraphs)
    assert "Kính gửi: Ban quản lý các khu công nghiệp tỉnh/thành phố Hải Phòng" in text
    assert "Bản tự đánh giá" in text
    cells = [c.text for t in docx.Document(str(docx_path)).tables for row in t.rows for c in row.cells]
    assert any(c.startswith("D35-37.2.c") for c in cells) and "Không đạt" in cells and "Chưa xác định" in cells
    pdf_text = " ".join("".join(page.extract_text() for page in PdfReader(str(pdf_path)).pages).split())
    assert "KCN Thử nghiệm" in pdf_text and "Điều 37 khoản 2 điểm c" in pdf_text
    _, enterprise_pdf = api.certification_dossier(database, "P1", tmp_path / "out", "E1", year=2022, lang="en")
    assert "eco-enterprise certification" in "".join(p.extract_text() for p in PdfReader(str(enterprise_pdf)).pages)


def test_annual_report_counts_the_years_solutions_and_savings(database: Database, tmp_path: Path) -> None:
    import_path(database, workbook.write(tmp_path / "w.xlsx", small()))
    report = api.annual_report(database, "P1", 2022)
    assert report["recp"]["solutions_in_year"] == 1 and report["recp"]["solutions_before_year"] == 0
    assert report["recp"]["savings_per_year_of_solutions_in_place"]["fuel_gj"] == 120.0
    indicators = {i["code"]: i for i in report["indicators"]}
    assert len(indicators) == 18
    assert indicators["ENV.2"]["value"] == 50.0 and indicators["ENV.2"]["meets_minimum"] is True
    assert indicators["ENV.5"]["value"] is True
    assert indicators["SOC.1"]["value"] is None and "khiếu nại" in indicators["SOC.1"]["missing"]
    mine = api.annual_report(database, "P1", 2022, "E1")
    assert mine["recp"]["savings_per_year"]["fuel_gj"] == 120.0
    assert [i["code"] for i in mine["indicators"]] == ["B5.ENV.2", "B5.SOC.1", "B5.SOC.2", "B5.SOC.4", "B5.SOC.6"]
    docx_path, pdf_path = api.annual_report_files(report, tmp_path / "out")
    cells = [c.text for t in docx.Document(str(docx_path)).tables for row in t.rows for c in row.cells]
    # Vietnamese number format: 120 GJ of fuel, the ENV.2 share 50
    assert "Nhiên liệu (GJ): 120" in " ".join(cells) and "Giải pháp áp dụng trong năm" in cells
    pdf_text = " ".join("".join(page.extract_text() for page in PdfReader(str(pdf_path)).pages).split())
    assert "Báo cáo tình hình thực hiện KCN sinh thái năm 2022" in pdf_text and "ENV.2" in pdf_text


def test_certify_command(sqlite_db: Database, tmp_path: Path) -> None:
    import_path(sqlite_db, workbook.write(tmp_path / "w.xlsx", small()))
    url = str(sqlite_db.engine.url)
    runner = CliRunner()
    done = runner.invoke(app, ["certify", "--park", "P1", "--year", "2022", "--format", "json", "--db", url])
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    assert result["eligible"] is False and result["unverified_criteria"] == ["D35-37.1.d", "D35-37.3"]
    table = runner.invoke(app, ["certify", "--park", "P1", "--year", "2022", "--db", url], env={"COLUMNS": "250"})
    assert "D35-37.2.c" in table.output and "Bổ sung dịch vụ còn thiếu" in table.output
    unknown = runner.invoke(app, ["certify", "--park", "NOPE", "--db", url])
    assert unknown.exit_code == 3 and "NOPE" in unknown.output  # not found
    bad = runner.invoke(app, ["certify", "--park", "P1", "--threshold", "IF2-EN-01", "--db", url])
    assert bad.exit_code == 1 and "ID=NUMBER" in bad.output


def test_cross_park_cooperation_is_a_type_d_link(database: Database, tmp_path: Path) -> None:
    rows = small()
    rows["opportunities"][1].update(
        {"category": "cross_park_cooperation", "stage": "implemented", "year_implemented": 2022}
    )
    import_path(database, workbook.write(tmp_path / "w.xlsx", rows))
    report = api.annual_report(database, "P1", 2022)
    # O2 (E2 and E1, declared cooperation with another park) and the 2022 ash record E2 -> E1 are the same pair of
    # enterprises: one link, of the declared type (d); without the category the same link is type (a)
    assert report["symbiosis"]["links_by_type"] == {"d": 1}
    assert api.annual_report(database, "P1", 2021)["symbiosis"]["links_by_type"] == {}

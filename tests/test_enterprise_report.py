"""The enterprise RECP report: what it says, in both languages, and a PDF whose text extracts back intact."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from eipkit import api, demo, i18n
from eipkit.reports import enterprise_report
from eipkit.store import Database


@pytest.fixture
def demo_db(sqlite_db: Database) -> Database:
    demo.load(sqlite_db)
    return sqlite_db


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_pdf_text_extracts_back_with_its_diacritics(demo_db: Database, tmp_path: Path) -> None:
    content = api.enterprise_report(demo_db, "HIEPPHUOC-001", 2024)
    text = pdf_text(enterprise_report.write_pdf(content, tmp_path / "report.pdf", "vi"))
    for phrase in (
        "Báo cáo sử dụng hiệu quả tài nguyên và sản xuất sạch hơn",
        "KCN Hiệp Phước",
        "Sản xuất giấy và sản phẩm từ giấy",
        "Các giải pháp đề xuất và phân tích tài chính",
        "Cường độ phát thải KNK",
        "Thời gian hoàn vốn giản đơn",
    ):
        assert phrase in text, phrase
    electricity = api.enterprise_kpi(demo_db, "HIEPPHUOC-001", 2024).electricity_mwh
    assert i18n.number(electricity, "vi", 1) in text


def test_the_report_states_the_enterprise_s_own_figures_and_options(demo_db: Database, tmp_path: Path) -> None:
    content = api.enterprise_report(demo_db, "HIEPPHUOC-001", 2024)
    html = enterprise_report.write_html(content, tmp_path / "report.html", "en").read_text(encoding="utf-8")
    assert "Resource efficiency and cleaner production report" in html
    best = api.enterprise_options(demo_db, "HIEPPHUOC-001", 2024)[0]
    assert best.option.title("en") in html
    assert i18n.number(best.saving_vnd / 1e6, "en", 0) in html
    for o in content.implemented:
        assert o.title in html
    assert (tmp_path / "plotly.min.js").exists()


def test_peers_stay_anonymous_in_the_report(demo_db: Database, tmp_path: Path) -> None:
    content = api.enterprise_report(demo_db, "VSIP-BN-001", 2024)
    html = enterprise_report.write_html(content, tmp_path / "r.html", "vi").read_text(encoding="utf-8")
    others = [e for e in demo.rows()["enterprises"] if e["vsic"] == "26" and e["enterprise_id"] != "VSIP-BN-001"]
    assert len(others) >= 3
    assert not any(e["enterprise_id"] in html or e["name"] in html for e in others)


def test_report_command_writes_pdf_and_html(tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    run = [sys.executable, "-m", "eipkit"]
    subprocess.run([*run, "demo", "--db", db, "--out", str(tmp_path / "demo")], check=True, capture_output=True)
    subprocess.run(
        [*run, "report", "--enterprise", "TANDO-001", "--db", db, "--out", str(tmp_path / "t.pdf"), "--lang", "en"],
        check=True,
        capture_output=True,
    )
    assert "Proposed options and business cases" in pdf_text(tmp_path / "t.pdf")
    subprocess.run(
        [*run, "report", "--enterprise", "TANDO-001", "--db", db, "--out", str(tmp_path / "t.html")],
        check=True,
        capture_output=True,
    )
    assert "Thông tin doanh nghiệp" in (tmp_path / "t.html").read_text(encoding="utf-8")

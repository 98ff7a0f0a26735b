"""The programme's guides: their worked examples are what the product computes today, they read the same in both
languages, and the web pages, the PDF and `eipkit guide` serve them."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from eipkit import guides
from eipkit.guides import examples
from eipkit.store import Database
from eipkit.web import create_app
from processes import child_env
from web_client import browser


def test_every_worked_example_is_what_the_product_computes_today(demo_copy: Database) -> None:
    assert examples.drift(demo_copy) == []
    folder = Path(guides.__file__).parents[1] / "data" / "guides"
    sources = "".join(path.read_text(encoding="utf-8") for path in folder.glob("*.md"))
    assert all(f"ex.{key}" in sources for key in examples.printed())  # no figure kept that no guide prints


def test_the_printed_figures_agree_with_each_other_by_hand() -> None:
    ex = {k: float(v.value) for k, v in examples.printed().items() if not hasattr(v.value, "isoformat")}
    # scope 2 = grid electricity x the 2023 factor
    assert ex["deepc_2024_grid_mwh"] * ex["deepc_2024_grid_ef"] == pytest.approx(ex["deepc_2024_scope2_t"], abs=0.1)
    # IPMVP option C: the baseline scaled by production, minus the reporting year's use
    assert ex["deepc001_baseline_mwh"] * ex["deepc001_production_ratio"] == pytest.approx(
        ex["deepc001_adjusted_mwh"], rel=1e-4
    )
    assert ex["deepc001_adjusted_mwh"] - ex["deepc001_reporting_mwh"] == pytest.approx(
        ex["deepc001_avoided_mwh"], abs=0.1
    )
    # 12,500 kWh x 3.6 MJ/kWh; 1,000 L x 0.844 kg/L x 43.0 MJ/kg
    assert ex["kwh_12500_in_gj"] == pytest.approx(12_500 * 3.6 / 1000)
    assert ex["diesel_1000_l_in_gj"] == pytest.approx(1000 * 0.844 * 43.0 / 1000, abs=0.005)
    # the candidate's money: 52,247 m3 at 14,000 VND less 500 VND per m3-km of pipe over 2.1 km
    assert ex["nck_water_m3"] * (14_000 - 500 * ex["nck_water_km"]) / 1e6 == pytest.approx(
        ex["nck_water_money_mvnd"], rel=2e-3
    )


@pytest.mark.parametrize("topic", guides.TOPICS)
def test_each_guide_reads_the_same_in_both_languages(topic: str) -> None:
    vi, en = guides.guide(topic, "vi"), guides.guide(topic, "en")
    assert vi.anchors == en.anchors and len([a for a in vi.anchors if a]) >= 3
    for found in (vi, en):
        page = guides.html(found)
        assert "{{" not in found.markdown and "{#" not in page
        assert all(f'id="{anchor}"' in page for anchor in found.anchors if anchor)
        assert re.findall(r"\d", page)  # a worked example
    assert re.search("[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]", vi.markdown)
    assert vi.title != en.title


def test_the_recp_guide_lists_the_18_tasks_and_the_example_in_the_reader_format() -> None:
    vi, en = guides.guide("recp", "vi"), guides.guide("recp", "en")
    task_rows = [line for line in vi.markdown.splitlines() if re.match(r"^\| \d \| \d{1,2} \|", line)]
    assert len(task_rows) == 18
    assert "**54,69 GJ" in vi.markdown and "**54.69 GJ" in en.markdown
    monitoring = guides.guide("monitoring", "vi").markdown
    assert "366.342,6 × 0,6592 = **241.493,1 tCO2**" in monitoring
    assert "24/02/2026" in guides.guide("certification", "vi").markdown
    assert "24 Feb 2026" in guides.guide("certification", "en").markdown


def test_a_guide_as_pdf_keeps_its_tables_and_figures(tmp_path: Path) -> None:
    path = guides.pdf(guides.guide("monitoring", "vi"), tmp_path / "g.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Giám sát và đo lường tiết kiệm" in text and "241.493,1" in text and "522,8" in text
    document = guides.document(guides.guide("recp", "en"))
    tables = [b for b in document.blocks if hasattr(b, "rows")]
    assert len(tables[0].rows) == 18 and tables[0].headers == ["Step", "Task", "Phase", "Title"]


def test_the_guides_on_the_web_and_the_how_links(demo_copy: Database) -> None:
    app = create_app(demo_copy)
    anonymous = TestClient(app)
    index = anonymous.get("/guide")
    assert index.status_code == 200 and "Giám sát và đo lường tiết kiệm" in index.text
    page = anonymous.get("/guide/monitoring")
    assert page.status_code == 200 and 'id="measured-savings"' in page.text and "241.493,1" in page.text
    pdf = anonymous.get("/guide/certification.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "24/02/2026" in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert anonymous.get("/guide/nope").status_code == 404
    coordinator = browser(app, "dieuphoi-deepc")
    park = coordinator.get("/parks/DEEPC").text
    links = set(re.findall(r'class="how" href="/guide/([a-z-]+)#([a-z-]+)"', park))
    assert ("monitoring", "accounts") in links and ("certification", "criteria") in links
    for topic, anchor in links:
        assert anchor in guides.guide(topic, "vi").anchors


def test_eipkit_guide_on_the_command_line(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = child_env(PATH="/usr/bin:/bin", COLUMNS="200", HOME=str(tmp_path))
        return subprocess.run(
            [sys.executable, "-m", "eipkit", *args], capture_output=True, text=True, env=env, timeout=300
        )

    shown = run("guide", "monitoring", "--lang", "en")
    assert shown.returncode == 0 and "241,493.1" in shown.stdout and "{#" not in shown.stdout
    assert run("guide", "certification", "--pdf", str(tmp_path / "c.pdf")).returncode == 0
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
    unknown = run("guide", "nope")
    assert unknown.returncode == 1 and "recp, symbiosis" in unknown.stderr
    checked = run("guide", "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_check_command_names_a_drifted_figure(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from eipkit.cli import app

    monkeypatch.setattr(examples, "drift", lambda _database: [("ghg.scope2_t", "241.493,1", "241.500,0")])
    answer = CliRunner().invoke(app, ["guide", "--check"], env={"COLUMNS": "200"})
    assert answer.exit_code == 1
    assert "ghg.scope2_t in ra 241.493,1, phần mềm tính 241.500,0" in " ".join(answer.output.split())

"""A page's table as a workbook: what the reader sees, numbers as numbers, text never run as a formula."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from eipkit.reports.table_workbook import MAX_ROWS, ExportRefused, ShownTable, to_bytes
from web_client import browser, csrf


def test_a_table_is_written_with_its_numbers_and_text_as_sent() -> None:
    table = ShownTable.parse(
        {
            "title": "Ứng viên cộng sinh · DEEPC",
            "headers": ["Từ", "Lợi ích (triệu đồng/năm)"],
            "rows": [["DEEPC-010", 1969.6], ['=HYPERLINK("http://x")', -3.5], ["Cao su phế", None]],
        }
    )
    sheet = load_workbook(io.BytesIO(to_bytes(table))).active
    assert sheet["A1"].value == "Ứng viên cộng sinh · DEEPC"
    assert [c.value for c in sheet[2]] == ["Từ", "Lợi ích (triệu đồng/năm)"]
    assert sheet["B3"].value == 1969.6 and sheet["B3"].data_type == "n"
    assert sheet["A4"].data_type == "s" and sheet["A4"].value.startswith("=HYPERLINK")  # text, never a formula
    assert sheet["B5"].value is None


@pytest.mark.parametrize(
    "sent",
    [
        [],
        {"headers": "a", "rows": []},
        {"headers": ["a"], "rows": [[{"nested": 1}]]},
        {"headers": ["a"], "rows": [[1]] * (MAX_ROWS + 1)},
    ],
)
def test_what_is_not_a_table_or_too_large_is_refused(sent: object) -> None:
    with pytest.raises(ExportRefused):
        ShownTable.parse(sent)


def test_the_page_exports_a_table_for_a_signed_in_reader(app) -> None:  # type: ignore[no-untyped-def]
    client = browser(app, "dn-deepc-001")
    token = csrf(client, "/reports")
    sent = {"title": "x", "headers": ["a", "b"], "rows": [["DEEPC-001", 2.5]]}
    answer = client.post("/export.xlsx", json=sent, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200
    assert load_workbook(io.BytesIO(answer.content)).active["B3"].value == 2.5
    assert client.post("/export.xlsx", json=sent).status_code == 403  # no CSRF token
    assert client.post("/export.xlsx", content=b"{not json", headers={"X-CSRF-Token": token}).status_code == 400


@pytest.fixture(scope="module")
def app(demo_db_file):  # type: ignore[no-untyped-def]
    from eipkit.store import connect
    from eipkit.web import create_app

    database = connect(f"sqlite:///{demo_db_file}")
    yield create_app(database)
    database.engine.dispose()


def test_the_chart_library_is_sent_compressed_and_only_to_pages_with_charts(app) -> None:  # type: ignore[no-untyped-def]
    import gzip

    from eipkit.reports import charts

    client = browser(app, "dieuphoi-deepc")
    sent = client.get("/assets/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert sent.headers["content-encoding"] == "gzip"
    assert int(sent.headers["content-length"]) < len(charts.plotly_script().encode()) / 3  # 4.8 MB → about 1.4 MB
    assert gzip.decompress(charts.plotly_script_gzip()).decode() == charts.plotly_script()
    page = client.get("/parks/DEEPC/opportunities", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    assert "/assets/plotly.min.js" not in page.text and "/assets/plotly.min.js" in client.get("/parks/DEEPC").text
    assert "/assets/plotly.min.js" not in TestClient(app).get("/login").text


def test_the_blank_workbook_downloads_from_the_upload_page(app) -> None:  # type: ignore[no-untyped-def]
    from eipkit import contract

    client = browser(app, "dn-deepc-001")
    assert 'href="/upload/template.xlsx"' in client.get("/upload").text
    answer = client.get("/upload/template.xlsx")
    assert answer.status_code == 200 and "mau-so-lieu-eipkit.xlsx" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    assert set(contract.sheets()) <= set(book.sheetnames)  # every sheet of the contract, ready to fill in

"""The web application in a real browser: Playwright driving Debian's Chromium (installed by .ci/run).

Screenshots of the main pages are saved in build/screenshots/ (EIPKIT_SCREENSHOTS to change) for people to look at.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from eipkit import demo
from eipkit.store import connect
from eipkit.web import create_app
from eipkit.workbooks import workbook
from workbooks import small

CHROMIUM = os.environ.get("EIPKIT_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("EIPKIT_SCREENSHOTS", "build/screenshots"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The application on a free port, over its own copy of the demo database."""
    path = tmp_path_factory.mktemp("browser") / "demo.db"
    shutil.copy(demo_db_file, path)
    database = connect(f"sqlite:///{path}")
    port = _free_port()
    app = create_app(database)
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(100):
        if running.started:
            break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)
    database.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium` (as .ci/run does)"
        if os.environ.get("EIPKIT_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def _page(browser: Browser, server: str, username: str, width: int = 1400, height: int = 1000) -> Page:
    context = browser.new_context(base_url=server, viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.problems = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.problems.append(str(e)))  # type: ignore[attr-defined]
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    return page


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_each_role_signs_in_and_lands_on_its_page(browser: Browser, server: str) -> None:
    landing = {
        "bo": ("/national", "Toàn quốc"),
        "bql-haiphong": ("/provinces/H%E1%BA%A3i%20Ph%C3%B2ng", "Hải Phòng"),
        "dieuphoi-deepc": ("/parks/DEEPC", "DEEP C"),
        "tuvan": ("/", "Công việc của tôi"),
        "dn-deepc-001": ("/enterprises/DEEPC-001", "DEEPC-001"),
    }
    for username, (path, text) in landing.items():
        page = _page(browser, server, username)
        expect(page.locator("[data-testid=who]")).to_be_visible()
        assert page.url.endswith(path), page.url
        expect(page.locator("main")).to_contain_text(text)
        _shot(page, f"home-{username}")
        page.context.close()
    wrong = browser.new_page(base_url=server)
    wrong.goto("/login")
    wrong.fill("#username", "bo")
    wrong.fill("#password", "not-the-password")
    wrong.click("button[type=submit]")
    expect(wrong.locator("[role=alert]")).to_contain_text("không đúng")
    wrong.close()


def test_upload_with_errors_lists_them(browser: Browser, server: str, tmp_path: Path) -> None:
    rows = small()
    rows["energy"][0]["quantity"] = "nhiều"
    rows["waste"][0]["fate"] = "biển"
    workbook.write(tmp_path / "loi.xlsx", rows)
    page = _page(browser, server, "bql-haiphong")
    page.goto("/upload")
    page.set_input_files("input[name=workbook]", str(tmp_path / "loi.xlsx"))
    page.click("button[type=submit]")
    expect(page.locator("[data-testid=problems-summary]")).to_contain_text("Không nhập dữ liệu nào")
    problems = page.locator("[data-testid=problems] tr")
    expect(problems.filter(has_text="energy").filter(has_text="quantity").first).to_be_visible()
    expect(problems.filter(has_text="waste").filter(has_text="fate")).to_have_count(1)
    _shot(page, "upload-errors")
    page.context.close()


def _savings(page: Page) -> float:
    """The park's cost saving a year: shown in tỷ đồng, exact on hover (and in the card's data)."""
    value = page.locator("[data-testid=savings] .card").last.locator(".value")
    assert re.fullmatch(r"[\d.,]+ (tỷ|triệu) đồng", value.inner_text()), value.inner_text()
    return float(value.get_attribute("data-value") or "nan")


def test_implementing_an_opportunity_moves_the_park_figures(browser: Browser, server: str) -> None:
    chosen = next(
        o
        for o in demo.rows()["opportunities"]
        if o["park_id"] == "DEEPC" and o["stage"] == "implementing" and o.get("cost_saving_vnd")
    )
    page = _page(browser, server, "dieuphoi-deepc")
    _shot(page, "park-dashboard")
    before = _savings(page)
    page.goto("/parks/DEEPC/opportunities")
    _shot(page, "opportunities-board")
    card = page.locator(f"#op-{chosen['opportunity_id']}")
    card.locator("select[name=stage]").select_option("implemented")
    card.locator("button").click()
    expect(page.locator("[data-stage=implemented]")).to_contain_text(chosen["opportunity_id"])
    page.goto("/parks/DEEPC")
    after = _savings(page)

    assert after - before == pytest.approx(chosen["cost_saving_vnd"], abs=1.0)


def test_a_card_dragged_to_another_column_changes_its_stage(browser: Browser, server: str) -> None:
    chosen = next(
        o["opportunity_id"]
        for o in demo.rows()["opportunities"]
        if o["park_id"] == "DEEPC" and o["stage"] == "identified"
    )
    page = _page(browser, server, "dieuphoi-deepc")
    page.goto("/parks/DEEPC/opportunities")
    card = page.locator(f"#op-{chosen}")
    card.drag_to(page.locator("[data-stage=proposed] h3"))
    expect(page.locator(f"[data-stage=proposed] #op-{chosen}")).to_be_visible()
    expect(page.locator(f"#op-{chosen} [data-testid=card-saved]")).to_be_visible()
    page.reload()  # stored, not only moved on the page
    expect(page.locator(f"[data-stage=proposed] #op-{chosen}")).to_be_visible()
    expect(page.locator(f"#op-{chosen} select[name=stage]")).to_have_value("proposed")


def test_symbiosis_optimisation_runs_and_its_links_are_on_the_map(browser: Browser, server: str) -> None:
    page = _page(browser, server, "dieuphoi-deepc")
    page.goto("/parks/DEEPC/symbiosis")
    page.click("text=Tối ưu hoá mạng trao đổi")
    done = page.locator("[data-testid=job-done]")
    expect(done).to_be_visible(timeout=120_000)
    links = int(re.search(r"(\d+) liên kết", done.inner_text()).group(1))
    assert links > 0
    # the worklist is refreshed as the job ends: its heading counts the links, a row each, no click needed
    worklist = page.locator("table[data-testid=worklist] tr:not(:first-child)")
    expect(worklist).to_have_count(links, timeout=20_000)
    expect(page.locator("#proposed h2")).to_contain_text(f"({links})")
    with page.expect_navigation():
        page.click("text=Xem bản đồ")
    page.wait_for_selector("[data-testid=exchange-map] .js-plotly-plot .main-svg")
    # the map draws the proposed links as one line trace: 3 points (two ends and a gap) per link
    traces = page.evaluate(
        "() => document.querySelector('[data-testid=exchange-map] .js-plotly-plot').data"
        ".filter(t => t.mode === 'lines').map(t => [t.name, t.x.length])"
    )
    proposed = [n for name, n in traces if "đề xuất" in name.lower()]
    assert proposed and proposed[0] >= 3 * links
    _shot(page, "symbiosis")
    page.context.close()


def test_dossier_downloads(browser: Browser, server: str) -> None:
    page = _page(browser, server, "dieuphoi-deepc")
    page.goto("/parks/DEEPC/certification")
    expect(page.locator("[data-testid=criteria]")).to_contain_text("D35-37.2.c")
    _shot(page, "certification")
    with page.expect_download() as download:
        page.click("[data-testid=dossier-docx]")
    saved = download.value
    assert saved.suggested_filename.endswith(".docx")
    import docx

    text = "\n".join(p.text for p in docx.Document(saved.path()).paragraphs)
    assert "Ban quản lý" in text and "DEEP C" in text
    page.goto("/lang/en")
    page.goto("/parks/DEEPC")
    expect(page.locator("main")).to_contain_text("Savings of implemented opportunities")
    page.context.close()


def test_national_overview_shows_every_park_on_the_map(browser: Browser, server: str) -> None:
    parks = len([p for p in demo.rows()["parks"] if p.get("kind") != "city"])
    page = _page(browser, server, "bo")
    expect(page.locator("[data-testid=parks] tr")).to_have_count(parks + 1)  # and the header
    page.wait_for_selector("[data-testid=park-map] .js-plotly-plot .main-svg")
    drawn = "document.querySelector('[data-testid=park-map] .js-plotly-plot').data"
    # the parks are the traces of the legend; the provincial units and the archipelagos are drawn under them
    points = page.evaluate(f"() => {drawn}.filter(t => t.showlegend !== false).reduce((n, t) => n + t.x.length, 0)")
    assert points == parks
    assert page.evaluate(f"() => {drawn}.filter(t => t.fill === 'toself').length") == 34
    # coloured by the criteria each park meets, the legend saying how many (the demo's parks meet 2 to 4 of 8)
    names = page.evaluate(f"() => {drawn}.filter(t => t.showlegend !== false).map(t => t.name)")
    assert len(names) >= 2 and all(re.fullmatch(r"\d+/\d+ tiêu chí đạt", n) for n in names), names
    _shot(page, "national")
    page.context.close()


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_the_ministry_compares_two_decrees_and_sweeps_a_threshold(
    browser: Browser, server: str, width: int, height: int
) -> None:
    page = _page(browser, server, "bo", width, height)
    page.goto("/national/regulation")
    page.locator("[data-testid=regulation-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=impact-sweep]", timeout=60_000)
    page.wait_for_selector("#job div.chart .main-svg")
    expect(page.locator("[data-testid=impact-sweep] tr")).to_have_count(8)  # 10, 15, ..., 40 and the header
    chart = page.evaluate(
        "() => { const c = document.querySelector('#job div.chart'); const s = c.querySelector('.main-svg');"
        " return [c.getBoundingClientRect().width, s.getBoundingClientRect().width]; }"
    )
    assert chart[1] <= chart[0] + 1  # drawn within its box on first load
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    _shot(page, f"regulation-{width}")
    assert page.problems == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_a_guide_and_the_park_city_figures_from_a_how_link(
    browser: Browser, server: str, width: int, height: int
) -> None:
    page = _page(browser, server, "bql-haiphong", width, height)
    page.goto("/parks/NAMCAUKIEN")
    cards = page.locator("[data-testid=park-city] .card")
    expect(cards).to_have_count(7)
    expect(cards.first).to_contain_text("1")  # the operating link of the demo's town
    _shot(page, f"park-city-{width}")
    page.locator("h2:has-text('Kinh tế tuần hoàn') a.how").click()
    page.wait_for_url("**/guide/symbiosis#park-city")
    expect(page.locator("#park-city")).to_be_visible()
    expect(page.locator("[data-testid=guide]")).to_contain_text("40.000 m3")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    _shot(page, f"guide-{width}")
    assert page.problems == []  # type: ignore[attr-defined]
    page.context.close()


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_a_trainer_registers_a_participant_who_answers_in_a_sandbox(
    browser: Browser, server: str, width: int, height: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EIPKIT_SANDBOXES", str(tmp_path))
    page = _page(browser, server, "tuvan", width, height)
    page.goto("/training")
    page.fill("#title", f"Tập huấn RECP ({width})")
    page.locator("[data-testid=new-course] button").click()
    page.fill("#name", "Nguyễn Thị Lan")
    page.fill("#organisation", "Ban quản lý KKT Hải Phòng")
    page.select_option("#organisation_kind", "management_board")
    page.select_option("#gender", "female")
    page.locator("[data-testid=add-participant] button").click()
    expect(page.locator("[data-testid=participants]")).to_contain_text("Ban quản lý KCN/KKT")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    _shot(page, f"training-course-{width}")
    link = page.locator("[data-testid=participants] a").first.get_attribute("href")
    participant = browser.new_context(base_url=server, viewport={"width": width, "height": height}).new_page()
    participant.goto(link)
    participant.fill("#answer-dossier-gaps", "1")
    participant.locator("[data-testid=exercise-dossier-gaps] button").click()
    expect(participant.locator("[data-testid=verdict]")).to_contain_text("Chưa đúng")
    assert participant.evaluate("() => document.documentElement.scrollWidth") <= width
    _shot(participant, f"training-desk-{width}")
    participant.context.close()
    assert page.problems == []  # type: ignore[attr-defined]
    page.context.close()


PAGES_BY_USER = {
    "bo": [
        "/national",
        "/provinces/Hải Phòng",
        "/parks/DEEPC",
        "/parks/DEEPC/certification",
        "/parks/DEEPC/summary.html",
        "/reports",
    ],
    "dieuphoi-deepc": ["/parks/DEEPC", "/parks/DEEPC/symbiosis", "/parks/DEEPC/opportunities", "/upload", "/audit"],
    "tuvan": ["/", "/training"],
    "dn-deepc-001": ["/enterprises/DEEPC-001", "/reports", "/tools"],
}
# what a reader must never see: a contract key or a Python name, a parser's message, an ISO date, an amount of
# money in a row of digits (it is said in tỷ or triệu đồng)
NOT_FOR_READERS = {
    "key": r"(?<![/\w.])[a-z]+(?:_[a-z0-9]+)+\b(?!\.(?:csv|yaml|py))",  # a data file named as a source may stay
    "python": r"Traceback|Expecting value|File is not a zip file|\bNone\b|\bnan\b|\brow 0\b",
    "iso date": r"\b\d{4}-\d{2}-\d{2}\b",
    "money in full": r"\d(?:[.,]\d{3}){3,}",  # a figure of a billion or more: the demo's are all money
}
MESSAGES = resources.files("eipkit.data").joinpath("messages.csv").read_text(encoding="utf-8").splitlines()[1:]
MESSAGE_PREFIXES = sorted({row.split(",", 1)[0].split(".")[0] for row in MESSAGES})
NOT_FOR_READERS["message key"] = rf"\b(?:{'|'.join(MESSAGE_PREFIXES)})\.[a-z]\w*"  # a sentence never looked up
CHART_FITS = """() => Array.from(document.querySelectorAll('div.chart')).map(box => {
  const drawn = box.querySelector('.main-svg');
  return [box.getBoundingClientRect().width, drawn ? drawn.getBoundingClientRect().width : -1,
          box.parentElement.getBoundingClientRect().width];
})"""


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_pages_draw_their_charts_under_the_content_security_policy(
    browser: Browser, server: str, width: int, height: int
) -> None:
    """No inline script is allowed: every chart must still be drawn from its data by /assets/charts.js, at its box's
    width on first load; htmx must still work; the browser reports no refused script, style or frame; and no page
    shows a reader internal text or numbers and dates written another way than theirs."""
    for username, paths in PAGES_BY_USER.items():
        page = _page(browser, server, username, width, height)
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            boxes = page.locator("div.chart[data-figure]")
            for n in range(boxes.count()):
                expect(boxes.nth(n).locator(".main-svg").first).to_be_attached()
            for box, drawn, room in page.evaluate(CHART_FITS):
                assert 0 < drawn <= box + 1 and box <= room + 1, (username, path, box, drawn, room)
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
            _shot(page, f"csp-{width}-{username}-{name}")
            # wide tables scroll in their own box; the page itself never scrolls sideways
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width, (username, path)
            text = page.evaluate("() => document.body.innerText")
            for what, pattern in NOT_FOR_READERS.items():
                assert not re.findall(pattern, text), (username, path, what, re.findall(pattern, text)[:5])
        assert page.problems == [], (username, page.problems)  # type: ignore[attr-defined]
        page.context.close()


def test_on_a_phone_the_menu_opens_and_a_table_filters_sorts_and_downloads(browser: Browser, server: str) -> None:
    page = _page(browser, server, "dieuphoi-deepc", 390, 844)
    page.goto("/parks/DEEPC/symbiosis")
    menu = page.locator("#menu")
    expect(menu).to_be_hidden()  # the header is one line on a phone
    assert page.locator("header").bounding_box()["height"] < 80  # type: ignore[index]
    page.click("[data-testid=menu-toggle]")
    expect(menu).to_be_visible()
    expect(page.locator("header nav a[aria-current=page]")).to_have_text("DEEPC")  # the park's section
    page.goto("/upload")
    page.click("[data-testid=menu-toggle]")
    expect(page.locator("header nav a[aria-current=page]")).to_have_attribute("href", "/upload")
    page.goto("/parks/DEEPC/symbiosis")
    table = page.locator("table[data-testid=candidates]")
    rows = table.locator("tr:not(:first-child)")
    total = rows.count()
    first_from = rows.first.locator("td").first.inner_text()
    tools = table.locator("xpath=../preceding-sibling::div[contains(@class, 'table-tools')][1]")  # its own
    tools.locator("input").fill(first_from)
    shown = [r for r in range(total) if rows.nth(r).is_visible()]
    assert 0 < len(shown) <= total and all(first_from in rows.nth(r).inner_text() for r in shown)
    money_header = table.locator("tr").first.locator("th").nth(5)
    money_header.click()  # ascending, then descending
    money_header.click()
    values = [rows.nth(r).locator("td").nth(5).inner_text() for r in shown]
    figures = [float(v.replace(".", "").replace(",", ".")) for v in values]
    assert figures == sorted(figures, reverse=True)
    with page.expect_download() as download:
        tools.locator("button").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet.max_row - 4 == len(shown)  # title, header, the rows shown, a blank line and where it came from
    assert sheet.cell(3, 6).value == pytest.approx(figures[0])  # a number, not its text
    _shot(page, "symbiosis-filtered-390")
    assert page.problems == []  # type: ignore[attr-defined]
    page.context.close()


def test_the_api_documentation_renders_from_the_package(browser: Browser, server: str) -> None:
    page = browser.new_page(base_url=server)
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.goto("/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=20_000)
    expect(page.locator(".swagger-ui")).to_contain_text("/api/parks")
    _shot(page, "api-docs")
    assert problems == []
    page.close()

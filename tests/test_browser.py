"""Real-browser tests: what a citizen sees in Chromium, on a phone and on a desktop.

They run against `live_server` with the demo content, so they need transactional database
access (the live server thread reads the rows outside the test's transaction).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PHONE = {"width": 360, "height": 740}
TIMEOUT_MS = 8_000
SETTLED_MS = 1_000  # for checks made once the page has visibly finished updating

# One case, typed in on the Hezhou estimator: a flexible worker who missed July–October 2026
# and pays on 10 November. Four months is over the 3-month limit, so there is a waiting period.
FLEXIBLE_CASE = "region=hezhou&scheme=flexible&lapse_start=2026-07&lapse_months=4&paid_on=2026-11-10"


@pytest.fixture
def site(transactional_db, live_server) -> str:
    """The live server's address, with the demo content loaded (as `make run` does)."""
    call_command("load_demo", verbosity=0)
    return live_server.url


def visit(page: Page, site: str, path: str) -> Page:
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(site + path)
    return page


def summary_value(page: Page, term: str):
    """The <dd> beside a <dt> in the estimator's result summary."""
    return page.locator("#estimator .summary > div").filter(has=page.locator("dt", has_text=term)).locator("dd")


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def scheme(page: Page, name: str):
    return page.get_by_role("radio", name=re.compile("^" + re.escape(name)))


def type_flexible_case(page: Page) -> None:
    """Type FLEXIBLE_CASE into the estimator by hand, as a citizen would, without pressing 计算."""
    scheme(page, "灵活就业人员").check()
    page.get_by_label("从哪个月开始没交").fill("2026-07")
    page.get_by_label("断缴了几个月", exact=True).fill("4")
    page.get_by_label("打算哪天补缴").fill("2026-11-10")
    expect(page).to_have_url(re.compile(r"lapse_months=4.*paid_on=2026-11-10|paid_on=2026-11-10.*lapse_months=4"))


# --- Guides -----------------------------------------------------------------------------------


def test_it_shows_the_guide_and_a_question_on_a_phone(site, phone):
    visit(phone, site, "/nanchang/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("南昌")
    unverified = phone.locator(".figure").filter(has_text="待核实").first
    expect(unverified).to_be_visible()
    expect(unverified.locator(".tag-warn")).to_have_text("待核实")
    assert scroll_width(phone) <= PHONE["width"]

    question = phone.get_by_role("region", name="常见问题").get_by_role("link").first
    title = question.inner_text().strip()
    question.tap()
    expect(phone).not_to_have_url(re.compile(r"/nanchang/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(title)
    expect(phone.locator(".short-answer")).to_be_visible()
    expect(phone.locator(".short-answer")).to_contain_text("简短回答")
    assert scroll_width(phone) <= PHONE["width"]

    phone.go_back()
    expect(phone).to_have_url(re.compile(r"/nanchang/$"))
    expect(phone.get_by_role("heading", level=1)).to_contain_text("南昌")
    # A question filed under two topics is listed twice; either copy will do.
    expect(phone.get_by_role("region", name="常见问题").get_by_role("link", name=title).first).to_be_visible()


def test_it_opens_a_city_guide_from_the_home_page_on_a_desktop(site, desktop):
    visit(desktop, site, "/")
    nanchang = desktop.get_by_role("link", name="南昌", exact=True)
    hezhou = desktop.get_by_role("link", name="贺州", exact=True)
    expect(nanchang).to_be_visible()
    expect(hezhou).to_be_visible()

    hezhou.click()
    expect(desktop).to_have_url(re.compile(r"/hezhou/$"))
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("贺州")


# --- Estimator with htmx ------------------------------------------------------------------------


def test_it_updates_the_estimate_as_the_form_is_filled_and_keeps_it_on_reload(site, phone):
    visit(phone, site, "/hezhou/calculator/")
    expect(phone.locator("#estimator")).to_contain_text("填好后这里显示结果")

    # No click on 计算： htmx sends the form on change and pushes the result's URL.
    type_flexible_case(phone)
    estimator = phone.locator("#estimator")
    expect(estimator.get_by_role("heading", level=2)).to_have_text("估算结果")
    expect(summary_value(phone, "待遇等待期")).to_have_text("6 个月")
    total = phone.locator("#estimator .big").inner_text()
    starts = summary_value(phone, "哪天起能报销").locator("strong").inner_text()
    assert re.fullmatch(r"[\d,]+\.\d{2} 元", total)
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", starts)
    assert scroll_width(phone) <= PHONE["width"]

    phone.reload()
    expect(phone.locator("#estimator .big")).to_have_text(total)
    expect(summary_value(phone, "哪天起能报销").locator("strong")).to_have_text(starts)
    expect(summary_value(phone, "待遇等待期")).to_have_text("6 个月")
    expect(scheme(phone, "灵活就业人员")).to_be_checked()
    expect(phone.get_by_label("断缴了几个月", exact=True)).to_have_value("4")


def test_it_changes_the_estimate_without_reloading_the_page(site, phone):
    visit(phone, site, f"/hezhou/calculator/?{FLEXIBLE_CASE}")
    expect(summary_value(phone, "待遇等待期")).to_have_text("6 个月")
    phone.evaluate("window.__marker = 1")

    phone.get_by_label("断缴了几个月", exact=True).fill("2")

    expect(summary_value(phone, "待遇等待期")).to_have_text("没有等待期")
    expect(phone).to_have_url(re.compile(r"lapse_months=2"))
    assert phone.evaluate("window.__marker") == 1


def test_it_shows_the_form_that_matches_the_estimate_after_going_back(site, phone):
    visit(phone, site, "/hezhou/calculator/")
    type_flexible_case(phone)
    expect(summary_value(phone, "待遇等待期")).to_have_text("6 个月")
    phone.get_by_label("断缴了几个月", exact=True).fill("2")
    expect(summary_value(phone, "待遇等待期")).to_have_text("没有等待期")

    phone.go_back()

    expect(phone).to_have_url(re.compile(r"lapse_months=4"))
    expect(summary_value(phone, "待遇等待期")).to_have_text("6 个月")
    expect(scheme(phone, "灵活就业人员")).to_be_checked(timeout=SETTLED_MS)
    expect(phone.get_by_label("从哪个月开始没交")).to_have_value("2026-07", timeout=SETTLED_MS)
    expect(phone.get_by_label("断缴了几个月", exact=True)).to_have_value("4", timeout=SETTLED_MS)
    expect(phone.get_by_label("打算哪天补缴")).to_have_value("2026-11-10", timeout=SETTLED_MS)


def test_it_rebuilds_the_whole_page_when_going_back_without_a_snapshot(site, phone):
    visit(phone, site, f"/hezhou/calculator/?{FLEXIBLE_CASE}")
    # htmx 2 keeps snapshots of only the last 10 pushed pages, in sessionStorage. Going back further,
    # or in a browser that cannot store them, it fetches the URL with HX-Request and
    # HX-History-Restore-Request and puts the reply in place of <body>. Keeping no snapshots here
    # takes that path without ten more round trips.
    phone.evaluate("htmx.config.historyCacheSize = 0")
    phone.get_by_label("断缴了几个月", exact=True).fill("2")
    expect(summary_value(phone, "待遇等待期")).to_have_text("没有等待期")
    expect(phone).to_have_url(re.compile(r"lapse_months=2"))

    phone.go_back()

    expect(phone).to_have_url(re.compile(r"lapse_months=4"))
    expect(summary_value(phone, "待遇等待期")).to_have_text("6 个月")
    expect(phone.get_by_role("heading", level=1)).to_have_text("贺州医保补缴估算", timeout=SETTLED_MS)
    expect(phone.get_by_role("button", name="计算", exact=True)).to_be_visible(timeout=SETTLED_MS)
    expect(phone.get_by_label("断缴了几个月", exact=True)).to_have_value("4", timeout=SETTLED_MS)


def test_it_starts_the_payment_date_at_today(site, phone):
    visit(phone, site, "/hezhou/calculator/")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    expect(phone.get_by_label("打算哪天补缴")).to_have_value(timezone.localdate().isoformat(), timeout=SETTLED_MS)


def test_it_shows_only_the_fields_for_the_chosen_scheme(site, phone):
    visit(phone, site, "/hezhou/calculator/")
    months = phone.get_by_label("断缴了几个月", exact=True)
    years = phone.get_by_label("断缴了几个整年", exact=True)

    scheme(phone, "城乡居民医保").check()
    expect(months).to_be_hidden()
    expect(years).to_be_visible()

    scheme(phone, "职工医保").check()
    expect(months).to_be_visible()
    expect(years).to_be_hidden()


def test_it_keeps_input_and_explains_when_lapse_months_is_negative(site, phone):
    visit(phone, site, "/nanchang/calculator/")
    months = phone.get_by_label("断缴了几个月", exact=True)

    months.fill("-3")

    expect(phone.locator("#err-lapse_months")).to_have_text("至少填 1 个月。")
    expect(phone.locator("#err-lapse_months")).to_be_visible()
    summary = phone.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("断缴了几个月：至少填 1 个月。")
    expect(months).to_have_value("-3")
    expect(phone.locator("#estimator")).not_to_contain_text("估算结果")

    # The pushed URL, opened afresh, gives the same message and keeps what was typed.
    phone.reload()
    expect(phone.locator("#err-lapse_months")).to_have_text("至少填 1 个月。")
    expect(phone.get_by_label("断缴了几个月", exact=True)).to_have_value("-3")


def test_it_ties_the_error_message_to_its_field_for_screen_readers(site, phone):
    visit(phone, site, "/nanchang/calculator/")
    months = phone.get_by_label("断缴了几个月", exact=True)

    months.fill("-3")

    expect(phone.locator("#err-lapse_months")).to_have_text("至少填 1 个月。")
    expect(months).to_have_accessible_description(re.compile("至少填 1 个月。"), timeout=SETTLED_MS)

    phone.reload()
    expect(phone.locator("#err-lapse_months")).to_have_text("至少填 1 个月。")
    expect(months).to_have_accessible_description(re.compile("至少填 1 个月。"), timeout=SETTLED_MS)


def test_it_shows_the_disclaimer_and_timeline_with_the_estimate(site, phone):
    visit(phone, site, f"/hezhou/calculator/?{FLEXIBLE_CASE}")
    estimator = phone.locator("#estimator")
    expect(estimator.locator(".disclaimer")).to_be_visible()
    expect(estimator.locator(".disclaimer")).to_contain_text("仅供参考")
    expect(estimator.locator("svg.timeline")).to_be_visible()
    expect(estimator.locator("svg.timeline")).to_contain_text("补缴 2026-11")


# --- Without JavaScript ------------------------------------------------------------------------


def test_it_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="zh-CN")
    try:
        page = visit(context.new_page(), site, "/nanchang/calculator/")
        scheme(page, "职工医保").check()
        page.get_by_role("radio", name=re.compile("^单位原因")).check()
        page.get_by_label("从哪个月开始没交").fill("2026-08")
        page.get_by_label("断缴了几个月", exact=True).fill("2")
        page.get_by_label("打算哪天补缴").fill("2026-11-10")

        page.get_by_role("button", name="计算", exact=True).click()

        expect(page).to_have_url(re.compile(r"/nanchang/calculator/\?.*lapse_months=2"))
        assert "lapse_start=2026-08" in page.url
        assert "paid_on=2026-11-10" in page.url
        expect(page.locator("#estimator h2")).to_have_text("估算结果")
        expect(page.locator("#estimator .big")).to_have_text(re.compile(r"^[\d,]+\.\d{2} 元$"))
        expect(summary_value(page, "补缴金额")).to_contain_text(
            re.compile(r"单位 [\d,]+\.\d{2} 元，个人 [\d,]+\.\d{2} 元")
        )
        expect(summary_value(page, "滞纳金")).to_contain_text("由单位承担")

        expect(scheme(page, "职工医保")).to_be_checked()
        expect(page.get_by_role("radio", name=re.compile("^单位原因"))).to_be_checked()
        expect(page.get_by_label("从哪个月开始没交")).to_have_value("2026-08")
        expect(page.get_by_label("断缴了几个月", exact=True)).to_have_value("2")
        expect(page.get_by_label("打算哪天补缴")).to_have_value("2026-11-10")
    finally:
        context.close()


# --- Accessibility (axe-core) ------------------------------------------------------------------


def axe_script() -> Path:
    """axe.min.js from AXE_CORE_JS or the project's node_modules (`npm install --no-save axe-core@4`)."""
    candidates = [Path(os.environ["AXE_CORE_JS"])] if os.environ.get("AXE_CORE_JS") else []
    candidates.append(PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js")
    for path in candidates:
        if path.is_file():
            return path
    pytest.fail(
        "axe-core not found (looked at " + ", ".join(str(p) for p in candidates) + "): "
        "run `npm install --no-save axe-core@4` in the project root or set AXE_CORE_JS"
    )


def open_first_question(page: Page, site: str) -> None:
    visit(page, site, "/nanchang/")
    page.get_by_role("region", name="常见问题").get_by_role("link").first.click()
    expect(page.locator(".short-answer")).to_be_visible()


@pytest.mark.parametrize(
    "path",
    [
        "/nanchang/",
        "article",
        "/calculator/",
        f"/hezhou/calculator/?{FLEXIBLE_CASE}",
        "/nanchang/calculator/?region=nanchang&scheme=employee&lapse_months=-3",
    ],
    ids=["region-guide", "article", "calculator", "calculator-result", "calculator-errors"],
)
def test_it_has_no_serious_accessibility_violations(site, phone, path):
    script = axe_script()
    if path == "article":
        open_first_question(phone, site)
    else:
        visit(phone, site, path)
    phone.add_script_tag(path=str(script))

    results = phone.evaluate("() => axe.run(document, {resultTypes: ['violations']})")

    serious = [v for v in results["violations"] if v["impact"] in ("critical", "serious")]
    report = [
        f"{v['impact']} {v['id']}: {v['help']} → " + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in serious
    ]
    assert report == [], f"axe on {phone.url}"

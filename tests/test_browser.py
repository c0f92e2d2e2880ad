"""Real-browser tests: what a citizen sees in Chromium, on a phone and on a desktop.

They run against `live_server` with the demo content, so they need transactional database
access (the live server thread reads the rows outside the test's transaction).
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browsing import axe_violations, scroll_width, visit

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
SETTLED_MS = 1_000  # for checks made once the page has visibly finished updating

# One case, typed in on the Hezhou estimator: a flexible worker who missed July–October 2026
# and pays on 10 November. Hezhou has no back-pay window of its own, so the national default
# (3 months, unverified) applies: July is 4 months before November, too far back to back-pay.
# The worker re-enrols: nothing to back-pay, a 6-month wait (national default, unverified) counted
# from the payment day, so cover from 10 May 2027. The back-pay, waiting and cover-date headlines
# rest on those unverified figures and carry 待核实.
FLEXIBLE_CASE = "region=hezhou&scheme=flexible&lapse_start=2026-07&lapse_months=4&paid_on=2026-11-10"
FLEXIBLE_WAIT = "6 个月"
FLEXIBLE_STARTS = "2027年5月10日"

# A Nanchang resident renewing (no lapsed years) on 23 November 2026. Jiangxi's figures hold only
# the 2026 cover year's window (2025-10-15 to 2026-02-28), so the data cannot tell whether this
# payment is inside the window for 2027: the estimator must ask, never assume "outside".
RENEWAL_CASE = "region=nanchang&scheme=resident&lapsed_years=0&paid_on=2026-11-23"
WINDOW_QUESTION = "是否在集中参保期内缴费"
WINDOW_PROMPT = "请选择：是否在当地集中参保期内缴费？"


def summary_value(page: Page, term: str):
    """The <dd> beside a <dt> in the estimator's result summary."""
    return page.locator("#estimator .summary > div").filter(has=page.locator("dt", has_text=term)).locator("dd")


def unverified_tag(page: Page, term: str):
    """The 待核实 tag beside a headline result."""
    return summary_value(page, term).locator("em.tag-warn")


def expect_unverified(page: Page, term: str) -> None:
    tag = unverified_tag(page, term)
    expect(tag).to_have_text("待核实")
    expect(tag).to_be_visible()


def expect_settled(page: Page, term: str) -> None:
    """A headline that rests only on verified figures (or the citizen's own answer): no tag."""
    expect(unverified_tag(page, term)).to_have_count(0, timeout=SETTLED_MS)


def scheme(page: Page, name: str):
    return page.get_by_role("radio", name=re.compile("^" + re.escape(name)))


def ongoing(page: Page, answer: str):
    """A radio of 现在恢复缴费了吗 (flexible workers only)."""
    return page.get_by_role("group", name="现在恢复缴费了吗").get_by_role("radio", name=answer)


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
    expect(summary_value(phone, "能不能补缴")).to_contain_text("不能补缴，只能重新参保")
    expect(summary_value(phone, "待遇等待期")).to_contain_text(FLEXIBLE_WAIT)
    expect(phone.locator("#estimator .big")).to_have_text("0.00 元")
    expect(summary_value(phone, "哪天起能报销").locator("strong")).to_have_text(FLEXIBLE_STARTS)
    assert scroll_width(phone) <= PHONE["width"]

    phone.reload()
    expect(phone.locator("#estimator .big")).to_have_text("0.00 元")
    expect(summary_value(phone, "哪天起能报销").locator("strong")).to_have_text(FLEXIBLE_STARTS)
    expect(summary_value(phone, "待遇等待期")).to_contain_text(FLEXIBLE_WAIT)
    expect(scheme(phone, "灵活就业人员")).to_be_checked()
    expect(phone.get_by_label("断缴了几个月", exact=True)).to_have_value("4")


def test_it_changes_the_estimate_without_reloading_the_page(site, phone):
    visit(phone, site, f"/hezhou/calculator/?{FLEXIBLE_CASE}")
    expect(summary_value(phone, "待遇等待期")).to_contain_text(FLEXIBLE_WAIT)
    phone.evaluate("window.__marker = 1")

    # A gap that has already ended does not make current cover wait: cover from the payment day.
    ongoing(phone, "已经恢复缴费了").check()

    expect(summary_value(phone, "待遇等待期")).to_have_text("没有等待期")
    expect(summary_value(phone, "哪天起能报销").locator("strong")).to_have_text("2026年11月10日")
    expect(phone).to_have_url(re.compile(r"lapse_ongoing=false"))
    assert phone.evaluate("window.__marker") == 1


def resume_then_go_back(phone) -> None:
    """Answer that payments resumed (the estimate changes and the address follows), then press Back:
    the address and the estimate are the earlier ones again."""
    ongoing(phone, "已经恢复缴费了").check()
    expect(summary_value(phone, "待遇等待期")).to_have_text("没有等待期")
    expect(phone).to_have_url(re.compile(r"lapse_ongoing=false"))

    phone.go_back()

    expect(phone).not_to_have_url(re.compile(r"lapse_ongoing=false"))
    expect(summary_value(phone, "待遇等待期")).to_contain_text(FLEXIBLE_WAIT)


def test_it_shows_the_form_that_matches_the_estimate_after_going_back(site, phone):
    visit(phone, site, "/hezhou/calculator/")
    type_flexible_case(phone)
    expect(summary_value(phone, "待遇等待期")).to_contain_text(FLEXIBLE_WAIT)
    resume_then_go_back(phone)

    expect(scheme(phone, "灵活就业人员")).to_be_checked(timeout=SETTLED_MS)
    expect(ongoing(phone, "已经恢复缴费了")).not_to_be_checked(timeout=SETTLED_MS)
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
    resume_then_go_back(phone)

    expect(phone.get_by_role("heading", level=1)).to_have_text("贺州医保补缴估算", timeout=SETTLED_MS)
    expect(phone.get_by_role("button", name="计算", exact=True)).to_be_visible(timeout=SETTLED_MS)
    expect(phone.get_by_label("断缴了几个月", exact=True)).to_have_value("4", timeout=SETTLED_MS)
    expect(ongoing(phone, "已经恢复缴费了")).not_to_be_checked(timeout=SETTLED_MS)


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


# --- Estimator: questions that appear only when they matter -------------------------------------


def expect_shown(question, steps) -> None:
    """After each step's action (a control's check or uncheck, or None), the question is shown or not."""
    for action, shown in steps:
        if action is not None:
            action()
        (expect(question).to_be_visible if shown else expect(question).to_be_hidden)()


def test_it_shows_the_birth_date_only_for_a_newborn(site, phone):
    visit(phone, site, "/nanchang/calculator/")
    newborn = phone.get_by_label("为新生儿参保", exact=True)
    born_on = phone.get_by_label("宝宝出生日期", exact=True)
    expect(born_on).to_be_hidden()

    expect_shown(newborn, [(None, False), (scheme(phone, "城乡居民医保").check, True)])
    expect_shown(born_on, [(None, False), (newborn.check, True), (newborn.uncheck, False)])


def test_it_asks_whether_payments_resumed_only_of_flexible_workers(site, phone):
    visit(phone, site, "/nanchang/calculator/")
    resumed = phone.get_by_role("group", name="现在恢复缴费了吗")
    expect(scheme(phone, "职工医保")).to_be_checked()

    expect_shown(resumed, [(None, False), (scheme(phone, "灵活就业人员").check, True)])
    expect(ongoing(phone, "还没有，现在还断着")).to_be_visible()
    expect(ongoing(phone, "已经恢复缴费了")).to_be_visible()
    expect_shown(resumed, [(scheme(phone, "城乡居民医保").check, False), (scheme(phone, "职工医保").check, False)])


def test_it_asks_about_unemployment_benefit_only_for_an_employee_lapse_of_their_own(site, phone):
    visit(phone, site, "/nanchang/calculator/")
    jobless = phone.get_by_label("其中领取失业保险金的有几个月", exact=True)
    employer = phone.get_by_role("radio", name=re.compile("^单位原因"))
    personal = phone.get_by_role("radio", name=re.compile("^个人原因"))
    expect(scheme(phone, "职工医保")).to_be_checked()
    expect(personal).to_be_checked()

    expect_shown(
        jobless,
        [
            (None, True),
            (employer.check, False),
            (personal.check, True),
            (scheme(phone, "灵活就业人员").check, False),
            (scheme(phone, "城乡居民医保").check, False),
        ],
    )


def test_it_asks_about_moving_city_only_for_a_lapse_of_ones_own(site, phone):
    visit(phone, site, "/nanchang/calculator/")
    moved = phone.get_by_label("断缴期间换了城市", exact=False)

    expect_shown(
        moved,
        [
            (None, True),  # employee, personal cause (the defaults)
            (phone.get_by_role("radio", name=re.compile("^单位原因")).check, False),
            (scheme(phone, "灵活就业人员").check, True),
            (scheme(phone, "城乡居民医保").check, False),
        ],
    )


# --- Estimator: the collection window, repair advice and 待核实 headlines ------------------------


def test_it_asks_about_the_collection_window_while_typing_on_a_phone(site, phone):
    visit(phone, site, "/nanchang/calculator/")
    scheme(phone, "城乡居民医保").check()
    phone.get_by_label("断缴了几个整年", exact=True).fill("0")
    phone.get_by_label("打算哪天补缴").fill("2026-11-23")
    expect(phone).to_have_url(re.compile(r"lapsed_years=0.*paid_on=2026-11-23|paid_on=2026-11-23.*lapsed_years=0"))
    expect(phone.locator("#estimator h2")).to_have_text("还差一个问题")
    expect(phone.locator("#estimator")).to_contain_text(WINDOW_PROMPT)

    question = phone.get_by_label(WINDOW_QUESTION, exact=True)
    expect(question).to_be_visible(timeout=SETTLED_MS)
    expect(phone.locator("#err-in_window")).to_contain_text(WINDOW_PROMPT)
    assert scroll_width(phone) <= PHONE["width"]

    question.select_option(label="是，在集中参保期内")

    expect(summary_value(phone, "哪天起能报销").locator("strong")).to_have_text("2027年1月1日")
    expect(summary_value(phone, "待遇等待期")).to_have_text("没有等待期")
    assert scroll_width(phone) <= PHONE["width"]


def test_it_asks_about_the_collection_window_when_the_data_cannot_tell(site, phone):
    # The same case opened from its address (a shared link, a reload, or without JavaScript).
    visit(phone, site, f"/nanchang/calculator/?{RENEWAL_CASE}")
    expect(phone.locator("#estimator h2")).to_have_text("还差一个问题")
    expect(phone.locator("#estimator")).to_contain_text(WINDOW_PROMPT)
    question = phone.get_by_label(WINDOW_QUESTION, exact=True)
    expect(question).to_be_visible()
    expect(phone.locator("#err-in_window")).to_contain_text(WINDOW_PROMPT)
    expect(phone.locator("#estimator .summary")).to_have_count(0)
    assert scroll_width(phone) <= PHONE["width"]

    question.select_option(label="是，在集中参保期内")

    # Inside the window and before 1 January of cover year 2027: no wait, cover from 1 January.
    expect(phone).to_have_url(re.compile(r"in_window=true"))
    expect(phone.locator("#estimator h2")).to_have_text("估算结果")
    expect(summary_value(phone, "哪天起能报销").locator("strong")).to_have_text("2027年1月1日")
    expect(summary_value(phone, "待遇等待期")).to_have_text("没有等待期")
    # The citizen's own answer, not an unverified figure, decides these two.
    expect_settled(phone, "哪天起能报销")
    expect_settled(phone, "待遇等待期")
    # The 2027 fee is not entered yet: Jiangxi's 2026 fee of 400 元 (unverified) stands in.
    expect(phone.locator("#estimator .big")).to_have_text("400.00 元")
    expect_unverified(phone, "要交多少")
    expect(question).to_have_value("true")
    assert scroll_width(phone) <= PHONE["width"]


def test_it_shows_how_many_years_are_worth_repaying_on_a_phone(site, phone):
    # By hand: fixed 3 months, +1 for each lapsed year after the first → 3 + 4 = 7; repaying 1
    # year → 6, which is also the floor after a lapse of 4+ years, so more years buy nothing.
    # Cost: Jiangxi's 400 元 fee per repaid year plus the current cover year's 400 元.
    visit(phone, site, "/nanchang/calculator/?region=nanchang&scheme=resident&lapsed_years=5&paid_on=2026-11-23")
    estimator = phone.locator("#estimator")
    expect(estimator.locator(".advice")).to_have_text("补 1 年就够了：等待期 7 → 6 个月，多补不会更短")
    expect(estimator.locator(".advice")).to_be_visible()
    table = estimator.get_by_role("table", name="补缴几年划算")
    expect(table).to_be_visible()
    rows = table.locator("tr").filter(has=phone.locator("td"))
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator("td")).to_have_text(["0 年", "7 个月", "400.00 元"])
    expect(rows.nth(1).locator("td")).to_have_text(["1 年", "6 个月", "800.00 元"])
    expect(rows.nth(1)).to_have_class(re.compile(r"\bbest\b"))
    expect(summary_value(phone, "待遇等待期")).to_contain_text("7 个月")
    expect(summary_value(phone, "哪天起能报销").locator("strong")).to_have_text("2027年6月23日")
    assert scroll_width(phone) <= PHONE["width"]
    box = table.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_it_tags_headlines_that_rest_on_unverified_figures(site, phone):
    visit(phone, site, f"/hezhou/calculator/?{FLEXIBLE_CASE}")
    expect(phone.locator("#estimator h2")).to_have_text("估算结果")
    expect(phone.locator("#estimator")).to_contain_text("标待核实的结果用到了本站还没核实的数字。")
    expect(summary_value(phone, "能不能补缴")).to_contain_text("不能补缴，只能重新参保")
    expect_unverified(phone, "能不能补缴")
    expect(summary_value(phone, "待遇等待期")).to_contain_text(FLEXIBLE_WAIT)
    expect_unverified(phone, "待遇等待期")
    expect(summary_value(phone, "哪天起能报销").locator("strong")).to_have_text(FLEXIBLE_STARTS)
    expect_unverified(phone, "哪天起能报销")
    # Each step resting on the national default cites it as a common practice, not a local rule.
    expect(phone.locator("#estimator .steps")).to_contain_text("各地常见做法（待核实）")
    expect(phone.locator("#estimator .steps")).not_to_contain_text("当地医保经办规定")
    assert scroll_width(phone) <= PHONE["width"]


def test_it_tags_a_nothing_to_pay_amount_that_rests_on_an_unverified_window(site, phone):
    visit(phone, site, f"/hezhou/calculator/?{FLEXIBLE_CASE}")
    expect(phone.locator("#estimator .big")).to_have_text("0.00 元")
    expect(unverified_tag(phone, "要交多少")).to_have_text("待核实", timeout=SETTLED_MS)


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
        # By hand from the demo figures: base = Jiangxi's average wage 6,525 元 (unverified);
        # employer 6.8% (Nanchang, unverified) → 443.70 元 a month, personal 2% (national,
        # unverified) → 130.50 元. Two months: 887.40 + 261.00 = 1,148.40 元. Late fee 0.05%/day
        # from each month's due day (the 15th) to 10 November: 574.20 × 0.0005 × (87 + 56 days)
        # = 41.06 元, the employer's alone.
        expect(page.locator("#estimator h2")).to_have_text("估算结果")
        expect(page.locator("#estimator .big")).to_have_text("1,148.40 元")
        amount = summary_value(page, "要交多少")
        expect(amount.locator(".items li")).to_have_text(
            ["单位缴费部分 887.40 元", re.compile(r"^个人缴费部分.*261\.00 元$")]
        )
        expect_unverified(page, "要交多少")
        expect(summary_value(page, "滞纳金")).to_contain_text("41.06 元，由单位承担")
        expect_unverified(page, "滞纳金")
        expect(summary_value(page, "待遇等待期")).to_have_text("没有等待期")
        expect(summary_value(page, "哪天起能报销").locator("strong")).to_have_text("2026年12月1日")

        expect(scheme(page, "职工医保")).to_be_checked()
        expect(page.get_by_role("radio", name=re.compile("^单位原因"))).to_be_checked()
        expect(page.get_by_label("从哪个月开始没交")).to_have_value("2026-08")
        expect(page.get_by_label("断缴了几个月", exact=True)).to_have_value("2")
        expect(page.get_by_label("打算哪天补缴")).to_have_value("2026-11-10")
    finally:
        context.close()


# --- Accessibility (axe-core) ------------------------------------------------------------------


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
    if path == "article":
        open_first_question(phone, site)
    else:
        visit(phone, site, path)

    report = axe_violations(phone, impacts=("critical", "serious"))

    assert report == [], f"axe on {phone.url}"

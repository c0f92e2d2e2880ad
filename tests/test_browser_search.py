"""Site search in real Chromium: the header box on a phone, suggestions as one types, the results
and no-result pages, without JavaScript, and their accessibility (axe-core)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.browsing import axe_violations, scroll_width, visit

pytestmark = pytest.mark.browser

PHONE_WIDTH = 360


def header_box(page: Page):
    return page.get_by_role("search", name="全站搜索").get_by_role("searchbox", name="搜索问题")


def test_a_citizen_types_断交_on_a_phone_sees_suggestions_and_then_the_results(site, phone):
    visit(phone, site, "/")
    box = header_box(phone)
    box.tap()
    box.press_sequentially("断交", delay=60)

    suggestions = phone.locator("#site-search-suggest .suggest-list a")
    expect(suggestions.first).to_be_visible()
    assert 1 <= suggestions.count() <= 5
    expect(suggestions.first).to_contain_text("断缴")  # found through the synonym
    assert scroll_width(phone) <= PHONE_WIDTH

    box.press("Enter")

    expect(phone).to_have_url(re.compile(r"/search/\?q=" + re.escape(quote("断交"))))
    expect(phone.get_by_role("heading", level=1)).to_have_text("搜索")
    expect(phone.get_by_role("search", name="搜索问题").get_by_role("searchbox")).to_have_value("断交")
    results = phone.locator(".search-results > li")
    expect(results).to_have_count(20)
    regions = set(phone.locator(".search-results .search-region").all_inner_texts())
    assert regions & {"南昌", "贺州", "全国通用"}
    expect(results.first.locator("p")).not_to_be_empty()  # the short answer
    expect(phone.get_by_role("link", name="下一页")).to_be_visible()
    assert scroll_width(phone) <= PHONE_WIDTH


def test_suggestions_on_a_city_page_put_that_citys_answers_first(site, phone):
    visit(phone, site, "/hezhou/")
    header_box(phone).press_sequentially("补缴", delay=60)

    first = phone.locator("#site-search-suggest .suggest-list a").first
    expect(first).to_be_visible()
    expect(first).to_have_attribute("href", re.compile(r"^/hezhou/"))
    first.tap()
    expect(phone).to_have_url(re.compile(r"/hezhou/[a-z0-9-]+/$"))


def test_南昌_转医保_opens_nanchangs_transfer_answer_first(site, phone):
    visit(phone, site, "/")
    header_box(phone).fill("南昌 转医保")
    header_box(phone).press("Enter")

    first = phone.locator(".search-results > li").first
    expect(first.locator(".search-region")).to_have_text("南昌")
    expect(first.get_by_role("link")).to_contain_text("转")


def test_the_header_box_has_its_own_row_on_a_phone_and_sits_beside_the_menu_on_a_desktop(site, phone, desktop):
    for page, own_row in ((phone, True), (desktop, False)):
        visit(page, site, "/nanchang/")
        brand = page.locator(".site-header .brand").bounding_box()
        box = page.locator(".site-header .search-box").bounding_box()
        below = box["y"] >= brand["y"] + brand["height"] - 1
        assert below is own_row, page.viewport_size
        assert box["x"] + box["width"] <= page.viewport_size["width"]


def test_no_result_page_offers_topics_the_hotline_and_the_estimator(site, phone):
    visit(phone, site, "/search/?q=" + quote("火星移民") + "&region=nanchang")

    expect(phone.get_by_role("heading", level=2, name="没有找到和“火星移民”相关的问题")).to_be_visible()
    expect(phone.locator(".no-result .topic-list a").first).to_be_visible()
    expect(phone.locator('.no-result a[href="tel:12393"]')).to_be_visible()
    expect(phone.get_by_role("link", name="用南昌的补缴估算器")).to_have_attribute("href", "/nanchang/calculator/")
    expect(phone.get_by_role("link", name="看南昌医保指南").first).to_be_visible()
    assert scroll_width(phone) <= PHONE_WIDTH


def test_search_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": PHONE_WIDTH, "height": 740})
    try:
        page = visit(context.new_page(), site, "/nanchang/")
        header_box(page).fill("断交")
        header_box(page).press("Enter")

        expect(page).to_have_url(re.compile(r"/search/\?q=.+&region=nanchang$"))
        expect(page.locator(".search-results .search-region").first).to_have_text("南昌")
    finally:
        context.close()


@pytest.mark.parametrize(
    "path",
    ["/search/?q=" + quote("断交"), "/search/?q=" + quote("火星移民") + "&region=hezhou", "/search/"],
    ids=["results", "no-result", "empty"],
)
def test_search_pages_have_no_accessibility_violations(site, phone, path):
    visit(phone, site, path)
    assert axe_violations(phone) == [], f"axe on {phone.url}"


def test_open_suggestions_have_no_accessibility_violations(site, phone):
    visit(phone, site, "/")
    header_box(phone).press_sequentially("补缴", delay=60)
    expect(phone.locator("#site-search-suggest .suggest-list a").first).to_be_visible()
    assert axe_violations(phone) == []

"""The live estimator when its request fails (no network, a 500, the 503 of a database outage): a
Chinese message in place of the result, never the old result beside changed inputs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browsing import visit

pytestmark = pytest.mark.browser

# A flexible worker in Hezhou who missed four months (see tests/test_browser.py, FLEXIBLE_CASE).
CASE = "/hezhou/calculator/?region=hezhou&scheme=flexible&lapse_start=2026-07&lapse_months=4&paid_on=2026-11-10"
FAILED_TITLE = "暂时算不出来"
FAILED_TEXT = "网络或服务器出了问题，请稍后再试。"


def fail_live_requests(page: Page, how: str) -> None:
    """Make every htmx request of the page fail: the connection drops, or the server answers 500."""

    def handle(route: Route) -> None:
        if route.request.headers.get("hx-request") != "true":
            route.continue_()
        elif how == "abort":
            route.abort("connectionfailed")
        else:
            route.fulfill(status=500, content_type="text/html; charset=utf-8", body="<h1>页面出错了</h1>")

    page.route(re.compile(r"/calculator/"), handle)


def expect_failure_shown(page: Page) -> None:
    result = page.locator("#estimator")
    expect(result.get_by_role("heading", level=2)).to_have_text(FAILED_TITLE)
    expect(result.get_by_text(FAILED_TEXT)).to_be_visible()
    expect(result).not_to_contain_text("估算结果")
    expect(result.locator(".summary")).to_have_count(0)


@pytest.mark.parametrize("how", ["abort", "server-error"])
def test_it_replaces_the_old_result_with_a_message_when_the_request_fails(site, phone, how):
    visit(phone, site, CASE)
    expect(phone.locator("#estimator h2")).to_have_text("估算结果")
    expect(phone.locator("#estimator .big")).to_be_visible()

    fail_live_requests(phone, how)
    phone.get_by_label("断缴了几个月", exact=True).fill("5")

    expect_failure_shown(phone)
    expect(phone.get_by_label("断缴了几个月", exact=True)).to_have_value("5")


def test_it_shows_the_result_again_once_requests_go_through(site, desktop):
    visit(desktop, site, CASE)
    fail_live_requests(desktop, "abort")
    desktop.get_by_label("断缴了几个月", exact=True).fill("5")
    expect_failure_shown(desktop)

    desktop.unroute(re.compile(r"/calculator/"))
    desktop.get_by_label("断缴了几个月", exact=True).fill("3")

    expect(desktop.locator("#estimator h2")).to_have_text("估算结果")
    expect(desktop).to_have_url(re.compile(r"lapse_months=3"))


def test_it_clears_the_field_errors_before_each_request(site, phone):
    visit(phone, site, "/nanchang/calculator/")
    months = phone.get_by_label("断缴了几个月", exact=True)
    months.fill("-3")
    expect(phone.locator("#err-lapse_months")).to_have_text("至少填 1 个月。")
    expect(phone.locator("#error-summary")).to_contain_text("至少填 1 个月。")

    # The next request never gets an answer, so only the clearing before it can empty the messages.
    fail_live_requests(phone, "abort")
    months.fill("3")

    expect_failure_shown(phone)
    expect(phone.locator("#err-lapse_months")).to_have_text("")
    expect(phone.locator("#error-summary")).to_have_text("")

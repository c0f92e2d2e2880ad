"""The strict Content-Security-Policy in Chromium: the main public pages, and a live estimator
update through htmx, load without a single violation (no inline script or style, no eval)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browsing import RECORD_VIOLATIONS, visit

pytestmark = pytest.mark.browser


PAGES = [
    "/",
    "/nanchang/",
    "/nanchang/zhigong-yibao-bujiao/",  # an article, with its JSON-LD data block
    "/calculator/",
    "/zhuanyi/?from=nanchang&to=hezhou&scheme=employee",
    "/search/?q=补缴",
    "/cihui/",
    "/no-such-page/",
]
FLEXIBLE_CASE = "region=hezhou&scheme=flexible&lapse_start=2026-07&lapse_months=4&paid_on=2026-11-10"


def violations(page: Page, console: list[str]) -> list[str]:
    return page.evaluate("window.__violations") + [m for m in console if "Content Security Policy" in m]


@pytest.fixture
def watched(phone):
    console: list[str] = []
    phone.add_init_script(RECORD_VIOLATIONS)
    phone.on("console", lambda message: console.append(message.text))
    return phone, console


def test_public_pages_load_without_a_csp_violation(site, watched):
    page, console = watched
    for path in PAGES:
        visit(page, site, path)
        page.wait_for_load_state("networkidle")
        assert violations(page, console) == [], path


def test_the_live_estimate_updates_without_a_csp_violation(site, watched):
    page, console = watched
    visit(page, site, f"/hezhou/calculator/?{FLEXIBLE_CASE}")
    page.evaluate("window.__marker = 1")
    page.get_by_role("group", name="现在恢复缴费了吗").get_by_role("radio", name="已经恢复缴费了").check()

    expect(page.locator("#estimator .summary")).to_contain_text("没有等待期")
    assert page.evaluate("window.__marker") == 1  # swapped by htmx, not reloaded
    assert violations(page, console) == []

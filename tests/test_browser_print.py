"""Printing: an article or an estimate prints on one or two pages, without forms and navigation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browsing import visit
from tests.test_browser import FLEXIBLE_CASE

pytestmark = pytest.mark.browser


def printed_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.parametrize(
    "path",
    ["/nanchang/bujiao-duoshao-qian/", "/wenda/zhuanyi-zenme-banli/", f"/hezhou/calculator/?{FLEXIBLE_CASE}"],
    ids=["city-article", "national-article", "estimate"],
)
def test_a_page_prints_on_one_or_two_pages_without_forms_or_navigation(site, desktop, path):
    visit(desktop, site, path)
    desktop.emulate_media(media="print")

    for selector in [".site-header nav", ".search-box", ".crumbs", ".feedback", ".estimate-form"]:
        for element in desktop.locator(selector).all():
            expect(element).to_be_hidden()
    expect(desktop.locator("h1")).to_be_visible()
    if "calculator" in path:
        expect(desktop.locator("#estimator")).to_be_visible()

    assert 1 <= printed_pages(desktop.pdf(format="A4")) <= 2

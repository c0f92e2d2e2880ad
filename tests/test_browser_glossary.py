"""The glossary and tappable phone numbers in real headless Chromium at phone width: a term in an
article opens its explanation, a hotline in an article is a tel: link, and axe finds no
accessibility violations on the glossary or on an article full of term and phone links."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browsing import axe_violations, scroll_width, visit

pytestmark = pytest.mark.browser


def test_a_citizen_taps_a_term_in_an_article_and_reads_what_it_means_on_a_phone(site, phone):
    visit(phone, site, "/nanchang/bujiao-duoshao-qian/")

    # The city's own hotline, named by a token in the article, is a link the phone can dial.
    hotline = phone.locator(".body").get_by_role("link", name="0791-12393").first
    expect(hotline).to_have_attribute("href", "tel:079112393")

    phone.locator(".body a.term", has_text="滞纳金").first.click()

    expect(phone).to_have_url(re.compile(r"/cihui/#zhinajin$"))
    entry = phone.locator("#zhinajin")
    expect(entry).to_be_in_viewport()
    expect(phone.locator(".glossary-entry", has=entry).locator("dd")).to_contain_text("单位自己承担")
    assert scroll_width(phone) <= 360  # nothing sticks out sideways on a phone


def test_the_jump_list_leads_to_a_term_with_its_other_spellings(site, phone):
    visit(phone, site, "/cihui/")

    expect(phone.get_by_role("heading", level=1)).to_have_text("医保词汇表")
    phone.get_by_role("navigation", name="词语索引").get_by_role("link", name="断缴", exact=True).click()

    expect(phone.locator("#duanjiao")).to_be_in_viewport()
    expect(phone.locator("#duanjiao")).to_contain_text("也写作：断交、断保、停保")
    assert scroll_width(phone) <= 360


@pytest.mark.parametrize(
    "path",
    ["/cihui/", "/nanchang/bujiao-duoshao-qian/", "/wenda/yibao-dianhua-zixun/", "/nanchang/"],
    ids=["glossary", "article-with-terms", "article-with-hotlines", "region-channels"],
)
def test_glossary_and_channel_pages_have_no_accessibility_violations(site, phone, path):
    visit(phone, site, path)

    assert axe_violations(phone) == [], f"axe on {phone.url}"

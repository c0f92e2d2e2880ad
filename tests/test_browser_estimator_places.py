"""The estimator's province → city choice in real Chromium with htmx: a new province brings its own
city list without a reload, choosing a city brings the estimate, under the strict CSP and on a
360 px phone. The server's side: tests/test_estimator_places.py."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browsing import RECORD_VIOLATIONS, scroll_width, visit

pytestmark = pytest.mark.browser

RESIDENT = "scheme=resident&lapsed_years=2&repaid_years=1&paid_on=2026-11-20"


def test_it_swaps_in_the_cities_of_a_new_province_and_estimates_for_the_city_chosen(site, phone):
    console: list[str] = []
    phone.add_init_script(RECORD_VIOLATIONS)
    phone.on("console", lambda message: console.append(message.text))
    visit(phone, site, f"/nanchang/calculator/?region=nanchang&{RESIDENT}")
    expect(phone.locator("#estimator h2")).to_have_text("估算结果")
    phone.evaluate("window.__marker = 1")
    city = phone.get_by_label("所在城市", exact=True)
    expect(city.locator("option")).to_have_text(["请选择城市", "南昌", "江西省其他地方"])

    phone.get_by_label("省份", exact=True).select_option(label="广西壮族自治区")

    expect(city.locator("option")).to_have_text(["请选择城市", "贺州", "广西壮族自治区其他地方"])
    expect(phone.locator("#err-region")).to_have_text("请选择广西壮族自治区的城市。")
    expect(phone.locator("#estimator h2")).to_have_text("还差一个问题")  # no result of the old city stays
    expect(phone.get_by_label("断缴了几个整年", exact=True)).to_have_value("2")

    city.select_option(label="贺州")

    expect(phone.locator("#estimator h2")).to_have_text("估算结果")
    expect(phone.locator("#err-region")).to_have_text("")
    expect(phone).to_have_url(re.compile(r"/hezhou/calculator/\?province=guangxi&region=hezhou&"))  # the city's address
    assert phone.evaluate("window.__marker") == 1  # swapped by htmx, never reloaded
    assert scroll_width(phone) <= 360
    assert phone.evaluate("window.__violations") + [m for m in console if "Content Security Policy" in m] == []


def test_the_place_choice_fits_a_phone_without_sideways_scrolling(site, phone):
    visit(phone, site, "/calculator/")
    expect(phone.get_by_label("所在城市", exact=True).locator("option")).to_have_text(["请先选择省份"])

    phone.get_by_label("省份", exact=True).select_option(label="江西省")

    expect(phone.get_by_label("所在城市", exact=True).locator("option")).to_have_text(
        ["请选择城市", "南昌", "江西省其他地方"]
    )
    assert scroll_width(phone) <= 360

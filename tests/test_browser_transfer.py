"""The transfer page in real headless Chromium at phone width: choose two places (a province, whose
cities htmx swaps in, then a city) and a scheme, submit, read the answer, under the strict CSP; then
axe finds no accessibility violations on it. The server's side: tests/test_transfer_places.py."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browsing import RECORD_VIOLATIONS, axe_violations, scroll_width, visit

pytestmark = pytest.mark.browser


def test_a_citizen_chooses_two_places_and_a_scheme_and_reads_the_answer_on_a_phone(site, phone):
    console: list[str] = []
    phone.add_init_script(RECORD_VIOLATIONS)
    phone.on("console", lambda message: console.append(message.text))
    visit(phone, site, "/hezhou/")
    phone.get_by_role("link", name="换城市了？看医保怎么转").click()

    # The guide's city is already chosen as the origin, with its province.
    expect(phone.get_by_label("转出城市", exact=True)).to_have_value("hezhou")
    expect(phone.get_by_label("转出省份", exact=True)).to_have_value("guangxi")
    destination = phone.get_by_label("转入城市", exact=True)
    expect(destination.locator("option")).to_have_text(["请先选择省份"])
    phone.evaluate("window.__marker = 1")
    phone.get_by_label("转入省份", exact=True).select_option(label="江西省")
    expect(destination.locator("option")).to_have_text(["请选择城市", "南昌", "江西省其他地方"])  # swapped in by htmx
    assert phone.evaluate("window.__marker") == 1  # no reload
    expect(phone.get_by_label("转出城市", exact=True)).to_have_value("hezhou")  # the other place is untouched
    destination.select_option(label="南昌")
    phone.get_by_label("参加的是哪种医保").select_option("resident")
    assert scroll_width(phone) <= 360
    phone.get_by_role("button", name="看怎么转").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("从贺州转到南昌：城乡居民医保怎么转 待核实")
    expect(phone).to_have_url(
        site + "/zhuanyi/?from_province=guangxi&from=hezhou&to_province=jiangxi&to=nanchang&scheme=resident"
    )
    expect(phone.locator('link[rel="canonical"]')).to_have_attribute(
        "href", "https://yibao.example/zhuanyi/?from=hezhou&to=nanchang&scheme=resident"
    )
    expect(phone.locator(".transfer-steps")).to_contain_text("转出地医保经办机构（贺州）")
    expect(phone.locator(".transfer-steps")).to_contain_text("个工作日内办完转入")
    expect(phone.get_by_role("link", name="0791-12393").first).to_have_attribute("href", "tel:079112393")
    expect(phone.get_by_role("link", name="0774-12393").first).to_be_visible()
    assert scroll_width(phone) <= 360  # nothing sticks out sideways on a phone

    # A wrong choice is explained beside its field, and the other choices stay.
    phone.get_by_label("转入省份", exact=True).select_option(label="广西壮族自治区")
    expect(phone.get_by_label("转入城市", exact=True).locator("option")).to_contain_text(["贺州"])
    phone.get_by_label("转入城市", exact=True).select_option(label="贺州")
    phone.get_by_role("button", name="重新查").click()
    expect(phone.locator("#err-to")).to_have_text("转出地和转入地是同一个地方，请选两个不同的地方。")
    expect(phone.get_by_label("参加的是哪种医保")).to_have_value("resident")
    assert scroll_width(phone) <= 360
    assert phone.evaluate("window.__violations") + [m for m in console if "Content Security Policy" in m] == []


@pytest.mark.parametrize(
    "path",
    ["/zhuanyi/", "/zhuanyi/?from=nanchang&to=hezhou&scheme=employee", "/zhuanyi/?from=nanchang&to=nanchang&scheme=x"],
    ids=["form", "answer", "errors"],
)
def test_the_transfer_page_has_no_accessibility_violations(site, phone, path):
    visit(phone, site, path)

    assert axe_violations(phone) == [], f"axe on {phone.url}"

"""The transfer page in real headless Chromium at phone width: choose two places and a scheme,
submit, read the answer; then axe finds no accessibility violations on it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browsing import axe_violations, scroll_width, visit

pytestmark = pytest.mark.browser


def test_a_citizen_chooses_two_places_and_a_scheme_and_reads_the_answer_on_a_phone(site, phone):
    visit(phone, site, "/hezhou/")
    phone.get_by_role("link", name="换城市了？看医保怎么转").click()

    # The guide's city is already chosen as the origin.
    expect(phone.get_by_label("从哪里转出（原来参保的地方）")).to_have_value("hezhou")
    phone.get_by_label("转到哪里（新的参保地）").select_option(label="南昌")
    phone.get_by_label("参加的是哪种医保").select_option("resident")
    phone.get_by_role("button", name="看怎么转").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("从贺州转到南昌：城乡居民医保怎么转 待核实")
    expect(phone).to_have_url(site + "/zhuanyi/?from=hezhou&to=nanchang&scheme=resident")
    expect(phone.locator(".transfer-steps")).to_contain_text("转出地医保经办机构（贺州）")
    expect(phone.locator(".transfer-steps")).to_contain_text("个工作日内办完转入")
    expect(phone.get_by_role("link", name="0791-12393").first).to_have_attribute("href", "tel:079112393")
    expect(phone.get_by_role("link", name="0774-12393").first).to_be_visible()
    assert scroll_width(phone) <= 360  # nothing sticks out sideways on a phone

    # A wrong choice is explained beside its field, and the other choices stay.
    phone.get_by_label("转到哪里（新的参保地）").select_option(label="贺州")
    phone.get_by_role("button", name="重新查").click()
    expect(phone.locator("#err-to")).to_have_text("转出地和转入地是同一个地方，请选两个不同的地方。")
    expect(phone.get_by_label("参加的是哪种医保")).to_have_value("resident")


@pytest.mark.parametrize(
    "path",
    ["/zhuanyi/", "/zhuanyi/?from=nanchang&to=hezhou&scheme=employee", "/zhuanyi/?from=nanchang&to=nanchang&scheme=x"],
    ids=["form", "answer", "errors"],
)
def test_the_transfer_page_has_no_accessibility_violations(site, phone, path):
    visit(phone, site, path)

    assert axe_violations(phone) == [], f"axe on {phone.url}"

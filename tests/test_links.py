"""Links staff enter (figure sources, channel addresses) are http(s) only: refused on full_clean
whatever path saves them, and never rendered when one reached the table another way."""

from __future__ import annotations

import pytest
from django.test import Client

from guides.models import PolicyEntry, ServiceChannel
from tests.factories import make_policy_entry, validation_errors

REFUSED = "链接只能以 https:// 或 http:// 开头。"


def test_a_javascript_source_link_is_refused_in_chinese(fee):
    fee.source_url = "javascript:alert(document.cookie)"
    assert REFUSED in validation_errors(fee)["source_url"]


@pytest.mark.parametrize("url", ["ftp://ybj.example.gov.cn/x.pdf", "data:text/html,<b>x</b>", "JavaScript:alert(1)"])
def test_a_channel_link_other_than_http_is_refused(city, url):
    channel = ServiceChannel(region=city, kind="website", name="网上办事大厅", url=url)
    assert REFUSED in validation_errors(channel)["url"]


def test_https_and_http_links_are_accepted(city):
    make_policy_entry(city, "resident_fee", "400", source_url="https://ybj.example.gov.cn/a.html")
    ServiceChannel(region=city, kind="website", name="网上办事大厅", url="http://ybj.example.gov.cn/").full_clean()


def test_a_javascript_link_written_straight_to_the_table_is_not_rendered(city):
    make_policy_entry(city, "resident_fee", "400", source_url="https://ybj.example.gov.cn/fee.html")
    ServiceChannel.objects.create(region=city, kind="website", name="网上办事大厅", url="https://ybj.example.gov.cn/")
    html = Client().get(city.get_absolute_url()).content.decode()
    assert 'href="https://ybj.example.gov.cn/fee.html"' in html  # both links show, until…
    assert 'href="https://ybj.example.gov.cn/"' in html

    PolicyEntry.objects.update(source_url="javascript:alert(1)")
    ServiceChannel.objects.update(url="javascript:alert(2)")

    html = Client().get(city.get_absolute_url()).content.decode()
    assert "400" in html
    assert "javascript:" not in html
    assert ">原文</a>" not in html
    assert "网上办事大厅" in html and 'href="https://ybj.example.gov.cn/"' not in html

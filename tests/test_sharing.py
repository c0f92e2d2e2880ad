"""Share cards (Open Graph for WeChat and others), icons, and a print stylesheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.reading import get

STATIC = Path(__file__).resolve().parents[1] / "static"


def og(page, prop: str) -> str:
    (meta,) = page.attrs("meta", property=prop)
    return meta["content"]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/nanchang/bujiao-duoshao-qian/", "article"),
        ("/wenda/zhuanyi-zenme-banli/", "article"),
        ("/nanchang/", "website"),
        ("/", "website"),
        ("/topics/bujiao/", "website"),
        ("/nanchang/calculator/", "website"),
    ],
)
def test_every_page_has_a_share_card_with_its_own_title_and_description(client, shared_demo, url, kind):
    page = get(client, url)

    assert og(page, "og:title") == page.title.removesuffix(" · 医保办事指南")
    assert og(page, "og:description") == page.description
    assert og(page, "og:type") == kind
    assert og(page, "og:url") == f"https://yibao.example{url}"
    image = og(page, "og:image")
    assert image.startswith("https://yibao.example/static/")
    assert (STATIC / image.removeprefix("https://yibao.example/static/")).is_file()


def test_an_articles_card_reads_its_question_and_short_answer(client, shared_demo):
    page = get(client, "/nanchang/bujiao-duoshao-qian/")

    assert og(page, "og:title") == page.h1s[0]
    assert og(page, "og:description").startswith(page.description[:20])


def test_pages_link_a_favicon_and_a_touch_icon_that_exist(client, shared_demo):
    page = get(client, "/")
    icons = [link["href"] for link in page.attrs("link") if "icon" in link.get("rel", "")]

    assert any(href.endswith(".svg") for href in icons)
    assert page.attrs("link", rel="apple-touch-icon")[0]["href"] == "/static/img/touch-icon.png"
    for href in icons:
        assert (STATIC / href.removeprefix("/static/")).is_file(), href


def test_the_print_stylesheet_hides_forms_and_navigation():
    css = (STATIC / "css" / "site.css").read_text(encoding="utf-8")
    (block,) = re.findall(r"@media print \{(.*?)\n\}", css, flags=re.S)

    for selector in [".site-header nav", ".search-box", ".feedback", ".estimate-form", ".crumbs"]:
        assert selector in block.split("display: none")[0], selector

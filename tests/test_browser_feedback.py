"""Feedback in real Chromium on a phone: with htmx the section thanks the citizen in place; without
JavaScript the plain form posts and lands back on the article with the thanks; axe finds nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from guides.models import Article, Feedback
from tests.browsing import axe_violations, visit

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def nanchang_article(site) -> Article:
    return Article.objects.published().select_related("region").filter(region__slug="nanchang").order_by("pk").first()


def feedback(page: Page):
    return page.get_by_role("region", name="这个回答有帮助吗？")


def test_a_citizen_on_a_phone_says_a_nanchang_answer_did_not_help_and_is_thanked_in_place(
    site, phone, nanchang_article
):
    url = site + nanchang_article.get_absolute_url()
    visit(phone, site, nanchang_article.get_absolute_url())
    phone.evaluate("window.notReloaded = true")
    section = feedback(phone)
    section.scroll_into_view_if_needed()
    for name in ("有帮助", "没帮助"):
        box = section.get_by_role("button", name=name, exact=True).bounding_box()
        assert box["height"] >= 44, f"{name} is {box['height']}px tall"
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    section.get_by_label("想补充几句吗？（可以不填）").fill("没说要带哪些材料。")
    section.get_by_role("button", name="没帮助", exact=True).tap()

    thanks = section.get_by_role("status")
    expect(thanks).to_have_text("谢谢你的反馈，我们已经收到，会据此改进内容。")
    expect(thanks).to_be_focused()
    assert phone.evaluate("window.notReloaded === true"), "the page was reloaded"
    assert phone.url == url
    row = Feedback.objects.get()
    assert (row.page, row.answer, row.comment) == (nanchang_article.get_absolute_url(), "no", "没说要带哪些材料。")
    assert row.article_id == nanchang_article.pk


def test_a_citizen_reports_a_wrong_figure_on_an_estimate_and_the_answer_on_screen_is_stored(site, phone):
    # A resident with lapsed years (no window question), so every request the form sends (typing,
    # then leaving the field) carries the same fields and the address settles at once.
    case = "region=nanchang&scheme=resident&lapsed_years=2&paid_on=2026-11-20"
    visit(phone, site, "/nanchang/calculator/?" + case)
    phone.get_by_label("断缴了几个整年").fill("3")
    expect(phone).to_have_url(re.compile(r"lapsed_years=3"))
    expect(phone.locator("#estimator h2")).to_have_text("估算结果")

    section = feedback(phone)
    section.get_by_text("报告数字有误").tap()
    section.get_by_label("哪个数字有误？你认为正确的是多少？").fill("居民缴费标准应为 400 元")
    shown = phone.url.removeprefix(site)  # the address follows the answer on screen (hx-push-url)
    section.get_by_role("button", name="提交报告").tap()

    expect(section.get_by_role("status")).to_contain_text("谢谢你的反馈")
    row = Feedback.objects.get()
    assert row.answer == "error"
    assert row.page == shown
    assert "lapsed_years=3" in row.page
    assert row.region.slug == "nanchang"


def test_without_javascript_the_citizen_lands_back_on_the_article_with_the_thanks(site, browser, nanchang_article):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="zh-CN", is_mobile=True)
    try:
        page = visit(context.new_page(), site, nanchang_article.get_absolute_url())
        feedback(page).get_by_role("button", name="有帮助", exact=True).click()

        expect(page).to_have_url(
            re.compile(re.escape(nanchang_article.get_absolute_url()) + r"\?feedback=thanks#feedback$")
        )
        expect(page.get_by_role("heading", level=1)).to_have_text(nanchang_article.title)
        expect(feedback(page).get_by_role("status")).to_have_text("谢谢你的反馈，我们已经收到，会据此改进内容。")
        expect(feedback(page).get_by_role("button")).to_have_count(0)
    finally:
        context.close()
    row = Feedback.objects.get()
    assert (row.answer, row.comment, row.article_id) == ("yes", "", nanchang_article.pk)


def test_an_article_with_its_feedback_section_has_no_accessibility_violations(site, phone, nanchang_article):
    visit(phone, site, nanchang_article.get_absolute_url())
    feedback(phone).get_by_text("报告数字有误").tap()  # the report form open, so axe sees it too
    expect(feedback(phone).get_by_label("哪个数字有误？你认为正确的是多少？")).to_be_visible()

    assert axe_violations(phone) == [], f"axe on {phone.url}"

    feedback(phone).get_by_role("button", name="有帮助", exact=True).tap()
    expect(feedback(phone).get_by_role("status")).to_be_visible()
    assert axe_violations(phone) == [], "axe after the thanks"


def test_the_page_that_asks_to_correct_a_comment_has_no_accessibility_violations(site, phone, nanchang_article):
    """Without htmx (its script blocked) the form posts plainly; an over-long comment comes back on
    the small Chinese page with the message beside the text, which axe checks."""
    phone.route(re.compile(r".*/htmx-2(\.min)?\.js$"), lambda route: route.abort())
    visit(phone, site, nanchang_article.get_absolute_url())
    too_long = "太长" * 251
    comment = feedback(phone).get_by_label("想补充几句吗？（可以不填）")
    comment.evaluate("(box, text) => { box.value = text }", too_long)  # as a script could, past maxlength
    feedback(phone).get_by_role("button", name="没帮助", exact=True).click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("反馈还没有提交")
    expect(phone.locator("#feedback-comment-error")).to_contain_text("留言最多 500 个字")
    expect(comment).to_have_value(too_long)
    expect(comment).to_be_focused()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(phone) == [], f"axe on {phone.url}"
    assert not Feedback.objects.exists()

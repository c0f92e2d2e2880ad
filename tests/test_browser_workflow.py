"""The whole review flow in real Chromium, as two people would do it, at desktop and phone width:
an 编辑 edits a published article and a published figure and submits them; the 审核 sends the
article back with a comment; the 编辑 fixes it and submits again; the 审核 approves both; the
public sees the new answer and figure only then."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from guides.models import Article, Region
from tests.browsing import TIMEOUT_MS, field, scroll_width
from tests.factories import make_article, make_policy_entry, make_region, make_staff

pytestmark = pytest.mark.browser

PASSWORD = "Liucheng-2026-mima"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def flow_site(transactional_db, live_server) -> str:
    national = make_region("national", name="全国", kind=Region.NATIONAL)
    city = make_region("nanchang", name="南昌", parent=national)
    make_policy_entry(national, "resident_fee", "400", source_title="2026年度居民医保缴费通知")
    make_article(
        city,
        slug="jiaofei",
        title="南昌居民医保交多少钱？",
        short_answer="按全国标准交。",
        body="每年 {{ resident_fee }}。",
    )
    for name, group in (("xiaowang", "编辑"), ("laoli", "审核")):
        user = make_staff(group, name)
        user.set_password(PASSWORD)
        user.save()
    return live_server.url


def person(browser, size: str, site: str, username: str) -> Page:
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN", is_mobile=size == "phone")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(site + "/admin/login/?next=/admin/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    return page


def open_item(page: Page, title: str) -> None:
    page.locator("#dashboard").get_by_role("link", name=title).first.click()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_editor_and_reviewer_take_an_edit_from_draft_to_public(flow_site, browser, size):
    site = flow_site
    editor = person(browser, size, site, "xiaowang")
    reviewer = person(browser, size, site, "laoli")
    citizen = browser.new_page()
    article = Article.objects.get(slug="jiaofei")

    # 编辑: edit the published article and the published figure, submit both.
    editor.goto(f"{site}/admin/guides/article/{article.pk}/change/")
    expect(editor.get_by_text("这条内容已经发布")).to_be_visible()
    field(editor, "简短回答").fill("2026年每人每年交的钱见下面。")
    editor.get_by_role("button", name="保存并提交审核").click()
    expect(editor.get_by_text("已保存并提交审核")).to_be_visible()
    editor.goto(f"{site}/admin/guides/policyentry/")
    editor.get_by_role("link", name="全国 · 城乡居民医保个人缴费标准").first.click()
    field(editor, "数值").fill("420")
    editor.get_by_role("button", name="保存并提交审核").click()
    expect(editor.get_by_text("已保存并提交审核")).to_be_visible()
    citizen.goto(f"{site}/nanchang/jiaofei/")
    expect(citizen.locator("main")).to_contain_text("按全国标准交。")
    expect(citizen.locator("main")).not_to_contain_text("420")

    # 审核: both wait on the dashboard; the article goes back with a comment.
    reviewer.goto(f"{site}/admin/")
    expect(reviewer.locator("#dashboard")).to_contain_text("等我审核（2）")
    open_item(reviewer, "南昌居民医保交多少钱？")
    expect(reviewer.locator(".field-changes")).to_contain_text("2026年每人每年交的钱见下面。")
    reviewer.get_by_label("意见").fill("请直接写出金额的出处。")
    reviewer.get_by_role("button", name="退回修改").click()
    expect(reviewer.get_by_text("已退回给编辑")).to_be_visible()

    # 编辑: sees the comment on the dashboard's drafts, fixes, submits again.
    editor.goto(f"{site}/admin/")
    expect(editor.locator("#dashboard")).to_contain_text("我的草稿（1）")
    open_item(editor, "南昌居民医保交多少钱？")
    expect(editor.get_by_text("请直接写出金额的出处。")).to_be_visible()
    editor.get_by_role("link", name="打开编辑页面").click()
    expect(field(editor, "简短回答")).to_have_value("2026年每人每年交的钱见下面。")  # the pending version
    field(editor, "简短回答").fill("每人每年交的钱见下面，出处是缴费通知。")
    editor.get_by_role("button", name="保存并提交审核").click()
    expect(editor.get_by_text("已保存并提交审核")).to_be_visible()
    assert scroll_width(editor) <= SIZES[size]["width"]

    # 审核: approves both (the figure checked against its document).
    reviewer.goto(f"{site}/admin/")
    open_item(reviewer, "南昌居民医保交多少钱？")
    reviewer.get_by_role("button", name="审核通过并发布").click()
    expect(reviewer.get_by_text("已审核通过并发布")).to_be_visible()
    reviewer.goto(f"{site}/admin/")
    open_item(reviewer, "全国 · 城乡居民医保个人缴费标准")
    reviewer.get_by_label("我已对照来源文件核实了这个数值", exact=False).check()
    reviewer.get_by_role("button", name="审核通过并发布").click()
    expect(reviewer.get_by_text("已审核通过并发布")).to_be_visible()

    # The public sees both now.
    citizen.goto(f"{site}/nanchang/jiaofei/")
    expect(citizen.locator("main")).to_contain_text("每人每年交的钱见下面，出处是缴费通知。")
    expect(citizen.locator("main")).to_contain_text("420")
    for page in (editor, reviewer, citizen):
        page.context.close()

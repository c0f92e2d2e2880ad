"""The editorial flow in real Chromium: write a question, watch the live preview, preview, publish.

Runs against `live_server` with the demo content, logged in through the real login form as a
member of 审核 (the group comes from migration 0002).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from guides.models import Article
from tests.browsing import STAFF_PASSWORD, field

pytestmark = pytest.mark.browser

TIMEOUT_MS = 8_000
TITLE = "南昌居民医保一年交多少钱？"


def log_in(page: Page, site: str) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(site + "/admin/login/?next=/admin/")
    page.get_by_label("用户名").fill("laoli")
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()


def test_it_writes_previews_and_publishes_a_question(staff_site, desktop):
    page = desktop
    log_in(page, staff_site)

    page.locator("#content-main").get_by_role("link", name="问答文章").click()
    page.get_by_role("link", name="增加 问答文章").click()
    field(page, "问题").fill(TITLE)
    field(page, "网址名").fill("jumin-yinian-duoshao")
    field(page, "地区").select_option(label="南昌")
    field(page, "简短回答").fill("2026 年南昌居民医保每人每年 400 元。")
    expect(field(page, "状态")).to_have_value("draft")

    # The live preview updates in place as the body is typed: no reload (the marker survives).
    page.evaluate("window.notReloaded = true")
    page.locator("#id_body").press_sequentially("## 交多少\n\n每年 {{ resident_fee }}，按年缴纳。")
    preview = page.locator("#md-preview")
    expect(preview).to_contain_text("每年 400 元/年")
    expect(preview).to_contain_text("按“南昌”的现行数据显示")
    expect(preview.get_by_role("heading", name="交多少")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("button", name="保存并继续编辑").click()
    expect(page.locator(".messagelist")).to_contain_text("成功添加了 问答文章")
    article = Article.objects.get(slug="jumin-yinian-duoshao")
    assert (article.status, article.title) == (Article.DRAFT, TITLE)
    assert page.request.get(staff_site + "/nanchang/jumin-yinian-duoshao/").status == 404

    page.get_by_role("link", name="预览（手机和电脑）").click()
    for frame_title in ("手机宽度预览", "电脑宽度预览"):
        frame = page.frame_locator(f'iframe[title="{frame_title}"]')
        expect(frame.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(frame.locator(".preview-banner")).to_contain_text("还没有发布")
    page.get_by_role("button", name="生成新的预览链接").click()
    share = page.locator("#share").input_value()
    assert re.fullmatch(re.escape(staff_site) + r"/preview/[^/]+/", share)

    page.get_by_role("link", name=TITLE).click()
    field(page, "状态").select_option(label="已发布")
    published = page.locator(".field-published_at")
    published.get_by_text("今天", exact=True).click()
    published.get_by_text("现在", exact=True).click()
    expect(page.locator("#id_published_at_0")).to_have_value(re.compile(r"\d{4}"))
    expect(page.locator("#id_published_at_1")).to_have_value(re.compile(r"\d{1,2}:\d{2}"))
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("成功修改了 问答文章")

    public = page.context.new_page()
    public.goto(staff_site + "/nanchang/jumin-yinian-duoshao/")
    expect(public.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(public.locator(".short-answer")).to_contain_text("每人每年 400 元")
    expect(public.locator(".body")).to_contain_text("每年 400 元/年")
    expect(public.locator(".preview-banner")).to_have_count(0)
    article.refresh_from_db()
    assert article.status == Article.PUBLISHED
    assert abs(article.published_at - timezone.now()) < datetime.timedelta(minutes=2)
    assert article.history.count() == 2

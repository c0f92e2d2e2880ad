"""The admin on a 390 px phone and a 1280 px laptop, and the unsaved-changes warning, in real Chromium.

Content staff sign in with a session cookie made by Django's test client (the login form has its own
browser test). Measured before these styles (demo content): at 390 px the editor's live preview ran
to x=498 (cut off by Django's `.form-row { overflow: hidden }`); at 1280 px article titles were 47 px
wide and the figure list's status and source columns lay beyond its 631 px box. After: titles
~240 px, and all ten figure columns in an ~800 px box. See static/guides/admin.css.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Page, expect

from guides.models import Article, PolicyEntry, Region
from tests.browsing import scroll_width, visit
from tests.factories import make_article, make_region

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Elements that reach past the viewport, or past an ancestor that cuts them off (overflow hidden or
# clip), and so cannot be seen. Whatever lies inside its own scrolling box (a wide table) is fine,
# as long as that box fits.
CUT_OFF = """() => {
  const width = document.documentElement.clientWidth;
  const cut = [];
  for (const el of document.querySelectorAll("#content *")) {
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;
    let limit = width, ancestor = el.parentElement, scrolls = false;
    for (; ancestor && ancestor !== document.body; ancestor = ancestor.parentElement) {
      const overflow = getComputedStyle(ancestor).overflowX;
      if (overflow === "auto" || overflow === "scroll") { scrolls = true; break; }
      if (overflow === "hidden" || overflow === "clip") {
        limit = Math.min(limit, ancestor.getBoundingClientRect().right);
      }
    }
    if (!scrolls && box.right > limit + 2) {
      cut.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
               (el.className && el.className.baseVal === undefined ? "." + el.className.trim().split(/\\s+/).join(".") : "") +
               " right=" + Math.round(box.right) + " limit=" + Math.round(limit));
    }
  }
  return cut.slice(0, 8);
}"""


def sign_in(page: Page, site: str, user: User) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}])


def boss() -> User:
    return User.objects.create_superuser("zhuren", password="unused-in-this-test")


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not on the page"
    return found


def right(page: Page, selector: str) -> float:
    found = box(page, selector)
    return found["x"] + found["width"]


def assert_fits(page: Page, width: int) -> None:
    assert scroll_width(page) <= width, f"{page.url} scrolls sideways: {scroll_width(page)} px"
    cut = page.evaluate(CUT_OFF)
    assert cut == [], f"{page.url} cuts content off: {cut}"


def test_the_editor_lists_and_board_fit_a_phone(site, phone):
    page = phone
    page.set_viewport_size(PHONE)
    sign_in(page, site, boss())
    article = Article.objects.order_by("pk").first()

    visit(page, site, f"/admin/guides/article/{article.pk}/change/")
    expect(page.locator("#md-preview")).not_to_contain_text("正在生成预览")
    assert_fits(page, 390)
    assert right(page, "#md-preview") <= 390 - 15
    assert right(page, "#id_body") <= 390 - 15
    # The long token list waits behind its summary on a phone; opened, it fits and a tap inserts.
    tokens = page.locator("details.tokens")
    expect(tokens).not_to_have_attribute("open", "")
    tokens.locator("summary").click()
    assert_fits(page, 390)
    assert right(page, ".token-list") <= 390 - 15
    body = page.locator("#id_body")
    body.fill("每年 ")
    page.locator(".token-list code[data-token='{{ resident_fee }}']").click()
    expect(body).to_have_value("每年 {{ resident_fee }}")
    submit = page.get_by_role("button", name="保存", exact=True)
    submit.scroll_into_view_if_needed()
    assert right(page, ".submit-row input[name='_save']") <= 390

    visit(page, site, f"/admin/guides/article/{article.pk}/preview/")
    page.get_by_role("button", name="生成新的预览链接").click()
    expect(page.locator("#share")).to_be_visible()
    assert_fits(page, 390)
    assert right(page, "#share") <= 390 - 15
    assert right(page, "iframe[title='手机宽度预览']") <= 390

    figure = PolicyEntry.objects.order_by("pk").first()
    for path in (
        f"/admin/guides/policyentry/{figure.pk}/change/",
        "/admin/guides/article/",
        "/admin/guides/policyentry/",
        "/admin/guides/freshness/",
    ):
        visit(page, site, path)
        assert_fits(page, 390)
    # The figure list scrolls inside its own box, and its first figure opens with one tap.
    visit(page, site, "/admin/guides/policyentry/")
    assert right(page, "#changelist-form .results") <= 390
    page.locator("#result_list tbody tr").first.get_by_role("link").first.click()
    expect(page.locator(".submit-row input[name='_save']")).to_be_visible()


def test_lists_show_whole_titles_and_every_figure_column_at_1280(site, desktop):
    page = desktop
    sign_in(page, site, boss())

    visit(page, site, "/admin/guides/article/")
    assert_fits(page, 1280)
    title = box(page, "#result_list thead th.column-title")
    assert title["width"] >= 200, f"article titles squeezed to {title['width']} px"
    assert right(page, "#result_list") <= right(page, "#changelist-form .results") + 1

    visit(page, site, "/admin/guides/policyentry/")
    assert_fits(page, 1280)
    results = right(page, "#changelist-form .results")
    for column in ("status", "state", "verified_on", "source_title"):
        assert right(page, f"#result_list thead th.column-{column}") <= results + 1, f"{column} is out of sight"

    article = Article.objects.order_by("pk").first()
    visit(page, site, f"/admin/guides/article/{article.pk}/change/")
    expect(page.locator("#md-preview")).not_to_contain_text("正在生成预览")
    assert_fits(page, 1280)
    body, preview = box(page, "#id_body"), box(page, "#md-preview")
    assert preview["x"] >= body["x"] + body["width"], "the live preview is beside the body"


@pytest.fixture
def draft_site(transactional_db, live_server) -> str:
    """A small world for the warning: one city, one draft (no demo content needed)."""
    city = make_region("nanchang", name="南昌", parent=make_region("national", name="全国", kind=Region.NATIONAL))
    make_article(city, "caogao", title="草稿问题？", status=Article.DRAFT, body="正文。")
    return live_server.url


def leave(page: Page, site: str) -> list[str]:
    """Goes to the admin's article list; returns the dialogs the browser raised on the way (accepted)."""
    raised: list[str] = []

    def answer(dialog) -> None:
        raised.append(dialog.type)
        dialog.accept()

    page.on("dialog", answer)
    page.goto(site + "/admin/guides/article/")
    page.remove_listener("dialog", answer)
    return raised


def test_it_warns_before_leaving_a_form_with_unsaved_edits(draft_site, desktop):
    page = desktop
    sign_in(page, draft_site, boss())
    article = Article.objects.get(slug="caogao")
    change = f"/admin/guides/article/{article.pk}/change/"

    # Opened and left untouched: no warning.
    visit(page, draft_site, change)
    page.locator("#id_title").click()
    assert leave(page, draft_site) == []

    # Typed and changed back: nothing to lose, no warning.
    visit(page, draft_site, change)
    page.locator("#id_title").fill("改过的问题？")
    page.locator("#id_title").fill("草稿问题？")
    assert leave(page, draft_site) == []

    # Edited: the browser asks; staying keeps the text on screen.
    visit(page, draft_site, change)
    page.locator("#id_short_answer").fill("新写的简短回答。")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("link", name="问答文章").first.click()
    page.wait_for_timeout(300)
    assert page.url.endswith(change)
    expect(page.locator("#id_short_answer")).to_have_value("新写的简短回答。")
    assert leave(page, draft_site) == ["beforeunload"]

    # Saved: no warning on the way out.
    visit(page, draft_site, change)
    page.locator("#id_short_answer").fill("保存的简短回答。")
    raised: list[str] = []
    page.on("dialog", lambda dialog: (raised.append(dialog.type), dialog.accept()))
    page.get_by_role("button", name="保存并继续编辑").click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert raised == []
    article.refresh_from_db()
    assert article.short_answer == "保存的简短回答。"

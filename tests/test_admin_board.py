"""The content board as a to-do list: only real changes of value, human-readable values, grouped by
what to do, short groups with a link to the rest, and a fixed number of queries."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guides.admin.board import articles_to_rereview, figures_overdue, figures_unverified
from guides.models import Article, Feedback, PolicyEntry, Region
from tests.admin_forms import (
    BOARD,
    board_group,
)
from tests.factories import make_article, make_policy_entry, make_region
from tests.factories import make_staff as staff
from tests.reading import text_of

D = datetime.date
TODAY = timezone.localdate

GROUPS = [
    "重新审核这些问答（数字变了）",
    "重新核实这些数字（超过",
    "核实这些待核实的数字",
    "即将生效的新数字",
    "定时发布和下线",
    "读者报告的错误",
    "可以恢复的已删除内容",
]


def headings(response) -> list[str]:
    return [text_of(h) for h in re.findall(r"<h2>(.*?)</h2>", response.content.decode(), re.S)]


@pytest.fixture
def reviewer(db) -> Client:
    client = Client()
    client.force_login(staff("审核", "laoli"))
    return client


@pytest.fixture
def city(db) -> Region:
    national = make_region("national", name="全国", kind=Region.NATIONAL)
    province = make_region("jiangxi", name="江西省", kind=Region.PROVINCE, parent=national)
    return make_region("nanchang", name="南昌", parent=province)


def snapshot(*entries: PolicyEntry) -> dict:
    return {e.key: {"value": e.value, "entry": e.pk} for e in entries}


def reviewed_article(city: Region, body: str, *entries: PolicyEntry, **fields) -> Article:
    article = make_article(city, body=body, **fields)
    Article.objects.filter(pk=article.pk).update(reviewed_figures=snapshot(*entries))
    article.refresh_from_db()
    return article


def change(entry: PolicyEntry, **fields) -> None:
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.full_clean()
    entry.save()


# --------------------------------------------------------------------------------------------
# 重新审核这些问答（数字变了）


def test_it_asks_to_review_an_article_again_when_a_figure_it_shows_changed_value(reviewer, city):
    fee = make_policy_entry(city, "resident_fee", "400")
    article = reviewed_article(city, "每年 {{ resident_fee }}。", fee, title="居民医保交多少？")

    change(fee, value="410")

    box = text_of(board_group(reviewer.get(BOARD), GROUPS[0]))
    assert "重新审核这些问答（数字变了）：1 篇" in box
    assert article.title in box
    assert "城乡居民医保个人缴费标准：400 元/年 → 410 元/年" in box


def test_it_does_not_flag_a_figure_saved_again_with_the_same_value(reviewer, city):
    fee = make_policy_entry(city, "resident_fee", "400")
    article = reviewed_article(city, "每年 {{ resident_fee }}。", fee, title="居民医保交多少？")

    change(fee, value="400.00", source_title="重新核实过的文件", verified_on=TODAY())

    box = text_of(board_group(reviewer.get(BOARD), GROUPS[0]))
    assert article.title not in box
    assert "：0 篇" in box


def test_it_does_not_flag_a_new_period_with_the_same_value(reviewer, city):
    old = make_policy_entry(city, "flexible_rate", "8", effective_from=D(2020, 1, 1), effective_to=D(2025, 12, 31))
    reviewed_article(city, "比例 {{ flexible_rate }}。", old, title="灵活就业比例？")
    make_policy_entry(city, "flexible_rate", "8.0", effective_from=D(2026, 1, 1))

    assert articles_to_rereview(TODAY()).total == 0


def test_it_compares_an_article_approved_before_snapshots_with_the_figures_on_its_review_day(reviewer, city):
    make_policy_entry(city, "flexible_rate", "7", effective_from=D(2020, 1, 1), effective_to=D(2025, 12, 31))
    make_policy_entry(city, "flexible_rate", "8", effective_from=D(2026, 1, 1))
    before = make_article(city, body="比例 {{ flexible_rate }}。", title="去年审核的？", reviewed_on=D(2025, 6, 1))
    after = make_article(city, body="比例 {{ flexible_rate }}。", title="今年审核的？", reviewed_on=D(2026, 2, 1))
    assert before.reviewed_figures == {} and after.reviewed_figures == {}

    box = text_of(board_group(reviewer.get(BOARD), GROUPS[0]))

    assert before.title in box and "7% → 8%" in box and "2025年6月1日" in box
    assert after.title not in box


def test_it_flags_a_city_figure_that_replaces_the_inherited_one_with_another_value(reviewer, city):
    province = city.parent
    inherited = make_policy_entry(province, "flexible_rate", "7")
    reviewed_article(city, "比例 {{ flexible_rate }}。", inherited, title="南昌灵活就业比例？")

    make_policy_entry(city, "flexible_rate", "8", effective_from=D(2026, 1, 1))

    [row] = articles_to_rereview(TODAY()).items
    assert [(c.old_display, c.new_display) for c in row.changes] == [("7%", "8%")]


def test_it_shows_values_as_the_site_does_never_raw(reviewer, city):
    late = make_policy_entry(city, "individual_late_fee", "false")
    rate = make_policy_entry(city, "employee_employer_rate", "6.8")
    day = make_policy_entry(city, "newborn_free_born_from", "2025-01-01")
    reviewed_article(
        city, "{{ individual_late_fee }} {{ employee_employer_rate }} {{ newborn_free_born_from }}", late, rate, day
    )
    change(late, value="true")
    change(rate, value="7.5")
    change(day, value="2026-01-01", status=PolicyEntry.UNVERIFIED)

    response = reviewer.get(BOARD)

    box = text_of(board_group(response, GROUPS[0]))
    assert "个人补缴是否收滞纳金：否 → 是" in box
    assert "职工医保单位缴费比例：6.8% → 7.5%" in box
    assert "2025年1月1日 → 2026年1月1日" in box
    unverified = text_of(board_group(response, GROUPS[2]))
    assert "2026年1月1日" in unverified and "2026-01-01" not in unverified
    assert "false" not in text_of(response.content.decode()) and "true" not in text_of(response.content.decode())


def test_it_names_a_figure_that_appeared_or_disappeared_since_the_review(reviewer, city):
    fee = make_policy_entry(city, "resident_fee", "400")
    reviewed_article(city, "{{ resident_fee }} {{ flexible_rate }}", fee, title="两个数字？")
    make_policy_entry(city, "flexible_rate", "8")
    fee.delete()

    box = text_of(board_group(reviewer.get(BOARD), GROUPS[0]))

    assert "城乡居民医保个人缴费标准：400 元/年 → （没有数据）" in box
    assert "灵活就业人员医保缴费比例：（没有数据） → 8%" in box


def test_it_leaves_out_drafts_and_articles_taken_down(reviewer, city):
    fee = make_policy_entry(city, "resident_fee", "400")
    draft = reviewed_article(city, "{{ resident_fee }}", fee, title="草稿？", status=Article.DRAFT)
    down = reviewed_article(
        city, "{{ resident_fee }}", fee, title="下线了？", unpublish_at=timezone.now() - datetime.timedelta(hours=1)
    )
    change(fee, value="410")

    box = text_of(board_group(reviewer.get(BOARD), GROUPS[0]))

    assert draft.title not in box and down.title not in box


# --------------------------------------------------------------------------------------------
# Groups, order, compactness


def test_it_groups_the_board_by_what_to_do_in_order(reviewer, city, settings):
    settings.FIGURE_MAX_AGE_DAYS = 365

    found = [h for h in headings(reviewer.get(BOARD)) if h.startswith(tuple(GROUPS))]

    assert len(found) == len(GROUPS)
    assert all(h.startswith(g) for h, g in zip(found, GROUPS, strict=True))
    assert found[1] == "重新核实这些数字（超过 365 天没核实）：0 条"
    assert all(re.search(r"：\d+ (篇|条|天|项|个页面)$", h) for h in found)


def test_it_shows_at_most_ten_rows_and_links_to_the_rest(reviewer, city):
    keys = [
        "flexible_rate", "employee_employer_rate", "employee_personal_rate", "late_fee_daily_pct",
        "base_floor_pct", "base_ceiling_pct", "contribution_due_day", "transfer_gap_months",
        "transfer_max_wait_months", "transfer_origin_days", "transfer_destination_days", "switch_min_years",
    ]  # fmt: skip
    values = {"base_ceiling_pct": "300", "contribution_due_day": "15", "late_fee_daily_pct": "0.05"}
    for key in keys:
        make_policy_entry(city, key, values.get(key, "5"), status=PolicyEntry.UNVERIFIED)

    response = reviewer.get(BOARD)

    box = board_group(response, GROUPS[2])
    assert "核实这些待核实的数字：12 条" in text_of(box)
    assert len(re.findall(r"<tr><td>", box)) == 10
    more = re.search(r'<a href="([^"]+)">还有 2 条 →</a>', box)
    assert more, box
    url = unescape(more.group(1))
    assert "status__exact=unverified" in url and "in_force=now" in url
    listing = reviewer.get(url)
    assert listing.status_code == 200  # an admin list refusing the filter would redirect to ?e=1
    assert listing.content.decode().count('class="action-select"') == 12


def test_it_lists_overdue_figures_with_their_human_value(reviewer, city, settings):
    settings.FIGURE_MAX_AGE_DAYS = 365
    old = make_policy_entry(city, "late_fee_daily_pct", "0.05", verified_on=TODAY() - datetime.timedelta(days=400))
    make_policy_entry(city, "flexible_rate", "8", verified_on=TODAY() - datetime.timedelta(days=30))

    rows = figures_overdue(TODAY())
    box = text_of(board_group(reviewer.get(BOARD), GROUPS[1]))

    assert [e.pk for e in rows.items] == [old.pk]
    assert "南昌 · 滞纳金日费率 0.05%" in box
    assert "灵活就业" not in box


def test_it_leaves_unapproved_figures_to_the_review_workflow(reviewer, city):
    make_policy_entry(city, "flexible_rate", "8", status=PolicyEntry.UNVERIFIED, state=PolicyEntry.DRAFT)

    assert figures_unverified(TODAY()).total == 0


def test_it_links_each_upcoming_change_day_to_the_changes_page(reviewer, city):
    make_policy_entry(city, "flexible_rate", "8", effective_from=D(2020, 1, 1))
    make_policy_entry(city, "flexible_rate", "9", effective_from=D(2027, 1, 1), state=PolicyEntry.REVIEW)
    make_policy_entry(city, "late_fee_daily_pct", "0.04", effective_from=D(2027, 1, 1))

    box = board_group(reviewer.get(BOARD), GROUPS[3])

    assert "即将生效的新数字：1 天" in text_of(box)
    assert 'href="/admin/guides/changes/?on=2027-01-01"' in box
    assert "2027年1月1日 2 个数字，其中 1 个待审核" in text_of(box)


def test_it_lists_scheduled_publishing_and_taking_down_in_time_order(reviewer, city):
    now = timezone.now()
    up = make_article(city, title="下周发布？", published_at=now + datetime.timedelta(days=7))
    down = make_article(city, title="明天下线？", unpublish_at=now + datetime.timedelta(days=1))

    box = text_of(board_group(reviewer.get(BOARD), GROUPS[4]))

    assert "定时发布和下线：2 项" in box
    assert box.index(down.title) < box.index(up.title)
    local = timezone.localtime(up.published_at)
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M} 发布" in box


def test_it_keeps_readers_error_reports_on_the_board(reviewer, city):
    article = make_article(city, title="报错的问题？")
    for _ in range(2):
        Feedback.objects.create(page="/nanchang/x/", answer=Feedback.ERROR, article=article, region=city)

    box = text_of(board_group(reviewer.get(BOARD), GROUPS[5]))

    assert "读者报告的错误：1 个页面" in box and article.title in box and "2 条" in box


def test_it_shows_every_deleted_item_on_request_and_refuses_an_unknown_group(reviewer, city):
    for n in range(12):
        make_article(city, title=f"删掉的问题{n}？").delete()

    short = board_group(reviewer.get(BOARD), GROUPS[6])
    full = board_group(reviewer.get(BOARD + "?show=deleted"), GROUPS[6])
    odd = reviewer.get(BOARD + "?show=nothing")

    assert len(re.findall(r"<tr><td>", short)) == 10 and "还有 2 条 →" in text_of(short)
    assert len(re.findall(r"<tr><td>", full)) == 12 and "还有" not in text_of(full)
    assert odd.status_code == 200 and "没有这一组内容" in text_of(odd.content.decode())


def test_it_refuses_staff_who_may_not_see_figures(city):
    client = Client()
    client.force_login(User.objects.create(username="other", is_staff=True))

    assert client.get(BOARD).status_code == 403


# --------------------------------------------------------------------------------------------
# Queries and the demo


def fill(city: Region, n: int) -> None:
    """n of everything the board lists."""
    now = timezone.now()
    old = TODAY() - datetime.timedelta(days=800)
    values = {"flexible_rate": "5", "employee_employer_rate": "5", "employee_personal_rate": "2"}
    for i in range(n):
        place = make_region(f"city-{n}-{i}", name=f"城市{n}-{i}", parent=city.parent)
        for key, value in values.items():
            make_policy_entry(place, key, value, verified_on=old, status=PolicyEntry.UNVERIFIED)
        late = make_policy_entry(place, "late_fee_daily_pct", "0.05", verified_on=old)
        make_policy_entry(place, "flexible_rate", "6", effective_from=D(2027, 1, 1 + i % 20), state=PolicyEntry.REVIEW)
        article = reviewed_article(place, "{{ flexible_rate }} {{ late_fee_daily_pct }}", late, title=f"问题{i}？")
        change(late, value="0.06")
        make_article(place, title=f"定时{i}？", published_at=now + datetime.timedelta(days=i + 1))
        Feedback.objects.create(page=f"/x{i}/", answer=Feedback.ERROR, article=article, region=place)
        make_article(place, title=f"删掉{i}？").delete()


def test_it_reads_the_same_number_of_queries_however_much_there_is(reviewer, city, django_assert_num_queries):
    fill(city, 2)
    reviewer.get(BOARD)  # the session and permissions are read once either way
    with CaptureQueriesContext(connection) as small:
        assert reviewer.get(BOARD).status_code == 200

    fill(city, 14)
    with django_assert_num_queries(len(small.captured_queries)):
        response = reviewer.get(BOARD)

    assert "重新审核这些问答（数字变了）：16 篇" in text_of(response.content.decode())
    assert "还有 6 条 →" in text_of(board_group(response, GROUPS[0]))


@pytest.mark.django_db
def test_it_flags_nothing_after_loading_the_demo(demo):
    client = Client()
    client.force_login(staff("审核", "laoli"))

    response = client.get(BOARD)

    assert articles_to_rereview(TODAY()).total == 0
    assert "重新审核这些问答（数字变了）：0 篇" in text_of(response.content.decode())


# --------------------------------------------------------------------------------------------
# In a real browser: compact at 1280 px, no sideways scrolling at 390 px


@pytest.mark.browser
def test_the_board_is_short_on_a_laptop_and_fits_a_phone(site, browser):
    from tests.browsing import scroll_width, visit

    User.objects.create_superuser("boss", password="Gongzuotai-2026")
    heights = {}
    for width in (1280, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        page = visit(context.new_page(), site, "/admin/login/?next=/admin/guides/freshness/")
        page.get_by_label("用户名").fill("boss")
        page.get_by_label("密码").fill("Gongzuotai-2026")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/admin/guides/freshness/")
        assert page.get_by_role("heading", name=re.compile("^重新审核这些问答")).is_visible()
        heights[width] = page.evaluate("document.documentElement.scrollHeight")
        assert scroll_width(page) <= width, f"the board scrolls sideways at {width} px"
        visit(page, site, "/admin/guides/changes/?on=2027-01-01")
        assert scroll_width(page) <= width, f"the changes page scrolls sideways at {width} px"
        context.close()

    assert heights[1280] < 2000, heights


# --------------------------------------------------------------------------------------------
# Migration 0006: existing articles get the values in force today as their reviewed values


def test_the_backfill_records_todays_values_for_articles_without_a_record(city):
    from importlib import import_module

    from django.apps import apps

    backfill = import_module("guides.migrations.0006_backfill_reviewed_figures").backfill
    inherited = make_policy_entry(city.parent, "flexible_rate", "7")
    own = make_policy_entry(city, "late_fee_daily_pct", "0.05")
    make_policy_entry(city, "flexible_rate", "9", effective_from=D(2099, 1, 1), state=PolicyEntry.REVIEW)
    make_policy_entry(city, "resident_fee", "400", state=PolicyEntry.DRAFT)
    fresh = make_article(city, body="{{ flexible_rate }} {{ late_fee_daily_pct }} {{ resident_fee }}")
    kept = reviewed_article(city, "{{ late_fee_daily_pct }}", own)
    Article.objects.filter(pk=kept.pk).update(reviewed_figures={"late_fee_daily_pct": {"value": "0.04", "entry": 1}})

    backfill(apps, None)

    fresh.refresh_from_db()
    kept.refresh_from_db()
    assert fresh.reviewed_figures == {
        "flexible_rate": {"value": "7", "entry": inherited.pk},
        "late_fee_daily_pct": {"value": "0.05", "entry": own.pk},
    }
    assert kept.reviewed_figures == {"late_fee_daily_pct": {"value": "0.04", "entry": 1}}
    assert [row.article for row in articles_to_rereview(TODAY()).items] == [kept]


# --------------------------------------------------------------------------------------------
# Figures not verified for too long, on the board and on the public page


def test_it_lists_a_figure_not_verified_for_too_long_and_warns_the_public(reviewer, city, settings):
    settings.FIGURE_MAX_AGE_DAYS = 365
    old = make_policy_entry(city, "resident_fee", "390", verified_on=TODAY() - datetime.timedelta(days=400))
    fresh = make_policy_entry(city, "avg_wage", "8000", verified_on=TODAY() - datetime.timedelta(days=300))

    board = reviewer.get(BOARD)

    overdue = board_group(board, "重新核实这些数字（超过 365 天没核实）")
    assert str(old) in text_of(overdue) and f"/admin/guides/policyentry/{old.pk}/change/" in overdue
    assert str(fresh) not in text_of(overdue)
    guide = reviewer.get("/nanchang/").content.decode()
    assert "可能已过期" in figure_on_guide(guide, "resident_fee")
    assert "可能已过期" not in figure_on_guide(guide, "avg_wage")


def figure_on_guide(html: str, key: str) -> str:
    """What the region guide's list of figures reads for one figure."""
    found = re.search(rf'<div class="figure" id="figure-{key}">(.*?)</div>', html, re.S)
    assert found, f"{key} is not on the guide"
    return text_of(found.group(1))

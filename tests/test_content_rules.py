"""The content rules each have one home: article liveness (`Article.public_state` and `published()`),
the figure fallback (`nearest_in_force`) and the overdue cutoff (`overdue_cutoff`). These tests hold
the Python and query forms of each rule to the same answers."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from guides.models import Article, PolicyEntry, Region, nearest_in_force, overdue_cutoff

from .factories import make_article, make_policy_entry, make_region

NOW = timezone.now()
HOUR = datetime.timedelta(hours=1)

SCHEDULES = {
    "draft": ({"status": Article.DRAFT}, Article.DRAFT),
    "in review": ({"status": Article.REVIEW}, Article.REVIEW),
    "live": ({"published_at": NOW - HOUR}, Article.LIVE),
    "scheduled": ({"published_at": NOW + HOUR}, Article.SCHEDULED),
    "taken down": ({"published_at": NOW - 2 * HOUR, "unpublish_at": NOW - HOUR}, Article.TAKEN_DOWN),
    "to be taken down": ({"published_at": NOW - 2 * HOUR, "unpublish_at": NOW + HOUR}, Article.LIVE),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_an_article_is_live_by_the_same_rule_on_the_page_and_in_the_query(db, name):
    fields, state = SCHEDULES[name]
    article = make_article(make_region(), **fields)

    assert article.public_state(NOW) == state
    assert article.is_live(NOW) == (state == Article.LIVE)
    assert Article.objects.published(NOW).filter(pk=article.pk).exists() == (state == Article.LIVE)


def test_the_admin_names_an_approved_articles_public_state(db):
    from guides.admin.articles import ArticleAdmin

    label = ArticleAdmin.status_label
    assert label(None, make_article(make_region(), published_at=timezone.now() + HOUR)) == "定时发布"
    assert label(None, make_article(make_region())) == "已发布"
    assert label(None, make_article(make_region(), status=Article.DRAFT)) == "草稿"


def test_a_city_shows_its_own_figure_else_its_provinces_else_the_nations(db):
    nation = make_region("national", kind=Region.NATIONAL)
    province = make_region(kind=Region.PROVINCE, parent=nation)
    city, other = make_region(parent=province), make_region(parent=province)
    national_fee = make_policy_entry(nation, "resident_fee", "380")
    provincial_fee = make_policy_entry(province, "resident_fee", "400")
    national_wage = make_policy_entry(nation, "avg_wage", "6000")
    make_policy_entry(other, "avg_wage", "9000")  # another city's: never shown for this one
    today = timezone.localdate()

    shown = nearest_in_force(PolicyEntry.objects.all(), city.lineage_ids(), today)

    assert shown == {"resident_fee": provincial_fee, "avg_wage": national_wage}
    assert nearest_in_force(PolicyEntry.objects.all(), nation.lineage_ids(), today)["resident_fee"] == national_fee
    assert PolicyEntry.objects.for_region(city, today) == shown


def test_a_figure_ended_yesterday_gives_way_to_the_one_above(db):
    nation = make_region("national", kind=Region.NATIONAL)
    city = make_region(parent=nation)
    today = timezone.localdate()
    make_policy_entry(city, "late_fee_daily_pct", "0.1", effective_to=today - datetime.timedelta(days=1))
    national = make_policy_entry(nation, "late_fee_daily_pct", "0.05")

    assert nearest_in_force(PolicyEntry.objects.all(), city.lineage_ids(), today) == {"late_fee_daily_pct": national}


def test_a_figure_is_overdue_from_the_day_after_its_allowed_age_everywhere(db, settings):
    settings.FIGURE_MAX_AGE_DAYS = 30
    today = datetime.date(2026, 11, 24)
    city = make_region()
    on_time = make_policy_entry(city, "late_fee_daily_pct", "0.05", verified_on=today - datetime.timedelta(days=30))
    late = make_policy_entry(city, "contribution_due_day", "15", verified_on=today - datetime.timedelta(days=31))

    assert overdue_cutoff(today) == datetime.date(2026, 10, 25)
    assert (on_time.is_overdue(today), late.is_overdue(today)) == (False, True)
    assert list(PolicyEntry.objects.overdue(today)) == [late]
    assert on_time.as_fact(today).possibly_outdated is False
    assert late.as_fact(today).possibly_outdated is True


def test_the_estimate_and_the_guide_show_a_figure_with_the_same_source_line(client, demo):
    """One template (includes/figure.html) for every figure: the estimate's list says 沿用 and links
    the 原文 as the guide does."""
    from .reading import squash, text_of

    guide = text_of(client.get("/hezhou/").content.decode())
    estimate_html = client.get(
        "/calculator/",
        {"region": "hezhou", "scheme": "flexible", "lapse_start": "2026-08", "lapse_months": "4", "base": "5000"},
        headers={"HX-Request": "true"},
    ).content.decode()
    estimate = text_of(estimate_html)

    law = "中华人民共和国社会保险法 第八十六条（全国人民代表大会常务委员会） 原文 · 核实于 2026年11月1日"
    assert squash(f"0.05% 沿用全国 来源：{law}") in squash(guide)
    assert squash(f"滞纳金日费率：0.05% （沿用全国）。{law}") in squash(estimate)
    assert 'href="https://flk.npc.gov.cn/" rel="nofollow">原文</a>' in estimate_html
    assert squash("社平工资（月）：7,008 元/月 （沿用广西壮族自治区）。2026年度 ·") in squash(estimate)

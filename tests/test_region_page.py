"""A region guide (/nanchang/, /jiangxi/): its figures with their sources, its questions by topic, its
service channels and next steps, and the cities of a province.
"""

from __future__ import annotations

import re

import pytest

from guides.models import Article, Region, Topic
from guides.views.pages import INHERITED_SHOWN
from tests.factories import (
    make_article,
    make_jiangxi,
    make_topic,
)
from tests.reading import get, label, reads, text_of


@pytest.mark.django_db
def test_a_city_guide_lists_every_published_question_of_the_city(client):
    # A question without a topic is still a published Nanchang question: it must be findable
    # from the Nanchang guide, not only through search engines.
    _, _, city = make_jiangxi()
    tagged = make_article(city, "tagged", title="有主题的问题？", topics=[make_topic()])
    untagged = make_article(city, "untagged", title="没有主题的问题？")

    page = get(client, "/nanchang/")

    assert tagged.title in page.main
    assert untagged.title in page.main, "a published Nanchang question without a topic is missing from /nanchang/"


# The demo content is put back once for the rest of this module (conftest's shared_demo), so the small
# worlds above come first.


@pytest.mark.django_db
def test_nanchangs_guide_shows_its_figures_with_their_sources(client, shared_demo):
    page = get(client, "/nanchang/")

    assert page.h1s == ["南昌医保断缴、补缴和转移接续指南"]
    figures = page.section("figures")
    # Nanchang's own employer rate (6.8%) overrides the national 8%, with its own source.
    assert reads(
        page.figure("employee_employer_rate"),
        f"{label('employee_employer_rate')} 6.8% 来源：南昌市职工医保单位缴费比例",
    )
    assert "沿用" not in page.figure("employee_employer_rate")
    assert not reads(figures, f"{label('employee_employer_rate')} 8%")
    # Inherited figures say where they come from.
    assert reads(
        page.figure("resident_fee"), f"{label('resident_fee')} 400 元/年 沿用江西省 2026年度 · 来源：江西省2026年度"
    )
    assert reads(page.figure("avg_wage"), "6,525 元/月 沿用江西省")
    # The 2025 average wage stands in for 2026: it says so.
    assert "这是2025年度的标准，2026年度的标准还没有录入" in page.figure("avg_wage")
    assert reads(page.figure("late_fee_daily_pct"), "0.05% 沿用全国 来源：中华人民共和国社会保险法")
    assert "原文" in page.figure("resident_fixed_wait_months")  # 国办发〔2024〕38号 links to its text
    for key in ["employee_employer_rate", "resident_fee", "avg_wage"]:
        assert reads(page.figure(key), "录入于 2026年11月1日 · 待核实"), key
        assert "核实于" not in page.figure(key), key
    assert "核实于 2026年11月1日" in page.figure("resident_fixed_wait_months")
    # Unverified figures carry a visible label; verified ones do not.
    assert "待核实" in page.figure("employee_employer_rate")
    assert "待核实" in page.figure("resident_fee")
    assert "待核实" not in page.figure("resident_fixed_wait_months")
    assert "待核实" not in page.figure("late_fee_daily_pct")


@pytest.mark.django_db
def test_nanchangs_guide_groups_its_questions_under_topic_headings(client, shared_demo):
    page = get(client, "/nanchang/")

    groups = page.groups("questions", "h3")
    assert list(groups) == [t.name for t in Topic.objects.order_by("order")]
    assert "南昌医保补缴要交多少钱？金额和滞纳金怎么算？" in groups["补缴"]
    assert "南昌医保交满多少年，退休后就不用再交了？" not in groups["补缴"]
    assert "南昌医保交满多少年，退休后就不用再交了？" in groups["退休与缴费年限"]
    assert "南昌灵活就业人员医保断缴了，还能补缴吗？" in groups["补缴"]
    assert "南昌灵活就业人员医保断缴了，还能补缴吗？" in groups["待遇等待期"]  # in both of its topics
    for article in Article.objects.published().filter(region__slug="nanchang"):
        assert article.get_absolute_url() in page.hrefs
    # National and provincial questions appear as general questions, not under the city's topics.
    general = page.section("general")
    assert "医保问题打哪个电话？医保、人社、税务三条热线有什么区别？" in general
    assert "医保问题打哪个电话" not in page.section("questions")
    assert "/wenda/yibao-dianhua-zixun/" in page.hrefs
    assert "贺州" not in general


@pytest.mark.django_db
def test_a_city_guide_lists_its_service_channels_and_next_steps(client, shared_demo):
    nanchang = get(client, "/nanchang/")
    hezhou = get(client, "/hezhou/")

    channels = nanchang.section("channels")
    assert reads(channels, "南昌医保服务热线 0791-12393")
    assert "tel:079112393" in nanchang.hrefs
    assert "江西智慧医保" in channels and "赣服通" in channels
    assert "国家医保服务平台" in channels
    assert "贺州" not in channels.replace("贺州 0774-12393", "")
    assert reads(hezhou.section("channels"), "贺州医保服务热线 0774-12393")
    assert "tel:077412393" in hezhou.hrefs
    assert "广西医保" in hezhou.section("channels") and "智桂通" in hezhou.section("channels")
    assert "江西智慧医保" not in hezhou.section("channels")
    # The next steps name the city's own hotline, an app from its province, and its estimator.
    steps = nanchang.section("next")
    assert "拨打 0791-12393" in steps
    assert "用“江西智慧医保”" in steps
    assert "/nanchang/calculator/" in nanchang.hrefs
    assert "拨打 0774-12393" in hezhou.section("next")
    assert "/hezhou/calculator/" in hezhou.hrefs


@pytest.mark.django_db
def test_hezhous_guide_shows_inherited_figures_and_their_history(client, shared_demo):
    page = get(client, "/hezhou/")

    assert reads(page.figure("avg_wage"), f"{label('avg_wage')} 7,008 元/月 沿用广西壮族自治区")
    assert "6,905" not in page.figure("avg_wage")
    assert reads(page.figure("retire_min_years_male"), "25 年 沿用广西壮族自治区")
    assert "待核实" in page.figure("retire_min_years_male")
    assert reads(page.figure("resident_fee"), "400 元/年 沿用全国")
    assert reads(
        page.section("changes"),
        f"{label('avg_wage')}：2026年1月1日起 7,008 元/月，此前（2025年1月1日–2025年12月31日）6,905 元/月",
    )
    assert "江西" not in page.section("figures")


@pytest.mark.django_db
def test_the_jiangxi_page_lists_nanchang(client, shared_demo):
    page = get(client, "/jiangxi/")

    assert page.h1s == ["江西省医保断缴、补缴和转移接续指南"]
    assert "下辖城市" in page.main
    assert "/nanchang/" in page.hrefs
    assert "/hezhou/" not in page.hrefs
    assert "江西智慧医保" in page.main


def general_section(html: str) -> str:
    found = re.search(r'<section aria-labelledby="general">.*?</section>', html, re.S)
    assert found, "no general questions on the page"
    return found.group(0)


def test_a_city_guide_lists_the_first_general_questions_and_links_to_the_rest(client, shared_demo):
    national = Region.objects.get(slug="national")
    for i in range(20):
        make_article(national, f"tongyong-{i}", title=f"又一个全国通用问题{i}？", order=100 + i)
    shown_before = Article.objects.published().filter(region__slug__in=["national", "jiangxi"]).count()

    general = general_section(get(client, "/nanchang/").html)

    assert general.count("<li>") == INHERITED_SHOWN
    assert f"还有 {shown_before - INHERITED_SHOWN} 个通用问题" in text_of(general)
    assert 'href="/topics/"' in general and 'href="/jiangxi/"' in general


def test_a_province_guide_sends_to_the_national_questions_only(client, shared_demo):
    national = Region.objects.get(slug="national")
    for i in range(20):
        make_article(national, f"tongyong-{i}", title=f"又一个全国通用问题{i}？", order=100 + i)

    general = general_section(get(client, "/jiangxi/").html)

    assert 'href="/topics/"' in general and 'href="/national/"' not in general

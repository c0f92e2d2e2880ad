"""Stable addresses: a moved article keeps its old address as a 301, a taken-down one answers 404
with its region's guide, nothing ever redirects to another city's answer, and HEAD works wherever
GET does."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from guides.models import Article, ArticleRedirect, Region
from tests.factories import (
    make_article,
    make_region,
)
from tests.reading import get, read


@pytest.fixture
def world(db):
    nation = make_region("national", name="全国", kind=Region.NATIONAL)
    province = make_region("jiangxi", name="江西省", kind=Region.PROVINCE, parent=nation)
    city = make_region("nanchang", name="南昌", parent=province)
    other = make_region("hezhou", name="贺州", parent=nation)
    return nation, province, city, other


def test_changing_a_published_slug_keeps_the_old_address_as_a_301(client, world):
    _, _, city, _ = world
    article = make_article(city, "jiu-dizhi", title="南昌医保怎么补缴？")

    article.slug = "xin-dizhi"
    article.save()
    article.slug = "zui-xin-dizhi"
    article.save()

    for old in ["/nanchang/jiu-dizhi/", "/nanchang/xin-dizhi/"]:
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == "/nanchang/zui-xin-dizhi/"
    assert get(client, "/nanchang/zui-xin-dizhi/").h1s == ["南昌医保怎么补缴？"]


def test_moving_an_article_to_another_region_redirects_its_old_address(client, world):
    _, province, city, _ = world
    article = make_article(city, "tongyong", title="江西通用的问题？")

    article.region = province
    article.save()

    response = client.get("/nanchang/tongyong/")
    assert (response.status_code, response["Location"]) == (301, "/jiangxi/tongyong/")


def test_moving_back_to_an_old_address_leaves_no_redirect_loop(client, world):
    _, _, city, _ = world
    article = make_article(city, "a")
    article.slug = "b"
    article.save()
    article.slug = "a"
    article.save()

    assert client.get("/nanchang/a/").status_code == 200
    assert client.get("/nanchang/b/")["Location"] == "/nanchang/a/"
    assert not ArticleRedirect.objects.filter(old_slug="a").exists()


def test_renaming_a_draft_that_was_never_public_records_no_old_address(world):
    _, _, city, _ = world
    draft = make_article(city, "caogao", status=Article.DRAFT)
    draft.slug = "caogao-2"
    draft.save()

    assert not ArticleRedirect.objects.exists()


def test_an_old_address_of_an_article_now_taken_down_is_a_404(client, world, settings):
    settings.DEBUG = False
    _, _, city, _ = world
    article = make_article(city, "jiu")
    article.slug = "xin"
    article.unpublish_at = timezone.now() - datetime.timedelta(minutes=1)
    article.save()

    assert client.get("/nanchang/jiu/").status_code == 404
    assert client.get("/nanchang/xin/").status_code == 404


@pytest.mark.parametrize("kind", ["draft", "taken_down", "scheduled"])
def test_a_question_not_live_answers_404_with_a_link_to_its_regions_guide(client, world, settings, kind):
    settings.DEBUG = False
    _, _, city, other = world
    now = timezone.now()
    fields = {
        "draft": {"status": Article.DRAFT},
        "taken_down": {
            "unpublish_at": now - datetime.timedelta(hours=1),
            "published_at": now - datetime.timedelta(days=3),
        },
        "scheduled": {"published_at": now + datetime.timedelta(days=3)},
    }[kind]
    make_article(city, "same-slug", **fields)
    make_article(other, "same-slug", title="贺州的同名问题？")  # live in another city

    page = get(client, "/nanchang/same-slug/", status=404)

    assert page.h1s == ["页面没有找到"]
    assert "/nanchang/" in page.hrefs
    assert "/hezhou/same-slug/" not in page.hrefs


def test_a_citys_address_for_its_provinces_question_goes_to_the_province_answer(client, world):
    _, province, _, _ = world
    make_article(province, "shengli", title="江西省的问题？")

    response = client.get("/nanchang/shengli/")

    assert (response.status_code, response["Location"]) == (301, "/jiangxi/shengli/")


def test_a_national_articles_old_slug_redirects_under_wenda(client, world):
    nation, _, _, _ = world
    article = make_article(nation, "quanguo-jiu", title="全国的问题？")
    article.slug = "quanguo-xin"
    article.save()

    response = client.get("/wenda/quanguo-jiu/")

    assert (response.status_code, response["Location"]) == (301, "/wenda/quanguo-xin/")


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/topics/",
        "/topics/bujiao/",
        "/nanchang/",
        "/nanchang/bujiao-duoshao-qian/",
        "/wenda/zhuanyi-zenme-banli/",
        "/calculator/",
        "/nanchang/calculator/",
        "/api/v1/estimate?region=nanchang&scheme=resident&lapsed_years=2&paid_on=2026-11-20",
        "/sitemap.xml",
        "/robots.txt",
        "/search/?q=补缴",
        "/zhuanyi/",
        "/cihui/",
    ],
)
def test_head_works_wherever_get_does(client, shared_demo, url):
    got, head = client.get(url), client.head(url)

    assert got.status_code in (200, 400)
    assert head.status_code == got.status_code, url
    assert head.content == b""


# --------------------------------------------------------------------------------------------
# A question's address in another region, and addresses that never were


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("/nanchang/zhuanyi-zenme-banli/", "/wenda/zhuanyi-zenme-banli/"),
        ("/national/zhuanyi-zenme-banli/", "/wenda/zhuanyi-zenme-banli/"),
    ],
)
def test_it_redirects_a_city_address_of_a_general_question_to_its_canonical_one(client, shared_demo, url, target):
    response = client.get(url)

    assert response.status_code == 301
    assert response["Location"] == target


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "guide"),
    [
        ("/hezhou/bujiao-duoshao-qian/", "/hezhou/"),  # only Nanchang has this question
        ("/nanchang/guangdong-zhuanhui-hezhou/", "/nanchang/"),
    ],
)
def test_it_never_sends_a_reader_to_another_citys_answer(client, shared_demo, settings, url, guide):
    settings.DEBUG = False

    page = get(client, url, status=404)

    assert page.h1s == ["页面没有找到"]
    assert guide in page.hrefs


@pytest.mark.django_db
def test_a_province_address_of_a_question_several_cities_share_goes_to_the_general_answer(
    client, shared_demo, settings
):
    # Nanchang and Hezhou each have their own answer; Guangxi's reader gets the national one, not Hezhou's.
    response = client.get("/guangxi/duanjiao-yiqian-baijiao-le-ma/")

    assert response.status_code == 301
    assert response["Location"] == "/wenda/duanjiao-yiqian-baijiao-le-ma/"


@pytest.mark.django_db
def test_unknown_regions_articles_and_topics_answer_404(client, shared_demo, settings):
    settings.DEBUG = False

    for url in [
        "/no-such-city/",
        "/nanchang/no-such-question/",
        "/wenda/no-such-question/",
        "/topics/no-such/",
        "/national/",
    ]:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_a_missing_page_answers_404_in_chinese(client, shared_demo, settings):
    settings.DEBUG = False

    response = client.get("/nanchang/no-such-question/")

    assert response.status_code == 404
    page = read(response)
    assert page.h1s == ["页面没有找到"]
    assert page.title == "页面没有找到 · 医保办事指南"
    assert page.attrs("meta", name="robots", content="noindex")
    assert "/nanchang/" in page.hrefs and "/hezhou/" in page.hrefs
    assert "南昌医保指南" in page.main
    assert "/" in page.hrefs and "/calculator/" in page.hrefs

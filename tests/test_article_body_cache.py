"""An article's body is made once and remembered (guides.views.pages.BodyCache), yet every page shows
what the database holds at the moment it is read: no edit ever waits for the remembered body to expire."""

from __future__ import annotations

import pytest

from guides.models import Article, GlossaryTerm, PolicyEntry, Region
from guides.views.pages import BODIES
from tests.factories import make_article, make_policy_entry, make_region
from tests.reading import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    BODIES.clear()
    province = make_region("shengfen", name="某省", kind=Region.PROVINCE)
    a = make_region("jiacheng", name="甲城", parent=province)
    b = make_region("yicheng", name="乙城", parent=province)
    make_policy_entry(a, "resident_fee", "400")
    make_policy_entry(b, "resident_fee", "380")
    return a, b


def test_an_edited_body_shows_at_once(client, places):
    a, _ = places
    article = make_article(a, "jiaofei", body="第一稿：每年交 {{ resident_fee }}。")
    assert "第一稿" in text_of(client.get("/jiacheng/jiaofei/"))

    article.body = "第二稿：每年交 {{ resident_fee }}。"
    article.save()

    page = text_of(client.get("/jiacheng/jiaofei/"))
    assert "第二稿" in page
    assert "第一稿" not in page


def test_a_body_changed_without_save_still_shows_at_once(client, places):
    a, _ = places
    article = make_article(a, "jiaofei", body="旧的说法。")
    client.get("/jiacheng/jiaofei/")

    Article.objects.filter(pk=article.pk).update(body="新的说法。", body_html="<p>新的说法。</p>")  # version unchanged

    assert "新的说法" in text_of(client.get("/jiacheng/jiaofei/"))


def test_a_changed_figure_shows_in_a_remembered_body_at_once(client, places):
    a, _ = places
    make_article(a, "jiaofei", body="每年交 {{ resident_fee }}。")
    assert "400 元/年" in text_of(client.get("/jiacheng/jiaofei/"))

    PolicyEntry.objects.filter(region=a, key="resident_fee").update(value="420")  # even bypassing save()

    page = text_of(client.get("/jiacheng/jiaofei/"))
    assert "420 元/年" in page
    assert "400 元/年" not in page


def test_a_new_glossary_term_links_in_a_remembered_body_at_once(client, places):
    a, _ = places
    make_article(a, "jiaofei", body="断缴以后要补缴。")
    assert 'href="/cihui/#duanjiao"' not in client.get("/jiacheng/jiaofei/").content.decode()

    GlossaryTerm.objects.create(term="断缴", slug="duanjiao", explanation="没有按时交医保费。")

    assert 'href="/cihui/#duanjiao"' in client.get("/jiacheng/jiaofei/").content.decode()


def test_two_articles_with_the_same_text_each_show_their_own_figures(client, places):
    a, b = places
    body = "每年交 {{ resident_fee }}。"
    make_article(a, "jiaofei", body=body)
    make_article(b, "jiaofei", body=body)

    first, second = text_of(client.get("/jiacheng/jiaofei/")), text_of(client.get("/yicheng/jiaofei/"))

    assert "400 元/年" in first and "380 元/年" not in first
    assert "380 元/年" in second and "400 元/年" not in second
    assert len(BODIES.entries) == 2  # one remembered body each


def test_a_remembered_body_reads_the_same_as_a_freshly_made_one(client, places):
    a, _ = places
    make_article(a, "jiaofei", body="每年交 {{ resident_fee }}，电话 12393。")
    fresh = client.get("/jiacheng/jiaofei/").content.decode()
    assert len(BODIES.entries) == 1

    remembered = client.get("/jiacheng/jiaofei/").content.decode()

    strip_csrf = lambda html: html.split('name="csrfmiddlewaretoken"')[0]  # noqa: E731 the token differs per render
    assert strip_csrf(remembered) == strip_csrf(fresh)

"""When an article is public: a draft never; a scheduled one from its publish time to its unpublish time,
to the second; until then, or once withdrawn, it is on no page, list, related list or sitemap.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from guides.models import Article
from tests.factories import (
    make_article,
    make_draft,
    make_jiangxi,
    make_region,
    make_topic,
    unsaved_article,
    validation_errors,
)
from tests.reading import get, sitemap_paths

SECOND = datetime.timedelta(seconds=1)


def hidden_kinds() -> dict[str, dict]:
    now = timezone.now()
    return {
        "draft": {"status": Article.DRAFT},
        "scheduled": {"status": Article.PUBLISHED, "published_at": now + datetime.timedelta(days=1)},
        "withdrawn": {
            "status": Article.PUBLISHED,
            "published_at": now - datetime.timedelta(days=10),
            "unpublish_at": now - datetime.timedelta(minutes=1),
        },
    }


@pytest.fixture
def hidden_world(db):
    nation, province, city = make_jiangxi()
    make_region("hezhou", name="贺州", parent=province)
    topic = make_topic()
    live = make_article(city, "live", title="已发布的问题？", topics=[topic], featured=True)
    national_live = make_article(nation, "national-live", title="全国已发布的问题？", topics=[topic])
    hidden = []
    for kind, fields in hidden_kinds().items():
        hidden.append(
            make_article(city, f"hidden-{kind}", title=f"隐藏的问题{kind}?", topics=[topic], featured=True, **fields)
        )
        hidden.append(
            make_article(
                nation, f"national-{kind}", title=f"全国隐藏的问题{kind}?", topics=[topic], featured=True, **fields
            )
        )
    live.related.set(hidden + [national_live])
    national_live.related.set(hidden)
    return live, national_live, hidden


@pytest.mark.parametrize("kind", ["draft", "scheduled", "withdrawn"])
def test_an_unpublished_article_is_nowhere_in_sight(client, settings, hidden_world, kind):
    settings.DEBUG = False
    live, national_live, _ = hidden_world
    city_title, national_title = f"隐藏的问题{kind}?", f"全国隐藏的问题{kind}?"

    assert client.get(f"/nanchang/hidden-{kind}/").status_code == 404
    assert client.get(f"/wenda/national-{kind}/").status_code == 404
    assert client.get(f"/hezhou/hidden-{kind}/").status_code == 404  # no redirect to it either
    assert client.get(f"/nanchang/national-{kind}/").status_code == 404
    pages = {
        url: get(client, url)
        for url in [
            "/",
            "/nanchang/",
            "/jiangxi/",
            "/topics/",
            "/topics/bujiao/",
            "/nanchang/live/",
            "/wenda/national-live/",
        ]
    }
    for url, page in pages.items():
        assert city_title not in page.html, url
        assert national_title not in page.html, url
        assert f"hidden-{kind}" not in page.html and f"national-{kind}" not in page.html, url
    assert live.title in pages["/"].main
    assert "全国已发布的问题？" in pages["/nanchang/live/"].main  # related list still works
    assert live.title in pages["/topics/bujiao/"].main
    paths = sitemap_paths(client)
    assert "/nanchang/live/" in paths and "/wenda/national-live/" in paths
    assert f"/nanchang/hidden-{kind}/" not in paths
    assert f"/wenda/national-{kind}/" not in paths


@pytest.mark.django_db
def test_a_scheduled_article_appears_once_its_time_comes(client):
    _, _, city = make_jiangxi()
    article = make_article(
        city, "soon", status=Article.PUBLISHED, published_at=timezone.now() + datetime.timedelta(hours=1)
    )
    assert client.get("/nanchang/soon/").status_code == 404

    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - datetime.timedelta(seconds=1))

    assert client.get("/nanchang/soon/").status_code == 200


@pytest.mark.django_db
def test_it_refuses_an_unpublish_time_before_the_publish_time():
    _, _, city = make_jiangxi()
    now = timezone.now()
    article = unsaved_article(
        city, "", status=Article.PUBLISHED, published_at=now, unpublish_at=now - datetime.timedelta(days=1)
    )

    assert validation_errors(article)["unpublish_at"] == ["下线时间必须晚于发布时间。"]


# --------------------------------------------------------------------------------------------
# Exactly on time, to the second


def test_a_draft_is_never_public(client, city):
    article = make_draft(city, title="草稿里的问题？", slug="caogao", topics=[make_topic()])
    make_article(city, title="已发布的问题？", slug="yifabu", topics=[make_topic()])

    assert client.get("/nanchang/caogao/").status_code == 404
    guide = client.get("/nanchang/").content.decode()
    assert "已发布的问题" in guide and "草稿里的问题" not in guide
    sitemap = client.get("/sitemap-articles.xml").content.decode()
    assert "/nanchang/yifabu/" in sitemap and "caogao" not in sitemap
    assert article not in Article.objects.published()


# When an article goes live (published_at) or comes down (unpublish_at), to the second.
EXACTLY_ON_TIME = {
    "one-second-before-published-at": ("published_at", -SECOND, False),
    "at-published-at": ("published_at", datetime.timedelta(0), True),
    "one-second-after-published-at": ("published_at", SECOND, True),
    "one-second-before-unpublish-at": ("unpublish_at", -SECOND, True),
    "at-unpublish-at": ("unpublish_at", datetime.timedelta(0), False),
    "one-second-after-unpublish-at": ("unpublish_at", SECOND, False),
}


@pytest.mark.parametrize(("field", "offset", "live"), EXACTLY_ON_TIME.values(), ids=EXACTLY_ON_TIME.keys())
def test_an_article_goes_live_and_comes_down_exactly_on_time(city, field, offset, live):
    at = timezone.now() + datetime.timedelta(days=3)
    article = make_article(city, **{field: at})

    assert (article in Article.objects.published(now=at + offset)) is live
    assert article.is_live(at + offset) is live


@pytest.mark.parametrize(
    "published_in, unpublished_in, live",
    [
        (datetime.timedelta(seconds=30), None, False),
        (-SECOND, None, True),
        (-datetime.timedelta(days=1), datetime.timedelta(seconds=30), True),
        (-datetime.timedelta(days=1), -SECOND, False),
    ],
    ids=["scheduled-for-later", "published-a-second-ago", "coming-down-later", "taken-down-a-second-ago"],
)
def test_a_scheduled_article_is_on_the_site_only_while_live(client, city, published_in, unpublished_in, live):
    now = timezone.now()
    make_article(
        city,
        title="定时发布的问题？",
        slug="dingshi",
        published_at=now + published_in,
        unpublish_at=now + unpublished_in if unpublished_in else None,
        topics=[make_topic()],
    )

    assert client.get("/nanchang/dingshi/").status_code == (200 if live else 404)
    assert ("定时发布的问题" in client.get("/nanchang/").content.decode()) is live
    assert ("/nanchang/dingshi/" in client.get("/sitemap-articles.xml").content.decode()) is live

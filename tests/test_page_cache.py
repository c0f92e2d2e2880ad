"""The server's cache of anonymous public pages (config/pagecache.py): a repeat visit costs one query,
and no change of any kind, scheduled time or new day ever leaves a stored page showing old content."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from django.utils.http import http_date

from config import pagecache
from guides.apps import NOT_ON_PUBLIC_PAGES
from guides.models import Article, ContentState, GlossaryTerm, Region, ServiceChannel, Topic
from tests.demo_snapshot import PAGE_OF_EACH_TYPE
from tests.factories import (
    logged_in,
    make_article,
    make_draft,
    make_fresh_entry,
    make_region,
    make_staff,
    make_topic,
)

ARTICLE = PAGE_OF_EACH_TYPE["article"]
CACHED_PAGES = [
    *PAGE_OF_EACH_TYPE.values(),
    "/cihui/",
    "/zhuanyi/",
    "/calculator/",
    "/nanchang/calculator/",
    "/robots.txt",
    "/sitemap.xml",
    "/sitemap-articles.xml",
]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def visitor(demo, settings) -> Client:
    """The demo content with the page cache on and empty (the demo is put back with raw SQL, which the
    cache cannot see: a real write always goes through the ORM or calls content_changed())."""
    settings.PAGE_CACHE_SECONDS = 3600
    cache.clear()
    pagecache.content_changed()
    return Client()


@dataclass
class Visit:
    status: int
    cache: str | None
    queries: int
    html: str
    last_modified: str | None


def visit(client: Client, url: str, **headers) -> Visit:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    return Visit(
        response.status_code,
        response.get("X-Cache"),
        len(ctx.captured_queries),
        response.content.decode(),
        response.get("Last-Modified"),
    )


def without_tokens(html: str) -> str:
    return TOKEN.sub("", html)


@pytest.mark.parametrize("url", CACHED_PAGES)
def test_a_second_visitor_gets_the_same_page_from_the_cache_for_one_query(visitor, url):
    first = visit(visitor, url)
    second = visit(Client(), url)

    assert (first.status, first.cache, second.status, second.cache) == (200, "miss", 200, "hit")
    assert second.queries == 1, "a stored page costs only the freshness check"
    assert without_tokens(second.html) == without_tokens(first.html)


@pytest.mark.parametrize("url", ["/calculator/", "/zhuanyi/"])
def test_a_stored_page_keeps_saying_it_differs_for_htmx_requests(visitor, url):
    """Browsers and proxies must not hand the full page to htmx (or the reverse): Vary survives storage."""
    visitor.get(url)

    stored = Client().get(url)

    assert stored["X-Cache"] == "hit" and "HX-Request" in stored["Vary"]


def test_each_visitor_gets_their_own_working_form_token_on_a_stored_page(visitor):
    visit(visitor, ARTICLE)
    a, b = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_a, page_b = visit(a, ARTICLE), visit(b, ARTICLE)

    token_a, token_b = TOKEN.search(page_a.html).group(1), TOKEN.search(page_b.html).group(1)
    assert (page_a.cache, page_b.cache) == ("hit", "hit")
    assert token_a != token_b and "\x00" not in page_b.html
    sent = b.post("/feedback/", {"page": ARTICLE, "answer": "yes", "csrfmiddlewaretoken": token_b})
    refused = Client(enforce_csrf_checks=True).post(
        "/feedback/", {"page": ARTICLE, "answer": "yes", "csrfmiddlewaretoken": token_a}
    )
    assert (sent.status_code, refused.status_code) == (303, 403)


def test_staff_always_see_the_page_as_it_is_now(visitor):
    visit(visitor, ARTICLE)
    Article.objects.filter(slug="bujiao-duoshao-qian").update(title="没发信号的改动？")  # no signal: cache unaware

    staff = visit(logged_in(make_staff("编辑")), ARTICLE)

    assert staff.cache is None and "没发信号的改动" in staff.html
    assert "没发信号的改动" not in visit(Client(), ARTICLE).html


@pytest.mark.parametrize(
    "url, headers",
    [
        ("/calculator/?scheme=resident", {}),  # answers in the query string: not stored
        ("/nanchang/?utm_source=x", {}),
        ("/search/?q=断缴", {}),
        ("/calculator/", {"HX-Request": "true"}),  # an htmx fragment differs from the page
    ],
)
def test_pages_that_differ_by_visitor_input_are_never_stored(visitor, url, headers):
    first, second = visit(visitor, url, **headers), visit(Client(), url, **headers)

    assert (first.cache, second.cache) == (None, None)


def test_a_change_made_by_another_process_retires_the_stored_pages(visitor):
    visit(visitor, ARTICLE)
    with connection.cursor() as cursor:  # what a save on another app server leaves behind
        cursor.execute("UPDATE guides_contentstate SET generation = generation + 1")

    assert visit(Client(), ARTICLE).cache == "miss"


# ------------------------------------------------------------------ every kind of change


@dataclass(frozen=True)
class Change:
    url: str
    shows: str  # text the page shows after the change (or "" for none)
    hides: str  # text it showed before and no longer does (or "" for none)
    prepare: Callable[[], object]
    make: Callable[[object], object]
    status: int = 200


def nanchang() -> Region:
    return Region.objects.get(slug="nanchang")


def demo_article() -> Article:
    return Article.objects.get(region__slug="nanchang", slug="bujiao-duoshao-qian")


def edit(obj, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()


CHANGES = {
    "article-edited": Change(ARTICLE, "改过的问题？", "", demo_article, lambda a: edit(a, title="改过的问题？")),
    "article-published": Change(
        "/nanchang/",
        "刚发布的问题？",
        "",
        lambda: make_draft(nanchang(), title="刚发布的问题？"),
        lambda a: edit(a, status=Article.PUBLISHED, published_at=timezone.now() - datetime.timedelta(minutes=1)),
    ),
    "article-taken-down": Change(
        "/nanchang/",
        "",
        "要下线的问题？",
        lambda: make_article(nanchang(), title="要下线的问题？"),
        lambda a: edit(a, unpublish_at=timezone.now() - datetime.timedelta(seconds=1)),
    ),
    "article-deleted": Change(ARTICLE, "", "", demo_article, lambda a: a.delete(), status=404),
    "article-moved": Change(ARTICLE, "", "", demo_article, lambda a: edit(a, slug="bujiao-xin-dizhi"), status=301),
    "featured-on-home": Change(
        "/",
        "首页上的新问题？",
        "",
        lambda: make_article(nanchang(), featured=False, title="首页上的新问题？"),
        lambda a: edit(a, featured=True),
    ),
    "figure-added": Change("/nanchang/", "433", "", nanchang, lambda r: make_fresh_entry(r, "resident_fee", "433")),
    "figure-deleted": Change(
        "/nanchang/", "", "433", lambda: make_fresh_entry(nanchang(), "resident_fee", "433"), lambda e: e.delete()
    ),
    "channel-edited": Change(
        "/nanchang/",
        "新改名的办事窗口",
        "",
        lambda: ServiceChannel.objects.create(region=nanchang(), kind="office", name="旧窗口名", detail="某区"),
        lambda c: edit(c, name="新改名的办事窗口"),
    ),
    "region-renamed": Change("/nanchang/", "南昌新名", "", nanchang, lambda r: edit(r, name="南昌新名")),
    "topic-renamed": Change(
        "/topics/", "改名后的主题", "", lambda: Topic.objects.first(), lambda t: edit(t, name="改名后的主题")
    ),
    "article-added-to-topic": Change(
        "/topics/bujiao/",
        "新归入主题的问题？",
        "",
        lambda: make_article(nanchang(), title="新归入主题的问题？"),
        lambda a: a.topics.add(make_topic("bujiao")),
    ),
    "related-link-added": Change(
        ARTICLE,
        "新的相关问题？",
        "",
        lambda: make_article(nanchang(), title="新的相关问题？"),
        lambda a: demo_article().related.add(a),
    ),
    "glossary-edited": Change(
        "/cihui/",
        "改过的词汇解释",
        "",
        lambda: GlossaryTerm.objects.first(),
        lambda t: edit(t, explanation="改过的词汇解释"),
    ),
}


@pytest.mark.parametrize("kind", CHANGES)
def test_no_kind_of_change_leaves_a_stored_page_behind(visitor, kind):
    change = CHANGES[kind]
    target = change.prepare()
    before = visit(visitor, change.url)
    assert visit(Client(), change.url).cache == "hit"
    assert change.hides in before.html and (not change.shows or change.shows not in before.html)

    change.make(target)
    after = visit(Client(), change.url)

    assert after.status == change.status
    if change.status == 200:
        assert after.cache == "miss"
        assert change.shows in after.html
        assert not change.hides or change.hides not in after.html


def test_load_demo_puts_an_edited_row_back_on_the_public_page(visitor):
    Article.objects.filter(pk=demo_article().pk).update(title="被人改坏的问题？")
    pagecache.content_changed()
    assert "被人改坏的问题" in visit(visitor, ARTICLE).html

    call_command("load_demo", verbosity=0)

    assert "被人改坏的问题" not in visit(Client(), ARTICLE).html


def test_every_model_the_public_pages_show_retires_stored_pages_when_saved():
    """A new content model is wired by default; only rows no public page shows are left out."""
    from django.apps import apps

    for model in apps.get_app_config("guides").get_models():
        name = model._meta.object_name
        wired = any(receiver[0][0] == f"pagecache-save-{name}" for receiver in post_save.receivers)
        if name in NOT_ON_PUBLIC_PAGES or name == "ContentState" or name.startswith("Historical"):
            continue
        assert wired, f"{name} is not wired to the page cache"
    assert set(NOT_ON_PUBLIC_PAGES) <= {m._meta.object_name for m in apps.get_app_config("guides").get_models()}


# ------------------------------------------------------------------ time passing


@pytest.fixture
def clock(monkeypatch):
    """Move the site's clock forward (the views and the page cache all ask django.utils.timezone.now)."""
    real = timezone.now

    def move(by: datetime.timedelta) -> None:
        monkeypatch.setattr(timezone, "now", lambda: real() + by)

    return move


def test_a_scheduled_article_appears_on_stored_pages_at_its_time(visitor, clock):
    make_article(nanchang(), title="定时发布的问题？", published_at=timezone.now() + datetime.timedelta(minutes=5))
    assert "定时发布的问题" not in visit(visitor, "/nanchang/").html
    assert visit(Client(), "/nanchang/").cache == "hit"

    clock(datetime.timedelta(minutes=4))
    assert visit(Client(), "/nanchang/").cache == "hit"
    clock(datetime.timedelta(minutes=6))
    after = visit(Client(), "/nanchang/")

    assert after.cache == "miss" and "定时发布的问题" in after.html


def test_an_article_leaves_stored_pages_at_its_take_down_time(visitor, clock):
    make_article(nanchang(), title="定时下线的问题？", unpublish_at=timezone.now() + datetime.timedelta(minutes=5))
    assert "定时下线的问题" in visit(visitor, "/nanchang/").html

    clock(datetime.timedelta(minutes=6))

    assert "定时下线的问题" not in visit(Client(), "/nanchang/").html


def test_a_figure_taking_effect_tomorrow_is_shown_from_tomorrow(visitor, clock):
    city = make_region("ceshi", name="测试市", parent=Region.objects.get(slug="jiangxi"))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    make_fresh_entry(city, "newborn_grace_days", "173", effective_from=tomorrow)
    assert "173 天" not in visit(visitor, "/ceshi/").html
    assert visit(Client(), "/ceshi/").cache == "hit"

    clock(datetime.timedelta(days=1))
    after = visit(Client(), "/ceshi/")

    assert after.cache == "miss" and "173 天" in after.html


# ------------------------------------------------------------------ conditional requests


def test_a_browser_asking_since_the_last_change_gets_304_until_the_next_one(visitor):
    earlier = timezone.now() - datetime.timedelta(seconds=10)
    ContentState.objects.update(changed_at=earlier, check_at=earlier)  # a change ten seconds ago
    visitor.get(ARTICLE)  # sets the CSRF cookie: a page with a new cookie has no date to ask by
    stamp = visitor.get(ARTICLE)["Last-Modified"]
    assert stamp == http_date(max(earlier, pagecache.STARTED).timestamp())

    assert visitor.get(ARTICLE, headers={"If-Modified-Since": stamp}).status_code == 304
    edit(demo_article(), title="又改了的问题？")
    again = visitor.get(ARTICLE, headers={"If-Modified-Since": stamp})

    assert again.status_code == 200 and "又改了的问题" in again.content.decode()


def test_no_date_is_given_within_the_second_of_a_change(visitor):
    """Two changes in one second would carry the same date; the ETag answers until the second is over."""
    visitor.get(ARTICLE)
    pagecache.content_changed()

    response = visitor.get(ARTICLE)

    assert response.status_code == 200 and not response.has_header("Last-Modified")
    assert response.has_header("ETag")


# ------------------------------------------------------------------ the cache itself


def test_pages_are_served_when_the_cache_cannot_be_reached(visitor):
    down = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    with override_settings(CACHES=down):
        for url in (ARTICLE, "/nanchang/", "/"):
            page = visit(Client(), url)
            assert page.status == 200 and page.cache is None


def test_a_shared_redis_cache_serves_and_retires_pages(visitor, redis_caches):
    with override_settings(CACHES=redis_caches):
        cache.clear()
        assert visit(Client(), ARTICLE).cache == "miss"
        assert visit(Client(), ARTICLE).cache == "hit"
        edit(demo_article(), title="在Redis里更新的问题？")
        after = visit(Client(), ARTICLE)
        cache.clear()
    assert after.cache == "miss" and "在Redis里更新的问题" in after.html

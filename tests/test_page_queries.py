"""Each public page reads a fixed number of database queries, however much content there is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guides.models import Article, Region, ServiceChannel, Topic
from tests.demo_snapshot import PAGE_OF_EACH_TYPE
from tests.estimates import VALID_RESIDENT
from tests.factories import (
    make_article,
    make_fresh_entry,
)

D = datetime.date


def add_lots_of_content() -> None:
    """15 more articles per place, topics, related links, figures, channels and old values."""
    nanchang = Region.objects.get(slug="nanchang")
    jiangxi = Region.objects.get(slug="jiangxi")
    nation = Region.objects.get(slug="national")
    topics = list(Topic.objects.all())
    new = []
    for i in range(15):
        for region in (nanchang, nation, jiangxi):
            new.append(
                make_article(
                    region,
                    f"more-{i}",
                    title=f"{region.name}更多问题{i}?",
                    topics=topics[i % 3 : i % 3 + 3],
                    featured=True,
                    body=f"每年交 {{{{ resident_fee }}}}，比例 {{{{ flexible_rate }}}}。第{i}条。",
                )
            )
    target = Article.objects.get(region=nanchang, slug="bujiao-duoshao-qian")
    target.related.add(*new)
    target.topics.set(topics)
    national_target = Article.objects.get(region=nation, slug="zhuanyi-zenme-banli")
    national_target.related.add(*new)
    national_target.topics.set(topics)
    for article in new[:10]:
        article.related.set(new[10:20])
    make_fresh_entry(nanchang, "resident_fee", "420", effective_from=D(2026, 1, 1))
    make_fresh_entry(nanchang, "flexible_rate", "9", effective_from=D(2026, 1, 1))
    make_fresh_entry(nanchang, "avg_wage", "6000", effective_from=D(2024, 1, 1), effective_to=D(2024, 12, 31))
    make_fresh_entry(nanchang, "avg_wage", "6100", effective_from=D(2023, 1, 1), effective_to=D(2023, 12, 31))
    make_fresh_entry(nanchang, "contribution_due_day", "20", effective_from=D(2025, 1, 1))
    for i in range(5):
        ServiceChannel.objects.create(region=nanchang, kind="office", name=f"南昌窗口{i}", detail="某区")
    for i in range(5):
        Topic.objects.create(slug=f"extra-{i}", name=f"更多主题{i}")


PAGES_FOR_QUERIES = {**PAGE_OF_EACH_TYPE, "sitemap": "/sitemap.xml", "sitemap-section": "/sitemap-articles.xml"}


EXPECTED_QUERIES = {  # pages whose view names no hotline read the national one for the footer
    "home": 4,
    # the region with its cities, every figure period of its lineage, its articles, their topics, channels
    "region": 5,
    "province": 5,
    # the article with its regions and the glossary terms, its topics, related articles, the lineage's
    # channels (tokens and footer), every figure period of the lineage
    "article": 5,
    "national-article": 5,
    "topics": 3,
    "topic": 3,
    "sitemap": 4,  # the index: each section's length (regions, topics, articles) and the articles' latest change
    "sitemap-section": 2,  # the section's length, its page of addresses
}


GROWN_CONTENT = {
    "home": "更多问题",
    "region": "南昌更多问题14?",
    "province": "江西省更多问题14?",
    "article": "全国更多问题14?",
    "national-article": "南昌更多问题14?",
    "topics": "全国更多问题14?",
    "topic": "南昌更多问题14?",
    "sitemap": "/sitemap-articles.xml",
    "sitemap-section": "/nanchang/more-14/",
}


@dataclass
class Reading:
    status: int
    queries: list[str]
    html: str


def reading(client, url: str, headers: dict | None = None) -> Reading:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers or {})
    return Reading(response.status_code, [q["sql"] for q in ctx.captured_queries], response.content.decode())


@pytest.fixture(scope="module")
def readings(demo_content, django_db_blocker) -> dict[str, tuple[Reading, Reading]]:
    """Each page read with the demo content, then again once there is much more of it (added once for
    all the pages, and undone)."""
    with django_db_blocker.unblock(), transaction.atomic():
        connection.features.supports_json_field  # noqa: B018 SQLite's one-time check of the connection, no page's query
        client = Client()
        before = {name: reading(client, url) for name, url in PAGES_FOR_QUERIES.items()}
        add_lots_of_content()
        after = {name: reading(client, url) for name, url in PAGES_FOR_QUERIES.items()}
        transaction.set_rollback(True)
    return {name: (before[name], after[name]) for name in PAGES_FOR_QUERIES}


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES_FOR_QUERIES)
def test_each_page_reads_a_fixed_number_of_queries(readings, name):
    before, after = readings[name]

    assert before.status == after.status == 200
    assert len(before.queries) == EXPECTED_QUERIES[name], "\n".join(before.queries)
    assert len(after.queries) == EXPECTED_QUERIES[name], "\n".join(after.queries)
    assert GROWN_CONTENT[name] in after.html  # the extra content really is on the page


# The other page types, each read once: (address, HX-Request, status, queries).
OTHER_PAGES = {
    "search": ("/search/?q=断缴", False, 200, 4),
    "glossary": ("/cihui/", False, 200, 2),
    "transfer": ("/zhuanyi/", False, 200, 2),
    "estimator": ("/calculator/", False, 200, 2),
    "region-estimator": ("/nanchang/calculator/", False, 200, 3),
    "estimator-result": (f"/nanchang/calculator/?{urlencode(VALID_RESIDENT)}", False, 200, 5),
    "estimator-fragment": (f"/nanchang/calculator/?{urlencode(VALID_RESIDENT)}", True, 200, 3),
    "not-found": ("/no-such-place/", False, 404, 3),
    # the article lookup, the region with whether it had the question, the province's and nation's
    # general answer, the cities the page lists, the footer's hotline
    "not-found-in-region": ("/nanchang/no-such-question/", False, 404, 5),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", OTHER_PAGES)
def test_every_other_page_type_reads_at_most_five_queries(client, shared_demo, name):
    url, htmx, status, expected = OTHER_PAGES[name]
    connection.features.supports_json_field  # noqa: B018 SQLite's one-time check of the connection, no page's query
    headers = {"HX-Request": "true"} if htmx else {}

    page = reading(client, url, headers)

    assert page.status == status
    assert len(page.queries) == expected <= 5, "\n".join(page.queries)

"""Each public page reads a fixed number of database queries, however much content there is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guides.models import Article, Region, ServiceChannel, Topic
from tests.demo_snapshot import PAGE_OF_EACH_TYPE
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


PAGES_FOR_QUERIES = {**PAGE_OF_EACH_TYPE, "sitemap": "/sitemap.xml"}


EXPECTED_QUERIES = {  # pages whose view names no hotline read the national one for the footer
    "home": 4,
    "region": 6,
    "province": 7,
    "article": 6,  # + the lineage's channels (tokens and footer, no separate hotline query) + glossary terms
    "national-article": 6,
    "topics": 3,
    "topic": 3,
    "sitemap": 6,
}


GROWN_CONTENT = {
    "home": "更多问题",
    "region": "南昌更多问题14?",
    "province": "江西省更多问题14?",
    "article": "全国更多问题14?",
    "national-article": "南昌更多问题14?",
    "topics": "全国更多问题14?",
    "topic": "南昌更多问题14?",
    "sitemap": "/nanchang/more-14/",
}


@dataclass
class Reading:
    status: int
    queries: list[str]
    html: str


def reading(client, url: str) -> Reading:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return Reading(response.status_code, [q["sql"] for q in ctx.captured_queries], response.content.decode())


@pytest.fixture(scope="module")
def readings(demo_content, django_db_blocker) -> dict[str, tuple[Reading, Reading]]:
    """Each page read with the demo content, then again once there is much more of it (added once for
    all the pages, and undone)."""
    with django_db_blocker.unblock(), transaction.atomic():
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

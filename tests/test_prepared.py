"""Queries compiled once per process (guides/prepared.py) give exactly what their querysets give."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Model, Prefetch
from django.utils import timezone

from guides.channels import lineage_channels
from guides.models import Article, PolicyEntry, Region, ServiceChannel
from guides.views.pages import article_rows, live_article, related_articles
from tests.factories import make_article

pytestmark = pytest.mark.usefixtures("demo")


def fields(row: Model) -> tuple:
    return tuple(getattr(row, f.attname) for f in row._meta.concrete_fields)


def as_the_queryset_reads(article: Article) -> Article | None:
    rows = article_rows().prefetch_related("topics", Prefetch("related", queryset=related_articles()))
    if article.region.is_national:
        return rows.filter(region__kind=Region.NATIONAL, slug=article.slug).first()
    return rows.filter(region__slug=article.region.slug, slug=article.slug).first()


def test_every_article_reads_the_same_through_the_prepared_queries():
    nanchang = Region.objects.get(slug="nanchang")
    make_article(nanchang, title="还没到时间的问题？", published_at=timezone.now() + datetime.timedelta(hours=1))
    make_article(nanchang, title="已经下线的问题？", unpublish_at=timezone.now() - datetime.timedelta(hours=1))
    articles = list(Article.objects.select_related("region"))
    assert len(articles) > 40

    for article in articles:
        expected = as_the_queryset_reads(article)
        found = live_article(article.slug, None if article.region.is_national else article.region.slug)
        assert (found is None) == (expected is None), article
        if expected is None:
            continue
        assert fields(found) == fields(expected) and found.glossary == expected.glossary
        assert fields(found.region.parent or found.region) == fields(expected.region.parent or expected.region)
        assert [fields(t) for t in found.topics.all()] == [fields(t) for t in expected.topics.all()]
        assert sorted(fields(r) for r in found.related.all()) == sorted(fields(r) for r in expected.related.all())


@pytest.mark.parametrize("slug", ["nanchang", "jiangxi", "hezhou", "national"])
def test_figure_periods_and_channels_read_the_same_through_the_prepared_queries(slug):
    region = Region.objects.select_related("parent__parent").get(slug=slug)
    ids = [r.pk for r in region.lineage()]

    periods = PolicyEntry.objects.for_lineage(region)
    channels = lineage_channels(region)

    assert sorted(fields(e) for e in periods) == sorted(
        fields(e) for e in PolicyEntry.objects.live().filter(region__in=ids)
    )
    assert periods and all(e.region.pk == e.region_id for e in periods)
    assert sorted(fields(c) for c in channels) == sorted(
        fields(c) for c in ServiceChannel.objects.filter(region__in=ids)
    )

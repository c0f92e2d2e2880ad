"""The topics page (/topics/: the national questions and every topic) and a topic's page (its questions
grouped by region).
"""

from __future__ import annotations

import pytest

from guides.models import Article, Region, Topic
from tests.reading import get


@pytest.mark.django_db
def test_the_topics_page_lists_national_questions_and_every_topic(client, shared_demo):
    page = get(client, "/topics/")

    assert page.h1s == ["全国通用的医保问答"]
    for topic in Topic.objects.all():
        assert topic.name in page.main
        assert f"/topics/{topic.slug}/" in page.hrefs
    for article in Article.objects.published().filter(region__kind=Region.NATIONAL):
        assert article.title in page.main and article.short_answer in page.main
    assert "南昌医保补缴要交多少钱？金额和滞纳金怎么算？" not in page.main


@pytest.mark.django_db
def test_a_topic_page_groups_its_questions_by_region(client, shared_demo):
    page = get(client, "/topics/bujiao/")

    assert page.h1s == ["补缴"]
    assert "断缴后能不能补、补多少钱、滞纳金谁来交、去哪里办。" in page.main
    groups = page.groups("main", "h2")
    assert list(groups) == ["全国通用", "南昌", "贺州"]
    assert "医保补缴要交多少钱？补缴金额和滞纳金怎么算？" in groups["全国通用"]
    assert "贺州医保补缴金额和滞纳金是怎么算的？" in groups["贺州"]
    assert "贺州" not in groups["南昌"]
    assert "南昌医保补缴要交多少钱？金额和滞纳金怎么算？" in page.main
    assert "贺州医保补缴金额和滞纳金是怎么算的？" in page.main
    assert "医保补缴要交多少钱？补缴金额和滞纳金怎么算？" in page.main
    assert "南昌医保交满多少年，退休后就不用再交了？" not in page.main  # another topic
    assert "/nanchang/" in page.hrefs

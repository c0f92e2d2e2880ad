"""The home page: provinces with their cities, the featured questions, the estimator and the topics."""

from __future__ import annotations

import pytest

from guides.models import Article
from tests.reading import get


@pytest.mark.django_db
def test_the_home_page_lists_provinces_cities_and_featured_questions(client, shared_demo):
    page = get(client, "/")

    assert page.h1s == ["医保断缴了怎么办？"]
    for province, city in [("江西省", "南昌"), ("广西壮族自治区", "贺州")]:
        assert province in page.main and city in page.main
    assert page.main.index("江西省") < page.main.index("南昌") < page.main.index("广西壮族自治区")
    assert "/jiangxi/" in page.hrefs and "/nanchang/" in page.hrefs
    assert "/guangxi/" in page.hrefs and "/hezhou/" in page.hrefs
    assert "大家常问" in page.main
    featured = Article.objects.published().filter(featured=True).select_related("region")
    assert featured.count() >= 5
    for article in featured:
        assert article.title in page.main
        assert article.get_absolute_url() in page.hrefs
    assert "南昌医保补缴要交多少钱？金额和滞纳金怎么算？" not in page.main  # not featured
    assert "/calculator/" in page.hrefs
    assert "/topics/bujiao/" in page.hrefs

"""Long lists come in pages of 50: a topic's questions and the national questions (/topics/), at
?page=N, each page canonical for itself, page 1 at the bare address, with previous/next links and
"第 2 页，共 3 页"; a bad page number is sent to page 1 and one past the end to the last page.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from guides.models import Article, Region, Topic
from tests.factories import make_region, make_topic
from tests.reading import get

SITE = "https://yibao.example"


def add_questions(region: Region, count: int, topic: Topic | None = None) -> list[Article]:
    """`count` live questions, numbered in the order lists show them (bulk: no index or history)."""
    now = timezone.now()
    made = Article.objects.bulk_create(
        Article(
            region=region,
            slug=f"q-{region.slug}-{i:03d}",
            title=f"{region.name}第{i:03d}个问题？",
            short_answer="简短回答。",
            status=Article.PUBLISHED,
            published_at=now,
            order=i,
        )
        for i in range(1, count + 1)
    )
    if topic is not None:
        topic.articles.add(*made)
    return made


@pytest.fixture
def long_topic(db) -> Topic:
    topic = make_topic("bujiao", "补缴")
    city = make_region("nanchang", name="南昌", parent=make_region("jiangxi", name="江西省", kind=Region.PROVINCE))
    add_questions(city, 120, topic)
    return topic


def question_titles(page) -> list[str]:
    return [line for line in page.main.split("\n") if "个问题？" in line]


def test_a_topic_page_shows_fifty_questions_and_links_to_the_next_page(client, long_topic):
    page = get(client, "/topics/bujiao/")

    assert page.main.count("个问题？") == 50
    assert "南昌第001个问题？" in page.main and "南昌第051个问题？" not in page.main
    assert '<a href="/topics/bujiao/?page=2" rel="next">下一页</a>' in page.html
    assert 'rel="prev"' not in page.html
    assert f'<link rel="next" href="{SITE}/topics/bujiao/?page=2">' in page.html
    assert "第 1 页，共 3 页" in page.main
    assert "共 120 个问题" in page.main
    assert page.canonical == f"{SITE}/topics/bujiao/"


def test_a_later_page_is_canonical_for_itself_and_links_back_to_the_bare_address(client, long_topic):
    page = get(client, "/topics/bujiao/?page=2")

    assert "南昌第051个问题？" in page.main and "南昌第100个问题？" in page.main
    assert "南昌第001个问题？" not in page.main and "南昌第101个问题？" not in page.main
    assert page.canonical == f"{SITE}/topics/bujiao/?page=2"
    assert '<a href="/topics/bujiao/" rel="prev">上一页</a>' in page.html  # never ?page=1
    assert '<a href="/topics/bujiao/?page=3" rel="next">下一页</a>' in page.html
    assert f'<link rel="prev" href="{SITE}/topics/bujiao/">' in page.html
    assert "第 2 页，共 3 页" in page.main
    assert page.title.startswith("补缴：常见问题（第 2 页）")
    assert len(page.h1s) == 1


def test_the_last_page_has_the_rest_and_no_next_link(client, long_topic):
    page = get(client, "/topics/bujiao/?page=3")

    assert page.main.count("个问题？") == 20
    assert 'rel="next"' not in page.html and '<a href="/topics/bujiao/?page=2" rel="prev">上一页</a>' in page.html


@pytest.mark.parametrize("number", ["1", "0", "-1", "abc", "2.5", "", "１", "99999999999999999999", "01"])
def test_page_one_and_bad_page_numbers_are_sent_to_the_bare_address(client, long_topic, number):
    response = client.get("/topics/bujiao/", {"page": number})

    assert response.status_code == 301
    assert response["Location"] == "/topics/bujiao/"


def test_a_page_past_the_last_is_sent_to_the_last(client, long_topic):
    response = client.get("/topics/bujiao/", {"page": "9"})

    assert response.status_code == 302
    assert response["Location"] == "/topics/bujiao/?page=3"


def test_a_page_of_an_empty_topic_past_the_first_is_sent_to_the_bare_address(client, db):
    make_topic("kong", "空主题")

    response = client.get("/topics/kong/", {"page": "2"})

    assert response.status_code == 302 and response["Location"] == "/topics/kong/"
    assert "这个主题下暂时还没有问答。" in get(client, "/topics/kong/").main


def test_the_national_questions_come_fifty_to_a_page(client, national):
    add_questions(national, 60)

    first, second = get(client, "/topics/"), get(client, "/topics/?page=2")

    assert first.main.count("个问题？") == 50 and second.main.count("个问题？") == 10
    assert '<a href="/topics/?page=2" rel="next">下一页</a>' in first.html
    assert '<a href="/topics/" rel="prev">上一页</a>' in second.html
    assert "第 2 页，共 2 页" in second.main
    assert second.canonical == f"{SITE}/topics/?page=2"
    assert client.get("/topics/", {"page": "1"})["Location"] == "/topics/"


# --- the demo content (in place from here to the module's end) ------------------------------------


def test_a_short_topic_has_one_page_and_no_page_links(client, shared_demo):
    page = get(client, "/topics/bujiao/")

    assert 'rel="next"' not in page.html and 'rel="prev"' not in page.html
    assert "第 1 页" not in page.main
    assert page.canonical == f"{SITE}/topics/bujiao/"


def test_search_results_say_which_page_of_how_many(client, shared_demo):
    page = get(client, "/search/?q=医保&region=hezhou&page=2")

    assert "第 2 页，共" in page.main and 'rel="prev"' in page.html

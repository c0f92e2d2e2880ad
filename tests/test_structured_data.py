"""Structured data by the search engines' published rules: a question is marked up once, on its own
page, with the answer text that page shows; list pages mark up no questions; breadcrumbs stay."""

from __future__ import annotations

import pytest

from guides.models import Article, Region, Topic
from tests.test_guides import get, squash


def public_pages() -> list[str]:
    urls = ["/", "/topics/"]
    urls += [r.get_absolute_url() for r in Region.objects.exclude(kind=Region.NATIONAL)]
    urls += [t.get_absolute_url() for t in Topic.objects.all()]
    urls += [a.get_absolute_url() for a in Article.objects.published().select_related("region")]
    return urls


@pytest.fixture
def crawl(client, shared_demo):
    return {url: get(client, url) for url in public_pages()}


def questions(page) -> list[dict]:
    return [q for d in page.jsonld if d.get("@type") == "FAQPage" for q in d["mainEntity"]]


def test_every_live_question_is_marked_up_once_and_only_on_its_own_page(crawl):
    marked: dict[str, list[str]] = {}
    for url, page in crawl.items():
        for q in questions(page):
            marked.setdefault(q["url"], []).append(url)

    live = {
        f"https://yibao.example{a.get_absolute_url()}" for a in Article.objects.published().select_related("region")
    }
    assert set(marked) == live
    for question_url, pages in marked.items():
        assert pages == [question_url.removeprefix("https://yibao.example")], question_url


def test_list_pages_mark_up_no_questions_but_keep_their_breadcrumbs(crawl):
    for url in ["/", "/topics/", "/nanchang/", "/jiangxi/", "/topics/bujiao/"]:
        assert questions(crawl[url]) == [], url
    for url in ["/nanchang/", "/topics/bujiao/"]:
        crumbs = crawl[url].jsonld_of("BreadcrumbList")["itemListElement"]
        assert crumbs[0]["name"] == "首页"


def test_the_marked_up_answer_is_the_text_the_page_shows(crawl):
    checked = 0
    for url, page in crawl.items():
        for q in questions(page):
            assert q["name"] == page.h1s[0]
            answer = q["acceptedAnswer"]["text"]
            assert squash(answer) in squash(page.main), url
            assert "{{" not in answer and "<" not in answer, url
            checked += 1
    assert checked == Article.objects.published().count() > 40


def test_an_article_keeps_its_breadcrumbs(crawl):
    page = crawl["/nanchang/bujiao-duoshao-qian/"]
    names = [c["name"] for c in page.jsonld_of("BreadcrumbList")["itemListElement"]]
    assert names[:3] == ["首页", "江西省", "南昌"]
    assert names[-1] == page.h1s[0]

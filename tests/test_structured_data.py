"""Structured data by the search engines' published rules: a question is marked up once, on its own
page, with the answer text that page shows; list pages mark up no questions; breadcrumbs stay."""

from __future__ import annotations

import pytest

from guides.models import Article, Region, Topic
from tests.reading import Page, get, squash

SITE = "https://yibao.example"  # SITE_URL in tests (conftest.py)


def public_pages() -> list[str]:
    urls = ["/", "/topics/"]
    urls += [r.get_absolute_url() for r in Region.objects.exclude(kind=Region.NATIONAL)]
    urls += [t.get_absolute_url() for t in Topic.objects.all()]
    urls += [a.get_absolute_url() for a in Article.objects.published().select_related("region")]
    return urls


@pytest.fixture
def crawl(shared_demo, demo_site) -> dict[str, Page]:
    pages = {url: demo_site[url] for url in public_pages()}
    assert all(page.status == 200 for page in pages.values())
    return pages


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


@pytest.mark.django_db
def test_an_article_is_marked_up_as_a_question_with_breadcrumbs(client, shared_demo):
    article = Article.objects.get(region__slug="nanchang", slug="bujiao-duoshao-qian")

    page = get(client, "/nanchang/bujiao-duoshao-qian/")

    faq = page.jsonld_of("FAQPage")
    (question,) = faq["mainEntity"]
    assert question["@type"] == "Question"
    assert question["name"] == article.title
    assert question["url"] == f"{SITE}/nanchang/bujiao-duoshao-qian/"
    assert question["acceptedAnswer"]["text"].startswith(article.short_answer)
    assert "{{" not in question["acceptedAnswer"]["text"]
    crumbs = page.jsonld_of("BreadcrumbList")["itemListElement"]
    assert [(c["position"], c["name"], c["item"]) for c in crumbs] == [
        (1, "首页", f"{SITE}/"),
        (2, "江西省", f"{SITE}/jiangxi/"),
        (3, "南昌", f"{SITE}/nanchang/"),
        (4, article.title, f"{SITE}/nanchang/bujiao-duoshao-qian/"),
    ]


@pytest.mark.django_db
def test_a_region_guide_is_marked_up_with_breadcrumbs(client, shared_demo):
    page = get(client, "/hezhou/")

    crumbs = page.jsonld_of("BreadcrumbList")["itemListElement"]
    assert [(c["name"], c["item"]) for c in crumbs] == [
        ("首页", f"{SITE}/"),
        ("广西壮族自治区", f"{SITE}/guangxi/"),
        ("贺州", f"{SITE}/hezhou/"),
    ]
    assert [d for d in page.jsonld if d.get("@type") == "FAQPage"] == []  # questions: on their own pages

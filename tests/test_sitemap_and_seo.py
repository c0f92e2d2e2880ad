"""What search engines read: on every page type a title, a description, one <h1> and a clean canonical
link; the sitemap; robots.txt.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from guides.management.commands.load_demo import DEMO_DIR
from guides.models import Article, Region, Topic
from tests.demo_snapshot import PAGE_OF_EACH_TYPE
from tests.reading import get, read, sitemap_paths, sitemap_sections

SITE = "https://yibao.example"  # SITE_URL in tests (conftest.py)


# One page of each type, at the address it declares canonical.
PAGE_TYPES = {
    **PAGE_OF_EACH_TYPE,
    "calculator": "/calculator/",
    "region-calculator": "/nanchang/calculator/",
    "404": "/no-such-page/",
}


JSONLD_TYPES = {  # a question is marked up only on its own page (tests/test_structured_data.py)
    "/": [],
    "/nanchang/": ["BreadcrumbList"],
    "/jiangxi/": ["BreadcrumbList"],
    "/nanchang/bujiao-duoshao-qian/": ["FAQPage", "BreadcrumbList"],
    "/wenda/zhuanyi-zenme-banli/": ["FAQPage", "BreadcrumbList"],
    "/topics/": [],
    "/topics/bujiao/": ["BreadcrumbList"],
    "/calculator/": [],
    "/nanchang/calculator/": [],
    "/no-such-page/": [],
}


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGE_TYPES.values(), ids=PAGE_TYPES.keys())
def test_every_page_type_has_title_description_one_h1_and_canonical(client, shared_demo, settings, url):
    settings.DEBUG = False

    page = get(client, url, status=404 if url == "/no-such-page/" else 200)

    assert page.attrs("html", lang="zh-Hans")
    assert len(page.h1s) == 1 and page.h1s[0]
    assert page.title and page.title.endswith("· 医保办事指南") and page.title != "· 医保办事指南"
    assert page.description.strip()
    assert page.canonical == SITE + url
    kinds = [data["@type"] for data in page.jsonld]  # every JSON-LD block parses (json.loads in .jsonld)
    assert set(JSONLD_TYPES[url]) <= set(kinds), kinds
    for data in page.jsonld:
        assert data["@context"] == "https://schema.org"


@pytest.mark.django_db
def test_every_page_has_its_own_title(shared_demo, demo_site):
    titles = {}
    for url in PAGE_TYPES.values():
        titles[url] = demo_site[url].title
    urls = [a.get_absolute_url() for a in Article.objects.published().select_related("region")]
    for url in urls + ["/hezhou/", "/guangxi/", "/topics/zhuanyi/"]:
        assert demo_site[url].status == 200, url
        titles[url] = demo_site[url].title

    duplicates = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    assert not duplicates


@pytest.mark.django_db
def test_every_demo_page_has_exactly_one_h1(shared_demo, demo_site):
    urls = ["/", "/topics/", "/calculator/", "/nanchang/calculator/", "/hezhou/calculator/"]
    urls += [r.get_absolute_url() for r in Region.objects.exclude(kind=Region.NATIONAL)]
    urls += [t.get_absolute_url() for t in Topic.objects.all()]
    urls += [a.get_absolute_url() for a in Article.objects.published().select_related("region")]

    for url in urls:
        page = demo_site[url]
        assert page.status == 200, url
        assert len(page.h1s) == 1, (url, page.h1s)
        assert "{{" not in page.main, url  # every figure token was replaced


@pytest.mark.django_db
def test_the_canonical_link_drops_query_strings(client, shared_demo):
    page = get(client, "/nanchang/?from=wechat&utm_source=share")

    assert page.canonical == f"{SITE}/nanchang/"


@pytest.mark.django_db
def test_the_sitemap_lists_regions_and_published_articles(client, shared_demo):
    urls = sitemap_paths(client)
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

    for path in [
        "/",
        "/topics/",
        "/calculator/",
        "/jiangxi/",
        "/nanchang/",
        "/guangxi/",
        "/hezhou/",
        "/topics/bujiao/",
    ]:
        assert path in urls, path
    articles = Article.objects.published().select_related("region")
    assert articles.count() == len(list((DEMO_DIR / "articles").glob("*/*.md")))
    for article in articles:
        url = urls[article.get_absolute_url()]
        assert url.find(f"{ns}lastmod").text == timezone.localtime(article.updated_at).date().isoformat()
    assert "/national/" not in urls


@pytest.mark.django_db
def test_the_sitemap_lists_the_canonical_addresses(client, shared_demo, settings):
    # The sitemap is fetched at the real host behind a TLS-terminating proxy; its <loc>s must
    # be the same absolute URLs the pages declare as canonical (SITE_URL), as robots.txt does.
    settings.ALLOWED_HOSTS = ["yibao.example"]
    canonical = read(client.get("/nanchang/", HTTP_HOST="yibao.example")).canonical

    index = client.get("/sitemap.xml", HTTP_HOST="yibao.example")
    locs = [el.text for el in ET.fromstring(index.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"{SITE}/sitemap-regions.xml" in locs  # the index names its sections on SITE_URL too
    for section in sitemap_sections(client, HTTP_HOST="yibao.example"):
        response = client.get(section, HTTP_HOST="yibao.example")
        locs += [
            el.text for el in ET.fromstring(response.content).iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
        ]
    assert canonical == f"{SITE}/nanchang/"
    assert canonical in locs, f"sitemap lists {locs[0]!r}…, but the pages' canonical URLs start {SITE!r}"
    assert all(loc.startswith(SITE + "/") for loc in locs)


@pytest.mark.django_db
def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: https://yibao.example/sitemap.xml" in lines
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /" not in lines

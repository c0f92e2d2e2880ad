"""At national scale (`manage.py generate_scale`): every page type reads as many queries as at demo
size and its HTML stays under a stated size; the command refuses to write beside real content
without --yes and a re-run replaces what it made before.

CI builds a smaller set (80 cities, 600 articles: about two seconds); `make bench` the full size.
The command tests come first: from the first test that reads the module's scale set to the
module's end, that set is in the database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guides import synthetic
from guides.markdown import render_markdown
from guides.models import Article, PolicyEntry, Region, SearchToken, ServiceChannel
from tests.factories import make_article, make_region

CITIES, ARTICLES = 80, 600


def generate(*, yes: bool = True, cities: int = CITIES, articles: int = ARTICLES) -> str:
    out = StringIO()
    call_command("generate_scale", cities=cities, articles=articles, yes=yes, stdout=out)
    return out.getvalue()


def made_counts() -> dict[str, int]:
    mine = Region.objects.filter(slug__startswith="scale-")
    return {
        "provinces": mine.filter(kind=Region.PROVINCE).count(),
        "cities": mine.filter(kind=Region.CITY).count(),
        "articles": Article.objects.published().filter(slug__startswith="scale-").count(),
        "figures": PolicyEntry.objects.filter(region__in=mine).count(),
        "hotlines": ServiceChannel.objects.filter(region__in=mine, kind="hotline").count(),
        "tokens": SearchToken.objects.filter(article__slug__startswith="scale-").count(),
    }


# --- the command -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_in_chinese_without_yes_when_the_database_has_real_content():
    make_article(make_region("nanchang", name="南昌"), title="南昌医保断缴了怎么办？")

    with pytest.raises(CommandError, match="数据库里已有真实的问答或政策数据.*--yes"):
        generate(yes=False)

    assert not Region.objects.filter(slug__startswith="scale-").exists()
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_on_an_empty_database_it_builds_the_set_and_a_rerun_replaces_it():
    assert not Article.objects.exists()

    first = generate(yes=False, cities=35, articles=120)
    counts = made_counts()
    second = generate(yes=False, cities=35, articles=120)  # only its own rows: no --yes needed

    assert first.startswith("已生成：31 个省、35 个城市、120 篇问答")
    assert first.splitlines()[0] == first.strip()  # one line
    assert made_counts() == counts
    assert counts["provinces"] == 31 and counts["cities"] == 35 and counts["articles"] == 120
    assert counts["hotlines"] == 31 and counts["figures"] > 31 and counts["tokens"] > 120 * 50
    assert Region.objects.filter(kind=Region.NATIONAL).count() == 1
    assert second.startswith("已生成：31 个省、35 个城市、120 篇问答")


@pytest.mark.django_db
def test_with_yes_it_writes_beside_real_content_and_leaves_it_alone():
    real = make_article(make_region("nanchang", name="南昌"), title="南昌医保断缴了怎么办？")

    generate(cities=31, articles=50)
    generate(cities=32, articles=40)

    assert made_counts()["cities"] == 32 and made_counts()["articles"] == 40
    assert Article.objects.get(pk=real.pk).title == "南昌医保断缴了怎么办？"
    assert SearchToken.objects.filter(article=real).exists()


def test_generated_bodies_are_what_markdown_renders_and_hold_figure_tokens():
    rng = random.Random(3)
    for _ in range(20):
        body, html = synthetic.body(rng)
        assert html == render_markdown(body).strip()
        assert "{{ " in body


# --- pages at scale -----------------------------------------------------------------------------------

DEMO_PAGES = {
    "home": "/",
    "province": "/jiangxi/",
    "city": "/nanchang/",
    "article": "/nanchang/bujiao-duoshao-qian/",
    "national-article": "/wenda/zhuanyi-zenme-banli/",
    "topics": "/topics/",
    "topic": "/topics/bujiao/",
    "topic-later-page": "/topics/bujiao/",  # one page at demo size
    "search": "/search/?q=补缴",
    "sitemap": "/sitemap.xml",
    "sitemap-section": "/sitemap-articles.xml",
    "glossary": "/cihui/",
    "transfer": "/zhuanyi/?from=nanchang&to=hezhou&scheme=employee",
}

# HTML size bounds (bytes) at scale: none grows with the number of cities or articles.
SIZE_BOUND = {
    "home": 30_000,  # 26 KB at 333 cities (38 KB when it listed every city)
    "province": 40_000,
    "city": 40_000,
    "article": 40_000,
    "national-article": 40_000,
    "topics": 30_000,
    "topic": 30_000,
    "topic-later-page": 30_000,
    "search": 20_000,
    "glossary": 40_000,
    "transfer": 40_000,
}


def scale_pages() -> dict[str, str]:
    """A page of each type among the generated content: the province with the most cities."""
    provinces = Region.objects.filter(slug__startswith="scale-p")
    province = max(provinces, key=lambda p: p.children.count())
    city = province.children.order_by("order").first()
    other = Region.objects.filter(slug__startswith="scale-c").exclude(parent=province).first()
    article = Article.objects.filter(region__slug__startswith="scale-c").select_related("region").first()
    national = Article.objects.filter(region__kind=Region.NATIONAL, slug__startswith="scale-").first()
    return {
        **DEMO_PAGES,
        "province": province.get_absolute_url(),
        "city": city.get_absolute_url(),
        "article": article.get_absolute_url(),
        "national-article": national.get_absolute_url(),
        "topic-later-page": "/topics/bujiao/?page=2",
        "transfer": f"/zhuanyi/?from={city.slug}&to={other.slug}&scheme=employee",
    }


@dataclass
class Reading:
    status: int
    queries: list[str]
    html: str


def reading(client: Client, url: str) -> Reading:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return Reading(response.status_code, [q["sql"] for q in ctx.captured_queries], response.content.decode())


@pytest.fixture(scope="module")
def at_scale(demo_content, django_db_blocker):
    """Each page read at demo size, then with the scale set generated on top of the demo (kept for
    the module's later tests, undone at its end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        client = Client()
        for url in DEMO_PAGES.values():  # once, so one-off checks (SQLite's JSON support) are not counted
            client.get(url)
        before = {name: reading(client, url) for name, url in DEMO_PAGES.items()}
        output = generate()
        pages = scale_pages()
        after = {name: reading(client, url) for name, url in pages.items()}
        yield {"before": before, "after": after, "pages": pages, "output": output}
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_scale_set_is_there(at_scale):
    counts = made_counts()

    assert at_scale["output"].startswith(f"已生成：31 个省、{CITIES} 个城市、{ARTICLES} 篇问答")
    assert counts["provinces"] == 31 and counts["cities"] == CITIES and counts["articles"] == ARTICLES
    assert Article.objects.filter(slug__startswith="scale-", featured=True).exists()
    assert PolicyEntry.objects.filter(region__slug__startswith="scale-", status=PolicyEntry.UNVERIFIED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", DEMO_PAGES)
def test_each_page_type_reads_as_many_queries_at_scale_as_at_demo_size(at_scale, name):
    before, after = at_scale["before"][name], at_scale["after"][name]

    assert before.status == after.status == 200, at_scale["pages"][name]
    assert len(after.queries) == len(before.queries), "\n".join(after.queries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", SIZE_BOUND)
def test_each_page_stays_under_its_size_at_scale(at_scale, name):
    size = len(at_scale["after"][name].html.encode())

    assert size <= SIZE_BOUND[name], f"{at_scale['pages'][name]}: {size} bytes"


@pytest.mark.django_db
def test_the_home_page_lists_a_few_cities_per_province_and_links_to_the_rest(at_scale, client):
    province = max(Region.objects.filter(slug__startswith="scale-p"), key=lambda p: p.children.count())
    cities = list(province.children.order_by("order", "slug"))
    html = at_scale["after"]["home"].html

    assert len(cities) > 4
    assert f'<a class="more-cities" href="/{province.slug}/">全部 {len(cities)} 个城市</a>' in html
    assert f'href="/{cities[0].slug}/"' in html and f'href="/{cities[-1].slug}/"' not in html
    assert 'href="/nanchang/"' in html and 'href="/hezhou/"' in html  # the demo's cities are all shown


@pytest.mark.django_db
def test_the_sitemap_index_names_every_section_page_each_bounded(at_scale, client):
    index = at_scale["after"]["sitemap"].html

    for section in ("pages", "regions", "topics", "articles"):
        assert f"<loc>https://yibao.example/sitemap-{section}.xml</loc>" in index
    section = at_scale["after"]["sitemap-section"].html
    assert section.count("<url>") == Article.objects.published().count() <= 2000

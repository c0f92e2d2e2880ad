"""Time site search over 10,000 synthetic published articles (part of `make bench`).

The synthetic regions and articles are created inside one transaction that is rolled back at the
end, so nothing is left in the database and real content is never touched (the real articles
take part in the searches, read-only). Prints p50/p95/max in ms for the search itself (its two
queries and the ranking) over ~200 mixed queries, and for the whole page and the htmx suggestions
over the first 50, with the database vendor. Target: p95 ≤ 30 ms
on PostgreSQL. It prints figures and never fails.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time
from urllib.parse import urlencode

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

from guides import synthetic
from guides.models import Article, Region
from guides.search import search
from guides.synthetic import PHRASES

# Queries citizens type: synonyms, places, long questions, and words no article holds.
QUERIES = [
    "断交",
    "断交了怎么办",
    "南昌 补缴",
    "南昌 转医保",
    "贺州 断保",
    "转医保",
    "灵活就业 等多久",
    "补交",
    "个人账户余额",
    "居民医保 新农合",
    "退休 交多少年",
    "新生儿 参保",
    "滞纳金 谁交",
    "异地就医 备案",
    "医保卡丢了",
    "停保以后还能报销吗",
    "自由职业 补费",
    "失业 医保",
    "南昌",
    "广西",
    "火星移民",
    "量子计算机",
    "宠物保险",
    "养老金计算",
    "app",
    "12393",
    "补",
]
PAGES = 50  # queries also timed as whole pages and as htmx suggestions
LONG = "我在广东打工交了三年职工医保后来回老家灵活就业断了半年现在想补缴还想知道个人账户余额能不能转回来要等多久才能报销住院费用"


def percentiles(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, round(len(ordered) * 0.95) - 1)], ordered[-1]


class Command(BaseCommand):
    help = "Benchmark site search at 10,000 synthetic articles (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=10_000)
        parser.add_argument("--regions", type=int, default=300)
        parser.add_argument("--queries", type=int, default=200)

    def handle(self, *args, articles: int, regions: int, queries: int, **options):
        rng = random.Random(8)
        with transaction.atomic():
            places = self.make_regions(rng, regions)
            made = self.make_articles(rng, places, articles)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE guides_article")
                    cursor.execute("ANALYZE guides_searchtoken")
            mix = self.query_mix(rng, places, queries)
            self.stdout.write(
                f"search: {made} synthetic + {Article.objects.count() - made} real articles, "
                f"{len(places)} synthetic cities, {len(mix)} queries, database: {connection.vendor}"
            )
            self.run(mix)
            transaction.set_rollback(True)  # nothing synthetic survives

    def make_regions(self, rng: random.Random, count: int) -> list[Region]:
        national = Region.objects.filter(kind=Region.NATIONAL).first() or Region.objects.create(
            slug="bench-national", name="全国", kind=Region.NATIONAL
        )
        names = synthetic.place_names(rng)
        provinces = [
            Region.objects.create(slug=f"bench-p{i}", name=names.pop() + "省", kind=Region.PROVINCE, parent=national)
            for i in range(max(1, count // 15))
        ]
        cities = [
            Region(slug=f"bench-c{i}", name=names.pop(), kind=Region.CITY, parent=provinces[i % len(provinces)])
            for i in range(count)
        ]
        return Region.objects.bulk_create(cities)

    def make_articles(self, rng: random.Random, places: list[Region], count: int) -> int:
        now = timezone.now() - datetime.timedelta(days=1)
        batch = []
        for i in range(count):
            place = places[i % len(places)]
            body, body_html = synthetic.body(rng)
            article = Article(
                title=synthetic.question(rng, place.name),
                slug=f"bench-{i}",
                region=place,
                short_answer=synthetic.short_answer(rng),
                body=body,
                body_html=body_html,
                status=Article.PUBLISHED,
                published_at=now,
                order=i % 20,
            )
            batch.append(article)
        made = synthetic.with_keys(Article.objects.bulk_create(batch, batch_size=1000), "bench-")
        synthetic.index_articles(made)
        return count

    def query_mix(self, rng: random.Random, places: list[Region], count: int) -> list[tuple[str, str]]:
        """(query, region slug) pairs: the fixed list, synthetic places with a topic, long and cut-off
        questions, with and without the region of the page the citizen came from."""
        mix = [(q, "") for q in QUERIES] + [(q, "nanchang") for q in QUERIES[:10]] + [(LONG, ""), (LONG * 3, "")]
        while len(mix) < count:
            place = rng.choice(places)
            kind = rng.random()
            if kind < 0.4:
                mix.append((f"{place.name} {rng.choice(['补缴', '断交', '转医保', '等多久', '滞纳金'])}", ""))
            elif kind < 0.7:
                mix.append((rng.choice(QUERIES), place.slug))
            elif kind < 0.85:
                mix.append((rng.choice(PHRASES)[: rng.randint(6, 30)], ""))
            else:
                mix.append(
                    (rng.choice(["火星", "宠物", "量子", "彩票", "股票"]) + rng.choice(["怎么办", "保险", "报销"]), "")
                )
        return mix[:count]

    def run(self, mix: list[tuple[str, str]]) -> None:
        plain = {
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        }
        for q, region in mix[:10]:  # warm up connections, caches and templates
            search(q, region)
        times = []
        for q, region in mix:
            start = time.perf_counter()
            search(q, region)
            times.append((time.perf_counter() - start) * 1000)
        p50, p95, worst = percentiles(times)
        self.stdout.write(
            f"{'search · ranked page of 20':<52} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   max {worst:6.2f} ms"
        )
        with override_settings(STORAGES=plain, ALLOWED_HOSTS=["testserver"]):
            client = Client()
            page_times, hx_times = [], []
            for q, region in mix[:PAGES]:
                url = "/search/?" + urlencode({"q": q, "region": region} if region else {"q": q})
                start = time.perf_counter()
                client.get(url)
                page_times.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                client.get(url, HTTP_HX_REQUEST="true")
                hx_times.append((time.perf_counter() - start) * 1000)
        for label, series in (
            (f"page   · /search/?q=… ({PAGES} queries)", page_times),
            (f"htmx   · suggestions ({PAGES} queries)", hx_times),
        ):
            p50, p95, worst = percentiles(series)
            self.stdout.write(f"{label:<52} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   max {worst:6.2f} ms")
        self.stdout.write("Target: search p95 ≤ 30 ms at 10,000 articles on PostgreSQL.")

"""Build a synthetic national-scale data set for benchmarks and tests:
`python manage.py generate_scale --cities 333 --articles 10000`.

31 provinces under the national region, the cities spread unevenly over them (a few provinces
hold 20–30), published national, provincial and city questions with figure tokens, topics,
related links and a few featured ones, approved figures for every province and some cities
(a share unverified), a hotline for every province and some offices and apps, and the search
index. Everything it makes has a slug starting with `scale-`; a re-run deletes that and builds it
again. Rows go in with bulk_create (no history rows, no signals), about 20 s for the full size
on PostgreSQL.

It never writes into a database with real content by accident: it refuses unless `--yes` is
given or the database holds no article or figure it did not make itself.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from config.pagecache import content_changed
from guides import synthetic
from guides.figures import MONEY, get_spec
from guides.management.commands.load_demo import read_json
from guides.models import (
    Article,
    ArticleRedirect,
    Feedback,
    PolicyEntry,
    PreviewLink,
    Region,
    SearchToken,
    ServiceChannel,
    Topic,
)

PREFIX = "scale-"
PROVINCES = 31
# Shares of the articles: national questions, provincial ones; the rest are cities'.
NATIONAL_SHARE, PROVINCE_SHARE = 0.01, 0.15
FEATURED_SHARE, RELATED_SHARE, UNVERIFIED_SHARE = 0.01, 0.2, 0.2
CITY_FIGURE_SHARE, OFFICE_SHARE, APP_SHARE = 0.3, 0.25, 0.5
# Figures copied, with other values, from the demo's province and city (guides/demo/figures.json).
PROVINCE_TEMPLATE, CITY_TEMPLATE = "jiangxi", "nanchang"


def own_articles(national: Region | None) -> Q:
    """The articles generate_scale made: in its regions, or its national questions."""
    mine = Q(region__slug__startswith=PREFIX)
    return mine | Q(region=national, slug__startswith=PREFIX) if national else mine


def has_real_content() -> bool:
    national = Region.objects.filter(kind=Region.NATIONAL).first()
    return (
        Article.objects.exclude(own_articles(national)).exists()
        or PolicyEntry.objects.exclude(region__slug__startswith=PREFIX).exists()
    )


def remove_own(national: Region | None) -> None:
    """Delete what an earlier run made, with plain DELETEs: the ORM's cascade would read every row
    and write a history row for each (simple-history's delete signal)."""
    articles = Article.objects.filter(own_articles(national))
    regions = Region.objects.filter(slug__startswith=PREFIX)
    Feedback.objects.filter(Q(article__in=articles) | Q(region__in=regions)).update(article=None, region=None)
    for rows in (
        SearchToken.objects.filter(article__in=articles),
        ArticleRedirect.objects.filter(Q(article__in=articles) | Q(region__in=regions)),
        PreviewLink.objects.filter(article__in=articles),
        Article.topics.through.objects.filter(article__in=articles),
        Article.related.through.objects.filter(Q(from_article__in=articles) | Q(to_article__in=articles)),
    ):
        rows._raw_delete(rows.db)
    for later in (
        Article.objects.filter(pk__in=list(articles.values_list("pk", flat=True))),
        PolicyEntry.objects.filter(region__in=regions),
        ServiceChannel.objects.filter(region__in=regions),
        Region.objects.filter(slug__startswith=PREFIX, kind=Region.CITY),
        Region.objects.filter(slug__startswith=PREFIX),
    ):
        later._raw_delete(later.db)


def other_value(key: str, value: str, rng: random.Random) -> str:
    """A money figure within ±15 % of the template's (inside the spec's bounds); others unchanged."""
    spec = get_spec(key)
    if spec.type != MONEY:
        return value
    changed = (Decimal(value) * Decimal(rng.uniform(0.85, 1.15))).quantize(Decimal("1"))
    if spec.min is not None:
        changed = max(changed, spec.min)
    if spec.max is not None:
        changed = min(changed, spec.max)
    return str(spec.parse(changed))


class Command(BaseCommand):
    help = "生成全国规模的测试数据（31 个省、若干城市、上万篇问答），用于性能测试；会替换上次生成的数据。"

    def add_arguments(self, parser):
        parser.add_argument("--cities", type=int, default=333, help="城市数量（默认 333）")
        parser.add_argument("--articles", type=int, default=10_000, help="问答数量（默认 10000）")
        parser.add_argument("--seed", type=int, default=11, help="随机种子，同一种子生成同样的数据")
        parser.add_argument("--yes", action="store_true", help="数据库里已有真实内容时也照样生成")

    def handle(self, *args, cities: int, articles: int, seed: int, yes: bool, **options):
        if cities < PROVINCES or articles < 1:
            raise CommandError(f"城市数量至少 {PROVINCES} 个（每个省至少一个），问答至少 1 篇。")
        if cities > 700:
            raise CommandError("城市数量最多 700 个（合成地名不够用）。")
        if not yes and has_real_content():
            raise CommandError(
                "数据库里已有真实的问答或政策数据，为防止误写生产库，已停止。确认这是测试库后，请加上 --yes 再运行。"
            )
        started = time.perf_counter()
        self.verbosity = options["verbosity"]
        rng = random.Random(seed)
        with transaction.atomic():
            national = Region.objects.filter(kind=Region.NATIONAL).first()
            remove_own(national)
            self.step("removed the earlier run's rows", started)
            if national is None:
                national = Region.objects.create(slug="national", name="全国", kind=Region.NATIONAL)
            topics = self.topics()
            provinces, city_list = self.make_regions(rng, national, cities)
            figures = self.make_figures(rng, provinces, city_list)
            channels = self.make_channels(rng, provinces, city_list)
            made = self.make_articles(rng, national, provinces, city_list, topics, articles)
            self.step("regions, figures, channels, articles", started)
            tokens = synthetic.index_articles(made)
            self.step("search index", started)
            content_changed()  # bulk_create sends no signals: retire the cached pages here
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in ("guides_region", "guides_article", "guides_searchtoken", "guides_policyentry"):
                    cursor.execute(f"ANALYZE {table}")
        self.stdout.write(
            f"已生成：{len(provinces)} 个省、{len(city_list)} 个城市、{len(made)} 篇问答、{figures} 条政策数据、"
            f"{channels} 个办事渠道、{tokens} 条搜索索引（{connection.vendor}，{time.perf_counter() - started:.1f} 秒）。"
        )

    def step(self, what: str, started: float) -> None:
        if self.verbosity > 1:
            self.stdout.write(f"{time.perf_counter() - started:6.1f} s  {what}")

    def topics(self) -> list[Topic]:
        """The site's topics; on an empty database, the demo's (guides/demo/topics.json)."""
        if not Topic.objects.exists():
            Topic.objects.bulk_create([Topic(**row) for row in read_json("topics.json")])
        return list(Topic.objects.all())

    def make_regions(self, rng: random.Random, national: Region, cities: int) -> tuple[list[Region], list[Region]]:
        names = synthetic.place_names(rng)
        provinces = Region.objects.bulk_create(
            [
                Region(
                    slug=f"{PREFIX}p{i + 1:02d}",
                    name=names.pop() + ("自治区" if i % 7 == 6 else "省"),
                    kind=Region.PROVINCE,
                    parent=national,
                    summary="省内各市共用的医保规定和办事渠道（合成测试数据）。",
                    order=1000 + i * 100,
                )
                for i in range(PROVINCES)
            ]
        )
        # Every province has a city; the rest go unevenly, so some provinces hold 20–30.
        weights = [rng.random() ** 2 + 0.05 for _ in provinces]
        homes = list(provinces) + rng.choices(provinces, weights=weights, k=cities - len(provinces))
        homes.sort(key=lambda p: p.order)
        rows: list[Region] = []
        seen: dict[int, int] = {}
        for i, province in enumerate(homes):
            seen[province.pk] = seen.get(province.pk, 0) + 1
            name = names.pop()
            rows.append(
                Region(
                    slug=f"{PREFIX}c{i + 1:03d}",
                    name=name,
                    kind=Region.CITY,
                    parent=province,
                    summary=f"{name}参保人常问的医保问题（合成测试数据）。",
                    order=province.order + seen[province.pk],
                )
            )
        return provinces, Region.objects.bulk_create(rows)

    def make_figures(self, rng: random.Random, provinces: list[Region], cities: list[Region]) -> int:
        templates = read_json("figures.json")
        by_region = {
            PROVINCE_TEMPLATE: [t for t in templates if t["region"] == PROVINCE_TEMPLATE],
            CITY_TEMPLATE: [t for t in templates if t["region"] == CITY_TEMPLATE],
        }
        today = timezone.localdate()
        rows = []
        places = [(p, PROVINCE_TEMPLATE) for p in provinces]
        places += [(c, CITY_TEMPLATE) for c in cities if rng.random() < CITY_FIGURE_SHARE]
        for place, template in places:
            for t in by_region[template]:
                rows.append(
                    PolicyEntry(
                        region=place,
                        key=t["key"],
                        value=other_value(t["key"], t["value"], rng),
                        effective_from=datetime.date.fromisoformat(t["effective_from"]),
                        effective_to=datetime.date.fromisoformat(t["effective_to"]) if t["effective_to"] else None,
                        source_title=f"{place.name}医疗保障局关于{get_spec(t['key']).label}的通知（合成）",
                        source_issuer=f"{place.name}医疗保障局",
                        source_url=t["source_url"],
                        verified_on=today - datetime.timedelta(days=rng.randint(0, 400)),
                        status=PolicyEntry.UNVERIFIED if rng.random() < UNVERIFIED_SHARE else PolicyEntry.VERIFIED,
                        note="",
                        state=PolicyEntry.PUBLISHED,
                    )
                )
        return len(PolicyEntry.objects.bulk_create(rows, batch_size=2000))

    def make_channels(self, rng: random.Random, provinces: list[Region], cities: list[Region]) -> int:
        rows = []
        for i, province in enumerate(provinces):
            area = f"0{771 + i * 7}"
            rows.append(
                ServiceChannel(
                    region=province,
                    kind="hotline",
                    key="yibao_hotline",
                    name=f"{province.name}医保服务热线",
                    detail=f"{area}-12393",
                    note="咨询参保、缴费、报销和转移接续。",
                    order=1,
                )
            )
            if rng.random() < APP_SHARE:
                rows.append(
                    ServiceChannel(
                        region=province,
                        kind="app",
                        name=f"{province.name}医保",
                        detail="在手机应用商店搜索下载",
                        note="查缴费记录，办理补缴和转移接续。",
                        order=2,
                    )
                )
        for city in cities:
            if rng.random() < OFFICE_SHARE:
                rows.append(
                    ServiceChannel(
                        region=city,
                        kind="office",
                        name=f"{city.name}医保服务大厅",
                        address=f"{city.name}市政务服务中心一楼",
                        hours="工作日 9:00–17:00",
                        note="补缴、转移接续、异地就医备案。",
                        order=3,
                    )
                )
        return len(ServiceChannel.objects.bulk_create(rows))

    def make_articles(
        self,
        rng: random.Random,
        national: Region,
        provinces: list[Region],
        cities: list[Region],
        topics: list[Topic],
        count: int,
    ) -> list[Article]:
        now = timezone.now()
        n_national = max(1, round(count * NATIONAL_SHARE))
        n_province = round(count * PROVINCE_SHARE)
        batch = []
        for i in range(count):
            if i < n_national:
                place = national
            elif i < n_national + n_province:
                place = provinces[i % len(provinces)]
            else:
                place = cities[i % len(cities)]
            body, body_html = synthetic.body(rng)
            batch.append(
                Article(
                    title=synthetic.question(rng, "" if place.is_national else place.name),
                    slug=f"{PREFIX}{i + 1}",
                    region=place,
                    short_answer=synthetic.short_answer(rng),
                    body=body,
                    body_html=body_html,
                    status=Article.PUBLISHED,
                    published_at=now - datetime.timedelta(days=rng.randint(1, 700)),
                    reviewed_on=now.date() - datetime.timedelta(days=rng.randint(0, 300)),
                    featured=rng.random() < FEATURED_SHARE,
                    order=100 + i % 50,
                )
            )
        made = synthetic.with_keys(Article.objects.bulk_create(batch, batch_size=1000), PREFIX)
        through = Article.topics.through
        links = []
        for article in made:
            for topic in rng.sample(topics, min(len(topics), rng.randint(1, 2))):
                links.append(through(article_id=article.pk, topic_id=topic.pk))
        through.objects.bulk_create(links, batch_size=5000)
        related = Article.related.through
        by_region: dict[int, list[Article]] = {}
        for article in made:
            by_region.setdefault(article.region_id, []).append(article)
        pairs = []
        for article in made:
            if rng.random() < RELATED_SHARE:
                near = by_region[article.region_id] + by_region[national.pk]
                for other in {a.pk: a for a in rng.sample(near, min(len(near), 3))}.values():
                    if other.pk != article.pk:
                        pairs.append(related(from_article_id=article.pk, to_article_id=other.pk))
        related.objects.bulk_create(pairs, batch_size=5000)
        return made

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

from guides.models import Article, Region, SearchToken
from guides.search import search
from guides.search_index import article_tokens

# Two-character place names from characters no query or phrase below uses.
PLACE_CHARS = "岚汐澜枫桐梧栖霞岱崟溪泠沅湄澧峄嵩岑潆蘅芷蔚蓁檀榆楸"
SCHEMES = ["职工医保", "居民医保", "灵活就业人员医保", "城乡居民医保", "新生儿医保", "退休人员医保"]
ASKS = [
    "断缴了怎么补缴？",
    "断了几个月，还能报销吗？",
    "补缴要交多少钱？",
    "转到外地要怎么办？",
    "补缴后要等多久才能报销？",
    "每年什么时候续费？",
    "单位漏缴了谁来补？",
    "交满多少年退休后不用再交？",
    "个人账户的钱能取出来吗？",
    "异地就医怎么备案？",
    "失业期间怎么续保？",
    "错过集中缴费期还能交吗？",
]
PHRASES = [
    "按月缴费的参保人，停交的下一个月起就不能再报销门诊和住院费用",
    "断缴期间发生的医药费，一般要等恢复缴费并过了等待期以后才能报销",
    "以前交的钱不会白交，累计缴费年限一直保留在个人的参保记录里",
    "连续参保年限中断以后要重新计算，大病保险的奖励额度也可能取消",
    "单位原因造成的漏缴，由单位补缴单位和个人两部分，滞纳金由单位承担",
    "个人原因断缴的，先确认当地是否允许补缴，再带身份证到医保窗口办理",
    "灵活就业人员可以在手机应用里选择缴费基数，按月或按年缴费",
    "居民医保一年一交，集中参保期内缴费的，从次年一月一日起享受待遇",
    "错过集中参保期的，缴费后要经过一段待遇等待期才能报销",
    "换城市工作时，先在新参保地参保，再申请把医保关系转移过去",
    "职工医保的个人账户余额和缴费年限可以跟着转移，统筹基金不转",
    "转移接续的空档不超过规定月数的，可以按新参保地的规定补缴",
    "转出地和转入地都有办理时限，办理进度可以在国家医保服务平台查询",
    "退休时累计缴费年限不够的，可以继续缴费到规定年限再享受退休待遇",
    "新生儿出生后在规定天数内参保的，从出生之日起就能报销",
    "领取失业保险金期间，由失业保险基金代缴职工医保费用",
    "异地就医前先在手机上办理备案，住院时就可以直接结算",
    "家庭共济可以用职工医保个人账户给配偶、父母和子女缴费",
    "缴费基数在社平工资的一定比例之间，低于下限的按下限缴纳",
    "补缴的金额按断缴月数乘以缴费基数和缴费比例计算",
    "具体标准每年会调整，办理之前最好打医保服务热线确认一下",
    "线下办理要带身份证和社保卡，单位原因断缴还要带劳动合同",
    "大病保险在基本医保报销之后，对个人负担较重的部分再报销一次",
    "医疗救助对象参加居民医保的个人缴费部分可以得到资助",
    "学生和儿童一般随学校或户籍所在地参加城乡居民医保",
    "个人账户的钱可以用来买药和看门诊，不能随意取现",
]
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
        names = [a + b for a in PLACE_CHARS for b in PLACE_CHARS if a != b]
        rng.shuffle(names)
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
            title = f"{place.name}{rng.choice(SCHEMES)}{rng.choice(ASKS)}"[:80]
            short = "。".join(rng.sample(PHRASES, 2)) + "。"
            paragraphs, size = [], 0
            target = rng.randint(350, 650)  # characters: about 1–2 KB of UTF-8
            while size < target:
                sentence = "，".join(rng.sample(PHRASES, 2)) + "。"
                paragraphs.append(sentence)
                size += len(sentence)
            body = "\n\n".join(["## 怎么办", *paragraphs])
            article = Article(
                title=title,
                slug=f"bench-{i}",
                region=place,
                short_answer=short[:160],
                body=body,
                body_html="<h2>怎么办</h2>" + "".join(f"<p>{p}</p>" for p in paragraphs),
                status=Article.PUBLISHED,
                published_at=now,
                order=i % 20,
            )
            batch.append(article)
        made = Article.objects.bulk_create(batch, batch_size=1000)
        if made and made[0].pk is None:  # a database that does not return keys from bulk inserts
            made = list(Article.objects.filter(slug__startswith="bench-").order_by("pk"))
        tokens: list[SearchToken] = []
        for article in made:
            tokens.extend(SearchToken(article=article, token=t, in_head=h) for t, h in article_tokens(article).items())
            if len(tokens) >= 50_000:
                SearchToken.objects.bulk_create(tokens, batch_size=5000)
                tokens = []
        SearchToken.objects.bulk_create(tokens, batch_size=5000)
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

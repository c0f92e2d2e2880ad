"""Print the server time of every public page type, uncached and with the page cache (part of `make bench`).

In-process through django.test.Client, so every middleware runs (the page cache included) but no network:
median and p95 ms, database queries and bytes per page type, next to the aims (issue 11: the estimator
fragment ≤ 5 ms median; ≤ 5 queries on every page type). "Uncached" is PAGE_CACHE_SECONDS=0; "cached" is the
page cache as configured (config/pagecache.py), measured after one warming request. Every request is a
first-time anonymous visitor (no cookies). It prints figures and never fails on a missed aim.

    manage.py bench_pages                 the configured database (after `load_demo`: demo size)
    manage.py bench_pages --scale         the scale data set (333 cities, 10,000 articles) in its own
                                          database: BENCH_DATABASE_URL, else SQLite bench-scale.sqlite3;
                                          built with generate_scale once, rebuilt when the migrations or
                                          the generator change; the developer's database is never touched
    manage.py bench_pages --scale --prepare-only    only build (or check) that database
    manage.py bench_pages --list-urls     print "type<TAB>url" lines of sample pages (scripts/loadtest)
"""

from __future__ import annotations

import gzip
import hashlib
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit

from django.conf import settings
from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from guides.models import Article, Region, Topic

BASE_DIR = Path(settings.BASE_DIR)
SCALE_SQLITE = "bench-scale.sqlite3"
SCALE_CITIES, SCALE_ARTICLES = 333, 10_000
FRAGMENT_AIM_MS = 5.0
QUERY_AIM = 5
STAMP_TABLE = "bench_scale_stamp"
# A query every data set can answer (the search page's ranked results and their count).
SEARCH_QUERY = "断缴 补缴"
PLAIN_STORAGES = {
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
}


def scale_database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{SCALE_SQLITE}"


def scale_digest(cities: int, articles: int) -> str:
    """What the scale database was built from: every migration, the generator and its size."""
    digest = hashlib.sha256(f"{cities}/{articles}".encode())
    sources = sorted(BASE_DIR.glob("*/migrations/*.py")) + [
        BASE_DIR / "guides/management/commands/generate_scale.py",
        BASE_DIR / "guides/management/commands/load_demo.py",
        BASE_DIR / "guides/synthetic.py",
    ]
    for path in sources:
        if path.exists():
            digest.update(str(path.relative_to(BASE_DIR)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def sqlite_file(url: str) -> Path:
    """The file a sqlite:/// URL names, read as config/settings.py reads DATABASE_URL."""
    path = urlsplit(url).path
    return BASE_DIR / unquote(path[1:] if path.startswith("/") else path)


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, min(len(ordered) - 1, round(len(ordered) * share) - 1))]


class Command(BaseCommand):
    help = "Benchmark every public page type, uncached and with the page cache; --scale for 333 cities/10,000 articles."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=40, help="timed requests per page type and mode")
        parser.add_argument("--quick", action="store_true", help="3 runs each (a smoke test)")
        parser.add_argument("--label", default="", help="the data set's name in the heading")
        parser.add_argument("--scale", action="store_true", help="run on the scale database (built if needed)")
        parser.add_argument("--prepare-only", action="store_true", help="with --scale: only build the database")
        parser.add_argument("--cities", type=int, default=SCALE_CITIES)
        parser.add_argument("--articles", type=int, default=SCALE_ARTICLES)
        parser.add_argument("--list-urls", action="store_true", help="print sample URLs per page type")
        # Internal steps run in a subprocess against the scale database.
        parser.add_argument("--read-stamp", action="store_true", help="(internal)")
        parser.add_argument("--write-stamp", default="", help="(internal)")
        parser.add_argument("--reset-database", action="store_true", help="(internal)")

    def handle(self, *args, **options):
        if options["read_stamp"]:
            self.stdout.write(self.read_stamp())
            return
        if options["write_stamp"]:
            self.write_stamp(options["write_stamp"])
            return
        if options["reset_database"]:
            self.reset_database()
            return
        if options["scale"]:
            self.run_scale(options)
            return
        if options["list_urls"]:
            for kind, url, hx in self.sample_urls(many=True):
                self.stdout.write(f"{kind}\t{url}\t{'hx' if hx else ''}")
            return
        runs = 3 if options["quick"] else options["runs"]
        self.bench(options["label"] or "configured database", runs)

    # The scale database: built in a subprocess so nothing ever reaches the developer's database.

    def manage(self, url: str, *args: str, capture: bool = False) -> subprocess.CompletedProcess:
        env = {**os.environ, "DATABASE_URL": url}
        return subprocess.run(
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            env=env,
            cwd=BASE_DIR,
            check=True,
            text=True,
            capture_output=capture,
        )

    def run_scale(self, options) -> None:
        url = scale_database_url()
        self.check_bench_url(url)
        cities, articles = options["cities"], options["articles"]
        want = scale_digest(cities, articles)
        shown = url.split("@")[-1]
        have = ""
        if not url.startswith("sqlite") or sqlite_file(url).exists():
            try:
                have = self.manage(url, "bench_pages", "--read-stamp", capture=True).stdout.strip()
            except subprocess.CalledProcessError:
                have = ""
        if have == want:
            self.stdout.write(f"scale: reusing the scale database ({shown}, built {want})")
        else:
            self.stdout.write(
                f"scale: building the scale database ({shown}; {cities} cities, {articles} articles; a few minutes)…"
            )
            start = time.perf_counter()
            if url.startswith("sqlite"):
                sqlite_file(url).unlink(missing_ok=True)
            else:
                self.manage(url, "bench_pages", "--reset-database")
            self.manage(url, "migrate", "--noinput", "--verbosity", "0")
            self.manage(url, "load_demo", capture=True)
            self.manage(url, "generate_scale", "--cities", str(cities), "--articles", str(articles), "--yes")
            self.manage(url, "bench_pages", "--write-stamp", want)
            self.stdout.write(f"scale: built in {time.perf_counter() - start:.0f} s")
        if options["prepare_only"]:
            return
        extra = ["--quick"] if options["quick"] else ["--runs", str(options["runs"])]
        self.stdout.flush()
        self.manage(url, "bench_pages", "--label", f"scale ({cities} cities, {articles} articles)", *extra)

    def check_bench_url(self, url: str) -> None:
        """Refuse any database but one meant for benchmarks: it is emptied and refilled."""
        name = Path(urlsplit(url).path).name
        if "bench" not in name:
            raise CommandError(f"the benchmark database's name must contain 'bench' (it is rebuilt): {name!r}")
        if url == os.environ.get("DATABASE_URL"):
            raise CommandError("BENCH_DATABASE_URL must not be the site's DATABASE_URL")

    def read_stamp(self) -> str:
        with connection.cursor() as cursor:
            if STAMP_TABLE not in connection.introspection.table_names(cursor):
                return ""
            cursor.execute(f"SELECT digest FROM {STAMP_TABLE}")
            row = cursor.fetchone()
        return row[0] if row else ""

    def write_stamp(self, digest: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {STAMP_TABLE} (digest varchar(64))")
            cursor.execute(f"DELETE FROM {STAMP_TABLE}")
            cursor.execute(f"INSERT INTO {STAMP_TABLE} (digest) VALUES (%s)", [digest])

    def reset_database(self) -> None:
        name = str(settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"])
        if "bench" not in Path(name).name:
            raise CommandError(f"refusing to empty {name!r}: not a benchmark database")
        if connection.vendor != "postgresql":
            raise CommandError("--reset-database is for PostgreSQL (SQLite files are deleted instead)")
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")

    # The pages.

    def sample_urls(self, *, many: bool = False) -> list[tuple[str, str, bool]]:
        """(page type, URL, htmx?) — one of each type, or with many=True a spread for a load mix."""
        rng = random.Random(11)
        count = 200 if many else 1
        live = Article.objects.published().select_related("region")
        cities = list(Region.objects.filter(kind=Region.CITY, articles__in=live).distinct().order_by("pk")[:400])
        provinces = list(Region.objects.filter(kind=Region.PROVINCE).order_by("pk"))
        local = list(live.exclude(region__kind=Region.NATIONAL).order_by("pk").values_list("pk", flat=True))
        national = list(live.filter(region__kind=Region.NATIONAL).order_by("pk")[:50])
        topics = list(Topic.objects.all())

        def pick(items: list, k: int) -> list:
            return rng.sample(items, min(k if many else 1, len(items)))

        chosen = Article.objects.filter(pk__in=pick(local, count)).select_related("region")
        urls: list[tuple[str, str, bool]] = [("home", "/", False)]
        urls += [("city guide", c.get_absolute_url(), False) for c in pick(cities, 50)]
        urls += [("province guide", p.get_absolute_url(), False) for p in pick(provinces, 31)]
        urls += [("article", a.get_absolute_url(), False) for a in chosen]
        urls += [("national article", a.get_absolute_url(), False) for a in pick(national, 50)]
        urls += [("topics", "/topics/", False)]
        urls += [("topic", t.get_absolute_url(), False) for t in pick(topics, 20)]
        terms = [SEARCH_QUERY, "转医保", "灵活就业 等多久", "新生儿 参保", "异地就医 备案", "南昌 补缴"]
        urls += [("search", "/search/?" + urlencode({"q": q}), False) for q in (terms if many else terms[:1])]
        urls += [
            ("glossary", "/cihui/", False),
            ("transfer", "/zhuanyi/", False),
            ("estimator page", "/calculator/", False),
        ]
        for city in pick(cities, 20):
            urls.append(("estimator fragment", f"/calculator/?{self.estimate_query(city.slug)}", True))
        urls.append(("sitemap index", "/sitemap.xml", False))
        return urls

    @staticmethod
    def estimate_query(slug: str) -> str:
        return f"region={slug}&scheme=flexible&lapse_start=2026-07&lapse_months=4&paid_on=2026-11-10"

    def sitemap_section(self, client: Client) -> str:
        """The first section the sitemap index names."""
        body = client.get("/sitemap.xml").content.decode()
        start = body.find("<loc>") + len("<loc>")
        loc = urlsplit(body[start : body.find("</loc>", start)])
        return loc.path + (f"?{loc.query}" if loc.query else "")

    def measure(self, client: Client, url: str, hx: bool, runs: int) -> dict:
        headers = {"HX-Request": "true"} if hx else {}
        client.cookies.clear()
        response = client.get(url, headers=headers)  # warms templates, and the page cache when it is on
        client.cookies.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, headers=headers)
        count = len(queries)  # now: the next request's request_started signal empties the query log
        times = []
        for _ in range(runs):
            client.cookies.clear()
            start = time.perf_counter()
            client.get(url, headers=headers)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        return {
            "status": response.status_code,
            "x_cache": response.get("X-Cache", ""),
            "median": statistics.median(times),
            "p95": percentile(times, 0.95),
            "queries": count,
            "bytes": len(response.content),
            "gzip": len(gzip.compress(response.content, 6)),
        }

    def bench(self, label: str, runs: int) -> None:
        with override_settings(STORAGES=PLAIN_STORAGES, ALLOWED_HOSTS=["testserver"], DEBUG=False):
            client = Client()
            urls = self.sample_urls()
            urls.append(("sitemap section", self.sitemap_section(client), False))
            self.stdout.write(
                f"\n== pages · {label} · database: {connection.vendor} · {runs} runs each, in-process, "
                f"anonymous first visits\n"
                f"   {Region.objects.filter(kind=Region.CITY).count()} cities, "
                f"{Article.objects.published().count()} live articles; "
                f"page cache: PAGE_CACHE_SECONDS={settings.PAGE_CACHE_SECONDS} when cached"
            )
            head = f"{'page type':<19}{'mode':<9}{'median':>9}{'p95':>9}{'queries':>9}{'KB':>8}{'KB gz':>7}  aim"
            self.stdout.write(head)
            self.stdout.write("-" * (len(head) + 24))
            for kind, url, hx in urls:
                for mode, seconds in (("uncached", 0), ("cached", settings.PAGE_CACHE_SECONDS or 3600)):
                    caches["default"].clear()
                    with override_settings(PAGE_CACHE_SECONDS=seconds):
                        figures = self.measure(client, url, hx, runs)
                    self.stdout.write(self.line(kind, mode, figures))
            self.stdout.write(f"   urls: {', '.join(url for _, url, _ in urls)}")
            self.stdout.write(
                f"Aims: estimator fragment ≤ {FRAGMENT_AIM_MS:g} ms median (uncached); "
                f"≤ {QUERY_AIM} queries on every page type. Figures vary with machine load."
            )

    def line(self, kind: str, mode: str, f: dict) -> str:
        aims = []
        queries_ok = f["queries"] <= QUERY_AIM
        aims.append(f"≤{QUERY_AIM} queries {'ok' if queries_ok else 'MISSED'}")
        if kind == "estimator fragment" and mode == "uncached":
            aims.append(f"≤{FRAGMENT_AIM_MS:g} ms {'ok' if f['median'] <= FRAGMENT_AIM_MS else 'MISSED'}")
        if mode == "cached" and f["x_cache"] != "hit":
            aims.append("not stored by the page cache")
        if f["status"] >= 400:
            aims.append(f"HTTP {f['status']}!")
        return (
            f"{kind:<19}{mode:<9}{f['median']:6.2f} ms{f['p95']:6.2f} ms{f['queries']:>9}"
            f"{f['bytes'] / 1024:8.1f}{f['gzip'] / 1024:7.1f}  {'; '.join(aims)}"
        )

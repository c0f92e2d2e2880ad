"""The Chinese 500 and 503 pages: they never touch the database, and every page (404s and the
estimator's live fragment included) answers 503 with Retry-After while the database is down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.http import HttpRequest
from django.test import Client
from django.urls import path

from config import urls as site_urls
from guides import context_processors
from guides.models import Region, ServiceChannel

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TRY_AGAIN = "请稍后再试"
# What a page read while the database was up left in the cache (guides/context_processors.py).
HOTLINE = {"region": "全国", "number": "12393"}


# --- The database really unreachable: a separate process pointed at a closed port ----------------

# Runs in a fresh Python with DATABASE_URL at 127.0.0.1:1, where nothing listens. The first round
# finds the cache empty (a process started during the outage); the second finds the hotline there.
OUTAGE_SCRIPT = """
import json, sys
import django
django.setup()
from django.core.cache import cache
from django.test import Client
from guides.context_processors import HOTLINE_CACHE_KEY

client = Client(HTTP_HOST="localhost", raise_request_exception=False)
requests = [("/", {}), ("/no-such-page/", {}), ("/nanchang/", {}),
            ("/nanchang/calculator/?scheme=resident&lapsed_years=2", {"HX-Request": "true"})]

def answers():
    out = {}
    for url, headers in requests:
        r = client.get(url, headers=headers)
        out[url] = {"status": r.status_code, "retry_after": r.headers.get("Retry-After"),
                    "cache_control": r.headers.get("Cache-Control"), "html": r.content.decode()}
    return out

before = answers()
cache.set(HOTLINE_CACHE_KEY, json.loads(sys.argv[1]), timeout=None)
print(json.dumps({"empty_cache": before, "hotline_cached": answers()}))
"""


@pytest.fixture(scope="module")
def outage() -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://nobody:nothing@127.0.0.1:1/none",  # CI sets PostgreSQL: override
        "CACHE_URL": "locmem://",
        "DEBUG": "false",
        "PLAIN_STATIC": "true",  # no collectstatic needed for {% static %}
        "LOG_LEVEL": "CRITICAL",  # the expected tracebacks stay out of the test output
    }
    done = subprocess.run(
        [sys.executable, "-c", OUTAGE_SCRIPT, json.dumps(HOTLINE)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


OUTAGE_URLS = ["/", "/no-such-page/", "/nanchang/", "/nanchang/calculator/?scheme=resident&lapsed_years=2"]


@pytest.mark.parametrize("url", OUTAGE_URLS, ids=["home", "not-found", "city-guide", "estimator-fragment"])
def test_it_answers_503_in_chinese_with_retry_after_while_the_database_is_down(outage, url):
    answer = outage["empty_cache"][url]
    assert answer["status"] == 503
    assert answer["retry_after"] == "30"
    assert answer["cache_control"] == "no-store"
    html = answer["html"]
    assert '<html lang="zh-Hans">' in html
    assert "<h1>网站暂时打不开</h1>" in html
    assert TRY_AGAIN in html
    assert "Server Error" not in html


def test_it_shows_no_number_on_the_503_page_before_any_page_read_the_hotline(outage):
    html = outage["empty_cache"]["/"]["html"]
    assert "tel:" not in html
    assert "热线" not in html
    assert TRY_AGAIN in html


def test_it_shows_the_cached_hotline_on_the_503_page(outage):
    html = outage["hotline_cached"]["/no-such-page/"]["html"]
    assert " ".join(html.split()).count('拨打全国医保服务热线 <a href="tel:12393">12393</a> 咨询') == 1
    assert TRY_AGAIN in html


# --- In this process: a view that raises, with the test database up --------------------------------


def boom(request: HttpRequest):
    raise ValueError("a bug")


def database_gone(request: HttpRequest):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [path("boom/", boom), path("database-gone/", database_gone), *site_urls.urlpatterns]
handler404 = site_urls.handler404
handler500 = site_urls.handler500


@pytest.fixture
def visitor() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def no_cached_hotline(monkeypatch):
    cache.delete(context_processors.HOTLINE_CACHE_KEY)
    monkeypatch.setitem(context_processors._remembered, "value", None)
    yield
    cache.delete(context_processors.HOTLINE_CACHE_KEY)


@pytest.mark.urls(__name__)
def test_it_shows_a_chinese_500_page_without_asking_the_database(
    db, visitor, no_cached_hotline, django_assert_num_queries
):
    cache.set(context_processors.HOTLINE_CACHE_KEY, HOTLINE)
    with django_assert_num_queries(0):
        response = visitor.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>页面出错了</h1>" in html
    assert TRY_AGAIN in html
    assert 'href="tel:12393"' in html
    assert "Retry-After" not in response.headers


@pytest.mark.urls(__name__)
def test_it_answers_503_when_a_view_loses_the_database(db, visitor, no_cached_hotline, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = visitor.get("/database-gone/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "<h1>网站暂时打不开</h1>" in response.content.decode()


def test_a_page_that_shows_the_hotline_leaves_it_for_the_fault_pages(shared_demo, visitor, no_cached_hotline):
    line = ServiceChannel.objects.select_related("region").get(region__kind=Region.NATIONAL, key="yibao_hotline")
    assert cache.get(context_processors.HOTLINE_CACHE_KEY) is None

    response = visitor.get("/")

    assert line.detail in response.content.decode()  # the footer
    assert cache.get(context_processors.HOTLINE_CACHE_KEY) == {"region": line.region.name, "number": line.detail}


def test_a_changed_hotline_reaches_the_fault_pages_at_once(shared_demo, visitor, no_cached_hotline):
    line = ServiceChannel.objects.get(region__kind=Region.NATIONAL, key="yibao_hotline")
    visitor.get("/")
    line.detail = "010-1234 5678"
    line.save()

    visitor.get("/")

    assert cache.get(context_processors.HOTLINE_CACHE_KEY)["number"] == "010-1234 5678"


# --- The estimator page: its live behaviour comes from a static file ------------------------------


def test_the_estimator_page_loads_its_script_from_a_static_file_without_hx_on(shared_demo, visitor):
    page = visitor.get("/calculator/").content.decode()
    fragment = visitor.get("/calculator/", headers={"HX-Request": "true"}).content.decode()

    assert '<script src="/static/calculator/estimate.js" defer></script>' in page
    assert "hx-on" not in page
    assert "<script" not in fragment

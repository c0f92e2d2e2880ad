"""`make bench` prints a line per page type and mode with the aims; figures are never asserted (no timed
tests): only that the benchmark runs on the demo content and names what it measured."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from guides.management.commands.bench_pages import Command

PAGE_TYPES = [
    "home",
    "city guide",
    "province guide",
    "article",
    "national article",
    "topics",
    "topic",
    "search",
    "glossary",
    "transfer",
    "estimator page",
    "estimator fragment",
    "sitemap index",
    "sitemap section",
]


@pytest.mark.django_db
def test_the_page_benchmark_prints_every_page_type_uncached_and_cached_with_the_aims(demo):
    out = StringIO()
    call_command("bench_pages", "--runs", "1", "--label", "demo", stdout=out)
    printed = out.getvalue()
    lines = printed.splitlines()
    for kind in PAGE_TYPES:
        assert any(line.startswith(kind) for line in lines), kind
    measured = [line for line in lines if " uncached " in line]
    assert len(measured) >= len(PAGE_TYPES) - 1  # "sitemap section" only once the sitemap is split
    assert all("queries" in line and "HTTP" not in line for line in measured)  # every page answered 200
    assert "estimator fragment ≤ 5 ms median" in printed and "≤ 5 queries on every page type" in printed
    assert "== pages · demo" in printed


@pytest.mark.django_db
def test_the_load_mix_lists_pages_of_each_type_that_answer(demo, client):
    urls = Command().sample_urls(many=True)
    kinds = {kind for kind, _, _ in urls}
    assert {"home", "article", "city guide", "topic", "search", "estimator fragment"} <= kinds
    for kind, url, hx in urls[:40]:
        headers = {"HTTP_HX_REQUEST": "true"} if hx else {}
        assert client.get(url, **headers).status_code == 200, (kind, url)

"""Print server-side timings and sizes for the estimator, case by case (part of `make bench`).

Targets: median under 5 ms per estimate, fragment under 5 KB. Every page type, cached and uncached,
at demo size and at scale: `manage.py bench_pages` (guides/management/commands/bench_pages.py).
This prints figures; it asserts nothing, so a slow machine never fails the test suite.
"""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test import Client, override_settings

CASES = {
    "employee (employer missed 2 months)": "region=nanchang&scheme=employee&cause=employer&lapse_start=2026-08&lapse_months=2&paid_on=2026-11-10",
    "flexible (4 months)": "region=hezhou&scheme=flexible&lapse_start=2026-07&lapse_months=4&paid_on=2026-11-10",
    "resident (5 years, 5 repaid)": "region=nanchang&scheme=resident&lapsed_years=5&repaid_years=5&paid_on=2026-11-10",
    "resident renewal (in window)": "region=nanchang&scheme=resident&lapsed_years=0&in_window=true&paid_on=2026-11-10",
    "newborn (Jiangxi, free years)": "region=nanchang&scheme=resident&newborn=true&born_on=2026-10-01&paid_on=2026-11-10",
}


class Command(BaseCommand):
    help = "Benchmark the estimator (HTML fragment and JSON), case by case; pages: bench_pages."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=200)

    def measure(self, client: Client, url: str, runs: int, **headers) -> tuple[list[float], int, int]:
        client.get(url, **headers)  # warm caches and template loading
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            response = client.get(url, **headers)
            times.append((time.perf_counter() - start) * 1000)
        with override_settings(DEBUG=True):
            reset_queries()
            client.get(url, **headers)
            queries = len(connection.queries)
        return times, len(response.content), queries

    def report(self, label: str, times: list[float], size: int, queries: int) -> None:
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        self.stdout.write(
            f"{label:<52} median {statistics.median(times):6.2f} ms   p95 {p95:6.2f} ms   "
            f"{size / 1024:6.1f} KB   {queries} queries"
        )

    def handle(self, *args, runs: int, **options):
        plain = {
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        }
        with override_settings(STORAGES=plain, ALLOWED_HOSTS=["testserver"]):
            client = Client()
            self.stdout.write(f"{runs} runs each, in-process (no network), database: {connection.vendor}")
            for label, query in CASES.items():
                self.report(
                    f"fragment · {label}", *self.measure(client, f"/calculator/?{query}", runs, HTTP_HX_REQUEST="true")
                )
                self.report(f"json     · {label}", *self.measure(client, f"/api/v1/estimate?{query}", runs))
        self.stdout.write("Targets: estimate median < 5 ms, fragment < 5 KB.")

"""The sitemap: an index at /sitemap.xml naming one section per kind of page, each at
/sitemap-<section>.xml in pages of SECTION_LIMIT addresses (?p=2 …), so no file grows with the
content (10,000 articles are five pages of articles). robots.txt points at the index.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from config.pagecache import public_page

from .models import Article, Region, Topic
from .siteurl import absolute_url

SECTION_LIMIT = 2000  # addresses in one page of a section (the protocol allows 50,000)


class SiteSitemap(Sitemap):
    """Locations on SITE_URL, so the sitemap agrees with canonical links behind any proxy; without
    it (a local run), on the address the sitemap was asked on, as the pages' canonical links are."""

    limit = SECTION_LIMIT

    def get_protocol(self, protocol=None):
        return (urlsplit(settings.SITE_URL).scheme or "https") if settings.SITE_URL else super().get_protocol(protocol)

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc if settings.SITE_URL else super().get_domain(site)


class StaticSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return ["guides:home", "guides:topics", "calculator:estimate", "guides:glossary", "guides:transfer"]

    def location(self, item):
        return reverse(item)


class RegionSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Region.objects.exclude(kind=Region.NATIONAL)


class TopicSitemap(SiteSitemap):
    def items(self):
        return Topic.objects.all()


class ArticleSitemap(SiteSitemap):
    """Only live articles: drafts, scheduled and taken-down ones stay out."""

    priority = 0.7

    def items(self):
        return Article.objects.published().select_related("region").order_by("pk")

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        """For the index: one aggregate query (Django's default reads every article)."""
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


SITEMAPS: dict[str, type[Sitemap] | Sitemap] = {
    "pages": StaticSitemap,
    "regions": RegionSitemap,
    "topics": TopicSitemap,
    "articles": ArticleSitemap,
}


@public_page
def index(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: the sections and their pages, on SITE_URL like the sections' own addresses
    (Django's index view names the host the request came to)."""
    response = sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap-section")
    context = response.context_data or {}
    context["sitemaps"] = [replace(item, location=on_site(item.location, request)) for item in context["sitemaps"]]
    response.context_data = context
    return response


def on_site(location: str, request: HttpRequest) -> str:
    parts = urlsplit(location)
    return absolute_url(parts.path + (f"?{parts.query}" if parts.query else ""), request)


@public_page(params=["p"])
def section(request: HttpRequest, section: str) -> HttpResponse:
    """/sitemap-<section>.xml?p=N: one page of a section (404 for an unknown section or page)."""
    return sitemap_views.sitemap(request, SITEMAPS, section=section)

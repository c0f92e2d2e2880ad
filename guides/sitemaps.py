from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Region, Topic


class SiteSitemap(Sitemap):
    """Locations on SITE_URL, so the sitemap agrees with canonical links behind any proxy; without
    it (a local run), on the address the sitemap was asked on, as the pages' canonical links are."""

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


SITEMAPS = {"pages": StaticSitemap, "regions": RegionSitemap, "topics": TopicSitemap, "articles": ArticleSitemap}

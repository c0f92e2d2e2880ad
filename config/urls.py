from django.contrib import admin
from django.urls import include, path

from guides import sitemaps
from guides.admin.board import changes_view, freshness_view
from guides.views import robots_txt
from guides.views.health import health

urlpatterns = [
    path("admin/guides/freshness/", admin.site.admin_view(freshness_view), name="guides_freshness"),
    path("admin/guides/changes/", admin.site.admin_view(changes_view), name="guides_changes"),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemaps.index, name="sitemap"),  # the index of the sections (guides/sitemaps.py)
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap-section"),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", health, name="health"),  # plain "ok" or 503 (guides/views/health.py)
    path("", include("calculator.urls")),
    path("", include("guides.urls")),
]

handler404 = "guides.views.page_not_found"
# Chinese 500, and 503 with Retry-After when the database cannot be reached (404s included).
handler500 = "guides.views.errors.server_error"

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from guides.admin.board import freshness_view
from guides.sitemaps import SITEMAPS
from guides.views import robots_txt

admin.site.site_header = "医保办事指南 · 内容管理"
admin.site.site_title = "医保办事指南管理"
admin.site.index_title = "内容管理"

urlpatterns = [
    path("admin/guides/freshness/", admin.site.admin_view(freshness_view), name="guides_freshness"),
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("", include("calculator.urls")),
    path("", include("guides.urls")),
]

handler404 = "guides.views.page_not_found"

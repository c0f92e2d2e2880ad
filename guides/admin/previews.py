"""Staff previews of an article (phone and desktop widths) and the signed links shared with people
without an account."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..models import Article
from ..previews import preview_token
from ..views.pages import article_page, preview_queryset


class PreviewAdminMixin:
    """Adds <id>/preview/ (the preview screen) and <id>/preview/page/ (the page itself, framed)."""

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        urls = [
            path("<path:object_id>/preview/", self.admin_site.admin_view(self.preview_view), name=f"{prefix}_preview"),
            path(
                "<path:object_id>/preview/page/",
                self.admin_site.admin_view(self.preview_page),
                name=f"{prefix}_preview_page",
            ),
        ]
        return urls + super().get_urls()

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = get_object_or_404(Article, pk=object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        share = request.build_absolute_uri(reverse("guides:preview", args=[preview_token(article)]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"预览：{article.title}",
            "opts": self.model._meta,
            "original": article,
            "page_url": reverse("admin:guides_article_preview_page", args=[article.pk]),
            "share_url": share,
            "hours": settings.PREVIEW_LINK_HOURS,
        }
        return TemplateResponse(request, "admin/guides/article/preview.html", context)

    def preview_page(self, request: HttpRequest, object_id: str) -> HttpResponse:

        article = get_object_or_404(preview_queryset(), pk=object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article_page(request, article, preview=True)

"""Staff previews of an article (phone and desktop widths) and the preview links shared with people
without an account: made on the preview screen, listed there and withdrawn there."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from ..models import Article, PreviewLink
from ..previews import create_link, revoke, token_for
from ..views.pages import article_page, preview_queryset
from .bases import ModelAdminMixin
from .roles import can_publish


def person(user) -> str:
    if user is None:
        return "（账号已删除）"
    return user.get_full_name() or user.get_username()


class PreviewAdminMixin(ModelAdminMixin):
    """Adds <id>/preview/ (the preview screen and its links) and <id>/preview/page/ (the page, framed)."""

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

    def may_revoke(self, request: HttpRequest, link: PreviewLink) -> bool:
        """A link's own creator withdraws it; so may any 审核."""
        return link.created_by_id == request.user.pk or can_publish(request)

    def preview_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = get_object_or_404(Article, pk=object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        if request.method == "POST":
            self.change_links(request, article)
            return HttpResponseRedirect(request.path)
        now = timezone.now()
        links = []
        for link in article.preview_links.select_related("created_by", "revoked_by"):
            active = link.is_active(now)
            links.append(
                {
                    "link": link,
                    "active": active,
                    "status": "有效" if active else ("已撤回" if link.revoked_at else "已过期"),
                    "created_by": person(link.created_by),
                    "revoked_by": person(link.revoked_by) if link.revoked_at else "",
                    "url": self.share_url(request, link) if active else "",
                    "can_revoke": active and self.may_revoke(request, link),
                }
            )
        newest = next((row for row in links if row["active"]), None)
        context = {
            **self.admin_site.each_context(request),
            "title": f"预览：{article.title}",
            "opts": self.model._meta,
            "original": article,
            "page_url": reverse("admin:guides_article_preview_page", args=[article.pk]),
            "links": links,
            "share_url": newest["url"] if newest else "",
            "hours": settings.PREVIEW_LINK_HOURS,
        }
        return TemplateResponse(request, "admin/guides/article/preview.html", context)

    def share_url(self, request: HttpRequest, link: PreviewLink) -> str:
        return request.build_absolute_uri(reverse("guides:preview", args=[token_for(link)]))

    def change_links(self, request: HttpRequest, article: Article) -> None:
        """The screen's two buttons: 生成新的预览链接 (action=create) and 撤回 (action=revoke, link=<id>)."""
        user = request.user
        if not user.is_authenticated:  # admin_view lets only staff in
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "create":
            create_link(article, user)
            messages.success(
                request,
                f"已生成新的预览链接，{settings.PREVIEW_LINK_HOURS} 小时内有效。复制下面的地址发给对方。",
            )
            return
        if action != "revoke":
            messages.error(request, "没有这个操作，请用页面上的按钮。")
            return
        raw = request.POST.get("link", "")
        link = (
            article.preview_links.filter(pk=int(raw)).first()
            if raw.isascii() and raw.isdigit() and len(raw) < 19
            else None
        )
        if link is None:
            messages.error(request, "没有找到这个预览链接，可能已经被删除。")
        elif link.revoked_at is not None:
            messages.info(request, f"这个预览链接已经被 {person(link.revoked_by)} 撤回了。")
        elif not link.is_active():
            messages.info(request, "这个预览链接已经过期，不需要撤回。")
        elif not self.may_revoke(request, link):
            messages.error(request, f"只有生成这个链接的 {person(link.created_by)} 或审核可以撤回它。")
        else:
            revoke(link, user)
            messages.success(request, "已撤回这个预览链接：对方再打开会看到“预览链接已被撤回”。")

    def preview_page(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = get_object_or_404(preview_queryset(), pk=object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article_page(request, article, preview=True)

"""Admin for Q&A articles: the editor with its live Markdown preview and token list, and previews."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..figures import SPECS
from ..markdown import render_markdown, unknown_tokens
from ..models import Article, PendingChange, PolicyEntry, Region
from ..views.pages import render_body
from .previews import PreviewAdminMixin
from .revisions import VersionedAdmin, VersionedForm
from .roles import can_publish
from .workflow import WorkflowAdminMixin


class ArticleForm(VersionedForm):
    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "region",
            "topics",
            "short_answer",
            "body",
            "related",
            "status",
            "published_at",
            "unpublish_at",
            "reviewed_on",
            "featured",
            "order",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 24, "class": "md-editor"})}


@admin.register(Article)
class ArticleAdmin(WorkflowAdminMixin, PreviewAdminMixin, VersionedAdmin):
    form = ArticleForm
    change_form_template = "admin/guides/article/change_form.html"
    compare_fields = ("title", "short_answer", "body")
    list_display = ["title", "region", "status_label", "published_at", "unpublish_at", "reviewed_on", "updated_at"]
    list_filter = ["status", "region", "topics", "featured"]
    search_fields = ["title", "short_answer", "body", "slug"]
    list_select_related = ["region"]
    filter_horizontal = ["topics", "related"]
    date_hierarchy = "published_at"
    fieldsets = [
        (None, {"fields": ["title", "slug", "region", "topics", "short_answer", "base_version", "draft_version"]}),
        (
            "发布",
            {
                "fields": ["status", "published_at", "unpublish_at", "reviewed_on", "featured", "order"],
                "description": "发布时间填将来的时间即定时发布；到了下线时间自动下线。都不需要后台任务。",
            },
        ),
        ("相关问题", {"fields": ["related"]}),
        ("正文", {"fields": ["body"], "description": "写好后在下方实时预览里检查数字和格式。"}),
    ]

    @admin.display(description="状态")
    def status_label(self, obj: Article) -> str:
        state = obj.public_state()
        if state not in Article.PUBLIC_LABELS:
            return obj.get_status_display()
        label = Article.PUBLIC_LABELS[state]
        return f"{label}（有修改稿）" if getattr(obj, "has_pending", False) else label

    def get_queryset(self, request):
        pending = PendingChange.objects.filter(
            content_type__app_label="guides", content_type__model="article", object_id=OuterRef("pk")
        )
        return super().get_queryset(request).annotate(has_pending=Exists(pending))

    def is_publisher(self, request) -> bool:
        return can_publish(request)

    def get_readonly_fields(self, request, obj=None):
        if can_publish(request):
            return []
        return ["status", "published_at", "unpublish_at", "featured"]

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        urls = [
            path("markdown-preview/", self.admin_site.admin_view(self.markdown_preview), name=f"{prefix}_markdown"),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "figure_specs": SPECS}
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "figure_specs": SPECS}
        return super().add_view(request, form_url, extra_context)

    def markdown_preview(self, request: HttpRequest) -> HttpResponse:
        """htmx: the body as the public will see it, with live figures for the chosen region."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return markdown_preview_response(request)


@require_POST
def markdown_preview_response(request: HttpRequest) -> HttpResponse:

    body = request.POST.get("body", "")
    region = Region.objects.select_related("parent__parent").filter(pk=request.POST.get("region") or 0).first()
    region = region or Region.objects.filter(kind=Region.NATIONAL).first()
    unknown = unknown_tokens(body)
    html = ""
    if region is not None:
        today = timezone.localdate()
        draft = Article(body=body, region=region)
        draft.body_html = render_markdown(body)
        html, _ = render_body(draft, PolicyEntry.objects.for_lineage(region), today)
    else:
        html = render_markdown(body)
    return render(
        request, "admin/guides/article/markdown_preview.html", {"html": html, "unknown": unknown, "region": region}
    )

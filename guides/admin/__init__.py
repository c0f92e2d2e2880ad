"""Django admin for content staff, in Chinese.

Two groups (created by migration 0002): 编辑 write drafts and unverified figures; 审核 publish
articles and mark figures verified. Revisions come from django-simple-history (history, compare,
revert, recover deleted), spreadsheet import/export from django-import-export. Every change form
carries the version it was based on, and a save based on an older version is refused.
"""

from __future__ import annotations

import datetime
import difflib

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from simple_history.admin import SimpleHistoryAdmin

from ..figures import REGISTRY, SPECS, FigureValueError
from ..markdown import figure_tokens, render_markdown, unknown_tokens
from ..models import POLICY_ENTRY_FIELDS, Article, PolicyEntry, Region, ServiceChannel, Topic

PREVIEW_SALT = "guides.article.preview"


def can_publish(request: HttpRequest) -> bool:
    return request.user.has_perm("guides.publish_article")


def can_verify(request: HttpRequest) -> bool:
    return request.user.has_perm("guides.verify_policyentry")


def preview_token(article: Article) -> str:
    return signing.dumps({"article": article.pk}, salt=PREVIEW_SALT, compress=True)


def article_from_token(token: str) -> int:
    """The article id in a preview link; raises signing.BadSignature (or SignatureExpired)."""
    max_age = datetime.timedelta(hours=settings.PREVIEW_LINK_HOURS)
    return signing.loads(token, salt=PREVIEW_SALT, max_age=max_age)["article"]


# ---------------------------------------------------------------- no lost updates


def describe_changes(model, pk, base_version: int) -> list[tuple[str, str, str]]:
    """What changed in the stored row since `base_version`: (field label, then, now)."""
    current = model._default_manager.filter(pk=pk).first()
    then = model.history.filter(id=pk, version=base_version).order_by("-history_date").first()
    if current is None or then is None:
        return []
    rows = []
    for field in model._meta.concrete_fields:
        if field.name in ("version", "updated_at", "body_html", "id"):
            continue
        old, new = getattr(then, field.attname, None), getattr(current, field.attname)
        if old != new:
            rows.append((str(field.verbose_name), shorten(old), shorten(new)))
    return rows


def shorten(value, limit: int = 80) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class VersionedForm(forms.ModelForm):
    """Carries the version the editor started from; refuses a save if someone saved since."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is not None:
            stored = type(instance)._default_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
            # A revert starts from an old copy: base it on what is stored now.
            self.fields["base_version"].initial = stored if stored is not None else instance.version
            # Editing an existing row: the version is required, so no save skips the check.
            self.fields["base_version"].required = stored is not None
            self.fields["base_version"].error_messages["required"] = "页面缺少版本信息，请重新打开页面再保存。"

    def clean(self):
        data = super().clean()
        base = data.get("base_version")
        instance = self.instance
        if instance.pk is None or base is None:
            return data
        model = type(instance)
        stored = model._default_manager.select_for_update().filter(pk=instance.pk).values_list("version", flat=True)
        stored = stored.first()
        if stored is not None and stored != base:
            changes = describe_changes(model, instance.pk, base)
            detail = "；".join(f"{label}：“{old}” → “{new}”" for label, old, new in changes[:6])
            raise ValidationError(
                "保存失败：你打开这个页面之后，别人已经修改并保存了这条内容（你看到的是第 %(base)s 版，现在是第 "
                "%(stored)s 版）。为了不覆盖别人的修改，这次没有保存。%(detail)s请复制你的修改，重新打开页面后再改。",
                code="stale",
                params={"base": base, "stored": stored, "detail": f"对方改了：{detail}。" if detail else ""},
            )
        return data


# ---------------------------------------------------------------- revisions: compare


def text_diff(old: str, new: str) -> str:
    """A readable side-by-side diff of two texts, line by line."""
    differ = difflib.HtmlDiff(wrapcolumn=60)
    return differ.make_table(
        (old or "").splitlines(), (new or "").splitlines(), fromdesc="旧版本", todesc="新版本", context=True, numlines=2
    )


class RevisionAdminMixin:
    """History list with a compare form, and a compare view between any two revisions."""

    object_history_template = "admin/guides/object_history.html"
    compare_fields: tuple[str, ...] = ()

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Revert or restore: only for staff who may change the object, in one transaction
        (the version check locks the row, as the ordinary change view does)."""
        if request.method == "POST":
            current = self.model._default_manager.filter(pk=object_id).first()
            if current is not None and not self.has_change_permission(request, current):
                raise PermissionDenied
            if current is None and not self.has_add_permission(request):
                raise PermissionDenied
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        urls = [
            path("<path:object_id>/compare/", self.admin_site.admin_view(self.compare_view), name=f"{prefix}_compare"),
        ]
        return urls + super().get_urls()

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        history = self.model.history.filter(id=object_id)
        records = list(history.order_by("-history_date")[:200])
        if not records:
            raise PermissionDenied
        if not self.has_view_history_or_change_history_permission(request, records[0].instance):
            raise PermissionDenied
        by_id = {str(r.history_id): r for r in records}
        older = by_id.get(request.GET.get("a", "")) or records[-1]
        newer = by_id.get(request.GET.get("b", "")) or records[0]
        if older.history_date > newer.history_date:
            older, newer = newer, older
        rows = []
        for field in self.model._meta.concrete_fields:
            if field.name in ("body_html", "updated_at"):
                continue
            a, b = getattr(older, field.attname, None), getattr(newer, field.attname, None)
            if a == b:
                continue
            if field.name in self.compare_fields:
                rows.append((field.verbose_name, None, None, text_diff(str(a or ""), str(b or ""))))
            else:
                old, new = shorten(a, 200), shorten(b, 200)
                if old != new:  # e.g. a time differing only below the minute
                    rows.append((field.verbose_name, old, new, None))
        context = {
            **self.admin_site.each_context(request),
            "title": f"比较修改：{records[0].instance}",
            "opts": self.model._meta,
            "older": older,
            "newer": newer,
            "records": records,
            "rows": rows,
            "object_id": object_id,
        }
        return TemplateResponse(request, "admin/guides/compare.html", context)


# ---------------------------------------------------------------- policy figures


class PolicyEntryForm(VersionedForm):
    class Meta:
        model = PolicyEntry
        fields = list(POLICY_ENTRY_FIELDS)


class RegionSlugWidget(widgets.ForeignKeyWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except Region.DoesNotExist:
            raise ValueError(f"没有网址名为“{value}”的地区") from None


class PolicyEntryResource(resources.ModelResource):
    """Spreadsheet rows ↔ figures. Each row is validated like the admin form (registry, overlap)."""

    region = fields.Field(attribute="region", column_name="region", widget=RegionSlugWidget(Region, "slug"))

    class Meta:
        model = PolicyEntry
        fields = ("id", *POLICY_ENTRY_FIELDS)
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        key = (row.get("key") or "").strip()
        if key and key not in REGISTRY:
            raise ValueError(f"没有名为“{key}”的数据项")
        if key and row.get("value") not in (None, ""):
            try:
                row["value"] = REGISTRY[key].normalise(row["value"])
            except FigureValueError as exc:
                raise ValueError(f"{REGISTRY[key].label}：{exc}") from None
        for name in ("effective_from", "effective_to", "verified_on"):
            value = row.get(name)
            if isinstance(value, datetime.datetime):
                row[name] = value.date().isoformat()
            elif isinstance(value, datetime.date):
                row[name] = value.isoformat()


class OverdueFilter(admin.SimpleListFilter):
    title = "核实是否过期"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", f"超过 {settings.FIGURE_MAX_AGE_DAYS} 天未核实"), ("no", "在期限内")]

    def queryset(self, request, queryset):
        cutoff = timezone.localdate() - datetime.timedelta(days=settings.FIGURE_MAX_AGE_DAYS)
        if self.value() == "yes":
            return queryset.filter(verified_on__lt=cutoff)
        if self.value() == "no":
            return queryset.filter(verified_on__gte=cutoff)
        return queryset


class InForceFilter(admin.SimpleListFilter):
    title = "是否在用"
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("now", "今天有效"), ("future", "将来生效"), ("past", "已失效")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "now":
            return queryset.in_force(today)
        if self.value() == "future":
            return queryset.filter(effective_from__gt=today)
        if self.value() == "past":
            return queryset.filter(effective_to__lt=today)
        return queryset


@admin.register(PolicyEntry)
class PolicyEntryAdmin(ImportExportMixin, RevisionAdminMixin, SimpleHistoryAdmin):
    form = PolicyEntryForm
    resource_classes = [PolicyEntryResource]
    formats = [CSV, XLSX]
    list_display = [
        "__str__",
        "region",
        "key",
        "shown_value",
        "effective_from",
        "effective_to",
        "status",
        "verified_on",
        "source_title",
    ]
    list_filter = ["region", "key", "status", InForceFilter, OverdueFilter, ("verified_on", admin.DateFieldListFilter)]
    search_fields = ["key", "value", "source_title", "note"]
    list_select_related = ["region"]
    date_hierarchy = "effective_from"
    actions = ["mark_verified"]
    fieldsets = [
        (
            None,
            {
                "fields": ["region", "key", "value", "effective_from", "effective_to", "base_version"],
                "description": "同一地区同一数据项的生效期不能重叠。明年的新数字可以现在录入，到生效日期自动替换。",
            },
        ),
        ("来源和核实", {"fields": ["source_title", "source_issuer", "source_url", "verified_on", "status", "note"]}),
    ]

    @admin.display(description="数值")
    def shown_value(self, obj: PolicyEntry) -> str:
        try:
            return obj.display_value
        except FigureValueError:
            return obj.value

    def get_readonly_fields(self, request, obj=None):
        return [] if can_verify(request) else ["status"]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is not None and obj.status == PolicyEntry.VERIFIED and not can_verify(request):
            return False  # editors cannot touch verified figures
        return allowed

    def has_import_permission(self, request):
        return can_verify(request)

    def has_verify_permission(self, request):
        return can_verify(request)

    def save_model(self, request, obj, form, change):
        if not can_verify(request):
            obj.status = PolicyEntry.UNVERIFIED
        super().save_model(request, obj, form, change)

    @admin.action(description="标记为已核实（核实日期记为今天）", permissions=["verify"])
    def mark_verified(self, request, queryset):
        count = 0
        for entry in queryset:
            entry.status, entry.verified_on = PolicyEntry.VERIFIED, timezone.localdate()
            entry._history_user = request.user
            entry.save()
            count += 1
        self.message_user(request, f"已把 {count} 条数据标记为已核实。", messages.SUCCESS)


# ---------------------------------------------------------------- articles


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
class ArticleAdmin(RevisionAdminMixin, SimpleHistoryAdmin):
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
        (None, {"fields": ["title", "slug", "region", "topics", "short_answer", "base_version"]}),
        (
            "发布",
            {
                "fields": ["status", "published_at", "unpublish_at", "reviewed_on", "featured", "order"],
                "description": "发布时间填将来的时间即定时发布；到了下线时间自动撤下。都不需要后台任务。",
            },
        ),
        ("相关问题", {"fields": ["related"]}),
        ("正文", {"fields": ["body"], "description": "写好后在下方实时预览里检查数字和格式。"}),
    ]

    @admin.display(description="状态")
    def status_label(self, obj: Article) -> str:
        now = timezone.now()
        if obj.status == Article.DRAFT:
            return "草稿"
        if obj.published_at and obj.published_at > now:
            return "定时发布"
        if obj.unpublish_at and obj.unpublish_at <= now:
            return "已下线"
        return "已发布"

    def get_readonly_fields(self, request, obj=None):
        if can_publish(request):
            return []
        return ["status", "published_at", "unpublish_at", "featured"]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is not None and obj.status != Article.DRAFT and not can_publish(request):
            return False  # editors work on drafts; publishing and live edits are for reviewers
        return allowed

    def save_model(self, request, obj, form, change):
        if not can_publish(request):
            obj.status = Article.DRAFT
        super().save_model(request, obj, form, change)

    def get_urls(self):
        prefix = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        urls = [
            path("markdown-preview/", self.admin_site.admin_view(self.markdown_preview), name=f"{prefix}_markdown"),
            path("<path:object_id>/preview/", self.admin_site.admin_view(self.preview_view), name=f"{prefix}_preview"),
            path(
                "<path:object_id>/preview/page/",
                self.admin_site.admin_view(self.preview_page),
                name=f"{prefix}_preview_page",
            ),
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
        from ..views.pages import article_page, preview_queryset

        article = get_object_or_404(preview_queryset(), pk=object_id)
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return article_page(request, article, preview=True)


@require_POST
def markdown_preview_response(request: HttpRequest) -> HttpResponse:
    from ..views.pages import render_body

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


# ---------------------------------------------------------------- the rest


CHANNEL_FIELDS = ["kind", "name", "key", "detail", "address", "hours", "url", "note", "order"]


class ChannelInline(admin.TabularInline):
    model = ServiceChannel
    extra = 0
    fields = CHANNEL_FIELDS


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "parent", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    list_select_related = ["parent"]
    inlines = [ChannelInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]


@admin.register(ServiceChannel)
class ServiceChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "kind", "key", "detail", "order"]
    list_filter = ["region", "kind"]
    list_select_related = ["region"]
    search_fields = ["name", "key", "detail", "address"]
    fields = ["region", *CHANNEL_FIELDS]


# ---------------------------------------------------------------- freshness and recovery


def freshness_view(request: HttpRequest) -> HttpResponse:
    """What needs a reviewer's attention: stale or unverified figures, scheduled items, articles
    whose embedded figures changed after their last review, and deleted items that can be restored."""
    if not request.user.has_perm("guides.view_policyentry"):
        raise PermissionDenied
    today = timezone.localdate()
    now = timezone.now()
    cutoff = today - datetime.timedelta(days=settings.FIGURE_MAX_AGE_DAYS)
    figures = PolicyEntry.objects.select_related("region")
    overdue = list(figures.in_force(today).filter(verified_on__lt=cutoff).order_by("verified_on"))
    unverified = list(figures.in_force(today).filter(status=PolicyEntry.UNVERIFIED).order_by("region__order", "key"))
    future_figures = list(figures.filter(effective_from__gt=today).order_by("effective_from"))
    articles = Article.objects.select_related("region__parent__parent")
    scheduled = list(articles.filter(status=Article.PUBLISHED, published_at__gt=now).order_by("published_at"))
    ending = list(articles.filter(status=Article.PUBLISHED, unpublish_at__gt=now).order_by("unpublish_at"))
    return TemplateResponse(
        request,
        "admin/guides/freshness.html",
        {
            **admin.site.each_context(request),
            "title": "内容工作台：需要核实和处理的内容",
            "max_age": settings.FIGURE_MAX_AGE_DAYS,
            "overdue": overdue,
            "unverified": unverified,
            "future_figures": future_figures,
            "scheduled": scheduled,
            "ending": ending,
            "stale_articles": articles_with_changed_figures(today),
            "deleted": deleted_items(),
            "reported_errors": reported_error_rows(),
        },
    )


def reported_error_rows() -> list[dict]:
    """Unhandled 报告数字有误 per article, region guide and estimator, each with a link to the
    feedback list filtered to it (one query)."""
    from urllib.parse import urlencode

    from ..feedback import KIND_LABELS, reported_errors

    base = reverse("admin:guides_feedback_changelist")
    rows = []
    for row in reported_errors():
        params = {"answer__exact": "error", "handled__exact": "0", "kind": row["kind"]}
        if row["kind"] == "article":
            name = row["article__title"]
            params["article__id__exact"] = row["article_id"]
        else:
            page = "医保指南" if row["kind"] == "region" else "补缴估算"
            name = f"{row['region__name']}{page}" if row["region__name"] else f"{page}（没有选城市）"
            if row["region_id"]:
                params["region__id__exact"] = row["region_id"]
            else:
                params["region__isnull"] = "True"
        rows.append({**row, "name": name, "kind_label": KIND_LABELS[row["kind"]], "url": f"{base}?{urlencode(params)}"})
    return rows


def articles_with_changed_figures(today: datetime.date) -> list[tuple[Article, list[PolicyEntry]]]:
    """Articles whose embedded figures were changed after the article was last reviewed."""
    regions = {r.pk: r for r in Region.objects.select_related("parent__parent")}
    entries_by_region: dict[int, dict[str, PolicyEntry]] = {}
    in_force = list(PolicyEntry.objects.in_force(today).select_related("region"))
    for region in regions.values():
        depth = {r.pk: i for i, r in enumerate(region.lineage())}
        best: dict[str, PolicyEntry] = {}
        for entry in in_force:
            if entry.region_id in depth and (
                entry.key not in best or depth[entry.region_id] < depth[best[entry.key].region_id]
            ):
                best[entry.key] = entry
        entries_by_region[region.pk] = best
    result = []
    for article in Article.objects.exclude(body="").order_by("region__order", "title"):
        keys = figure_tokens(article.body)
        entries = entries_by_region.get(article.region_id, {})
        reviewed = article.reviewed_on or datetime.date.min
        changed = [entries[k] for k in keys if k in entries and timezone.localdate(entries[k].updated_at) > reviewed]
        if changed:
            result.append((article, changed))
    return result


def deleted_items() -> list:
    """The last saved copy of each deleted article or figure, newest first, for recovery."""
    items = []
    for model in (Article, PolicyEntry):
        live = set(model.objects.values_list("pk", flat=True))
        seen = set()
        for record in model.history.filter(history_type="-").order_by("-history_date")[:100]:
            if record.id in live or record.id in seen:
                continue
            seen.add(record.id)
            history_url = f"admin:{model._meta.app_label}_{model._meta.model_name}_history"
            items.append(
                {
                    "kind": model._meta.verbose_name,
                    "name": str(record.instance),
                    "deleted_at": record.history_date,
                    "by": record.history_user,
                    "url": reverse(history_url, args=[record.id]),
                }
            )
    return sorted(items, key=lambda item: item["deleted_at"], reverse=True)


# Admin for the content issue 8 added, one module per subject (imported for registration).
from . import feedback, glossary, search  # noqa: E402, F401

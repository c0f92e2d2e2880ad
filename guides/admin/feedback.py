"""Admin for citizens' feedback: read-only apart from 已处理, with filters and a CSV export.

Staff cannot add feedback; 编辑 and 审核 may mark it handled, 审核 may delete it (migration 0004).
"""

from __future__ import annotations

import csv

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.text import Truncator

from ..feedback import KIND_FILTERS, KIND_LABELS
from ..models import Feedback

CSV_HEADERS = ["时间", "反馈", "页面", "文章", "地区", "留言", "已处理"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet will show as text: a value that starts like a formula gets a leading '
    (OWASP's advice against CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def feedback_rows(queryset):
    yield CSV_HEADERS
    for item in queryset.select_related("article", "region").order_by("-created_at"):
        yield [
            csv_cell(timezone.localtime(item.created_at).strftime("%Y-%m-%d %H:%M")),
            csv_cell(item.get_answer_display()),
            csv_cell(item.page),
            csv_cell(item.article.title if item.article else ""),
            csv_cell(item.region.name if item.region else ""),
            csv_cell(item.comment),
            "是" if item.handled else "否",
        ]


def csv_response(queryset) -> HttpResponse:
    """UTF-8 with a BOM (so Excel opens the Chinese correctly), named by today's local date."""
    name = f"读者反馈-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerows(feedback_rows(queryset))
    return response


class PageKindFilter(admin.SimpleListFilter):
    title = "页面类型"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return list(KIND_LABELS.items())

    def queryset(self, request, queryset):
        kind = self.value()
        if kind is not None and kind in KIND_FILTERS:
            return queryset.filter(KIND_FILTERS[kind])
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "answer", "page_link", "article", "region", "comment_excerpt", "handled"]
    list_filter = ["answer", "handled", PageKindFilter, "region", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["comment", "page"]
    list_select_related = ["article", "region"]
    date_hierarchy = "created_at"
    actions = ["mark_handled", "export_csv"]
    fields = ["created_at", "answer", "page_link", "article", "region", "comment", "handled"]
    readonly_fields = ["created_at", "answer", "page_link", "article", "region", "comment"]

    @admin.display(description="页面", ordering="page")
    def page_link(self, obj: Feedback) -> str:
        page = obj.page
        if not page.startswith("/") or page.startswith("//") or "\\" in page:
            return page  # stored pages are always local; anything else is shown, never linked
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', page, Truncator(page).chars(60))

    @admin.display(description="留言")
    def comment_excerpt(self, obj: Feedback) -> str:
        return Truncator(obj.comment).chars(40)

    def has_add_permission(self, request):
        return False

    @admin.action(description="标记为已处理", permissions=["change"])
    def mark_handled(self, request, queryset):
        count = queryset.filter(handled=False).update(handled=True)
        self.message_user(request, f"已把 {count} 条反馈标记为已处理。", messages.SUCCESS)

    @admin.action(description="导出为 CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        return csv_response(queryset)

"""Admin for policy figures: the list, the editor, the filters and bulk verification."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from ..figures import FigureValueError
from ..models import POLICY_ENTRY_FIELDS, PolicyEntry
from .revisions import RevisionAdminMixin, VersionedForm
from .roles import can_verify
from .spreadsheets import SpreadsheetMixin


class PolicyEntryForm(VersionedForm):
    class Meta:
        model = PolicyEntry
        fields = list(POLICY_ENTRY_FIELDS)


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
class PolicyEntryAdmin(SpreadsheetMixin, RevisionAdminMixin, SimpleHistoryAdmin):
    form = PolicyEntryForm
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

"""Admin for policy figures: the list, the editor, the filters and bulk verification."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.template.response import TemplateResponse
from django.utils import timezone

from ..figures import FigureValueError
from ..models import POLICY_ENTRY_FIELDS, PolicyEntry, overdue_cutoff
from ..usage import usage_context
from .revisions import VersionedAdmin, VersionedForm
from .roles import can_verify
from .spreadsheets import SpreadsheetMixin
from .workflow import WorkflowAdminMixin


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
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.overdue(today)
        if self.value() == "no":
            return queryset.filter(verified_on__gte=overdue_cutoff(today))
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
class PolicyEntryAdmin(WorkflowAdminMixin, SpreadsheetMixin, VersionedAdmin):
    form = PolicyEntryForm
    list_display = [
        "__str__",
        "region",
        "key",
        "shown_value",
        "effective_from",
        "effective_to",
        "status",
        "state",
        "verified_on",
        "source_title",
    ]
    list_filter = [
        "region",
        "key",
        "state",
        "status",
        InForceFilter,
        OverdueFilter,
        ("verified_on", admin.DateFieldListFilter),
    ]
    search_fields = ["key", "value", "source_title", "note"]
    list_select_related = ["region"]
    date_hierarchy = "effective_from"
    actions = ["mark_verified"]
    fieldsets = [
        (
            None,
            {
                "fields": ["region", "key", "value", "effective_from", "effective_to", "base_version", "draft_version"],
                "description": "同一地区同一数据项的生效期不能重叠。明年的新数字可以现在录入：审核通过后，"
                "到生效日期自动替换，原来长期有效的那条会自动填上失效日期。新数据和对已发布数据的修改，"
                "都要审核通过后才会公开。",
            },
        ),
        (
            "来源和核实",
            {"fields": ["source_title", "source_issuer", "source_url", "verified_on", "status", "note", "state"]},
        ),
    ]

    @admin.display(description="数值")
    def shown_value(self, obj: PolicyEntry) -> str:
        try:
            return obj.display_value
        except FigureValueError:
            return obj.value

    def get_readonly_fields(self, request, obj=None):
        return [] if can_verify(request) else ["status", "state"]

    def is_publisher(self, request) -> bool:
        return can_verify(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """With "这个数据用在哪里": the articles and estimator rules that read this figure."""
        entry = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {}), **(usage_context(entry) if entry is not None else {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def has_import_permission(self, request):
        return can_verify(request)

    def has_verify_permission(self, request):
        return can_verify(request)

    def save_model(self, request, obj, form, change):
        if not can_verify(request):  # what an 编辑 enters is 待核实 until a 审核 checks it
            obj.status = form.cleaned_data["status"] = PolicyEntry.UNVERIFIED
        super().save_model(request, obj, form, change)

    @admin.action(description="标记为已核实（核实日期记为今天）", permissions=["verify"])
    def mark_verified(self, request, queryset):
        """First show the values being verified; then verify only rows unchanged since that page."""
        entries = list(queryset.select_related("region"))
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "核实这些数据",
                "opts": self.opts,
                "entries": entries,
                "action": "mark_verified",
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/guides/policyentry/verify_confirm.html", context)
        seen = {key[len("version_") :]: value for key, value in request.POST.items() if key.startswith("version_")}
        verified, changed = 0, []
        for entry in entries:
            if seen.get(str(entry.pk)) != str(entry.version):
                changed.append(str(entry))
                continue
            entry.status, entry.verified_on = PolicyEntry.VERIFIED, timezone.localdate()
            entry._history_user = request.user
            entry.save()
            verified += 1
        if verified:
            self.message_user(request, f"已把 {verified} 条数据标记为已核实。", messages.SUCCESS)
        if changed:
            self.message_user(
                request,
                "这些数据在你打开确认页面之后被改过，没有标记为已核实，请重新查看后再核实："
                + "、".join(changed)
                + "。",
                messages.WARNING,
            )

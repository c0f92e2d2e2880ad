"""Revisions: no lost updates (every change form carries the version it was based on), and the
history list, compare view, revert and recovery from django-simple-history."""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models.fields.related import RelatedField
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from ..models import PendingChange, VersionedModel
from ..views.errors import typed_values
from ..workflow import content_fields, from_data, proposed_data, row_data
from .bases import HistoryAdminMixin
from .display import ChineseHistoryMixin, StaffDeletionMixin

NEXT_LINK_RE = re.compile(r'<a href="#difflib_chg_[^"]*">[fnt]</a>')


def text_diff(old: str, new: str, *, context: bool = False) -> str:
    """A side-by-side diff of two texts, line by line (HTML-escaped by difflib): in full, or only
    the changed lines with three lines around them (`context`)."""
    differ = difflib.HtmlDiff(wrapcolumn=50)
    old_lines, new_lines = (old or "").splitlines(), (new or "").splitlines()
    if old_lines == new_lines:
        return "<p>（两边文字相同）</p>"
    table = differ.make_table(old_lines, new_lines, fromdesc="之前", todesc="之后", context=context, numlines=3)
    return NEXT_LINK_RE.sub("", table)  # difflib's f/n/t jump links mean nothing to staff


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between two versions, ready to show side by side."""

    label: str
    old: str
    new: str
    diff: str = ""  # a full side-by-side table for long text


def shown(field: models.Field, value: Any) -> str:
    """A value as staff read it: names for rows, labels for choices, 是/否, local dates."""
    if value in (None, "", []):
        return "（空）"
    if isinstance(field, models.ManyToManyField):
        rows = {r.pk: str(r) for r in field.related_model._default_manager.filter(pk__in=value)}
        return "、".join(rows.get(pk, f"#{pk}") for pk in value)
    if isinstance(field, RelatedField):  # a row by primary key
        row = field.related_model._default_manager.filter(pk=value).first()
        return str(row) if row is not None else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and isinstance(field, models.DateTimeField):
        value = field.to_python(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def field_changes(model: type[models.Model], old: dict, new: dict, *, context: bool = False) -> list[FieldChange]:
    """Every content field whose value differs between two versions (data as workflow.row_data);
    long texts as a side-by-side diff, in full or with `context` lines around each change."""
    rows = []
    for field in content_fields(model):
        a, b = old.get(field.name), new.get(field.name)
        if a == b or (a in (None, "") and b in (None, "")):
            continue
        long_text = isinstance(field, models.TextField) or (
            isinstance(a, str) and isinstance(b, str) and len(a + b) > 160
        )
        if long_text and str(a or "").splitlines() == str(b or "").splitlines():
            continue  # only a line ending or a final newline differs: not a change anyone can see
        if long_text:
            diff = text_diff(str(a or ""), str(b or ""), context=context)
            rows.append(FieldChange(str(field.verbose_name), "", "", diff))
        else:
            old_text, new_text = shown(field, a), shown(field, b)
            if old_text != new_text:  # e.g. a time differing only below the minute
                rows.append(FieldChange(str(field.verbose_name), old_text, new_text))
    return rows


def record_data(record) -> dict[str, Any]:
    """A django-simple-history record's content in workflow.row_data's shape, relations included."""
    model = record.instance_type
    values: dict[str, Any] = {}
    for field in content_fields(model):
        if isinstance(field, models.ManyToManyField):
            through = getattr(record, field.name).all()
            values[field.name] = sorted(getattr(row, field.m2m_reverse_name()) for row in through)
        else:
            value = getattr(record, field.attname, None)
            values[field.name] = value.isoformat() if isinstance(value, datetime.date) else value
    return values


def changed_since(model: type[VersionedModel], pk, base_version: int) -> dict[str, Any]:
    """Who changed the row after `base_version`, when, and what (`deleted` if it is gone)."""
    later = list(
        model.history.filter(id=pk, version__gt=base_version).select_related("history_user").order_by("history_date")
    )
    then = model.history.filter(id=pk, version=base_version).order_by("-history_date").first()
    current = model._default_manager.filter(pk=pk).first()
    if current is None:
        return {"who": "", "when": None, "changes": [], "deleted": True}
    who = "、".join(dict.fromkeys(str(h.history_user or "系统") for h in later))
    return {
        "who": who or "别人",
        "when": later[-1].history_date if later else None,
        "changes": field_changes(model, record_data(then), row_data(current)) if then is not None else [],
        "deleted": False,
    }


class VersionedForm(forms.ModelForm):
    """Carries the version the editor started from; refuses a save if someone saved since.

    A refused save keeps everything typed in the form and sets `conflict` (who changed what and
    when, side by side) for the page to show. The form then carries the version now stored, so
    saving again, after reading what changed, is a deliberate overwrite.
    """

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # For an 编辑 editing a published row (set by WorkflowAdminMixin.get_form): the save becomes
    # the row's pending change, the form starts from that change, and `draft_version` is its version.
    draft_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    instance: VersionedModel
    saves_as_pending = False
    pending: PendingChange | None = None
    revision_initial: dict[str, Any] = {}  # relations of the history record being restored
    conflict: dict[str, Any] | None = None

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
        if self.revision_initial and not self.is_bound:
            self.initial.update(self.revision_initial)
        if self.saves_as_pending:
            self.fields["draft_version"].initial = self.pending.version if self.pending else 0
            if self.pending is not None and not self.is_bound:
                self.initial.update(from_data(type(instance), self.pending.data))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        base = data.get("base_version")
        instance = self.instance
        if instance.pk is None or base is None:
            return data
        model = type(instance)
        row = model._default_manager.select_for_update().filter(pk=instance.pk)
        stored = row.values_list("version", flat=True).first()
        if stored is not None and stored != base:
            conflict = {**changed_since(model, instance.pk, base), "base": base, "stored": stored}
            self.refuse_stale(
                "base_version",
                conflict,
                "没有保存：你打开这个页面之后，%(who)s 修改并保存了这条内容（你打开时是第 %(base)s 版，现在是第 "
                "%(stored)s 版）。你输入的内容都还在下面；请先看页面上方对方改了什么，"
                "确认要用你的版本覆盖，就再点一次保存。",
            )
        if self.saves_as_pending:
            self.check_pending(data.get("draft_version") or 0)
        return data

    def check_pending(self, seen: int) -> None:
        """Two 编辑 working on the same pending change: the second save is refused, text kept."""
        model = type(self.instance)
        now = PendingChange.for_object(self.instance)
        current = now.version if now is not None else 0
        if seen == current:
            return
        stored = model._default_manager.get(pk=self.instance.pk)
        conflict = {
            "who": str(now.author or "别人") if now is not None else "别人",
            "when": now.updated_at if now is not None else None,
            "changes": field_changes(model, row_data(stored), proposed_data(stored, now)) if now is not None else [],
            "deleted": False,
            "draft": True,
            "base": seen,
            "stored": current,
        }
        self.refuse_stale(
            "draft_version",
            conflict,
            "没有保存：你打开这个页面之后，%(who)s 也保存了这份修改稿（或者它已经被审核通过、放弃）。"
            "你输入的内容都还在下面；请先看页面上方现在的修改稿和已发布版本的区别，"
            "确认要用你的版本替换，就再点一次保存。",
        )

    def refuse_stale(self, version_field: str, conflict: dict[str, Any], message: str) -> None:
        """Refuse this save, keeping every typed value; the form now carries the version stored, so
        saving again after reading `conflict` (shown above the form) is a deliberate overwrite."""
        self.conflict = conflict
        # A bound form holds a QueryDict (a dict in tests); the stubs only promise a Mapping.
        data = cast("QueryDict | dict[str, Any]", self.data).copy()
        data[self.add_prefix(version_field)] = conflict["stored"]
        self.data = data
        raise ValidationError(message, code="stale", params=conflict)


class RevisionAdminMixin(HistoryAdminMixin):
    """History list with a compare form, and a compare view between any two revisions."""

    compare_fields: tuple[str, ...] = ()

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Revert or restore: only for staff who may change the object, in one transaction
        (the version check locks the row, as the ordinary change view does).

        The form starts from the record's relations too (topics, related questions), and a
        deleted row comes back as a draft: recovering never publishes anything."""
        request._revision = self.model.history.filter(id=object_id, history_id=version_id).first()
        request._recovering = not self.model._default_manager.filter(pk=object_id).exists()
        if request.method == "POST":
            current = self.model._default_manager.filter(pk=object_id).first()
            if current is not None and not self.has_change_permission(request, current):
                raise PermissionDenied
            if current is None and not self.has_add_permission(request):
                raise PermissionDenied
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        record = getattr(request, "_revision", None)
        if record is None:
            return form
        initial: dict[str, Any] = {}
        for field in self.model._meta.many_to_many:
            if field.name in form.base_fields:
                pks = record_data(record).get(field.name, [])
                initial[field.name] = list(
                    field.related_model._default_manager.filter(pk__in=pks).values_list("pk", flat=True)
                )
        if request._recovering and hasattr(self, "is_publisher"):
            from ..workflow import state_field

            initial[state_field(self.model())] = "draft"
        return type(form.__name__, (form,), {"revision_initial": initial})

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
        rows = field_changes(self.model, record_data(older), record_data(newer), context=True)
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


def kept_work_response(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    """A refused save that still shows everything the person typed, to copy and keep."""
    context = {"title": "没有保存", "reason": reason, "typed": typed_values(request), "back": request.get_full_path()}
    if hasattr(request, "user") and request.user.is_authenticated:
        from django.contrib import admin

        context.update(admin.site.each_context(request))
    return TemplateResponse(request, "admin/guides/kept_work.html", context, status=status)


class VersionedAdmin(StaffDeletionMixin, ChineseHistoryMixin, RevisionAdminMixin, SimpleHistoryAdmin):
    """A ModelAdmin whose saves are version-checked, with history, compare and revert, and
    whose refusals keep what was typed. For rows outside the review workflow."""

    # The history list with RevisionAdminMixin's compare form (set here, where ModelAdmin's own
    # attribute is in reach of the type checker).
    object_history_template = "admin/guides/object_history.html"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PermissionDenied:
            if request.method != "POST":
                raise
            return kept_work_response(
                request,
                "你没有保存这条内容的权限（可能是账号的权限刚被调整）。下面是你输入的内容，请复制保存，再请审核处理。",
            )

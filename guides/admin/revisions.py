"""Revisions: no lost updates (every change form carries the version it was based on), and the
history list, compare view, revert and recovery from django-simple-history."""

from __future__ import annotations

import datetime
import difflib

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone


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

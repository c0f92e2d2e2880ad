"""Spreadsheet import and export of figures (django-import-export): all rows or none, errors per row."""

from __future__ import annotations

import datetime

from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from ..figures import REGISTRY, FigureValueError
from ..models import POLICY_ENTRY_FIELDS, PolicyEntry, Region


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


class SpreadsheetMixin(ImportExportMixin):
    """Import and export of figures as CSV or XLSX."""

    resource_classes = [PolicyEntryResource]
    formats = [CSV, XLSX]

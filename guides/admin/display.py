"""Admin pages in Chinese where Django writes English outside gettext.

- Yes/no icons: Django draws them with alt="True"/"False"/"None" (list columns and read-only
  fields alike, in `admin_list._boolean_icon`), which screen readers read out and no catalogue
  can translate; importing this module puts in the same icon with 是/否/不清楚.
- `StaffDeletionMixin`: the delete confirmation lists what staff delete, not the rows the site
  keeps for itself (search index entries, many-to-many link rows named "Article_topics object (1)").
- `ChineseHistoryMixin`: the history list's "changes" column shows labels (已发布, not
  "published"), 是/否 and （空） instead of the stored codes, True/False and None.
"""

from __future__ import annotations

import datetime

from django.contrib.admin.templatetags import admin_list
from django.db import models
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.template_utils import HistoricalRecordContextHelper

from .bases import HistoryAdminMixin, ModelAdminMixin


def boolean_icon(value: bool | None) -> str:
    """Django's yes/no/unknown icon, with a Chinese alt text."""
    icons: dict[bool | None, tuple[str, str]] = {True: ("yes", "是"), False: ("no", "否")}
    icon, alt = icons.get(value, ("unknown", "不清楚"))
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), alt)


# A private function, replaced on purpose: admin_list's columns call it by this module global and
# admin.utils.display_for_field imports it from there on each call. tests/test_admin_chinese.py
# reads both kinds of page, so an upgrade that renames it fails the crawl instead of leaking English.
admin_list._boolean_icon = boolean_icon  # type: ignore[attr-defined]  # private: django-stubs omit it


def kept_by_the_site(model: type[models.Model]) -> bool:
    """Rows staff never see as such: link rows Django makes for many-to-many fields and the
    search index (SearchToken). They go with their article and need no listing."""
    return bool(model._meta.auto_created) or model._meta.model_name == "searchtoken"


class StaffDeletionMixin(ModelAdminMixin):
    """ModelAdmin mixin: leave the site's own rows out of the delete confirmation's lists."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        collector_models = {m for m in _related_models(self.model) if kept_by_the_site(m)}
        prefixes = tuple(f"{capfirst(m._meta.verbose_name)}: " for m in collector_models)
        names = {str(m._meta.verbose_name_plural) for m in collector_models}
        counts = {name: count for name, count in counts.items() if str(name) not in names}
        return _without(deleted, prefixes), counts, perms_needed, protected


def _related_models(model: type[models.Model], seen: set | None = None) -> set[type[models.Model]]:
    """Every model a delete of `model` can cascade to."""
    seen = set() if seen is None else seen
    for relation in model._meta.related_objects:
        related = relation.related_model
        if related not in seen:
            seen.add(related)
            _related_models(related, seen)
    for field in model._meta.many_to_many:
        seen.add(field.remote_field.through)
    return seen


def _without(items: list, prefixes: tuple[str, ...]) -> list:
    """The nested list Django builds for the confirmation, minus the entries starting with one of
    `prefixes` (and what is listed under them)."""
    kept, skip_children = [], False
    for item in items:
        if isinstance(item, list):
            if not skip_children:
                kept.append(_without(item, prefixes))
            skip_children = False
            continue
        skip_children = str(item).startswith(prefixes)
        if not skip_children:
            kept.append(item)
    return kept


class ChineseHistoryHelper(HistoricalRecordContextHelper):
    """simple-history's formatting of one change in the history list, with values as staff read them."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        return readable(field, value)


def readable(field, value):
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
    choices = dict(getattr(field, "flatchoices", None) or ())
    if not isinstance(value, list) and value in choices:
        return str(choices[value])
    return value


class ChineseHistoryMixin(HistoryAdminMixin):
    """SimpleHistoryAdmin mixin: the history list's changes in Chinese (see ChineseHistoryHelper)."""

    def get_historical_record_context_helper(self, request, historical_record):
        return ChineseHistoryHelper(self.model, historical_record)

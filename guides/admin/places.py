"""Admin for regions, topics and service channels."""

from __future__ import annotations

from django.contrib import admin

from ..models import Region, ServiceChannel, Topic
from .revisions import VersionedAdmin, VersionedForm

CHANNEL_FIELDS = ["kind", "name", "key", "detail", "address", "hours", "url", "note", "order"]


class RegionForm(VersionedForm):
    class Meta:
        model = Region
        fields = ["name", "slug", "parent", "kind", "summary", "order"]


class TopicForm(VersionedForm):
    class Meta:
        model = Topic
        fields = ["name", "slug", "description", "order"]


class ChannelForm(VersionedForm):
    class Meta:
        model = ServiceChannel
        fields = ["region", *CHANNEL_FIELDS, "base_version"]


class ChannelInline(admin.TabularInline):
    model = ServiceChannel
    form = ChannelForm
    extra = 0
    fields = [*CHANNEL_FIELDS, "base_version"]


@admin.register(Region)
class RegionAdmin(VersionedAdmin):
    form = RegionForm
    fields = ["name", "slug", "parent", "kind", "summary", "order", "base_version"]
    list_display = ["name", "slug", "kind", "parent", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    list_select_related = ["parent"]
    inlines = [ChannelInline]


@admin.register(Topic)
class TopicAdmin(VersionedAdmin):
    form = TopicForm
    fields = ["name", "slug", "description", "order", "base_version"]
    list_display = ["name", "slug", "order"]


@admin.register(ServiceChannel)
class ServiceChannelAdmin(VersionedAdmin):
    form = ChannelForm
    list_display = ["name", "region", "kind", "key", "detail", "order"]
    list_filter = ["region", "kind"]
    list_select_related = ["region"]
    search_fields = ["name", "key", "detail", "address"]
    fields = ["region", *CHANNEL_FIELDS, "base_version"]

"""Admin for regions, topics and service channels."""

from __future__ import annotations

from django.contrib import admin

from ..models import Region, ServiceChannel, Topic

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

from django.contrib import admin
from django.utils import timezone

from .models import Article, PolicyEntry, Region, ServiceChannel, Topic


class ChannelInline(admin.TabularInline):
    model = ServiceChannel
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "parent", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {}
    inlines = [ChannelInline]


class OverdueFilter(admin.SimpleListFilter):
    title = "是否过期"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "超过核实期限"), ("no", "在期限内")]

    def queryset(self, request, queryset):
        from django.conf import settings

        cutoff = timezone.localdate() - timezone.timedelta(days=settings.FIGURE_MAX_AGE_DAYS)
        if self.value() == "yes":
            return queryset.filter(verified_on__lt=cutoff)
        if self.value() == "no":
            return queryset.filter(verified_on__gte=cutoff)
        return queryset


@admin.register(PolicyEntry)
class PolicyEntryAdmin(admin.ModelAdmin):
    list_display = ["region", "key", "value", "effective_from", "effective_to", "status", "verified_on", "source_title"]
    list_filter = ["region", "key", "status", OverdueFilter, ("verified_on", admin.DateFieldListFilter)]
    search_fields = ["key", "value", "source_title", "note"]
    list_select_related = ["region"]
    date_hierarchy = "effective_from"
    fieldsets = [
        (None, {"fields": ["region", "key", "value", "effective_from", "effective_to"]}),
        ("来源和核实", {"fields": ["source_title", "source_issuer", "source_url", "verified_on", "status", "note"]}),
    ]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    prepopulated_fields = {}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "region", "status", "published_at", "reviewed_on", "updated_at"]
    list_filter = ["status", "region", "topics", "featured"]
    search_fields = ["title", "short_answer", "body", "slug"]
    list_select_related = ["region"]
    filter_horizontal = ["topics", "related"]
    date_hierarchy = "published_at"
    fieldsets = [
        (None, {"fields": ["title", "slug", "region", "topics", "short_answer", "body"]}),
        ("发布", {"fields": ["status", "published_at", "unpublish_at", "reviewed_on", "featured", "order"]}),
        ("相关问题", {"fields": ["related"]}),
    ]

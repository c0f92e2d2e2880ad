"""Admin for site search: the synonym list staff keep, and the searches that found no answer."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from ..models import SearchMiss, SearchSynonym
from .revisions import VersionedAdmin, VersionedForm


class SearchSynonymForm(VersionedForm):
    class Meta:
        model = SearchSynonym
        fields = ["words", "note"]


@admin.register(SearchSynonym)
class SearchSynonymAdmin(VersionedAdmin):
    form = SearchSynonymForm
    list_display = ["words", "note"]
    search_fields = ["words", "note"]
    fields = ["words", "note", "base_version"]


@admin.register(SearchMiss)
class SearchMissAdmin(admin.ModelAdmin):
    """What citizens searched for and did not find, most asked first, so staff write those answers."""

    list_display = ["query", "count", "first_seen", "last_seen", "handled", "try_search"]
    list_filter = ["handled", ("last_seen", admin.DateFieldListFilter)]
    search_fields = ["query"]
    ordering = ["-count", "-last_seen"]
    fields = ["query", "count", "first_seen", "last_seen", "handled", "try_search"]
    readonly_fields = ["query", "count", "first_seen", "last_seen", "try_search"]
    actions = ["mark_handled"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # recorded by the site only

    @admin.display(description="在网站上搜索")
    def try_search(self, obj: SearchMiss) -> str:
        url = f"{reverse('guides:search')}?{urlencode({'q': obj.query})}"
        return format_html('<a href="{}" target="_blank" rel="noopener">现在搜一下</a>', url)

    @admin.action(description="标记为已处理", permissions=["change"])
    def mark_handled(self, request: HttpRequest, queryset: QuerySet[SearchMiss]) -> None:
        done = queryset.filter(handled=False).update(handled=True)
        self.message_user(request, f"已把 {done} 个搜索词标记为已处理。", messages.SUCCESS)

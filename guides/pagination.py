"""Long lists (a topic's questions, the national questions) in pages of PER_PAGE, at ?page=N.

A page is read in one query, its rows carrying the list's length (a window count), so a paginated
page reads as many queries as the whole list did; Django's Paginator does the page arithmetic.
Page 1 lives at the bare address: `?page=1` and anything that is not a page number (`abc`, `0`,
`-1`) are sent there with a 301; a page past the last is sent to the last with a 302 (the list may
grow back), which costs one count query on that path only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpRequest, HttpResponsePermanentRedirect, HttpResponseRedirect

PER_PAGE = 50
PAGE_RE = re.compile(r"[1-9][0-9]{0,5}")


def page_url(path: str, number: int) -> str:
    """Page `number` of the list at `path`: page 1 is the bare address."""
    return path if number <= 1 else f"{path}?{urlencode({'page': number})}"


@dataclass
class ListPage:
    rows: list
    page: Page  # over the list's length: number, paginator.num_pages, has_next() …
    path: str

    def url(self, number: int) -> str:
        return page_url(self.path, number)

    @property
    def number(self) -> int:
        return self.page.number

    @property
    def pages(self) -> int:
        return self.page.paginator.num_pages

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def previous_url(self) -> str:
        return self.url(self.page.number - 1) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.url(self.page.number + 1) if self.page.has_next() else ""

    @property
    def canonical(self) -> str:
        """This page's own address: page N is canonical for itself, page 1 is the bare path."""
        return self.url(self.page.number)


def paginate(
    request: HttpRequest, queryset: QuerySet, per_page: int = PER_PAGE
) -> ListPage | HttpResponseRedirect | HttpResponsePermanentRedirect:
    """The asked page of an ordered queryset, or a redirect to the page to show instead."""
    path = request.path
    raw = request.GET.get("page")
    if raw is not None:
        if not PAGE_RE.fullmatch(raw) or raw == "1":
            return HttpResponsePermanentRedirect(path)
        number = int(raw)
    else:
        number = 1
    offset = (number - 1) * per_page
    rows = list(queryset.annotate(list_length=Window(Count("pk")))[offset : offset + per_page])
    if not rows and number > 1:
        last = Paginator(range(queryset.count()), per_page).num_pages
        return HttpResponseRedirect(page_url(path, last))
    length = rows[0].list_length if rows else 0
    return ListPage(rows=rows, page=Paginator(range(length), per_page).page(number), path=path)

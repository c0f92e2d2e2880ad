"""GET /search/?q=&region=&page=: site search, its no-result page, and suggestions as one types.

The logic lives in guides.search; this view validates the parameters, records a search that
found no answer to every word (full searches only, never the htmx suggestions sent per
keystroke) and picks the page or the partial.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from ..htmx import HtmxHttpRequest
from ..models import Topic
from ..search import SearchResults, closest_topics, normalise, record_miss, suggest
from ..search import search as run_search

PER_PAGE = 20
MAX_PAGE = 50
PAGE_RE = re.compile(r"[0-9]{1,3}")


def page_number(value: object) -> int:
    """?page=: a whole number from 1 to MAX_PAGE; anything else is page 1."""
    if isinstance(value, str) and PAGE_RE.fullmatch(value.strip()):
        number = int(value.strip())
        if 1 <= number <= MAX_PAGE:
            return number
    return 1


def page_url(results: SearchResults, page: int) -> str:
    params: dict[str, str | int] = {"q": results.query.text}
    if results.from_region:
        params["region"] = results.from_region.slug
    if page > 1:
        params["page"] = page
    return f"{reverse('guides:search')}?{urlencode(params)}"


def topic_context(results: SearchResults) -> dict:
    """For a search with no result (or none yet): the topics closest to the query, else all."""
    if results.total:
        return {"topics": [], "topics_close": False}
    every = list(Topic.objects.all())
    close = closest_topics(results.query, every)
    return {"topics": close, "topics_close": len(close) < len(every)}


@require_safe
@vary_on_headers("HX-Request")
def search(request: HtmxHttpRequest) -> HttpResponse:
    query = normalise(request.GET.get("q", ""))
    region = request.GET.get("region")
    if request.htmx and not request.htmx.history_restore_request:
        # Suggestions as one types: a few questions, never recorded.
        context = {"suggestions": suggest(query, region) if query else [], "search_query": query}
        return render(request, "guides/search.html#suggestions", context)

    asked_page = page_number(request.GET.get("page"))
    results = run_search(query, region, limit=PER_PAGE, offset=(asked_page - 1) * PER_PAGE)
    if request.method == "GET" and asked_page == 1 and results.is_miss:
        record_miss(query)
    page = results.offset // PER_PAGE + 1
    pages = min(math.ceil(results.total / PER_PAGE), MAX_PAGE)
    return render(
        request,
        "guides/search.html",
        {
            "results": results,
            "search_query": query,
            "search_region": results.from_region,
            "region": results.region,
            "pager": {
                "number": page,
                "pages": pages,
                "previous_url": page_url(results, page - 1) if page > 1 else "",
                "next_url": page_url(results, page + 1) if page < pages else "",
            },
            **topic_context(results),
        },
    )

"""Chinese pages for what went wrong: a refused form post (CSRF check failed: the page was open too
long, or cookies are off) that still shows what was typed, instead of Django's English 403 page; and
the 500 and 503 pages, which never touch the database."""

from __future__ import annotations

import logging
import sys

from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template

from ..context_processors import HOTLINE_CACHE_KEY, SITE_NAME

logger = logging.getLogger(__name__)

# How long a visitor (or a crawler) is asked to wait when the database cannot be reached.
RETRY_AFTER_SECONDS = 30

# Form bookkeeping, not anything a person typed.
NOT_TYPED = {"csrfmiddlewaretoken", "base_version", "draft_version", "seen", "_save", "_continue", "_addanother"}


def typed_values(request: HttpRequest) -> list[tuple[str, str]]:
    """What a refused post carried that a person typed, field by field, to show it back."""
    return [(n, v) for n, values in request.POST.lists() if n not in NOT_TYPED for v in values if v.strip()]


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    context = {"typed": typed_values(request), "back": request.get_full_path()}
    return render(request, "403_csrf.html", context, status=403)


def database_unreachable(exc: BaseException | None) -> bool:
    """Whether the error, or one it was raised from, is the database refusing or dropping the
    connection (Django raises OperationalError/InterfaceError for both backends)."""
    while exc is not None:
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def fault_page(template_name: str, status: int) -> HttpResponse:
    """A fault page rendered without a request, so no context processor runs and nothing asks the
    database; the hotline is the one the last good page left in the cache (guides/context_processors.py)."""
    try:
        hotline = cache.get(HOTLINE_CACHE_KEY)
    except Exception:  # a cache that is down too must not hide the page
        logger.exception("cache unreachable while rendering %s", template_name)
        hotline = None
    html = get_template(template_name).render({"SITE_NAME": SITE_NAME, "hotline": hotline})
    response = HttpResponse(html, status=status)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it for any error a view, a 404 page or a middleware raised, while that
    error is being handled. A database that cannot be reached answers 503 with Retry-After (pages,
    404s and estimator fragments alike); anything else, the Chinese 500 page."""
    exc = sys.exception()
    if database_unreachable(exc):
        # One line naming the cause; django.request logs the 503 itself with the traceback.
        logger.error("database unreachable, %s answered 503: %s", request.path, exc)
        response = fault_page("503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return fault_page("500.html", status=500)

"""A refused form post (CSRF check failed: the page was open too long, or cookies are off) that
still shows what was typed, in Chinese, instead of Django's English 403 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Form bookkeeping, not anything a person typed.
NOT_TYPED = {"csrfmiddlewaretoken", "base_version", "draft_version", "seen", "_save", "_continue", "_addanother"}


def typed_values(request: HttpRequest) -> list[tuple[str, str]]:
    """What a refused post carried that a person typed, field by field, to show it back."""
    return [(n, v) for n, values in request.POST.lists() if n not in NOT_TYPED for v in values if v.strip()]


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    context = {"typed": typed_values(request), "back": request.get_full_path()}
    return render(request, "403_csrf.html", context, status=403)

"""A refused form post (CSRF check failed: the page was open too long, or cookies are off) that
still shows what was typed, in Chinese, instead of Django's English 403 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

SKIP = {"csrfmiddlewaretoken", "base_version", "draft_version", "_save", "_continue", "_addanother", "seen"}


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    typed = [(n, v) for n, values in request.POST.lists() if n not in SKIP for v in values if v.strip()]
    return render(request, "403_csrf.html", {"typed": typed, "back": request.get_full_path()}, status=403)

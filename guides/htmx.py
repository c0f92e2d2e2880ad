"""The request type of views that read `request.htmx`.

django-htmx's middleware sets `request.htmx` on every request; Django's `HttpRequest` does not know
the attribute, so views that branch on it take this subclass, as django-htmx's documentation shows.
It is for type checking only: no request is ever built from it.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails

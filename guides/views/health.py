"""/healthz: for the proxy's and the monitoring's health checks, not for people.

Plain text "ok" with 200 when the database answers `SELECT 1`, "database unreachable" with 503
otherwise. No template, no session, no cache: `Cache-Control: no-store`, so neither a browser, nor
nginx, nor the page cache ever answers for it. Not in the sitemap; robots.txt disallows it.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        body, status = "ok\n", 200
    except DatabaseError as exc:
        logger.error("health check: database unreachable: %s", exc)
        body, status = "database unreachable\n", 503
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response

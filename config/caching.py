"""Cache-Control for browsers and proxies, and an ETag that survives the CSRF token.

Public pages say `no-cache` (store, but revalidate every time): the server's page cache
(config/pagecache.py) retires a page the moment its content changes, and a browser or proxy asking
again gets it fresh or, through Django's ConditionalGetMiddleware just outside this one, a 304 with no
body for a matching If-None-Match (this ETag) or If-Modified-Since (the page cache's Last-Modified).
A page that carries a CSRF token (the feedback form) is tied to the visitor's cookie, so it is
`private`: a shared proxy must not hand it to someone else. Staff (anyone with a
session), the admin and signed preview links get `private, no-store`. Headers a view sets itself
(the admin's never_cache, the fault pages' no-store) are left alone, and so are static files:
whitenoise answers them before this middleware runs.

Django masks the CSRF token afresh on every render, so an ETag of the raw body would never match
twice. When the visitor already holds the CSRF cookie and keeps it, the page they have cached still
carries a valid token for it, so the ETag here is computed with the token blanked out; when a new
cookie is being set, the ETag is the new token's and so never matches (the page must be sent again).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from hashlib import md5
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.http import quote_etag

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

PRIVATE_PREFIXES = ("/admin/", "/preview/")
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")')


class HttpCachingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, **cache_control_for(request, response))
        if request.method == "GET" and needs_etag(response):
            set_page_etag(request, response)
        return response


def cache_control_for(request: HttpRequest, response: HttpResponseBase) -> dict[str, bool]:
    if (
        request.path_info.startswith(PRIVATE_PREFIXES)
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or response.status_code >= 500
    ):
        return {"private": True, "no_store": True}
    if response.cookies:  # the CSRF cookie of a page with a form, or any other per-visitor state
        return {"private": True, "no_cache": True}
    return {"no_cache": True}


def needs_etag(response: HttpResponseBase) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.has_header("ETag")
        and "no-store" not in response.get("Cache-Control", "")
    )


def set_page_etag(request: HttpRequest, response: HttpResponseBase) -> None:
    name = settings.CSRF_COOKIE_NAME
    if name not in response.cookies:
        set_response_etag(response)  # no token on the page
        return
    if response.cookies[name].value != request.COOKIES.get(name):
        content = response.content  # type: ignore[attr-defined]  # not streaming
        token = CSRF_INPUT.search(content)
        response.headers["ETag"] = fresh_etag(content[token.end(1) : token.start(2)] if token else content)
        response.headers.pop("Last-Modified", None)  # nor may a date let the old page (with the old token) stand
        return
    body = CSRF_INPUT.sub(rb"\1\2", response.content)  # type: ignore[attr-defined]  # not streaming
    response.headers["ETag"] = quote_etag(md5(body, usedforsecurity=False).hexdigest())


def fresh_etag(token: bytes) -> str:
    """The tag of a page that sets a new CSRF cookie: of its token, masked anew for every answer, so no
    later visit matches it (or of the whole body, for a page without a token)."""
    return quote_etag(md5(token, usedforsecurity=False).hexdigest())

"""The site's public address, for canonical links, the sitemap, robots.txt, structured data and
the links in e-mails.

SITE_URL decides when it is set (production): a request's Host header never does then. Unset (a
local run), a page names the address it was asked on, so `PORT=8100 make run` links to :8100; an
e-mail, written outside any request, names the address `make run` serves (settings.LOCAL_URL).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site_url(request: HttpRequest | None = None) -> str:
    """Scheme and host, without a trailing slash: "https://yibao.example"."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return settings.LOCAL_URL


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """A site path ("/nanchang/") as a full address."""
    return site_url(request) + path

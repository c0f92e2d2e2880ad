"""Security headers Django does not set by itself, and the admin's looser Content-Security-Policy.

The strict policy for every page is SECURE_CSP in settings.py, sent by Django's
ContentSecurityPolicyMiddleware. This middleware sits just inside that one (and outside whitenoise,
so static files get the headers too): it adds Permissions-Policy to every response and, under
/admin/ only, hands the CSP middleware ADMIN_CSP instead, because Django's admin templates carry
inline styles and scripts, and lets the admin frame its own pages (the article preview).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.csp import CSP

if TYPE_CHECKING:  # settings.py imports this module: keep its imports light
    from django.http import HttpRequest, HttpResponseBase

# Browser features no page of this site uses: each is switched off for the page and any frame.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)

# The public pages' policy: every script, style, image and font from this site's own address,
# nothing inline, no eval, no plugins, never framed by another page.
PUBLIC_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# The admin's: Django's admin templates use inline styles and a few inline scripts, and the
# article preview shows a page in a same-origin frame.
ADMIN_CSP = {
    **PUBLIC_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "frame-ancestors": [CSP.SELF],
}

ADMIN_PREFIX = "/admin/"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.path_info.startswith(ADMIN_PREFIX):
            if not hasattr(response, "_csp_config"):
                response._csp_config = ADMIN_CSP  # type: ignore[attr-defined]  # read by Django's CSP middleware
            if response.headers.get("X-Frame-Options") == "DENY":  # set by XFrameOptionsMiddleware
                response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

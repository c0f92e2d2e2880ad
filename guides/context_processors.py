import logging
import time

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from .siteurl import site_url

log = logging.getLogger(__name__)

SITE_NAME = "医保办事指南"

# The national hotline as the fault pages show it (templates/500.html, 503.html): they cannot ask the
# database, which may be the very thing that is down, so every page that reads the hotline leaves it
# here. No number is written in code; until a page has read it, the fault pages show none.
HOTLINE_CACHE_KEY = "faults:national_hotline"
HOTLINE_REFRESH_SECONDS = 300
_remembered: dict = {"value": None, "at": 0.0}


def remember_hotline(region_name: str, number: str) -> None:
    """Keep the hotline in the cache for the fault pages. Written when it changed, and otherwise at
    most every few minutes (in case the cache was emptied), so most page reads cost no cache round
    trip (a Redis cache is one more network call)."""
    value = {"region": region_name, "number": number}
    now = time.monotonic()
    if value != _remembered["value"] or now - _remembered["at"] > HOTLINE_REFRESH_SECONDS:
        try:
            cache.set(HOTLINE_CACHE_KEY, value, timeout=None)
        except Exception:  # the cache (Redis) is down: the page itself does not need it
            log.warning("could not keep the hotline for the fault pages: cache unreachable", exc_info=True)
            return
        _remembered.update(value=value, at=now)


def national_hotline():
    """The national medical-insurance hotline channel (key yibao_hotline), for the footer of any page
    whose view does not name a nearer one. Looked up only when a template reads it."""
    from .models import Region, ServiceChannel

    line = (
        ServiceChannel.objects.filter(region__kind=Region.NATIONAL, key="yibao_hotline")
        .select_related("region")
        .first()
    )
    if line is not None and line.detail:
        remember_hotline(line.region.name, line.detail)
    return line


def site(request) -> dict:
    return {
        "SITE_NAME": SITE_NAME,
        "SITE_URL": site_url(request),
        "site_hotline": SimpleLazyObject(national_hotline),
    }

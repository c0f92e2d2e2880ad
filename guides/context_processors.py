from django.utils.functional import SimpleLazyObject

from .siteurl import site_url


def national_hotline():
    """The national medical-insurance hotline channel (key yibao_hotline), for the footer of any page
    whose view does not name a nearer one. Looked up only when a template reads it."""
    from .models import Region, ServiceChannel

    return (
        ServiceChannel.objects.filter(region__kind=Region.NATIONAL, key="yibao_hotline")
        .select_related("region")
        .first()
    )


def site(request) -> dict:
    return {
        "SITE_NAME": "医保办事指南",
        "SITE_URL": site_url(request),
        "site_hotline": SimpleLazyObject(national_hotline),
    }

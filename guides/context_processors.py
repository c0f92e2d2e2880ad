from django.conf import settings


def site(request) -> dict:
    return {"SITE_NAME": "医保办事指南", "SITE_URL": settings.SITE_URL}

from django.conf import settings
from django.http import HttpRequest


def civicloop(request: HttpRequest) -> dict:
    return {
        "jurisdiction": getattr(request, "jurisdiction", None),
        "site_name": settings.CIVICLOOP_SITE_NAME,
    }

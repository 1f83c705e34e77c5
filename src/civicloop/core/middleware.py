from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from civicloop.core.selectors import jurisdiction_for_host


class JurisdictionMiddleware:
    """Sets request.jurisdiction from the host name (its Open311 jurisdiction id).

    One installation can serve several jurisdictions, each on its own domain, the way
    FixMyStreet serves each council; a single-jurisdiction install needs no configuration.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # /healthz must answer (503) even when the database is down, /livez must never touch it,
        # and static files need no jurisdiction: none of them touches the database here.
        if request.path_info in ("/healthz", "/livez") or request.path_info.startswith(settings.STATIC_URL):
            request.jurisdiction = None
        else:
            request.jurisdiction = jurisdiction_for_host(request.get_host().split(":")[0].lower())
        return self.get_response(request)

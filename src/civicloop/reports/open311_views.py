"""Open311 GeoReport v2 at /open311/v2/: plain Django views (decision 9), each parse → selector → render.

Jurisdiction: the `jurisdiction_id` parameter (a Jurisdiction.domain) when given, else the one
the host name chose (decision 5); neither → 400, an unknown id → 404.

Language: names and questions come in the jurisdiction's default language (its first), which
is what the stored originals are written in, so every client sees the same list whatever its
Accept-Language. A client may ask for another of the jurisdiction's languages with the
`locale` parameter (`es`, `id`, `en-GB` → `en`); a language the jurisdiction does not offer
is a 400 that lists the ones it does. Error descriptions follow the request's language
(Accept-Language or the language cookie), as they are meant for the person using the client.

An empty parameter is treated exactly like a missing one (the specification's rule).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from civicloop.core.models import Jurisdiction
from civicloop.reports import open311
from civicloop.reports.selectors import category_changeset, category_get_open311, category_list_open311


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = list(descriptions)


def _param(request: HttpRequest, name: str) -> str:
    return request.GET.get(name, "").strip()


def open311_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET (and HEAD) only; Open311Error becomes the specification's error body in the asked format."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            if request.method not in ("GET", "HEAD"):
                raise Open311Error(
                    400, _("Method %(method)s is not allowed here; use GET.") % {"method": request.method}
                )
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as error:
            response = open311.errors_response(error.status, error.descriptions, fmt=fmt)
            if request.method not in ("GET", "HEAD"):
                response["Allow"] = "GET, HEAD"
            return response

    return wrapper


def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    wanted = _param(request, "jurisdiction_id")
    if wanted:
        jurisdiction = Jurisdiction.objects.filter(domain=wanted.lower()).first()
        if jurisdiction is None:
            raise Open311Error(
                404,
                _("jurisdiction_id %(id)s was not found: give the web domain of a jurisdiction served here.")
                % {"id": wanted},
            )
        return jurisdiction
    jurisdiction = getattr(request, "jurisdiction", None)
    if jurisdiction is None:
        domains = ", ".join(Jurisdiction.objects.order_by("domain").values_list("domain", flat=True))
        raise Open311Error(
            400,
            _("jurisdiction_id was not provided; this endpoint serves several jurisdictions: %(domains)s.")
            % {"domains": domains},
        )
    return jurisdiction


def _language(request: HttpRequest, jurisdiction: Jurisdiction) -> str:
    wanted = _param(request, "locale")
    if not wanted:
        return jurisdiction.default_language
    language = wanted.replace("_", "-").split("-")[0].lower()
    if language not in jurisdiction.languages:
        raise Open311Error(
            400,
            _("locale %(locale)s is not offered by %(name)s; use one of: %(languages)s.")
            % {"locale": wanted, "name": jurisdiction.name, "languages": ", ".join(jurisdiction.languages)},
        )
    return language


def _endpoint_url(request: HttpRequest) -> str:
    path = reverse("open311:discovery", kwargs={"fmt": "xml"}).rsplit("/", 1)[0]
    return request.build_absolute_uri(path)


@open311_view
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    site = request.build_absolute_uri("/")
    name = jurisdiction.localized("name", jurisdiction.default_language)
    data = open311.discovery(
        changeset=category_changeset(jurisdiction=jurisdiction),
        endpoint_url=_endpoint_url(request),
        contact=_("Questions about this API: contact the administrators of %(name)s through %(url)s.")
        % {"name": name, "url": site},
        key_service=_(
            "Reading needs no key. To post requests, ask the administrators of %(name)s for an API key through %(url)s."
        )
        % {"name": name, "url": site},
    )
    return open311.render(data, root="discovery", fmt=fmt)


@open311_view
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    language = _language(request, jurisdiction)
    categories = list(category_list_open311(jurisdiction=jurisdiction))
    return open311.render(open311.service_list(categories, language=language), root="services", fmt=fmt)


@open311_view
def service_definition(request: HttpRequest, *, code: str, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    language = _language(request, jurisdiction)
    category = category_get_open311(jurisdiction=jurisdiction, code=code)
    if category is None:
        raise Open311Error(
            404,
            _("service_code %(code)s was not found in %(name)s; GET services lists the valid codes.")
            % {"code": code, "name": jurisdiction.name},
        )
    return open311.render(open311.service_definition(category, language=language), root="service_definition", fmt=fmt)


def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Anything else under /open311/v2/: a 404 in Open311's error format (JSON if .json was asked, else XML)."""
    fmt = "json" if rest.endswith(".json") else "xml"
    return open311.errors_response(
        404,
        [
            _("There is no Open311 resource at %(path)s; see discovery.xml for what this endpoint offers.")
            % {"path": request.path}
        ],
        fmt=fmt,
    )

"""The HSDS 3.0 read API (the standard's schema/openapi.json) at /hsds/ on the jurisdiction's host.

Every view: parse the parameters (a bad one is a 400 problem naming it), call a selector,
render HSDS JSON. Lists answer the standard's Page envelope (`page` from 1, `per_page` 1 to
100, default 50; with `minimal`, up to and by default 10,000), or with `format=ndjson` every
result as one JSON object per line, unpaged and streamed. Filters combine with AND. An unknown
id is a 404 problem. Only the jurisdiction's own HSDS data is served: no civicloop columns
(jurisdiction, agency), and change-log entries name no civicloop user (hsds/export.py).

Choices where the standard's text is loose:
- `minimal=true`: items are `id` and `last_modified` (HSDS 3.0's name for the description's
  "modified_date"); `minimal` wins over `full`.
- `modified_after`: see selectors._service_modified_since (last_modified or the change log,
  of the service or anything it nests).
- `/service_at_locations/{id}` answers a fully nested service at location
  (compiled/service_at_location.json; the openapi.json's reference to compiled/service.json
  contradicts its own description).
- `postcode` and `proximity`: selectors.service_at_location_list_public; a postcode's centre is
  the mean position of the directory's located addresses with that postal code.
- `full_service` implies `full` on `/organizations`; without it an organization's services
  carry their own fields only.
- `top_only`: terms without a parent (the tree's top level).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from civicloop.api import INVALID_INPUT, problem_response
from civicloop.core.models import Jurisdiction
from civicloop.directory import selectors
from civicloop.directory.api import params
from civicloop.directory.api import render as render_module
from civicloop.directory.api.params import ParamError
from civicloop.directory.api.render import Page, as_uuid, ndjson_lines, page_graph, page_of
from civicloop.directory.models import Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm

HSDS_VERSION = "3.0"
#: The HSDS profile this API follows: none, the standard itself (its 3.0 documentation).
HSDS_PROFILE = "https://docs.openreferral.org/en/3.0/"
#: The API is the standard's own openapi.json, unchanged.
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
NDJSON = "application/x-ndjson"

View = Callable[..., HttpResponseBase]


class NotFoundError(Exception):
    """No such object in this directory; the message names it."""


def hsds_view(view: View) -> View:
    """GET and HEAD only; the host's jurisdiction; parameter errors and unknown ids as problems."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            return problem_response(
                request,
                405,
                _("The HSDS API is read-only: use GET."),
                headers={"Allow": "GET, HEAD"},
            )
        jurisdiction: Jurisdiction | None = getattr(request, "jurisdiction", None)
        if jurisdiction is None:
            return problem_response(request, 404, _("No service directory is published at this address."))
        try:
            return view(request, jurisdiction, *args, **kwargs)
        except ParamError as exc:
            return problem_response(
                request,
                400,
                _("The query parameter “%(name)s” is not valid: %(message)s.")
                % {"name": exc.name, "message": exc.message},
                type_=INVALID_INPUT,
                errors=[{"location": "query", "field": exc.name, "message": exc.message}],
            )
        except NotFoundError as exc:
            return problem_response(request, 404, str(exc))

    return wrapper


def _json(data: Any) -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/json")


def _list_response(
    request: HttpRequest,
    queryset: Any,
    paging: params.Paging,
    render: Callable[[list[Any]], Iterable[dict[str, Any]]],
    *,
    nested: bool = False,
) -> HttpResponseBase:
    """A page, or the NDJSON stream. nested: fully nested objects, streamed in chunks no larger
    than a page (their nested objects are looked up by id, in lists a database bounds)."""
    if paging.ndjson:
        chunk_size = min(render_module.STREAM_CHUNK, params.PER_PAGE_MAX) if nested else None
        return StreamingHttpResponse(ndjson_lines(queryset, render=render, chunk_size=chunk_size), content_type=NDJSON)
    page: Page = page_of(queryset, page=paging.page, per_page=paging.per_page, render=render)
    return _json(page.as_json())


def _object_id(value: str, what: str) -> Any:
    """The UUID of a path's {id}; one that is no UUID names no object, so it is a 404."""
    object_id = as_uuid(value)
    if object_id is None:
        raise NotFoundError(_("There is no %(what)s with id “%(id)s” in this directory.") % {"what": what, "id": value})
    return object_id


def _not_found(what: str, object_id: Any) -> NotFoundError:
    return NotFoundError(
        _("There is no %(what)s with id “%(id)s” in this directory.") % {"what": what, "id": object_id}
    )


def _service_filters(request: HttpRequest) -> selectors.ServiceFilters:
    return selectors.ServiceFilters(
        search=params.text(request, "search"),
        taxonomy_term_id=params.uuid_param(request, "taxonomy_term_id"),
        taxonomy_id=params.uuid_param(request, "taxonomy_id"),
        organization_id=params.uuid_param(request, "organization_id"),
        modified_after=params.modified_after(request),
    )


# --- Views -------------------------------------------------------------------------------------


@hsds_view
def root(request: HttpRequest, jurisdiction: Jurisdiction) -> HttpResponse:
    return _json(
        {
            "version": HSDS_VERSION,
            "profile": HSDS_PROFILE,
            "openapi_url": OPENAPI_URL,
        }
    )


@hsds_view
def service_list(request: HttpRequest, jurisdiction: Jurisdiction) -> HttpResponseBase:
    minimal = params.boolean(request, "minimal")
    full = params.boolean(request, "full")
    filters = _service_filters(request)
    paging = params.paging(request, minimal=minimal)
    services = selectors.service_list_public(jurisdiction=jurisdiction, filters=filters)

    def render(rows: list[Service]) -> Iterable[dict[str, Any]]:
        if minimal:
            graph = page_graph(jurisdiction)
            return [graph.service_minimal(service) for service in rows]
        if full:
            graph = page_graph(jurisdiction, selectors.directory_objects(jurisdiction=jurisdiction, services=rows))
            return [graph.service_full(service) for service in rows]
        graph = page_graph(jurisdiction)
        return [graph.service_item(service) for service in rows]

    if minimal:
        services = services.only("id", "last_modified", "jurisdiction_id").select_related(None)
    return _list_response(request, services, paging, render, nested=full and not minimal)


@hsds_view
def service_detail(request: HttpRequest, jurisdiction: Jurisdiction, object_id: str) -> HttpResponse:
    service = Service.objects.filter(jurisdiction=jurisdiction, id=_object_id(object_id, _("service"))).first()
    if service is None:
        raise _not_found(_("service"), object_id)
    objects = selectors.directory_objects(jurisdiction=jurisdiction, services=[service])
    return _json(page_graph(jurisdiction, objects).service_full(service))


@hsds_view
def service_at_location_list(request: HttpRequest, jurisdiction: Jurisdiction) -> HttpResponseBase:
    full = params.boolean(request, "full")
    filters = _service_filters(request)
    postcode = params.text(request, "postcode")
    radius = params.proximity(request)
    paging = params.paging(request)
    place = None
    if postcode:
        place = selectors.place_for_postcode(jurisdiction=jurisdiction, postcode=postcode, radius=radius)
        if radius is not None and place.latitude is None:
            raise ParamError(
                "postcode",
                _("no location of this directory has the postcode “%(postcode)s”, so distances from it are unknown")
                % {"postcode": postcode},
            )
    rows = selectors.service_at_location_list_public(jurisdiction=jurisdiction, filters=filters, place=place)

    def render(page_rows: list[ServiceAtLocation]) -> Iterable[dict[str, Any]]:
        if full:
            objects = selectors.directory_objects(jurisdiction=jurisdiction, service_at_locations=page_rows)
            graph = page_graph(jurisdiction, objects)
            return [graph.service_at_location_full(row) for row in page_rows]
        graph = page_graph(jurisdiction)
        return [graph.service_at_location_item(row) for row in page_rows]

    return _list_response(request, rows, paging, render, nested=full)


@hsds_view
def service_at_location_detail(request: HttpRequest, jurisdiction: Jurisdiction, object_id: str) -> HttpResponse:
    what = _("service at location")
    row = ServiceAtLocation.objects.filter(jurisdiction=jurisdiction, id=_object_id(object_id, what)).first()
    if row is None:
        raise _not_found(what, object_id)
    objects = selectors.directory_objects(jurisdiction=jurisdiction, service_at_locations=[row])
    return _json(page_graph(jurisdiction, objects).service_at_location_full(row))


@hsds_view
def organization_list(request: HttpRequest, jurisdiction: Jurisdiction) -> HttpResponseBase:
    full_service = params.boolean(request, "full_service")
    full = params.boolean(request, "full") or full_service
    paging = params.paging(request)
    organizations = selectors.organization_list_public(jurisdiction=jurisdiction, search=params.text(request, "search"))

    def render(rows: list[Organization]) -> Iterable[dict[str, Any]]:
        graph = page_graph(jurisdiction)
        if not full:
            return [graph.plain("organization", row) for row in rows]
        graph.objects |= selectors.directory_objects(
            jurisdiction=jurisdiction, organizations=rows, with_organization_services=full_service
        )
        if full_service:
            return [graph.organization_full(row) for row in rows]
        services = selectors.services_of_organizations(jurisdiction=jurisdiction, organization_ids=[r.pk for r in rows])
        return [graph.organization_full(row, services=services.get(row.pk, [])) for row in rows]

    return _list_response(request, organizations, paging, render, nested=full)


@hsds_view
def organization_detail(request: HttpRequest, jurisdiction: Jurisdiction, object_id: str) -> HttpResponse:
    full_service = params.boolean(request, "full_service")
    what = _("organization")
    organization = Organization.objects.filter(jurisdiction=jurisdiction, id=_object_id(object_id, what)).first()
    if organization is None:
        raise _not_found(what, object_id)
    objects = selectors.directory_objects(
        jurisdiction=jurisdiction, organizations=[organization], with_organization_services=full_service
    )
    graph = page_graph(jurisdiction, objects)
    if full_service:
        return _json(graph.organization_full(organization))
    services = selectors.services_of_organizations(jurisdiction=jurisdiction, organization_ids=[organization.pk])
    return _json(graph.organization_full(organization, services=services.get(organization.pk, [])))


@hsds_view
def taxonomy_list(request: HttpRequest, jurisdiction: Jurisdiction) -> HttpResponseBase:
    paging = params.paging(request)
    taxonomies = selectors.taxonomy_list_public(jurisdiction=jurisdiction, search=params.text(request, "search"))
    graph = page_graph(jurisdiction)
    return _list_response(request, taxonomies, paging, lambda rows: [graph.plain("taxonomy", row) for row in rows])


@hsds_view
def taxonomy_detail(request: HttpRequest, jurisdiction: Jurisdiction, object_id: str) -> HttpResponse:
    what = _("taxonomy")
    taxonomy = Taxonomy.objects.filter(jurisdiction=jurisdiction, id=_object_id(object_id, what)).first()
    if taxonomy is None:
        raise _not_found(what, object_id)
    return _json(page_graph(jurisdiction).plain("taxonomy", taxonomy))


@hsds_view
def taxonomy_term_list(request: HttpRequest, jurisdiction: Jurisdiction) -> HttpResponseBase:
    terms = selectors.taxonomy_term_list_public(
        jurisdiction=jurisdiction,
        search=params.text(request, "search"),
        taxonomy_id=params.uuid_param(request, "taxonomy_id"),
        parent_id=params.uuid_param(request, "parent_id"),
        top_only=params.boolean(request, "top_only"),
    )
    paging = params.paging(request)
    graph = page_graph(jurisdiction)
    return _list_response(request, terms, paging, lambda rows: [graph.taxonomy_term_item(row) for row in rows])


@hsds_view
def taxonomy_term_detail(request: HttpRequest, jurisdiction: Jurisdiction, object_id: str) -> HttpResponse:
    what = _("taxonomy term")
    term = (
        TaxonomyTerm.objects.filter(jurisdiction=jurisdiction, id=_object_id(object_id, what))
        .select_related("taxonomy_detail")
        .first()
    )
    if term is None:
        raise _not_found(what, object_id)
    return _json(page_graph(jurisdiction).taxonomy_term_item(term))

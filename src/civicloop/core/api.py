"""API for jurisdictions, their areas (GeoJSON) and agencies, and the audit trail.

No `from __future__ import annotations` here: django-ninja reads the view signatures, and
a view wrapped by @paginate would have its string annotations resolved in the wrong module.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import PaginationBase, paginate

from civicloop.accounts.auth import api_auth
from civicloop.core import geo, selectors, services
from civicloop.core.enums import Channel
from civicloop.core.models import Agency, Area, Jurisdiction
from civicloop.core.schemas import (
    AgencyOut,
    AgencyPatch,
    AreaFeature,
    AreaFeatureCollection,
    AuditEventOut,
    AuditEventQuery,
    JurisdictionDetailOut,
    JurisdictionOut,
    LanguageQuery,
    LocateQuery,
    problems,
)

router = Router()

GEOJSON = "application/geo+json"
AUDIT_PAGE_SIZE = 50
SHOWN_IN_NOT_FOUND = 10


# --- Lookups that explain what exists when something does not -----------------------------


def _choices(slugs: list[str], *, what: str, listing: str) -> str:
    if not slugs:
        return _("There are no %(what)s yet.") % {"what": what}
    shown = ", ".join(slugs[:SHOWN_IN_NOT_FOUND])
    if len(slugs) > SHOWN_IN_NOT_FOUND:
        return _("Valid %(what)s include: %(shown)s; %(listing)s lists them all.") % {
            "what": what,
            "shown": shown,
            "listing": listing,
        }
    return _("Valid %(what)s: %(shown)s.") % {"what": what, "shown": shown}


def _first_slugs(queryset: QuerySet) -> list[str]:
    return list(queryset.order_by("slug").values_list("slug", flat=True)[: SHOWN_IN_NOT_FOUND + 1])


def _jurisdiction(slug: str) -> Jurisdiction:
    jurisdiction = selectors.jurisdiction_list().filter(slug=slug).first()
    if jurisdiction is None:
        choices = _choices(
            _first_slugs(selectors.jurisdiction_list()), what=_("jurisdictions"), listing="/api/v1/jurisdictions"
        )
        raise Http404(_("No jurisdiction '%(slug)s'. %(choices)s") % {"slug": slug, "choices": choices})
    return jurisdiction


def _in_jurisdiction(queryset: QuerySet, *, jurisdiction: Jurisdiction, slug: str, kind: str) -> Any:
    """The object with this slug in the jurisdiction, or a 404 that lists valid slugs."""
    found = queryset.filter(slug=slug).first()
    if found is None:
        listing = f"/api/v1/jurisdictions/{jurisdiction.slug}/{kind}"
        what = {"areas": _("areas"), "agencies": _("agencies")}[kind]
        choices = _choices(_first_slugs(queryset), what=what, listing=listing)
        message = {
            "areas": _("No area '%(slug)s' in jurisdiction '%(jurisdiction)s'. %(choices)s"),
            "agencies": _("No agency '%(slug)s' in jurisdiction '%(jurisdiction)s'. %(choices)s"),
        }[kind]
        raise Http404(message % {"slug": slug, "jurisdiction": jurisdiction.slug, "choices": choices})
    return found


def _area(jurisdiction: Jurisdiction, slug: str) -> Area:
    areas = selectors.area_list(jurisdiction=jurisdiction)
    return _in_jurisdiction(areas, jurisdiction=jurisdiction, slug=slug, kind="areas")


def _agency(jurisdiction: Jurisdiction, slug: str) -> Agency:
    agencies = selectors.agency_list_public(jurisdiction=jurisdiction)
    return _in_jurisdiction(agencies, jurisdiction=jurisdiction, slug=slug, kind="agencies")


# --- Jurisdictions -------------------------------------------------------------------------


@router.get(
    "/jurisdictions",
    response={200: list[JurisdictionOut]},
    tags=["jurisdictions"],
    summary="List jurisdictions",
)
def jurisdiction_list(request: HttpRequest) -> QuerySet[Jurisdiction]:
    """Every jurisdiction served by this installation."""
    return selectors.jurisdiction_list()


@router.get(
    "/jurisdictions/{slug}",
    response={200: JurisdictionDetailOut, **problems(404)},
    tags=["jurisdictions"],
    summary="A jurisdiction and its working calendar",
)
def jurisdiction_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    """The jurisdiction, its working hours and its public holidays from today on (in its own time zone)."""
    jurisdiction = _jurisdiction(slug)
    return {
        "slug": jurisdiction.slug,
        "name": jurisdiction.name,
        "domain": jurisdiction.domain,
        "time_zone": jurisdiction.time_zone,
        "languages": jurisdiction.languages,
        "description": jurisdiction.description,
        "working_hours": jurisdiction.working_hours,
        "holidays": selectors.holiday_list_upcoming(jurisdiction=jurisdiction, limit=None),
    }


# --- Areas ---------------------------------------------------------------------------------


def _feature(area: Area) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": area.slug,
        "bbox": [area.min_lon, area.min_lat, area.max_lon, area.max_lat],
        "geometry": area.geometry,
        "properties": {
            "slug": area.slug,
            "name": area.name,
            "level": area.level,
            "code": area.code,
            "parent": area.parent.slug if area.parent is not None else None,
        },
    }


def _collection(areas: list[Area]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [_feature(area) for area in areas]}


@router.get(
    "/jurisdictions/{slug}/areas",
    response={200: AreaFeatureCollection, **problems(404)},
    tags=["areas"],
    summary="All areas of a jurisdiction (GeoJSON)",
)
def area_list(request: HttpRequest, slug: str, response: HttpResponse) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (WGS 84) of every area, by level then name."""
    jurisdiction = _jurisdiction(slug)
    response["Content-Type"] = GEOJSON
    return _collection(list(selectors.area_list(jurisdiction=jurisdiction)))


@router.get(
    "/jurisdictions/{slug}/areas/locate",
    response={200: AreaFeatureCollection, **problems(400, 404)},
    tags=["areas"],
    summary="Areas containing a point (GeoJSON)",
)
def area_locate(request: HttpRequest, slug: str, point: Query[LocateQuery], response: HttpResponse) -> dict[str, Any]:
    """The areas that contain the point, deepest level first (e.g. ward, then district); empty if none."""
    jurisdiction = _jurisdiction(slug)
    found = geo.areas_containing(jurisdiction=jurisdiction, lon=point.lon, lat=point.lat)
    # Reload through the selector so parents come in the same query, whatever geo returns.
    by_pk = {
        area.pk: area for area in selectors.area_list(jurisdiction=jurisdiction).filter(pk__in=[a.pk for a in found])
    }
    response["Content-Type"] = GEOJSON
    return _collection([by_pk[area.pk] for area in found if area.pk in by_pk])


@router.get(
    "/jurisdictions/{slug}/areas/{area_slug}",
    response={200: AreaFeature, **problems(404)},
    tags=["areas"],
    summary="One area (GeoJSON)",
)
def area_detail(request: HttpRequest, slug: str, area_slug: str, response: HttpResponse) -> dict[str, Any]:
    """One area as a GeoJSON Feature; its id is its slug."""
    area = _area(_jurisdiction(slug), area_slug)
    response["Content-Type"] = GEOJSON
    return _feature(area)


# --- Agencies ------------------------------------------------------------------------------


def _language(params: LanguageQuery) -> str:
    """?lang= if given, else what LocaleMiddleware took from Accept-Language."""
    if params.lang:
        return params.lang
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    known = {code for code, _name in settings.LANGUAGES}
    return language if language in known else settings.LANGUAGE_CODE


def _public_url(request: HttpRequest, agency: Agency) -> str:
    """The agency's public page, on its jurisdiction's own domain when this request is on another."""
    path = agency.get_absolute_url()
    current = getattr(request, "jurisdiction", None)
    if current is not None and current.pk == agency.jurisdiction_id:
        return request.build_absolute_uri(path)
    return f"{request.scheme}://{agency.jurisdiction.domain}{path}"


def _agency_out(request: HttpRequest, agency: Agency, language: str) -> dict[str, Any]:
    return {
        "slug": agency.slug,
        "name": agency.localized("name", language),
        "description": agency.localized("description", language),
        "kind": agency.kind,
        "contact_email": agency.contact_email,
        "phone": agency.phone,
        "website": agency.website,
        "areas": sorted(area.slug for area in agency.areas.all()),
        "url": _public_url(request, agency),
    }


@router.get(
    "/jurisdictions/{slug}/agencies",
    response={200: list[AgencyOut], **problems(400, 404)},
    tags=["agencies"],
    summary="List a jurisdiction's agencies",
)
def agency_list(
    request: HttpRequest, slug: str, params: Query[LanguageQuery], response: HttpResponse
) -> list[dict[str, Any]]:
    """Active agencies, by name, with names and descriptions in the requested language."""
    jurisdiction = _jurisdiction(slug)
    language = _language(params)
    response["Content-Language"] = language
    return [
        _agency_out(request, agency, language) for agency in selectors.agency_list_public(jurisdiction=jurisdiction)
    ]


@router.get(
    "/jurisdictions/{slug}/agencies/{agency_slug}",
    response={200: AgencyOut, **problems(400, 404)},
    tags=["agencies"],
    summary="One agency",
)
def agency_detail(
    request: HttpRequest, slug: str, agency_slug: str, params: Query[LanguageQuery], response: HttpResponse
) -> dict[str, Any]:
    """An active agency, with its name and description in the requested language."""
    agency = _agency(_jurisdiction(slug), agency_slug)
    language = _language(params)
    response["Content-Language"] = language
    return _agency_out(request, agency, language)


@router.patch(
    "/jurisdictions/{slug}/agencies/{agency_slug}",
    response={200: AgencyOut, **problems(400, 401, 403, 404)},
    auth=api_auth,
    tags=["agencies"],
    summary="Change an agency's public details",
)
def agency_patch(
    request: HttpRequest,
    *,
    slug: str,
    agency_slug: str,
    payload: AgencyPatch,
    params: Query[LanguageQuery],
    response: HttpResponse,
) -> dict[str, Any]:
    """Change the fields sent, leave the rest. For the agency's managers and the jurisdiction's
    administrators; the change is recorded in the audit trail with channel `api`."""
    agency = _agency(_jurisdiction(slug), agency_slug)
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("core.change_agency", agency):
        raise PermissionDenied(
            _(
                "You may not change the agency '%(agency)s': only its managers and the administrators of "
                "%(jurisdiction)s can. Ask an administrator for the agency manager role."
            )
            % {"agency": agency.slug, "jurisdiction": agency.jurisdiction.name}
        )
    agency = services.agency_update(
        agency=agency, by=user, channel=Channel.API, **payload.model_dump(exclude_unset=True)
    )
    language = _language(params)
    response["Content-Language"] = language
    return _agency_out(request, agency, language)


# --- Audit trail ---------------------------------------------------------------------------


class AuditPagination(PaginationBase):
    """Fixed pages of 50: clients walk `page` until `page * page_size >= count`."""

    class Input(Schema):
        page: int = Field(1, ge=1, description="Page number, from 1.")

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Events matching, on all pages.")
        page: int
        page_size: int

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any) -> Any:
        offset = (pagination.page - 1) * AUDIT_PAGE_SIZE
        return {
            "items": queryset[offset : offset + AUDIT_PAGE_SIZE],
            "count": self._items_count(queryset),
            "page": pagination.page,
            "page_size": AUDIT_PAGE_SIZE,
        }


@router.get(
    "/audit-events",
    response={200: list[AuditEventOut], **problems(400, 401, 403, 404)},
    auth=api_auth,
    tags=["audit"],
    summary="Read a jurisdiction's audit trail",
)
@paginate(AuditPagination)
def audit_event_list(request: HttpRequest, filters: Query[AuditEventQuery]) -> QuerySet:
    """Newest first, 50 a page. Supervisors, monitors and administrators read the whole
    trail; agency managers read what was done for their agencies. Monitors see no personal
    data: `actor` is null, and so are the details of events about people."""
    jurisdiction = _jurisdiction(filters.jurisdiction)
    user = request.auth  # type: ignore[attr-defined]
    if not user.has_perm("core.view_auditevent", jurisdiction):
        raise PermissionDenied(
            _(
                "You may not read the audit trail of %(jurisdiction)s: it is open to its supervisors, "
                "monitors, administrators and agency managers."
            )
            % {"jurisdiction": jurisdiction.name}
        )
    events = selectors.audit_event_list_visible(user=user, jurisdiction=jurisdiction)
    if filters.action:
        events = events.filter(action=filters.action)
    return events

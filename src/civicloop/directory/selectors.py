"""Reads of the service directory for the public: every list of the HSDS API and the objects a
page of them nests.

Everything here is public HSDS data of one jurisdiction: each query is filtered by it, so a
reference that happens to name another directory's object finds nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import math
import operator
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from django.db.models import Exists, F, FloatField, OuterRef, Q, QuerySet
from django.db.models.expressions import ExpressionWrapper
from django.utils import timezone
from shapely.geometry import shape

from civicloop.core.models import Jurisdiction
from civicloop.directory.models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Funding,
    HsdsObject,
    Language,
    Location,
    Metadata,
    Organization,
    OrganizationIdentifier,
    Phone,
    Program,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from civicloop.directory.search import service_search

#: Metres per degree of latitude (and of longitude at the equator), on the mean Earth radius.
METRES_PER_DEGREE = 6_371_008.8 * math.pi / 180


@dataclass(frozen=True)
class ServiceFilters:
    """What the HSDS API's list parameters ask for; every given filter must hold (AND)."""

    search: str = ""
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    modified_after: dt.datetime | None = None


@dataclass(frozen=True)
class Place:
    """A postcode's centroid and, with `proximity`, the radius around it in metres."""

    postcode: str
    latitude: float | None
    longitude: float | None
    radius: float | None = None


# --- Services -------------------------------------------------------------------------------


def service_list_public(*, jurisdiction: Jurisdiction, filters: ServiceFilters) -> QuerySet[Service]:
    """The jurisdiction's services matching filters, by name, with organization and program joined."""
    services = (
        Service.objects.filter(jurisdiction=jurisdiction)
        .select_related("organization", "program")
        .order_by("name", "id")
    )
    return _filter_services(services, jurisdiction=jurisdiction, filters=filters, prefix="")


def _filter_services(
    queryset: QuerySet[Any], *, jurisdiction: Jurisdiction, filters: ServiceFilters, prefix: str
) -> QuerySet[Any]:
    """Filters a queryset of services (prefix "") or of rows with a service (prefix "service__")."""
    service_ref = OuterRef(f"{prefix}id" if prefix else "id")
    if filters.search:
        matching = service_search(jurisdiction, filters.search).values("id")
        queryset = queryset.filter(**{f"{prefix}id__in": matching})
    if filters.organization_id is not None:
        queryset = queryset.filter(**{f"{prefix}organization_id": filters.organization_id})
    if filters.taxonomy_term_id is not None:
        queryset = queryset.filter(
            Exists(
                Attribute.objects.filter(
                    jurisdiction=jurisdiction, link_id=service_ref, taxonomy_term_id=filters.taxonomy_term_id
                )
            )
        )
    if filters.taxonomy_id is not None:
        queryset = queryset.filter(
            Exists(
                Attribute.objects.filter(
                    jurisdiction=jurisdiction,
                    link_id=service_ref,
                    taxonomy_term__taxonomy_detail_id=filters.taxonomy_id,
                )
            )
        )
    if filters.modified_after is not None:
        queryset = queryset.filter(_service_modified_since(jurisdiction, filters.modified_after, prefix=prefix))
    return queryset


def _service_modified_since(jurisdiction: Jurisdiction, moment: dt.datetime, *, prefix: str) -> Q:
    """A service counts as modified since moment when its `last_modified` is on or after it, or
    the change log has an entry since then for the service, one of the objects nested in it
    (phones, schedules, service areas, languages, funding, cost options, required documents,
    contacts, services at locations and their locations) or its organization or program.

    Change-log entries carry a date, not a time (HSDS `last_action_date`): an entry of the day
    moment falls on counts, so a client that syncs misses nothing (it may see a change twice).
    """
    day = timezone.localtime(moment).date()
    changed = Metadata.objects.filter(jurisdiction=jurisdiction, last_action_date__gte=day).values("resource_id")
    service_ref = OuterRef(f"{prefix}id" if prefix else "id")
    nested: list[type[HsdsObject]] = [
        Phone,
        Schedule,
        ServiceArea,
        Language,
        Funding,
        CostOption,
        RequiredDocument,
        Contact,
    ]
    conditions: list[Any] = [
        Q(**{f"{prefix}last_modified__gte": moment}),
        Q(**{f"{prefix}id__in": changed}),
        Q(**{f"{prefix}organization_id__in": changed}),
        Q(**{f"{prefix}program_id__in": changed}),
        Exists(Attribute.objects.filter(jurisdiction=jurisdiction, link_id=service_ref, id__in=changed)),
        Exists(
            ServiceAtLocation.objects.filter(service_id=service_ref).filter(
                Q(id__in=changed) | Q(location_id__in=changed)
            )
        ),
    ]
    conditions += [
        Exists(model._default_manager.filter(**{"service_id": service_ref, "id__in": changed}))  # noqa: PIE804 - the mypy plugin checks keywords against HsdsObject
        for model in nested
    ]
    return functools.reduce(operator.or_, conditions)


# --- Services at locations ------------------------------------------------------------------


def service_at_location_list_public(
    *, jurisdiction: Jurisdiction, filters: ServiceFilters, place: Place | None = None
) -> QuerySet[ServiceAtLocation]:
    """The jurisdiction's services at locations whose service matches filters.

    With a place: only those whose service's areas cover its postcode (a service without
    service areas, or with areas whose extent cannot be read, is not excluded); with a radius
    too: only those whose location lies within it, nearest first.
    """
    rows = (
        ServiceAtLocation.objects.filter(jurisdiction=jurisdiction, service__jurisdiction=jurisdiction)
        .select_related("location", "service__organization", "service__program")
        .order_by("service__name", "location__name", "id")
    )
    # A service at location whose own row or location changed counts as its service changed
    # (_service_modified_since), so modified_after needs nothing more here.
    rows = _filter_services(rows, jurisdiction=jurisdiction, filters=filters, prefix="service__")
    if place is None:
        return rows
    uncovered = services_not_covering(jurisdiction=jurisdiction, place=place)
    if uncovered:
        rows = rows.exclude(service_id__in=uncovered)
    if place.radius is None:
        return rows
    if place.latitude is None or place.longitude is None:
        return rows.none()
    return _within(rows, place)


def _within(rows: QuerySet[ServiceAtLocation], place: Place) -> QuerySet[ServiceAtLocation]:
    """Rows whose location is within place.radius metres of the place, nearest first.

    Distances are equirectangular (flat Earth around the place): plain arithmetic every
    database has, off by well under 1% within a city's extent."""
    assert place.latitude is not None
    assert place.longitude is not None
    assert place.radius is not None
    lat_span = place.radius / METRES_PER_DEGREE
    cos_lat = max(math.cos(math.radians(place.latitude)), 1e-6)
    lon_span = lat_span / cos_lat
    dlat = F("location__latitude") - place.latitude
    dlon = (F("location__longitude") - place.longitude) * cos_lat
    distance2 = ExpressionWrapper(dlat * dlat + dlon * dlon, output_field=FloatField())
    return (
        rows.filter(
            location__latitude__range=(place.latitude - lat_span, place.latitude + lat_span),
            location__longitude__range=(place.longitude - lon_span, place.longitude + lon_span),
        )
        .annotate(distance2=distance2)
        .filter(distance2__lte=lat_span * lat_span)
        .order_by("distance2", "id")
    )


def normalize_postcode(postcode: str) -> str:
    return "".join(postcode.split()).upper()


def place_for_postcode(*, jurisdiction: Jurisdiction, postcode: str, radius: float | None = None) -> Place:
    """The postcode's centroid: the mean position of the directory's located addresses with it."""
    wanted = normalize_postcode(postcode)
    points = [
        (lat, lon)
        for code, lat, lon in Address.objects.filter(
            jurisdiction=jurisdiction,
            location__jurisdiction=jurisdiction,
            location__latitude__isnull=False,
            location__longitude__isnull=False,
        ).values_list("postal_code", "location__latitude", "location__longitude")
        if normalize_postcode(code) == wanted
    ]
    if not points:
        return Place(postcode=postcode, latitude=None, longitude=None, radius=radius)
    return Place(
        postcode=postcode,
        latitude=sum(lat for lat, _lon in points) / len(points),
        longitude=sum(lon for _lat, lon in points) / len(points),
        radius=radius,
    )


def services_not_covering(*, jurisdiction: Jurisdiction, place: Place) -> set[uuid.UUID]:
    """Services with service areas none of which covers the place's postcode.

    An area covers it when its extent is GeoJSON containing the postcode's centroid, or text
    listing the postcode (separated by commas, semicolons or new lines). An area whose extent
    is missing or in a format not read here (KML, TopoJSON) may cover it: it is not evidence
    against the service.
    """
    covered: set[uuid.UUID] = set()
    judged: set[uuid.UUID] = set()
    areas = ServiceArea.objects.filter(jurisdiction=jurisdiction, service_id__isnull=False).values_list(
        "service_id", "extent", "extent_type"
    )
    for service_id, extent, extent_type in areas.iterator(chunk_size=2000):
        verdict = _area_covers(extent, extent_type, place)
        judged.add(service_id)
        if verdict is not False:
            covered.add(service_id)
    return judged - covered


def _area_covers(extent: str, extent_type: str, place: Place) -> bool | None:
    kind = extent_type.strip().lower()
    if not extent.strip():
        return None
    if kind == "text":
        listed = {normalize_postcode(part) for part in extent.replace(";", ",").replace("\n", ",").split(",")}
        return normalize_postcode(place.postcode) in listed
    if kind == "geojson":
        if place.latitude is None or place.longitude is None:
            return None
        try:
            geometry = json.loads(extent)
            if geometry.get("type") == "Feature":
                geometry = geometry["geometry"]
            area = shape(geometry)
        except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.ShapelyError):
            return None
        return bool(area.covers(shapely.Point(place.longitude, place.latitude)))
    return None


# --- Organizations and taxonomies -----------------------------------------------------------


def organization_list_public(*, jurisdiction: Jurisdiction, search: str = "") -> QuerySet[Organization]:
    organizations = Organization.objects.filter(jurisdiction=jurisdiction).order_by("name", "id")
    for word in search.split():
        organizations = organizations.filter(
            Q(name__icontains=word) | Q(alternate_name__icontains=word) | Q(description__icontains=word)
        )
    return organizations


def taxonomy_list_public(*, jurisdiction: Jurisdiction, search: str = "") -> QuerySet[Taxonomy]:
    taxonomies = Taxonomy.objects.filter(jurisdiction=jurisdiction).order_by("name", "id")
    for word in search.split():
        taxonomies = taxonomies.filter(Q(name__icontains=word) | Q(description__icontains=word))
    return taxonomies


def taxonomy_term_list_public(
    *,
    jurisdiction: Jurisdiction,
    search: str = "",
    taxonomy_id: uuid.UUID | None = None,
    parent_id: uuid.UUID | None = None,
    top_only: bool = False,
) -> QuerySet[TaxonomyTerm]:
    """Terms with their taxonomy joined. top_only: terms without a parent (the tree's top level;
    the HSDS description says "that have not child terms", which contradicts the name)."""
    terms = (
        TaxonomyTerm.objects.filter(jurisdiction=jurisdiction).select_related("taxonomy_detail").order_by("name", "id")
    )
    for word in search.split():
        terms = terms.filter(Q(name__icontains=word) | Q(description__icontains=word) | Q(code__icontains=word))
    if taxonomy_id is not None:
        terms = terms.filter(taxonomy_detail_id=taxonomy_id)
    if parent_id is not None:
        terms = terms.filter(parent_id=parent_id)
    if top_only:
        terms = terms.filter(parent_id__isnull=True)
    return terms


def services_of_organizations(
    *, jurisdiction: Jurisdiction, organization_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[Service]]:
    """The services of each organization, by name (one query)."""
    result: dict[uuid.UUID, list[Service]] = {}
    services = Service.objects.filter(jurisdiction=jurisdiction, organization_id__in=list(organization_ids))
    for service in services.order_by("name", "id"):
        result.setdefault(service.organization_id, []).append(service)
    return result


# --- Nesting: the objects a page of results nests ---------------------------------------------


#: HSDS table name -> the loaded objects of that table, by id.
DirectoryObjects = dict[str, dict[uuid.UUID, HsdsObject]]


def directory_objects(
    *,
    jurisdiction: Jurisdiction,
    services: Iterable[Service] = (),
    service_at_locations: Iterable[ServiceAtLocation] = (),
    organizations: Iterable[Organization] = (),
    with_organization_services: bool = False,
) -> DirectoryObjects:
    """Everything the HSDS JSON of these objects nests, fully (services with their organization,
    locations and contacts; attributes with their terms and taxonomies; change-log entries).

    with_organization_services: the organizations' services too (an organization with
    `full_service`). A constant number of queries (about 20), however many objects."""
    scope = {"jurisdiction": jurisdiction}
    objects: DirectoryObjects = {}

    def put(table: str, rows: Iterable[HsdsObject]) -> dict[uuid.UUID, HsdsObject]:
        bucket = objects.setdefault(table, {})
        for row in rows:
            bucket.setdefault(row.pk, row)
        return bucket

    def load(model: type[HsdsObject], condition: Q) -> dict[uuid.UUID, HsdsObject]:
        if not condition:
            return put(model.hsds_name, [])
        return put(model.hsds_name, model._default_manager.filter(condition, **scope).order_by("id"))

    def ids(table: str) -> list[uuid.UUID]:
        return list(objects.get(table, {}))

    put("service", services)
    put("organization", organizations)
    sals = put("service_at_location", service_at_locations)
    # Services of the given services at locations (a full service at location nests its service).
    load(Service, Q(id__in=[sal.service_id for sal in sals.values()]) if sals else Q())  # type: ignore[attr-defined]
    if with_organization_services and objects["organization"]:
        load(Service, Q(organization_id__in=ids("organization")))
    service_ids = ids("service")
    organization_ids = set(ids("organization")) | {s.organization_id for s in objects["service"].values()}  # type: ignore[attr-defined]
    load(Organization, Q(id__in=organization_ids) if organization_ids else Q())
    organization_ids = set(ids("organization"))
    load(ServiceAtLocation, Q(service_id__in=service_ids) if service_ids else Q())
    sal_ids = ids("service_at_location")
    program_ids = {s.program_id for s in objects["service"].values() if s.program_id}  # type: ignore[attr-defined]
    load(Program, _any(id=program_ids, organization_id=organization_ids))
    location_ids = {sal.location_id for sal in objects["service_at_location"].values()}  # type: ignore[attr-defined]
    load(Location, _any(id=location_ids, organization_id=organization_ids))
    location_ids = set(ids("location"))
    load(OrganizationIdentifier, _any(organization_id=organization_ids))
    load(
        Contact,
        _any(
            service_id=service_ids,
            organization_id=organization_ids,
            location_id=location_ids,
            service_at_location_id=sal_ids,
        ),
    )
    load(
        Phone,
        _any(
            service_id=service_ids,
            organization_id=organization_ids,
            location_id=location_ids,
            service_at_location_id=sal_ids,
            contact_id=ids("contact"),
        ),
    )
    load(Language, _any(service_id=service_ids, location_id=location_ids, phone_id=ids("phone")))
    load(Schedule, _any(service_id=service_ids, location_id=location_ids, service_at_location_id=sal_ids))
    load(Address, _any(location_id=location_ids))
    load(Accessibility, _any(location_id=location_ids))
    load(Funding, _any(service_id=service_ids, organization_id=organization_ids))
    load(ServiceArea, _any(service_id=service_ids))
    load(RequiredDocument, _any(service_id=service_ids))
    load(CostOption, _any(service_id=service_ids))
    every_id = [pk for table in list(objects.values()) for pk in table]
    load(Attribute, _any(link_id=every_id))
    term_ids = {a.taxonomy_term_id for a in objects["attribute"].values()}  # type: ignore[attr-defined]
    load(TaxonomyTerm, _any(id=term_ids))
    load(Taxonomy, _any(id={t.taxonomy_detail_id for t in objects["taxonomy_term"].values() if t.taxonomy_detail_id}))  # type: ignore[attr-defined]
    put(
        "metadata",
        Metadata.objects.filter(jurisdiction=jurisdiction, resource_id__in=every_id)
        .select_related("jurisdiction")
        .order_by("id")
        if every_id
        else [],
    )
    # In id order, as the export nests them, whatever order the page came in.
    return {table: dict(sorted(bucket.items())) for table, bucket in objects.items()}


def _any(**references: Iterable[Any]) -> Q:
    """Rows whose reference is one of the given ids, for any of the references (Q() if none)."""
    condition = Q()
    for column, values in references.items():
        wanted = [value for value in values if value is not None]
        if wanted:
            condition |= Q(**{f"{column}__in": wanted})
    return condition

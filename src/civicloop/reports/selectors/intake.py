"""Reads for the citizen's web intake: what to choose from, and what is already reported nearby."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from civicloop.core.models import Area, Jurisdiction
from civicloop.reports.enums import OPEN_STATUSES, ReporterVisibility, ReportStatus
from civicloop.reports.models import Category, CategoryAttribute, Report, ReportContact
from civicloop.reports.selectors.catalogue import category_list_open311

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
METRES_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_M / 180
#: At most this many nearby reports are shown: enough to spot one's own problem, short on a phone.
NEARBY_LIMIT = 10


@dataclass(frozen=True)
class CategoryGroup:
    """Categories listed under one group name (translated), for a grouped picker."""

    name: str
    categories: list[Category]


@dataclass(frozen=True)
class AreaChoice:
    """An area with its depth in the hierarchy (0 for the top level), for an indented picker."""

    area: Area
    depth: int


def category_groups(*, jurisdiction: Jurisdiction) -> list[CategoryGroup]:
    """The active categories, grouped by their main group in the reader's language.

    Groups keep the order of their first category; a category without a group comes under an
    empty name (shown as "Other" by the page). Sensitive categories are included: people must
    be able to report them.
    """
    groups: dict[str, list[Category]] = {}
    for category in category_list_open311(jurisdiction=jurisdiction):
        names = category.localized_list("groups")
        groups.setdefault(names[0] if names else "", []).append(category)
    ungrouped = groups.pop("", None)
    result = [CategoryGroup(name=name, categories=categories) for name, categories in groups.items()]
    if ungrouped:
        result.append(CategoryGroup(name="", categories=ungrouped))
    return result


def category_get_for_intake(*, jurisdiction: Jurisdiction, code: str) -> Category | None:
    """One active category with its questions (in Open311 order) loaded, or None."""
    return (
        Category.objects.filter(jurisdiction=jurisdiction, is_active=True, code=code)
        .select_related("jurisdiction")
        .prefetch_related(Prefetch("attributes", queryset=CategoryAttribute.objects.order_by("order", "code")))
        .first()
    )


def area_choices(*, jurisdiction: Jurisdiction) -> list[AreaChoice]:
    """Every area of the jurisdiction in tree order (each parent before its children, names in
    alphabetical order at each level), with its depth."""
    # Sorted here (tree order), so no ORDER BY: the model's default would join the jurisdiction.
    areas = list(
        Area.objects.filter(jurisdiction=jurisdiction).order_by().only("pk", "parent_id", "name", "slug", "level")
    )
    children: dict[int | None, list[Area]] = {}
    known = {area.pk for area in areas}
    for area in areas:
        parent = area.parent_id if area.parent_id in known else None
        children.setdefault(parent, []).append(area)
    for siblings in children.values():
        siblings.sort(key=lambda area: (area.name.casefold(), area.slug))
    choices: list[AreaChoice] = []
    stack: list[tuple[Area, int]] = [(area, 0) for area in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:
        area, depth = stack.pop()
        if area.pk in seen:  # a broken hierarchy must not loop
            continue
        seen.add(area.pk)
        choices.append(AreaChoice(area=area, depth=depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(area.pk, [])))
    return choices


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _reports_nearby_open(*, category: Category) -> QuerySet[Report]:
    """Open public reports of the category: never unverified, duplicate, closed or confidential."""
    return Report.objects.filter(category=category, status__in=OPEN_STATUSES).exclude(
        visibility=ReporterVisibility.CONFIDENTIAL
    )


def report_list_nearby_open(*, category: Category, lon: float, lat: float) -> list[Report]:
    """Open public reports of the same category within the category's duplicate radius, nearest
    first (at most NEARBY_LIMIT), each with `distance_m` (whole metres) set.

    Shown before someone files a report, so they can say "me too" instead. Never a confidential
    report, a report in a sensitive category or an unverified one: the list is public.

    Two queries: the coordinates inside the circle's bounding box (SQL narrows, an index on
    the category helps), then the nearest few reports in full once haversine has kept only
    those really inside the circle.
    """
    radius = category.duplicate_radius_m
    if category.is_sensitive or radius <= 0 or not category.is_active:
        return []
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        return []
    d_lat = radius / METRES_PER_DEGREE_LAT
    cos_lat = math.cos(math.radians(lat))
    # Near the poles a degree of longitude shrinks to nothing: take every longitude there.
    d_lon = 180.0 if cos_lat < 1e-6 else min(180.0, d_lat / cos_lat)
    candidates = _reports_nearby_open(category=category).filter(
        lat__gte=lat - d_lat, lat__lte=lat + d_lat, lon__gte=lon - d_lon, lon__lte=lon + d_lon
    )
    inside: list[tuple[float, int]] = []
    for pk, report_lon, report_lat in candidates.values_list("pk", "lon", "lat"):
        if report_lon is None or report_lat is None:  # the bounding box excludes these; for the type checker
            continue
        metres = distance_m(lon, lat, report_lon, report_lat)
        if metres <= radius:
            inside.append((metres, pk))
    inside.sort()
    nearest = {pk: metres for metres, pk in inside[:NEARBY_LIMIT]}
    if not nearest:
        return []
    reports = list(_reports_nearby_open(category=category).filter(pk__in=nearest).select_related("category", "area"))
    for report in reports:
        report.distance_m = round(nearest[report.pk])  # type: ignore[attr-defined]
    reports.sort(key=lambda report: (nearest[report.pk], report.pk))
    return reports


def report_get_for_confirm(*, jurisdiction: Jurisdiction, reference: str) -> Report | None:
    """A report by reference for its reporter's confirmation link, whatever its visibility
    (the signed token, not this read, proves who asks)."""
    return Report.objects.filter(jurisdiction=jurisdiction, reference=reference).select_related("category").first()


def report_get_supportable(*, jurisdiction: Jurisdiction, reference: str) -> Report | None:
    """A report others may say "me too" to: public (not confidential, not in a sensitive
    category) and verified; None otherwise. Closed ones are returned (the page says so)."""
    report = (
        Report.objects.filter(jurisdiction=jurisdiction, reference=reference)
        .exclude(visibility=ReporterVisibility.CONFIDENTIAL)
        .exclude(status=ReportStatus.UNVERIFIED)
        .select_related("category", "area")
        .first()
    )
    if report is None or report.category.is_sensitive:
        return None
    return report


def report_get_submitted(*, jurisdiction: Jurisdiction, reference: str) -> Report | None:
    """The report just filed, for its thank-you page (the view checks it was filed in this session)."""
    return (
        Report.objects.filter(jurisdiction=jurisdiction, reference=reference)
        .select_related("jurisdiction", "category", "owner", "area")
        .first()
    )


def report_contact_has_email(*, report: Report) -> bool:
    """Whether the reporter left an e-mail address (the address itself is not read)."""
    return ReportContact.objects.filter(report=report).exclude(email="").exists()


def report_reference_for_idempotency_key(*, jurisdiction: Jurisdiction, key: str) -> str | None:
    """The reference of the report already filed with this idempotency key, if any."""
    return (
        Report.objects.filter(jurisdiction=jurisdiction, idempotency_key=key.strip())
        .values_list("reference", flat=True)
        .first()
    )

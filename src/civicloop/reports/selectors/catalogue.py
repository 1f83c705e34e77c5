"""Reads for categories, routing, Open311 keys and public reports."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, Max, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from civicloop.accounts.services import token_digest
from civicloop.core.geo import areas_containing
from civicloop.core.models import Agency, Area, Jurisdiction
from civicloop.reports.enums import PrivacyClass, ReporterVisibility, ReportStatus
from civicloop.reports.models import (
    OPEN311_KEY_PREFIX,
    Category,
    CategoryAttribute,
    Open311ApiKey,
    Report,
    RoutingRule,
)


def category_list_open311(*, jurisdiction: Jurisdiction) -> QuerySet[Category]:
    """The active categories a client may report in, sensitive ones included (people must be
    able to report them; only the reports are kept off public lists), with `has_attributes`."""
    return (
        Category.objects.filter(jurisdiction=jurisdiction, is_active=True)
        .annotate(has_attributes=Exists(CategoryAttribute.objects.filter(category=OuterRef("pk"))))
        .order_by("order", "name", "code")
    )


def category_get_open311(*, jurisdiction: Jurisdiction, code: str) -> Category | None:
    """One active category with its attributes (in Open311 order) and jurisdiction loaded, or None."""
    # Unordered: (jurisdiction, code) is unique, and the default order would join the jurisdiction.
    found = (
        Category.objects.filter(jurisdiction=jurisdiction, is_active=True, code=code)
        .prefetch_related(Prefetch("attributes", queryset=CategoryAttribute.objects.order_by("order", "code")))
        .order_by()[:1]
    )
    category = next(iter(found), None)
    if category is not None:
        category.jurisdiction = jurisdiction  # the row it was found by: no second read
    return category


def category_changeset(*, jurisdiction: Jurisdiction) -> dt.datetime:
    """When the jurisdiction's service list or definitions last changed (Open311 discovery's
    changeset). Attribute writes touch their category, so the categories' stamp covers them."""
    latest = Category.objects.filter(jurisdiction=jurisdiction).aggregate(latest=Max("updated_at"))["latest"]
    return max(latest, jurisdiction.created_at) if latest else jurisdiction.created_at


def routing_agencies_for(*, category: Category, lon: float, lat: float) -> list[Agency]:
    """The agencies a report of this category at (lon, lat) goes to; [] means the supervisor's triage queue.

    The rule of the most specific (deepest) area containing the point wins; a rule without an
    area is the fallback. A rule whose agencies are all inactive is passed over, so a closed
    agency never becomes a report's dead end. Raises ValueError for coordinates out of range.
    """
    areas = areas_containing(jurisdiction=category.jurisdiction, lon=lon, lat=lat)
    return routing_agencies_for_areas(category=category, areas=areas)


def routing_agencies_for_areas(*, category: Category, areas: list[Area]) -> list[Agency]:
    """routing_agencies_for with the areas containing the point already known (areas_containing's list)."""
    return _agencies_by_rule(category=category, area_ids=[area.pk for area in areas])


def routing_agencies_for_area(*, category: Category, area: Area | None) -> list[Agency]:
    """The agencies a report of this category placed in an area (not a point) goes to; [] means triage.

    Same rule as routing_agencies_for: the area's own rule, then its parents' up the hierarchy,
    then the category's rule for anywhere. area=None (a report placed only by an address) gets
    the rule for anywhere.
    """
    area_ids: list[int] = []
    if area is not None:
        parents = dict(Area.objects.filter(jurisdiction_id=area.jurisdiction_id).values_list("pk", "parent_id"))
        area_id: int | None = area.pk
        while area_id is not None and area_id not in area_ids:
            area_ids.append(area_id)
            area_id = parents.get(area_id)
    return _agencies_by_rule(category=category, area_ids=area_ids)


def _agencies_by_rule(*, category: Category, area_ids: list[int]) -> list[Agency]:
    """The active agencies of the first rule (in area_ids order, then the fallback) that has any."""
    # One query over the rules' agency links: a rule whose agencies are all inactive has no row.
    links = (
        RoutingRule.agencies.through.objects.filter(routingrule__category=category, agency__is_active=True)
        .select_related("agency", "routingrule")
        .order_by("agency__name", "agency__pk")
    )
    by_area: dict[int | None, list[Agency]] = {}
    for link in links:
        by_area.setdefault(link.routingrule.area_id, []).append(link.agency)
    for area_id in [*area_ids, None]:
        agencies = by_area.get(area_id)
        if agencies:
            return agencies
    return []


def open311_key_authenticate(*, jurisdiction: Jurisdiction, raw: str) -> Open311ApiKey | None:
    """The active key of this jurisdiction that raw is, or None. Records when it was last used."""
    raw = raw.strip()
    if not raw.startswith(OPEN311_KEY_PREFIX):
        return None
    # Unordered: the digest is unique, and the default order would join the jurisdiction.
    found = Open311ApiKey.objects.filter(
        jurisdiction=jurisdiction, digest=token_digest(raw), revoked_at__isnull=True
    ).order_by()[:1]
    key = next(iter(found), None)
    if key is None:
        return None
    now = timezone.now()
    # Stamp at most once a minute: a busy integration must not turn every request into an extra write.
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        Open311ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def open311_key_list(*, jurisdiction: Jurisdiction) -> QuerySet[Open311ApiKey]:
    """A jurisdiction's keys, active first, newest first."""
    return Open311ApiKey.objects.filter(jurisdiction=jurisdiction).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at"
    )


# --- Reports -------------------------------------------------------------------------------
def _reports_public(*, jurisdiction: Jurisdiction) -> QuerySet[Report]:
    """Reports the public may see: never confidential ones, never sensitive categories.

    Loads only public fields' relations; the reporter and the contact are never joined here.
    """
    return (
        Report.objects.filter(jurisdiction=jurisdiction)
        .exclude(visibility=ReporterVisibility.CONFIDENTIAL)
        .exclude(category__privacy=PrivacyClass.SENSITIVE)
        .select_related("jurisdiction", "category", "area", "owner")
        # An area's polygon is large and no public listing draws it from here (maps read the
        # areas API): decoding it for every row made long lists several times slower.
        .defer("area__geometry")
        .prefetch_related(Prefetch("agencies", queryset=Agency.objects.order_by("name", "pk")))
    )


def report_get_public(*, jurisdiction: Jurisdiction, reference: str) -> Report | None:
    """One report by its reference as the public may see it, or None (unknown, confidential or
    in a sensitive category). Unverified reports are found by reference (their reporter follows
    the link) but are left off public lists."""
    return _reports_public(jurisdiction=jurisdiction).filter(reference=reference.strip().upper()).first()


def report_list_public(*, jurisdiction: Jurisdiction) -> QuerySet[Report]:
    """The jurisdiction's public reports, newest first: no confidential reports, no sensitive
    categories, no unverified reports."""
    return (
        _reports_public(jurisdiction=jurisdiction)
        .exclude(status=ReportStatus.UNVERIFIED)
        .order_by("-submitted_at", "-pk")
    )

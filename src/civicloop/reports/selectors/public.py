"""Reads behind the public report pages, the map, the Atom feeds and the e-mail alerts.

Everything here starts from `report_list_public` / `report_get_public`, which already keep
confidential reports and sensitive categories out; nothing here joins the reporter or the
contact details.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from civicloop.core.models import Agency, Area, Jurisdiction
from civicloop.reports.enums import CLOSED_STATUSES, OPEN_STATUSES, PrivacyClass, ReportStatus
from civicloop.reports.models import Category, Report, ReportPhoto, ReportUpdate
from civicloop.reports.selectors.catalogue import report_get_public, report_list_public

FEED_SIZE = 50
MAP_POINTS_MAX = 2000


@dataclass(frozen=True)
class ReportFilters:
    """The public list's filters, already checked (unknown values were dropped by the form)."""

    status: str = ""  # "open", "closed" or one ReportStatus value
    category: Category | None = None
    area: Area | None = None
    agency: Agency | None = None
    kind: str = ""
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None


def area_with_descendants(*, area: Area) -> list[int]:
    """The area's pk and those of every area below it (one query: the jurisdiction's parent links)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Area.objects.filter(jurisdiction_id=area.jurisdiction_id).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found: list[int] = []
    todo = [area.pk]
    while todo:
        pk = todo.pop()
        if pk in found:
            continue
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def area_with_ancestors(*, area: Area) -> list[int]:
    """The area's pk and its parents' up to the top (for alerts to subscribers of a larger area)."""
    parents = dict(Area.objects.filter(jurisdiction_id=area.jurisdiction_id).values_list("pk", "parent_id"))
    found: list[int] = []
    pk: int | None = area.pk
    while pk is not None and pk not in found:
        found.append(pk)
        pk = parents.get(pk)
    return found


def report_list_filtered(*, jurisdiction: Jurisdiction, filters: ReportFilters) -> QuerySet[Report]:
    """Public reports matching the filters, newest first (no unverified, confidential or sensitive ones)."""
    reports = report_list_public(jurisdiction=jurisdiction)
    if filters.status == "open":
        reports = reports.filter(status__in=OPEN_STATUSES)
    elif filters.status == "closed":
        reports = reports.filter(status__in=CLOSED_STATUSES)
    elif filters.status:
        reports = reports.filter(status=filters.status)
    if filters.category is not None:
        reports = reports.filter(category=filters.category)
    if filters.area is not None:
        reports = reports.filter(area_id__in=area_with_descendants(area=filters.area))
    if filters.agency is not None:
        routed = Report.agencies.through.objects.filter(report_id=OuterRef("pk"), agency_id=filters.agency.pk)
        reports = reports.filter(Q(owner=filters.agency) | Exists(routed))
    if filters.kind:
        reports = reports.filter(kind=filters.kind)
    tz = jurisdiction.tzinfo
    if filters.submitted_from is not None:
        start = dt.datetime.combine(filters.submitted_from, dt.time.min, tzinfo=tz)
        reports = reports.filter(submitted_at__gte=start)
    if filters.submitted_to is not None:
        end = dt.datetime.combine(filters.submitted_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        reports = reports.filter(submitted_at__lt=end)
    return reports


def report_points(*, reports: QuerySet[Report]) -> list[dict[str, Any]]:
    """Public fields of the located reports for the map, as GeoJSON features (newest first)."""
    rows = reports.filter(lon__isnull=False, lat__isnull=False).values_list(
        "reference", "title", "description", "status", "lon", "lat"
    )[:MAP_POINTS_MAX]
    labels = dict(ReportStatus.choices)
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "reference": reference,
                "title": title or (description[:80] + ("…" if len(description) > 80 else "")),
                "status": status,
                "status_label": str(labels.get(status, status)),
            },
        }
        for reference, title, description, status, lon, lat in rows
    ]


def _public_updates() -> QuerySet[ReportUpdate]:
    return ReportUpdate.objects.filter(is_internal=False).select_related("agency", "from_agency", "to_agency")


@dataclass(frozen=True)
class ReportPage:
    """What the public report page shows: the report, its public timeline and photos, and the
    original when it is a duplicate of a report the public may see."""

    report: Report
    updates: list[ReportUpdate]
    photos: list[ReportPhoto]
    original: Report | None


def report_page_public(*, jurisdiction: Jurisdiction, reference: str) -> ReportPage | None:
    """One report for its public page, or None (unknown, confidential or sensitive)."""
    report = report_get_public(jurisdiction=jurisdiction, reference=reference)
    if report is None:
        return None
    original = None
    if report.duplicate_of_id is not None:
        original_reference = (
            Report.objects.filter(pk=report.duplicate_of_id).values_list("reference", flat=True).first()
        )
        if original_reference is not None:
            original = report_get_public(jurisdiction=jurisdiction, reference=original_reference)
    return ReportPage(
        report=report,
        updates=list(_public_updates().filter(report=report).order_by("created_at", "pk")),
        photos=list(ReportPhoto.objects.filter(report=report, is_public=True).order_by("created_at", "pk")),
        original=original,
    )


def report_photo_public(*, jurisdiction: Jurisdiction, reference: str, pk: int) -> ReportPhoto | None:
    """A public photo of a public report, or None (unknown, hidden, confidential or sensitive)."""
    report = report_get_public(jurisdiction=jurisdiction, reference=reference)
    if report is None:
        return None
    return ReportPhoto.objects.filter(report=report, pk=pk, is_public=True).first()


@dataclass(frozen=True)
class DueState:
    """How a report stands against one service-level target."""

    state: str  # "due", "overdue", "met" (on time), "late" (done after the due time), "none"
    due_at: dt.datetime
    done_at: dt.datetime | None


def _due_state(*, due_at: dt.datetime, done_at: dt.datetime | None, running: bool, now: dt.datetime) -> DueState:
    if done_at is not None:
        return DueState("met" if done_at <= due_at else "late", due_at, done_at)
    if running:
        return DueState("overdue" if now > due_at else "due", due_at, None)
    return DueState("none", due_at, None)


def report_due_states(report: Report, *, now: dt.datetime | None = None) -> tuple[DueState, DueState]:
    """(acknowledgement, resolution) against their due times, for the list badge and the report page."""
    now = now or timezone.now()
    running = report.status in OPEN_STATUSES
    acknowledge = _due_state(
        due_at=report.acknowledge_due_at,
        done_at=report.acknowledged_at,
        running=running and report.status == ReportStatus.SUBMITTED,
        now=now,
    )
    resolved_at = report.closed_at if report.status in CLOSED_STATUSES else None
    resolve = _due_state(due_at=report.resolve_due_at, done_at=resolved_at, running=running, now=now)
    return acknowledge, resolve


def report_is_overdue(report: Report, *, now: dt.datetime | None = None) -> bool:
    acknowledge, resolve = report_due_states(report, now=now)
    return "overdue" in (acknowledge.state, resolve.state)


# --- Feeds --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeedEntry:
    """One Atom entry: a new public report or a public update of one."""

    report: Report
    update: ReportUpdate | None
    at: dt.datetime


def feed_entries(
    *, jurisdiction: Jurisdiction, area: Area | None = None, category: Category | None = None
) -> list[FeedEntry]:
    """The newest public reports and public updates, newest first, at most FEED_SIZE.

    The "submitted" and "confirmed" timeline entries are the new report itself, so they are
    not repeated as updates.
    """
    reports = report_list_public(jurisdiction=jurisdiction)
    if area is not None:
        reports = reports.filter(area_id__in=area_with_descendants(area=area))
    if category is not None:
        reports = reports.filter(category=category)
    new = [FeedEntry(report, None, report.submitted_at) for report in reports[:FEED_SIZE]]
    updates = (
        _public_updates()
        .filter(report__in=reports.values("pk"))
        .exclude(kind__in=["submitted", "confirmed"])
        .select_related("report__jurisdiction", "report__category", "report__area")
        .order_by("-created_at", "-pk")[:FEED_SIZE]
    )
    changed = [FeedEntry(update.report, update, update.created_at) for update in updates]
    entries = sorted([*new, *changed], key=lambda entry: (entry.at, entry.update.pk if entry.update else 0))
    return list(reversed(entries))[:FEED_SIZE]


def category_get_public(*, jurisdiction: Jurisdiction, code: str) -> Category | None:
    """A category whose reports the public may see (sensitive categories have no public page)."""
    return Category.objects.filter(jurisdiction=jurisdiction, code=code).exclude(privacy=PrivacyClass.SENSITIVE).first()


def area_get(*, jurisdiction: Jurisdiction, slug: str) -> Area | None:
    return Area.objects.filter(jurisdiction=jurisdiction, slug=slug).select_related("parent").first()


def filter_choices(*, jurisdiction: Jurisdiction) -> tuple[list[Category], list[Area], list[Agency]]:
    """What the list's filters offer: public categories, areas and active agencies."""
    categories = list(
        Category.objects.filter(jurisdiction=jurisdiction)
        .exclude(privacy=PrivacyClass.SENSITIVE)
        .order_by("order", "name", "code")
    )
    areas = list(Area.objects.filter(jurisdiction=jurisdiction).order_by("level", "name"))
    agencies = list(Agency.objects.filter(jurisdiction=jurisdiction, is_active=True).order_by("name", "pk"))
    return categories, areas, agencies

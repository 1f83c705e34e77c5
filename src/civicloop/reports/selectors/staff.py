"""Reads for the staff workspace: queues, the triage queue, one report as staff see it, templates."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from civicloop.accounts.enums import AGENCY_ROLES, Role
from civicloop.accounts.models import RoleAssignment, User
from civicloop.core.models import Agency, Jurisdiction
from civicloop.reports.enums import CLOSED_STATUSES, OPEN_STATUSES, ReportStatus
from civicloop.reports.models import Report, ReportPhoto, ReportUpdate, ResponseTemplate

#: Status filter values besides the statuses themselves. Unverified reports are not yet
#: actionable (the reporter has not confirmed an address), so "open" leaves them out and they
#: get a filter of their own.
STATUS_OPEN = "open"
STATUS_CLOSED = "closed"
STATUS_ALL = "all"
SORTS = {
    "resolve_due": ("resolve_due_at", "pk"),
    "acknowledge_due": ("acknowledge_due_at", "pk"),
    "submitted": ("-submitted_at", "-pk"),
}
DEFAULT_SORT = "resolve_due"
DUPLICATE_CANDIDATES = 10
EARTH_RADIUS_M = 6_371_000


@dataclass
class StaffScope:
    """What one person sees in a jurisdiction's staff workspace.

    Agency staff and managers see their agencies' reports; supervisors and administrators see
    every agency's (`sees_all`) and the triage queue. Monitors watch from open data and never
    act, so they have no scope here.
    """

    agencies: list[Agency] = field(default_factory=list)
    sees_all: bool = False

    @property
    def has_access(self) -> bool:
        return self.sees_all or bool(self.agencies)

    @property
    def agency_ids(self) -> set[int]:
        return {agency.pk for agency in self.agencies}


def staff_scope(*, user: User, jurisdiction: Jurisdiction) -> StaffScope:
    """The agencies user works for in jurisdiction (all of them for supervisors and administrators)."""
    if not getattr(user, "is_authenticated", False):
        return StaffScope()
    assignments = list(
        RoleAssignment.objects.filter(user=user, jurisdiction=jurisdiction).values_list("role", "agency_id")
    )
    sees_all = bool(user.is_superuser) or any(
        role in {Role.SUPERVISOR, Role.ADMINISTRATOR} for role, _agency in assignments
    )
    agencies = Agency.objects.filter(jurisdiction=jurisdiction).order_by("name", "pk")
    if not sees_all:
        member_of = {agency_id for role, agency_id in assignments if role in AGENCY_ROLES and agency_id}
        if not member_of:
            return StaffScope()
        agencies = agencies.filter(pk__in=member_of)
    return StaffScope(agencies=list(agencies), sees_all=sees_all)


def _routed_to(agency_ids: list[int]) -> Q:
    """Reports an agency owns or shares (two-tier routing), without joining the M2M (no duplicates)."""
    routed = Report.agencies.through.objects.filter(report_id=OuterRef("pk"), agency_id__in=agency_ids)
    return Q(owner_id__in=agency_ids) | Q(Exists(routed))


def report_queue_base(*, jurisdiction: Jurisdiction, agency_ids: list[int] | None) -> QuerySet[Report]:
    """The reports of these agencies (every agency's when agency_ids is None), triage left out."""
    reports = Report.objects.filter(jurisdiction=jurisdiction, in_triage=False)
    if agency_ids is not None:
        reports = reports.filter(_routed_to(agency_ids))
    return reports


def overdue_q(now: dt.datetime) -> Q:
    """Open reports past their acknowledgement (not yet acknowledged) or resolution due time."""
    return Q(status__in=list(OPEN_STATUSES)) & (
        Q(acknowledged_at__isnull=True, acknowledge_due_at__lt=now) | Q(resolve_due_at__lt=now)
    )


def report_queue_filter(
    reports: QuerySet[Report],
    *,
    status: str = STATUS_OPEN,
    category_id: int | None = None,
    area_id: int | None = None,
    overdue: bool = False,
    assigned: str = "",
    user: User | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Report]:
    """Narrow a queue by the filters on the queue page; status is a ReportStatus or open/closed/all."""
    if status == STATUS_OPEN:
        reports = reports.filter(status__in=list(OPEN_STATUSES))
    elif status == STATUS_CLOSED:
        reports = reports.filter(status__in=list(CLOSED_STATUSES))
    elif status in ReportStatus.values:
        reports = reports.filter(status=status)
    if category_id is not None:
        reports = reports.filter(category_id=category_id)
    if area_id is not None:
        reports = reports.filter(Q(area_id=area_id) | Q(area__parent_id=area_id))
    if overdue:
        reports = reports.filter(overdue_q(now or timezone.now()))
    if assigned == "me" and user is not None:
        reports = reports.filter(assigned_to=user)
    elif assigned == "none":
        reports = reports.filter(assigned_to__isnull=True)
    return reports


def report_queue_rows(reports: QuerySet[Report], *, sort: str = DEFAULT_SORT) -> QuerySet[Report]:
    """A queue ready to show: what each row needs is joined, in the chosen order."""
    return reports.select_related("category", "area", "owner", "assigned_to").order_by(
        *SORTS.get(sort, SORTS[DEFAULT_SORT])
    )


def report_status_counts(reports: QuerySet[Report]) -> dict[str, int]:
    """How many reports of a queue are in each status (one query)."""
    rows = reports.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    return dict(rows)


def report_triage_list(*, jurisdiction: Jurisdiction) -> QuerySet[Report]:
    """Reports no routing rule placed, waiting for the supervisor to hand them to an agency."""
    return (
        Report.objects.filter(jurisdiction=jurisdiction, in_triage=True)
        .select_related("category", "area")
        .order_by("submitted_at", "pk")
    )


def report_get_for_staff(*, jurisdiction: Jurisdiction, reference: str) -> Report | None:
    """One report with everything the staff work page shows (confidential and sensitive ones included).

    The reporter and the contact are loaded here, but the page shows them only when the
    reporter did not choose anonymity.
    """
    return (
        Report.objects.filter(jurisdiction=jurisdiction, reference=reference)
        .select_related(
            "jurisdiction", "category", "area", "owner", "assigned_to", "reporter", "duplicate_of", "contact"
        )
        .prefetch_related(
            Prefetch("agencies", queryset=Agency.objects.order_by("name", "pk")),
            Prefetch("photos", queryset=ReportPhoto.objects.order_by("created_at", "pk")),
            Prefetch("duplicates", queryset=Report.objects.order_by("submitted_at", "pk")),
        )
        .first()
    )


def report_timeline_for_staff(*, report: Report) -> QuerySet[ReportUpdate]:
    """Every entry of a report's timeline, internal notes and who acted included, oldest first."""
    return (
        ReportUpdate.objects.filter(report=report)
        .select_related("agency", "by", "from_agency", "to_agency")
        .order_by("created_at", "pk")
    )


def _distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine), good enough for a few kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def report_duplicate_candidates(
    *, report: Report, limit: int = DUPLICATE_CANDIDATES
) -> list[tuple[Report, int | None]]:
    """Open reports of the same category near this one, nearest first: (report, metres or None).

    Within the category's duplicate radius when both have a location (a bounding box narrows
    the search in SQL first); a report without a location gets the category's newest open
    reports in the same area.
    """
    others = (
        Report.objects.filter(
            jurisdiction_id=report.jurisdiction_id, category_id=report.category_id, status__in=list(OPEN_STATUSES)
        )
        .exclude(pk=report.pk)
        .select_related("area")
    )
    if report.lon is None or report.lat is None:
        if report.area_id is None:
            return []
        return [(other, None) for other in others.filter(area_id=report.area_id).order_by("-submitted_at")[:limit]]
    radius = max(report.category.duplicate_radius_m, 1)
    d_lat = radius / 111_320
    d_lon = radius / (111_320 * max(math.cos(math.radians(report.lat)), 0.01))
    nearby = others.filter(
        lat__gte=report.lat - d_lat,
        lat__lte=report.lat + d_lat,
        lon__gte=report.lon - d_lon,
        lon__lte=report.lon + d_lon,
    )
    found: list[tuple[Report, int | None]] = []
    for other in nearby:
        if other.lon is None or other.lat is None:  # the bounding box requires both; for mypy
            continue
        distance = _distance_m(report.lon, report.lat, other.lon, other.lat)
        if distance <= radius:
            found.append((other, round(distance)))
    found.sort(key=lambda pair: (pair[1] or 0, pair[0].pk))
    return found[:limit]


def response_template_list_for(
    *, jurisdiction: Jurisdiction, agency: Agency | None, statuses: list[str] | None, language: str
) -> QuerySet[ResponseTemplate]:
    """Active templates a staff member may use: their agency's own and the jurisdiction-wide ones,
    for the target statuses (templates for any status included; None: every template) in the
    staff member's language."""
    templates = ResponseTemplate.objects.filter(
        jurisdiction=jurisdiction, is_active=True, language=language.split("-", maxsplit=1)[0]
    )
    templates = (
        templates.filter(Q(agency__isnull=True) | Q(agency=agency)) if agency else templates.filter(agency__isnull=True)
    )
    if statuses is not None:
        templates = templates.filter(status__in=["", *statuses])
    return templates.order_by("title", "pk")


def response_template_list_manageable(
    *, jurisdiction: Jurisdiction, agency_ids: list[int] | None
) -> QuerySet[ResponseTemplate]:
    """Templates one may manage: these agencies' own, or every template of the jurisdiction (None)."""
    templates = ResponseTemplate.objects.filter(jurisdiction=jurisdiction).select_related("agency")
    if agency_ids is not None:
        templates = templates.filter(agency_id__in=agency_ids)
    return templates.order_by("-is_active", "agency__name", "title", "pk")


def agency_colleagues(*, agency_ids: list[int]) -> QuerySet[User]:
    """People who work for these agencies (staff and managers), by name: whom a report may be assigned to."""
    return (
        User.objects.filter(
            role_assignments__agency_id__in=agency_ids,
            role_assignments__role__in=list(AGENCY_ROLES),
            is_active=True,
        )
        .distinct()
        .order_by("name", "email", "pk")
    )

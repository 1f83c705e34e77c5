from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from civicloop.accounts.enums import AGENCY_ROLES, Role
from civicloop.accounts.models import RoleAssignment
from civicloop.core.models import Agency, Area, AuditEvent, Holiday, Jurisdiction

if TYPE_CHECKING:
    from civicloop.accounts.models import User


def jurisdiction_for_host(host: str) -> Jurisdiction | None:
    """The jurisdiction whose domain is host; else the configured default; else the only one."""
    candidates = list(
        Jurisdiction.objects.filter(domain=host)
        or (
            Jurisdiction.objects.filter(slug=settings.CIVICLOOP_DEFAULT_JURISDICTION)
            if settings.CIVICLOOP_DEFAULT_JURISDICTION
            else Jurisdiction.objects.none()
        )
    )
    if candidates:
        return candidates[0]
    first_two = list(Jurisdiction.objects.order_by("pk")[:2])
    return first_two[0] if len(first_two) == 1 else None


def jurisdiction_list() -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.order_by("name")


def agency_list_public(*, jurisdiction: Jurisdiction) -> QuerySet[Agency]:
    return (
        Agency.objects.filter(jurisdiction=jurisdiction, is_active=True)
        .select_related("jurisdiction")
        .prefetch_related("areas")
        .order_by("name")
    )


def agency_list_for_reader(*, jurisdiction: Jurisdiction) -> list[Agency]:
    """Public agencies in the order a reader expects: by the name shown in their language."""
    return sorted(agency_list_public(jurisdiction=jurisdiction), key=lambda agency: agency.display_name.casefold())


def area_list(*, jurisdiction: Jurisdiction) -> QuerySet[Area]:
    return Area.objects.filter(jurisdiction=jurisdiction).select_related("parent").order_by("level", "name")


def audit_event_list_visible(*, user: User, jurisdiction: Jurisdiction | None) -> QuerySet[AuditEvent]:
    """The audit events this reader may see, in one jurisdiction (or every one they hold a role in).

    Supervisors, monitors and administrators read their jurisdiction's whole trail; agency
    managers read what was done for their own agencies; everybody else reads nothing.
    """
    events = audit_event_list(jurisdiction=jurisdiction)
    if user.is_superuser:
        return events
    wide = {Role.SUPERVISOR, Role.MONITOR, Role.ADMINISTRATOR}
    assignments = user.role_assignments.all()
    if jurisdiction is not None:
        assignments = assignments.filter(jurisdiction=jurisdiction)
    jurisdiction_ids, agency_ids = set(), set()
    for assignment in assignments:
        if assignment.role in wide:
            jurisdiction_ids.add(assignment.jurisdiction_id)
        elif assignment.role == Role.AGENCY_MANAGER:
            agency_ids.add(assignment.agency_id)
    return events.filter(Q(jurisdiction_id__in=jurisdiction_ids) | Q(actor_agency_id__in=agency_ids))


def audit_event_list(*, jurisdiction: Jurisdiction | None = None, agency: Agency | None = None) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor", "actor_agency", "content_type", "jurisdiction")
    if jurisdiction is not None:
        events = events.filter(jurisdiction=jurisdiction)
    if agency is not None:
        events = events.filter(actor_agency=agency)
    return events.order_by("-occurred_at", "-id")


def holiday_list_upcoming(*, jurisdiction: Jurisdiction, limit: int | None = 5) -> list[Holiday]:
    """Public holidays from today on, today taken in the jurisdiction's own time zone."""
    today = timezone.localdate(timezone=jurisdiction.tzinfo)
    return list(jurisdiction.holidays.filter(date__gte=today).order_by("date")[:limit])


def agency_member_list(*, agency: Agency) -> QuerySet[RoleAssignment]:
    """The agency's staff and managers, managers first."""
    return (
        RoleAssignment.objects.filter(agency=agency, role__in=list(AGENCY_ROLES))
        .select_related("user")
        .order_by("role", "user__name", "user__email")
    )


def agency_list_with_staff_counts(*, jurisdiction: Jurisdiction) -> QuerySet[Agency]:
    return (
        Agency.objects.filter(jurisdiction=jurisdiction)
        .annotate(
            staff_count=Count(
                "role_assignments__user", filter=Q(role_assignments__role__in=list(AGENCY_ROLES)), distinct=True
            )
        )
        .order_by("name")
    )

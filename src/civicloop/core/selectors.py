from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from civicloop.core.models import Agency, Area, AuditEvent, Jurisdiction


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


def area_list(*, jurisdiction: Jurisdiction) -> QuerySet[Area]:
    return Area.objects.filter(jurisdiction=jurisdiction).select_related("parent").order_by("level", "name")


def audit_event_list(*, jurisdiction: Jurisdiction | None = None, agency: Agency | None = None) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor", "actor_agency", "content_type", "jurisdiction")
    if jurisdiction is not None:
        events = events.filter(jurisdiction=jurisdiction)
    if agency is not None:
        events = events.filter(actor_agency=agency)
    return events.order_by("-occurred_at", "-id")

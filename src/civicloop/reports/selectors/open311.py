"""Reads behind Open311 GeoReport v2 `requests`, `tokens` and FixMyStreet's `servicerequestupdates`.

Everything starts from `report_list_public` (no confidential reports, no sensitive categories,
no unverified reports), so a request the public may not see is never found here, not even by
its reference. Nothing here joins the reporter, the contact details or who acted (`by`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

from civicloop.core.models import Jurisdiction
from civicloop.reports.enums import CLOSED_STATUSES, OPEN_STATUSES, UpdateKind
from civicloop.reports.models import Report, ReportPhoto, ReportUpdate
from civicloop.reports.selectors.catalogue import report_list_public

#: Timeline entries whose text explains the current status (Open311 `status_notes`).
STATUS_NOTE_KINDS = [
    UpdateKind.ACKNOWLEDGED,
    UpdateKind.STATUS,
    UpdateKind.FIXED,
    UpdateKind.CLOSED,
    UpdateKind.DUPLICATE,
    UpdateKind.REOPENED,
    UpdateKind.TRANSFERRED,
]


@dataclass(frozen=True)
class RequestFilters:
    """GET requests' filters, already parsed. `references` overrides everything else (the spec's rule)."""

    references: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: tuple[str, ...] = ()  # "open" and/or "closed"


def _public_photos() -> QuerySet[ReportPhoto]:
    """Photos the public may see: shown by staff, and not attached to an internal note."""
    return (
        ReportPhoto.objects.filter(is_public=True)
        .filter(Q(update__isnull=True) | Q(update__is_internal=False))
        .order_by("created_at", "pk")
    )


def _requests(*, jurisdiction: Jurisdiction, notes: bool = False) -> QuerySet[Report]:
    """Public reports with what an Open311 request shows: the owner, the public photos, the latest
    status note and the time of the latest public update, in a fixed number of queries; with
    `notes`, also the public timeline (`public_updates`, oldest first) for `extensions=true`."""
    public_updates = ReportUpdate.objects.filter(report=OuterRef("pk"), is_internal=False).order_by(
        "-created_at", "-pk"
    )
    reports = (
        report_list_public(jurisdiction=jurisdiction)
        .prefetch_related(None)
        .prefetch_related(Prefetch("photos", queryset=_public_photos(), to_attr="public_photos"))
    )
    if notes:
        timeline = ReportUpdate.objects.filter(is_internal=False).only("pk", "report_id", "kind", "text", "created_at")
        reports = reports.prefetch_related(
            Prefetch("updates", queryset=timeline.order_by("created_at", "pk"), to_attr="public_updates")
        )
    return reports.annotate(
        status_notes=Subquery(public_updates.filter(kind__in=STATUS_NOTE_KINDS).values("text")[:1]),
        last_public_update_at=Subquery(public_updates.values("created_at")[:1]),
    )


def open311_request_list(
    *, jurisdiction: Jurisdiction, filters: RequestFilters, notes: bool = False
) -> QuerySet[Report]:
    """Public requests matching the filters, newest first (the caller slices the page)."""
    reports = _requests(jurisdiction=jurisdiction, notes=notes)
    if filters.references:
        return reports.filter(reference__in=[reference.upper() for reference in filters.references])
    if filters.service_codes:
        reports = reports.filter(category__code__in=filters.service_codes)
    if filters.start is not None:
        reports = reports.filter(submitted_at__gte=filters.start)
    if filters.end is not None:
        reports = reports.filter(submitted_at__lte=filters.end)
    wanted: set[str] = set()
    if "open" in filters.statuses:
        wanted |= OPEN_STATUSES
    if "closed" in filters.statuses:
        wanted |= CLOSED_STATUSES
    if wanted:
        reports = reports.filter(status__in=sorted(wanted))
    return reports


def open311_request_get(*, jurisdiction: Jurisdiction, reference: str, notes: bool = False) -> Report | None:
    """One public request by its service_request_id (the reference), or None."""
    return _requests(jurisdiction=jurisdiction, notes=notes).filter(reference=reference.strip().upper()).first()


def open311_token_get(*, jurisdiction: Jurisdiction, token: str) -> Report | None:
    """The report a batch category's token stands for, or None.

    Not limited to public reports: the token is a secret only the client that posted the
    request holds, and it learns no more than the reference it would have got from a realtime
    category. Only the reference is read.
    """
    return Report.objects.filter(jurisdiction=jurisdiction, open311_token=token).only("reference").first()


def open311_update_list(
    *, jurisdiction: Jurisdiction, start: dt.datetime | None, end: dt.datetime | None
) -> QuerySet[ReportUpdate]:
    """Public timeline entries of public reports, oldest first (clients apply them in order).

    "submitted" and "confirmed" are the request itself, not updates of it, so they are left out
    (as in the Atom feeds).
    """
    updates = (
        ReportUpdate.objects.filter(
            is_internal=False, report__in=report_list_public(jurisdiction=jurisdiction).values("pk")
        )
        .exclude(kind__in=[UpdateKind.SUBMITTED, UpdateKind.CONFIRMED])
        .select_related("report")
        .only("pk", "kind", "status", "text", "created_at", "report__reference")
        .prefetch_related(Prefetch("photos", queryset=_public_photos(), to_attr="public_photos"))
        .order_by("created_at", "pk")
    )
    if start is not None:
        updates = updates.filter(created_at__gte=start)
    if end is not None:
        updates = updates.filter(created_at__lte=end)
    return updates

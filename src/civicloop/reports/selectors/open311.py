"""Reads behind Open311 GeoReport v2 `requests`, `tokens` and FixMyStreet's `servicerequestupdates`.

Everything starts from `report_list_public` (no confidential reports, no sensitive categories,
no unverified reports), so a request the public may not see is never found here, not even by
its reference. Nothing here joins the reporter, the contact details or who acted (`by`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import BigIntegerField, Func, OuterRef, Prefetch, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast

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


class EpochSeconds(Func):
    """A datetime as whole seconds since 1970-01-01 UTC (truncated), or NULL.

    Open311 shows times to the second, and a page of 1000 requests has some 4000 of them: read
    as integers they cost next to nothing, where the database driver builds each datetime in
    Python. PostgreSQL and SQLite (which keeps UTC text) only, the two databases civicloop runs on.
    """

    output_field = BigIntegerField()
    template = "FLOOR(EXTRACT(EPOCH FROM %(expressions)s))::bigint"

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff" and rounds to the millisecond before strftime,
        # so the fraction is cut off first (.9999995 must stay in its second). "%%%%s": Func's
        # formatting and then the SQLite backend's placeholder conversion each halve it.
        template = "CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


#: The columns a request shows, read as plain values: a page of 1000 requests built as Report
#: instances with their category, area, owner and jurisdiction (and their JSON fields decoded) took
#: most of a second. `pk` finds the photos and notes. The translations of the category and the
#: owner come as text and are decoded once per distinct category or agency (open311.Names).
REQUEST_COLUMNS = (
    "pk",
    "reference",
    "status",
    "description",
    "address_string",
    "lat",
    "lon",
    "media_url",
    "channel",
    "category__code",
    "category__name",
    "area__name",
    "area__slug",
    "owner__name",
)


def _rows(reports: QuerySet[Report]) -> QuerySet[Report, dict[str, Any]]:
    """The reports as rows: REQUEST_COLUMNS, the times (EpochSeconds) `submitted`, `closed`,
    `resolve_due` and `last_public_update` (of the latest public timeline entry), the translations
    of the category and the owner as text, `status_notes` (the latest public note that changed or
    explained the status) and `first_photo` (the pk of the first public photo, for `media_url`)."""
    public_updates = ReportUpdate.objects.filter(report=OuterRef("pk"), is_internal=False).order_by(
        "-created_at", "-pk"
    )
    return (
        reports.prefetch_related(None)
        .order_by("-submitted_at", "-pk")
        .values(
            *REQUEST_COLUMNS,
            submitted=EpochSeconds("submitted_at"),
            closed=EpochSeconds("closed_at"),
            resolve_due=EpochSeconds("resolve_due_at"),
            # The time alone, so no tie-break by pk: the index on (report, created_at) gives it unsorted.
            last_public_update=EpochSeconds(Subquery(public_updates.order_by("-created_at").values("created_at")[:1])),
            category_translations=Cast("category__translations", TextField()),
            owner_translations=Cast("owner__translations", TextField()),
            status_notes=Subquery(public_updates.filter(kind__in=STATUS_NOTE_KINDS).values("text")[:1]),
            first_photo=Subquery(_public_photos().filter(report=OuterRef("pk")).values("pk")[:1]),
        )
    )


def _with_media(rows: list[dict[str, Any]], *, notes: bool) -> list[dict[str, Any]]:
    """With `notes` (extensions=true), add each row's public photos (`public_photos`: pk, width,
    height, created; oldest first) and its public timeline (`public_updates`: kind, text, created;
    oldest first), one query each for the whole page (`created` as EpochSeconds)."""
    if not rows or not notes:
        return rows
    pks = [row["pk"] for row in rows]
    photos: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    public_photos = _public_photos().filter(report_id__in=pks)
    for photo in public_photos.values("report_id", "pk", "width", "height", created=EpochSeconds("created_at")):
        photos[photo["report_id"]].append(photo)
    updates: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    timeline = ReportUpdate.objects.filter(is_internal=False, report_id__in=pks).order_by("created_at", "pk")
    for update in timeline.values("report_id", "kind", "text", created=EpochSeconds("created_at")):
        updates[update["report_id"]].append(update)
    for row in rows:
        row["public_photos"] = photos.get(row["pk"], [])
        row["public_updates"] = updates.get(row["pk"], [])
    return rows


def _matching(*, jurisdiction: Jurisdiction, filters: RequestFilters) -> QuerySet[Report]:
    """Public reports matching the filters, newest first."""
    reports = report_list_public(jurisdiction=jurisdiction).prefetch_related(None)
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


def open311_request_rows(
    *, jurisdiction: Jurisdiction, filters: RequestFilters, page: slice, notes: bool = False
) -> list[dict[str, Any]]:
    """One page of the public requests matching the filters, newest first, as rows (see _rows and
    _with_media) in a fixed number of queries.

    The database picks the page by the matches' keys alone, then reads names, notes and photos
    for the page's rows only: joined before sorting, they were read for every match (2,400 rows
    for a page of 1000 of one service's open requests, 2,500 for a page of 100 closed ones).
    """
    page_pks = _matching(jurisdiction=jurisdiction, filters=filters).values("pk")[page]
    return _with_media(list(_rows(Report.objects.filter(pk__in=page_pks))), notes=notes)


def open311_request_row_get(
    *, jurisdiction: Jurisdiction, reference: str, notes: bool = False
) -> dict[str, Any] | None:
    """One public request by its service_request_id (the reference) as a row, or None."""
    reports = report_list_public(jurisdiction=jurisdiction).filter(reference=reference.strip().upper())
    rows = list(_rows(reports)[:1])
    return _with_media(rows, notes=notes)[0] if rows else None


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

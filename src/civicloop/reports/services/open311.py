"""Writes that arrive through Open311: a new request from an integration, and FixMyStreet's
status updates. Both call the same intake and life-cycle services as the web, and record which
integration (key name and prefix) acted, since there is no person behind an API key."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from civicloop.core.audit import audit_log
from civicloop.core.enums import Channel
from civicloop.reports.enums import OPEN_STATUSES, ReporterVisibility, ReportKind, ReportStatus
from civicloop.reports.models import Category, Open311ApiKey, Report, ReportUpdate
from civicloop.reports.services._common import ReportsError
from civicloop.reports.services.intake import report_submit_in_transaction
from civicloop.reports.services.lifecycle import report_comment, report_status_change


class Open311ForbiddenError(ReportsError):
    """The key may not do this (Open311 answers 403)."""


@transaction.atomic
def open311_request_submit(
    *,
    key: Open311ApiKey,
    category: Category,
    description: str,
    lon: float | None,
    lat: float | None,
    address_string: str,
    address_id: str,
    attributes: dict[str, Any],
    contact: dict[str, str],
    media_url: str,
    idempotency_key: str | None,
) -> Report:
    """File an Open311 request with the web form's service.

    An integration holding a key is a trusted channel, so the report starts submitted and is
    listed publicly at once. Reporters are anonymous: Open311 has no way to ask for consent to
    show a name. A retry with the same idempotency key writes nothing and gets the first report.
    category: as category_get_open311 reads it (attributes prefetched), so it is not read again.
    """
    jurisdiction = category.jurisdiction
    report, created = report_submit_in_transaction(
        jurisdiction=jurisdiction,
        category_code=category.code,
        kind=ReportKind.COMPLAINT,
        description=description,
        lon=lon,
        lat=lat,
        address_string=address_string,
        area_slug=address_id or None,
        attributes=attributes,
        visibility=ReporterVisibility.ANONYMOUS,
        reporter=None,
        contact=contact or None,
        channel=Channel.API,
        idempotency_key=idempotency_key,
        media_url=media_url,
        trusted=True,
        category=category,
    )
    if created:
        audit_log(
            action="report.open311_request",
            obj=report,
            agency=report.owner,
            jurisdiction=jurisdiction,
            after={"integration": key.name, "key_prefix": key.prefix},
            channel=Channel.API,
        )
    return report


def open311_key_may_update(*, key: Open311ApiKey, report: Report) -> bool:
    """Only keys issued for status updates, and only on reports of their agency when they have one."""
    if not key.can_post_updates or key.jurisdiction_id != report.jurisdiction_id:
        return False
    if key.agency_id is None:
        return True
    return report.owner_id == key.agency_id or report.agencies.filter(pk=key.agency_id).exists()


@transaction.atomic
def open311_update_submit(
    *, key: Open311ApiKey, report: Report, target: str | None, reason: str, status: str, text: str
) -> ReportUpdate:
    """A status update from an integration (FixMyStreet's POST servicerequestupdates).

    target None means "open": keep an open report's status, reopen a closed one. The same status
    as now is a public message; another one goes through the life cycle's rules. Returns the
    timeline entry written.
    """
    if not open311_key_may_update(key=key, report=report):
        raise Open311ForbiddenError(
            _(
                "This api_key may not post status updates for request %(reference)s; ask the jurisdiction for a key that may."
            )
            % {"reference": report.reference}
        )
    if target is None:
        target = report.status if report.status in OPEN_STATUSES | {ReportStatus.UNVERIFIED} else ReportStatus.SUBMITTED
    if target == report.status:
        update = report_comment(report=report, by=None, text=text, internal=False, channel=Channel.API)
    else:
        report_status_change(report=report, by=None, status=target, text=text, reason=reason, channel=Channel.API)
        update = ReportUpdate.objects.filter(report=report).order_by("-created_at", "-pk").first()  # type: ignore[assignment]
    audit_log(
        action="report.open311_update",
        obj=report,
        agency=key.agency or report.owner,
        jurisdiction=report.jurisdiction,
        after={"integration": key.name, "key_prefix": key.prefix, "status": status, "update": update.pk},
        channel=Channel.API,
    )
    return update

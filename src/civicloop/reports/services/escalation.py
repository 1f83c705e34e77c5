"""Escalation of overdue reports: first the owning agency's managers, then the supervisor.

Run on a clock by the task worker (settings.CIVICLOOP_PERIODIC, decision 13). Each report is
escalated in its own transaction under a row lock and only if it is still overdue, so several
workers running the job at once do no harm.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.accounts.enums import Role
from civicloop.accounts.models import RoleAssignment
from civicloop.core.calendar import add_working_hours
from civicloop.core.enums import Channel
from civicloop.core.services import email_enqueue
from civicloop.reports.enums import OPEN_STATUSES, EscalationLevel, UpdateKind
from civicloop.reports.models import Report
from civicloop.reports.services.lifecycle import _record, _save

ESCALATION_BATCH = 500


def _overdue(now: dt.datetime) -> Q:
    return Q(acknowledged_at__isnull=True, acknowledge_due_at__lt=now) | Q(resolve_due_at__lt=now)


def report_escalate_overdue(*, now: dt.datetime | None = None) -> list[Report]:
    """Escalate overdue reports one level: first the owning agency's managers, then, after
    CIVICLOOP_ESCALATION_GRACE_HOURS more working hours, the jurisdiction's supervisors.
    Reports in the triage queue go to the supervisors at once. Run periodically by the worker.

    Each escalation is its own transaction (one report failing does not hold back the rest),
    appears on the public timeline and e-mails the people it escalates to.
    """
    now = now or timezone.now()
    escalated: list[Report] = []
    candidates = (
        Report.objects.filter(status__in=OPEN_STATUSES, escalation_level__lt=EscalationLevel.SUPERVISOR)
        .filter(_overdue(now))
        .order_by("resolve_due_at", "pk")
        .values_list("pk", flat=True)[:ESCALATION_BATCH]
    )
    for pk in list(candidates):
        report = _escalate_one(pk=pk, now=now)
        if report is not None:
            escalated.append(report)
    return escalated


@transaction.atomic
def _escalate_one(*, pk: int, now: dt.datetime) -> Report | None:
    report = (
        Report.objects.select_for_update(of=("self",)).select_related("category", "jurisdiction", "owner").get(pk=pk)
    )
    overdue_ack = report.acknowledged_at is None and report.acknowledge_due_at < now
    if report.status not in OPEN_STATUSES or not (overdue_ack or report.resolve_due_at < now):
        return None
    if report.escalation_level == EscalationLevel.NONE and not report.in_triage:
        level = EscalationLevel.MANAGER
    elif report.escalation_level == EscalationLevel.NONE or (
        report.escalation_level == EscalationLevel.MANAGER
        and report.escalated_at is not None
        and add_working_hours(report.jurisdiction, report.escalated_at, settings.CIVICLOOP_ESCALATION_GRACE_HOURS)
        <= now
    ):
        level = EscalationLevel.SUPERVISOR
    else:
        return None
    _save(
        report,
        changes={"escalation_level": level, "escalated_at": now},
        action="report.escalate",
        by=None,
        channel=Channel.SYSTEM,
    )
    what = _("acknowledgement") if overdue_ack else _("resolution")
    if level == EscalationLevel.MANAGER:
        text = _("The %(what)s is overdue; the report was escalated to the manager of %(agency)s.") % {
            "what": what,
            "agency": report.owner.name if report.owner else "",
        }
        recipients = _emails(role=Role.AGENCY_MANAGER, report=report)
    else:
        text = _("The %(what)s is overdue; the report was escalated to the supervisor.") % {"what": what}
        recipients = _emails(role=Role.SUPERVISOR, report=report)
    _record(report, kind=UpdateKind.ESCALATED, by=None, channel=Channel.SYSTEM, text=text, agency=report.owner, at=now)
    if recipients:
        email_enqueue(
            subject=_("Overdue report %(reference)s escalated to you") % {"reference": report.reference},
            body=_(
                "Report %(reference)s (%(category)s) is overdue for %(what)s.\n"
                "Acknowledgement was due %(ack)s, resolution is due %(resolve)s.\n\n%(text)s"
            )
            % {
                "reference": report.reference,
                "category": report.category.name,
                "what": what,
                "ack": report.acknowledge_due_at.isoformat(timespec="minutes"),
                "resolve": report.resolve_due_at.isoformat(timespec="minutes"),
                "text": text,
            },
            to=recipients,
        )
    return report


def _emails(*, role: Role, report: Report) -> list[str]:
    assignments = RoleAssignment.objects.filter(role=role, jurisdiction=report.jurisdiction)
    if role == Role.AGENCY_MANAGER:
        assignments = assignments.filter(agency=report.owner)
    return sorted({email for email in assignments.values_list("user__email", flat=True) if email})

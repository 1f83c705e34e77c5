"""The life of a report after intake: every change of status, owner or assignee.

Each service checks that the change is allowed from the report's current state (and raises
ReportsError in words a citizen could read when it is not), writes the change, one
ReportUpdate on the timeline and one AuditEvent, all in one transaction; notifications go out
after commit. Permission (who may act) is checked by the caller, the view or the API, with
the predicates in reports/rules.py; these services check what may happen to the report.

The states:

    unverified → submitted → acknowledged → in progress / action scheduled
        → fixed | closed without fix (reason required) | duplicate (points to the original)
    fixed / closed without fix → reopened (by the reporter within the reopen window, or staff)

Due times never move earlier: confirming an unverified report starts its clock then, and a
reopened report gets a fresh resolution target, never an earlier one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.accounts.enums import AGENCY_ROLES
from civicloop.accounts.models import RoleAssignment
from civicloop.core.audit import audit_log, snapshot
from civicloop.core.enums import Channel
from civicloop.core.models import Agency
from civicloop.reports.enums import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    REOPENABLE_STATUSES,
    CloseReason,
    EscalationLevel,
    ReporterVisibility,
    ReportStatus,
    UpdateKind,
)
from civicloop.reports.models import RATING_MAX, RATING_MIN, Report, ReportFeedback, ReportUpdate, Subscription
from civicloop.reports.services._common import ReportsError

if TYPE_CHECKING:
    from civicloop.accounts.models import User

UPDATE_TEXT_MAX = 5000
FEEDBACK_COMMENT_MAX = 2000
#: Statuses staff may set by hand with report_status_set.
WORKING_STATUSES = frozenset({ReportStatus.IN_PROGRESS, ReportStatus.ACTION_SCHEDULED})
#: Audited life-cycle fields (public ones; the assignee is staff-only but not personal to the reporter).
LIFECYCLE_FIELDS = [
    "status",
    "owner",
    "in_triage",
    "agencies",
    "assigned_to",
    "duplicate_of",
    "acknowledge_due_at",
    "resolve_due_at",
    "acknowledged_at",
    "fixed_at",
    "closed_at",
    "close_reason",
    "reopened_count",
    "transferred_count",
    "escalation_level",
    "escalated_at",
    "supporter_count",
    "rating",
]


# --- shared steps ------------------------------------------------------------------------------
def _locked(report: Report) -> Report:
    """Re-read the report under a row lock, so two clerks acting at once are serialised and the
    second one sees the first one's change (SQLite's IMMEDIATE transactions serialise anyway)."""
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("category", "jurisdiction", "owner")
        .get(pk=report.pk)
    )


def _acting_agency(report: Report, by: User | None) -> Agency | None:
    """The agency in whose name `by` acts on this report: the owner if they belong to it, else
    another routed agency they belong to; None for supervisors, the reporter and the system."""
    if by is None or not by.is_authenticated:
        return None
    agency_ids = set(
        RoleAssignment.objects.filter(user=by, role__in=AGENCY_ROLES, agency__isnull=False).values_list(
            "agency_id", flat=True
        )
    )
    if report.owner_id in agency_ids:
        return report.owner
    return report.agencies.filter(pk__in=agency_ids).order_by("name", "pk").first()


def _text(text: str, *, required: bool = False, what: str = "") -> str:
    text = (text or "").strip()
    if required and not text:
        raise ReportsError(what or _("Write a few words for the reporter."))
    if len(text) > UPDATE_TEXT_MAX:
        raise ReportsError(
            _("The text is %(length)d characters long; at most %(max)d are allowed.")
            % {"length": len(text), "max": UPDATE_TEXT_MAX}
        )
    return text


def _record(
    report: Report,
    *,
    kind: UpdateKind,
    by: User | None,
    channel: Channel | str,
    text: str = "",
    internal: bool = False,
    agency: Agency | None = None,
    from_agency: Agency | None = None,
    to_agency: Agency | None = None,
    at: dt.datetime | None = None,
) -> ReportUpdate:
    update = ReportUpdate.objects.create(
        report=report,
        kind=kind,
        status=report.status,
        text=text,
        is_internal=internal,
        agency=agency,
        by=by if by is not None and by.is_authenticated else None,
        from_agency=from_agency,
        to_agency=to_agency,
        channel=Channel(channel),
        created_at=at or timezone.now(),
    )
    if not internal:
        update_id = update.pk
        transaction.on_commit(lambda: _notify(update_id))
    return update


def _notify(update_id: int) -> None:
    from civicloop.reports.tasks import update_notify_task

    update_notify_task.enqueue(update_id=update_id)


def _save(
    report: Report,
    *,
    changes: dict[str, Any],
    action: str,
    by: User | None,
    channel: Channel | str,
    agency: Agency | None = None,
) -> None:
    """Apply the changes, save only them and audit before/after (public fields only)."""
    fields = [name for name in changes if name != "agencies"]
    before = snapshot(report, list(changes))
    for name in fields:
        setattr(report, name, changes[name])
    report.save(update_fields=[*fields, "updated_at"])
    if "agencies" in changes:
        report.agencies.set(changes["agencies"])
    audit_log(
        action=action,
        actor=by,
        obj=report,
        agency=agency or report.owner,
        jurisdiction=report.jurisdiction,
        before=before,
        after=snapshot(report, list(changes)),
        channel=channel,
    )


def _require(report: Report, allowed: frozenset[str] | set[str], doing: str) -> None:
    if report.status not in allowed:
        raise ReportsError(
            _("Report %(reference)s is %(status)s, so it cannot be %(doing)s.")
            % {"reference": report.reference, "status": report.get_status_display().lower(), "doing": doing}
        )


# --- the transitions ------------------------------------------------------------------------------
@transaction.atomic
def report_confirm(*, report: Report, channel: Channel | str = Channel.WEB) -> Report:
    """The reporter confirmed their e-mail or phone: an unverified report becomes submitted.

    Its service-level clock starts now (an agency cannot be late on a report it could not
    see), so both due times are computed again from this moment. Confirming twice is harmless.
    """
    report = _locked(report)
    if report.status != ReportStatus.UNVERIFIED:
        return report
    now = timezone.now()
    try:
        acknowledge_due_at = max(report.acknowledge_due_at, report.category.acknowledge_due(now))
        resolve_due_at = max(report.resolve_due_at, report.category.resolve_due(now))
    except ValueError as error:
        raise ReportsError(str(error)) from error
    _save(
        report,
        changes={
            "status": ReportStatus.SUBMITTED,
            "acknowledge_due_at": acknowledge_due_at,
            "resolve_due_at": resolve_due_at,
        },
        action="report.confirm",
        by=None,
        channel=channel,
    )
    _record(report, kind=UpdateKind.CONFIRMED, by=None, channel=channel, at=now)
    report_id = report.pk
    transaction.on_commit(lambda: _notify_new(report_id))
    return report


def _notify_new(report_id: int) -> None:
    from civicloop.reports.tasks import report_new_notify_task

    report_new_notify_task.enqueue(report_id=report_id)


@transaction.atomic
def report_acknowledge(
    *, report: Report, by: User | None, text: str = "", channel: Channel | str = Channel.WEB
) -> Report:
    """The agency says it has seen the report and will look at it."""
    report = _locked(report)
    _require(report, {ReportStatus.SUBMITTED}, _("acknowledged"))
    text = _text(text)
    now = timezone.now()
    agency = _acting_agency(report, by)
    _save(
        report,
        changes={"status": ReportStatus.ACKNOWLEDGED, "acknowledged_at": now},
        action="report.acknowledge",
        by=by,
        channel=channel,
        agency=agency,
    )
    _record(report, kind=UpdateKind.ACKNOWLEDGED, by=by, channel=channel, text=text, agency=agency, at=now)
    return report


@transaction.atomic
def report_status_set(
    *, report: Report, by: User | None, status: str, text: str = "", channel: Channel | str = Channel.WEB
) -> Report:
    """Work has started (in progress) or is planned (action scheduled). Acknowledges, if that was not done."""
    if status not in WORKING_STATUSES:
        raise ReportsError(
            _("Choose in progress or action scheduled; %(status)s is set by its own action.") % {"status": status}
        )
    report = _locked(report)
    _require(
        report, (OPEN_STATUSES - {status}), _("set to %(status)s") % {"status": str(ReportStatus(status).label).lower()}
    )
    text = _text(text)
    now = timezone.now()
    agency = _acting_agency(report, by)
    changes: dict[str, Any] = {"status": status}
    if report.acknowledged_at is None:
        changes["acknowledged_at"] = now
    _save(report, changes=changes, action="report.status", by=by, channel=channel, agency=agency)
    _record(report, kind=UpdateKind.STATUS, by=by, channel=channel, text=text, agency=agency, at=now)
    return report


@transaction.atomic
def report_fix(*, report: Report, by: User | None, text: str = "", channel: Channel | str = Channel.WEB) -> Report:
    """The problem is fixed. The reporter is asked whether it really is, and how satisfied they are."""
    report = _locked(report)
    _require(report, OPEN_STATUSES, _("marked fixed"))
    text = _text(text)
    now = timezone.now()
    agency = _acting_agency(report, by)
    changes: dict[str, Any] = {
        "status": ReportStatus.FIXED,
        "fixed_at": now,
        "closed_at": now,
        "close_reason": "",
    }
    if report.acknowledged_at is None:
        changes["acknowledged_at"] = now
    _save(report, changes=changes, action="report.fix", by=by, channel=channel, agency=agency)
    _record(report, kind=UpdateKind.FIXED, by=by, channel=channel, text=text, agency=agency, at=now)
    return report


@transaction.atomic
def report_close_without_fix(
    *, report: Report, by: User | None, reason: str, text: str, channel: Channel | str = Channel.WEB
) -> Report:
    """Closed without a fix: not possible, or no further action. Never counted as fixed.

    The reporter must be told why, so an explanation is required.
    """
    if reason not in CloseReason.values:
        raise ReportsError(
            _("Choose why it is closed without a fix: %(reasons)s.")
            % {"reasons": ", ".join(str(label) for label in CloseReason.labels)}
        )
    report = _locked(report)
    _require(report, OPEN_STATUSES, _("closed"))
    text = _text(text, required=True, what=_("Explain to the reporter why nothing more will be done."))
    now = timezone.now()
    agency = _acting_agency(report, by)
    changes: dict[str, Any] = {
        "status": ReportStatus.CLOSED_WITHOUT_FIX,
        "fixed_at": None,
        "closed_at": now,
        "close_reason": reason,
    }
    if report.acknowledged_at is None:
        changes["acknowledged_at"] = now
    _save(report, changes=changes, action="report.close", by=by, channel=channel, agency=agency)
    _record(report, kind=UpdateKind.CLOSED, by=by, channel=channel, text=text, agency=agency, at=now)
    return report


def _reporter_email(report: Report) -> str:
    contact = getattr(report, "contact", None) if hasattr(report, "contact") else None
    if contact is not None and contact.email:
        return contact.email
    if report.reporter is not None and report.reporter.email:
        return report.reporter.email
    return ""


@transaction.atomic
def report_mark_duplicate(
    *, report: Report, original: Report, by: User | None, text: str = "", channel: Channel | str = Channel.WEB
) -> Report:
    """Merge a duplicate into its original: it closes pointing there, its reporter follows the original.

    A chain is never made: marking a report a duplicate of a duplicate points it at the first original.
    """
    report = _locked(report)
    _require(report, OPEN_STATUSES | {ReportStatus.UNVERIFIED}, _("marked as a duplicate"))
    # Follow the chain in the database, not in the caller's copy, which may be stale.
    original = Report.objects.get(pk=original.pk)
    while original.duplicate_of_id is not None:
        original = original.duplicate_of  # type: ignore[assignment]
    if original.jurisdiction_id != report.jurisdiction_id:
        raise ReportsError(_("The original report must be in the same jurisdiction."))
    if original.pk == report.pk:
        raise ReportsError(_("A report cannot be a duplicate of itself."))
    if not original.is_public:
        # The duplicate's reporter would follow it and be sent its updates, and its reference
        # would show on the duplicate's public timeline.
        raise ReportsError(
            _("Report %(reference)s is not public, so no other report can be merged into it.")
            % {"reference": original.reference}
        )
    text = _text(text)
    now = timezone.now()
    agency = _acting_agency(report, by)
    _save(
        report,
        changes={"status": ReportStatus.DUPLICATE, "duplicate_of": original, "closed_at": now, "fixed_at": None},
        action="report.duplicate",
        by=by,
        channel=channel,
        agency=agency,
    )
    message = text or _("This is the same problem as report %(reference)s; follow that report for progress.") % {
        "reference": original.reference
    }
    _record(report, kind=UpdateKind.DUPLICATE, by=by, channel=channel, text=message, agency=agency, at=now)

    # Duplicates merged into this report earlier now point at its original, so no chain forms.
    for merged in Report.objects.select_for_update().filter(duplicate_of=report).order_by("pk"):
        _save(
            merged, changes={"duplicate_of": original}, action="report.duplicate", by=by, channel=channel, agency=agency
        )

    original = _locked(original)
    # The duplicate's reporter counts once among the original's supporters, like a "me too"
    # (report_support does not count the same address again).
    counted = True
    email = _reporter_email(report)
    if email:
        subscription, created = Subscription.objects.get_or_create(
            email=email.lower(),
            report=original,
            defaults={
                "jurisdiction": original.jurisdiction,
                "user": report.reporter,
                "is_supporter": True,
                "confirmed_at": now,
            },
        )
        # An unconfirmed follower is counted when they confirm (subscription_confirm).
        counted = created or (not subscription.is_supporter and subscription.confirmed_at is not None)
        if not subscription.is_supporter:
            subscription.is_supporter = True
            subscription.save(update_fields=["is_supporter"])
    _save(
        original,
        changes={"supporter_count": original.supporter_count + (1 if counted else 0)},
        action="report.merge",
        by=by,
        channel=channel,
        agency=agency,
    )
    _record(
        original,
        kind=UpdateKind.MERGED,
        by=by,
        channel=channel,
        text=_("Report %(reference)s, about the same problem, was merged into this one.")
        % {"reference": report.reference},
        agency=agency,
        at=now,
        internal=not report.is_public,  # a confidential duplicate's reference stays out of public view
    )
    return report


@transaction.atomic
def report_reopen(
    *, report: Report, by: User | None = None, text: str = "", channel: Channel | str = Channel.WEB
) -> Report:
    """Not fixed after all. The reporter may reopen within CIVICLOOP_REOPEN_WINDOW_DAYS of the
    closing (by=None or the reporter themself); staff who handle the report may reopen at any time.

    It goes back to acknowledged (or submitted if it never was), with a new resolution target
    counted from now — never earlier than the old one.
    """
    report = _locked(report)
    _require(report, REOPENABLE_STATUSES, _("reopened"))
    now = timezone.now()
    by_reporter = by is None or not by.is_authenticated or by.pk == report.reporter_id
    if by_reporter and report.closed_at is not None:
        window = dt.timedelta(days=settings.CIVICLOOP_REOPEN_WINDOW_DAYS)
        if now - report.closed_at > window:
            raise ReportsError(
                _(
                    "Report %(reference)s was closed more than %(days)d days ago, so it can no longer be reopened. "
                    "Please file a new report."
                )
                % {"reference": report.reference, "days": settings.CIVICLOOP_REOPEN_WINDOW_DAYS}
            )
    text = _text(text)
    try:
        resolve_due_at = max(report.resolve_due_at, report.category.resolve_due(now))
    except ValueError as error:
        raise ReportsError(str(error)) from error
    agency = None if by_reporter else _acting_agency(report, by)
    _save(
        report,
        changes={
            "status": ReportStatus.ACKNOWLEDGED if report.acknowledged_at is not None else ReportStatus.SUBMITTED,
            "fixed_at": None,
            "closed_at": None,
            "close_reason": "",
            "reopened_count": report.reopened_count + 1,
            "resolve_due_at": resolve_due_at,
            "escalation_level": EscalationLevel.NONE,
            "escalated_at": None,
        },
        action="report.reopen",
        by=by if not by_reporter or report.visibility != ReporterVisibility.ANONYMOUS else None,
        channel=channel,
        agency=agency,
    )
    message = text or (_("The reporter says it is not fixed.") if by_reporter else "")
    _record(
        report,
        kind=UpdateKind.REOPENED,
        by=by if not by_reporter else None,
        channel=channel,
        text=message,
        agency=agency,
        at=now,
    )
    return report


@transaction.atomic
def report_transfer(
    *,
    report: Report,
    to_agency: Agency,
    by: User | None,
    reason: str,
    not_ours: bool = False,
    channel: Channel | str = Channel.WEB,
) -> Report:
    """Hand a report to another agency (LAPOR!'s disposition), with a reason the citizen sees.

    "Not our responsibility" is a transfer too: it names the agency that is responsible, so a
    report is never left with nobody. Out of the triage queue this is how the supervisor gives
    a report its first owner (not counted as a transfer in the agency figures). The clock keeps
    running: due times do not restart.
    """
    report = _locked(report)
    _require(report, OPEN_STATUSES | {ReportStatus.UNVERIFIED}, _("transferred"))
    if to_agency.jurisdiction_id != report.jurisdiction_id:
        raise ReportsError(
            _("%(agency)s is not an agency of %(jurisdiction)s.")
            % {"agency": to_agency.name, "jurisdiction": report.jurisdiction.name}
        )
    if not to_agency.is_active:
        raise ReportsError(_("%(agency)s no longer takes reports; choose another agency.") % {"agency": to_agency.name})
    if to_agency.pk == report.owner_id:
        raise ReportsError(
            _("Report %(reference)s is already with %(agency)s.")
            % {
                "reference": report.reference,
                "agency": to_agency.name,
            }
        )
    reason = _text(
        reason,
        required=True,
        what=_("Say why the report goes to %(agency)s; the reporter will read it.") % {"agency": to_agency.name},
    )
    now = timezone.now()
    from_agency = report.owner
    agency = _acting_agency(report, by)
    agencies = [a for a in report.agencies.all() if a.pk != getattr(from_agency, "pk", None)]
    if to_agency not in agencies:
        agencies.insert(0, to_agency)
    _save(
        report,
        changes={
            "owner": to_agency,
            "in_triage": False,
            "agencies": agencies,
            "assigned_to": None,
            "transferred_count": report.transferred_count + (1 if from_agency is not None else 0),
            "escalation_level": EscalationLevel.NONE,
            "escalated_at": None,
        },
        action="report.transfer",
        by=by,
        channel=channel,
        agency=agency or from_agency,
    )
    text = reason
    if not_ours:
        text = _("Not our responsibility: %(agency)s is responsible. %(reason)s") % {
            "agency": to_agency.name,
            "reason": reason,
        }
    _record(
        report,
        kind=UpdateKind.TRANSFERRED,
        by=by,
        channel=channel,
        text=text,
        agency=agency or from_agency,
        from_agency=from_agency,
        to_agency=to_agency,
        at=now,
    )
    return report


@transaction.atomic
def report_assign(*, report: Report, to: User | None, by: User | None, channel: Channel | str = Channel.WEB) -> Report:
    """Give the report to one colleague of the owning agency (or to nobody). Internal: not on the public timeline."""
    report = _locked(report)
    _require(report, OPEN_STATUSES | {ReportStatus.UNVERIFIED}, _("assigned"))
    if to is not None:
        if report.owner is None:
            raise ReportsError(_("A report in the triage queue is first given to an agency, then to a person."))
        member = RoleAssignment.objects.filter(user=to, agency=report.owner, role__in=AGENCY_ROLES).exists()
        if not member:
            raise ReportsError(
                _("%(person)s does not work for %(agency)s; assign the report to one of its staff.")
                % {"person": to.name or to.email, "agency": report.owner.name}
            )
    if report.assigned_to_id == (to.pk if to is not None else None):
        return report
    agency = _acting_agency(report, by)
    _save(report, changes={"assigned_to": to}, action="report.assign", by=by, channel=channel, agency=agency)
    text = (
        _("Assigned to %(person)s.") % {"person": to.name or to.email} if to is not None else _("No longer assigned.")
    )
    _record(report, kind=UpdateKind.ASSIGNED, by=by, channel=channel, text=text, internal=True, agency=agency)
    return report


@transaction.atomic
def report_comment(
    *, report: Report, by: User | None, text: str, internal: bool, channel: Channel | str = Channel.WEB
) -> ReportUpdate:
    """A public message to the reporter and everyone following, or an internal note staff alone see."""
    report = _locked(report)
    text = _text(text, required=True, what=_("Write the message or note."))
    agency = _acting_agency(report, by)
    update = _record(
        report,
        kind=UpdateKind.NOTE if internal else UpdateKind.COMMENT,
        by=by,
        channel=channel,
        text=text,
        internal=internal,
        agency=agency,
    )
    audit_log(
        action="report.note" if internal else "report.comment",
        actor=by,
        obj=report,
        agency=agency or report.owner,
        jurisdiction=report.jurisdiction,
        after={"update": update.pk, "internal": internal},
        channel=channel,
    )
    return update


@transaction.atomic
def report_feedback_submit(
    *,
    report: Report,
    fixed: bool,
    rating: int | None,
    comment: str = "",
    channel: Channel | str = Channel.WEB,
) -> ReportFeedback:
    """The reporter's answer to "was it fixed?" and "how satisfied are you?" (1–5).

    "Not fixed" reopens the report when it is still inside the reopen window; outside it the
    answer is kept (it counts in the figures) and ReportsError is not raised — the caller can
    tell from report.status that it stayed closed. The comment is for staff only.
    """
    report = _locked(report)
    _require(report, CLOSED_STATUSES - {ReportStatus.DUPLICATE}, _("rated"))
    if rating is not None and not (RATING_MIN <= rating <= RATING_MAX):
        raise ReportsError(_("Choose a satisfaction from %(min)d to %(max)d.") % {"min": RATING_MIN, "max": RATING_MAX})
    comment = (comment or "").strip()
    if len(comment) > FEEDBACK_COMMENT_MAX:
        raise ReportsError(
            _("The comment is %(length)d characters long; at most %(max)d are allowed.")
            % {"length": len(comment), "max": FEEDBACK_COMMENT_MAX}
        )
    now = timezone.now()
    feedback = ReportFeedback.objects.create(
        report=report,
        status_when_asked=report.status,
        fixed=fixed,
        rating=rating,
        comment=comment,
        channel=Channel(channel),
        created_at=now,
    )
    if rating is not None:
        _save(report, changes={"rating": rating}, action="report.rate", by=None, channel=channel)
    else:
        audit_log(
            action="report.rate",
            obj=report,
            agency=report.owner,
            jurisdiction=report.jurisdiction,
            after={"fixed": fixed},
            channel=channel,
        )
    _record(
        report,
        kind=UpdateKind.FEEDBACK,
        by=None,
        channel=channel,
        text=_("The reporter says it was fixed.") if fixed else _("The reporter says it was not fixed."),
        at=now,
    )
    window = dt.timedelta(days=settings.CIVICLOOP_REOPEN_WINDOW_DAYS)
    inside = report.closed_at is None or now - report.closed_at <= window
    if not fixed and report.status in REOPENABLE_STATUSES and inside:
        report_reopen(report=report, by=None, channel=channel)
        report.refresh_from_db()
    return feedback


@transaction.atomic
def report_support(*, report: Report, email: str, user: User | None = None) -> Subscription:
    """ "Me too": someone with the same problem follows this report instead of filing another.

    Counted once per e-mail address, and only once the address is proven: at once for a
    signed-in person using their own address, otherwise when they follow the confirmation link
    sent now (subscriptions.subscription_confirm then calls report_support_count). So nobody can
    inflate the count by typing addresses.
    """
    report = _locked(report)
    if report.status == ReportStatus.UNVERIFIED:
        _require(report, OPEN_STATUSES, _("followed"))
    if not report.is_open:
        raise ReportsError(
            _("Report %(reference)s is closed; file a new report if the problem is back.")
            % {"reference": report.reference}
        )
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ReportsError(_("Give an e-mail address like name@example.org to follow this report.")) from error
    signed_in = user is not None and user.is_authenticated and user.email.lower() == email
    subscription, created = Subscription.objects.get_or_create(
        email=email,
        report=report,
        defaults={
            "jurisdiction": report.jurisdiction,
            "user": user if signed_in else None,
            "is_supporter": True,
            "confirmed_at": timezone.now() if signed_in else None,
        },
    )
    if subscription.is_supporter and not created:
        return subscription  # already counted, or already waiting for confirmation
    if not created:
        subscription.is_supporter = True
        subscription.save(update_fields=["is_supporter"])
    if subscription.confirmed_at is not None:
        report_support_count(report=report, by=user if signed_in else None)
    else:
        from civicloop.reports.notifications import subscription_confirmation_send

        subscription_confirmation_send(subscription=subscription)
    return subscription


def report_support_count(*, report: Report, by: User | None = None) -> Report:
    """Count one more person with this problem (a confirmed "me too")."""
    report = _locked(report)
    _save(
        report,
        changes={"supporter_count": report.supporter_count + 1},
        action="report.support",
        by=by,
        channel=Channel.WEB,
    )
    return report


def report_status_change(
    *,
    report: Report,
    by: User | None,
    status: str,
    text: str = "",
    reason: str = "",
    original: Report | None = None,
    channel: Channel | str = Channel.WEB,
) -> Report:
    """One entry point for callers that carry a target status (forms, Open311 updates).

    The same open status again is a public message; an open status on a closed report reopens it.
    The choice is made on the report as it is now (under the lock), not on the caller's copy.
    """
    report = _locked(report)
    if status == report.status and status in OPEN_STATUSES:
        report_comment(report=report, by=by, text=text, internal=False, channel=channel)
        return report
    if status in OPEN_STATUSES and report.status in REOPENABLE_STATUSES:
        return report_reopen(report=report, by=by, text=text, channel=channel)
    if status == ReportStatus.DUPLICATE and original is None:
        raise ReportsError(_("Name the original report this one duplicates."))
    actions: dict[str, Callable[[], Report]] = {
        ReportStatus.ACKNOWLEDGED: lambda: report_acknowledge(report=report, by=by, text=text, channel=channel),
        ReportStatus.IN_PROGRESS: lambda: report_status_set(
            report=report, by=by, status=status, text=text, channel=channel
        ),
        ReportStatus.ACTION_SCHEDULED: lambda: report_status_set(
            report=report, by=by, status=status, text=text, channel=channel
        ),
        ReportStatus.FIXED: lambda: report_fix(report=report, by=by, text=text, channel=channel),
        ReportStatus.CLOSED_WITHOUT_FIX: lambda: report_close_without_fix(
            report=report, by=by, reason=reason or CloseReason.NO_FURTHER_ACTION, text=text, channel=channel
        ),
        ReportStatus.DUPLICATE: lambda: report_mark_duplicate(
            report=report,
            original=original,  # type: ignore[arg-type]  # checked above
            by=by,
            text=text,
            channel=channel,
        ),
    }
    if status not in actions:
        raise ReportsError(
            _("A report cannot be set to %(status)s from %(current)s.")
            % {"status": status, "current": report.get_status_display().lower()}
        )
    return actions[status]()

"""Escalation of overdue reports: first the owning agency's managers, then after a grace period the supervisors."""

import datetime as dt

import pytest

from civicloop.accounts.enums import Role
from civicloop.core.calendar import add_working_hours
from civicloop.core.enums import Channel
from civicloop.reports.enums import EscalationLevel, ReportStatus, UpdateKind
from civicloop.reports.models import ReportUpdate
from civicloop.reports.services import report_acknowledge, report_escalate_overdue, report_fix
from tests.factories import user_with_role
from tests.reports.test_lifecycle import CONTACT, T0, audit_of, make_report, make_town, patched_clock, row

pytestmark = pytest.mark.django_db

ACK_DUE = T0 + dt.timedelta(hours=3)
RESOLVE_DUE = T0 + dt.timedelta(days=7)


@pytest.fixture
def town(settings):
    settings.CIVICLOOP_ESCALATION_GRACE_HOURS = 8
    _clock, patch = patched_clock()
    with patch:
        yield make_town()


def _report(town, **fields):
    return make_report(town, acknowledge_due_at=ACK_DUE, resolve_due_at=RESOLVE_DUE, **fields)


def _escalate(now, capture):
    """Run the escalation as the worker does: its e-mails go out when its transactions commit."""
    with capture(execute=True):
        return report_escalate_overdue(now=now)


def _escalation_mail(mailoutbox):
    return [(m.subject, m.to) for m in mailoutbox if "escalated to you" in m.subject]


def test_escalate_nothing_before_the_due_time(town, mailoutbox, django_capture_on_commit_callbacks):
    report = _report(town)
    before = row(report)

    assert _escalate(ACK_DUE, django_capture_on_commit_callbacks) == []

    assert row(report) == before
    assert mailoutbox == []


def test_escalate_overdue_acknowledgement_to_the_agency_managers(town, mailoutbox, django_capture_on_commit_callbacks):
    report = _report(town)
    second_manager = user_with_role(
        Role.AGENCY_MANAGER, jurisdiction=town.j, agency=town.works, email="a.manager@city.example.org"
    )
    user_with_role(Role.AGENCY_MANAGER, jurisdiction=town.j, agency=town.water, email="water.boss@city.example.org")
    now = ACK_DUE + dt.timedelta(minutes=1)

    assert _escalate(now, django_capture_on_commit_callbacks) == [report]

    report.refresh_from_db()
    assert (report.escalation_level, report.escalated_at) == (EscalationLevel.MANAGER, now)
    text = "The acknowledgement is overdue; the report was escalated to the manager of Public Works."
    update = report.updates.get()
    assert (update.kind, update.status, update.text, update.is_internal, update.agency, update.by) == (
        UpdateKind.ESCALATED,
        ReportStatus.SUBMITTED,
        text,
        False,
        town.works,
        None,
    )
    [event] = audit_of(report)
    assert (event.action, event.actor, event.actor_agency, event.channel) == (
        "report.escalate",
        None,
        town.works,
        Channel.SYSTEM,
    )
    assert (event.before, event.after) == (
        {"escalation_level": 0, "escalated_at": None},
        {"escalation_level": 1, "escalated_at": now.isoformat()},
    )
    [message] = [m for m in mailoutbox if "escalated to you" in m.subject]
    assert (message.subject, message.to) == (
        f"Overdue report {report.reference} escalated to you",
        sorted([town.manager.email, second_manager.email]),
    )
    assert message.body == (
        f"Report {report.reference} ({town.category.name}) is overdue for acknowledgement.\n"
        f"Acknowledgement was due {ACK_DUE.isoformat(timespec='minutes')}, "
        f"resolution is due {RESOLVE_DUE.isoformat(timespec='minutes')}.\n\n{text}"
    )
    # The public timeline entry reaches the reporter as any update does.
    assert [m.to for m in mailoutbox if "escalated to you" not in m.subject] == [[CONTACT["email"]]]


def test_escalate_to_the_supervisor_only_after_the_grace_period(town, mailoutbox, django_capture_on_commit_callbacks):
    report = _report(town)
    first = ACK_DUE + dt.timedelta(minutes=1)
    _escalate(first, django_capture_on_commit_callbacks)
    grace_ends = add_working_hours(town.j, first, 8)
    mailoutbox.clear()

    assert _escalate(grace_ends - dt.timedelta(seconds=1), django_capture_on_commit_callbacks) == []
    report.refresh_from_db()
    assert (report.escalation_level, report.escalated_at) == (EscalationLevel.MANAGER, first)

    assert _escalate(grace_ends, django_capture_on_commit_callbacks) == [report]

    report.refresh_from_db()
    assert (report.escalation_level, report.escalated_at) == (EscalationLevel.SUPERVISOR, grace_ends)
    assert report.updates.order_by("created_at", "pk").last().text == (
        "The acknowledgement is overdue; the report was escalated to the supervisor."
    )
    assert _escalation_mail(mailoutbox) == [
        (f"Overdue report {report.reference} escalated to you", [town.supervisor.email])
    ]
    assert _escalate(grace_ends + dt.timedelta(days=30), django_capture_on_commit_callbacks) == []


def test_escalate_grace_period_counts_working_hours_only(town, django_capture_on_commit_callbacks):
    # Friday 15:00 in Santiago: eight working hours later is Monday 15:00, not Friday 23:00.
    friday = dt.datetime(2026, 3, 6, 18, 0, tzinfo=dt.UTC)
    report = make_report(town, acknowledge_due_at=friday - dt.timedelta(hours=1), resolve_due_at=RESOLVE_DUE)
    _escalate(friday, django_capture_on_commit_callbacks)

    assert _escalate(friday + dt.timedelta(hours=8), django_capture_on_commit_callbacks) == []
    assert _escalate(friday + dt.timedelta(days=3), django_capture_on_commit_callbacks) == [report]


def test_escalate_overdue_resolution_after_acknowledgement(town, django_capture_on_commit_callbacks):
    report = _report(town)
    report_acknowledge(report=report, by=town.staff)

    assert _escalate(ACK_DUE + dt.timedelta(days=1), django_capture_on_commit_callbacks) == []
    now = RESOLVE_DUE + dt.timedelta(hours=1)
    assert _escalate(now, django_capture_on_commit_callbacks) == [report]

    assert report.updates.get(kind=UpdateKind.ESCALATED).text == (
        "The resolution is overdue; the report was escalated to the manager of Public Works."
    )


def test_escalate_triage_reports_to_the_supervisor_at_once(town, mailoutbox, django_capture_on_commit_callbacks):
    report = _report(town, owner=None)
    other_supervisor = user_with_role(Role.SUPERVISOR, jurisdiction=town.j, email="b.supervisor@city.example.org")
    user_with_role(Role.SUPERVISOR, jurisdiction=make_town().j, email="elsewhere@city.example.org")
    now = ACK_DUE + dt.timedelta(minutes=1)

    assert _escalate(now, django_capture_on_commit_callbacks) == [report]

    report.refresh_from_db()
    assert (report.escalation_level, report.escalated_at) == (EscalationLevel.SUPERVISOR, now)
    update = report.updates.get()
    assert (update.text, update.agency) == (
        "The acknowledgement is overdue; the report was escalated to the supervisor.",
        None,
    )
    assert _escalation_mail(mailoutbox) == [
        (
            f"Overdue report {report.reference} escalated to you",
            sorted([town.supervisor.email, other_supervisor.email]),
        )
    ]


@pytest.mark.parametrize("status", [ReportStatus.FIXED, ReportStatus.UNVERIFIED])
def test_escalate_never_touches_closed_or_unverified_reports(town, status, django_capture_on_commit_callbacks):
    report = _report(town, status=ReportStatus.UNVERIFIED if status == ReportStatus.UNVERIFIED else "submitted")
    if status == ReportStatus.FIXED:
        report_fix(report=report, by=town.staff)
    before = row(report)

    assert _escalate(RESOLVE_DUE + dt.timedelta(days=90), django_capture_on_commit_callbacks) == []

    assert row(report) == before


def test_escalate_twice_with_the_same_time_is_idempotent(town, mailoutbox, django_capture_on_commit_callbacks):
    reports = [_report(town), _report(town, owner=None)]
    now = RESOLVE_DUE + dt.timedelta(hours=1)
    assert sorted(r.pk for r in _escalate(now, django_capture_on_commit_callbacks)) == sorted(r.pk for r in reports)
    before = [row(report) for report in reports]
    sent = len(mailoutbox)

    assert _escalate(now, django_capture_on_commit_callbacks) == []

    assert [row(report) for report in reports] == before
    assert len(mailoutbox) == sent
    assert ReportUpdate.objects.filter(kind=UpdateKind.ESCALATED).count() == 2


def test_escalate_without_managers_still_escalates(town, mailoutbox, django_capture_on_commit_callbacks):
    report = _report(town, owner="parks")

    assert _escalate(ACK_DUE + dt.timedelta(hours=1), django_capture_on_commit_callbacks) == [report]

    assert _escalation_mail(mailoutbox) == []

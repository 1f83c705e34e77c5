"""Random sequences of allowed and refused life-cycle actions on a few reports, with a moving clock.

A model predicts for each action whether the services must accept or refuse it; a refused
action must raise ReportsError and change nothing at all. After every step the invariants of
decision 0010 hold: exactly one owner, a complete audit trail, fixed never confused with
closed without fix, due times and counters that never go back, no chains of duplicates.

Each example runs inside a savepoint rolled back at the end, so the town (agencies, people,
category) is made once per test and the examples do not see each other's reports.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any, ClassVar

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from civicloop.accounts.enums import AGENCY_ROLES
from civicloop.accounts.models import RoleAssignment
from civicloop.core.models import AuditEvent
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
from civicloop.reports.models import Report, ReportFeedback, ReportUpdate, Subscription
from civicloop.reports.services import (
    ReportsError,
    report_acknowledge,
    report_assign,
    report_close_without_fix,
    report_comment,
    report_confirm,
    report_escalate_overdue,
    report_feedback_submit,
    report_fix,
    report_mark_duplicate,
    report_reopen,
    report_status_set,
    report_support,
    report_transfer,
)
from tests.reports.test_lifecycle import ROW_FIELDS, T0, bring_to, make_report, make_town, patched_clock

pytestmark = pytest.mark.django_db

WINDOW_DAYS = 7
MAX_REPORTS = 7
#: Timeline entries that record a change of status (one audit event with "status" each).
STATUS_KINDS = [
    UpdateKind.CONFIRMED,
    UpdateKind.ACKNOWLEDGED,
    UpdateKind.STATUS,
    UpdateKind.FIXED,
    UpdateKind.CLOSED,
    UpdateKind.DUPLICATE,
    UpdateKind.REOPENED,
]
STAFF = ["staff", "colleague", "manager", "water_staff", "parks_staff", "supervisor"]
AGENCIES = ["works", "water", "parks"]

reports = st.integers(min_value=0, max_value=MAX_REPORTS - 1)
staff = st.sampled_from(STAFF)
texts = st.sampled_from(["", "  ", "We are on it."])


class LifecycleMachine(RuleBasedStateMachine):
    town: ClassVar[Any]
    clock: ClassVar[Any]

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.clock.now = T0
        town = self.town
        self.reports: list[Report] = [
            make_report(town, owner="works", reporter=town.reporter, visibility=ReporterVisibility.ANONYMOUS),
            make_report(town, owner=None),
            make_report(town, owner="water", status=ReportStatus.UNVERIFIED, contact=False),
        ]
        # Two closed ones from the start, so feedback and reopening get their chances early.
        for status in (ReportStatus.FIXED, ReportStatus.CLOSED_WITHOUT_FIX):
            self.reports.append(bring_to(town, make_report(town, owner="parks"), status))
        self.seen: dict[int, dict[str, Any]] = {}
        self.remember()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ----------------------------------------------------------------------------
    def pick(self, index: int) -> Report:
        return Report.objects.get(pk=self.reports[index % len(self.reports)].pk)

    def load(self) -> list[Report]:
        """These reports with their agencies, in two queries."""
        return list(Report.objects.filter(pk__in=[r.pk for r in self.reports]).prefetch_related("agencies"))

    def audit_statuses(self) -> dict[str, list[tuple[int, str]]]:
        """Per report (object_id), its audit events that record a status: (id, status after)."""
        statuses: dict[str, list[tuple[int, str]]] = {}
        events = AuditEvent.objects.filter(content_type__model="report").order_by("occurred_at", "id")
        for pk, object_id, after in events.values_list("pk", "object_id", "after"):
            if isinstance(after, dict) and "status" in after:
                statuses.setdefault(object_id, []).append((pk, after["status"]))
        return statuses

    def world(self) -> dict[str, Any]:
        return {
            "rows": {
                report.pk: (
                    {name: getattr(report, name) for name in ROW_FIELDS},
                    sorted(agency.pk for agency in report.agencies.all()),
                )
                for report in self.load()
            },
            "updates": ReportUpdate.objects.count(),
            "audit": AuditEvent.objects.count(),
            "subscriptions": Subscription.objects.count(),
            "feedback": ReportFeedback.objects.count(),
        }

    def act(self, allowed: bool, call: Any) -> bool:
        """Run call; it must succeed when allowed, else raise ReportsError and change nothing."""
        event(f"{sys._getframe(1).f_code.co_name} {'allowed' if allowed else 'refused'}")
        before = self.world()
        audited_before = self.audit_statuses()
        try:
            call()
        except ReportsError:
            assert not allowed, "an allowed action was refused"
            assert self.world() == before
            return False
        assert allowed, "a forbidden action was carried out"
        audited = self.audit_statuses()
        for report in self.load():
            if report.status != before["rows"][report.pk][0]["status"]:
                key = str(report.pk)
                new = audited.get(key, [])[len(audited_before.get(key, [])) :]
                # One audit event per change of status (a "not fixed" feedback reopens: rated, then reopened).
                assert new, f"{report.reference}: status changed without an audit event"
                assert new[-1][1] == report.status
        return True

    def remember(self, reports: list[Report] | None = None) -> None:
        for report in reports if reports is not None else self.load():
            self.seen[report.pk] = {
                "acknowledge_due_at": report.acknowledge_due_at,
                "resolve_due_at": report.resolve_due_at,
                "reopened_count": report.reopened_count,
                "transferred_count": report.transferred_count,
            }

    def member(self, person: str, agency_id: int | None) -> bool:
        user = getattr(self.town, person)
        return RoleAssignment.objects.filter(user=user, agency_id=agency_id, role__in=AGENCY_ROLES).exists()

    # --- rules -----------------------------------------------------------------------------
    @precondition(lambda self: len(self.reports) < MAX_REPORTS)
    @rule(owner=st.sampled_from([*AGENCIES, None]), unverified=st.booleans())
    def add_report(self, owner: str | None, unverified: bool) -> None:
        status = ReportStatus.UNVERIFIED if unverified else ReportStatus.SUBMITTED
        report = make_report(
            self.town,
            owner=owner,
            status=status,
            submitted_at=self.clock.now,
            acknowledge_due_at=self.clock.now + dt.timedelta(hours=4),
            resolve_due_at=self.clock.now + dt.timedelta(days=5),
        )
        self.reports.append(report)
        self.remember()

    @rule(hours=st.integers(min_value=0, max_value=24 * 10), run=st.booleans())
    def time_passes(self, hours: int, run: bool) -> None:
        """The clock moves on; sometimes the worker's escalation runs then."""
        self.clock.advance(hours=hours)
        if run:
            self.act(True, report_escalate_overdue)

    @rule(index=reports)
    def confirm(self, index: int) -> None:
        report = self.pick(index)
        self.act(True, lambda: report_confirm(report=report))
        if report.status == ReportStatus.UNVERIFIED:
            assert self.pick(index).status == ReportStatus.SUBMITTED

    @rule(index=reports, by=staff, text=texts)
    def acknowledge(self, index: int, by: str, text: str) -> None:
        report = self.pick(index)
        allowed = report.status == ReportStatus.SUBMITTED
        self.act(allowed, lambda: report_acknowledge(report=report, by=getattr(self.town, by), text=text))

    @rule(index=reports, by=staff, status=st.sampled_from([ReportStatus.IN_PROGRESS, ReportStatus.ACTION_SCHEDULED]))
    def set_status(self, index: int, by: str, status: str) -> None:
        report = self.pick(index)
        allowed = report.status in OPEN_STATUSES and report.status != status
        self.act(allowed, lambda: report_status_set(report=report, by=getattr(self.town, by), status=status))

    @rule(index=reports, by=staff)
    def fix(self, index: int, by: str) -> None:
        report = self.pick(index)
        self.act(report.status in OPEN_STATUSES, lambda: report_fix(report=report, by=getattr(self.town, by)))

    @rule(index=reports, by=staff, reason=st.sampled_from([*CloseReason.values, "bored"]), text=texts)
    def close_without_fix(self, index: int, by: str, reason: str, text: str) -> None:
        report = self.pick(index)
        allowed = report.status in OPEN_STATUSES and reason in CloseReason.values and text.strip() != ""
        self.act(
            allowed,
            lambda: report_close_without_fix(report=report, by=getattr(self.town, by), reason=reason, text=text),
        )

    @rule(index=reports, other=reports, by=staff)
    def duplicate(self, index: int, other: int, by: str) -> None:
        report, original = self.pick(index), self.pick(other)
        root = original
        while root.duplicate_of_id is not None:
            root = Report.objects.get(pk=root.duplicate_of_id)
        allowed = report.status in OPEN_STATUSES | {ReportStatus.UNVERIFIED} and root.pk != report.pk
        if self.act(
            allowed, lambda: report_mark_duplicate(report=report, original=original, by=getattr(self.town, by))
        ):
            assert self.pick(index).duplicate_of_id == root.pk

    @rule(index=reports, by=st.sampled_from([None, "reporter", *STAFF]))
    def reopen(self, index: int, by: str | None) -> None:
        report = self.pick(index)
        user = getattr(self.town, by) if by is not None else None
        by_reporter = user is None or user.pk == report.reporter_id
        inside = report.closed_at is not None and self.clock.now - report.closed_at <= dt.timedelta(days=WINDOW_DAYS)
        allowed = report.status in REOPENABLE_STATUSES and (not by_reporter or inside)
        if self.act(allowed, lambda: report_reopen(report=report, by=user)):
            after = self.pick(index)
            assert after.status == (
                ReportStatus.ACKNOWLEDGED if report.acknowledged_at is not None else ReportStatus.SUBMITTED
            )

    @rule(index=reports, to=st.sampled_from(AGENCIES), by=staff, reason=texts, not_ours=st.booleans())
    def transfer(self, index: int, to: str, by: str, reason: str, not_ours: bool) -> None:
        report = self.pick(index)
        agency = getattr(self.town, to)
        allowed = (
            report.status in OPEN_STATUSES | {ReportStatus.UNVERIFIED}
            and report.owner_id != agency.pk
            and reason.strip() != ""
        )
        if self.act(
            allowed,
            lambda: report_transfer(
                report=report, to_agency=agency, by=getattr(self.town, by), reason=reason, not_ours=not_ours
            ),
        ):
            after = self.pick(index)
            assert (after.owner_id, after.in_triage, after.assigned_to_id) == (agency.pk, False, None)
            assert agency in after.agencies.all()
            assert after.transferred_count == report.transferred_count + (0 if report.in_triage else 1)

    @rule(index=reports, to=st.sampled_from([None, *STAFF]), by=staff)
    def assign(self, index: int, to: str | None, by: str) -> None:
        report = self.pick(index)
        allowed = report.status in OPEN_STATUSES | {ReportStatus.UNVERIFIED} and (
            to is None or (report.owner_id is not None and self.member(to, report.owner_id))
        )
        person = getattr(self.town, to) if to is not None else None
        self.act(allowed, lambda: report_assign(report=report, to=person, by=getattr(self.town, by)))

    @rule(index=reports, by=staff, text=texts, internal=st.booleans())
    def comment(self, index: int, by: str, text: str, internal: bool) -> None:
        report = self.pick(index)
        self.act(
            text.strip() != "",
            lambda: report_comment(report=report, by=getattr(self.town, by), text=text, internal=internal),
        )

    @rule(index=reports, fixed=st.booleans(), rating=st.sampled_from([None, 0, 1, 3, 5, 6]))
    def feedback(self, index: int, fixed: bool, rating: int | None) -> None:
        report = self.pick(index)
        allowed = report.status in REOPENABLE_STATUSES and (rating is None or 1 <= rating <= 5)
        inside = report.closed_at is not None and self.clock.now - report.closed_at <= dt.timedelta(days=WINDOW_DAYS)
        if self.act(allowed, lambda: report_feedback_submit(report=report, fixed=fixed, rating=rating)):
            after = self.pick(index)
            assert after.rating == (rating if rating is not None else report.rating)
            reopened = not fixed and inside
            assert after.status in (OPEN_STATUSES if reopened else {report.status})

    @rule(index=reports, email=st.sampled_from(["maria@example.org", "MARIA@example.org", "jose@example.org", "nope"]))
    def support(self, index: int, email: str) -> None:
        report = self.pick(index)
        existing = Subscription.objects.filter(report=report, email=email.lower()).first()
        # Typed addresses count once confirmed; a confirmed follower saying "me too" counts at once.
        counts = existing is not None and not existing.is_supporter and existing.confirmed_at is not None
        allowed = report.status in OPEN_STATUSES and "@" in email
        if self.act(allowed, lambda: report_support(report=report, email=email)):
            assert self.pick(index).supporter_count == report.supporter_count + (1 if counts else 0)

    # --- invariants: one pass over a few queries, after every step ------------------------------
    @invariant()
    def invariants_hold(self) -> None:
        reports = self.load()
        audited = self.audit_statuses()
        timelines: dict[int, list[tuple[str, str]]] = {}
        for report_id, kind, status in (
            ReportUpdate.objects.filter(report__in=reports)
            .order_by("created_at", "pk")
            .values_list("report", "kind", "status")
        ):
            timelines.setdefault(report_id, []).append((kind, status))
        by_pk = {report.pk: report for report in Report.objects.all()}
        for report in reports:
            timeline = timelines.get(report.pk, [])
            self.one_owner(report)
            self.audit_trail_complete(report, [status for _pk, status in audited.get(str(report.pk), [])], timeline)
            self.fixed_never_confused_with_closed(report)
            self.no_chain_of_duplicates(report, by_pk)
            self.escalation_sane(report)
            self.never_back(report)
        for report in reports:
            if report.visibility == ReporterVisibility.ANONYMOUS and report.reporter_id is not None:
                # The anonymous reporter acting on their own report is never recorded as a person.
                events = AuditEvent.objects.filter(content_type__model="report", object_id=str(report.pk))
                assert not events.filter(actor_id=report.reporter_id).exists()
                assert not report.updates.filter(by_id=report.reporter_id).exists()
        self.remember(reports)

    @staticmethod
    def one_owner(report: Report) -> None:
        assert (report.owner_id is None) == report.in_triage
        if report.owner_id is not None:
            assert report.owner_id in {agency.pk for agency in report.agencies.all()}

    @staticmethod
    def audit_trail_complete(report: Report, audited: list[str], timeline: list[tuple[str, str]]) -> None:
        """Each status change: one audit event and one timeline entry with the status after it."""
        assert audited == [status for kind, status in timeline if kind in STATUS_KINDS]
        if timeline:
            assert timeline[-1][1] == report.status

    @staticmethod
    def fixed_never_confused_with_closed(report: Report) -> None:
        assert (report.status == ReportStatus.FIXED) == (report.fixed_at is not None and report.close_reason == "")
        if report.status == ReportStatus.CLOSED_WITHOUT_FIX:
            assert report.close_reason != ""
            assert report.fixed_at is None
        else:
            assert report.close_reason == ""
        assert (report.closed_at is not None) == (report.status in CLOSED_STATUSES)

    @staticmethod
    def no_chain_of_duplicates(report: Report, by_pk: dict[int, Report]) -> None:
        assert (report.duplicate_of_id is not None) == (report.status == ReportStatus.DUPLICATE)
        if report.duplicate_of_id is not None:
            assert by_pk[report.duplicate_of_id].duplicate_of_id is None

    @staticmethod
    def escalation_sane(report: Report) -> None:
        assert (report.escalation_level == EscalationLevel.NONE) == (report.escalated_at is None)
        assert not (report.in_triage and report.escalation_level == EscalationLevel.MANAGER)

    def never_back(self, report: Report) -> None:
        """Due times, reopened and transferred counts never decrease."""
        for name, value in self.seen.get(report.pk, {}).items():
            assert getattr(report, name) >= value, name


MACHINE_SETTINGS = hypothesis_settings(
    max_examples=10,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_report_lifecycle_state_machine(settings):
    settings.CIVICLOOP_REOPEN_WINDOW_DAYS = WINDOW_DAYS
    clock, patch = patched_clock()
    with patch:
        LifecycleMachine.town = make_town()
        LifecycleMachine.clock = clock
        run_state_machine_as_test(LifecycleMachine, settings=MACHINE_SETTINGS)

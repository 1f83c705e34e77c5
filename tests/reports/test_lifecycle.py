"""The report life cycle: each service's allowed and refused transitions, its timeline entry and audit event.

The helpers at the top (a town with three agencies, a clock, row snapshots) are shared with
test_lifecycle_machine.py and test_escalation.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest

from civicloop.accounts.enums import Role
from civicloop.core.enums import Channel
from civicloop.core.models import AuditEvent
from civicloop.reports.enums import CloseReason, PrivacyClass, ReporterVisibility, ReportStatus, TargetUnit, UpdateKind
from civicloop.reports.models import (
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    Report,
    ReportContact,
    ReportFeedback,
    ReportUpdate,
    Subscription,
)
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
    report_status_change,
    report_status_set,
    report_support,
    report_transfer,
)
from civicloop.reports.services.subscriptions import subscription_confirm
from tests.factories import AgencyFactory, JurisdictionFactory, user_with_role
from tests.reports.factories import CategoryFactory, ReportFactory

#: A Monday, 10:00 in Santiago (UTC-3 in March): working time.
T0 = dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.UTC)
CONTACT = {"name": "Rosa Quispe Huanca", "email": "rosa.quispe@example.net", "phone": "+56 9 8765 4321"}
#: Report fields a life-cycle service may change, compared before and after a refused action.
ROW_FIELDS = [
    "status",
    "owner_id",
    "in_triage",
    "assigned_to_id",
    "duplicate_of_id",
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


@dataclass
class Clock:
    """The time the services see; tests move it by hand."""

    now: dt.datetime

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def patched_clock(start: dt.datetime = T0) -> tuple[Clock, Any]:
    """A Clock and the patch that makes django.utils.timezone.now (as lifecycle uses it) read it."""
    clock = Clock(start)
    return clock, mock.patch("civicloop.reports.services.lifecycle.timezone.now", side_effect=lambda: clock.now)


def make_town() -> SimpleNamespace:
    jurisdiction = JurisdictionFactory(name="Villa Prueba")
    works = AgencyFactory(jurisdiction=jurisdiction, name="Public Works")
    water = AgencyFactory(jurisdiction=jurisdiction, name="Water Board")
    parks = AgencyFactory(jurisdiction=jurisdiction, name="Parks Service")
    category = CategoryFactory(
        jurisdiction=jurisdiction,
        acknowledge_within=4,
        acknowledge_unit=TargetUnit.HOURS,
        resolve_within=5,
        resolve_unit=TargetUnit.DAYS,
    )
    return SimpleNamespace(
        j=jurisdiction,
        works=works,
        water=water,
        parks=parks,
        category=category,
        staff=user_with_role(Role.AGENCY_STAFF, jurisdiction=jurisdiction, agency=works, name="Ana Staff"),
        colleague=user_with_role(Role.AGENCY_STAFF, jurisdiction=jurisdiction, agency=works, name="Beto Colleague"),
        manager=user_with_role(Role.AGENCY_MANAGER, jurisdiction=jurisdiction, agency=works, name="Carla Manager"),
        water_staff=user_with_role(Role.AGENCY_STAFF, jurisdiction=jurisdiction, agency=water, name="Dario Water"),
        parks_staff=user_with_role(Role.AGENCY_STAFF, jurisdiction=jurisdiction, agency=parks, name="Eva Parks"),
        supervisor=user_with_role(Role.SUPERVISOR, jurisdiction=jurisdiction, name="Fidel Supervisor"),
        reporter=user_with_role(None, jurisdiction=jurisdiction, name="Rosa Account", email="rosa.account@example.net"),
    )


_references = itertools.count()


def new_reference() -> str:
    """A unique reference in the real alphabet (the public URLs only match those)."""
    number, letters = next(_references), []
    for _position in range(REFERENCE_LENGTH):
        number, digit = divmod(number, len(REFERENCE_ALPHABET))
        letters.append(REFERENCE_ALPHABET[digit])
    return "T" + "".join(reversed(letters))[1:]


def make_report(town: SimpleNamespace, *, owner: Any = "works", contact: bool = True, **fields: Any) -> Report:
    """A report owned by `owner` (an attribute name of town, or None for the triage queue)."""
    agency = getattr(town, owner) if isinstance(owner, str) else owner
    submitted_at = fields.pop("submitted_at", T0 - dt.timedelta(hours=1))
    report = ReportFactory(
        category=fields.pop("category", town.category),
        reference=fields.pop("reference", None) or new_reference(),
        owner=agency,
        submitted_at=submitted_at,
        acknowledge_due_at=fields.pop("acknowledge_due_at", submitted_at + dt.timedelta(hours=4)),
        resolve_due_at=fields.pop("resolve_due_at", submitted_at + dt.timedelta(days=7)),
        **fields,
    )
    if agency is not None:
        report.agencies.set([agency])
    if contact:
        ReportContact.objects.create(report=report, **CONTACT)
    return report


def bring_to(town: SimpleNamespace, report: Report, status: str) -> Report:
    """Drive a submitted report to `status` through the services, as staff of its owner would."""
    by = town.staff
    if status in {ReportStatus.SUBMITTED, ReportStatus.UNVERIFIED}:
        return report
    if status == ReportStatus.ACKNOWLEDGED:
        return report_acknowledge(report=report, by=by)
    if status in {ReportStatus.IN_PROGRESS, ReportStatus.ACTION_SCHEDULED}:
        return report_status_set(report=report, by=by, status=status)
    if status == ReportStatus.FIXED:
        return report_fix(report=report, by=by, text="Patched.")
    if status == ReportStatus.CLOSED_WITHOUT_FIX:
        return report_close_without_fix(
            report=report, by=by, reason=CloseReason.NOT_POSSIBLE, text="Private land; we cannot work there."
        )
    if status == ReportStatus.DUPLICATE:
        original = make_report(town, contact=False)
        return report_mark_duplicate(report=report, original=original, by=by)
    raise AssertionError(status)


def row(report: Report) -> dict[str, Any]:
    """The report's life-cycle fields and agencies as stored, with its timeline and audit counts."""
    fresh = Report.objects.get(pk=report.pk)
    values = {name: getattr(fresh, name) for name in ROW_FIELDS}
    values["agencies"] = sorted(fresh.agencies.values_list("pk", flat=True))
    values["updates"] = ReportUpdate.objects.filter(report=fresh).count()
    values["audit"] = AuditEvent.objects.count()
    return values


def audit_of(report: Report, action: str | None = None) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(object_id=str(report.pk), content_type__model="report")
    if action is not None:
        events = events.filter(action=action)
    return list(events.order_by("occurred_at", "id"))


# --- fixtures and small helpers ----------------------------------------------------------------
pytestmark = pytest.mark.django_db

LABELS = {status.value: str(status.label).lower() for status in ReportStatus}


@pytest.fixture
def clock():
    clock, patch = patched_clock()
    with patch:
        yield clock


@pytest.fixture
def town(clock):
    return make_town()


def _refused(report: Report, call: Callable[[], object], message: str) -> None:
    """`call` raises ReportsError with exactly `message` and changes nothing."""
    before = row(report)
    with pytest.raises(ReportsError) as error:
        call()
    assert str(error.value) == message
    assert row(report) == before


def _cannot(report: Report, doing: str) -> str:
    return f"Report {report.reference} is {LABELS[report.status]}, so it cannot be {doing}."


def _last_update(report: Report) -> ReportUpdate:
    return ReportUpdate.objects.filter(report=report).order_by("-created_at", "-pk").first()


def _update_fields(update: ReportUpdate) -> dict[str, Any]:
    return {
        "kind": update.kind,
        "status": update.status,
        "text": update.text,
        "is_internal": update.is_internal,
        "agency": update.agency,
        "by": update.by,
        "from_agency": update.from_agency,
        "to_agency": update.to_agency,
        "created_at": update.created_at,
    }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- confirm -------------------------------------------------------------------------------------
def test_report_confirm_unverified_becomes_submitted_and_clock_starts_now(town, clock):
    report = make_report(
        town,
        status=ReportStatus.UNVERIFIED,
        submitted_at=T0 - dt.timedelta(days=3),
        acknowledge_due_at=T0 - dt.timedelta(days=2),
        resolve_due_at=T0 + dt.timedelta(days=1),
    )

    report_confirm(report=report)

    report.refresh_from_db()
    acknowledge_due = town.category.acknowledge_due(T0)
    resolve_due = town.category.resolve_due(T0)
    assert (report.status, report.acknowledge_due_at, report.resolve_due_at) == (
        ReportStatus.SUBMITTED,
        acknowledge_due,
        resolve_due,
    )
    assert _update_fields(_last_update(report)) == {
        "kind": UpdateKind.CONFIRMED,
        "status": ReportStatus.SUBMITTED,
        "text": "",
        "is_internal": False,
        "agency": None,
        "by": None,
        "from_agency": None,
        "to_agency": None,
        "created_at": T0,
    }
    [event] = audit_of(report)
    assert (event.action, event.actor, event.channel) == ("report.confirm", None, Channel.WEB)
    assert event.before == {
        "status": "unverified",
        "acknowledge_due_at": _iso(T0 - dt.timedelta(days=2)),
        "resolve_due_at": _iso(T0 + dt.timedelta(days=1)),
    }
    assert event.after == {
        "status": "submitted",
        "acknowledge_due_at": _iso(acknowledge_due),
        "resolve_due_at": _iso(resolve_due),
    }


def test_report_confirm_never_moves_due_times_earlier(town):
    late_ack, late_resolve = T0 + dt.timedelta(days=30), T0 + dt.timedelta(days=60)
    report = make_report(town, status=ReportStatus.UNVERIFIED, acknowledge_due_at=late_ack, resolve_due_at=late_resolve)

    report_confirm(report=report)

    report.refresh_from_db()
    assert (report.status, report.acknowledge_due_at, report.resolve_due_at) == (
        ReportStatus.SUBMITTED,
        late_ack,
        late_resolve,
    )


def test_report_confirm_twice_changes_nothing_the_second_time(town):
    report = make_report(town, status=ReportStatus.UNVERIFIED)
    report_confirm(report=report)
    before = row(report)

    report_confirm(report=report)

    assert row(report) == before


# --- acknowledge ------------------------------------------------------------------------------
def test_report_acknowledge_records_agency_and_time(town, clock):
    report = make_report(town)

    report_acknowledge(report=report, by=town.staff, text="We will look at it this week.")

    report.refresh_from_db()
    assert (report.status, report.acknowledged_at) == (ReportStatus.ACKNOWLEDGED, T0)
    assert _update_fields(_last_update(report)) == {
        "kind": UpdateKind.ACKNOWLEDGED,
        "status": ReportStatus.ACKNOWLEDGED,
        "text": "We will look at it this week.",
        "is_internal": False,
        "agency": town.works,
        "by": town.staff,
        "from_agency": None,
        "to_agency": None,
        "created_at": T0,
    }
    [event] = audit_of(report)
    assert (event.action, event.actor, event.actor_agency) == ("report.acknowledge", town.staff, town.works)
    assert (event.before, event.after) == (
        {"status": "submitted", "acknowledged_at": None},
        {"status": "acknowledged", "acknowledged_at": _iso(T0)},
    )


def test_report_acknowledge_by_staff_of_a_routed_agency_acts_for_that_agency(town):
    report = make_report(town)
    report.agencies.add(town.water)

    report_acknowledge(report=report, by=town.water_staff)

    assert _last_update(report).agency == town.water
    assert audit_of(report)[0].actor_agency == town.water


def test_report_acknowledge_by_supervisor_names_no_agency_on_the_timeline(town):
    report = make_report(town)

    report_acknowledge(report=report, by=town.supervisor)

    assert (_last_update(report).agency, _last_update(report).by) == (None, town.supervisor)
    assert audit_of(report)[0].actor_agency == town.works  # the owner, for the agency's own trail


@pytest.mark.parametrize("status", sorted(set(ReportStatus.values) - {ReportStatus.SUBMITTED}))
def test_report_acknowledge_refused_unless_submitted(town, status):
    report = bring_to(
        town, make_report(town, status=status if status == ReportStatus.UNVERIFIED else "submitted"), status
    )

    _refused(report, lambda: report_acknowledge(report=report, by=town.staff), _cannot(report, "acknowledged"))


def test_report_acknowledge_refuses_too_long_text(town):
    report = make_report(town)

    _refused(
        report,
        lambda: report_acknowledge(report=report, by=town.staff, text="x" * 5001),
        "The text is 5001 characters long; at most 5000 are allowed.",
    )


# --- in progress / action scheduled ----------------------------------------------------------------
def test_report_status_set_in_progress_acknowledges_a_submitted_report(town, clock):
    report = make_report(town)

    report_status_set(report=report, by=town.staff, status=ReportStatus.IN_PROGRESS, text="Crew on the way.")

    report.refresh_from_db()
    assert (report.status, report.acknowledged_at) == (ReportStatus.IN_PROGRESS, T0)
    update = _last_update(report)
    assert (update.kind, update.status, update.text, update.agency, update.is_internal) == (
        UpdateKind.STATUS,
        ReportStatus.IN_PROGRESS,
        "Crew on the way.",
        town.works,
        False,
    )
    [event] = audit_of(report)
    assert (event.action, event.before, event.after) == (
        "report.status",
        {"status": "submitted", "acknowledged_at": None},
        {"status": "in_progress", "acknowledged_at": _iso(T0)},
    )


def test_report_status_set_keeps_the_first_acknowledgement_time(town, clock):
    report = bring_to(town, make_report(town), ReportStatus.ACKNOWLEDGED)
    clock.advance(hours=2)

    report_status_set(report=report, by=town.staff, status=ReportStatus.ACTION_SCHEDULED)

    report.refresh_from_db()
    assert (report.status, report.acknowledged_at) == (ReportStatus.ACTION_SCHEDULED, T0)
    assert audit_of(report, "report.status")[0].after == {"status": "action_scheduled"}


@pytest.mark.parametrize("status", [ReportStatus.IN_PROGRESS, ReportStatus.ACTION_SCHEDULED])
def test_report_status_set_refuses_the_same_status_again(town, status):
    report = bring_to(town, make_report(town), status)

    _refused(
        report,
        lambda: report_status_set(report=report, by=town.staff, status=status),
        _cannot(report, f"set to {LABELS[status]}"),
    )


@pytest.mark.parametrize(
    "status", [ReportStatus.UNVERIFIED, ReportStatus.FIXED, ReportStatus.CLOSED_WITHOUT_FIX, ReportStatus.DUPLICATE]
)
def test_report_status_set_refused_on_unverified_and_closed_reports(town, status):
    report = bring_to(
        town, make_report(town, status=status if status == ReportStatus.UNVERIFIED else "submitted"), status
    )

    _refused(
        report,
        lambda: report_status_set(report=report, by=town.staff, status=ReportStatus.IN_PROGRESS),
        _cannot(report, "set to in progress"),
    )


@pytest.mark.parametrize("status", ["fixed", "acknowledged", "closed_without_fix", "nonsense"])
def test_report_status_set_refuses_statuses_with_their_own_action(town, status):
    report = make_report(town)

    _refused(
        report,
        lambda: report_status_set(report=report, by=town.staff, status=status),
        f"Choose in progress or action scheduled; {status} is set by its own action.",
    )


# --- fix and close without fix -------------------------------------------------------------------------
def test_report_fix_closes_as_fixed(town, clock):
    report = bring_to(town, make_report(town), ReportStatus.IN_PROGRESS)
    clock.advance(hours=3)

    report_fix(report=report, by=town.staff, text="Patched the hole.")

    report.refresh_from_db()
    fixed_at = T0 + dt.timedelta(hours=3)
    assert (report.status, report.fixed_at, report.closed_at, report.close_reason, report.acknowledged_at) == (
        ReportStatus.FIXED,
        fixed_at,
        fixed_at,
        "",
        T0,
    )
    update = _last_update(report)
    assert (update.kind, update.status, update.text, update.agency, update.by) == (
        UpdateKind.FIXED,
        ReportStatus.FIXED,
        "Patched the hole.",
        town.works,
        town.staff,
    )
    [event] = audit_of(report, "report.fix")
    assert event.after == {
        "status": "fixed",
        "fixed_at": _iso(fixed_at),
        "closed_at": _iso(fixed_at),
        "close_reason": "",
    }


@pytest.mark.parametrize(
    "status", [ReportStatus.UNVERIFIED, ReportStatus.FIXED, ReportStatus.CLOSED_WITHOUT_FIX, ReportStatus.DUPLICATE]
)
def test_report_fix_refused_unless_open(town, status):
    report = bring_to(
        town, make_report(town, status=status if status == ReportStatus.UNVERIFIED else "submitted"), status
    )

    _refused(report, lambda: report_fix(report=report, by=town.staff), _cannot(report, "marked fixed"))


def test_report_close_without_fix_keeps_reason_and_never_sets_fixed_at(town, clock):
    report = bring_to(town, make_report(town), ReportStatus.ACKNOWLEDGED)

    report_close_without_fix(
        report=report, by=town.staff, reason=CloseReason.NOT_POSSIBLE, text="The wall belongs to the railway."
    )

    report.refresh_from_db()
    assert (report.status, report.fixed_at, report.closed_at, report.close_reason) == (
        ReportStatus.CLOSED_WITHOUT_FIX,
        None,
        T0,
        CloseReason.NOT_POSSIBLE,
    )
    update = _last_update(report)
    assert (update.kind, update.status, update.text, update.agency) == (
        UpdateKind.CLOSED,
        ReportStatus.CLOSED_WITHOUT_FIX,
        "The wall belongs to the railway.",
        town.works,
    )
    [event] = audit_of(report, "report.close")
    assert event.after == {
        "status": "closed_without_fix",
        "fixed_at": None,
        "closed_at": _iso(T0),
        "close_reason": "not_possible",
    }


def test_report_close_without_fix_requires_a_known_reason(town):
    report = make_report(town)

    _refused(
        report,
        lambda: report_close_without_fix(report=report, by=town.staff, reason="bored", text="No."),
        "Choose why it is closed without a fix: Not possible to fix, No further action.",
    )


@pytest.mark.parametrize("text", ["", "   \n"])
def test_report_close_without_fix_requires_an_explanation(town, text):
    report = make_report(town)

    _refused(
        report,
        lambda: report_close_without_fix(report=report, by=town.staff, reason=CloseReason.NO_FURTHER_ACTION, text=text),
        "Explain to the reporter why nothing more will be done.",
    )


@pytest.mark.parametrize(
    "status", [ReportStatus.UNVERIFIED, ReportStatus.FIXED, ReportStatus.CLOSED_WITHOUT_FIX, ReportStatus.DUPLICATE]
)
def test_report_close_without_fix_refused_unless_open(town, status):
    report = bring_to(
        town, make_report(town, status=status if status == ReportStatus.UNVERIFIED else "submitted"), status
    )

    _refused(
        report,
        lambda: report_close_without_fix(
            report=report, by=town.staff, reason=CloseReason.NO_FURTHER_ACTION, text="Nothing to do."
        ),
        _cannot(report, "closed"),
    )


# --- duplicates -----------------------------------------------------------------------------------
def test_report_mark_duplicate_merges_into_the_original(town, clock):
    original = make_report(town, contact=False)
    report = make_report(town)

    report_mark_duplicate(report=report, original=original, by=town.staff)

    report.refresh_from_db()
    original.refresh_from_db()
    assert (report.status, report.duplicate_of, report.closed_at, report.fixed_at) == (
        ReportStatus.DUPLICATE,
        original,
        T0,
        None,
    )
    assert original.supporter_count == 1
    update = _last_update(report)
    assert (update.kind, update.status, update.text, update.agency, update.is_internal) == (
        UpdateKind.DUPLICATE,
        ReportStatus.DUPLICATE,
        f"This is the same problem as report {original.reference}; follow that report for progress.",
        town.works,
        False,
    )
    merged = _last_update(original)
    assert (merged.kind, merged.status, merged.text, merged.is_internal) == (
        UpdateKind.MERGED,
        ReportStatus.SUBMITTED,
        f"Report {report.reference}, about the same problem, was merged into this one.",
        False,
    )
    assert [(e.before, e.after) for e in audit_of(report, "report.duplicate")] == [
        (
            {"status": "submitted", "duplicate_of": None, "closed_at": None, "fixed_at": None},
            {"status": "duplicate", "duplicate_of": original.pk, "closed_at": _iso(T0), "fixed_at": None},
        )
    ]
    assert [(e.before, e.after) for e in audit_of(original, "report.merge")] == [
        ({"supporter_count": 0}, {"supporter_count": 1})
    ]
    subscription = Subscription.objects.get(report=original)
    assert (subscription.email, subscription.user, subscription.is_supporter, subscription.confirmed_at) == (
        CONTACT["email"],
        None,
        True,
        T0,
    )


def test_report_mark_duplicate_subscribes_the_account_email_without_contact(town):
    original = make_report(town, contact=False)
    report = make_report(town, contact=False, reporter=town.reporter)

    report_mark_duplicate(report=report, original=original, by=town.staff)

    assert list(Subscription.objects.filter(report=original).values_list("email", "user")) == [
        ("rosa.account@example.net", town.reporter.pk)
    ]


def test_report_mark_duplicate_without_any_address_still_counts_the_reporter(town):
    original = make_report(town, contact=False)
    report = make_report(town, contact=False)

    report_mark_duplicate(report=report, original=original, by=town.staff)

    original.refresh_from_db()
    assert (original.supporter_count, Subscription.objects.count()) == (1, 0)


def test_report_mark_duplicate_points_at_the_first_original(town):
    first = make_report(town, contact=False)
    second = make_report(town, contact=False)
    report_mark_duplicate(report=second, original=first, by=town.staff)
    report = make_report(town)

    report_mark_duplicate(report=report, original=second, by=town.staff)

    report.refresh_from_db()
    first.refresh_from_db()
    assert report.duplicate_of == first
    assert first.supporter_count == 2
    assert list(Subscription.objects.values_list("report", flat=True)) == [first.pk]


def test_report_mark_duplicate_follows_the_chain_in_the_database_not_a_stale_copy(town):
    first = make_report(town, contact=False)
    second = make_report(town, contact=False)
    stale_second = Report.objects.get(pk=second.pk)
    report_mark_duplicate(report=second, original=first, by=town.staff)
    report = make_report(town)

    report_mark_duplicate(report=report, original=stale_second, by=town.staff)

    report.refresh_from_db()
    assert report.duplicate_of == first


def test_report_mark_duplicate_moves_earlier_duplicates_to_the_new_original(town):
    report = make_report(town, contact=False)
    earlier = make_report(town, contact=False)
    report_mark_duplicate(report=earlier, original=report, by=town.staff)
    original = make_report(town, contact=False)

    report_mark_duplicate(report=report, original=original, by=town.staff)

    earlier.refresh_from_db()
    assert earlier.duplicate_of == original
    assert not Report.objects.filter(duplicate_of__status=ReportStatus.DUPLICATE).exists()
    assert [(e.before, e.after) for e in audit_of(earlier, "report.duplicate")][-1] == (
        {"duplicate_of": report.pk},
        {"duplicate_of": original.pk},
    )


def test_report_mark_duplicate_then_me_too_counts_the_reporter_once(town):
    original = make_report(town, contact=False)
    report = make_report(town)
    report_mark_duplicate(report=report, original=original, by=town.staff)

    report_support(report=original, email=CONTACT["email"].upper())

    original.refresh_from_db()
    assert original.supporter_count == 1


def test_report_mark_duplicate_of_a_supporter_counts_them_once(town):
    original = make_report(town, contact=False)
    subscription_confirm(subscription=report_support(report=original, email=CONTACT["email"]))
    report = make_report(town)

    report_mark_duplicate(report=report, original=original, by=town.staff)

    original.refresh_from_db()
    assert original.supporter_count == 1
    assert Subscription.objects.get(report=original).is_supporter


def test_report_mark_duplicate_of_a_follower_makes_them_a_supporter(town):
    original = make_report(town, contact=False)
    Subscription.objects.create(jurisdiction=town.j, email=CONTACT["email"], report=original, confirmed_at=T0)
    report = make_report(town)

    report_mark_duplicate(report=report, original=original, by=town.staff)

    original.refresh_from_db()
    assert (original.supporter_count, Subscription.objects.get(report=original).is_supporter) == (1, True)


def test_report_mark_duplicate_of_an_unconfirmed_follower_counts_them_when_confirmed(town):
    original = make_report(town, contact=False)
    follower = Subscription.objects.create(jurisdiction=town.j, email=CONTACT["email"], report=original)
    report = make_report(town)

    report_mark_duplicate(report=report, original=original, by=town.staff)
    original.refresh_from_db()
    assert original.supporter_count == 0
    subscription_confirm(subscription=Subscription.objects.get(pk=follower.pk))

    original.refresh_from_db()
    assert original.supporter_count == 1


def test_report_mark_duplicate_keeps_a_confidential_reference_off_the_public_timeline(town):
    original = make_report(town, contact=False)
    report = make_report(town, visibility=ReporterVisibility.CONFIDENTIAL)

    report_mark_duplicate(report=report, original=original, by=town.staff)

    public_texts = list(original.updates.filter(is_internal=False).values_list("text", flat=True))
    assert all(report.reference not in text for text in public_texts)
    merged = original.updates.get(kind=UpdateKind.MERGED)
    assert merged.is_internal


def test_report_mark_duplicate_keeps_a_sensitive_reference_off_the_public_timeline(town):
    original = make_report(town, contact=False)
    sensitive = CategoryFactory(jurisdiction=town.j, privacy=PrivacyClass.SENSITIVE)
    report = make_report(town, category=sensitive)

    report_mark_duplicate(report=report, original=original, by=town.staff)

    assert original.updates.get(kind=UpdateKind.MERGED).is_internal


@pytest.mark.parametrize("what", ["confidential", "sensitive"])
def test_report_mark_duplicate_refuses_an_original_that_is_not_public(town, what):
    if what == "confidential":
        original = make_report(town, contact=False, visibility=ReporterVisibility.CONFIDENTIAL)
    else:
        original = make_report(
            town, contact=False, category=CategoryFactory(jurisdiction=town.j, privacy=PrivacyClass.SENSITIVE)
        )
    report = make_report(town)

    _refused(
        report,
        lambda: report_mark_duplicate(report=report, original=original, by=town.staff),
        f"Report {original.reference} is not public, so no other report can be merged into it.",
    )
    assert row(original)["updates"] == 0


def test_report_mark_duplicate_refuses_itself(town):
    report = make_report(town)

    _refused(
        report,
        lambda: report_mark_duplicate(report=report, original=report, by=town.staff),
        "A report cannot be a duplicate of itself.",
    )


def test_report_mark_duplicate_refuses_its_own_duplicate_as_original(town):
    report = make_report(town)
    copy = make_report(town, contact=False)
    report_mark_duplicate(report=copy, original=report, by=town.staff)

    _refused(
        report,
        lambda: report_mark_duplicate(report=report, original=copy, by=town.staff),
        "A report cannot be a duplicate of itself.",
    )


def test_report_mark_duplicate_refuses_another_jurisdiction(town):
    report = make_report(town)
    elsewhere = ReportFactory(category=CategoryFactory())

    _refused(
        report,
        lambda: report_mark_duplicate(report=report, original=elsewhere, by=town.staff),
        "The original report must be in the same jurisdiction.",
    )


@pytest.mark.parametrize("status", [ReportStatus.FIXED, ReportStatus.CLOSED_WITHOUT_FIX, ReportStatus.DUPLICATE])
def test_report_mark_duplicate_refused_on_closed_reports(town, status):
    report = bring_to(town, make_report(town), status)
    original = make_report(town, contact=False)

    _refused(
        report,
        lambda: report_mark_duplicate(report=report, original=original, by=town.staff),
        _cannot(report, "marked as a duplicate"),
    )


def test_report_mark_duplicate_accepts_an_unverified_report(town):
    report = make_report(town, status=ReportStatus.UNVERIFIED)
    original = make_report(town, contact=False)

    report_mark_duplicate(report=report, original=original, by=town.staff)

    report.refresh_from_db()
    assert (report.status, report.duplicate_of) == (ReportStatus.DUPLICATE, original)


# --- reopen ---------------------------------------------------------------------------------------------
def test_report_reopen_by_reporter_inside_the_window(town, clock, settings):
    settings.CIVICLOOP_REOPEN_WINDOW_DAYS = 28
    report = bring_to(town, make_report(town), ReportStatus.FIXED)
    clock.advance(days=28)

    report_reopen(report=report)

    report.refresh_from_db()
    now = clock.now
    resolve_due = town.category.resolve_due(now)
    assert (
        report.status,
        report.fixed_at,
        report.closed_at,
        report.close_reason,
        report.reopened_count,
        report.resolve_due_at,
    ) == (ReportStatus.ACKNOWLEDGED, None, None, "", 1, resolve_due)
    assert _update_fields(_last_update(report)) == {
        "kind": UpdateKind.REOPENED,
        "status": ReportStatus.ACKNOWLEDGED,
        "text": "The reporter says it is not fixed.",
        "is_internal": False,
        "agency": None,
        "by": None,
        "from_agency": None,
        "to_agency": None,
        "created_at": now,
    }
    [event] = audit_of(report, "report.reopen")
    assert (event.actor, event.actor_agency) == (None, town.works)
    assert event.after == {
        "status": "acknowledged",
        "fixed_at": None,
        "closed_at": None,
        "close_reason": "",
        "reopened_count": 1,
        "resolve_due_at": _iso(resolve_due),
        "escalation_level": 0,
        "escalated_at": None,
    }


def test_report_reopen_by_reporter_outside_the_window_is_refused(town, clock, settings):
    settings.CIVICLOOP_REOPEN_WINDOW_DAYS = 28
    report = bring_to(town, make_report(town, reporter=town.reporter), ReportStatus.CLOSED_WITHOUT_FIX)
    clock.advance(days=28, seconds=1)
    message = (
        f"Report {report.reference} was closed more than 28 days ago, so it can no longer be reopened. "
        "Please file a new report."
    )

    _refused(report, lambda: report_reopen(report=report), message)
    _refused(report, lambda: report_reopen(report=report, by=town.reporter), message)


def test_report_reopen_by_staff_outside_the_window(town, clock, settings):
    settings.CIVICLOOP_REOPEN_WINDOW_DAYS = 28
    report = bring_to(town, make_report(town), ReportStatus.CLOSED_WITHOUT_FIX)
    clock.advance(days=100)

    report_reopen(report=report, by=town.colleague, text="The railway asked us to do it after all.")

    report.refresh_from_db()
    assert (report.status, report.close_reason, report.reopened_count) == (ReportStatus.ACKNOWLEDGED, "", 1)
    update = _last_update(report)
    assert (update.kind, update.text, update.agency, update.by) == (
        UpdateKind.REOPENED,
        "The railway asked us to do it after all.",
        town.works,
        town.colleague,
    )
    assert audit_of(report, "report.reopen")[0].actor == town.colleague


def test_report_reopen_never_gives_an_earlier_resolution_target(town, clock):
    late = T0 + dt.timedelta(days=90)
    report = bring_to(town, make_report(town, resolve_due_at=late), ReportStatus.FIXED)

    report_reopen(report=report, by=town.staff)

    report.refresh_from_db()
    assert report.resolve_due_at == late


def test_report_reopen_by_anonymous_reporter_records_no_actor(town):
    report = bring_to(
        town, make_report(town, reporter=town.reporter, visibility=ReporterVisibility.ANONYMOUS), ReportStatus.FIXED
    )

    report_reopen(report=report, by=town.reporter)

    [event] = audit_of(report, "report.reopen")
    assert (event.actor, _last_update(report).by) == (None, None)


@pytest.mark.parametrize(
    "status", sorted(set(ReportStatus.values) - {ReportStatus.FIXED, ReportStatus.CLOSED_WITHOUT_FIX})
)
def test_report_reopen_refused_unless_fixed_or_closed_without_fix(town, status):
    report = bring_to(
        town, make_report(town, status=status if status == ReportStatus.UNVERIFIED else "submitted"), status
    )

    _refused(report, lambda: report_reopen(report=report, by=town.staff), _cannot(report, "reopened"))


# --- transfer ---------------------------------------------------------------------------------------------
def test_report_transfer_hands_the_report_on(town, clock):
    report = make_report(town)
    report_assign(report=report, to=town.colleague, by=town.staff)

    report_transfer(report=report, to_agency=town.water, by=town.staff, reason="Water main, not the road.")

    report.refresh_from_db()
    assert (report.owner, report.in_triage, report.assigned_to, report.transferred_count) == (
        town.water,
        False,
        None,
        1,
    )
    assert list(report.agencies.all()) == [town.water]
    assert _update_fields(_last_update(report)) == {
        "kind": UpdateKind.TRANSFERRED,
        "status": ReportStatus.SUBMITTED,
        "text": "Water main, not the road.",
        "is_internal": False,
        "agency": town.works,
        "by": town.staff,
        "from_agency": town.works,
        "to_agency": town.water,
        "created_at": T0,
    }
    [event] = audit_of(report, "report.transfer")
    assert (event.actor, event.actor_agency) == (town.staff, town.works)
    assert event.before == {
        "owner": town.works.pk,
        "in_triage": False,
        "agencies": [town.works.pk],
        "assigned_to": town.colleague.pk,
        "transferred_count": 0,
        "escalation_level": 0,
        "escalated_at": None,
    }
    assert event.after == {
        "owner": town.water.pk,
        "in_triage": False,
        "agencies": [town.water.pk],
        "assigned_to": None,
        "transferred_count": 1,
        "escalation_level": 0,
        "escalated_at": None,
    }


def test_report_transfer_keeps_the_other_routed_agencies(town):
    report = make_report(town)
    report.agencies.add(town.parks)

    report_transfer(report=report, to_agency=town.water, by=town.staff, reason="Theirs.")

    assert sorted(report.agencies.values_list("pk", flat=True)) == sorted([town.water.pk, town.parks.pk])


def test_report_transfer_not_ours_names_the_responsible_agency(town):
    report = make_report(town)

    report_transfer(report=report, to_agency=town.water, by=town.staff, reason="It is a burst pipe.", not_ours=True)

    assert _last_update(report).text == "Not our responsibility: Water Board is responsible. It is a burst pipe."


@pytest.mark.parametrize("reason", ["", "  "])
def test_report_transfer_requires_a_reason(town, reason):
    report = make_report(town)

    _refused(
        report,
        lambda: report_transfer(report=report, to_agency=town.water, by=town.staff, reason=reason),
        "Say why the report goes to Water Board; the reporter will read it.",
    )


def test_report_transfer_refuses_an_agency_of_another_jurisdiction(town):
    report = make_report(town)
    elsewhere = AgencyFactory(name="Other Town Works")

    _refused(
        report,
        lambda: report_transfer(report=report, to_agency=elsewhere, by=town.staff, reason="Theirs."),
        "Other Town Works is not an agency of Villa Prueba.",
    )


def test_report_transfer_refuses_the_same_agency(town):
    report = make_report(town)

    _refused(
        report,
        lambda: report_transfer(report=report, to_agency=town.works, by=town.staff, reason="Ours."),
        f"Report {report.reference} is already with Public Works.",
    )


def test_report_transfer_refuses_an_inactive_agency(town):
    report = make_report(town)
    town.water.is_active = False
    town.water.save(update_fields=["is_active"])

    _refused(
        report,
        lambda: report_transfer(report=report, to_agency=town.water, by=town.staff, reason="Theirs."),
        "Water Board no longer takes reports; choose another agency.",
    )


def test_report_transfer_out_of_triage_is_not_counted(town):
    report = make_report(town, owner=None)

    report_transfer(report=report, to_agency=town.parks, by=town.supervisor, reason="A fallen tree in the park.")

    report.refresh_from_db()
    assert (report.owner, report.in_triage, report.transferred_count) == (town.parks, False, 0)
    assert list(report.agencies.all()) == [town.parks]
    update = _last_update(report)
    assert (update.agency, update.from_agency, update.to_agency, update.by) == (
        None,
        None,
        town.parks,
        town.supervisor,
    )


@pytest.mark.parametrize("status", [ReportStatus.FIXED, ReportStatus.CLOSED_WITHOUT_FIX, ReportStatus.DUPLICATE])
def test_report_transfer_refused_on_closed_reports(town, status):
    report = bring_to(town, make_report(town), status)

    _refused(
        report,
        lambda: report_transfer(report=report, to_agency=town.water, by=town.staff, reason="Theirs."),
        _cannot(report, "transferred"),
    )


# --- assign -----------------------------------------------------------------------------------------------
def test_report_assign_to_a_member_of_the_owner_is_internal(town):
    report = make_report(town)

    report_assign(report=report, to=town.colleague, by=town.manager)

    report.refresh_from_db()
    assert report.assigned_to == town.colleague
    update = _last_update(report)
    assert (update.kind, update.text, update.is_internal, update.agency, update.by) == (
        UpdateKind.ASSIGNED,
        "Assigned to Beto Colleague.",
        True,
        town.works,
        town.manager,
    )
    [event] = audit_of(report, "report.assign")
    assert (event.before, event.after) == ({"assigned_to": None}, {"assigned_to": town.colleague.pk})


def test_report_assign_to_nobody_and_twice_to_the_same_person(town):
    report = make_report(town)
    report_assign(report=report, to=town.colleague, by=town.manager)
    before = row(report)

    report_assign(report=report, to=town.colleague, by=town.manager)
    assert row(report) == before
    report_assign(report=report, to=None, by=town.manager)

    report.refresh_from_db()
    assert report.assigned_to is None
    assert _last_update(report).text == "No longer assigned."


def test_report_assign_refuses_someone_outside_the_owner(town):
    report = make_report(town)
    report.agencies.add(town.water)

    _refused(
        report,
        lambda: report_assign(report=report, to=town.water_staff, by=town.manager),
        "Dario Water does not work for Public Works; assign the report to one of its staff.",
    )
    _refused(
        report,
        lambda: report_assign(report=report, to=town.supervisor, by=town.manager),
        "Fidel Supervisor does not work for Public Works; assign the report to one of its staff.",
    )


def test_report_assign_refused_in_triage(town):
    report = make_report(town, owner=None)

    _refused(
        report,
        lambda: report_assign(report=report, to=town.staff, by=town.supervisor),
        "A report in the triage queue is first given to an agency, then to a person.",
    )


def test_report_assign_refused_on_closed_reports(town):
    report = bring_to(town, make_report(town), ReportStatus.FIXED)

    _refused(
        report, lambda: report_assign(report=report, to=town.colleague, by=town.staff), _cannot(report, "assigned")
    )


# --- comments ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("internal", "kind", "action"),
    [(False, UpdateKind.COMMENT, "report.comment"), (True, UpdateKind.NOTE, "report.note")],
)
def test_report_comment_public_message_or_internal_note(town, internal, kind, action):
    report = make_report(town)
    before = row(report)

    update = report_comment(report=report, by=town.staff, text="  Checked on site.  ", internal=internal)

    assert (update.kind, update.text, update.is_internal, update.agency, update.status) == (
        kind,
        "Checked on site.",
        internal,
        town.works,
        ReportStatus.SUBMITTED,
    )
    [event] = audit_of(report, action)
    assert event.after == {"update": update.pk, "internal": internal}
    after = row(report)
    assert (after["updates"], after["audit"]) == (before["updates"] + 1, before["audit"] + 1)


def test_report_comment_requires_text(town):
    report = make_report(town)

    _refused(
        report,
        lambda: report_comment(report=report, by=town.staff, text=" ", internal=False),
        "Write the message or note.",
    )


# --- feedback ----------------------------------------------------------------------------------------
def test_report_feedback_fixed_stores_the_rating(town, clock):
    report = bring_to(town, make_report(town), ReportStatus.FIXED)

    feedback = report_feedback_submit(report=report, fixed=True, rating=4, comment="Quick work, thanks.")

    report.refresh_from_db()
    assert (report.status, report.rating) == (ReportStatus.FIXED, 4)
    assert (feedback.fixed, feedback.rating, feedback.comment, feedback.status_when_asked) == (
        True,
        4,
        "Quick work, thanks.",
        ReportStatus.FIXED,
    )
    update = _last_update(report)
    assert (update.kind, update.text, update.by, update.agency) == (
        UpdateKind.FEEDBACK,
        "The reporter says it was fixed.",
        None,
        None,
    )
    [event] = audit_of(report, "report.rate")
    assert (event.actor, event.before, event.after) == (None, {"rating": None}, {"rating": 4})
    assert "Quick work" not in str(event.after)


def test_report_feedback_without_rating_keeps_the_previous_rating(town):
    report = bring_to(town, make_report(town), ReportStatus.FIXED)
    report_feedback_submit(report=report, fixed=True, rating=2)

    report_feedback_submit(report=report, fixed=True, rating=None)

    report.refresh_from_db()
    assert report.rating == 2
    assert audit_of(report, "report.rate")[-1].after == {"fixed": True}


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_report_feedback_refuses_ratings_out_of_range(town, rating):
    report = bring_to(town, make_report(town), ReportStatus.FIXED)
    feedback_count = ReportFeedback.objects.count()

    _refused(
        report,
        lambda: report_feedback_submit(report=report, fixed=True, rating=rating),
        "Choose a satisfaction from 1 to 5.",
    )
    assert ReportFeedback.objects.count() == feedback_count


def test_report_feedback_not_fixed_inside_the_window_reopens(town, clock, settings):
    settings.CIVICLOOP_REOPEN_WINDOW_DAYS = 28
    report = bring_to(town, make_report(town), ReportStatus.FIXED)
    clock.advance(days=3)

    report_feedback_submit(report=report, fixed=False, rating=1)

    report.refresh_from_db()
    assert (report.status, report.reopened_count, report.rating, report.fixed_at) == (
        ReportStatus.ACKNOWLEDGED,
        1,
        1,
        None,
    )
    assert list(report.updates.order_by("created_at", "pk").values_list("kind", "status"))[-2:] == [
        (UpdateKind.FEEDBACK, ReportStatus.FIXED),
        (UpdateKind.REOPENED, ReportStatus.ACKNOWLEDGED),
    ]


def test_report_feedback_not_fixed_outside_the_window_is_kept(town, clock, settings):
    settings.CIVICLOOP_REOPEN_WINDOW_DAYS = 28
    report = bring_to(town, make_report(town), ReportStatus.CLOSED_WITHOUT_FIX)
    clock.advance(days=29)

    feedback = report_feedback_submit(report=report, fixed=False, rating=2, comment="Still broken.")

    report.refresh_from_db()
    assert (report.status, report.reopened_count, report.rating) == (ReportStatus.CLOSED_WITHOUT_FIX, 0, 2)
    assert list(ReportFeedback.objects.values_list("pk", "fixed")) == [(feedback.pk, False)]


@pytest.mark.parametrize(
    "status", sorted(set(ReportStatus.values) - {ReportStatus.FIXED, ReportStatus.CLOSED_WITHOUT_FIX})
)
def test_report_feedback_refused_unless_fixed_or_closed_without_fix(town, status):
    report = bring_to(
        town, make_report(town, status=status if status == ReportStatus.UNVERIFIED else "submitted"), status
    )

    _refused(report, lambda: report_feedback_submit(report=report, fixed=True, rating=5), _cannot(report, "rated"))


# --- me too --------------------------------------------------------------------------------------------
def test_report_support_counts_each_address_once_when_confirmed(town, clock):
    report = make_report(town)

    first = report_support(report=report, email="Maria@Example.org")
    report.refresh_from_db()
    assert (first.email, first.is_supporter, first.confirmed_at, first.user) == ("maria@example.org", True, None, None)
    assert report.supporter_count == 0  # typed addresses count only once proven
    subscription_confirm(subscription=first)
    again = report_support(report=report, email=" maria@example.org ")
    subscription_confirm(subscription=again)

    report.refresh_from_db()
    assert report.supporter_count == 1
    assert first.pk == again.pk
    assert [(e.before, e.after, e.actor) for e in audit_of(report, "report.support")] == [
        ({"supporter_count": 0}, {"supporter_count": 1}, None),
    ]


def test_report_support_sends_a_confirmation_after_commit(town, mailoutbox, django_capture_on_commit_callbacks):
    report = make_report(town)

    with django_capture_on_commit_callbacks(execute=True):
        report_support(report=report, email="maria@example.org")
        assert mailoutbox == []

    assert [m.to for m in mailoutbox] == [["maria@example.org"]]


def test_report_support_signed_in_is_counted_at_once(town, clock):
    report = make_report(town)

    subscription = report_support(report=report, email="ROSA.account@example.net", user=town.reporter)
    report_support(report=report, email="rosa.account@example.net", user=town.reporter)

    report.refresh_from_db()
    assert (subscription.user, subscription.confirmed_at, report.supporter_count) == (town.reporter, T0, 1)
    assert [e.actor for e in audit_of(report, "report.support")] == [town.reporter]


def test_report_support_counts_a_confirmed_follower_who_says_me_too(town):
    report = make_report(town)
    Subscription.objects.create(jurisdiction=town.j, email="maria@example.org", report=report, confirmed_at=T0)

    report_support(report=report, email="maria@example.org")

    report.refresh_from_db()
    assert report.supporter_count == 1


def test_report_support_refuses_a_bad_address(town):
    report = make_report(town)

    _refused(
        report,
        lambda: report_support(report=report, email="not an address"),
        "Give an e-mail address like name@example.org to follow this report.",
    )


def test_report_support_refused_on_unverified_reports(town):
    report = make_report(town, status=ReportStatus.UNVERIFIED)

    _refused(
        report,
        lambda: report_support(report=report, email="maria@example.org"),
        f"Report {report.reference} is unverified, so it cannot be followed.",
    )


def test_report_support_refused_on_closed_reports(town):
    report = bring_to(town, make_report(town), ReportStatus.FIXED)

    _refused(
        report,
        lambda: report_support(report=report, email="maria@example.org"),
        f"Report {report.reference} is closed; file a new report if the problem is back.",
    )


# --- the dispatcher ---------------------------------------------------------------------------------------
def test_report_status_change_dispatches_by_target_status(town):
    report = make_report(town)
    original = make_report(town, contact=False)

    report_status_change(report=report, by=town.staff, status=ReportStatus.ACKNOWLEDGED)
    report_status_change(report=report, by=town.staff, status=ReportStatus.ACKNOWLEDGED, text="Still on it.")
    report_status_change(report=report, by=town.staff, status=ReportStatus.IN_PROGRESS)
    report_status_change(report=report, by=town.staff, status=ReportStatus.CLOSED_WITHOUT_FIX, text="Cannot.")
    report_status_change(report=report, by=town.staff, status=ReportStatus.IN_PROGRESS, text="Trying again.")
    report_status_change(report=report, by=town.staff, status=ReportStatus.DUPLICATE, original=original)

    report.refresh_from_db()
    assert (report.status, report.duplicate_of, report.reopened_count) == (ReportStatus.DUPLICATE, original, 1)
    assert list(report.updates.order_by("created_at", "pk").values_list("kind", "status")) == [
        (UpdateKind.ACKNOWLEDGED, ReportStatus.ACKNOWLEDGED),
        (UpdateKind.COMMENT, ReportStatus.ACKNOWLEDGED),
        (UpdateKind.STATUS, ReportStatus.IN_PROGRESS),
        (UpdateKind.CLOSED, ReportStatus.CLOSED_WITHOUT_FIX),
        (UpdateKind.REOPENED, ReportStatus.ACKNOWLEDGED),
        (UpdateKind.DUPLICATE, ReportStatus.DUPLICATE),
    ]
    assert report.close_reason == ""


def test_report_status_change_refuses_what_has_no_action(town):
    report = make_report(town)

    _refused(
        report,
        lambda: report_status_change(report=report, by=town.staff, status=ReportStatus.DUPLICATE),
        "Name the original report this one duplicates.",
    )
    _refused(
        report,
        lambda: report_status_change(report=report, by=town.staff, status=ReportStatus.UNVERIFIED),
        "A report cannot be set to unverified from submitted.",
    )


# --- across services: notifications, personal data, the audit trail ---------------------------------------
def test_notifications_are_enqueued_only_after_commit(town, mailoutbox, django_capture_on_commit_callbacks):
    report = make_report(town)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report_acknowledge(report=report, by=town.staff, text="Seen.")
        assert mailoutbox == []

    assert callbacks != []
    assert [message.to for message in mailoutbox] == [[CONTACT["email"]]]


def test_internal_changes_notify_nobody(town, mailoutbox, django_capture_on_commit_callbacks):
    report = make_report(town)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report_comment(report=report, by=town.staff, text="Needs a ladder.", internal=True)
        report_assign(report=report, to=town.colleague, by=town.staff)

    assert (callbacks, mailoutbox) == ([], [])


def test_refused_changes_enqueue_nothing(town, django_capture_on_commit_callbacks):
    report = bring_to(town, make_report(town), ReportStatus.FIXED)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ReportsError):
        report_fix(report=report, by=town.staff)

    assert callbacks == []


def _whole_life(town: SimpleNamespace, report: Report, clock: Clock) -> None:
    report_confirm(report=report)
    report_transfer(report=report, to_agency=town.works, by=town.supervisor, reason="Roads.")
    report_acknowledge(report=report, by=town.staff)
    report_assign(report=report, to=town.colleague, by=town.manager)
    report_comment(report=report, by=town.staff, text="Ordered asphalt.", internal=True)
    report_comment(report=report, by=town.staff, text="Work next week.", internal=False)
    report_status_set(report=report, by=town.colleague, status=ReportStatus.ACTION_SCHEDULED)
    report_fix(report=report, by=town.colleague)
    report_feedback_submit(report=report, fixed=False, rating=1, comment="Rosa here: still a hole.")
    report_transfer(report=report, to_agency=town.water, by=town.staff, reason="Burst pipe.", not_ours=True)
    report_close_without_fix(
        report=report, by=town.water_staff, reason=CloseReason.NO_FURTHER_ACTION, text="Pipe is private."
    )
    clock.advance(days=2)
    report_reopen(report=report, by=town.reporter)
    report_escalate_overdue(now=clock.now + dt.timedelta(days=60))
    report_mark_duplicate(report=report, original=make_report(town, contact=False), by=town.water_staff)


@pytest.mark.parametrize("visibility", list(ReporterVisibility))
def test_audit_trail_never_holds_the_reporters_personal_data(town, clock, visibility):
    report = make_report(
        town, owner=None, status=ReportStatus.UNVERIFIED, reporter=town.reporter, visibility=visibility
    )

    _whole_life(town, report, clock)

    events = audit_of(report)
    assert len(events) == 15
    personal = [*CONTACT.values(), town.reporter.email, town.reporter.name]
    for event in AuditEvent.objects.all():
        stored = json.dumps([event.before, event.after, event.object_repr])
        assert not any(value in stored for value in personal), event.action
    if visibility == ReporterVisibility.ANONYMOUS:
        assert not AuditEvent.objects.filter(actor=town.reporter).exists()
    assert not ReportUpdate.objects.filter(by=town.reporter).exists()


def test_timeline_never_names_a_person_publicly(town, clock):
    report = make_report(town, owner=None, status=ReportStatus.UNVERIFIED, reporter=town.reporter)

    _whole_life(town, report, clock)

    people = [town.staff, town.colleague, town.manager, town.water_staff, town.supervisor, town.reporter]
    names = [value for person in people for value in (person.name, person.email)] + list(CONTACT.values())
    public_texts = ReportUpdate.objects.filter(is_internal=False).values_list("text", flat=True)
    assert [text for text in public_texts if any(name in text for name in names)] == []


def test_every_status_change_has_one_audit_event_and_a_timeline_entry(town, clock):
    report = make_report(town, owner=None, status=ReportStatus.UNVERIFIED, reporter=town.reporter)

    _whole_life(town, report, clock)

    status_events = [e for e in audit_of(report) if e.before and "status" in e.before]
    statuses = [e.after["status"] for e in status_events]
    assert statuses == [
        "submitted",
        "acknowledged",
        "action_scheduled",
        "fixed",
        "acknowledged",
        "closed_without_fix",
        "acknowledged",
        "duplicate",
    ]
    timeline = list(
        report.updates.filter(
            kind__in=[
                UpdateKind.CONFIRMED,
                UpdateKind.ACKNOWLEDGED,
                UpdateKind.STATUS,
                UpdateKind.FIXED,
                UpdateKind.CLOSED,
                UpdateKind.REOPENED,
                UpdateKind.DUPLICATE,
            ]
        )
        .order_by("created_at", "pk")
        .values_list("status", flat=True)
    )
    assert timeline == statuses

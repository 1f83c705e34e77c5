"""Who is told about a change to a report, in which language, and with which links."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from civicloop.accounts.enums import Role
from civicloop.reports import tokens
from civicloop.reports.enums import CloseReason, PrivacyClass, ReporterVisibility, ReportStatus, UpdateKind
from civicloop.reports.models import ReportContact, ReportUpdate, Subscription
from civicloop.reports.notifications import report_new_notify, update_notify
from civicloop.reports.services import (
    report_acknowledge,
    report_close_without_fix,
    report_comment,
    report_feedback_submit,
    report_fix,
    report_transfer,
)
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, UserFactory, user_with_role
from tests.reports.factories import CategoryFactory
from tests.reports.test_public_pages import make_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return JurisdictionFactory(
        name="Villa Clara", slug="villa-clara", domain="villaclara.example.org", languages=["en", "es"]
    )


@pytest.fixture
def setting(city):
    """A report in a ward of a district, owned by the roads department, with a clerk."""
    district = AreaFactory(jurisdiction=city, slug="district", name="District")
    ward = AreaFactory(jurisdiction=city, slug="ward", name="Ward", parent=district)
    roads = AgencyFactory(jurisdiction=city, name="Roads")
    clerk = user_with_role(Role.AGENCY_STAFF, jurisdiction=city, agency=roads, email="clerk@city.example.org")
    category = CategoryFactory(jurisdiction=city, name="Potholes")
    report = make_report(city, category=category, area=ward, owner=roads, title="Deep pothole")
    report.agencies.set([roads])
    ReportContact.objects.create(report=report, name="Rita Reporter", email="rita@example.net")
    return {"district": district, "ward": ward, "roads": roads, "clerk": clerk, "category": category, "report": report}


def subscribe(city, email, *, confirmed=True, user=None, **target):
    return Subscription.objects.create(
        jurisdiction=city, email=email, user=user, confirmed_at=timezone.now() if confirmed else None, **target
    )


def by_recipient(mailoutbox):
    assert all(len(message.to) == 1 for message in mailoutbox)
    return {message.to[0]: message for message in mailoutbox}


def test_fixed_tells_reporter_with_feedback_link_and_every_subscriber_once(
    city, setting, mailoutbox, django_capture_on_commit_callbacks
):
    report = setting["report"]
    on_report = subscribe(city, "follower@example.net", report=report)
    on_district = subscribe(city, "neighbour@example.net", area=setting["district"])
    subscribe(city, "neighbour@example.net", category=setting["category"])
    subscribe(city, "category@example.net", category=setting["category"])
    subscribe(city, "unconfirmed@example.net", confirmed=False, report=report)
    subscribe(city, "clerk@city.example.org", report=report)  # the person acting is not told
    subscribe(city, "rita@example.net", report=report)  # the reporter gets one message, their own
    subscribe(city, "elsewhere@example.net", area=AreaFactory(jurisdiction=city))

    with django_capture_on_commit_callbacks(execute=True):
        report_fix(report=report, by=setting["clerk"], text="Filled and sealed.")

    messages = by_recipient(mailoutbox)
    assert sorted(messages) == [
        "category@example.net",
        "follower@example.net",
        "neighbour@example.net",
        "rita@example.net",
    ]
    assert len(mailoutbox) == 4
    reporter = messages["rita@example.net"].body
    assert messages["rita@example.net"].subject == f"Report {report.reference}: Fixed"
    feedback = f"http://villaclara.example.org/reports/{report.reference}/feedback/"
    assert feedback in reporter
    token = re.search(rf"{re.escape(feedback)}([^/\s]+)/", reporter).group(1)
    assert tokens.read("feedback", token) == report.reference
    assert "Filled and sealed." in reporter
    assert "Agency: Roads" in reporter
    assert f"http://villaclara.example.org/reports/{report.reference}/" in reporter
    for email, message in messages.items():
        if email != "rita@example.net":
            assert feedback not in message.body
            assert "Filled and sealed." in message.body
    unsubscribe = re.search(r"/subscriptions/unsubscribe/([^/\s]+)/", messages["follower@example.net"].body).group(1)
    assert tokens.read("unsubscribe", unsubscribe) == str(on_report.pk)
    unsubscribe = re.search(r"/subscriptions/unsubscribe/([^/\s]+)/", messages["neighbour@example.net"].body).group(1)
    assert tokens.read("unsubscribe", unsubscribe) == str(on_district.pk)
    # Every alert carries its unsubscribe link as mail headers too, for the mail client's own button.
    for message in messages.values():
        link = re.search(r"http://\S+/subscriptions/unsubscribe/[^/\s]+/", message.body).group(0)
        assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.message()["List-Unsubscribe"] == f"<{link}>"  # in the message as sent
    # No personal data of the reporter or the clerk in what subscribers read.
    for email in ["follower@example.net", "neighbour@example.net", "category@example.net"]:
        for secret in ["Rita", "rita@example.net", "clerk@city.example.org", setting["clerk"].name]:
            assert secret not in messages[email].body


def test_closed_without_fix_also_asks_the_reporter(city, setting, mailoutbox, django_capture_on_commit_callbacks):
    report = setting["report"]

    with django_capture_on_commit_callbacks(execute=True):
        report_close_without_fix(
            report=report, by=setting["clerk"], reason=CloseReason.NOT_POSSIBLE, text="Private land."
        )

    assert [m.to for m in mailoutbox] == [["rita@example.net"]]
    assert f"/reports/{report.reference}/feedback/" in mailoutbox[0].body


def test_acknowledged_tells_the_reporter_without_feedback_link(
    city, setting, mailoutbox, django_capture_on_commit_callbacks
):
    report = setting["report"]

    with django_capture_on_commit_callbacks(execute=True):
        report_acknowledge(report=report, by=setting["clerk"], text="Seen.")

    assert [m.to for m in mailoutbox] == [["rita@example.net"]]
    assert "/feedback/" not in mailoutbox[0].body
    assert f"There is news about your report {report.reference}." in mailoutbox[0].body


def test_transfer_says_from_and_to(city, setting, mailoutbox, django_capture_on_commit_callbacks):
    parks = AgencyFactory(jurisdiction=city, name="Parks")

    with django_capture_on_commit_callbacks(execute=True):
        report_transfer(report=setting["report"], to_agency=parks, by=setting["clerk"], reason="Trees are ours.")

    body = " ".join(mailoutbox[0].body.split())
    assert "Transferred from Roads to Parks." in body
    assert "Trees are ours." in body


def test_internal_notes_tell_nobody(city, setting, mailoutbox, django_capture_on_commit_callbacks):
    subscribe(city, "follower@example.net", report=setting["report"])

    with django_capture_on_commit_callbacks(execute=True):
        update = report_comment(
            report=setting["report"], by=setting["clerk"], text="Call the contractor", internal=True
        )
    update_notify(update_id=update.pk)

    assert mailoutbox == []


def test_reporter_without_contact_uses_their_account_and_nobody_means_no_mail(
    city, setting, mailoutbox, django_capture_on_commit_callbacks
):
    reporter = UserFactory(email="account@example.net")
    anonymous = make_report(
        city,
        category=setting["category"],
        owner=setting["roads"],
        reporter=reporter,
        visibility=ReporterVisibility.ANONYMOUS,
    )
    nobody = make_report(city, category=setting["category"], owner=setting["roads"])

    with django_capture_on_commit_callbacks(execute=True):
        report_acknowledge(report=anonymous, by=setting["clerk"])
        report_acknowledge(report=nobody, by=setting["clerk"])

    assert [m.to for m in mailoutbox] == [["account@example.net"]]


def test_reporter_is_written_to_in_their_language(
    city, setting, mailoutbox, compiled, django_capture_on_commit_callbacks
):
    reporter = UserFactory(email="ana@example.net", language="es")
    report = make_report(city, category=setting["category"], owner=setting["roads"], reporter=reporter)
    subscribe(city, "plain@example.net", report=report)

    with django_capture_on_commit_callbacks(execute=True):
        report_fix(report=report, by=setting["clerk"])

    messages = by_recipient(mailoutbox)
    assert messages["ana@example.net"].subject.endswith(f"{report.reference}: Resuelto")
    assert messages["plain@example.net"].subject == f"Report {report.reference}: Fixed"  # the city's first language


def test_the_reporters_own_feedback_is_not_mailed_back_to_them(
    city, setting, mailoutbox, django_capture_on_commit_callbacks
):
    report = setting["report"]
    subscribe(city, "follower@example.net", report=report)
    with django_capture_on_commit_callbacks(execute=True):
        report_fix(report=report, by=setting["clerk"])
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        report_feedback_submit(report=report, fixed=False, rating=2)

    report.refresh_from_db()
    assert report.reopened_count == 1
    assert sorted({m.to[0] for m in mailoutbox}) == ["follower@example.net"]


def test_confidential_reports_tell_only_the_reporter(city, setting, mailoutbox, django_capture_on_commit_callbacks):
    secret = make_report(
        city,
        category=setting["category"],
        area=setting["ward"],
        owner=setting["roads"],
        visibility=ReporterVisibility.CONFIDENTIAL,
    )
    ReportContact.objects.create(report=secret, email="whistle@example.net")
    subscribe(city, "neighbour@example.net", area=setting["district"])

    with django_capture_on_commit_callbacks(execute=True):
        report_fix(report=secret, by=setting["clerk"])

    assert [m.to for m in mailoutbox] == [["whistle@example.net"]]
    assert f"/reports/{secret.reference}/feedback/" in mailoutbox[0].body
    assert f"/reports/{secret.reference}/\n" not in mailoutbox[0].body  # no link to a page that does not exist


def test_update_notify_of_an_unknown_update_does_nothing(mailoutbox):
    update_notify(update_id=999999)

    assert mailoutbox == []


def test_new_report_alerts_area_and_category_subscribers(city, setting, mailoutbox, django_capture_on_commit_callbacks):
    report = setting["report"]
    on_district = subscribe(city, "neighbour@example.net", area=setting["district"])
    subscribe(city, "neighbour@example.net", category=setting["category"])
    subscribe(city, "category@example.net", category=setting["category"])
    subscribe(city, "rita@example.net", area=setting["ward"])  # the reporter knows already
    subscribe(city, "unconfirmed@example.net", confirmed=False, area=setting["ward"])

    with django_capture_on_commit_callbacks(execute=True):
        report_new_notify(report_id=report.pk)

    messages = by_recipient(mailoutbox)
    assert sorted(messages) == ["category@example.net", "neighbour@example.net"]
    assert len(mailoutbox) == 2
    message = messages["neighbour@example.net"]
    assert message.subject == f"New report {report.reference}: Potholes"
    assert "Deep pothole" in message.body
    assert "Rita" not in message.body
    token = re.search(r"/subscriptions/unsubscribe/([^/\s]+)/", message.body).group(1)
    assert tokens.read("unsubscribe", token) == str(on_district.pk)


@pytest.mark.parametrize(
    "change",
    [
        {"visibility": ReporterVisibility.CONFIDENTIAL},
        {"status": ReportStatus.UNVERIFIED},
    ],
)
def test_new_report_alerts_leave_out_hidden_reports(
    city, setting, mailoutbox, change, django_capture_on_commit_callbacks
):
    report = make_report(city, category=setting["category"], area=setting["ward"], **change)
    subscribe(city, "neighbour@example.net", area=setting["district"])

    with django_capture_on_commit_callbacks(execute=True):
        report_new_notify(report_id=report.pk)

    assert mailoutbox == []


def test_new_report_alerts_leave_out_sensitive_categories(
    city, setting, mailoutbox, django_capture_on_commit_callbacks
):
    sensitive = CategoryFactory(jurisdiction=city, privacy=PrivacyClass.SENSITIVE)
    report = make_report(city, category=sensitive, area=setting["ward"])
    subscribe(city, "neighbour@example.net", area=setting["district"])

    with django_capture_on_commit_callbacks(execute=True):
        report_new_notify(report_id=report.pk)
        update = ReportUpdate.objects.create(
            report=report, kind=UpdateKind.COMMENT, status="submitted", text="x", created_at=timezone.now()
        )
        update_notify(update_id=update.pk)

    assert mailoutbox == []

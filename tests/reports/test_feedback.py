"""The reporter's "was it fixed?" page, reached from the link in the closing e-mail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from civicloop.accounts.enums import Role
from civicloop.reports import tokens
from civicloop.reports.enums import ReporterVisibility, ReportStatus
from civicloop.reports.models import ReportFeedback
from civicloop.reports.services import report_fix
from tests.factories import AgencyFactory, JurisdictionFactory, user_with_role
from tests.reports.test_public_pages import make_report
from tests.web import html_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(settings):
    city = JurisdictionFactory(name="Villa Clara", slug="villa-clara", domain="villaclara.example.org")
    settings.ALLOWED_HOSTS = [city.domain]
    return city


@pytest.fixture
def fixed_report(city):
    roads = AgencyFactory(jurisdiction=city)
    clerk = user_with_role(Role.AGENCY_STAFF, jurisdiction=city, agency=roads)
    report = make_report(city, owner=roads, title="Deep pothole")
    report.agencies.set([roads])
    return report_fix(report=report, by=clerk, text="Filled.")


def feedback_url(report, token=None):
    token = token or tokens.make("feedback", report.reference)
    return reverse("reports:feedback", kwargs={"reference": report.reference, "token": token})


def test_feedback_page_asks_with_accessible_radio_groups(client, city, fixed_report):
    response = client.get(feedback_url(fixed_report), HTTP_HOST=city.domain)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<legend>Was it fixed?</legend>" in page
    assert "<legend>How satisfied are you with the response?</legend>" in page
    assert page.count('type="radio" name="fixed"') == 2
    assert page.count('type="radio" name="rating"') == 5
    assert '<label for="id_comment">Comment (optional):</label>' in page
    assert "Deep pothole" in page


def test_feedback_yes_with_rating_is_recorded(client, city, fixed_report):
    response = client.post(
        feedback_url(fixed_report), {"fixed": "yes", "rating": "4", "comment": "Quick work"}, HTTP_HOST=city.domain
    )

    assert response.status_code == 200
    assert "Your answer is recorded." in response.content.decode()
    feedback = ReportFeedback.objects.get()
    assert (feedback.fixed, feedback.rating, feedback.comment) == (True, 4, "Quick work")
    fixed_report.refresh_from_db()
    assert fixed_report.status == ReportStatus.FIXED
    assert fixed_report.rating == 4


def test_feedback_no_reopens_the_report(client, city, fixed_report):
    response = client.post(feedback_url(fixed_report), {"fixed": "no", "rating": "2"}, HTTP_HOST=city.domain)

    assert f"Report {fixed_report.reference} has been reopened." in " ".join(response.content.decode().split())
    fixed_report.refresh_from_db()
    assert fixed_report.status not in {ReportStatus.FIXED, ReportStatus.CLOSED_WITHOUT_FIX}
    assert fixed_report.reopened_count == 1


def test_feedback_no_after_the_window_says_so(client, city, fixed_report, settings):
    settings.CIVICLOOP_REOPEN_WINDOW_DAYS = 1
    type(fixed_report).objects.filter(pk=fixed_report.pk).update(closed_at=timezone.now() - dt.timedelta(days=5))

    response = client.post(feedback_url(fixed_report), {"fixed": "no"}, HTTP_HOST=city.domain)

    assert "was closed too long ago to be reopened" in " ".join(response.content.decode().split())
    fixed_report.refresh_from_db()
    assert fixed_report.status == ReportStatus.FIXED
    assert ReportFeedback.objects.get().fixed is False


def test_feedback_needs_an_answer_and_summarises_errors(client, city, fixed_report):
    response = client.post(feedback_url(fixed_report), {"rating": "9"}, HTTP_HOST=city.domain)

    assert response.status_code == 200
    assert html_count(response, '<a href="#id_fixed_0">Was it fixed?: This field is required.</a>') == 1
    assert ReportFeedback.objects.count() == 0


def test_feedback_on_an_open_report_has_nothing_to_answer(client, city):
    report = make_report(city)

    response = client.get(feedback_url(report), HTTP_HOST=city.domain)

    assert response.status_code == 200
    assert "This report is not closed at the moment" in response.content.decode()
    response = client.post(feedback_url(report), {"fixed": "yes"}, HTTP_HOST=city.domain)
    assert "This report is not closed at the moment" in response.content.decode()
    assert ReportFeedback.objects.count() == 0


def test_feedback_works_for_a_confidential_report_through_its_link(client, city):
    roads = AgencyFactory(jurisdiction=city)
    clerk = user_with_role(Role.AGENCY_STAFF, jurisdiction=city, agency=roads)
    report = make_report(city, owner=roads, visibility=ReporterVisibility.CONFIDENTIAL)
    report_fix(report=report, by=clerk)

    response = client.post(feedback_url(report), {"fixed": "yes", "rating": "5"}, HTTP_HOST=city.domain)

    assert response.status_code == 200
    assert ReportFeedback.objects.get().rating == 5
    assert f'/reports/{report.reference}/"' not in response.content.decode()  # no link to a page it cannot see


def test_feedback_with_a_bad_token_is_404_with_a_plain_message(client, city, fixed_report):
    other = make_report(city)
    for token in ["forged", tokens.make("feedback", other.reference), tokens.make("confirm", fixed_report.reference)]:
        response = client.get(feedback_url(fixed_report, token), HTTP_HOST=city.domain)
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    response = client.post(feedback_url(fixed_report, "forged"), {"fixed": "no"}, HTTP_HOST=city.domain)
    assert response.status_code == 404
    assert ReportFeedback.objects.count() == 0

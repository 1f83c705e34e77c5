"""Atom feeds of public reports and updates: all, per area, per category."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from civicloop.reports.enums import PrivacyClass, ReporterVisibility, ReportStatus, UpdateKind
from civicloop.reports.models import ReportUpdate
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, UserFactory
from tests.reports.factories import CategoryFactory
from tests.reports.test_public_pages import make_report

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def city(settings):
    city = JurisdictionFactory(name="Villa Clara", slug="villa-clara", domain="villaclara.example.org")
    settings.ALLOWED_HOSTS = [city.domain]
    return city


def entries(client, city, url):
    response = client.get(url, HTTP_HOST=city.domain)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)  # noqa: S314 — our own server's output
    return feed, [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


def test_feed_has_new_reports_and_public_updates_newest_first(client, city):
    roads = AgencyFactory(jurisdiction=city, name="Roads")
    parks = AgencyFactory(jurisdiction=city, name="Parks")
    clerk = UserFactory(name="Clerk Ofelia Staffperson")
    category = CategoryFactory(jurisdiction=city, name="Trees")
    start = timezone.now() - dt.timedelta(hours=5)
    report = make_report(city, category=category, title="Fallen tree", submitted_at=start)
    ReportUpdate.objects.create(report=report, kind=UpdateKind.SUBMITTED, status="submitted", created_at=start)
    ReportUpdate.objects.create(
        report=report,
        kind=UpdateKind.TRANSFERRED,
        status="submitted",
        agency=parks,
        by=clerk,
        from_agency=parks,
        to_agency=roads,
        text="Roads clear fallen trees.",
        created_at=start + dt.timedelta(hours=1),
    )
    ReportUpdate.objects.create(
        report=report,
        kind=UpdateKind.NOTE,
        status="submitted",
        is_internal=True,
        text="Internal",
        created_at=start + dt.timedelta(hours=2),
    )

    feed, items = entries(client, city, reverse("reports:feed"))

    assert feed.findtext(f"{ATOM}title") == "Reports in Villa Clara"
    url = f"http://villaclara.example.org/reports/{report.reference}/"
    assert items == [
        {
            "title": f"Report {report.reference}: Submitted",
            "link": url,
            "author": "Parks",
            "summary": "Transferred\n\nTransferred from Parks to Roads.\n\nRoads clear fallen trees.",
        },
        {
            "title": f"New report {report.reference}: Trees",
            "link": url,
            "author": None,
            "summary": "Fallen tree\n\nThe street light is out.",
        },
    ]
    assert b"Ofelia" not in client.get(reverse("reports:feed"), HTTP_HOST=city.domain).content


def test_feed_leaves_out_reports_the_public_may_not_see(client, city):
    make_report(city, visibility=ReporterVisibility.CONFIDENTIAL)
    make_report(city, category=CategoryFactory(jurisdiction=city, privacy=PrivacyClass.SENSITIVE))
    make_report(city, status=ReportStatus.UNVERIFIED)

    _feed, items = entries(client, city, reverse("reports:feed"))

    assert items == []


def test_area_feed_covers_the_area_and_the_areas_inside(client, city):
    district = AreaFactory(jurisdiction=city, slug="district", name="District")
    ward = AreaFactory(jurisdiction=city, slug="ward", parent=district)
    inside = make_report(city, area=ward)
    make_report(city, area=AreaFactory(jurisdiction=city))

    feed, items = entries(client, city, reverse("reports:area_feed", kwargs={"slug": "district"}))

    assert feed.findtext(f"{ATOM}title") == "Reports in District"
    assert [item["link"] for item in items] == [f"http://villaclara.example.org/reports/{inside.reference}/"]


def test_category_feed_covers_the_category_and_not_sensitive_ones(client, city):
    lights = CategoryFactory(jurisdiction=city, code="lights", name="Street lights")
    report = make_report(city, category=lights)
    make_report(city)
    CategoryFactory(jurisdiction=city, code="abuse", privacy=PrivacyClass.SENSITIVE)

    feed, items = entries(client, city, reverse("reports:category_feed", kwargs={"code": "lights"}))

    assert feed.findtext(f"{ATOM}title") == "Reports about Street lights"
    assert [item["title"] for item in items] == [f"New report {report.reference}: Street lights"]
    assert client.get("/categories/abuse/reports.atom", HTTP_HOST=city.domain).status_code == 404
    assert client.get("/areas/nowhere/reports.atom", HTTP_HOST=city.domain).status_code == 404

"""The public report list, map points, report page, photos, and area and category pages."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from civicloop.accounts.enums import Role
from civicloop.reports.enums import (
    PrivacyClass,
    ReporterVisibility,
    ReportKind,
    ReportStatus,
    UpdateKind,
)
from civicloop.reports.models import REFERENCE_ALPHABET, ReportPhoto, ReportUpdate
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, UserFactory, user_with_role
from tests.reports.factories import CategoryFactory, ReportFactory
from tests.web import html_count, login, text

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def reference() -> str:
    """A fresh reference the <ref:…> converter accepts (the factory's own ones do not)."""
    n, letters = next(_numbers), []
    for _position in range(8):
        n, digit = divmod(n, len(REFERENCE_ALPHABET))
        letters.append(REFERENCE_ALPHABET[digit])
    return "".join(reversed(letters))


@pytest.fixture
def city():
    return JurisdictionFactory(
        name="Villa Clara", slug="villa-clara", domain="villaclara.example.org", time_zone="America/Santiago"
    )


@pytest.fixture
def get(client, city, settings):
    settings.ALLOWED_HOSTS = [city.domain]

    def _get(url, data=None, **kwargs):
        return client.get(url, data or {}, HTTP_HOST=city.domain, **kwargs)

    return _get


def make_report(city, **kwargs):
    kwargs.setdefault("reference", reference())
    if "category" not in kwargs:
        kwargs["category"] = CategoryFactory(jurisdiction=city)
    return ReportFactory(**kwargs)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "JPEG")
    return buffer.getvalue()


# --- List --------------------------------------------------------------------------------------


def test_report_list_shows_public_reports_only(get, city):
    public = make_report(city, title="Broken bench in the plaza")
    make_report(city, title="Secret matter", visibility=ReporterVisibility.CONFIDENTIAL)
    make_report(
        city, title="Sensitive matter", category=CategoryFactory(jurisdiction=city, privacy=PrivacyClass.SENSITIVE)
    )
    make_report(city, title="Unconfirmed matter", status=ReportStatus.UNVERIFIED)
    make_report(CategoryFactory().jurisdiction, title="Elsewhere matter")

    response = get(reverse("reports:list"))

    assert response.status_code == 200
    assert [row.report for row in response.context["rows"]] == [public]
    page = text(response)
    assert "Broken bench in the plaza" in page
    assert "matter" not in page


def test_report_list_shows_reference_category_area_status_and_local_times(get, city):
    area = AreaFactory(jurisdiction=city, name="Centro")
    category = CategoryFactory(jurisdiction=city, name="Street lights")
    submitted = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC)
    report = make_report(
        city,
        category=category,
        area=area,
        description="The lamp on the corner blinks all night long.",
        submitted_at=submitted,
        resolve_due_at=submitted + dt.timedelta(days=3000),
    )

    response = get(reverse("reports:list"))

    page = text(response)
    assert report.reference in page
    assert "The lamp on the corner blinks all night long." in page
    assert "Street lights" in page
    assert "Centro" in page
    assert "Submitted" in page
    # 15:30 UTC is 12:30 in Santiago (UTC-3 in March).
    assert "March 2, 2026, 12:30 p.m." in page
    assert html_count(response, f'<a href="/reports/{report.reference}/">{report.description}</a>') == 1


def test_report_list_marks_overdue_reports(get, city):
    long_ago = timezone.now() - dt.timedelta(days=30)
    overdue = make_report(city, title="Late one", submitted_at=long_ago)
    fresh = make_report(city, title="Fresh one")

    response = get(reverse("reports:list"))

    rows = {row.report: row.overdue for row in response.context["rows"]}
    assert rows == {overdue: True, fresh: False}
    assert html_count(response, '<span class="badge badge-overdue">Overdue</span>') == 1


def test_report_list_is_newest_first_and_paginated(get, city):
    now = timezone.now()
    reports = [make_report(city, submitted_at=now - dt.timedelta(hours=n)) for n in range(27)]

    first = get(reverse("reports:list"))
    second = get(reverse("reports:list"), {"page": 2})

    assert [row.report for row in first.context["rows"]] == reports[:25]
    assert [row.report for row in second.context["rows"]] == reports[25:]
    assert html_count(first, '<a href="?page=2" rel="next">Older reports</a>') == 1


def test_report_list_filters_by_status(get, city):
    open_report = make_report(city, status=ReportStatus.ACKNOWLEDGED)
    fixed = make_report(city, status=ReportStatus.FIXED)
    closed = make_report(city, status=ReportStatus.CLOSED_WITHOUT_FIX)

    def listed(status):
        return {row.report for row in get(reverse("reports:list"), {"status": status}).context["rows"]}

    assert listed("open") == {open_report}
    assert listed("closed") == {fixed, closed}
    assert listed("fixed") == {fixed}
    assert listed("") == {open_report, fixed, closed}


def test_report_list_filters_by_category_kind_and_agency(get, city):
    lights = CategoryFactory(jurisdiction=city, code="lights")
    agency, other = AgencyFactory(jurisdiction=city, slug="roads"), AgencyFactory(jurisdiction=city)
    owned = make_report(city, category=lights, owner=agency, kind=ReportKind.SUGGESTION)
    routed = make_report(city, owner=other)
    routed.agencies.set([other, agency])
    make_report(city, owner=other)

    def listed(**data):
        return {row.report for row in get(reverse("reports:list"), data).context["rows"]}

    assert listed(category="lights") == {owned}
    assert listed(kind="suggestion") == {owned}
    assert listed(agency="roads") == {owned, routed}


def test_report_list_filters_by_area_including_the_areas_inside(get, city):
    province = AreaFactory(jurisdiction=city, slug="province", level="province")
    district = AreaFactory(jurisdiction=city, slug="district", parent=province)
    ward = AreaFactory(jurisdiction=city, slug="ward", parent=district, level="ward")
    elsewhere = AreaFactory(jurisdiction=city, slug="elsewhere")
    in_ward, in_district = make_report(city, area=ward), make_report(city, area=district)
    make_report(city, area=elsewhere)

    def listed(slug):
        return {row.report for row in get(reverse("reports:list"), {"area": slug}).context["rows"]}

    assert listed("province") == {in_ward, in_district}
    assert listed("ward") == {in_ward}


def test_report_list_filters_by_date_range_in_local_time(get, city):
    # 02:00 UTC on 5 March is still 4 March in Santiago.
    late_evening = make_report(city, submitted_at=dt.datetime(2026, 3, 5, 2, 0, tzinfo=dt.UTC))
    next_day = make_report(city, submitted_at=dt.datetime(2026, 3, 5, 14, 0, tzinfo=dt.UTC))

    def listed(**data):
        return {row.report for row in get(reverse("reports:list"), data).context["rows"]}

    assert listed(submitted_from="2026-03-04", submitted_to="2026-03-04") == {late_evening}
    assert listed(submitted_from="2026-03-05") == {next_day}


def test_report_list_reports_bad_filters_and_still_lists(get, city):
    report = make_report(city)

    response = get(
        reverse("reports:list"), {"status": "nonsense", "submitted_from": "2026-03-09", "submitted_to": "2026-03-01"}
    )

    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == ["status", "submitted_to"]
    assert (
        html_count(
            response,
            '<a href="#id_status">Status: Select a valid choice. nonsense is not one of the available choices.</a>',
        )
        == 1
    )
    assert [row.report for row in get(reverse("reports:list"), {"status": "nonsense"}).context["rows"]] == [report]


@pytest.mark.parametrize("count", [1, 3])
def test_report_list_query_count_does_not_grow_with_reports(get, city, django_assert_num_queries, count):
    agency = AgencyFactory(jurisdiction=city)
    for _n in range(count):
        report = make_report(city, area=AreaFactory(jurisdiction=city), owner=agency)
        report.agencies.set([agency])
    get(reverse("reports:list"))  # warm the site-wide caches

    # jurisdiction, 3 filter choice lists, count, page, agencies
    with django_assert_num_queries(7):
        response = get(reverse("reports:list"))

    assert len(response.context["rows"]) == count


def test_report_list_page_works_without_javascript_and_offers_the_map(get, city):
    make_report(city, lon=-70.65, lat=-33.45)

    response = get(reverse("reports:list"), {"status": "open"})

    page = response.content.decode()
    assert (
        html_count(
            response,
            '<link rel="alternate" type="application/atom+xml" title="All reports (Atom)" href="/reports.atom">',
        )
        == 1
    )
    assert 'data-points-url="/reports/points.json?status=open"' in page
    assert f'data-areas-url="/api/v1/jurisdictions/{city.slug}/areas"' in page
    assert "data-tiles-url" not in page
    assert '<script src="/static/vendor/leaflet/leaflet.js" defer></script>' in page
    assert '<script src="/static/civicloop/report-list-map.js" defer></script>' in page
    assert '<link rel="stylesheet" href="/static/civicloop/reports-public.css">' in page


def test_report_list_passes_the_tile_server_only_when_configured(get, city, settings):
    settings.CIVICLOOP_MAP_TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"

    page = get(reverse("reports:list")).content.decode()

    assert 'data-tiles-url="https://tiles.example.org/{z}/{x}/{y}.png"' in page


def test_report_points_are_public_fields_of_the_filtered_list(get, city):
    report = make_report(city, title="Pothole", lon=-70.65, lat=-33.45, status=ReportStatus.ACKNOWLEDGED)
    make_report(city, title="Fixed pothole", lon=-70.6, lat=-33.4, status=ReportStatus.FIXED)
    make_report(city, title="Nowhere")
    make_report(city, lon=-70.6, lat=-33.4, visibility=ReporterVisibility.CONFIDENTIAL)

    response = get(reverse("reports:list_points"), {"status": "open"})

    assert response.status_code == 200
    assert response.json() == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-70.65, -33.45]},
                "properties": {
                    "reference": report.reference,
                    "title": "Pothole",
                    "status": "acknowledged",
                    "status_label": "Acknowledged",
                    "url": f"/reports/{report.reference}/",
                },
            }
        ],
    }


# --- Report page -------------------------------------------------------------------------------


def test_report_detail_shows_the_report_and_its_public_timeline(get, city):
    area = AreaFactory(jurisdiction=city, name="Centro", slug="centro")
    parks, roads = AgencyFactory(jurisdiction=city, name="Parks"), AgencyFactory(jurisdiction=city, name="Roads")
    clerk = UserFactory(name="Clerk Ofelia Staffperson")
    report = make_report(
        city,
        area=area,
        owner=roads,
        title="Fallen tree",
        description="A tree fell across the path.",
        address_string="Calle 5 y Avenida 2",
        public_name="Ana P.",
        supporter_count=4,
        kind=ReportKind.COMPLAINT,
        status=ReportStatus.ACKNOWLEDGED,
    )
    report.agencies.set([roads, parks])
    at = timezone.now()
    ReportUpdate.objects.create(
        report=report,
        kind=UpdateKind.ACKNOWLEDGED,
        status="acknowledged",
        agency=parks,
        by=clerk,
        text="We are on it.",
        created_at=at,
    )
    ReportUpdate.objects.create(
        report=report,
        kind=UpdateKind.TRANSFERRED,
        status="acknowledged",
        agency=parks,
        by=clerk,
        from_agency=parks,
        to_agency=roads,
        text="Trees on roads belong to the roads department.",
        created_at=at + dt.timedelta(minutes=1),
    )
    ReportUpdate.objects.create(
        report=report,
        kind=UpdateKind.NOTE,
        status="acknowledged",
        is_internal=True,
        text="Internal: call the contractor",
        created_at=at,
    )

    response = get(reverse("reports:detail", kwargs={"reference": report.reference}))

    assert response.status_code == 200
    page = text(response)
    for expected in [
        "Fallen tree",
        "A tree fell across the path.",
        "Calle 5 y Avenida 2",
        "Centro",
        "Complaint",
        "Acknowledged",
        "Ana P.",
        "We are on it.",
        "Transferred from Parks to Roads.",
        "Trees on roads belong to the roads department.",
    ]:
        assert expected in page, expected
    assert "Internal: call the contractor" not in page
    assert "Ofelia" not in page
    assert [u.kind for u in response.context["updates"]] == ["acknowledged", "transferred"]
    assert f'<dd>4 · <a href="/reports/{report.reference}/support/">Me too: I have this problem</a></dd>' in page
    assert html_count(response, '<ul class="plain-list"><li>Parks</li><li>Roads</li></ul>') == 1
    assert html_count(response, f'<a href="/agencies/{roads.slug}/">Roads</a>') == 1
    assert (
        html_count(
            response,
            '<link rel="alternate" type="application/atom+xml" title="Reports in Centro (Atom)" href="/areas/centro/reports.atom">',
        )
        == 1
    )


def test_report_detail_hides_the_name_unless_public(get, city):
    report = make_report(city, public_name="Should Not Show", visibility=ReporterVisibility.ANONYMOUS)

    response = get(reverse("reports:detail", kwargs={"reference": report.reference}))

    assert "Should Not Show" not in response.content.decode()
    assert html_count(response, "<dt>Reported by</dt><dd>Not shown</dd>") == 1


def test_report_detail_shows_due_states(get, city):
    now = timezone.now()
    met = make_report(
        city,
        status=ReportStatus.FIXED,
        submitted_at=now - dt.timedelta(days=20),
        acknowledge_due_at=now - dt.timedelta(days=19),
        acknowledged_at=now - dt.timedelta(days=19, hours=2),
        resolve_due_at=now - dt.timedelta(days=10),
        closed_at=now - dt.timedelta(days=11),
    )
    overdue = make_report(
        city,
        status=ReportStatus.ACKNOWLEDGED,
        submitted_at=now - dt.timedelta(days=20),
        acknowledge_due_at=now - dt.timedelta(days=19),
        acknowledged_at=now - dt.timedelta(days=18),
        resolve_due_at=now - dt.timedelta(days=1),
    )
    due = make_report(city)

    def states(report):
        response = get(reverse("reports:detail", kwargs={"reference": report.reference}))
        return response.context["acknowledge"].state, response.context["resolve"].state

    assert states(met) == ("met", "met")
    assert states(overdue) == ("late", "overdue")
    assert states(due) == ("due", "due")
    page = text(get(reverse("reports:detail", kwargs={"reference": overdue.reference})))
    assert "met late" in page
    assert "overdue" in page


def test_report_detail_of_a_duplicate_links_to_the_original(get, city):
    original = make_report(city)
    duplicate = make_report(city, status=ReportStatus.DUPLICATE, duplicate_of=original)

    response = get(reverse("reports:detail", kwargs={"reference": duplicate.reference}))

    assert html_count(response, f'<a href="/reports/{original.reference}/">{original.reference}</a>') == 1


def test_report_detail_of_an_unverified_report_has_a_notice_and_no_subscription(get, city):
    report = make_report(city, status=ReportStatus.UNVERIFIED)

    response = get(reverse("reports:detail", kwargs={"reference": report.reference}))

    assert response.status_code == 200
    assert "has not been confirmed by the person who made it yet" in text(response)
    assert response.context["subscribe_form"] is None


def test_report_detail_is_404_for_confidential_sensitive_unknown_and_other_cities(get, city):
    confidential = make_report(city, visibility=ReporterVisibility.CONFIDENTIAL)
    sensitive = make_report(city, category=CategoryFactory(jurisdiction=city, privacy=PrivacyClass.SENSITIVE))
    elsewhere = make_report(JurisdictionFactory())

    for ref in [confidential.reference, sensitive.reference, "ZZZZZZZZ", elsewhere.reference]:
        assert get(reverse("reports:detail", kwargs={"reference": ref})).status_code == 404


def test_report_detail_offers_email_alerts_for_the_report(get, city):
    report = make_report(city)

    response = get(reverse("reports:detail", kwargs={"reference": report.reference}))

    assert html_count(response, f'<input type="hidden" name="report" value="{report.reference}" id="id_report">') == 1
    assert '<form method="post" action="/subscriptions/" novalidate>' in response.content.decode()


# The rows proposed for tests/test_permission_matrix.py: the same answer for every role.
PUBLIC_ROWS = [
    ("reports:list", "/reports/", 200),
    ("reports:list_points", "/reports/points.json", 200),
    ("reports:feed", "/reports.atom", 200),
    ("reports:detail", "/reports/{r}/", 200),
    ("reports:photo", "/reports/{r}/photos/{photo}/", 200),
    ("reports:feedback", "/reports/{r}/feedback/not-a-token/", 404),
    ("reports:area", "/areas/{area}/", 200),
    ("reports:area_feed", "/areas/{area}/reports.atom", 200),
    ("reports:category", "/categories/{c}/", 200),
    ("reports:category_feed", "/categories/{c}/reports.atom", 200),
    ("reports:subscribe", "/subscriptions/?area={area}", 200),
    ("reports:subscription_confirm", "/subscriptions/confirm/not-a-token/", 404),
    ("reports:unsubscribe", "/subscriptions/unsubscribe/not-a-token/", 404),
]


@pytest.mark.parametrize(
    "role", [None, Role.AGENCY_STAFF, Role.AGENCY_MANAGER, Role.SUPERVISOR, Role.MONITOR, Role.ADMINISTRATOR, "citizen"]
)
def test_public_pages_answer_every_role_alike(client, city, role, settings):
    settings.ALLOWED_HOSTS = [city.domain]
    area = AreaFactory(jurisdiction=city, slug="centro")
    category = CategoryFactory(jurisdiction=city, code="001")
    report = make_report(city, area=area, category=category)
    photo = add_photo(report)
    if role == "citizen":
        login(client, UserFactory())
    elif role is not None:
        login(client, user_with_role(role, jurisdiction=city))
    for name, path, expected in PUBLIC_ROWS:
        url = path.format(r=report.reference, photo=photo.pk, area=area.slug, c=category.code)
        response = client.get(url, HTTP_HOST=city.domain)
        if response.streaming:
            b"".join(response.streaming_content)  # read to the end, which closes the file
        assert response.status_code == expected, name


# --- Photos ------------------------------------------------------------------------------------


def add_photo(report, *, is_public=True):
    return ReportPhoto.objects.create(
        report=report, image=ContentFile(jpeg(), name="photo.jpg"), size=100, is_public=is_public
    )


def test_report_photo_streams_a_public_photo_with_its_type_and_cache_headers(get, city):
    report = make_report(city)
    photo = add_photo(report)

    response = get(reverse("reports:photo", kwargs={"reference": report.reference, "pk": photo.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=300"
    assert b"".join(response.streaming_content) == jpeg()


def test_report_detail_shows_public_photos_only(get, city):
    report = make_report(city)
    shown, hidden = add_photo(report), add_photo(report, is_public=False)

    response = get(reverse("reports:detail", kwargs={"reference": report.reference}))

    page = response.content.decode()
    assert f"/reports/{report.reference}/photos/{shown.pk}/" in page
    assert f"/photos/{hidden.pk}/" not in page


def test_report_photo_is_404_when_hidden_or_the_report_is_not_public(get, city):
    report = make_report(city)
    hidden = add_photo(report, is_public=False)
    confidential = make_report(city, visibility=ReporterVisibility.CONFIDENTIAL)
    secret = add_photo(confidential)
    other = add_photo(make_report(city))

    for ref, pk in [(report.reference, hidden.pk), (confidential.reference, secret.pk), (report.reference, other.pk)]:
        assert get(reverse("reports:photo", kwargs={"reference": ref, "pk": pk})).status_code == 404


# --- Area and category pages --------------------------------------------------------------------


def test_area_page_lists_its_reports_with_feed_and_alerts(get, city):
    area = AreaFactory(jurisdiction=city, name="Centro", slug="centro")
    inside = make_report(city, area=area)
    make_report(city, area=AreaFactory(jurisdiction=city))

    response = get(reverse("reports:area", kwargs={"slug": "centro"}))

    assert response.status_code == 200
    assert [row.report for row in response.context["rows"]] == [inside]
    assert (
        html_count(
            response,
            '<link rel="alternate" type="application/atom+xml" title="Reports in Centro (Atom)" href="/areas/centro/reports.atom">',
        )
        == 1
    )
    assert html_count(response, '<input type="hidden" name="area" value="centro" id="id_area">') == 1
    assert 'data-points-url="/reports/points.json?area=centro"' in response.content.decode()
    assert 'name="area"' in response.content.decode()
    assert response.context["form"].fields["area"].choices  # the area filter is fixed, not offered
    assert '<select name="area"' not in response.content.decode()


def test_category_page_lists_its_reports_and_sensitive_categories_have_none(get, city):
    lights = CategoryFactory(jurisdiction=city, code="lights", name="Street lights")
    report = make_report(city, category=lights)
    CategoryFactory(jurisdiction=city, code="abuse", privacy=PrivacyClass.SENSITIVE)

    response = get(reverse("reports:category", kwargs={"code": "lights"}))

    assert [row.report for row in response.context["rows"]] == [report]
    assert "Reports about Street lights" in text(response)
    assert html_count(response, '<input type="hidden" name="category" value="lights" id="id_category">') == 1
    assert get(reverse("reports:category", kwargs={"code": "abuse"})).status_code == 404
    assert get(reverse("reports:area", kwargs={"slug": "nowhere"})).status_code == 404

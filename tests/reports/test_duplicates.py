"""Before filing: open reports of the same category nearby, and "me too" instead of a duplicate."""

import math
import re

import pytest
from django.core import mail
from django.urls import reverse

from civicloop.reports.enums import PrivacyClass, ReporterVisibility, ReportKind, ReportStatus
from civicloop.reports.models import Report, Subscription
from civicloop.reports.selectors.intake import (
    METRES_PER_DEGREE_LAT,
    NEARBY_LIMIT,
    distance_m,
    report_list_nearby_open,
)
from civicloop.reports.services.subscriptions import subscription_confirm
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, UserFactory, square
from tests.reports.factories import CategoryFactory, ReportFactory, RoutingRuleFactory
from tests.web import login, text

pytestmark = pytest.mark.django_db

HOST = "villa.example.org"
LON, LAT = -70.65, -33.45
COS_LAT = math.cos(math.radians(LAT))
REFERENCES = iter(f"R{n:07d}".translate(str.maketrans("01", "AB")) for n in range(2, 10_000_000))


def north(metres):
    """The point `metres` north of the pin."""
    return {"lon": LON, "lat": LAT + metres / METRES_PER_DEGREE_LAT}


def east(metres):
    return {"lon": LON + metres / (METRES_PER_DEGREE_LAT * COS_LAT), "lat": LAT}


@pytest.fixture(autouse=True)
def _hosts(settings):
    settings.ALLOWED_HOSTS = [HOST, "testserver"]


@pytest.fixture
def city():
    jurisdiction = JurisdictionFactory(name="Villa Clara", slug="villa", domain=HOST)
    centro = AreaFactory(jurisdiction=jurisdiction, name="Centro", slug="centro", geometry=square(-70.7, -33.5, 0.1))
    roads = AgencyFactory(jurisdiction=jurisdiction, name="Roads Department")
    pothole = CategoryFactory(jurisdiction=jurisdiction, code="pothole", name="Pothole", duplicate_radius_m=100)
    lamp = CategoryFactory(jurisdiction=jurisdiction, code="lamp", name="Street light", duplicate_radius_m=100)
    RoutingRuleFactory(category=pothole, agencies=[roads])
    return {"j": jurisdiction, "centro": centro, "pothole": pothole, "lamp": lamp}


def report(category, where, **fields):
    fields.setdefault("reference", next(REFERENCES))
    return ReportFactory(category=category, lon=where["lon"], lat=where["lat"], **fields)


# --- The selector ----------------------------------------------------------------------------


def test_distance_m_matches_known_distances():
    assert distance_m(LON, LAT, LON, LAT) == 0
    assert distance_m(LON, LAT, north(100)["lon"], north(100)["lat"]) == pytest.approx(100, abs=0.01)
    assert distance_m(LON, LAT, east(100)["lon"], east(100)["lat"]) == pytest.approx(100, abs=0.05)
    # Santiago to Valparaíso, about 100 km.
    assert distance_m(-70.6693, -33.4489, -71.6127, -33.0472) == pytest.approx(98_000, rel=0.02)


def test_nearby_lists_open_reports_within_the_radius_nearest_first(city):
    pothole = city["pothole"]
    far = report(pothole, north(99), status=ReportStatus.ACKNOWLEDGED)
    near = report(pothole, east(10))
    middle = report(pothole, north(50), status=ReportStatus.IN_PROGRESS, visibility=ReporterVisibility.ANONYMOUS)
    report(pothole, north(101))
    report(pothole, east(101))

    found = report_list_nearby_open(category=pothole, lon=LON, lat=LAT)

    assert [(item.reference, item.distance_m) for item in found] == [
        (near.reference, 10),
        (middle.reference, 50),
        (far.reference, 99),
    ]


def test_nearby_corner_of_the_bounding_box_is_outside_the_circle(city):
    # 90 m north and 90 m east: inside the SQL bounding box, 127 m away.
    corner = {"lon": east(90)["lon"], "lat": north(90)["lat"]}
    report(city["pothole"], corner)

    assert report_list_nearby_open(category=city["pothole"], lon=LON, lat=LAT) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"visibility": ReporterVisibility.CONFIDENTIAL},
        {"status": ReportStatus.UNVERIFIED},
        {"status": ReportStatus.FIXED},
        {"status": ReportStatus.CLOSED_WITHOUT_FIX},
        {"status": ReportStatus.DUPLICATE},
    ],
    ids=lambda fields: next(iter(fields.values())),
)
def test_nearby_never_lists_confidential_unverified_or_closed_reports(city, fields):
    report(city["pothole"], north(10), **fields)

    assert report_list_nearby_open(category=city["pothole"], lon=LON, lat=LAT) == []


def test_nearby_lists_only_the_same_category(city):
    report(city["lamp"], north(10))

    assert report_list_nearby_open(category=city["pothole"], lon=LON, lat=LAT) == []


def test_nearby_sensitive_category_lists_nothing(city):
    pothole = city["pothole"]
    report(pothole, north(10))
    pothole.privacy = PrivacyClass.SENSITIVE
    pothole.save()

    assert report_list_nearby_open(category=pothole, lon=LON, lat=LAT) == []


def test_nearby_radius_zero_lists_nothing(city):
    pothole = city["pothole"]
    report(pothole, north(0))
    pothole.duplicate_radius_m = 0
    pothole.save()

    assert report_list_nearby_open(category=pothole, lon=LON, lat=LAT) == []


def test_nearby_lists_at_most_the_limit_nearest_ones(city):
    reports = [report(city["pothole"], north(5 * n)) for n in range(NEARBY_LIMIT + 2)]

    found = report_list_nearby_open(category=city["pothole"], lon=LON, lat=LAT)

    assert [item.pk for item in found] == [item.pk for item in reports[:NEARBY_LIMIT]]


def test_nearby_bad_coordinates_list_nothing(city):
    report(city["pothole"], north(10))

    assert report_list_nearby_open(category=city["pothole"], lon=math.nan, lat=LAT) == []
    assert report_list_nearby_open(category=city["pothole"], lon=LON, lat=95.0) == []


def test_nearby_near_the_antimeridian_and_pole_does_not_fail(city):
    assert report_list_nearby_open(category=city["pothole"], lon=180.0, lat=89.99999999) == []


# --- The JSON for the map --------------------------------------------------------------------


def nearby_json(client, **params):
    return client.get(reverse("reports:nearby"), params, HTTP_HOST=HOST)


def test_nearby_json_has_public_fields_only(client, city):
    user = UserFactory(name="Rosa Quispe", email="rosa@example.net")
    item = report(
        city["pothole"],
        north(20),
        title="Deep hole",
        description="In front of the school.",
        area=city["centro"],
        reporter=user,
        public_name="Rosa Quispe",
        supporter_count=2,
    )

    response = nearby_json(client, category="pothole", lon=LON, lat=LAT)

    assert response.status_code == 200
    assert response.json() == {
        "radius_m": 100,
        "reports": [
            {
                "reference": item.reference,
                "title": "Deep hole",
                "description": "In front of the school.",
                "status": "submitted",
                "status_label": "Submitted",
                "category": "Pothole",
                "area": "Centro",
                "lon": item.lon,
                "lat": item.lat,
                "distance_m": 20,
                "supporter_count": 2,
                "submitted_at": item.submitted_at.isoformat(),
                "support_url": f"/reports/{item.reference}/support/",
                "url": response.json()["reports"][0]["url"],
            }
        ],
    }
    assert "Rosa" not in response.content.decode()
    assert "rosa@" not in response.content.decode()


def test_nearby_json_untitled_report_is_named_by_its_description(client, city):
    report(city["pothole"], north(20), title="", description="x" * 300)

    found = nearby_json(client, category="pothole", lon=LON, lat=LAT).json()["reports"][0]

    assert found["title"] == "x" * 79 + "…"
    assert found["description"] == "x" * 159 + "…"


def test_nearby_json_bad_point_is_400(client, city):
    response = nearby_json(client, category="pothole", lon="east", lat=LAT)

    assert response.status_code == 400
    assert response.json() == {"error": "Give lon and lat as numbers, e.g. lon=-70.65&lat=-33.45."}


def test_nearby_json_unknown_category_is_404(client, city):
    response = nearby_json(client, category="nothing", lon=LON, lat=LAT)

    assert response.status_code == 404
    assert response.json() == {"error": "There is no category nothing here."}


def test_nearby_json_sensitive_category_lists_nothing(client, city):
    report(city["pothole"], north(10))
    city["pothole"].privacy = PrivacyClass.SENSITIVE
    city["pothole"].save()

    assert nearby_json(client, category="pothole", lon=LON, lat=LAT).json()["reports"] == []


@pytest.mark.parametrize("count", [1, 3])
def test_nearby_json_queries_do_not_grow_with_reports(client, city, django_assert_num_queries, count):
    for n in range(count):
        report(city["pothole"], north(10 + n), area=city["centro"])
    client.get("/", HTTP_HOST=HOST)  # the session and jurisdiction lookups are warm alike

    # jurisdiction, category (+ its questions), coordinates in the box, the reports with category and area
    with django_assert_num_queries(5):
        response = nearby_json(client, category="pothole", lon=LON, lat=LAT)

    assert len(response.json()["reports"]) == count


# --- The form's duplicate step ---------------------------------------------------------------


def form_data(**overrides):
    data = {
        "kind": ReportKind.COMPLAINT,
        "description": "A deep pothole.",
        "area": "",
        "address": "",
        "lon": str(LON),
        "lat": str(LAT),
        "visibility": ReporterVisibility.PUBLIC,
        "name": "",
        "email": "pedro@example.net",
        "phone": "",
    }
    data.update(overrides)
    return data


def post(client, data):
    return client.post(f"{reverse('reports:new')}?category=pothole", data, HTTP_HOST=HOST)


def test_form_with_a_pin_near_an_open_report_shows_it_before_filing(client, city):
    existing = report(city["pothole"], north(30), title="Hole by the school", supporter_count=1)

    response = post(client, form_data())

    assert response.status_code == 200
    assert Report.objects.count() == 1
    page = text(response)
    assert "Is this already reported?" in page
    assert "Hole by the school" in page
    assert f"30 m away · Submitted · reference {existing.reference}" in page
    assert "1 other person has this problem" in page
    forms = re.findall(
        r'<form method="post" action="([^"]+)" class="inline-form">(.*?)</form>', response.content.decode(), re.S
    )
    assert [action for action, _body in forms] == [f"/reports/{existing.reference}/support/"]
    assert '<input type="hidden" name="email" value="pedro@example.net">' in forms[0][1]
    assert '<input type="hidden" name="duplicates_checked" value="True" id="id_duplicates_checked">' in page
    assert "None of these is mine: send my report" in page


def test_form_after_the_duplicates_were_shown_files_the_report(client, city):
    report(city["pothole"], north(30))

    response = post(client, form_data(duplicates_checked="True"))

    assert response.status_code == 302
    assert Report.objects.count() == 2


def test_form_with_a_pin_far_from_open_reports_files_at_once(client, city):
    report(city["pothole"], north(150))
    report(city["pothole"], north(10), status=ReportStatus.UNVERIFIED)
    report(city["pothole"], north(10), visibility=ReporterVisibility.CONFIDENTIAL)

    response = post(client, form_data())

    assert response.status_code == 302
    assert Report.objects.count() == 4


def test_form_without_a_pin_has_no_duplicate_step(client, city):
    report(city["pothole"], north(10), area=city["centro"])

    response = post(client, form_data(lon="", lat="", area="centro"))

    assert response.status_code == 302


@pytest.mark.parametrize("count", [1, 3])
def test_form_duplicate_panel_queries_do_not_grow_with_reports(client, city, django_assert_num_queries, count):
    for n in range(count):
        report(city["pothole"], north(10 + n), area=city["centro"])
    client.get("/", HTTP_HOST=HOST)

    # session, jurisdiction, category (+ questions), areas, coordinates in the box, the reports
    with django_assert_num_queries(6):
        response = post(client, form_data())

    assert response.content.decode().count('class="inline-form"') == count


# --- Me too ----------------------------------------------------------------------------------


def support_url(item):
    return reverse("reports:support", kwargs={"reference": item.reference})


def test_support_page_asks_for_an_email_when_not_signed_in(client, city):
    item = report(city["pothole"], north(10), title="Deep hole", supporter_count=3)

    response = client.get(support_url(item), HTTP_HOST=HOST)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<label for="id_email">Your e-mail</label>' in page
    assert '<dd id="supporter-count">3</dd>' in page
    assert '<button type="submit" id="support-button">Me too</button>' in page


def test_support_counts_each_email_once(client, city, django_capture_on_commit_callbacks):
    item = report(city["pothole"], north(10))

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(support_url(item), {"email": "pedro@example.net"}, HTTP_HOST=HOST)
        client.post(support_url(item), {"email": "Pedro@Example.net"}, HTTP_HOST=HOST)
        client.post(support_url(item), {"email": "ana@example.net"}, HTTP_HOST=HOST)

    assert first.status_code == 302
    item.refresh_from_db()
    assert item.supporter_count == 0  # counted once the address is confirmed
    assert sorted(Subscription.objects.values_list("email", "is_supporter", "confirmed_at")) == [
        ("ana@example.net", True, None),
        ("pedro@example.net", True, None),
    ]
    page = text(client.get(first["Location"], HTTP_HOST=HOST))
    assert (
        "Thank you. We sent a link to pedro@example.net: follow it to be counted among the people with this "
        f"problem (report {item.reference}) and to get its updates."
    ) in page
    assert sorted(message.to[0] for message in mail.outbox) == ["ana@example.net", "pedro@example.net"]

    for subscription in Subscription.objects.all():
        subscription_confirm(subscription=subscription)
        subscription_confirm(subscription=subscription)  # twice: still one person
    item.refresh_from_db()
    assert item.supporter_count == 2


def test_support_signed_in_uses_the_account(client, city):
    user = UserFactory(email="ana@example.net")
    login(client, user)
    item = report(city["pothole"], north(10))

    page = client.get(support_url(item), HTTP_HOST=HOST).content.decode()
    response = client.post(support_url(item), HTTP_HOST=HOST)
    client.post(support_url(item), HTTP_HOST=HOST)

    assert 'name="email"' not in page
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.supporter_count == 1
    subscription = Subscription.objects.get()
    assert (subscription.user, subscription.email, subscription.confirmed_at is not None) == (
        user,
        "ana@example.net",
        True,
    )


def test_support_without_email_is_explained(client, city):
    item = report(city["pothole"], north(10))

    response = client.post(support_url(item), {"email": ""}, HTTP_HOST=HOST)

    assert response.status_code == 200
    assert (
        '<li><a href="#id_email">Give your e-mail address, so we count you once and can tell you about progress.</a></li>'
        in response.content.decode()
    )
    item.refresh_from_db()
    assert item.supporter_count == 0


def test_support_from_the_duplicate_panel_uses_the_email_given(client, city):
    item = report(city["pothole"], north(30))
    page = post(client, form_data()).content.decode()
    action, body = re.search(
        r'<form method="post" action="([^"]+)" class="inline-form">(.*?)</form>', page, re.S
    ).groups()
    email = re.search(r'name="email" value="([^"]+)"', body).group(1)

    response = client.post(action, {"email": email}, HTTP_HOST=HOST)
    subscription_confirm(subscription=Subscription.objects.get(email=email))

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.supporter_count == 1
    assert Report.objects.count() == 1


def test_support_closed_report_says_so(client, city):
    item = report(city["pothole"], north(10), status=ReportStatus.FIXED)

    shown = client.get(support_url(item), HTTP_HOST=HOST)
    posted = client.post(support_url(item), {"email": "pedro@example.net"}, HTTP_HOST=HOST)

    assert "This report is closed. If the problem is back, please file a new report." in text(shown)
    assert posted.status_code == 400
    assert f"Report {item.reference} is closed; file a new report if the problem is back." in text(posted)
    item.refresh_from_db()
    assert item.supporter_count == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"visibility": ReporterVisibility.CONFIDENTIAL},
        {"status": ReportStatus.UNVERIFIED},
    ],
    ids=["confidential", "unverified"],
)
def test_support_hidden_report_is_404(client, city, fields):
    item = report(city["pothole"], north(10), **fields)

    assert client.get(support_url(item), HTTP_HOST=HOST).status_code == 404
    assert client.post(support_url(item), {"email": "pedro@example.net"}, HTTP_HOST=HOST).status_code == 404
    item.refresh_from_db()
    assert item.supporter_count == 0


def test_support_sensitive_category_is_404(client, city):
    item = report(city["pothole"], north(10))
    city["pothole"].privacy = PrivacyClass.SENSITIVE
    city["pothole"].save()

    assert client.get(support_url(item), HTTP_HOST=HOST).status_code == 404


def test_support_report_of_another_jurisdiction_is_404(client, city):
    elsewhere = CategoryFactory(jurisdiction=JurisdictionFactory(slug="lejos", domain="lejos.example.org"))
    item = report(elsewhere, north(10))

    assert client.get(support_url(item), HTTP_HOST=HOST).status_code == 404

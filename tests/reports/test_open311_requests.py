"""Open311 GeoReport v2 requests: POST requests, GET requests, GET requests/{id}, GET tokens/{token}."""

import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from civicloop.accounts.enums import Role
from civicloop.core.enums import Channel
from civicloop.core.models import AuditEvent
from civicloop.reports.enums import (
    AttributeDatatype,
    PrivacyClass,
    ReporterVisibility,
    ReportStatus,
    ServiceType,
    UpdateKind,
)
from civicloop.reports.models import Report, ReportContact, ReportPhoto, ReportUpdate
from civicloop.reports.services import open311_key_create, open311_key_revoke, report_fix
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, square, user_with_role
from tests.reports.factories import CategoryAttributeFactory, CategoryFactory, ReportFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORM = "application/x-www-form-urlencoded"
NAME, EMAIL, PHONE = "Zebulon Quixote-Marbury", "zebulon.quixote@example.net", "+56 9 8765 4321"


@pytest.fixture
def city():
    jurisdiction = JurisdictionFactory(name="Villa Clara", domain="villa.example.org", languages=["es", "en"])
    centro = AreaFactory(jurisdiction=jurisdiction, slug="centro", name="Centro", geometry=square(-70.7, -33.5, 0.1))
    roads = AgencyFactory(jurisdiction=jurisdiction, name="Vialidad", translations={"en": {"name": "Roads"}})
    pothole = CategoryFactory(
        jurisdiction=jurisdiction, code="001", name="Bache", translations={"en": {"name": "Pothole"}}
    )
    CategoryAttributeFactory(
        category=pothole,
        code="size",
        datatype=AttributeDatatype.SINGLEVALUELIST,
        values=[{"key": "s", "name": "Pequeño"}, {"key": "l", "name": "Grande"}],
        order=1,
    )
    CategoryAttributeFactory(
        category=pothole,
        code="where",
        datatype=AttributeDatatype.MULTIVALUELIST,
        values=[{"key": "road", "name": "Calzada"}, {"key": "walk", "name": "Vereda"}],
        order=2,
    )
    RoutingRuleFactory(category=pothole, area=None, agencies=[roads])
    CategoryFactory(jurisdiction=jurisdiction, code="002", name="Luminaria", type=ServiceType.BATCH)
    CategoryFactory(jurisdiction=jurisdiction, code="003", name="Ruido", type=ServiceType.BLACKBOX)
    CategoryFactory(jurisdiction=jurisdiction, code="004", name="Abuso", privacy=PrivacyClass.SENSITIVE)
    CategoryFactory(jurisdiction=jurisdiction, code="099", name="Retirada", is_active=False)
    _key, raw = open311_key_create(jurisdiction=jurisdiction, name="City app")
    jurisdiction.raw_key = raw
    jurisdiction.centro = centro
    jurisdiction.roads = roads
    return jurisdiction


def tree(element):
    children = list(element)
    if children:
        return (element.tag, [tree(child) for child in children])
    return (element.tag, element.text or "")


def parse_xml(response):
    assert response["Content-Type"] == XML_TYPE
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 — our own server's output


def post(client, fmt="json", headers=None, **fields):
    return client.post(f"{BASE}/requests.{fmt}", fields, headers=headers)


def pothole(city, **extra):
    fields = {
        "api_key": city.raw_key,
        "service_code": "001",
        "lat": "-33.45",
        "long": "-70.65",
        "description": "Un hoyo enorme.",
        "attribute[size]": "l",
    }
    fields.update(extra)
    return {name: value for name, value in fields.items() if value is not None}


def errors(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == JSON_TYPE
    return [error["description"] for error in response.json() if error["code"] == status]


# --- POST requests ------------------------------------------------------------------------------


def test_post_request_json_files_a_confirmed_anonymous_report_through_the_api(client, city):
    response = client.post(
        f"{BASE}/requests.json",
        pothole(
            city,
            **{"attribute[where][]": ["road", "walk"]},
            first_name="Zebulon",
            last_name="Quixote-Marbury",
            email=EMAIL,
            phone=PHONE,
            device_id="dev-1",
            account_id="acc-9",
        ),
    )
    assert response.status_code == 200
    assert response["Content-Type"] == JSON_TYPE
    report = Report.objects.get()
    due = timezone.localtime(report.resolve_due_at, city.tzinfo).isoformat(timespec="minutes")
    assert response.json() == [
        {
            "service_request_id": report.reference,
            "service_notice": f"Expected to be resolved by {due}.",
            "account_id": "",
        }
    ]
    assert (report.status, report.channel, report.visibility, report.public_name) == (
        ReportStatus.SUBMITTED,
        Channel.API,
        ReporterVisibility.ANONYMOUS,
        "",
    )
    assert (report.owner, report.area, report.lon, report.lat) == (city.roads, city.centro, -70.65, -33.45)
    assert report.attributes == {"size": "l", "where": ["road", "walk"]}
    contact = ReportContact.objects.get(report=report)
    assert (contact.name, contact.email, contact.phone) == (NAME, EMAIL, PHONE)
    # A trusted channel: submitted at once, with no confirmation step on the timeline.
    assert list(ReportUpdate.objects.filter(report=report).values_list("kind", flat=True)) == []
    event = AuditEvent.objects.get(action="report.open311_request")
    assert (event.channel, event.after["integration"]) == (Channel.API, "City app")


def test_post_request_xml_answers_in_the_spec_elements(client, city):
    response = post(client, "xml", **pothole(city))
    assert response.status_code == 200
    report = Report.objects.get()
    root = parse_xml(response)
    assert tree(root) == (
        "service_requests",
        [
            (
                "request",
                [
                    ("service_request_id", report.reference),
                    ("service_notice", root.find("request/service_notice").text),
                    ("account_id", ""),
                ],
            )
        ],
    )


def test_post_request_accepts_api_key_and_jurisdiction_in_the_query_string(client, city):
    JurisdictionFactory(domain="otra.example.org")
    fields = pothole(city)
    del fields["api_key"]
    response = client.post(f"{BASE}/requests.json?api_key={city.raw_key}&jurisdiction_id=villa.example.org", fields)
    assert response.status_code == 200
    assert Report.objects.get().jurisdiction == city


def test_post_request_by_address_id_places_it_in_that_area(client, city):
    response = post(client, **pothole(city, lat=None, long=None, address_id="centro"))
    assert response.status_code == 200
    report = Report.objects.get()
    assert (report.area, report.lon, report.owner) == (city.centro, None, city.roads)


def test_post_request_by_address_string_only(client, city):
    response = post(client, **pothole(city, lat=None, long=None, address_string="Calle 5 y Av. Sur"))
    assert response.status_code == 200
    assert Report.objects.get().address_string == "Calle 5 y Av. Sur"


def test_post_request_without_description_takes_the_service_name(client, city):
    assert post(client, **pothole(city, description="")).status_code == 200
    assert Report.objects.get().description == "Bache"


def test_post_request_keeps_media_url_and_serves_it(client, city):
    post(client, **pothole(city, media_url="https://photos.example.net/a.jpg"))
    report = Report.objects.get()
    assert report.media_url == "https://photos.example.net/a.jpg"
    data = client.get(f"{BASE}/requests/{report.reference}.json").json()
    assert data[0]["media_url"] == "https://photos.example.net/a.jpg"


def test_post_request_single_multivaluelist_value_is_a_list(client, city):
    post(client, **pothole(city, **{"attribute[where]": "walk"}))
    assert Report.objects.get().attributes["where"] == ["walk"]


def test_post_request_batch_service_answers_a_token_that_gives_the_id(client, city):
    response = post(client, **pothole(city, service_code="002", **{"attribute[size]": None}))
    assert response.status_code == 200
    report = Report.objects.get()
    answer = response.json()[0]
    assert set(answer) == {"token", "service_notice", "account_id"}
    assert answer["token"] == report.open311_token
    assert len(answer["token"]) >= 32
    for fmt in ("json", "xml"):
        lookup = client.get(f"{BASE}/tokens/{answer['token']}.{fmt}")
        assert lookup.status_code == 200
        if fmt == "json":
            assert lookup.json() == [{"service_request_id": report.reference, "token": answer["token"]}]
        else:
            assert tree(parse_xml(lookup)) == (
                "service_requests",
                [("request", [("service_request_id", report.reference), ("token", answer["token"])])],
            )


def test_post_request_blackbox_service_answers_neither_id_nor_token(client, city):
    response = post(client, "xml", **pothole(city, service_code="003", **{"attribute[size]": None}))
    assert response.status_code == 200
    assert [child.tag for child in parse_xml(response).find("request")] == ["service_notice", "account_id"]
    assert Report.objects.get().open311_token is None


def test_token_unknown_is_404(client, city):
    assert errors(client.get(f"{BASE}/tokens/nothing-here.json"), 404) == ["token nothing-here was not found."]
    assert tree(parse_xml(client.get(f"{BASE}/tokens/nothing-here.xml")))[0] == "errors"


def test_post_request_idempotency_key_retry_answers_the_same_and_creates_nothing(client, city):
    headers = {"Idempotency-Key": "retry-1"}
    first = post(client, headers=headers, **pothole(city, media_url="https://photos.example.net/a.jpg"))
    again = post(client, headers=headers, **pothole(city, media_url="https://photos.example.net/a.jpg"))
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert Report.objects.count() == 1
    assert AuditEvent.objects.filter(action="report.open311_request").count() == 1


def test_post_request_idempotency_key_reused_for_another_report_is_400(client, city):
    post(client, headers={"Idempotency-Key": "k"}, **pothole(city))
    response = post(client, headers={"Idempotency-Key": "k"}, **pothole(city, description="Otra cosa."))
    assert errors(response, 400) == [
        "This idempotency key was already used for a different report; send a new key for a new report."
    ]


def test_post_request_batch_retry_gives_the_same_token(client, city):
    fields = pothole(city, service_code="002", **{"attribute[size]": None})
    first = post(client, headers={"Idempotency-Key": "b"}, **fields)
    again = post(client, headers={"Idempotency-Key": "b"}, **fields)
    assert again.content == first.content


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("api_key", "description"),
    [
        (None, "api_key was not provided; posting needs the key of an integration."),
        ("", "api_key was not provided; posting needs the key of an integration."),
        (
            "o311_nope",
            "Invalid api_key received: it is unknown here or was revoked. Ask the administrators of Villa Clara.",
        ),
    ],
)
def test_post_request_without_a_valid_api_key_is_403(client, city, fmt, api_key, description):
    response = post(client, fmt, **pothole(city, api_key=api_key))
    assert response.status_code == 403
    if fmt == "json":
        assert response.json() == [{"code": 403, "description": description}]
    else:
        assert tree(parse_xml(response)) == ("errors", [("error", [("code", "403"), ("description", description)])])
    assert not Report.objects.exists()


def test_post_request_with_a_revoked_key_or_another_jurisdictions_key_is_403(client, city):
    key, raw = open311_key_create(jurisdiction=city, name="Old app")
    open311_key_revoke(key=key, by=None)
    assert post(client, **pothole(city, api_key=raw)).status_code == 403
    _other, foreign = open311_key_create(jurisdiction=JurisdictionFactory(), name="Elsewhere")
    response = post(client, **pothole(city, api_key=foreign, jurisdiction_id="villa.example.org"))
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_post_request_collects_every_missing_field_in_one_400(client, city):
    response = post(client, api_key=city.raw_key)
    assert errors(response, 400) == [
        "service_code was not provided; GET services lists the valid codes.",
        "A location is required: lat and long, address_string or address_id (an area's slug).",
    ]


@pytest.mark.parametrize(
    ("fields", "description"),
    [
        ({"lat": "north"}, "lat north is not a WGS84 coordinate; give a number from -90 to 90."),
        ({"long": "200"}, "long 200 is not a WGS84 coordinate; give a number from -180 to 180."),
        ({"long": ""}, "Give both lat and long, or neither."),
        (
            {"media_url": "ftp://x.example/a"},
            "media_url ftp://x.example/a is not an http(s) address of at most 500 characters.",
        ),
    ],
)
def test_post_request_bad_parameter_is_400_naming_it(client, city, fields, description):
    assert errors(post(client, **pothole(city, **fields)), 400) == [description]


@pytest.mark.parametrize("code", ["999", "099"])
def test_post_request_unknown_or_inactive_service_code_is_404(client, city, code):
    assert errors(post(client, **pothole(city, service_code=code)), 404) == [
        f"service_code {code} was not found in Villa Clara; GET services lists the valid codes."
    ]


def test_post_request_service_errors_are_400_with_the_services_words(client, city):
    response = post(client, **pothole(city, **{"attribute[size]": "xl", "attribute[nope]": "1"}, lat="10", long="10"))
    [description] = errors(response, 400)
    assert "The category 001 has no question nope." in description
    assert "Question size: xl is not one of the choices: s, l." in description
    assert "outside Villa Clara" in description
    assert not Report.objects.exists()


def test_post_request_unknown_address_id_is_400(client, city):
    response = post(client, **pothole(city, lat=None, long=None, address_id="nowhere"))
    assert errors(response, 400) == ["There is no area nowhere in Villa Clara."]


def test_post_request_json_body_is_refused_asking_for_a_form(client, city):
    body = json.dumps(pothole(city))
    response = client.post(f"{BASE}/requests.json", body, content_type="application/json")
    assert errors(response, 403) == [
        (
            "api_key was not provided: the body is not form-encoded (Content-Type: application/x-www-form-urlencoded), "
            "so none of its fields could be read."
        )
    ]
    response = client.post(f"{BASE}/requests.json?api_key={city.raw_key}", body, content_type="application/json")
    assert errors(response, 400) == [
        "Send the fields form-encoded (Content-Type: application/x-www-form-urlencoded), not application/json."
    ]
    assert not Report.objects.exists()


def test_post_request_empty_optional_fields_behave_as_missing(client, city):
    fields = pothole(city, address_string="", address_id="", email="", phone="", first_name="", media_url="")
    first = post(client, headers={"Idempotency-Key": "a"}, **fields)
    second = post(client, headers={"Idempotency-Key": "b"}, **pothole(city))
    assert first.status_code == second.status_code == 200
    one, two = Report.objects.order_by("pk")
    assert (one.address_string, one.media_url, one.area) == (two.address_string, two.media_url, two.area)
    assert not ReportContact.objects.exists()


def test_post_request_is_not_subject_to_csrf(city):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(f"{BASE}/requests.json", pothole(city))
    assert response.status_code == 200


def test_requests_other_methods_are_400_with_allow(client, city):
    response = client.put(f"{BASE}/requests.json", "x=1", content_type=FORM)
    assert response["Allow"] == "GET, HEAD, POST"
    assert errors(response, 400) == ["Method PUT is not allowed here; use GET or POST."]


# --- GET requests -------------------------------------------------------------------------------


def stamp(moment):
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def submitted(city, days_ago=0, **fields):
    moment = timezone.now() - dt.timedelta(days=days_ago)
    defaults = {"category": city.categories.get(code="001"), "submitted_at": moment, "owner": city.roads}
    defaults.update(fields)
    return ReportFactory(**defaults)


def test_get_requests_json_has_every_spec_field(client, city):
    report = submitted(
        city,
        lon=-70.65,
        lat=-33.45,
        area=city.centro,
        address_string="Calle 5",
        status=ReportStatus.ACKNOWLEDGED,
    )
    ReportUpdate.objects.create(
        report=report, kind=UpdateKind.ACKNOWLEDGED, status=report.status, text="Lo vemos.", created_at=timezone.now()
    )
    ReportUpdate.objects.create(
        report=report,
        kind=UpdateKind.NOTE,
        status=report.status,
        text="secreto",
        is_internal=True,
        created_at=timezone.now() + dt.timedelta(seconds=1),
    )
    response = client.get(f"{BASE}/requests.json")
    assert response.status_code == 200
    assert response["Content-Type"] == JSON_TYPE
    [data] = response.json()
    due = timezone.localtime(report.resolve_due_at, city.tzinfo).isoformat(timespec="minutes")
    update = ReportUpdate.objects.get(kind=UpdateKind.ACKNOWLEDGED)
    assert data == {
        "service_request_id": report.reference,
        "status": "open",
        "status_notes": "Lo vemos.",
        "service_name": "Bache",
        "service_code": "001",
        "description": report.description,
        "agency_responsible": "Vialidad",
        "service_notice": f"Expected to be resolved by {due}.",
        "requested_datetime": report.submitted_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "updated_datetime": update.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "expected_datetime": report.resolve_due_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "address": "Calle 5",
        "address_id": "centro",
        "zipcode": "",
        "lat": -33.45,
        "long": -70.65,
        "media_url": "",
    }
    assert b"secreto" not in response.content


def test_get_requests_xml_is_well_formed_whatever_the_text_holds(client, city):
    report = submitted(city, description="Hoyo <grande> & \x0bprofundo\x1f ✓")
    request = parse_xml(client.get(f"{BASE}/requests.xml")).find("request")
    assert request.findtext("description") == "Hoyo <grande> & profundo ✓"
    assert client.get(f"{BASE}/requests.json").json()[0]["description"] == report.description


def test_get_requests_xml_uses_the_spec_elements_in_order(client, city):
    report = submitted(city)
    root = parse_xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    [request] = list(root)
    assert request.tag == "request"
    assert [child.tag for child in request] == [
        "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
        "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
        "address", "address_id", "zipcode", "lat", "long", "media_url",
    ]  # fmt: skip
    assert (request.findtext("service_request_id"), request.findtext("lat")) == (report.reference, "")


def test_get_requests_locale_translates_service_and_agency_names(client, city):
    submitted(city)
    [data] = client.get(f"{BASE}/requests.json", {"locale": "en"}).json()
    assert (data["service_name"], data["agency_responsible"]) == ("Pothole", "Roads")


def test_get_requests_closed_request_is_closed_at_its_closing_time(client, city):
    report = submitted(city)
    report_fix(report=report, by=None, text="Tapado.", channel=Channel.WEB)
    report.refresh_from_db()
    [data] = client.get(f"{BASE}/requests.json").json()
    assert (data["status"], data["status_notes"], data["service_notice"]) == ("closed", "Tapado.", "")
    assert data["updated_datetime"] == report.closed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_get_requests_only_public_ones_newest_first(client, city):
    older = submitted(city, days_ago=2)
    newer = submitted(city, days_ago=1)
    submitted(city, visibility=ReporterVisibility.CONFIDENTIAL)
    submitted(city, status=ReportStatus.UNVERIFIED)
    submitted(city, category=city.categories.get(code="004"))
    submitted(city, category=CategoryFactory(), owner=None)  # another jurisdiction
    response = client.get(f"{BASE}/requests.json", {"jurisdiction_id": "villa.example.org"})
    assert [r["service_request_id"] for r in response.json()] == [newer.reference, older.reference]


def test_get_requests_default_window_is_the_last_90_days(client, city):
    recent = submitted(city, days_ago=89)
    submitted(city, days_ago=91)
    assert [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()] == [recent.reference]


def test_get_requests_start_and_end_date_bound_requested_datetime(client, city):
    base = timezone.now() - dt.timedelta(days=200)
    inside = submitted(city, submitted_at=base + dt.timedelta(days=5))
    submitted(city, submitted_at=base + dt.timedelta(days=15))
    submitted(city, submitted_at=base - dt.timedelta(days=1))
    params = {
        "start_date": base.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_date": (base + dt.timedelta(days=10)).isoformat(),
    }
    assert [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", params).json()] == [inside.reference]
    # start_date alone: 90 days from it.
    only_start = client.get(f"{BASE}/requests.json", {"start_date": params["start_date"]}).json()
    assert len(only_start) == 2


def test_get_requests_offset_with_an_unencoded_plus_is_understood(client, city):
    submitted(city, days_ago=1)
    moment = (timezone.now() - dt.timedelta(days=3)).astimezone(dt.timezone(dt.timedelta(hours=1)))
    query = "start_date=" + moment.strftime("%Y-%m-%dT%H:%M:%S+01:00")
    assert len(client.get(f"{BASE}/requests.json?{query}").json()) == 1


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"start_date": "yesterday"}, ("start_date yesterday is not a W3C datetime with a timezone; give one like "
         "2010-01-01T00:00:00Z.")),
        ({"end_date": "2026-01-01T00:00:00"}, ("end_date 2026-01-01T00:00:00 is not a W3C datetime with a timezone; "
         "give one like 2010-01-01T00:00:00Z.")),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
         "start_date and end_date may be at most 90 days apart."),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
         "end_date is before start_date; give end_date after start_date."),
        ({"status": "open,pending"}, "status pending is not open or closed."),
        ({"page": "0"}, "page must be a whole number from 1 to 1000000."),
        ({"page": str(10**20)}, "page must be a whole number from 1 to 1000000."),
        ({"service_request_id": ",".join(f"R{n}" for n in range(1001))}, "Ask for at most 1000 service_request_id at once."),
        ({"page_size": "1001"}, "page_size must be a whole number from 1 to 1000."),
        ({"page_size": "ten"}, "page_size must be a whole number from 1 to 1000."),
    ],
)  # fmt: skip
def test_get_requests_bad_parameter_is_400_naming_it(client, city, params, description):
    assert errors(client.get(f"{BASE}/requests.json", params), 400) == [description]
    response = client.get(f"{BASE}/requests.xml", params)
    assert response.status_code == 400
    assert tree(parse_xml(response)) == ("errors", [("error", [("code", "400"), ("description", description)])])


def test_get_requests_status_and_service_code_filters_take_comma_lists(client, city):
    open_one = submitted(city, days_ago=3)
    fixed = submitted(city, days_ago=2, status=ReportStatus.FIXED, closed_at=timezone.now())
    light = submitted(city, days_ago=1, category=city.categories.get(code="002"))

    def ids(params):
        return [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", params).json()]

    assert ids({"status": "closed"}) == [fixed.reference]
    assert ids({"status": "OPEN"}) == [light.reference, open_one.reference]
    assert ids({"status": "open,closed"}) == [light.reference, fixed.reference, open_one.reference]
    assert ids({"service_code": "002"}) == [light.reference]
    assert ids({"service_code": "002,001", "status": "open"}) == [light.reference, open_one.reference]


def test_get_requests_service_request_id_overrides_every_other_filter(client, city):
    old = submitted(city, days_ago=400, status=ReportStatus.FIXED)
    new = submitted(city)
    secret = submitted(city, visibility=ReporterVisibility.CONFIDENTIAL)
    params = {
        "service_request_id": f"{old.reference}, {new.reference.lower()},{secret.reference}",
        "status": "open",
        "service_code": "002",
        "start_date": "bad",
    }
    ids = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", params).json()]
    assert ids == [new.reference, old.reference]


def test_get_requests_pages(client, city):
    reports = [submitted(city, days_ago=n) for n in range(5)]
    pages = [
        [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", {"page": p, "page_size": 2}).json()]
        for p in (1, 2, 3, 4)
    ]
    assert pages == [[r.reference for r in reports[i : i + 2]] for i in (0, 2, 4, 6)]


def test_get_requests_at_most_1000(client, city, settings):
    now = timezone.now()
    category = city.categories.get(code="001")
    Report.objects.bulk_create(
        [
            Report(
                jurisdiction=city,
                category=category,
                reference=f"B{n:07d}",
                description="x",
                submitted_at=now - dt.timedelta(minutes=n),
                acknowledge_due_at=now,
                resolve_due_at=now,
                owner=city.roads,
            )
            for n in range(1001)
        ]
    )
    data = client.get(f"{BASE}/requests.json").json()
    assert len(data) == 1000
    assert data[-1]["service_request_id"] == "B0000999"


@pytest.mark.parametrize(
    "params",
    [
        {"jurisdiction_id": "", "service_code": "", "status": "", "start_date": "", "end_date": ""},
        {"service_request_id": "", "page": "", "page_size": "", "locale": ""},
    ],
)
def test_get_requests_empty_parameters_behave_as_missing(client, city, params):
    submitted(city)
    for fmt in ("json", "xml"):
        assert client.get(f"{BASE}/requests.{fmt}", params).content == client.get(f"{BASE}/requests.{fmt}").content


def test_get_requests_unknown_jurisdiction_is_404(client, city):
    for path in ("requests.json", "requests/T0000001.json", "tokens/abc.json"):
        response = client.get(f"{BASE}/{path}", {"jurisdiction_id": "nowhere.example.org"})
        assert errors(response, 404) == [
            "jurisdiction_id nowhere.example.org was not found: give the web domain of a jurisdiction served here."
        ]


def test_get_requests_query_count_does_not_grow(client, city, django_assert_num_queries):
    submitted(city, area=city.centro)
    with django_assert_num_queries(3) as one:  # host → jurisdiction (2), the reports (with their first photo)
        assert len(client.get(f"{BASE}/requests.json").json()) == 1
    for _ in range(2):
        submitted(city, area=city.centro)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(f"{BASE}/requests.json").json()) == 3
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(f"{BASE}/requests.xml").status_code == 200


def test_get_requests_query_count_is_the_same_for_pages_and_filters(client, city, django_assert_num_queries):
    submitted(city)
    with django_assert_num_queries(3) as one:
        assert len(client.get(f"{BASE}/requests.json").json()) == 1
    for days_ago in range(12):
        submitted(city, days_ago=days_ago)
    for params in [
        {"page_size": "5", "page": "2"},
        {"service_code": "001,003", "status": "open", "page_size": "5", "page": "3"},
        {"service_request_id": ",".join(Report.objects.values_list("reference", flat=True)[:4])},
    ]:
        with django_assert_num_queries(len(one.captured_queries)):
            assert client.get(f"{BASE}/requests.json", params).status_code == 200


def test_get_requests_times_are_cut_to_the_second(client, city):
    moment = timezone.now().replace(second=59, microsecond=999_999)
    report = submitted(city, submitted_at=moment, resolve_due_at=moment + dt.timedelta(days=2))
    [data] = client.get(f"{BASE}/requests.json").json()
    assert (data["requested_datetime"], data["updated_datetime"], data["expected_datetime"]) == (
        stamp(moment),
        stamp(moment),
        stamp(report.resolve_due_at),
    )
    assert data["requested_datetime"].endswith(":59Z")
    due = timezone.localtime(report.resolve_due_at, city.tzinfo).isoformat(timespec="minutes")
    assert data["service_notice"] == f"Expected to be resolved by {due}."


def test_get_requests_extensions_add_the_public_timeline_and_photos(client, city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = submitted(city, reference="K7M3QX9P", channel=Channel.API)
    moment = timezone.now()
    for kind, text, internal, seconds in [
        (UpdateKind.CONFIRMED, "", False, 0),
        (UpdateKind.NOTE, "Llamar a Zebulon", True, 1),
        (UpdateKind.ACKNOWLEDGED, "Lo vemos.", False, 2),
    ]:
        ReportUpdate.objects.create(
            report=report,
            kind=kind,
            status=report.status,
            text=text,
            is_internal=internal,
            created_at=moment + dt.timedelta(seconds=seconds),
        )
    shown = photo(report)
    photo(report, is_public=False)
    url = "http://testserver" + reverse("reports:photo", args=[report.reference, shown.pk])
    response = client.get(f"{BASE}/requests/{report.reference}.json", {"extensions": "true"})
    [data] = response.json()
    assert (data["extended_attributes"], data["notes"]) == (
        {
            "channel": "api",
            "photos": [{"media_url": url, "width": 4, "height": 3, "created_at": stamp(shown.created_at)}],
        },
        [
            {"datetime": stamp(moment), "description": "", "type": "confirmed"},
            {"datetime": stamp(moment + dt.timedelta(seconds=2)), "description": "Lo vemos.", "type": "acknowledged"},
        ],
    )
    assert b"Zebulon" not in response.content
    request = parse_xml(client.get(f"{BASE}/requests.xml", {"extensions": "TRUE"})).find("request")
    assert [child.tag for child in request][-2:] == ["extended_attributes", "notes"]
    assert [note.findtext("type") for note in request.find("notes")] == ["confirmed", "acknowledged"]
    assert request.find("extended_attributes/photos/photo/media_url").text == url
    plain = client.get(f"{BASE}/requests.json", {"extensions": "false"}).json()[0]
    assert "notes" not in plain
    assert plain == client.get(f"{BASE}/requests.json", {"extensions": ""}).json()[0]


def test_get_requests_extensions_bad_value_is_400(client, city):
    assert errors(client.get(f"{BASE}/requests.json", {"extensions": "yes"}), 400) == [
        "extensions yes is not true or false."
    ]


def test_get_requests_with_extensions_query_count_does_not_grow(client, city, django_assert_num_queries):
    def add():
        report = submitted(city)
        ReportUpdate.objects.create(
            report=report, kind=UpdateKind.COMMENT, status=report.status, created_at=timezone.now()
        )

    add()
    with django_assert_num_queries(5) as one:  # host → jurisdiction (2), the reports, their photos, their notes
        assert len(client.get(f"{BASE}/requests.json", {"extensions": "true"}).json()) == 1
    add()
    add()
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(f"{BASE}/requests.json", {"extensions": "true"}).json()) == 3


# --- GET requests/{id} --------------------------------------------------------------------------


def test_get_request_is_a_list_of_one_in_both_formats(client, city):
    report = submitted(city)
    listed = client.get(f"{BASE}/requests.json").json()
    response = client.get(f"{BASE}/requests/{report.reference}.json")
    assert response.status_code == 200
    assert response.json() == listed
    assert client.get(f"{BASE}/requests/{report.reference.lower()}.json").json() == listed
    root = parse_xml(client.get(f"{BASE}/requests/{report.reference}.xml"))
    assert (root.tag, [child.tag for child in root]) == ("service_requests", ["request"])


@pytest.mark.parametrize(
    "fields",
    [
        {"visibility": ReporterVisibility.CONFIDENTIAL},
        {"status": ReportStatus.UNVERIFIED},
        {"sensitive": True},
    ],
)
def test_get_request_not_public_is_404(client, city, fields):
    if fields.pop("sensitive", False):
        fields["category"] = city.categories.get(code="004")
    report = submitted(city, **fields)
    assert errors(client.get(f"{BASE}/requests/{report.reference}.json"), 404) == [
        f"service_request_id {report.reference} was not found."
    ]
    assert tree(parse_xml(client.get(f"{BASE}/requests/{report.reference}.xml")))[0] == "errors"


def test_get_request_unknown_is_404(client, city):
    assert errors(client.get(f"{BASE}/requests/NOPE.json"), 404) == ["service_request_id NOPE was not found."]


def test_get_request_post_is_400(client, city):
    report = submitted(city)
    response = client.post(f"{BASE}/requests/{report.reference}.json", {"api_key": city.raw_key})
    assert response["Allow"] == "GET, HEAD"
    assert errors(response, 400) == ["Method POST is not allowed here; use GET."]


def photo(report, **fields):
    image = io.BytesIO()
    Image.new("RGB", (4, 3)).save(image, "JPEG")
    return ReportPhoto.objects.create(report=report, image=SimpleUploadedFile("p.jpg", image.getvalue()), **fields)


def test_get_request_media_url_is_the_first_public_photo(client, city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = submitted(city, reference="K7M3QX9P")
    photo(report, is_public=False)
    note = ReportUpdate.objects.create(
        report=report, kind=UpdateKind.NOTE, status=report.status, is_internal=True, created_at=timezone.now()
    )
    photo(report, update=note)  # on an internal note: not public either
    shown = photo(report)
    photo(report)
    [data] = client.get(f"{BASE}/requests/{report.reference}.json").json()
    assert data["media_url"] == "http://testserver" + reverse("reports:photo", args=[report.reference, shown.pk])
    served = client.get(data["media_url"])
    served.close()  # a file response: close it, or its file is left open
    assert served.status_code == 200


# --- personal data ------------------------------------------------------------------------------


def test_personal_data_never_appears_in_request_outputs(client, city):
    answer = post(
        client,
        **pothole(city, first_name="Zebulon", last_name="Quixote-Marbury", email=EMAIL, phone=PHONE, device_id="dv42x"),
    )
    reference = answer.json()[0]["service_request_id"]
    public = submitted(city, public_name=NAME)  # a citizen who chose to be named on the web
    outputs = [answer.content]
    for fmt in ("json", "xml"):
        outputs += [
            client.get(f"{BASE}/requests.{fmt}").content,
            client.get(f"{BASE}/requests.{fmt}", {"extensions": "true"}).content,
            client.get(f"{BASE}/requests/{reference}.{fmt}").content,
            client.get(f"{BASE}/requests/{public.reference}.{fmt}").content,
            client.get(f"{BASE}/servicerequestupdates.{fmt}").content,
        ]
    assert reference.encode() in outputs[1]
    for content in outputs:
        for secret in (NAME, "Zebulon", "Quixote", EMAIL, PHONE, "8765", "dv42x"):
            assert secret.encode() not in content


# --- who may do what ------------------------------------------------------------------------------

ROLES = [None, "citizen", Role.AGENCY_STAFF, Role.AGENCY_MANAGER, Role.SUPERVISOR, Role.MONITOR, Role.ADMINISTRATOR]


@pytest.mark.parametrize("role", ROLES, ids=lambda role: str(role or "anonymous"))
def test_open311_answers_every_role_the_same_a_session_is_no_api_key(client, city, role):
    """Reads are public; writes need an api_key whoever is signed in (the same rows as the permission matrix)."""
    if role is not None:
        client.force_login(user_with_role(None if role == "citizen" else role, jurisdiction=city, agency=city.roads))
    report = submitted(city)
    expected = [
        ("GET", f"{BASE}/requests.json", 200),
        ("POST", f"{BASE}/requests.json", 403),
        ("GET", f"{BASE}/requests/{report.reference}.xml", 200),
        ("GET", f"{BASE}/tokens/unknown.json", 404),
        ("GET", f"{BASE}/servicerequestupdates.json", 200),
        ("POST", f"{BASE}/servicerequestupdates.xml", 403),
    ]
    assert [(method, path, client.generic(method, path).status_code) for method, path, _status in expected] == expected
    assert not Report.objects.exclude(pk=report.pk).exists()

"""FixMyStreet's Open311 extension: GET and POST servicerequestupdates, with extended statuses."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from civicloop.core.enums import Channel
from civicloop.core.models import AuditEvent
from civicloop.reports.enums import PrivacyClass, ReporterVisibility, ReportStatus, UpdateKind
from civicloop.reports.models import ReportUpdate
from civicloop.reports.open311 import EXTENDED_STATUS
from civicloop.reports.services import open311_key_create, report_acknowledge, report_comment, report_fix
from tests.factories import AgencyFactory, JurisdictionFactory
from tests.reports.factories import CategoryFactory, ReportFactory

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
URL = f"{BASE}/servicerequestupdates"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


@pytest.fixture
def city():
    jurisdiction = JurisdictionFactory(name="Villa Clara", domain="villa.example.org", languages=["es", "en"])
    jurisdiction.roads = AgencyFactory(jurisdiction=jurisdiction, name="Vialidad")
    jurisdiction.pothole = CategoryFactory(jurisdiction=jurisdiction, code="001", name="Bache")
    _key, jurisdiction.raw_key = open311_key_create(
        jurisdiction=jurisdiction, name="Back office", can_post_updates=True
    )
    return jurisdiction


def report_in(city, **fields):
    defaults = {"category": city.pothole, "owner": city.roads, "submitted_at": timezone.now() - dt.timedelta(days=1)}
    defaults.update(fields)
    return ReportFactory(**defaults)


def stamp(moment):
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def tree(element):
    children = list(element)
    if children:
        return (element.tag, [tree(child) for child in children])
    return (element.tag, element.text or "")


def parse_xml(response):
    assert response["Content-Type"] == XML_TYPE
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 — our own server's output


def errors(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == JSON_TYPE
    return [error["description"] for error in response.json() if error["code"] == status]


# --- GET ----------------------------------------------------------------------------------------


def test_get_updates_json_lists_public_entries_oldest_first(client, city):
    report = report_in(city)
    report_acknowledge(report=report, by=None, text="Lo vemos.")
    report_comment(report=report, by=None, text="Nota interna", internal=True)
    report_comment(report=report, by=None, text="Vamos mañana.", internal=False)
    acknowledged, comment = ReportUpdate.objects.filter(is_internal=False).order_by("created_at", "pk")
    response = client.get(f"{URL}.json")
    assert response.status_code == 200
    assert response["Content-Type"] == JSON_TYPE
    assert response.json() == [
        {
            "update_id": str(acknowledged.pk),
            "service_request_id": report.reference,
            "status": "INVESTIGATING",
            "updated_datetime": stamp(acknowledged.created_at),
            "description": "Lo vemos.",
            "media_url": "",
            "external_status_code": "acknowledged",
        },
        {
            "update_id": str(comment.pk),
            "service_request_id": report.reference,
            "status": "INVESTIGATING",
            "updated_datetime": stamp(comment.created_at),
            "description": "Vamos mañana.",
            "media_url": "",
            "external_status_code": "acknowledged",
        },
    ]
    assert b"Nota interna" not in response.content


def test_get_updates_xml_uses_fixmystreets_elements(client, city):
    report = report_in(city)
    report_fix(report=report, by=None, text="Tapado.")
    update = ReportUpdate.objects.get()
    assert tree(parse_xml(client.get(f"{URL}.xml"))) == (
        "service_request_updates",
        [
            (
                "request_update",
                [
                    ("update_id", str(update.pk)),
                    ("service_request_id", report.reference),
                    ("status", "FIXED"),
                    ("updated_datetime", stamp(update.created_at)),
                    ("description", "Tapado."),
                    ("media_url", ""),
                    ("external_status_code", "fixed"),
                ],
            )
        ],
    )


def test_get_updates_empty_is_an_empty_list(client, city):
    assert client.get(f"{URL}.json").json() == []
    assert tree(parse_xml(client.get(f"{URL}.xml"))) == ("service_request_updates", "")


def test_extended_status_covers_every_civicloop_status():
    assert set(EXTENDED_STATUS) == set(ReportStatus)
    assert EXTENDED_STATUS[ReportStatus.CLOSED_WITHOUT_FIX] != "FIXED"


@pytest.mark.parametrize(
    "fields",
    [
        {"visibility": ReporterVisibility.CONFIDENTIAL},
        {"status": ReportStatus.UNVERIFIED},
        {"privacy": PrivacyClass.SENSITIVE},
    ],
)
def test_get_updates_leave_out_reports_the_public_may_not_see(client, city, fields):
    if "privacy" in fields:
        fields = {"category": CategoryFactory(jurisdiction=city, code="004", privacy=fields["privacy"])}
    report = report_in(city, **fields)
    ReportUpdate.objects.create(
        report=report, kind=UpdateKind.COMMENT, status=report.status, text="Hola", created_at=timezone.now()
    )
    assert client.get(f"{URL}.json").json() == []


def test_get_updates_leave_out_the_request_itself_and_other_jurisdictions(client, city):
    report = report_in(city)
    for kind in (UpdateKind.SUBMITTED, UpdateKind.CONFIRMED):
        ReportUpdate.objects.create(report=report, kind=kind, status=report.status, created_at=timezone.now())
    elsewhere = ReportFactory(owner=AgencyFactory())
    report_comment(report=elsewhere, by=None, text="Otro lugar", internal=False)
    assert client.get(f"{URL}.json", {"jurisdiction_id": "villa.example.org"}).json() == []


def test_get_updates_window_default_and_bounds(client, city):
    report = report_in(city)
    now = timezone.now()
    for days in (100, 50, 1):
        ReportUpdate.objects.create(
            report=report,
            kind=UpdateKind.COMMENT,
            status=report.status,
            text=f"{days} days ago",
            created_at=now - dt.timedelta(days=days),
        )

    def texts(params=None):
        return [u["description"] for u in client.get(f"{URL}.json", params or {}).json()]

    assert texts() == ["50 days ago", "1 days ago"]
    assert texts({"start_date": stamp(now - dt.timedelta(days=120)), "end_date": stamp(now - dt.timedelta(days=40))})
    assert texts({"end_date": stamp(now - dt.timedelta(days=40))}) == ["100 days ago", "50 days ago"]
    assert texts({"start_date": stamp(now - dt.timedelta(days=60))}) == ["50 days ago", "1 days ago"]
    assert texts({"page_size": "1", "page": "2"}) == ["1 days ago"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_updates_bad_date_is_400_naming_it(client, city, fmt):
    response = client.get(f"{URL}.{fmt}", {"start_date": "2026-13-01"})
    description = "start_date 2026-13-01 is not a W3C datetime with a timezone; give one like 2010-01-01T00:00:00Z."
    assert response.status_code == 400
    if fmt == "json":
        assert response.json() == [{"code": 400, "description": description}]
    else:
        assert tree(parse_xml(response)) == ("errors", [("error", [("code", "400"), ("description", description)])])


def test_get_updates_empty_parameters_and_an_api_key_change_nothing(client, city):
    report_comment(report=report_in(city), by=None, text="Hola", internal=False)
    for fmt in ("json", "xml"):
        plain = client.get(f"{URL}.{fmt}").content
        for params in (
            {"start_date": "", "end_date": "", "jurisdiction_id": "", "page": ""},
            {"api_key": "whatever"},
        ):
            assert client.get(f"{URL}.{fmt}", params).content == plain


def test_get_updates_query_count_does_not_grow(client, city, django_assert_num_queries):
    def add():
        report_comment(report=report_in(city), by=None, text="Hola", internal=False)

    add()
    with django_assert_num_queries(4) as one:  # host → jurisdiction (2), the updates, their photos
        assert len(client.get(f"{URL}.json").json()) == 1
    add()
    add()
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(f"{URL}.json").json()) == 3


# --- POST ---------------------------------------------------------------------------------------


def post_update(client, city, report, status, fmt="json", **extra):
    fields = {
        "api_key": city.raw_key,
        "service_request_id": report.reference,
        "update_id": "fms-77",
        "updated_datetime": "2026-03-01T10:00:00+01:00",
        "status": status,
        "description": "Texto de la actualización.",
        "first_name": "Zebulon",
        "last_name": "Quixote",
        "email": "zebulon@example.net",
    }
    fields.update(extra)
    return client.post(f"{URL}.{fmt}", {k: v for k, v in fields.items() if v is not None})


def test_post_update_same_open_status_is_a_public_message(client, city):
    report = report_in(city)
    response = post_update(client, city, report, "OPEN")
    assert response.status_code == 200
    assert response["Content-Type"] == JSON_TYPE
    update = ReportUpdate.objects.get()
    assert response.json() == [{"update_id": str(update.pk)}]
    assert (update.kind, update.text, update.is_internal, update.channel, update.by) == (
        UpdateKind.COMMENT,
        "Texto de la actualización.",
        False,
        Channel.API,
        None,
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    event = AuditEvent.objects.get(action="report.open311_update")
    assert (event.after["integration"], event.after["status"], event.channel) == ("Back office", "OPEN", Channel.API)
    assert b"Zebulon" not in client.get(f"{URL}.json").content


def test_post_update_xml_answers_the_update_id(client, city):
    response = post_update(client, city, report_in(city), "open", fmt="xml")
    assert response.status_code == 200
    update = ReportUpdate.objects.get()
    assert tree(parse_xml(response)) == (
        "service_request_updates",
        [("request_update", [("update_id", str(update.pk))])],
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("INVESTIGATING", ReportStatus.ACKNOWLEDGED),
        ("IN_PROGRESS", ReportStatus.IN_PROGRESS),
        ("ACTION_SCHEDULED", ReportStatus.ACTION_SCHEDULED),
        ("FIXED", ReportStatus.FIXED),
        ("NO_FURTHER_ACTION", ReportStatus.CLOSED_WITHOUT_FIX),
        ("CLOSED", ReportStatus.CLOSED_WITHOUT_FIX),
    ],
)
def test_post_update_extended_status_changes_the_report(client, city, status, expected):
    report = report_in(city)
    response = post_update(client, city, report, status)
    assert response.status_code == 200, response.content
    report.refresh_from_db()
    assert report.status == expected
    update = ReportUpdate.objects.get(pk=int(response.json()[0]["update_id"]))
    assert (update.report, update.status, update.text, update.channel) == (
        report,
        expected,
        "Texto de la actualización.",
        Channel.API,
    )
    if expected == ReportStatus.CLOSED_WITHOUT_FIX:
        assert report.close_reason == "no_further_action"
    # What was posted comes back from GET with the status it maps to.
    [listed] = client.get(f"{URL}.json").json()
    assert (listed["update_id"], listed["status"]) == (str(update.pk), EXTENDED_STATUS[expected])


def test_post_update_open_on_a_fixed_report_reopens_it(client, city):
    report = report_in(city)
    report_fix(report=report, by=None, text="Tapado.")
    response = post_update(client, city, report, "REOPEN", description="")
    assert response.status_code == 200
    report.refresh_from_db()
    assert (report.status, report.reopened_count) == (ReportStatus.ACKNOWLEDGED, 1)  # fixing acknowledged it
    assert ReportUpdate.objects.get(pk=int(response.json()[0]["update_id"])).kind == UpdateKind.REOPENED


def test_post_update_reopen_after_the_window_is_400(client, city, settings):
    report = report_in(city, status=ReportStatus.FIXED, closed_at=timezone.now() - dt.timedelta(days=400))
    settings.CIVICLOOP_REOPEN_WINDOW_DAYS = 30
    [description] = errors(post_update(client, city, report, "OPEN"), 400)
    assert "can no longer be reopened" in description


def test_post_update_closing_without_a_description_is_400(client, city):
    report = report_in(city)
    assert errors(post_update(client, city, report, "NO_FURTHER_ACTION", description=""), 400) == [
        "Explain to the reporter why nothing more will be done."
    ]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_post_update_message_without_text_is_400(client, city):
    assert errors(post_update(client, city, report_in(city), "OPEN", description=""), 400) == [
        "Write the message or note."
    ]


def test_post_update_forbidden_transition_is_400(client, city):
    report = report_in(city, status=ReportStatus.IN_PROGRESS)
    [description] = errors(post_update(client, city, report, "INVESTIGATING"), 400)
    assert description == f"Report {report.reference} is in progress, so it cannot be acknowledged."


@pytest.mark.parametrize("status", ["DUPLICATE", "NOT_COUNCILS_RESPONSIBILITY", "internal_referral"])
def test_post_update_statuses_that_need_more_are_refused(client, city, status):
    report = report_in(city)
    assert errors(post_update(client, city, report, status), 400) == [
        (
            f"status {status.upper()} cannot be set through Open311: it must name the original report or the agency "
            "responsible. Staff do it in civicloop."
        )
    ]
    assert not ReportUpdate.objects.exists()


def test_post_update_unknown_status_is_400_listing_the_valid_ones(client, city):
    assert errors(post_update(client, city, report_in(city), "DONE"), 400) == [
        (
            "status DONE is not one of: OPEN, REOPEN, INVESTIGATING, IN_PROGRESS, ACTION_SCHEDULED, FIXED, "
            "NO_FURTHER_ACTION, CLOSED."
        )
    ]


def test_post_update_missing_fields_are_listed_together(client, city):
    response = client.post(f"{URL}.json", {"api_key": city.raw_key, "description": "x", "status": ""})
    assert errors(response, 400) == [
        "service_request_id was not provided.",
        "status was not provided.",
        "updated_datetime was not provided.",
    ]


def test_post_update_bad_updated_datetime_is_400(client, city):
    assert errors(post_update(client, city, report_in(city), "OPEN", updated_datetime="ayer"), 400) == [
        "updated_datetime ayer is not a W3C datetime with a timezone; give one like 2010-01-01T00:00:00Z."
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("api_key", [None, "", "o311_wrong"])
def test_post_update_without_a_valid_api_key_is_403(client, city, fmt, api_key):
    response = post_update(client, city, report_in(city), "OPEN", fmt=fmt, api_key=api_key)
    assert response.status_code == 403
    if fmt == "json":
        assert response.json()[0]["code"] == 403
    else:
        assert parse_xml(response).find("error/code").text == "403"
    assert not ReportUpdate.objects.exists()


def test_post_update_unknown_request_is_404(client, city):
    report = report_in(city)
    report.reference = "ZZZZZZZZ"
    assert errors(post_update(client, city, report, "OPEN"), 404) == ["service_request_id ZZZZZZZZ was not found."]


def test_post_update_in_another_jurisdiction_is_404(client, city):
    elsewhere = ReportFactory(owner=AgencyFactory())
    response = post_update(client, city, elsewhere, "OPEN", jurisdiction_id="villa.example.org")
    assert response.status_code == 404


def test_updates_other_methods_are_400_with_allow(client, city):
    response = client.delete(f"{URL}.json")
    assert response["Allow"] == "GET, HEAD, POST"
    assert errors(response, 400) == ["Method DELETE is not allowed here; use GET or POST."]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_updates_unknown_jurisdiction_is_404(client, city, method):
    response = client.generic(method, f"{URL}.json?jurisdiction_id=nowhere.example.org")
    assert errors(response, 404) == [
        "jurisdiction_id nowhere.example.org was not found: give the web domain of a jurisdiction served here."
    ]


def test_post_update_with_a_key_not_issued_for_updates_is_403_and_changes_nothing(client, city):
    report = report_in(city)
    _key, raw = open311_key_create(jurisdiction=city, name="Citizen app")

    response = client.post(
        f"{URL}.json",
        {
            "api_key": raw,
            "service_request_id": report.reference,
            "status": "FIXED",
            "updated_datetime": stamp(timezone.now()),
        },
    )

    report.refresh_from_db()
    assert response.status_code == 403
    assert response.json() == [
        {
            "code": 403,
            "description": f"This api_key may not post status updates for request {report.reference}; "
            "ask the jurisdiction for a key that may.",
        }
    ]
    assert report.status == ReportStatus.SUBMITTED


def test_post_update_with_an_agency_key_only_touches_that_agencys_reports(client, city):
    parks = AgencyFactory(jurisdiction=city, name="Parques")
    theirs = report_in(city, owner=parks)
    ours = report_in(city)
    _key, raw = open311_key_create(
        jurisdiction=city, name="Roads work orders", can_post_updates=True, agency=city.roads
    )

    def post(report):
        return client.post(
            f"{URL}.json",
            {
                "api_key": raw,
                "service_request_id": report.reference,
                "status": "FIXED",
                "updated_datetime": stamp(timezone.now()),
            },
        )

    assert post(theirs).status_code == 403
    assert post(ours).status_code == 200
    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert (theirs.status, ours.status) == (ReportStatus.SUBMITTED, ReportStatus.FIXED)

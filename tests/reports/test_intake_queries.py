"""What filing one report costs in queries (Open311 POST and the web form), and the intake
shortcuts that keep it low behaving as the slow path did."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from civicloop.core.calendar import add_working_days, add_working_hours
from civicloop.core.models import AuditEvent, Holiday
from civicloop.reports.enums import AttributeDatatype, ReporterVisibility, ReportKind, ReportStatus, TargetUnit
from civicloop.reports.models import Report, ReportContact
from civicloop.reports.services import intake as intake_services
from civicloop.reports.services import open311_key_create, report_submit
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, square
from tests.reports.factories import CategoryAttributeFactory, CategoryFactory, ReportFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db

HOST = "villa.example.org"
IN_CENTRO = (-70.65, -33.45)


@pytest.fixture(autouse=True)
def _hosts(settings):
    settings.ALLOWED_HOSTS = [HOST, "testserver"]


@pytest.fixture
def city():
    jurisdiction = JurisdictionFactory(
        name="Villa Clara", slug="villa", domain=HOST, time_zone="America/Santiago", languages=["es", "en"]
    )
    provincia = AreaFactory(
        jurisdiction=jurisdiction, slug="provincia", name="Provincia", geometry=square(-70.8, -33.6, 0.4)
    )
    centro = AreaFactory(
        jurisdiction=jurisdiction, slug="centro", name="Centro", parent=provincia, geometry=square(-70.7, -33.5, 0.1)
    )
    roads = AgencyFactory(jurisdiction=jurisdiction, name="Roads", slug="roads")
    lights = AgencyFactory(jurisdiction=jurisdiction, name="Lights", slug="lights")
    pothole = CategoryFactory(
        jurisdiction=jurisdiction,
        code="pothole",
        name="Pothole",
        acknowledge_within=4,
        acknowledge_unit=TargetUnit.HOURS,
        resolve_within=5,
        resolve_unit=TargetUnit.DAYS,
    )
    CategoryAttributeFactory(
        category=pothole,
        code="size",
        datatype=AttributeDatatype.SINGLEVALUELIST,
        values=[{"key": "s", "name": "Small"}, {"key": "l", "name": "Large"}],
        required=True,
        order=1,
    )
    RoutingRuleFactory(category=pothole, area=None, agencies=[lights])
    RoutingRuleFactory(category=pothole, area=centro, agencies=[roads, lights])
    today = timezone.localdate(timezone.now(), jurisdiction.tzinfo)
    Holiday.objects.create(jurisdiction=jurisdiction, date=today + dt.timedelta(days=1), name="Feriado")
    _key, raw = open311_key_create(jurisdiction=jurisdiction, name="City app")
    return {"j": jurisdiction, "centro": centro, "roads": roads, "lights": lights, "pothole": pothole, "key": raw}


def open311_post(client, city, key, **extra):
    fields = {
        "api_key": city["key"],
        "service_code": "pothole",
        "long": str(IN_CENTRO[0]),
        "lat": str(IN_CENTRO[1]),
        "description": "A deep hole.",
        "attribute[size]": "l",
        **extra,
    }
    return client.post("/open311/v2/requests.json", fields, HTTP_HOST=HOST, headers={"Idempotency-Key": key})


def web_post(client, **extra):
    data = {
        "kind": ReportKind.COMPLAINT,
        "title": "Deep hole",
        "description": "A deep pothole in front of the school.",
        "area": "",
        "address": "Calle Larga 120",
        "lon": str(IN_CENTRO[0]),
        "lat": str(IN_CENTRO[1]),
        "visibility": ReporterVisibility.PUBLIC,
        "name": "Rosa Quispe",
        "email": "rosa@example.net",
        "phone": "",
        "idempotency_key": "",
        "attribute_size": "l",
        **extra,
    }
    return client.post(f"{reverse('reports:new')}?category=pothole", data, HTTP_HOST=HOST)


# --- Query counts --------------------------------------------------------------------------------


def test_open311_post_query_count_is_pinned(client, city, django_assert_num_queries):
    # The first POST of a process builds the area index and stamps the key's last use; not counted.
    assert open311_post(client, city, "warm-up").status_code == 200
    # host → jurisdiction, key, category, its questions, [transaction], idempotency key, areas' version,
    # holidays, routing, savepoint + report + release, agency links, contact, two audit events, [commit].
    with django_assert_num_queries(17):
        response = open311_post(client, city, "counted", first_name="Ana", email="ana@example.net")
    assert response.status_code == 200
    report = Report.objects.get(reference=response.json()[0]["service_request_id"])
    assert ReportContact.objects.filter(report=report).count() == 1


def test_open311_post_retry_query_count_is_pinned(client, city, django_assert_num_queries):
    assert open311_post(client, city, "again").status_code == 200
    # host → jurisdiction, key, category, its questions, [transaction], idempotency key, [commit]
    with django_assert_num_queries(7):
        response = open311_post(client, city, "again")
    assert response.status_code == 200
    assert Report.objects.count() == 1


def test_web_form_submission_query_count_is_pinned(client, city, django_assert_num_queries):
    assert web_post(client).status_code == 302
    with django_assert_num_queries(22):
        response = web_post(client, description="Another deep pothole.")
    assert response.status_code == 302
    assert Report.objects.count() == 2


# --- The shortcuts give what the slow path gave ---------------------------------------------------


def test_open311_post_routes_dues_and_audits_as_report_submit_does(client, city):
    response = open311_post(client, city, "k1")
    report = Report.objects.get(reference=response.json()[0]["service_request_id"])

    assert (report.area, report.owner, report.status) == (city["centro"], city["lights"], ReportStatus.SUBMITTED)
    assert sorted(report.agencies.values_list("slug", flat=True)) == ["lights", "roads"]  # by name: Lights, Roads
    assert report.acknowledge_due_at == add_working_hours(city["j"], report.submitted_at, 4)
    assert report.resolve_due_at == add_working_days(city["j"], report.submitted_at, 5)
    submit = AuditEvent.objects.get(action="report.submit")
    assert submit.after["agencies"] == sorted([city["roads"].pk, city["lights"].pk])
    assert submit.after["reference"] == report.reference
    assert sorted(submit.after) == sorted(intake_services.REPORT_PUBLIC_FIELDS)  # jsonb keeps no key order
    assert AuditEvent.objects.filter(action="report.open311_request").count() == 1


def test_open311_post_sees_a_question_added_since_the_last_request(client, city):
    assert open311_post(client, city, "k1").status_code == 200
    CategoryAttributeFactory(
        category=city["pothole"], code="depth", datatype=AttributeDatatype.NUMBER, required=True, order=2
    )

    response = open311_post(client, city, "k2")

    assert response.status_code == 400
    assert [error["description"] for error in response.json()] == [
        "Answer the question depth (What do you see?): it is required."
    ]


def test_open311_post_sees_a_holiday_added_since_the_last_request(client, city):
    first = open311_post(client, city, "k1")
    report = Report.objects.get(reference=first.json()[0]["service_request_id"])
    local_day = timezone.localdate(report.submitted_at, city["j"].tzinfo)
    for offset in range(2, 12):
        Holiday.objects.get_or_create(
            jurisdiction=city["j"], date=local_day + dt.timedelta(days=offset), defaults={"name": "Feriado"}
        )

    second = open311_post(client, city, "k2")

    later = Report.objects.get(reference=second.json()[0]["service_request_id"])
    assert later.resolve_due_at == add_working_days(city["j"], later.submitted_at, 5)
    assert later.resolve_due_at > report.resolve_due_at + dt.timedelta(days=7)


def test_open311_post_follows_a_routing_change_since_the_last_request(client, city):
    open311_post(client, city, "k1")
    city["roads"].routing_rules.clear()
    city["lights"].is_active = False
    city["lights"].save(update_fields=["is_active"])
    RoutingRuleFactory(category=city["pothole"], area=city["centro"].parent, agencies=[city["roads"]])

    response = open311_post(client, city, "k2")

    report = Report.objects.get(reference=response.json()[0]["service_request_id"])
    assert (report.owner, report.in_triage) == (city["roads"], False)


def test_report_submit_draws_another_reference_when_one_clashes(city, monkeypatch):
    taken = ReportFactory(jurisdiction=city["j"], category=city["pothole"], reference="K7M3QX9P")
    drawn = iter([taken.reference, "K7M3QX9Q"])
    monkeypatch.setattr(intake_services, "_new_reference", lambda: next(drawn))

    report = report_submit(
        jurisdiction=city["j"],
        category_code="pothole",
        kind=ReportKind.COMPLAINT,
        description="A deep hole.",
        lon=IN_CENTRO[0],
        lat=IN_CENTRO[1],
        attributes={"size": "s"},
        idempotency_key="first",
    )

    assert report.reference == "K7M3QX9Q"
    assert Report.objects.filter(reference="K7M3QX9Q").count() == 1
    assert AuditEvent.objects.filter(action="report.submit", object_id=str(report.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_report_submit_in_transaction_refuses_to_run_outside_one(city):
    with pytest.raises(RuntimeError, match="needs a transaction"):
        intake_services.report_submit_in_transaction(
            jurisdiction=city["j"], category_code="pothole", kind=ReportKind.COMPLAINT, description="A hole."
        )
    assert Report.objects.count() == 0

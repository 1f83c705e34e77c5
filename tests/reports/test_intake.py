"""Intake: report_submit validates everything, routes, sets due times and audits; public selectors hide what they must."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from civicloop.core.calendar import add_working_days, add_working_hours
from civicloop.core.enums import Channel
from civicloop.core.models import AuditEvent
from civicloop.reports.enums import (
    AttributeDatatype,
    PrivacyClass,
    ReporterVisibility,
    ReportKind,
    ReportStatus,
    TargetUnit,
)
from civicloop.reports.models import REFERENCE_ALPHABET, REFERENCE_LENGTH, Report, ReportContact
from civicloop.reports.selectors import report_get_public, report_list_public, routing_agencies_for_area
from civicloop.reports.services import ReportsError, report_submit
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, UserFactory, square
from tests.reports.factories import CategoryAttributeFactory, CategoryFactory, ReportFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db

# City (0..10) ⊃ north district (0..10 × 5..10) ⊃ harbour ward (0..2 × 8..10); south district (0..10 × 0..5).
IN_WARD = {"lon": 1.0, "lat": 9.0}
IN_NORTH = {"lon": 8.0, "lat": 6.0}
IN_SOUTH = {"lon": 5.0, "lat": 2.0}
OUTSIDE = {"lon": 50.0, "lat": 50.0}
CONTACT = {"name": "Rosa Quispe Huanca", "email": "rosa.quispe@example.net", "phone": "+56 9 8765 4321"}


def _rect(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


@pytest.fixture
def city():
    jurisdiction = JurisdictionFactory(name="Villa Prueba")
    whole = AreaFactory(jurisdiction=jurisdiction, slug="city", level="city", geometry=square(0, 0, 10))
    north = AreaFactory(jurisdiction=jurisdiction, slug="north", parent=whole, geometry=_rect(0, 5, 10, 10))
    south = AreaFactory(jurisdiction=jurisdiction, slug="south", parent=whole, geometry=_rect(0, 0, 10, 5))
    ward = AreaFactory(
        jurisdiction=jurisdiction, slug="harbour", parent=north, level="ward", geometry=_rect(0, 8, 2, 10)
    )
    works = AgencyFactory(jurisdiction=jurisdiction, name="Public Works")
    water = AgencyFactory(jurisdiction=jurisdiction, name="Water Board")
    harbour = AgencyFactory(jurisdiction=jurisdiction, name="Harbour Office")
    pothole = CategoryFactory(
        jurisdiction=jurisdiction,
        code="pothole",
        name="Pothole",
        acknowledge_within=4,
        acknowledge_unit=TargetUnit.HOURS,
        resolve_within=5,
        resolve_unit=TargetUnit.DAYS,
    )
    RoutingRuleFactory(category=pothole, agencies=[works])
    RoutingRuleFactory(category=pothole, area=south, agencies=[works, water])
    RoutingRuleFactory(category=pothole, area=ward, agencies=[harbour])
    return {
        "j": jurisdiction,
        "north": north,
        "south": south,
        "ward": ward,
        "works": works,
        "water": water,
        "harbour": harbour,
        "pothole": pothole,
    }


def _submit(city, **overrides):
    fields = {
        "jurisdiction": city["j"],
        "category_code": "pothole",
        "kind": ReportKind.COMPLAINT,
        "description": "A deep hole in front of number 12.",
        **IN_NORTH,
    }
    fields.update(overrides)
    return report_submit(**fields)


def _counts():
    return (Report.objects.count(), ReportContact.objects.count(), AuditEvent.objects.count())


def _refused(city, match, **overrides):
    before = _counts()
    with pytest.raises(ReportsError, match=match) as caught:
        _submit(city, **overrides)
    assert _counts() == before, "a refused report must write nothing"
    return str(caught.value)


# --- success and routing ---------------------------------------------------------------------


def test_submit_routes_to_the_fallback_agency_and_sets_the_deepest_area(city):
    user = UserFactory(name="Ana")
    report = _submit(city, reporter=user, title="Hole", channel=Channel.API)

    report.refresh_from_db()
    assert report.owner == city["works"]
    assert list(report.agencies.all()) == [city["works"]]
    assert report.in_triage is False
    assert report.area == city["north"]
    assert report.status == ReportStatus.SUBMITTED
    assert report.channel == Channel.API
    assert report.title == "Hole"
    assert len(report.reference) == REFERENCE_LENGTH
    assert set(report.reference) <= set(REFERENCE_ALPHABET)


def test_submit_two_tier_rule_shares_the_report_and_the_first_agency_owns_it(city):
    report = _submit(city, reporter=UserFactory(), **IN_SOUTH)
    assert set(report.agencies.all()) == {city["works"], city["water"]}
    assert report.owner == city["works"]  # routing returns agencies by name: Public Works < Water Board
    assert report.area == city["south"]


def test_submit_ward_rule_wins_over_the_fallback(city):
    report = _submit(city, **IN_WARD)
    assert report.owner == city["harbour"]
    assert report.area == city["ward"]


def test_submit_without_a_rule_goes_to_the_triage_queue(city):
    CategoryFactory(jurisdiction=city["j"], code="graffiti")
    report = _submit(city, category_code="graffiti")
    assert report.in_triage is True
    assert report.owner is None
    assert report.agencies.count() == 0


def test_submit_by_area_only_routes_by_the_area_and_its_parents(city):
    in_ward = _submit(city, lon=None, lat=None, area_slug="harbour")
    assert (in_ward.area, in_ward.owner, in_ward.lon, in_ward.lat) == (city["ward"], city["harbour"], None, None)
    # The north district has no rule of its own: its parent (the city) has none, so the fallback applies.
    in_north = _submit(city, lon=None, lat=None, area_slug="north")
    assert in_north.owner == city["works"]
    assert routing_agencies_for_area(category=city["pothole"], area=city["south"]) == [city["works"], city["water"]]


def test_submit_by_address_only_uses_the_fallback_rule(city):
    report = _submit(city, lon=None, lat=None, address_string="  Calle Larga 12  ")
    assert report.address_string == "Calle Larga 12"
    assert report.area is None
    assert report.owner == city["works"]


def test_submit_point_and_matching_area_keeps_the_deepest_area(city):
    report = _submit(city, area_slug="north", **IN_WARD)
    assert report.area == city["ward"]


def test_submit_due_times_follow_the_jurisdiction_calendar(city):
    report = _submit(city)
    assert report.acknowledge_due_at == add_working_hours(city["j"], report.submitted_at, 4)
    assert report.resolve_due_at == add_working_days(city["j"], report.submitted_at, 5)
    assert report.submitted_at <= timezone.now()
    assert report.resolve_due_at > report.acknowledge_due_at


def test_submit_without_reporter_is_unverified_and_keeps_contact_apart(city):
    report = _submit(city, contact=CONTACT)
    assert report.status == ReportStatus.UNVERIFIED
    assert report.reporter is None
    contact = ReportContact.objects.get(report=report)
    assert (contact.name, contact.email, contact.phone) == (CONTACT["name"], CONTACT["email"], CONTACT["phone"])
    assert report.public_name == CONTACT["name"]


def test_submit_without_contact_details_stores_no_contact_row(city):
    report = _submit(city, contact={"name": " ", "email": ""})
    assert not ReportContact.objects.filter(report=report).exists()


def test_submit_audit_event_carries_public_fields_and_no_contact_data(city):
    user = UserFactory(name="Ana Reportera", email="ana.reportera@example.net")
    report = _submit(city, reporter=user, contact=CONTACT, visibility=ReporterVisibility.ANONYMOUS)
    event = AuditEvent.objects.get(action="report.submit")
    assert event.object_id == str(report.pk)
    assert event.after["reference"] == report.reference
    assert event.after["owner"] == city["works"].pk
    assert event.after["agencies"] == [city["works"].pk]
    assert event.after["description"] == report.description
    assert "reporter" not in event.after
    assert event.after["public_name"] == ""
    assert event.actor is None, "an anonymous reporter is hidden from audit readers too"
    text = json.dumps([event.before, event.after, event.object_repr])
    for secret in [*CONTACT.values(), user.name, user.email]:
        assert secret not in text


def test_submit_public_reporter_is_the_audit_actor(city):
    user = UserFactory()
    _submit(city, reporter=user)
    assert AuditEvent.objects.get(action="report.submit").actor == user


# --- extra questions -------------------------------------------------------------------------


@pytest.fixture
def questions(city):
    category = city["pothole"]
    CategoryAttributeFactory(
        category=category,
        code="size",
        order=1,
        required=True,
        datatype=AttributeDatatype.SINGLEVALUELIST,
        values=[{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}],
    )
    CategoryAttributeFactory(category=category, code="depth", order=2, datatype=AttributeDatatype.NUMBER)
    CategoryAttributeFactory(category=category, code="seen", order=3, datatype=AttributeDatatype.DATETIME)
    CategoryAttributeFactory(
        category=category,
        code="hazards",
        order=4,
        datatype=AttributeDatatype.MULTIVALUELIST,
        values=[{"key": "water", "name": "Water"}, {"key": "traffic", "name": "Traffic"}],
    )
    CategoryAttributeFactory(category=category, code="plate", order=5, datatype=AttributeDatatype.STRING)
    CategoryAttributeFactory(category=category, code="story", order=6, datatype=AttributeDatatype.TEXT)
    CategoryAttributeFactory(category=category, code="note", order=7, variable=False, description="Thanks!")
    return category


def test_submit_answers_are_checked_and_normalised(city, questions):
    report = _submit(
        city,
        attributes={
            "size": "large",
            "depth": "12",
            "seen": "2026-03-02T09:30",
            "hazards": ["traffic", "water", "traffic"],
            "plate": "  AB-12  ",
            "story": "",
        },
    )
    # A naive date and time is read in the jurisdiction's zone (America/Santiago, UTC-3 in March).
    assert report.attributes == {
        "size": "large",
        "depth": 12,
        "seen": "2026-03-02T12:30:00+00:00",
        "hazards": ["traffic", "water"],
        "plate": "AB-12",
    }


def test_submit_number_answer_keeps_fractions_and_one_choice_may_be_a_string(city, questions):
    report = _submit(city, attributes={"size": "small", "depth": 3.5, "hazards": "water"})
    assert report.attributes == {"size": "small", "depth": 3.5, "hazards": ["water"]}


def test_submit_refuses_every_bad_answer_at_once(city, questions):
    message = _refused(
        city,
        "size",
        attributes={
            "depth": "deep",
            "seen": "yesterday",
            "hazards": ["water", "fire"],
            "plate": 42,
            "colour": "red",
            "note": "hi",
        },
    )
    assert "has no question colour, note" in message
    assert "Its questions: size, depth, seen, hazards, plate, story" in message
    assert "Answer the question size" in message
    assert "deep is not a number" in message
    assert "yesterday is not a date and time" in message
    assert "fire is not one of the choices: water, traffic" in message
    assert "Question plate: give a text" in message


def test_submit_refuses_a_value_outside_a_single_choice_list(city, questions):
    message = _refused(city, "huge is not one of the choices", attributes={"size": "huge"})
    assert "small, large" in message


def test_submit_refuses_infinite_numbers(city, questions):
    _refused(city, "inf is not a number", attributes={"size": "small", "depth": "inf"})


# --- refusals --------------------------------------------------------------------------------


def test_submit_unknown_category_names_the_valid_ones(city):
    CategoryFactory(jurisdiction=city["j"], code="old", name="Old", is_active=False)
    message = _refused(city, "There is no category nope in Villa Prueba", category_code="nope")
    assert "pothole (Pothole)" in message
    assert "old" not in message.split("Valid categories:")[1]


def test_submit_inactive_category_is_refused(city):
    CategoryFactory(jurisdiction=city["j"], code="old", name="Old", is_active=False)
    _refused(city, "old \\(Old\\) no longer takes reports", category_code="old")


def test_submit_category_of_another_jurisdiction_is_unknown(city):
    CategoryFactory(code="elsewhere")
    _refused(city, "There is no category elsewhere", category_code="elsewhere")


def test_submit_without_any_location_is_refused(city):
    _refused(city, "Say where the problem is", lon=None, lat=None)


def test_submit_outside_every_area_names_the_jurisdiction(city):
    _refused(city, "outside Villa Prueba", **OUTSIDE)


def test_submit_half_a_point_is_refused(city):
    _refused(city, "Give both longitude and latitude", lat=None)


def test_submit_coordinates_out_of_range_are_refused(city):
    _refused(city, "lat must be between -90 and 90", lon=1.0, lat=95.0)


def test_submit_unknown_area_and_area_not_containing_the_point_are_refused(city):
    _refused(city, "There is no area atlantis in Villa Prueba", lon=None, lat=None, area_slug="atlantis")
    _refused(city, "not inside the area", area_slug=city["south"].slug, **IN_NORTH)


def test_submit_collects_every_problem_in_one_error(city):
    message = _refused(
        city,
        "description is required",
        description="   ",
        kind="rant",
        visibility="secret",
        title="x" * 201,
        contact={"email": "not-an-email", "phone": "call me", "fax": "1"},
    )
    assert "rant is not a kind of report" in message
    assert "secret is not a visibility" in message
    assert "title can be at most 200" in message
    assert "not-an-email is not an e-mail address" in message
    assert "call me is not a phone number" in message
    assert "Unknown contact fields: fax" in message


def test_submit_too_long_description_is_refused(city):
    _refused(city, "at most 5000 characters; it has 5001", description="x" * 5001)


# --- idempotency -----------------------------------------------------------------------------


def test_submit_same_idempotency_key_twice_returns_the_first_report(city):
    first = _submit(city, idempotency_key="abc-123", contact=CONTACT)
    before = _counts()
    again = _submit(city, idempotency_key="abc-123", contact=CONTACT)
    assert again.pk == first.pk
    assert _counts() == before


def test_submit_same_idempotency_key_with_another_payload_is_refused(city):
    _submit(city, idempotency_key="abc-123")
    _refused(city, "already used for a different report", idempotency_key="abc-123", description="Another hole.")


def test_submit_idempotency_keys_are_per_jurisdiction(city):
    other = JurisdictionFactory()
    AreaFactory(jurisdiction=other, geometry=square(0, 0, 10))
    CategoryFactory(jurisdiction=other, code="pothole")
    first = _submit(city, idempotency_key="abc-123")
    second = _submit(city, jurisdiction=other, idempotency_key="abc-123")
    assert first.pk != second.pk
    assert second.in_triage is True


def test_submit_empty_idempotency_key_is_refused(city):
    _refused(city, "idempotency key must have 1 to 255 characters", idempotency_key="  ")


# --- public selectors ------------------------------------------------------------------------


def test_public_selectors_hide_confidential_sensitive_and_unverified_reports(city):
    user = UserFactory(name="Ana Reportera")
    shown = _submit(city, reporter=user)
    anonymous = _submit(city, reporter=user, visibility=ReporterVisibility.ANONYMOUS)
    confidential = _submit(city, reporter=user, visibility=ReporterVisibility.CONFIDENTIAL)
    unverified = _submit(city, contact=CONTACT)
    CategoryFactory(jurisdiction=city["j"], code="abuse", privacy=PrivacyClass.SENSITIVE)
    sensitive = _submit(city, reporter=user, category_code="abuse")

    listed = list(report_list_public(jurisdiction=city["j"]))
    assert set(listed) == {shown, anonymous}
    assert report_get_public(jurisdiction=city["j"], reference=shown.reference) == shown
    assert report_get_public(jurisdiction=city["j"], reference=anonymous.reference.lower()) == anonymous
    assert report_get_public(jurisdiction=city["j"], reference=unverified.reference) == unverified
    assert report_get_public(jurisdiction=city["j"], reference=confidential.reference) is None
    assert report_get_public(jurisdiction=city["j"], reference=sensitive.reference) is None
    assert report_get_public(jurisdiction=JurisdictionFactory(), reference=shown.reference) is None
    assert shown.public_name == "Ana Reportera"
    assert anonymous.public_name == ""
    assert confidential.is_public is False
    assert sensitive.is_public is False


def test_public_list_is_newest_first_and_loads_relations_up_front(city, django_assert_num_queries):
    older = ReportFactory(
        category=city["pothole"], owner=city["works"], submitted_at=timezone.now() - dt.timedelta(days=1)
    )
    newer = ReportFactory(category=city["pothole"], area=city["north"])
    with django_assert_num_queries(2):  # the reports with their joins, then the agencies
        reports = list(report_list_public(jurisdiction=city["j"]))
        assert reports == [newer, older]
        assert [(r.category.code, r.owner, r.area, list(r.agencies.all())) for r in reports] == [
            ("pothole", None, city["north"], []),
            ("pothole", city["works"], None, []),
        ]

import datetime as dt
import json
import time

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from shapely.geometry import Point, shape

from civicloop.core.demo import DEMO_SLUG, demo_load
from civicloop.core.models import Agency, Area, AuditEvent
from civicloop.directory import schedules
from civicloop.directory.demo import SERVICES, directory_demo_load
from civicloop.directory.hsds.export import export_json
from civicloop.directory.models import (
    HSDS_MODELS,
    Attribute,
    CostOption,
    Location,
    Metadata,
    Organization,
    Schedule,
    Service,
)
from civicloop.directory.search import service_search
from civicloop.directory.services import directory_object_update
from tests.directory.conftest import SPEC

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    jurisdiction = demo_load().jurisdiction
    directory_demo_load(jurisdiction)
    return jurisdiction


def _counts():
    return {model.hsds_name: model.objects.count() for model in HSDS_MODELS}


def test_demo_directory_has_over_a_hundred_services_across_agencies_and_ngos(demo):
    assert demo.slug == DEMO_SLUG
    assert Service.objects.filter(jurisdiction=demo).count() == len(SERVICES) >= 100
    organizations = Organization.objects.filter(jurisdiction=demo)
    assert organizations.filter(agency__isnull=True).count() == 5  # the NGOs
    assert all(organization.services.exists() for organization in organizations)
    assert set(Service.objects.values_list("status", flat=True)) == {
        "active",
        "inactive",
        "defunct",
        "temporarily closed",
    }


def test_demo_directory_links_every_agency_to_its_organization(demo):
    agencies = Agency.objects.filter(jurisdiction=demo)

    linked = Organization.objects.filter(jurisdiction=demo, agency__isnull=False)

    assert sorted(linked.values_list("agency__slug", flat=True)) == sorted(agencies.values_list("slug", flat=True))
    assert all(organization.name == organization.agency.name for organization in linked)


def test_demo_directory_locations_are_inside_wards(demo):
    wards = [shape(area.geometry) for area in Area.objects.filter(jurisdiction=demo, level="ward")]
    locations = Location.objects.filter(jurisdiction=demo)

    assert locations.count() >= 20
    for location in locations:
        point = Point(location.longitude, location.latitude)
        assert sum(ward.contains(point) for ward in wards) == 1, location.name
        assert location.addresses.get().postal_code.isdigit()


def test_demo_directory_schedules_are_valid_and_of_every_kind(demo):
    rows = list(Schedule.objects.filter(jurisdiction=demo))

    assert [(row.id, schedules.validate(row)) for row in rows if schedules.validate(row)] == []
    assert any(row.freq == "MONTHLY" and row.byday == "1MO" for row in rows)
    assert any(row.opens_at == dt.time(20) and row.closes_at == dt.time(8) and row.valid_from for row in rows)
    assert any(row.opens_at == row.closes_at == dt.time(0) for row in rows)  # 24 hours
    assert any(row.interval == 2 for row in rows)
    assert any(row.byday == "SA" for row in rows)


def test_demo_directory_has_free_food_open_on_weekdays_and_on_saturday(demo):
    food = service_search(demo, "food").filter(status="active", cost_options__amount=0).distinct()
    tz = demo.tzinfo
    wednesday_noon = dt.datetime(2026, 11, 25, 12, 30, tzinfo=tz)
    saturday_morning = dt.datetime(2026, 11, 28, 10, 0, tzinfo=tz)

    def open_at(moment):
        return [s.name for s in food if schedules.is_open(list(s.schedules.all()), moment, tz=tz)]

    assert len(open_at(wednesday_noon)) >= 3
    assert open_at(saturday_morning)
    assert all(s.service_at_locations.exists() for s in food)


def test_demo_directory_links_every_service_to_one_to_three_terms(demo):
    for service in Service.objects.filter(jurisdiction=demo):
        assert 1 <= Attribute.objects.filter(link_id=service.id).count() <= 3, service.name


def test_demo_directory_reload_changes_nothing(demo):
    counts, log, events = _counts(), Metadata.objects.count(), AuditEvent.objects.count()

    again = directory_demo_load(demo)
    reset = directory_demo_load(demo, reset=True)

    assert (again.created, again.updated, again.changes, again.linked) == ({}, {}, 0, 0)
    assert (reset.created, reset.updated, reset.changes, reset.linked) == ({}, {}, 0, 0)
    assert (_counts(), Metadata.objects.count(), AuditEvent.objects.count()) == (counts, log, events)


def test_demo_directory_keeps_edits_unless_reset(demo):
    service = Service.objects.get(jurisdiction=demo, name="Ropero solidario")
    directory_object_update(obj=service, changes={"name": "Ropero solidario de Cerro Azul"}, by=None)

    directory_demo_load(demo)
    kept = Service.objects.get(pk=service.pk).name
    result = directory_demo_load(demo, reset=True)

    assert kept == "Ropero solidario de Cerro Azul"
    assert result.updated == {"service": 1}
    assert Service.objects.get(pk=service.pk).name == "Ropero solidario"
    assert sorted(Metadata.objects.filter(resource_id=service.pk).values_list("field_name", "replacement_value")) == [
        ("name", "Ropero solidario"),
        ("name", "Ropero solidario de Cerro Azul"),
    ]


def test_demo_directory_recreates_what_is_missing(demo):
    CostOption.objects.filter(service__name="Ropero solidario").delete()

    result = directory_demo_load(demo)

    assert (result.created, result.updated) == ({"cost_option": 1}, {})


def test_demo_directory_exports_valid_hsds_json(demo, tmp_path):
    registry = Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012))
        for path in (SPEC / "schema").glob("*.json")
    )
    validator = Draft202012Validator(
        json.loads((SPEC / "schema" / "service.json").read_text()),
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    out = tmp_path / "services.json"

    count = export_json(out=out, jurisdiction=demo)

    services = json.loads(out.read_text())
    assert count == len(SERVICES)
    assert [(s["name"], e.message) for s in services for e in validator.iter_errors(s)] == []


def test_demo_directory_loads_quickly():
    jurisdiction = demo_load().jurisdiction
    start = time.perf_counter()

    directory_demo_load(jurisdiction)

    assert time.perf_counter() - start < 5

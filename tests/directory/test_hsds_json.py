import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from civicloop.directory.hsds.export import HsdsGraph, export_json
from civicloop.directory.models import Organization, Service, ServiceAtLocation
from civicloop.directory.services import HsdsImportError, directory_import_hsds
from tests.directory.conftest import EXAMPLE_PACKAGE, JSON_EXAMPLES, SPEC


def _validator(name: str) -> Draft202012Validator:
    """The standard's schema for name with its $refs resolved (what schema/compiled/ holds)."""
    registry = Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012))
        for path in (SPEC / "schema").glob("*.json")
    )
    schema = json.loads((SPEC / "schema" / f"{name}.json").read_text())
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _example(name: str):
    return json.loads((JSON_EXAMPLES / name).read_text())


@pytest.mark.django_db
def test_service_example_round_trips(jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=JSON_EXAMPLES / "service_full.json")

    graph = HsdsGraph(jurisdiction=jurisdiction)

    assert graph.service_json(Service.objects.get()) == _example("service_full.json")


@pytest.mark.django_db
def test_organization_example_round_trips(jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=JSON_EXAMPLES / "organization_full.json")

    graph = HsdsGraph(jurisdiction=jurisdiction)

    assert graph.organization_json(Organization.objects.get(), with_services=True) == _example("organization_full.json")


@pytest.mark.django_db
def test_service_at_location_example_round_trips(jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=JSON_EXAMPLES / "service_at_location_full.json")

    graph = HsdsGraph(jurisdiction=jurisdiction)

    assert graph.service_at_location_json(ServiceAtLocation.objects.get(), with_service=True) == _example(
        "service_at_location_full.json"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "example",
    [
        "service_list.json",
        "organization_list.json",
        "service_at_location_list.json",
        "location.json",
        "taxonomy.json",
        "taxonomy_list.json",
        "taxonomy_term.json",
        "taxonomy_term_list.json",
    ],
)
def test_json_examples_import(jurisdiction, example):
    result = directory_import_hsds(jurisdiction=jurisdiction, path=JSON_EXAMPLES / example)

    assert result.created


@pytest.mark.django_db
@pytest.mark.parametrize("source", ["csv", "service_full.json", "organization_full.json"])
def test_exported_services_validate_against_the_compiled_schema(jurisdiction, tmp_path, source):
    directory_import_hsds(
        jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE if source == "csv" else JSON_EXAMPLES / source
    )
    out = tmp_path / "services.json"

    export_json(out=out, jurisdiction=jurisdiction)

    services = json.loads(out.read_text())
    assert len(services) == 1
    validator = _validator("service")
    assert list(validator.iter_errors({"id": "x", "status": "open"}))  # the schema does reject
    assert [error.message for service in services for error in validator.iter_errors(service)] == []


@pytest.mark.django_db
def test_json_reimport_changes_nothing(jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=JSON_EXAMPLES / "organization_full.json")

    result = directory_import_hsds(jurisdiction=jurisdiction, path=JSON_EXAMPLES / "service_full.json")

    assert (result.created, result.updated, result.changes) == ({}, {}, 0)


def _write(tmp_path, document) -> Path:
    path = tmp_path / "import.json"
    path.write_text(json.dumps(document))
    return path


@pytest.mark.django_db
def test_json_problems_are_listed_with_their_json_pointer(jurisdiction, tmp_path):
    service = _example("service_full.json")
    service["colour"] = "blue"
    service["phones"][0]["number"] = "+1 555 0100"  # the same phone appears elsewhere with another number
    service["schedules"][0]["byday"] = "2MO"  # numbered days need freq MONTHLY; the schedule appears elsewhere as TH,FR
    del service["organization"]["name"]

    with pytest.raises(HsdsImportError) as caught:
        directory_import_hsds(jurisdiction=jurisdiction, path=_write(tmp_path, [service]))

    assert sorted((p.file, p.row, p.field) for p in caught.value.problems) == sorted(
        [
            ("import.json", "/0", "colour"),
            ("import.json", "/0/organization", "name"),
            ("import.json", "/0/service_at_locations/0/contacts/0/phones/0", "number"),
            ("import.json", "/0/schedules/0", "byday"),
            ("import.json", "/0/service_at_locations/0/schedules/0", "byday"),
        ]
    )
    assert Service.objects.count() == 0


@pytest.mark.django_db
def test_json_service_without_organization_updates_a_stored_one(jurisdiction, tmp_path):
    directory_import_hsds(jurisdiction=jurisdiction, path=JSON_EXAMPLES / "service_full.json")
    service = {key: value for key, value in _example("service_full.json").items() if key in ("id", "name", "status")}
    service["name"] = "Counselling"

    result = directory_import_hsds(jurisdiction=jurisdiction, path=_write(tmp_path, service))

    assert (result.updated, result.changes) == ({"service": 1}, 1)
    assert Service.objects.get().organization_id == Organization.objects.get().id


@pytest.mark.django_db
def test_json_new_service_without_organization_is_refused(jurisdiction, tmp_path):
    with pytest.raises(HsdsImportError) as caught:
        directory_import_hsds(
            jurisdiction=jurisdiction,
            path=_write(tmp_path, {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "A", "status": "active"}),
        )

    assert [(p.row, p.field, p.message) for p in caught.value.problems] == [
        ("/", "organization_id", "required field missing")
    ]


@pytest.mark.django_db
def test_graph_loads_a_directory_in_one_query_per_table(jurisdiction, django_assert_num_queries):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)

    with django_assert_num_queries(21):
        HsdsGraph(jurisdiction=jurisdiction).services_json()

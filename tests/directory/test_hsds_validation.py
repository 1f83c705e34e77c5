import csv
import json
from pathlib import Path

import pytest

from civicloop.directory.hsds.sources import Problem
from civicloop.directory.models import HSDS_MODELS, Service
from civicloop.directory.services import HsdsImportError, directory_import_hsds
from tests.directory.conftest import EXAMPLE_PACKAGE
from tests.factories import JurisdictionFactory

UNKNOWN = "00000000-0000-4000-8000-000000000000"


def _edit(package: Path, file: str, **changes: str) -> None:
    path = package / file
    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    for column, value in changes.items():
        rows[0][header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])


def _where(problems: list[Problem]) -> list[tuple[str, str, str]]:
    return [(problem.file, problem.row, problem.field) for problem in problems]


@pytest.mark.django_db
def test_broken_package_is_rejected_with_every_error_and_writes_nothing(jurisdiction, package):
    _edit(package, "services.csv", status="open", organization_id=UNKNOWN, minimum_age="twelve", email="nobody")
    _edit(package, "schedules.csv", freq="DAILY", byday="XX", interval="0", opens_at="25:00")
    _edit(package, "phones.csv", id="not-a-uuid")
    _edit(package, "attributes.csv", taxonomy_term_id=UNKNOWN)
    _edit(package, "addresses.csv", city="")
    _edit(package, "cost_options.csv", valid_from="2020-13-01")
    _edit(package, "organizations.csv", year_incorporated="2011a", website="example.com")

    with pytest.raises(HsdsImportError) as caught:
        directory_import_hsds(jurisdiction=jurisdiction, path=package)

    assert sorted(_where(caught.value.problems)) == sorted(
        [
            ("services.csv", "2", "email"),
            ("services.csv", "2", "status"),
            ("services.csv", "2", "minimum_age"),
            ("services.csv", "2", "organization_id"),
            ("schedules.csv", "2", "interval"),
            ("schedules.csv", "2", "freq"),
            ("schedules.csv", "2", "byday"),
            ("schedules.csv", "2", "opens_at"),
            ("phones.csv", "2", "id"),
            ("attributes.csv", "2", "taxonomy_term_id"),
            ("addresses.csv", "2", "city"),
            ("cost_options.csv", "2", "valid_from"),
            ("organizations.csv", "2", "website"),
            ("organizations.csv", "2", "year_incorporated"),
        ]
    )
    messages = {(problem.file, problem.field): problem.message for problem in caught.value.problems}
    assert messages[("services.csv", "status")] == "expected one of: active, inactive, defunct, temporarily closed"
    assert messages[("attributes.csv", "taxonomy_term_id")] == f"unknown taxonomy term {UNKNOWN}"
    assert messages[("services.csv", "organization_id")] == (
        f"refers to organization {UNKNOWN}, which is neither in this import nor in the directory"
    )
    assert all(model.objects.count() == 0 for model in HSDS_MODELS)


@pytest.mark.django_db
def test_example_package_dangling_optional_references_are_warnings(jurisdiction):
    result = directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)

    assert sorted(_where(result.warnings)) == [
        ("attributes.csv", "2", "link_entity"),
        ("contacts.csv", "2", "organization_id"),
        ("contacts.csv", "2", "service_at_location_id"),
        ("locations.csv", "2", "organization_id"),
        ("organizations.csv", "2", "parent_organization_id"),
        ("taxonomy_terms.csv", "2", "parent_id"),
        ("taxonomy_terms.csv", "2", "taxonomy_id"),
    ]


@pytest.mark.django_db
def test_example_package_strict_import_refuses_dangling_references(jurisdiction):
    with pytest.raises(HsdsImportError) as caught:
        directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE, strict=True)

    assert len(caught.value.problems) == 7
    assert Service.objects.count() == 0


@pytest.mark.django_db
def test_import_ids_of_another_jurisdiction_are_refused(jurisdiction):
    directory_import_hsds(jurisdiction=JurisdictionFactory(), path=EXAMPLE_PACKAGE)

    with pytest.raises(HsdsImportError) as caught:
        directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)

    assert len(caught.value.problems) == 21
    assert caught.value.problems[0].message == "this id belongs to another jurisdiction's directory"


@pytest.mark.django_db
def test_package_unknown_column_and_duplicate_id_are_errors(jurisdiction, package):
    services = package / "services.csv"
    lines = services.read_text(encoding="utf-8").splitlines()
    services.write_text("\n".join([lines[0] + ",colour", *(line + ",blue" for line in lines[1:]), lines[1] + ",blue"]))

    with pytest.raises(HsdsImportError) as caught:
        directory_import_hsds(jurisdiction=jurisdiction, path=package)

    assert _where(caught.value.problems) == [("services.csv", "1", "colour"), ("services.csv", "3", "id")]


@pytest.mark.django_db
def test_package_unknown_resource_and_missing_file_are_errors(jurisdiction, package):
    descriptor = json.loads((package / "datapackage.json").read_text())
    descriptor["resources"].append({"name": "opening_hours", "path": "opening_hours.csv"})
    (package / "datapackage.json").write_text(json.dumps(descriptor))
    (package / "phones.csv").unlink()

    with pytest.raises(HsdsImportError) as caught:
        directory_import_hsds(jurisdiction=jurisdiction, path=package)

    assert _where(caught.value.problems) == [("phones.csv", "", ""), ("datapackage.json", "", "resources[21]")]


@pytest.mark.django_db
def test_schedule_rrule_parts_are_checked(jurisdiction, package):
    _edit(package, "schedules.csv", freq="MONTHLY", byday="2MO,-1FR", bymonthday="0", byweekno="54", count="1.5")

    with pytest.raises(HsdsImportError) as caught:
        directory_import_hsds(jurisdiction=jurisdiction, path=package)

    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("count", "expected a whole number of 1 or more (RFC 5545 COUNT)"),
        ("byweekno", "expected comma-separated numbers from 1 to 53 or -53 to -1"),
        ("bymonthday", "expected comma-separated numbers from 1 to 31 or -31 to -1"),
    ]

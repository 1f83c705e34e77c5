import datetime as dt
import uuid

import pytest
from django.utils import timezone

from civicloop.core.models import AuditEvent
from civicloop.directory.hsds.export import HsdsGraph
from civicloop.directory.models import Metadata, Schedule, Service
from civicloop.directory.services import DirectoryError, directory_import_hsds, directory_object_update
from tests.directory.conftest import EXAMPLE_PACKAGE
from tests.directory.test_hsds_validation import _edit
from tests.factories import UserFactory

SERVICE_ID = uuid.UUID("ac148810-d857-441c-9679-408f346de14b")
ALERT = (
    "Following COVID-19 we have moved most of our counselling sessions online. "
    "Please contact the reception if you require further information."
)


def _log(**filters):
    return list(
        Metadata.objects.filter(**filters)
        .order_by("field_name")
        .values_list(
            "resource_type", "last_action_type", "field_name", "previous_value", "replacement_value", "updated_by"
        )
    )


@pytest.mark.django_db
def test_import_changed_package_updates_and_logs_each_changed_field(jurisdiction, package):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)
    _edit(package, "services.csv", name="Counselling for all", minimum_age="16", assured_date="")
    importer = UserFactory(name="Dana Importer")

    result = directory_import_hsds(jurisdiction=jurisdiction, path=package, by=importer)

    assert (result.created, result.updated, result.changes) == ({}, {"service": 1}, 3)
    assert _log(resource_id=SERVICE_ID) == [
        ("service", "update", "assured_date", "2005-01-01", "", "Dana Importer"),
        ("service", "update", "minimum_age", "12", "16", "Dana Importer"),
        ("service", "update", "name", "Community Counselling", "Counselling for all", "Dana Importer"),
    ]
    service = Service.objects.get()
    assert (service.name, service.minimum_age, service.assured_date) == ("Counselling for all", 16, None)
    assert Metadata.objects.filter(resource_id=SERVICE_ID).first().last_action_date == timezone.localdate(
        timezone=jurisdiction.tzinfo
    )
    assert AuditEvent.objects.filter(action="directory.import").count() == 2


@pytest.mark.django_db
def test_import_without_user_logs_changes_as_import(jurisdiction, package):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)
    _edit(package, "schedules.csv", opens_at="09:30")

    directory_import_hsds(jurisdiction=jurisdiction, path=package)

    assert _log(resource_type="schedule") == [("schedule", "update", "opens_at", "10:00:00", "09:30:00", "import")]


@pytest.mark.django_db
def test_object_update_records_the_edit_in_the_change_log(jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)
    editor = UserFactory(name="Eva Editor")
    service = Service.objects.get()

    entries = directory_object_update(obj=service, changes={"status": "temporarily closed", "alert": ""}, by=editor)

    assert [(e.field_name, e.previous_value, e.replacement_value, e.updated_by) for e in entries] == [
        ("status", "active", "temporarily closed", "Eva Editor"),
        ("alert", ALERT, "", "Eva Editor"),
    ]
    assert Service.objects.get().status == "temporarily closed"


@pytest.mark.django_db
def test_object_update_same_values_records_nothing(jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)

    entries = directory_object_update(obj=Service.objects.get(), changes={"status": "active"}, by=None)

    assert (entries, Metadata.objects.count()) == ([], 1)


@pytest.mark.django_db
def test_object_update_unknown_field_is_refused(jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)

    with pytest.raises(DirectoryError):
        directory_object_update(obj=Service.objects.get(), changes={"colour": "blue"}, by=None)


@pytest.mark.django_db
def test_export_hides_editor_names_unless_asked(jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)
    directory_object_update(
        obj=Service.objects.get(), changes={"name": "Counselling"}, by=UserFactory(name="Eva Editor")
    )

    public = HsdsGraph(jurisdiction=jurisdiction).rows("metadata")
    private = HsdsGraph(jurisdiction=jurisdiction, include_editors=True).rows("metadata")

    assert sorted(row["updated_by"] for row in public) == sorted(["Ann Persona", jurisdiction.name])
    assert sorted(row["updated_by"] for row in private) == ["Ann Persona", "Eva Editor"]


@pytest.mark.django_db
def test_import_time_with_utc_offset_moves_offset_to_timezone(jurisdiction, package):
    _edit(package, "schedules.csv", opens_at="09:00-05:00", closes_at="17:00-05:00", timezone="")

    directory_import_hsds(jurisdiction=jurisdiction, path=package)

    schedule = Schedule.objects.get()
    assert (schedule.opens_at, schedule.closes_at, schedule.timezone) == (dt.time(9), dt.time(17), -5)


@pytest.mark.django_db
def test_object_update_of_a_service_sets_its_last_modified(jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)
    before = timezone.now()

    directory_object_update(obj=Service.objects.get(pk=SERVICE_ID), changes={"name": "Counselling"}, by=None)

    service = Service.objects.get(pk=SERVICE_ID)
    assert service.last_modified is not None
    assert service.last_modified >= before
    assert _log(resource_id=SERVICE_ID, field_name="last_modified") == []


@pytest.mark.django_db
def test_object_update_of_a_services_schedule_sets_the_services_last_modified(jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)
    schedule = Schedule.objects.filter(service_id=SERVICE_ID).first()
    assert schedule is not None
    before = timezone.now()

    directory_object_update(obj=schedule, changes={"description": "Closed on Fridays"}, by=None)

    assert Service.objects.get(pk=SERVICE_ID).last_modified >= before


@pytest.mark.django_db
def test_object_update_keeps_a_last_modified_given_explicitly(jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)
    moment = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)

    directory_object_update(obj=Service.objects.get(pk=SERVICE_ID), changes={"last_modified": moment}, by=None)

    assert Service.objects.get(pk=SERVICE_ID).last_modified == moment

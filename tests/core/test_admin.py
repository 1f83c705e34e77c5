import json

import pytest

from civicloop.accounts.enums import Role
from civicloop.core.models import AuditEvent, Jurisdiction
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, square, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    jurisdiction = JurisdictionFactory()
    admin = user_with_role(Role.ADMINISTRATOR, jurisdiction=jurisdiction)
    client.force_login(admin)
    client.jurisdiction = jurisdiction
    client.user = admin
    return client


def _agency_form(agency, **changes):
    data = {
        "jurisdiction": agency.jurisdiction_id,
        "name": agency.name,
        "slug": agency.slug,
        "kind": agency.kind,
        "description": agency.description,
        "translations": json.dumps(agency.translations),
        "contact_email": agency.contact_email,
        "phone": agency.phone,
        "website": agency.website,
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_admin_edit_of_an_agency_is_audited_with_before_and_after(admin_client):
    agency = AgencyFactory(jurisdiction=admin_client.jurisdiction, phone="111")
    response = admin_client.post(f"/admin/core/agency/{agency.pk}/change/", _agency_form(agency, phone="222"))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="agency.update")
    assert (event.before, event.after, event.actor, event.channel) == (
        {"phone": "111"},
        {"phone": "222"},
        admin_client.user,
        "web",
    )


def test_admin_area_with_invalid_geometry_is_refused_and_nothing_saved(admin_client):
    area = AreaFactory(jurisdiction=admin_client.jurisdiction)
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    response = admin_client.post(
        f"/admin/core/area/{area.pk}/change/",
        {
            "jurisdiction": area.jurisdiction_id,
            "name": area.name,
            "slug": area.slug,
            "code": "",
            "level": area.level,
            "geometry": json.dumps(bowtie),
        },
    )
    assert response.status_code == 200
    assert "elf-intersection" in response.content.decode()
    area.refresh_from_db()
    assert area.geometry != bowtie
    assert not AuditEvent.objects.filter(action="area.update").exists()


def test_admin_area_save_sets_bbox_and_invalidates_the_area_index(admin_client):
    area = AreaFactory(jurisdiction=admin_client.jurisdiction)
    version = Jurisdiction.objects.get(pk=area.jurisdiction_id).areas_version
    response = admin_client.post(
        f"/admin/core/area/{area.pk}/change/",
        {
            "jurisdiction": area.jurisdiction_id,
            "name": area.name,
            "slug": area.slug,
            "code": "",
            "level": area.level,
            "geometry": json.dumps(square(10, 20, 1)),
        },
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.min_lon, area.min_lat, area.max_lon, area.max_lat) == (10, 20, 11, 21)
    assert Jurisdiction.objects.get(pk=area.jurisdiction_id).areas_version == version + 1


def test_admin_holiday_inline_is_audited(admin_client):
    jurisdiction = admin_client.jurisdiction
    data = {
        "name": jurisdiction.name,
        "slug": jurisdiction.slug,
        "domain": jurisdiction.domain,
        "description": "",
        "time_zone": jurisdiction.time_zone,
        "languages": json.dumps(jurisdiction.languages),
        "working_hours": json.dumps(jurisdiction.working_hours),
        "holidays-TOTAL_FORMS": "1",
        "holidays-INITIAL_FORMS": "0",
        "holidays-MIN_NUM_FORMS": "0",
        "holidays-MAX_NUM_FORMS": "1000",
        "holidays-0-date": "2026-12-25",
        "holidays-0-name": "Christmas",
    }
    response = admin_client.post(f"/admin/core/jurisdiction/{jurisdiction.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="holiday.create")
    assert (event.after["date"], event.after["name"], event.jurisdiction) == ("2026-12-25", "Christmas", jurisdiction)


def test_admin_audit_trail_is_read_only(admin_client):
    agency = AgencyFactory(jurisdiction=admin_client.jurisdiction)
    from civicloop.core.audit import audit_log

    event = audit_log(action="x.happened", obj=agency, jurisdiction=agency.jurisdiction)
    assert admin_client.get("/admin/core/auditevent/").status_code == 200
    assert admin_client.get(f"/admin/core/auditevent/{event.pk}/change/").status_code == 200
    assert admin_client.get("/admin/core/auditevent/add/").status_code == 403
    assert admin_client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_delete_is_audited_before_the_row_goes(admin_client):
    agency = AgencyFactory(jurisdiction=admin_client.jurisdiction, name="Old Office")

    response = admin_client.post(f"/admin/core/agency/{agency.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="agency.delete")
    assert (event.before, event.object_id, event.actor) == ({"repr": "Old Office"}, str(agency.pk), admin_client.user)

import json

import pytest

from civicloop.accounts.enums import Role
from civicloop.core.models import AuditEvent
from civicloop.reports.models import Category, RoutingRule
from tests.factories import AgencyFactory, JurisdictionFactory, user_with_role
from tests.reports.factories import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    jurisdiction = JurisdictionFactory()
    client.force_login(user_with_role(Role.ADMINISTRATOR, jurisdiction=jurisdiction))
    client.jurisdiction = jurisdiction
    return client


def _category_form(jurisdiction, **changes):
    data = {
        "jurisdiction": jurisdiction.pk,
        "code": "001",
        "name": "Bache",
        "description": "",
        "groups": json.dumps(["Calles"]),
        "keywords": json.dumps([]),
        "privacy": "normal",
        "acknowledge_within": "1",
        "acknowledge_unit": "days",
        "resolve_within": "10",
        "resolve_unit": "days",
        "duplicate_radius_m": "50",
        "type": "realtime",
        "is_active": "on",
        "order": "0",
        "translations": json.dumps({}),
        "attributes-TOTAL_FORMS": "1",
        "attributes-INITIAL_FORMS": "0",
        "attributes-MIN_NUM_FORMS": "0",
        "attributes-MAX_NUM_FORMS": "1000",
        "attributes-0-order": "1",
        "attributes-0-code": "size",
        "attributes-0-datatype": "singlevaluelist",
        "attributes-0-variable": "on",
        "attributes-0-description": "¿Tamaño?",
        "attributes-0-datatype_description": "",
        "attributes-0-values": json.dumps([{"key": "1", "name": "Pequeño"}]),
    }
    data.update(changes)
    return data


def test_admin_category_with_a_question_is_saved_and_audited(admin_client):
    response = admin_client.post("/admin/reports/category/add/", _category_form(admin_client.jurisdiction))
    assert response.status_code == 302, response.content.decode()[:3000]
    category = Category.objects.get()
    assert list(category.attributes.values_list("code", flat=True)) == ["size"]
    assert sorted(AuditEvent.objects.values_list("action", flat=True)) == [
        "category.create",
        "categoryattribute.create",
    ]
    assert AuditEvent.objects.get(action="categoryattribute.create").jurisdiction == admin_client.jurisdiction


def test_admin_question_with_a_list_datatype_and_no_choices_is_refused(admin_client):
    data = _category_form(admin_client.jurisdiction, **{"attributes-0-values": "[]"})
    response = admin_client.post("/admin/reports/category/add/", data)
    assert response.status_code == 200
    assert "A list datatype needs at least one choice" in response.content.decode()
    assert (Category.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_admin_routing_rule_refuses_an_agency_of_another_jurisdiction(admin_client):
    category = CategoryFactory(jurisdiction=admin_client.jurisdiction)
    stranger = AgencyFactory(name="Far Away Roads")
    response = admin_client.post(
        "/admin/reports/routingrule/add/", {"category": category.pk, "area": "", "agencies": [stranger.pk]}
    )
    assert response.status_code == 200
    assert "These agencies belong to another jurisdiction: Far Away Roads." in response.content.decode()
    assert RoutingRule.objects.count() == 0


def test_admin_routing_rule_is_saved_and_audited(admin_client):
    category = CategoryFactory(jurisdiction=admin_client.jurisdiction)
    roads = AgencyFactory(jurisdiction=admin_client.jurisdiction)
    response = admin_client.post(
        "/admin/reports/routingrule/add/", {"category": category.pk, "area": "", "agencies": [roads.pk]}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="routingrule.create")
    assert (event.after["agencies"], event.jurisdiction) == ([roads.pk], admin_client.jurisdiction)


def test_admin_categories_are_retired_not_deleted(admin_client):
    category = CategoryFactory(jurisdiction=admin_client.jurisdiction)
    response = admin_client.post(f"/admin/reports/category/{category.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Category.objects.filter(pk=category.pk).exists()


def test_report_admin_shows_a_report_and_its_timeline_without_the_reporter(admin_client):
    from civicloop.reports.models import ReportContact, ReportUpdate
    from tests.reports.factories import ReportFactory

    category = CategoryFactory(jurisdiction=admin_client.jurisdiction)
    report = ReportFactory(category=category, description="Poste caído en la esquina.")
    ReportContact.objects.create(report=report, name="Zebedee Admin-Hidden", email="zebedee.hidden@example.net")
    ReportUpdate.objects.create(
        report=report, kind="comment", status=report.status, text="Cuadrilla enviada.", created_at=report.submitted_at
    )

    changelist = admin_client.get("/admin/reports/report/")
    page = admin_client.get(f"/admin/reports/report/{report.pk}/change/")

    assert changelist.status_code == 200
    assert report.reference in changelist.content.decode()
    assert page.status_code == 200
    body = page.content.decode()
    assert "Cuadrilla enviada." in body
    assert "Zebedee" not in body
    assert "zebedee.hidden@example.net" not in body


def test_report_admin_cannot_add_change_or_delete(admin_client):
    from tests.reports.factories import ReportFactory

    report = ReportFactory(category=CategoryFactory(jurisdiction=admin_client.jurisdiction))

    assert admin_client.get("/admin/reports/report/add/").status_code == 403
    assert admin_client.post(f"/admin/reports/report/{report.pk}/delete/", {"post": "yes"}).status_code == 403
    response = admin_client.post(f"/admin/reports/report/{report.pk}/change/", {"status": "fixed"})
    report.refresh_from_db()
    assert response.status_code == 403
    assert report.status == "submitted"

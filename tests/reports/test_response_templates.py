"""Response templates: the service's validation and audit, and the management pages' permissions."""

from __future__ import annotations

import re

import pytest

from civicloop.accounts.enums import Role
from civicloop.core.models import AuditEvent
from civicloop.reports.enums import ReportStatus
from civicloop.reports.models import ResponseTemplate
from civicloop.reports.services import ReportsError
from civicloop.reports.services.templates import response_template_create, response_template_update
from tests.factories import AgencyFactory, JurisdictionFactory, UserFactory, user_with_role
from tests.web import html_count, login, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return JurisdictionFactory(name="Villa Clara", domain="villaclara.example.org", languages=["en", "es"])


@pytest.fixture
def roads(city):
    return AgencyFactory(jurisdiction=city, name="Roads Department", slug="roads")


@pytest.fixture
def parks(city):
    return AgencyFactory(jurisdiction=city, name="Parks Office", slug="parks")


@pytest.fixture
def manager(city, roads):
    return user_with_role(Role.AGENCY_MANAGER, jurisdiction=city, agency=roads)


def create(city, agency=None, by=None, **fields):
    values = {"title": "Seen", "status": ReportStatus.ACKNOWLEDGED, "language": "en", "text": "We have seen it."}
    return response_template_create(jurisdiction=city, agency=agency, by=by, **{**values, **fields})


# --- The service ----------------------------------------------------------------------------


def test_template_create_is_audited(city, roads, manager):
    template = create(city, roads, by=manager, title="  Seen  ", text=" We have seen it. ")

    assert (template.title, template.text, template.agency, template.is_active) == (
        "Seen",
        "We have seen it.",
        roads,
        True,
    )
    event = AuditEvent.objects.get(action="responsetemplate.create")
    assert (event.actor, event.actor_agency, event.object_id) == (manager, roads, str(template.pk))
    assert event.after == {
        "agency": roads.pk,
        "title": "Seen",
        "status": "acknowledged",
        "language": "en",
        "text": "We have seen it.",
        "is_active": True,
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"language": "id"}, "The language must be one of the jurisdiction's languages: en, es."),
        ({"text": "   "}, "Write the template's text."),
        ({"title": ""}, "Give the template a title."),
        ({"status": "closed"}, "Unknown status closed."),
    ],
)
def test_template_create_refuses_invalid_values(city, fields, message):
    with pytest.raises(ReportsError, match=re.escape(message)):
        create(city, **fields)

    assert ResponseTemplate.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_template_create_refuses_an_agency_of_another_jurisdiction(city):
    with pytest.raises(ReportsError, match="The agency belongs to another jurisdiction"):
        create(city, AgencyFactory())


def test_template_create_for_any_status(city):
    assert create(city, status="").status == ""


def test_template_update_is_audited_and_deactivates(city, manager):
    template = create(city)

    response_template_update(template=template, by=manager, is_active=False, text="We have seen it.")

    template.refresh_from_db()
    assert template.is_active is False
    event = AuditEvent.objects.get(action="responsetemplate.update")
    assert (event.before, event.after) == ({"is_active": True}, {"is_active": False})


def test_template_update_without_changes_writes_nothing(city):
    template = create(city)

    response_template_update(template=template, by=None, title="Seen")

    assert AuditEvent.objects.filter(action="responsetemplate.update").count() == 0


def test_template_update_refuses_unknown_fields_and_bad_language(city):
    template = create(city)

    with pytest.raises(ReportsError, match="cannot be set here: agency"):
        response_template_update(template=template, by=None, agency=None)
    with pytest.raises(ReportsError, match="The language must be one of"):
        response_template_update(template=template, by=None, language="fr")
    template.refresh_from_db()
    assert template.language == "en"


# --- The pages ------------------------------------------------------------------------------


def test_templates_page_requires_sign_in(client, city):
    response = client.get("/staff/reports/templates/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [None, Role.AGENCY_STAFF, Role.MONITOR])
def test_templates_page_is_forbidden_without_a_managing_role(client, city, roads, role):
    login(client, user_with_role(role, jurisdiction=city, agency=roads) if role else UserFactory())

    assert client.get("/staff/reports/templates/").status_code == 403
    assert client.get("/staff/reports/templates/new/").status_code == 403


def test_templates_page_for_a_manager_lists_their_agency_only(client, city, roads, parks, manager):
    create(city, roads, title="Roads seen")
    create(city, parks, title="Parks seen")
    create(city, None, title="Everyone seen")
    login(client, manager)

    response = client.get("/staff/reports/templates/")

    assert response.status_code == 200
    page = text(response)
    assert "Roads seen" in page
    assert "Parks seen" not in page
    assert "Everyone seen" not in page


def test_templates_page_for_a_supervisor_lists_all(client, city, roads, parks):
    for agency, title in ((roads, "Roads seen"), (parks, "Parks seen"), (None, "Everyone seen")):
        create(city, agency, title=title)
    login(client, user_with_role(Role.SUPERVISOR, jurisdiction=city))

    page = text(client.get("/staff/reports/templates/"))

    assert all(title in page for title in ("Roads seen", "Parks seen", "Everyone seen"))


def test_manager_creates_a_template_for_their_agency(client, city, roads, manager):
    login(client, manager)

    response = client.post(
        "/staff/reports/templates/new/",
        {
            "title": "Crew booked",
            "agency": roads.pk,
            "status": "action_scheduled",
            "language": "es",
            "text": "Una cuadrilla irá pronto.",
            "is_active": "on",
        },
    )

    assert (response.status_code, response["Location"]) == (302, "/staff/reports/templates/")
    template = ResponseTemplate.objects.get()
    assert (template.agency, template.status, template.language) == (roads, "action_scheduled", "es")
    assert AuditEvent.objects.filter(action="responsetemplate.create", actor=manager).count() == 1


def test_manager_cannot_create_a_jurisdiction_wide_or_another_agencys_template(client, city, parks, manager):
    login(client, manager)
    data = {"title": "T", "status": "", "language": "en", "text": "Text."}

    for agency, error in (
        ("", "Choose the agency that uses the template."),
        (parks.pk, f"Select a valid choice. {parks.pk} is not one of the available choices."),
    ):
        response = client.post("/staff/reports/templates/new/", {**data, "agency": agency})
        assert response.status_code == 200
        assert html_count(response, f'<li><a href="#id_agency">Used by: {error}</a></li>') == 1
    assert ResponseTemplate.objects.count() == 0


def test_supervisor_creates_a_jurisdiction_wide_template(client, city):
    login(client, user_with_role(Role.SUPERVISOR, jurisdiction=city))

    client.post(
        "/staff/reports/templates/new/",
        {"title": "Fixed", "agency": "", "status": "fixed", "language": "en", "text": "Fixed, thanks!"},
    )

    template = ResponseTemplate.objects.get()
    assert (template.agency, template.status, template.is_active) == (None, "fixed", False)


def test_create_shows_a_service_error_with_the_form(client, city, roads, manager):
    login(client, manager)

    response = client.post(
        "/staff/reports/templates/new/",
        {"title": "T", "agency": roads.pk, "status": "", "language": "en", "text": "   "},
    )

    assert response.status_code == 200
    assert ResponseTemplate.objects.count() == 0
    assert '<a href="#id_text">Text: This field is required.</a>' in response.content.decode()


def test_manager_edits_and_deactivates_their_template(client, city, roads, manager):
    template = create(city, roads)
    login(client, manager)

    form = client.get(f"/staff/reports/templates/{template.pk}/edit/")
    response = client.post(
        f"/staff/reports/templates/{template.pk}/edit/",
        {"title": "Seen", "status": "acknowledged", "language": "en", "text": "We saw it."},
    )

    assert form.status_code == 200
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.text, template.is_active, template.agency) == ("We saw it.", False, roads)


def test_manager_cannot_edit_another_agencys_template(client, city, parks, manager):
    template = create(city, parks)
    wide = create(city, None)
    login(client, manager)

    assert client.get(f"/staff/reports/templates/{template.pk}/edit/").status_code == 404
    assert client.post(f"/staff/reports/templates/{wide.pk}/edit/", {"title": "x"}).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_templates_page_queries_do_not_grow_with_templates(client, city, roads, count, django_assert_num_queries):
    for n in range(count):
        create(city, roads if n % 2 else None, title=f"Template {n}")
    login(client, user_with_role(Role.SUPERVISOR, jurisdiction=city))

    with django_assert_num_queries(7):
        response = client.get("/staff/reports/templates/")

    assert text(response).count('<th scope="row"><a href="/staff/reports/templates/') == count

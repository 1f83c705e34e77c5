import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from civicloop.accounts.enums import Role
from civicloop.core.audit import audit_log
from civicloop.core.enums import Channel
from civicloop.core.models import Agency, AuditEvent
from tests.factories import AgencyFactory, JurisdictionFactory, UserFactory, user_with_role
from tests.web import html_count, login, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return JurisdictionFactory(name="Villa Clara", domain="villaclara.example.org", languages=["en", "es", "id"])


@pytest.fixture
def roads(city):
    return AgencyFactory(
        jurisdiction=city,
        name="Roads Department",
        slug="roads",
        description="Potholes.",
        contact_email="roads@villaclara.example.org",
        translations={"es": {"name": "Departamento de Caminos"}, "fr": {"name": "Service des routes"}},
    )


@pytest.fixture
def parks(city):
    return AgencyFactory(jurisdiction=city, name="Parks Office", slug="parks")


def person(role, city, agency=None, **kwargs):
    return user_with_role(role, jurisdiction=city, agency=agency, **kwargs)


# --- Staff home --------------------------------------------------------------------------


def test_staff_home_requires_sign_in(client, city):
    response = client.get("/staff/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/staff/")


def test_staff_home_is_forbidden_to_citizens(client, city):
    login(client, UserFactory())

    response = client.get("/staff/")

    assert response.status_code == 403
    assert html_count(response, "<h1>Not allowed</h1>") == 1


def test_staff_home_for_agency_staff_shows_their_agency_and_colleagues(client, city, roads, parks):
    me = person(Role.AGENCY_STAFF, city, roads, name="Sam Staff", email="sam@example.net")
    person(Role.AGENCY_MANAGER, city, roads, name="Mia Manager", email="mia@example.net")
    person(Role.AGENCY_STAFF, city, parks, name="Pat Parks")
    audit_log(action="agency.update", actor=me, obj=roads, agency=roads, jurisdiction=city, after={"phone": "1"})
    audit_log(action="agency.update", obj=parks, agency=parks, jurisdiction=city)
    login(client, me)

    response = client.get("/staff/")
    page = text(response)

    assert response.status_code == 200
    assert "<title>Staff home · Villa Clara</title>" in page
    assert html_count(response, "<h1>Staff home</h1>") == 1
    assert html_count(response, '<h2 id="role-1">Agency staff — Roads Department</h2>') == 1
    assert html_count(response, '<a href="/agencies/roads/">Public page of Roads Department</a>') == 1
    assert "Edit agency details" not in page
    assert html_count(response, "<tr><td>Sam Staff</td><td>sam@example.net</td><td>Agency staff</td></tr>") == 1
    assert html_count(response, "<tr><td>Mia Manager</td><td>mia@example.net</td><td>Agency manager</td></tr>") == 1
    assert "Pat Parks" not in page
    assert page.count("<code>agency.update</code>") == 1
    assert "<td>hidden</td>" in page  # staff may not see who acted
    assert "/staff/audit/" not in page
    assert html_count(response, '<a href="/me/tokens/">API tokens</a>') == 1


def test_staff_home_for_a_manager_links_the_edit_page_and_audit(client, city, roads):
    me = person(Role.AGENCY_MANAGER, city, roads, name="Mia Manager")
    audit_log(action="agency.update", actor=me, obj=roads, agency=roads, jurisdiction=city)
    login(client, me)

    response = client.get("/staff/")

    assert html_count(response, '<h2 id="role-1">Agency manager — Roads Department</h2>') == 1
    assert html_count(response, '<a href="/staff/agencies/roads/edit/">Edit agency details</a>') == 1
    assert html_count(response, '<a href="/staff/audit/">Audit trail</a>') == 1
    assert "<td>Mia Manager</td>" in text(response)


def test_staff_home_for_a_supervisor_lists_every_agency_with_staff_counts(client, city, roads, parks):
    person(Role.AGENCY_STAFF, city, roads)
    person(Role.AGENCY_MANAGER, city, roads)
    person(Role.AGENCY_STAFF, city, parks)
    AgencyFactory(jurisdiction=JurisdictionFactory(), name="Foreign Agency")
    login(client, person(Role.SUPERVISOR, city))

    response = client.get("/staff/")

    assert html_count(response, '<h2 id="role-1">Supervisor — Villa Clara</h2>') == 1
    assert html_count(response, '<tr><td><a href="/agencies/roads/">Roads Department</a></td><td>2</td></tr>') == 1
    assert html_count(response, '<tr><td><a href="/agencies/parks/">Parks Office</a></td><td>1</td></tr>') == 1
    assert "Foreign Agency" not in text(response)
    assert html_count(response, '<li><a href="/staff/audit/">Audit trail</a></li>') == 1
    assert html_count(response, '<li><a href="/staff/reports/triage/">Triage queue</a></li>') == 1


def test_staff_home_for_a_monitor_shows_what_monitors_can_read(client, city):
    monitor = person(Role.MONITOR, city)
    monitor.role_assignments.update(organisation="Ciudadanía Activa")
    login(client, monitor)

    response = client.get("/staff/")
    page = text(response)

    assert html_count(response, '<h2 id="role-1">Monitor — Villa Clara</h2>') == 1
    assert "You monitor public services for Ciudadanía Activa." in page
    assert html_count(response, '<a href="/staff/audit/">Audit trail (without identities)</a>') == 1
    assert html_count(response, '<a href="/api/v1/docs">Open data API documentation</a>') == 1
    assert html_count(response, f'<a href="/api/v1/jurisdictions/{city.slug}/agencies">Agencies (JSON)</a>') == 1
    assert html_count(response, f'<a href="/api/v1/jurisdictions/{city.slug}/areas">Areas (GeoJSON)</a>') == 1
    assert (
        html_count(
            response,
            f'<a href="/api/v1/audit-events?jurisdiction={city.slug}">Audit trail (JSON, with an API token)</a>',
        )
        == 1
    )
    assert "/admin/" not in page


def test_staff_home_for_an_administrator_links_the_admin(client, city):
    login(client, person(Role.ADMINISTRATOR, city))

    response = client.get("/staff/")

    assert html_count(response, '<h2 id="role-1">Administrator — Villa Clara</h2>') == 1
    for href, label in [
        ("/admin/", "Administration site"),
        ("/staff/audit/", "Audit trail"),
        ("/admin/core/area/", "Manage areas"),
        ("/admin/core/agency/", "Manage agencies"),
        ("/admin/accounts/user/", "Manage people and roles"),
    ]:
        assert html_count(response, f'<li><a href="{href}">{label}</a></li>') == 1


def test_staff_home_shows_a_section_per_role_held(client, city, roads):
    me = person(Role.SUPERVISOR, city)
    person(None, city)
    me.role_assignments.create(role=Role.AGENCY_MANAGER, jurisdiction=city, agency=roads)
    login(client, me)

    headings = re.findall(r'<h2 id="role-\d+">([^<]+)</h2>', client.get("/staff/").content.decode())

    assert headings == ["Agency manager — Roads Department", "Supervisor — Villa Clara"]


def test_staff_home_for_a_superuser_without_roles_shows_the_admin_section(client, city):
    login(client, UserFactory(is_superuser=True, is_staff=True))

    response = client.get("/staff/")

    assert html_count(response, '<h2 id="role-1">Site administrator</h2>') == 1
    assert html_count(response, '<li><a href="/admin/">Administration site</a></li>') == 1


# --- Agency edit -------------------------------------------------------------------------


def edit_data(**overrides):
    data = {
        "name": "Roads Department",
        "description": "Potholes.",
        "contact_email": "roads@villaclara.example.org",
        "phone": "",
        "website": "",
        "name_es": "Departamento de Caminos",
        "description_es": "",
        "name_id": "",
        "description_id": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("role", "own_agency", "allowed"),
    [
        (None, False, False),
        (Role.AGENCY_STAFF, True, False),
        (Role.AGENCY_MANAGER, False, False),
        (Role.SUPERVISOR, False, False),
        (Role.MONITOR, False, False),
        (Role.AGENCY_MANAGER, True, True),
        (Role.ADMINISTRATOR, False, True),
    ],
)
def test_agency_edit_is_for_the_agencys_managers_and_administrators(client, roads, role, own_agency, allowed):
    city = roads.jurisdiction
    login(client, person(role, city, roads if own_agency else AgencyFactory(jurisdiction=city)))

    shown = client.get("/staff/agencies/roads/edit/")
    posted = client.post("/staff/agencies/roads/edit/", edit_data(name="Renamed"))

    roads.refresh_from_db()
    if allowed:
        assert (shown.status_code, posted.status_code, roads.name) == (200, 302, "Renamed")
    else:
        assert (shown.status_code, posted.status_code, roads.name) == (403, 403, "Roads Department")


def test_agency_edit_requires_sign_in(client, city, roads):
    response = client.get("/staff/agencies/roads/edit/")

    assert response["Location"] == "/accounts/login/?next=/staff/agencies/roads/edit/"


def test_agency_edit_of_an_unknown_agency_is_not_found(client, city):
    login(client, person(Role.ADMINISTRATOR, city))

    assert client.get("/staff/agencies/nope/edit/").status_code == 404


def test_agency_edit_form_shows_current_values_and_translation_fields(client, city, roads):
    login(client, person(Role.AGENCY_MANAGER, city, roads))

    response = client.get("/staff/agencies/roads/edit/")
    page = response.content.decode()

    assert html_count(response, "<h1>Edit Roads Department</h1>") == 1
    assert re.search(
        r'<input type="text" name="name" value="Roads Department" maxlength="200" required id="id_name">', page
    )
    assert re.search(r'<input type="text" name="name_es" value="Departamento de Caminos"[^>]*lang="es"', page)
    assert re.search(r'<input type="text" name="name_id"[^>]*lang="id"', page)
    assert "<legend>Translation: Spanish</legend>" in page
    assert "<legend>Translation: Indonesian</legend>" in page
    assert '<label for="id_name_es">Name in Spanish:</label>' in page


def test_agency_edit_saves_through_the_service_and_audits_the_change(client, city, roads):
    manager = person(Role.AGENCY_MANAGER, city, roads)
    login(client, manager)

    response = client.post(
        "/staff/agencies/roads/edit/",
        edit_data(
            name="Roads and Bridges", phone="+56 2 555", name_id="Dinas Jalan", description_id="Jalan berlubang."
        ),
        follow=True,
    )

    assert response.redirect_chain == [("/agencies/roads/", 302)]
    assert "The details of Roads and Bridges were saved." in text(response)
    roads.refresh_from_db()
    assert (roads.name, roads.phone) == ("Roads and Bridges", "+56 2 555")
    assert roads.translations == {
        "es": {"name": "Departamento de Caminos"},
        "fr": {"name": "Service des routes"},
        "id": {"name": "Dinas Jalan", "description": "Jalan berlubang."},
    }
    event = AuditEvent.objects.get(action="agency.update")
    assert (event.actor, event.actor_agency, event.jurisdiction, event.channel) == (manager, roads, city, Channel.WEB)
    assert event.before == {
        "name": "Roads Department",
        "phone": "",
        "translations": {"es": {"name": "Departamento de Caminos"}, "fr": {"name": "Service des routes"}},
    }
    assert event.after == {"name": "Roads and Bridges", "phone": "+56 2 555", "translations": roads.translations}


def test_agency_edit_clearing_a_translation_removes_it(client, city, roads):
    login(client, person(Role.ADMINISTRATOR, city))

    client.post("/staff/agencies/roads/edit/", edit_data(name_es=""))

    roads.refresh_from_db()
    assert roads.translations == {"fr": {"name": "Service des routes"}}


def test_agency_edit_without_changes_saves_nothing(client, city, roads):
    login(client, person(Role.AGENCY_MANAGER, city, roads))

    response = client.post("/staff/agencies/roads/edit/", edit_data(), follow=True)

    assert "Nothing was changed." in text(response)
    assert AuditEvent.objects.count() == 0


def test_agency_edit_invalid_input_shows_errors_next_to_fields_and_saves_nothing(client, city, roads):
    login(client, person(Role.AGENCY_MANAGER, city, roads))
    before = Agency.objects.values().get(pk=roads.pk)

    response = client.post(
        "/staff/agencies/roads/edit/",
        edit_data(name="", contact_email="not an address", website="nope", name_es="Nuevo nombre"),
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert Agency.objects.values().get(pk=roads.pk) == before
    assert AuditEvent.objects.count() == 0
    assert html_count(response, '<ul class="errorlist" id="id_name_error"><li>This field is required.</li></ul>') == 1
    assert (
        html_count(
            response, '<ul class="errorlist" id="id_contact_email_error"><li>Enter a valid email address.</li></ul>'
        )
        == 1
    )
    assert html_count(response, '<ul class="errorlist" id="id_website_error"><li>Enter a valid URL.</li></ul>') == 1
    assert re.search(
        r'<input type="email" name="contact_email" value="not an address"[^>]*aria-invalid="true" aria-describedby="id_contact_email_error"',
        page,
    )
    assert re.search(r'<input type="text" name="name_es" value="Nuevo nombre"', page)


# --- Audit trail -------------------------------------------------------------------------


@pytest.fixture
def events(city, roads, parks):
    roads_manager = person(Role.AGENCY_MANAGER, city, roads, name="Mia Manager")
    parks_manager = person(Role.AGENCY_MANAGER, city, parks, name="Pablo Parks")
    elsewhere = JurisdictionFactory()
    audit_log(
        action="agency.update",
        actor=roads_manager,
        obj=roads,
        agency=roads,
        jurisdiction=city,
        before={"name": "Roads"},
        after={"name": "Roads Department"},
        channel=Channel.WEB,
    )
    audit_log(
        action="agency.update", actor=parks_manager, obj=parks, agency=parks, jurisdiction=city, channel=Channel.API
    )
    audit_log(action="area.import", jurisdiction=city, after={"count": 3})
    audit_log(action="area.import", jurisdiction=elsewhere, after={"count": 9})
    return roads_manager


def rows(response):
    return re.findall(r"<tr>\s*<td><time", response.content.decode())


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 403),
        (Role.AGENCY_STAFF, 403),
        (Role.AGENCY_MANAGER, 200),
        (Role.SUPERVISOR, 200),
        (Role.MONITOR, 200),
        (Role.ADMINISTRATOR, 200),
    ],
)
def test_audit_list_is_for_oversight_managers_and_administrators(client, city, roads, role, status):
    login(client, person(role, city, roads))

    assert client.get("/staff/audit/").status_code == status


def test_audit_list_requires_sign_in(client, city):
    assert client.get("/staff/audit/")["Location"] == "/accounts/login/?next=/staff/audit/"


def test_audit_list_for_a_supervisor_shows_the_jurisdiction_with_identities(client, city, events, settings):
    settings.ALLOWED_HOSTS = [city.domain]
    login(client, person(Role.SUPERVISOR, city))

    response = client.get("/staff/audit/", HTTP_HOST=city.domain)
    page = text(response)

    assert response.status_code == 200
    assert len(rows(response)) == 3
    assert "<caption>3 events</caption>" in page
    assert "<td>Mia Manager</td>" in page
    assert "<td>Pablo Parks</td>" in page
    assert html_count(response, '<ul class="changes"><li><code>name</code>: Roads → Roads Department</li></ul>') == 1
    assert html_count(response, '<ul class="changes"><li><code>count</code>: — → 3</li></ul>') == 1
    assert "<td>Web</td>" in page
    assert "<td>API</td>" in page
    assert "identities are hidden" not in page
    # Times are in the jurisdiction's time zone (the factory's is America/Santiago), not the server's UTC.
    assert re.search(r'<time datetime="[\d-]+T[\d:.]+-0[34]:00">', page)


def test_audit_list_for_a_monitor_hides_identities(client, city, events):
    login(client, person(Role.MONITOR, city))

    response = client.get("/staff/audit/")
    page = text(response)

    assert len(rows(response)) == 3
    assert "Mia Manager" not in page
    assert "Pablo Parks" not in page
    assert page.count("<td>hidden</td>") == 2
    assert page.count("<td>—</td>") >= 1  # the system's own action has no actor
    assert "People’s identities are hidden from your role." in page


def test_audit_list_hides_people_named_in_account_events_from_monitors(client, city, roads):
    citizen = UserFactory(name="Secret Person", email="secret@example.net")
    assignment = citizen.role_assignments.create(role=Role.SUPERVISOR, jurisdiction=city)
    audit_log(action="role.grant", obj=assignment, jurisdiction=city, after={"user": citizen.pk, "role": "supervisor"})
    audit_log(action="agency.update", obj=roads, jurisdiction=city, after={"email": "secret@example.net", "phone": "5"})
    monitor_client, supervisor_client = client, Client()
    login(monitor_client, person(Role.MONITOR, city))
    login(supervisor_client, person(Role.SUPERVISOR, city))

    monitor_page = text(monitor_client.get("/staff/audit/"))
    supervisor_page = text(supervisor_client.get("/staff/audit/"))

    assert "Secret Person" not in monitor_page
    assert "secret@example.net" not in monitor_page
    assert "<td>role assignment</td>" in monitor_page
    assert "<td>hidden</td>" in monitor_page
    assert "<li><code>email</code>: hidden → hidden</li><li><code>phone</code>: — → 5</li>" in monitor_page
    assert "<td>Secret Person — Supervisor (Villa Clara)</td>" in supervisor_page
    assert f"<li><code>role</code>: — → supervisor</li><li><code>user</code>: — → {citizen.pk}</li>" in supervisor_page
    assert "<li><code>email</code>: — → secret@example.net</li>" in supervisor_page


def test_audit_list_for_a_manager_shows_only_their_agencys_events(client, city, events):
    login(client, events)

    response = client.get("/staff/audit/")
    page = text(response)

    assert len(rows(response)) == 1
    assert "<td>Mia Manager</td>" in page
    assert "Pablo Parks" not in page


def test_audit_list_filters_by_action(client, city, events):
    login(client, person(Role.ADMINISTRATOR, city))

    response = client.get("/staff/audit/", {"action": "area.import"})

    assert len(rows(response)) == 1
    assert html_count(response, '<option value="area.import" selected>area.import</option>') == 1
    assert html_count(response, '<option value="agency.update">agency.update</option>') == 1


def test_audit_list_pages_by_fifty(client, city):
    for n in range(51):
        audit_log(action="nightly.job", jurisdiction=city, after={"n": n})
    login(client, person(Role.SUPERVISOR, city))

    first = client.get("/staff/audit/", {"action": "nightly.job"})
    second = client.get("/staff/audit/", {"action": "nightly.job", "page": 2})

    assert (len(rows(first)), len(rows(second))) == (50, 1)
    assert "Page 1 of 2" in text(first)
    assert html_count(first, '<a href="?action=nightly.job&amp;page=2" rel="next">Older</a>') == 1
    assert "<li><code>n</code>: — → 0</li>" in text(second)


def test_audit_list_does_not_query_per_event(client, city, roads, django_assert_num_queries):
    manager = person(Role.AGENCY_MANAGER, city, roads)
    login(client, person(Role.SUPERVISOR, city))

    def add_event():
        audit_log(action="agency.update", actor=manager, obj=roads, agency=roads, jurisdiction=city, after={"x": 1})

    add_event()
    with CaptureQueriesContext(connection) as one:
        client.get("/staff/audit/")
    add_event()
    add_event()

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/staff/audit/")

    assert len(rows(response)) == 3


def test_staff_home_does_not_query_per_agency(client, city, django_assert_num_queries):
    login(client, person(Role.SUPERVISOR, city))
    AgencyFactory(jurisdiction=city)
    with CaptureQueriesContext(connection) as one:
        client.get("/staff/")
    AgencyFactory(jurisdiction=city)
    AgencyFactory(jurisdiction=city)

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/staff/")

    assert response.content.decode().count("<tr><td><a href=") == 3

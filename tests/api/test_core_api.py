import datetime as dt
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from civicloop.accounts.enums import Role
from civicloop.accounts.services import role_grant
from civicloop.core.enums import AgencyKind, Channel
from civicloop.core.models import Agency, AuditEvent, Holiday
from civicloop.core.services import agency_update
from tests.api import PROBLEM, bearer, count_queries, invalid, problem
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, UserFactory, square, user_with_role

pytestmark = pytest.mark.django_db

BASE = "/api/v1/jurisdictions/ciudad-esperanza"


@pytest.fixture
def city():
    return JurisdictionFactory(
        name="Ciudad Esperanza",
        slug="ciudad-esperanza",
        domain="esperanza.example.org",
        description="A fictional city.",
        time_zone="America/Santiago",
        languages=["es", "en"],
    )


@pytest.fixture
def centro(city):
    return AreaFactory(
        jurisdiction=city, name="Centro", slug="centro", level="district", code="D1", geometry=square(-70.7, -33.5, 0.1)
    )


@pytest.fixture
def plaza(city, centro):
    return AreaFactory(
        jurisdiction=city,
        name="Plaza",
        slug="plaza",
        level="ward",
        parent=centro,
        geometry=square(-70.68, -33.48, 0.02),
    )


@pytest.fixture
def parks(city, centro, plaza):
    agency = AgencyFactory(
        jurisdiction=city,
        name="Parks Department",
        slug="parks",
        description="Parks and squares.",
        translations={"es": {"name": "Departamento de Parques", "description": "Parques y plazas."}},
        contact_email="parks@esperanza.example.org",
        phone="+56 2 2000 1000",
        website="https://parks.esperanza.example.org/",
    )
    agency.areas.set([plaza, centro])
    return agency


def feature(area, parent=None) -> dict:
    ring = area.geometry["coordinates"][0]
    return {
        "type": "Feature",
        "id": area.slug,
        "bbox": [min(p[0] for p in ring), min(p[1] for p in ring), max(p[0] for p in ring), max(p[1] for p in ring)],
        "geometry": area.geometry,
        "properties": {
            "slug": area.slug,
            "name": area.name,
            "level": area.level,
            "code": area.code,
            "parent": parent.slug if parent else None,
        },
    }


def parks_json(**changes) -> dict:
    return {
        "slug": "parks",
        "name": "Parks Department",
        "description": "Parks and squares.",
        "kind": "government",
        "contact_email": "parks@esperanza.example.org",
        "phone": "+56 2 2000 1000",
        "website": "https://parks.esperanza.example.org/",
        "areas": ["centro", "plaza"],
        "url": "http://testserver/agencies/parks/",
        **changes,
    }


def encoded(moment: dt.datetime) -> str:
    return DjangoJSONEncoder().default(moment)


# --- Jurisdictions -------------------------------------------------------------------------


def test_jurisdiction_list_returns_every_jurisdiction(client, city):
    JurisdictionFactory(name="Aldea", slug="aldea", domain="aldea.example.org", languages=["id"])

    response = client.get("/api/v1/jurisdictions")

    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "aldea",
            "name": "Aldea",
            "jurisdiction_id": "aldea.example.org",
            "time_zone": "America/Santiago",
            "languages": ["id"],
        },
        {
            "slug": "ciudad-esperanza",
            "name": "Ciudad Esperanza",
            "jurisdiction_id": "esperanza.example.org",
            "time_zone": "America/Santiago",
            "languages": ["es", "en"],
        },
    ]


def test_jurisdiction_list_queries_do_not_grow_with_items(client, django_assert_num_queries):
    JurisdictionFactory()
    one = count_queries(lambda: client.get("/api/v1/jurisdictions"))
    JurisdictionFactory()
    JurisdictionFactory()

    with django_assert_num_queries(one):
        response = client.get("/api/v1/jurisdictions")

    assert len(response.json()) == 3


def test_jurisdiction_detail_lists_holidays_from_today(client, city):
    today = timezone.localdate(timezone=city.tzinfo)
    Holiday.objects.create(jurisdiction=city, date=today - dt.timedelta(days=1), name="Yesterday's feast")
    Holiday.objects.create(jurisdiction=city, date=today + dt.timedelta(days=30), name="Independence Day")
    Holiday.objects.create(jurisdiction=city, date=today, name="Founders' Day")

    response = client.get(BASE)

    assert response.status_code == 200
    assert response.json() == {
        "slug": "ciudad-esperanza",
        "name": "Ciudad Esperanza",
        "jurisdiction_id": "esperanza.example.org",
        "time_zone": "America/Santiago",
        "languages": ["es", "en"],
        "description": "A fictional city.",
        "working_hours": {str(day): [["08:00", "16:00"]] for day in range(5)},
        "holidays": [
            {"date": today.isoformat(), "name": "Founders' Day"},
            {"date": (today + dt.timedelta(days=30)).isoformat(), "name": "Independence Day"},
        ],
    }


def test_jurisdiction_detail_unknown_slug_lists_valid_ones(client, city):
    response = client.get("/api/v1/jurisdictions/ciudad-esperansa")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json() == problem(
        404,
        "Not Found",
        "No jurisdiction 'ciudad-esperansa'. Valid jurisdictions: ciudad-esperanza.",
        "/api/v1/jurisdictions/ciudad-esperansa",
    )


# --- Areas ---------------------------------------------------------------------------------


def test_area_list_is_a_geojson_feature_collection(client, centro, plaza):
    response = client.get(f"{BASE}/areas")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert json.loads(response.content) == {
        "type": "FeatureCollection",
        "features": [feature(centro), feature(plaza, parent=centro)],
    }


def test_area_list_of_a_jurisdiction_without_areas_is_empty(client, city):
    response = client.get(f"{BASE}/areas")

    assert json.loads(response.content) == {"type": "FeatureCollection", "features": []}


def test_area_list_queries_do_not_grow_with_items(client, city, centro, django_assert_num_queries):
    one = count_queries(lambda: client.get(f"{BASE}/areas"))
    AreaFactory(jurisdiction=city, parent=centro, level="ward")
    AreaFactory(jurisdiction=city, parent=centro, level="ward")

    with django_assert_num_queries(one):
        response = client.get(f"{BASE}/areas")

    assert len(json.loads(response.content)["features"]) == 3


def test_area_detail_is_a_geojson_feature(client, centro, plaza):
    response = client.get(f"{BASE}/areas/plaza")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert json.loads(response.content) == feature(plaza, parent=centro)


def test_area_detail_unknown_slug_lists_valid_areas(client, centro, plaza):
    response = client.get(f"{BASE}/areas/north-ward")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json() == problem(
        404,
        "Not Found",
        "No area 'north-ward' in jurisdiction 'ciudad-esperanza'. Valid areas: centro, plaza.",
        f"{BASE}/areas/north-ward",
    )


def test_area_detail_unknown_slug_lists_ten_areas_and_where_to_find_all(client, city):
    for number in range(12):
        AreaFactory(jurisdiction=city, slug=f"ward-{number:02}", level="ward")

    response = client.get(f"{BASE}/areas/north-ward")

    assert response.json()["detail"] == (
        "No area 'north-ward' in jurisdiction 'ciudad-esperanza'. Valid areas include: "
        "ward-00, ward-01, ward-02, ward-03, ward-04, ward-05, ward-06, ward-07, ward-08, ward-09; "
        "/api/v1/jurisdictions/ciudad-esperanza/areas lists them all."
    )


def test_area_detail_in_a_jurisdiction_without_areas_says_so(client, city):
    response = client.get(f"{BASE}/areas/centro")

    assert response.json()["detail"] == "No area 'centro' in jurisdiction 'ciudad-esperanza'. There are no areas yet."


def test_area_detail_of_another_jurisdiction_is_not_found(client, city, centro):
    other = JurisdictionFactory(slug="aldea")
    AreaFactory(jurisdiction=other, slug="rural")

    response = client.get(f"{BASE}/areas/rural")

    assert response.status_code == 404
    assert response.json()["detail"] == "No area 'rural' in jurisdiction 'ciudad-esperanza'. Valid areas: centro."


def test_area_locate_returns_containing_areas_deepest_first(client, centro, plaza):
    response = client.get(f"{BASE}/areas/locate", {"lon": -70.67, "lat": -33.47})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert json.loads(response.content) == {
        "type": "FeatureCollection",
        "features": [feature(plaza, parent=centro), feature(centro)],
    }


def test_area_locate_outside_every_area_is_empty(client, centro, plaza):
    response = client.get(f"{BASE}/areas/locate", {"lon": 10.0, "lat": 10.0})

    assert response.status_code == 200
    assert json.loads(response.content) == {"type": "FeatureCollection", "features": []}


def test_area_locate_out_of_range_coordinates_are_refused(client, centro):
    response = client.get(f"{BASE}/areas/locate", {"lon": 200, "lat": -91})

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json() == invalid(
        "The request has invalid input — query parameter 'lon': Input should be less than or equal to 180; "
        "query parameter 'lat': Input should be greater than or equal to -90. Correct it and send the request again.",
        f"{BASE}/areas/locate",
        [
            {"location": "query", "field": "lon", "message": "Input should be less than or equal to 180"},
            {"location": "query", "field": "lat", "message": "Input should be greater than or equal to -90"},
        ],
    )


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"lat": "-33.4"}, [{"location": "query", "field": "lon", "message": "Field required"}]),
        (
            {"lon": "west", "lat": "-33.4"},
            [
                {
                    "location": "query",
                    "field": "lon",
                    "message": "Input should be a valid number, unable to parse string as a number",
                }
            ],
        ),
        (
            {"lon": "nan", "lat": "-33.4"},
            [{"location": "query", "field": "lon", "message": "Input should be a finite number"}],
        ),
    ],
)
def test_area_locate_bad_coordinates_are_refused(client, centro, query, errors):
    response = client.get(f"{BASE}/areas/locate", query)

    assert response.status_code == 400
    assert response.json()["errors"] == errors


def test_area_locate_in_unknown_jurisdiction_is_not_found(client, city):
    response = client.get("/api/v1/jurisdictions/atlantis/areas/locate", {"lon": 0, "lat": 0})

    assert response.status_code == 404
    assert response.json()["detail"] == "No jurisdiction 'atlantis'. Valid jurisdictions: ciudad-esperanza."


# --- Agencies ------------------------------------------------------------------------------


def test_agency_list_returns_active_agencies(client, parks):
    AgencyFactory(jurisdiction=parks.jurisdiction, slug="closed", is_active=False)

    response = client.get(f"{BASE}/agencies")

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert response.json() == [parks_json()]


def test_agency_list_follows_accept_language(client, parks):
    response = client.get(f"{BASE}/agencies", headers={"Accept-Language": "es"})

    assert response["Content-Language"] == "es"
    assert response.json() == [parks_json(name="Departamento de Parques", description="Parques y plazas.")]


def test_agency_list_lang_parameter_wins_over_accept_language(client, parks):
    response = client.get(f"{BASE}/agencies", {"lang": "es"}, headers={"Accept-Language": "en"})

    assert response["Content-Language"] == "es"
    assert response.json()[0]["name"] == "Departamento de Parques"


def test_agency_list_falls_back_to_the_original_without_a_translation(client, parks):
    response = client.get(f"{BASE}/agencies", {"lang": "id"})

    assert response.json() == [parks_json()]


def test_agency_list_unknown_language_is_refused(client, parks):
    response = client.get(f"{BASE}/agencies", {"lang": "xx"})

    assert response.status_code == 400
    assert response.json() == invalid(
        "The request has invalid input — query parameter 'lang': Unknown language 'xx'; use one of en, es, id. "
        "Correct it and send the request again.",
        f"{BASE}/agencies",
        [{"location": "query", "field": "lang", "message": "Unknown language 'xx'; use one of en, es, id"}],
    )


def test_agency_list_queries_do_not_grow_with_items(client, city, centro, parks, django_assert_num_queries):
    one = count_queries(lambda: client.get(f"{BASE}/agencies"))
    for _ in range(2):
        AgencyFactory(jurisdiction=city).areas.set([centro])

    with django_assert_num_queries(one):
        response = client.get(f"{BASE}/agencies")

    assert len(response.json()) == 3


def test_agency_detail_returns_the_agency(client, parks):
    response = client.get(f"{BASE}/agencies/parks", {"lang": "es"})

    assert response.status_code == 200
    assert response.json() == parks_json(name="Departamento de Parques", description="Parques y plazas.")


def test_agency_detail_url_uses_the_agency_jurisdiction_domain(client, parks):
    JurisdictionFactory(slug="aldea")  # two jurisdictions: testserver matches neither

    response = client.get(f"{BASE}/agencies/parks")

    assert response.json()["url"] == "http://esperanza.example.org/agencies/parks/"


def test_agency_detail_unknown_slug_lists_valid_agencies(client, parks):
    AgencyFactory(jurisdiction=parks.jurisdiction, slug="water")

    response = client.get(f"{BASE}/agencies/roads")

    assert response.status_code == 404
    assert response.json() == problem(
        404,
        "Not Found",
        "No agency 'roads' in jurisdiction 'ciudad-esperanza'. Valid agencies: parks, water.",
        f"{BASE}/agencies/roads",
    )


def test_agency_detail_of_inactive_agency_is_not_found(client, parks):
    Agency.objects.filter(pk=parks.pk).update(is_active=False)

    response = client.get(f"{BASE}/agencies/parks")

    assert response.status_code == 404


# --- Changing an agency --------------------------------------------------------------------


def test_agency_patch_by_manager_changes_and_audits(client, parks):
    manager = user_with_role(Role.AGENCY_MANAGER, jurisdiction=parks.jurisdiction, agency=parks)

    response = client.patch(
        f"{BASE}/agencies/parks",
        {"name": "Parks and Gardens", "phone": "+56 2 2000 2000"},
        content_type="application/json",
        headers=bearer(manager),
    )

    assert response.status_code == 200
    assert response.json() == parks_json(name="Parks and Gardens", phone="+56 2 2000 2000")
    parks.refresh_from_db()
    assert (parks.name, parks.phone) == ("Parks and Gardens", "+56 2 2000 2000")
    event = AuditEvent.objects.get(action="agency.update")
    assert (event.channel, event.actor, event.actor_agency, event.jurisdiction) == (
        Channel.API,
        manager,
        parks,
        parks.jurisdiction,
    )
    assert event.before == {"name": "Parks Department", "phone": "+56 2 2000 1000"}
    assert event.after == {"name": "Parks and Gardens", "phone": "+56 2 2000 2000"}


def test_agency_patch_replaces_translations_and_answers_in_lang(client, parks):
    manager = user_with_role(Role.AGENCY_MANAGER, jurisdiction=parks.jurisdiction, agency=parks)
    translations = {"es": {"name": "Parques", "description": "Plazas."}, "id": {"name": "Dinas Taman"}}

    response = client.patch(
        f"{BASE}/agencies/parks?lang=id",
        {"translations": translations},
        content_type="application/json",
        headers=bearer(manager),
    )

    assert response.status_code == 200
    assert response.json() == parks_json(name="Dinas Taman")
    parks.refresh_from_db()
    assert parks.translations == translations


def test_agency_patch_by_jurisdiction_administrator_is_allowed(client, parks):
    administrator = user_with_role(Role.ADMINISTRATOR, jurisdiction=parks.jurisdiction)

    response = client.patch(
        f"{BASE}/agencies/parks", {"website": ""}, content_type="application/json", headers=bearer(administrator)
    )

    assert response.status_code == 200
    assert response.json() == parks_json(website="")


def test_agency_patch_without_changes_writes_no_audit_event(client, parks):
    manager = user_with_role(Role.AGENCY_MANAGER, jurisdiction=parks.jurisdiction, agency=parks)

    response = client.patch(f"{BASE}/agencies/parks", {}, content_type="application/json", headers=bearer(manager))

    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="agency.update").exists()


@pytest.mark.parametrize("role", [None, Role.AGENCY_STAFF, Role.MONITOR, Role.SUPERVISOR])
def test_agency_patch_by_someone_without_the_permission_is_forbidden(client, parks, role):
    user = user_with_role(role, jurisdiction=parks.jurisdiction, agency=parks)

    response = client.patch(
        f"{BASE}/agencies/parks", {"name": "X"}, content_type="application/json", headers=bearer(user)
    )

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json() == problem(
        403,
        "Forbidden",
        "You may not change the agency 'parks': only its managers and the administrators of Ciudad Esperanza can. "
        "Ask an administrator for the agency manager role.",
        f"{BASE}/agencies/parks",
    )
    parks.refresh_from_db()
    assert parks.name == "Parks Department"


def test_agency_patch_by_manager_of_another_agency_is_forbidden(client, parks):
    water = AgencyFactory(jurisdiction=parks.jurisdiction, slug="water")
    manager = user_with_role(Role.AGENCY_MANAGER, jurisdiction=parks.jurisdiction, agency=water)

    response = client.patch(
        f"{BASE}/agencies/parks", {"name": "X"}, content_type="application/json", headers=bearer(manager)
    )

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="agency.update").exists()


def test_agency_patch_by_administrator_of_another_jurisdiction_is_forbidden(client, parks):
    administrator = user_with_role(Role.ADMINISTRATOR, jurisdiction=JurisdictionFactory())

    response = client.patch(
        f"{BASE}/agencies/parks", {"name": "X"}, content_type="application/json", headers=bearer(administrator)
    )

    assert response.status_code == 403


def test_agency_patch_without_credentials_is_unauthorized(client, parks):
    response = client.patch(f"{BASE}/agencies/parks", {"name": "X"}, content_type="application/json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_agency_patch_invalid_value_saves_nothing(client, parks):
    manager = user_with_role(Role.AGENCY_MANAGER, jurisdiction=parks.jurisdiction, agency=parks)

    response = client.patch(
        f"{BASE}/agencies/parks",
        {"name": "Parks and Gardens", "contact_email": "not an address"},
        content_type="application/json",
        headers=bearer(manager),
    )

    assert response.status_code == 400
    assert response.json() == invalid(
        "The request has invalid input — field 'contact_email': Enter a valid email address. "
        "Correct it and send the request again.",
        f"{BASE}/agencies/parks",
        [{"location": "body", "field": "contact_email", "message": "Enter a valid email address."}],
    )
    parks.refresh_from_db()
    assert parks.name == "Parks Department"
    assert not AuditEvent.objects.filter(action="agency.update").exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"slug": "renamed"}, [{"location": "body", "field": "slug", "message": "Extra inputs are not permitted"}]),
        ({"name": ""}, [{"location": "body", "field": "name", "message": "String should have at least 1 character"}]),
        (
            {"name": None},
            [
                {
                    "location": "body",
                    "field": "name",
                    "message": "The name may not be null; leave the field out to keep it unchanged",
                }
            ],
        ),
        (
            {"translations": {"fr": {"name": "Parcs"}}},
            [
                {
                    "location": "body",
                    "field": "translations",
                    "message": "Unknown language code(s) fr; use en, es, id",
                }
            ],
        ),
        (
            {"translations": {"es": {"title": "Parques"}}},
            [{"location": "body", "field": "translations.es.title", "message": "Extra inputs are not permitted"}],
        ),
    ],
)
def test_agency_patch_body_failing_the_schema_is_refused(client, parks, body, errors):
    manager = user_with_role(Role.AGENCY_MANAGER, jurisdiction=parks.jurisdiction, agency=parks)

    response = client.patch(f"{BASE}/agencies/parks", body, content_type="application/json", headers=bearer(manager))

    assert response.status_code == 400
    assert response.json()["type"] == "urn:civicloop:problem:invalid-input"
    assert response.json()["errors"] == errors
    assert not AuditEvent.objects.filter(action="agency.update").exists()


def test_agency_patch_unparsable_body_is_refused(client, parks):
    manager = user_with_role(Role.AGENCY_MANAGER, jurisdiction=parks.jurisdiction, agency=parks)

    response = client.patch(
        f"{BASE}/agencies/parks", "{name: ", content_type="application/json", headers=bearer(manager)
    )

    assert response.status_code == 400
    assert response.json() == problem(
        400,
        "Bad Request",
        "The request body is not valid JSON. Send a JSON object with the header Content-Type: application/json.",
        f"{BASE}/agencies/parks",
        errors=[],
    )


def test_agency_patch_unknown_agency_is_not_found(client, parks):
    manager = user_with_role(Role.AGENCY_MANAGER, jurisdiction=parks.jurisdiction, agency=parks)

    response = client.patch(
        f"{BASE}/agencies/roads", {"name": "X"}, content_type="application/json", headers=bearer(manager)
    )

    assert response.status_code == 404
    assert response.json()["detail"] == "No agency 'roads' in jurisdiction 'ciudad-esperanza'. Valid agencies: parks."


# --- Audit trail ---------------------------------------------------------------------------


@pytest.fixture
def trail(parks):
    """Three events: a parks edit by its manager, a water edit by its manager, a role grant."""
    city = parks.jurisdiction
    water = AgencyFactory(jurisdiction=city, slug="water", name="Water")
    parks_manager = user_with_role(
        Role.AGENCY_MANAGER, jurisdiction=city, agency=parks, email="ana@example.net", name="Ana"
    )
    water_manager = user_with_role(
        Role.AGENCY_MANAGER, jurisdiction=city, agency=water, email="wu@example.net", name="Wu"
    )
    agency_update(agency=parks, by=parks_manager, phone="+56 2 1")
    agency_update(agency=water, by=water_manager, phone="+56 2 2")
    administrator = user_with_role(Role.ADMINISTRATOR, jurisdiction=city)
    role_grant(user=UserFactory(), role=Role.AGENCY_STAFF, jurisdiction=city, agency=water, by=administrator)
    return {"parks_manager": parks_manager, "water_manager": water_manager, "administrator": administrator}


def audit_json(event: AuditEvent, *, people: bool = True) -> dict:
    hidden = event.is_about_people and not people
    return {
        "id": event.pk,
        "occurred_at": encoded(event.occurred_at),
        "action": event.action,
        "channel": event.channel,
        "actor": (
            {"id": event.actor.pk, "email": event.actor.email, "name": event.actor.name}
            if people and event.actor
            else None
        ),
        "actor_agency": event.actor_agency.slug if event.actor_agency else None,
        "object": {
            "type": f"{event.content_type.app_label}.{event.content_type.model}",
            "id": event.object_id,
            "repr": None if hidden else event.object_repr,
        },
        "before": None if hidden else event.before,
        "after": None if hidden else event.after,
    }


def test_audit_events_supervisor_reads_the_whole_trail(client, city, trail):
    supervisor = user_with_role(Role.SUPERVISOR, jurisdiction=city)
    events = list(AuditEvent.objects.filter(jurisdiction=city).order_by("-occurred_at", "-id"))

    response = client.get("/api/v1/audit-events", {"jurisdiction": city.slug}, headers=bearer(supervisor))

    assert response.status_code == 200
    assert response.json() == {"items": [audit_json(e) for e in events], "count": 3, "page": 1, "page_size": 50}
    assert [item["action"] for item in response.json()["items"]] == ["role.grant", "agency.update", "agency.update"]


def test_audit_events_manager_reads_only_own_agency(client, city, parks, trail):
    response = client.get("/api/v1/audit-events", {"jurisdiction": city.slug}, headers=bearer(trail["parks_manager"]))

    event = AuditEvent.objects.get(action="agency.update", actor_agency=parks)
    assert response.status_code == 200
    assert response.json() == {"items": [audit_json(event)], "count": 1, "page": 1, "page_size": 50}


def test_audit_events_monitor_sees_no_personal_data(client, city, trail):
    monitor = user_with_role(Role.MONITOR, jurisdiction=city)
    events = list(AuditEvent.objects.filter(jurisdiction=city).order_by("-occurred_at", "-id"))

    response = client.get("/api/v1/audit-events", {"jurisdiction": city.slug}, headers=bearer(monitor))

    items = response.json()["items"]
    assert items == [audit_json(e, people=False) for e in events]
    assert [item["actor"] for item in items] == [None, None, None]
    assert items[0]["object"]["repr"] is None  # the role grant names a person
    assert items[1]["after"] == {"phone": "+56 2 2"}  # an agency's details are not personal
    assert "wu@example.net" not in response.content.decode()


def test_audit_events_filter_by_action(client, city, trail):
    response = client.get(
        "/api/v1/audit-events",
        {"jurisdiction": city.slug, "action": "role.grant"},
        headers=bearer(trail["administrator"]),
    )

    assert [item["action"] for item in response.json()["items"]] == ["role.grant"]
    assert response.json()["count"] == 1


def test_audit_events_are_paginated_by_fifty(client, city, parks):
    supervisor = user_with_role(Role.SUPERVISOR, jurisdiction=city)
    for number in range(51):
        agency_update(agency=parks, by=supervisor, phone=f"+56 2 {number}")

    response = client.get("/api/v1/audit-events", {"jurisdiction": city.slug, "page": 2}, headers=bearer(supervisor))

    oldest = AuditEvent.objects.filter(jurisdiction=city).order_by("occurred_at", "id").first()
    assert response.json() == {"items": [audit_json(oldest)], "count": 51, "page": 2, "page_size": 50}


def test_audit_events_page_zero_is_refused(client, city):
    supervisor = user_with_role(Role.SUPERVISOR, jurisdiction=city)

    response = client.get("/api/v1/audit-events", {"jurisdiction": city.slug, "page": 0}, headers=bearer(supervisor))

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"location": "query", "field": "page", "message": "Input should be greater than or equal to 1"}
    ]


def test_audit_events_queries_do_not_grow_with_items(client, city, parks, django_assert_num_queries):
    supervisor = user_with_role(Role.SUPERVISOR, jurisdiction=city)
    headers = bearer(supervisor)
    agency_update(agency=parks, by=supervisor, phone="1")
    client.get("/api/v1/audit-events", {"jurisdiction": city.slug}, headers=headers)  # stamps the token's last use
    one = count_queries(lambda: client.get("/api/v1/audit-events", {"jurisdiction": city.slug}, headers=headers))
    agency_update(agency=parks, by=UserFactory(), phone="2")
    role_grant(user=UserFactory(), role=Role.MONITOR, jurisdiction=city, by=supervisor)

    with django_assert_num_queries(one):
        response = client.get("/api/v1/audit-events", {"jurisdiction": city.slug}, headers=headers)

    assert response.json()["count"] == 3


@pytest.mark.parametrize("role", [None, Role.AGENCY_STAFF])
def test_audit_events_forbidden_without_the_permission(client, city, parks, role):
    user = user_with_role(role, jurisdiction=city, agency=parks)

    response = client.get("/api/v1/audit-events", {"jurisdiction": city.slug}, headers=bearer(user))

    assert response.status_code == 403
    assert response.json() == problem(
        403,
        "Forbidden",
        "You may not read the audit trail of Ciudad Esperanza: it is open to its supervisors, monitors, "
        "administrators and agency managers.",
        "/api/v1/audit-events",
    )


def test_audit_events_supervisor_of_another_jurisdiction_is_forbidden(client, city):
    supervisor = user_with_role(Role.SUPERVISOR, jurisdiction=JurisdictionFactory())

    response = client.get("/api/v1/audit-events", {"jurisdiction": city.slug}, headers=bearer(supervisor))

    assert response.status_code == 403


def test_audit_events_need_authentication(client, city):
    response = client.get("/api/v1/audit-events", {"jurisdiction": city.slug})

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_audit_events_need_a_jurisdiction(client, city):
    supervisor = user_with_role(Role.SUPERVISOR, jurisdiction=city)

    response = client.get("/api/v1/audit-events", headers=bearer(supervisor))

    assert response.status_code == 400
    assert response.json()["errors"] == [{"location": "query", "field": "jurisdiction", "message": "Field required"}]


def test_audit_events_unknown_jurisdiction_is_not_found(client, city):
    supervisor = user_with_role(Role.SUPERVISOR, jurisdiction=city)

    response = client.get("/api/v1/audit-events", {"jurisdiction": "atlantis"}, headers=bearer(supervisor))

    assert response.status_code == 404
    assert response.json()["detail"] == "No jurisdiction 'atlantis'. Valid jurisdictions: ciudad-esperanza."


def test_agency_kind_is_reported(client, city):
    AgencyFactory(jurisdiction=city, slug="builders", kind=AgencyKind.CONTRACTOR)

    response = client.get(f"{BASE}/agencies/builders")

    assert response.json()["kind"] == "contractor"

import pytest
from django.test import Client

from civicloop.accounts.enums import Role
from civicloop.accounts.models import ApiToken, RoleAssignment
from civicloop.accounts.services import api_token_create, api_token_revoke
from civicloop.core.models import AuditEvent
from tests.api import MODEL_BACKEND, PROBLEM, bearer, problem
from tests.factories import AgencyFactory, JurisdictionFactory, UserFactory, user_with_role

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = (
    "This operation needs you to authenticate: send the header 'Authorization: Bearer <token>' with an API "
    "token (create one at /me/tokens/), or sign in and use the session."
)
TOKEN_REFUSED = (
    "The API token was not accepted: it is mistyped, revoked, or its owner's account is disabled. "
    "Check it, or create a new one at /me/tokens/."
)


@pytest.fixture
def city():
    return JurisdictionFactory(name="Ciudad Esperanza", slug="ciudad-esperanza")


@pytest.fixture
def manager(city):
    parks = AgencyFactory(jurisdiction=city, slug="parks", name="Parks")
    return user_with_role(Role.AGENCY_MANAGER, jurisdiction=city, agency=parks, email="ana@example.net", name="Ana")


# --- /me -----------------------------------------------------------------------------------


def test_me_with_token_lists_roles_and_their_scope(client, city, manager):
    RoleAssignment.objects.create(user=manager, role=Role.MONITOR, jurisdiction=city, organisation="Ciudadanos A.C.")
    other = JurisdictionFactory(name="Aldea", slug="aldea")
    RoleAssignment.objects.create(user=manager, role=Role.SUPERVISOR, jurisdiction=other)

    response = client.get("/api/v1/me", headers=bearer(manager))

    assert response.status_code == 200
    assert response.json() == {
        "email": "ana@example.net",
        "name": "Ana",
        "roles": [
            {"role": "supervisor", "label": "Supervisor", "jurisdiction": "aldea", "agency": None, "organisation": ""},
            {
                "role": "agency_manager",
                "label": "Agency manager",
                "jurisdiction": "ciudad-esperanza",
                "agency": "parks",
                "organisation": "",
            },
            {
                "role": "monitor",
                "label": "Monitor",
                "jurisdiction": "ciudad-esperanza",
                "agency": None,
                "organisation": "Ciudadanos A.C.",
            },
        ],
    }


def test_me_for_a_citizen_has_no_roles(client):
    citizen = UserFactory(email="carla@example.net", name="")

    response = client.get("/api/v1/me", headers=bearer(citizen))

    assert response.json() == {"email": "carla@example.net", "name": "", "roles": []}


def test_me_with_session_of_signed_in_browser(client, manager):
    client.force_login(manager, backend=MODEL_BACKEND)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["email"] == "ana@example.net"


def test_token_use_is_recorded(client, manager):
    headers = bearer(manager)

    client.get("/api/v1/me", headers=headers)

    assert ApiToken.objects.get(user=manager).last_used_at is not None


# --- Refused credentials -------------------------------------------------------------------


def test_missing_credentials_are_unauthorized_with_bearer_challenge(client):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == problem(401, "Unauthorized", UNAUTHENTICATED, "/api/v1/me")


def test_wrong_token_is_unauthorized(client, manager):
    bearer(manager)

    response = client.get("/api/v1/me", headers={"Authorization": "Bearer cl_0000_not-a-real-token"})

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json() == problem(401, "Unauthorized", TOKEN_REFUSED, "/api/v1/me")


def test_revoked_token_is_unauthorized(client, manager):
    token, raw = api_token_create(user=manager, name="bridge")
    api_token_revoke(token=token, by=manager)

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})

    assert response.status_code == 401
    assert response.json()["detail"] == TOKEN_REFUSED


def test_token_of_deactivated_user_is_unauthorized(client, manager):
    headers = bearer(manager)
    manager.is_active = False
    manager.save(update_fields=["is_active"])

    response = client.get("/api/v1/me", headers=headers)

    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Token abc", "Bearer", "Basic dXNlcjpwYXNz"])
def test_malformed_authorization_header_is_unauthorized(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_request"'
    assert response.json()["detail"] == (
        "The Authorization header must be 'Bearer <token>', with the token you created at /me/tokens/."
    )


def test_wrong_token_is_refused_even_with_a_signed_in_session(client, manager):
    client.force_login(manager, backend=MODEL_BACKEND)

    response = client.get("/api/v1/me", headers={"Authorization": "Bearer cl_wrong"})

    assert response.status_code == 401


# --- Sessions and CSRF ---------------------------------------------------------------------


def patch_parks(client, **headers):
    return client.patch(
        "/api/v1/jurisdictions/ciudad-esperanza/agencies/parks",
        {"phone": "+56 2 5"},
        content_type="application/json",
        headers=headers,
    )


def test_session_patch_without_csrf_token_is_forbidden(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager, backend=MODEL_BACKEND)

    response = patch_parks(client)

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"] == (
        "The CSRF check failed. A browser using its session must send the header X-CSRFToken with the value "
        "of the csrftoken cookie; scripts should use an API token instead."
    )
    assert not AuditEvent.objects.filter(action="agency.update").exists()


def test_session_patch_with_csrf_token_from_docs_page_succeeds(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager, backend=MODEL_BACKEND)
    client.get("/api/v1/docs")  # the docs page hands out the CSRF cookie its "try it out" needs

    response = patch_parks(client, **{"X-CSRFToken": client.cookies["csrftoken"].value})

    assert response.status_code == 200
    assert response.json()["phone"] == "+56 2 5"
    assert AuditEvent.objects.get(action="agency.update").channel == "api"


def test_token_patch_needs_no_csrf_token(manager):
    client = Client(enforce_csrf_checks=True)

    response = patch_parks(client, **bearer(manager))

    assert response.status_code == 200


def test_anonymous_patch_gets_401_not_a_csrf_refusal(city):
    AgencyFactory(jurisdiction=city, slug="parks")
    client = Client(enforce_csrf_checks=True)

    response = patch_parks(client)

    assert response.status_code == 401


def test_public_reads_need_no_credentials(client, city):
    response = client.get("/api/v1/jurisdictions/ciudad-esperanza/agencies")

    assert response.status_code == 200

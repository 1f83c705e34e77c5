"""The API's error conventions (RFC 9457 problems), its OpenAPI document and its docs page."""

import json
import logging
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import RequestFactory
from ninja.errors import AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from civicloop.accounts.services import AccountError
from civicloop.api import api
from civicloop.core import selectors
from civicloop.core.models import Agency
from civicloop.core.services import CoreError
from tests.api import INVALID_INPUT, PROBLEM, problem
from tests.factories import JurisdictionFactory

pytestmark = pytest.mark.django_db

NOT_ALLOWED_TO = "You are not allowed to do this. Ask an administrator of the jurisdiction for the role you need."


# --- Addresses and methods the API does not have ---------------------------------------------


def test_unknown_endpoint_is_a_problem(client):
    response = client.get("/api/v1/reports")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json() == problem(
        404,
        "Not Found",
        "There is no API endpoint at /api/v1/reports. The endpoints are listed at /api/v1/docs.",
        "/api/v1/reports",
    )


def test_unknown_endpoint_with_trailing_slash_suggests_the_right_one(client):
    response = client.post("/api/v1/jurisdictions/")

    assert response.status_code == 404
    assert response.json()["detail"] == (
        "There is no API endpoint at /api/v1/jurisdictions/. Did you mean /api/v1/jurisdictions (without the "
        "final slash)? The endpoints are listed at /api/v1/docs."
    )


def test_api_root_is_a_problem_pointing_to_the_docs(client):
    response = client.get("/api/v1/")

    assert response.status_code == 404
    assert (
        response.json()["detail"] == "There is no API endpoint at /api/v1/. The endpoints are listed at /api/v1/docs."
    )


def test_unsupported_method_is_a_problem_listing_allowed_ones(client):
    response = client.delete("/api/v1/jurisdictions")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response["Allow"] == "GET"
    assert response.json() == problem(
        405,
        "Method Not Allowed",
        "/api/v1/jurisdictions does not accept DELETE; use GET.",
        "/api/v1/jurisdictions",
    )


def test_unsupported_method_on_path_with_two_operations_lists_both(client):
    response = client.put("/api/v1/jurisdictions/x/agencies/y")

    assert response.status_code == 405
    assert sorted(response["Allow"].split(", ")) == ["GET", "PATCH"]


# --- Unexpected errors ---------------------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True])
def test_unexpected_error_is_a_500_problem_that_leaks_nothing(client, monkeypatch, caplog, settings, debug):
    settings.DEBUG = debug

    def broken():
        raise RuntimeError("password=hunter2")

    monkeypatch.setattr(selectors, "jurisdiction_list", broken)

    with caplog.at_level(logging.ERROR, logger="civicloop.api"):
        response = client.get("/api/v1/jurisdictions")

    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert response.json() == problem(
        500,
        "Internal Server Error",
        "Something went wrong on our side; the error has been logged. Try again later, and if it keeps happening "
        "tell the site's operators the time and the address you called.",
        "/api/v1/jurisdictions",
    )
    assert "hunter2" not in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "civicloop.api"]
    assert record.getMessage() == "Unhandled error in GET /api/v1/jurisdictions"
    assert isinstance(record.exc_info[1], RuntimeError)


# --- Each kind of exception becomes the right problem ------------------------------------------


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (
            CoreError("These agency fields cannot be changed here: slug."),
            problem(400, "Bad Request", "These agency fields cannot be changed here: slug.", "/api/v1/x", errors=[]),
        ),
        (
            AccountError("Give the token a name."),
            problem(400, "Bad Request", "Give the token a name.", "/api/v1/x", errors=[]),
        ),
        (
            DjangoValidationError({"name": ["Too long."], "__all__": ["Slug taken."]}),
            {
                "type": INVALID_INPUT,
                "title": "Invalid input",
                "status": 400,
                "detail": "The request has invalid input — field 'name': Too long; the request: Slug taken. "
                "Correct it and send the request again.",
                "instance": "/api/v1/x",
                "errors": [
                    {"location": None, "field": "name", "message": "Too long."},
                    {"location": None, "field": None, "message": "Slug taken."},
                ],
            },
        ),
        (
            DjangoValidationError("Not a polygon."),
            {
                "type": INVALID_INPUT,
                "title": "Invalid input",
                "status": 400,
                "detail": "The request has invalid input — the request: Not a polygon. Correct it and send the request again.",
                "instance": "/api/v1/x",
                "errors": [{"location": None, "field": None, "message": "Not a polygon."}],
            },
        ),
        (
            Agency.DoesNotExist("Agency matching query does not exist."),
            problem(
                404, "Not Found", "Agency matching query does not exist. Check the identifiers in the URL.", "/api/v1/x"
            ),
        ),
        (
            Http404(),
            problem(404, "Not Found", "Nothing exists at /api/v1/x. Check the identifiers in the URL.", "/api/v1/x"),
        ),
        (PermissionDenied(), problem(403, "Forbidden", NOT_ALLOWED_TO, "/api/v1/x")),
        (AuthorizationError(), problem(403, "Forbidden", NOT_ALLOWED_TO, "/api/v1/x")),
        (
            HttpError(409, "The report is already closed."),
            problem(409, "Conflict", "The report is already closed.", "/api/v1/x"),
        ),
        (
            Throttled(wait=5),
            problem(429, "Too Many Requests", "Too many requests. Wait a little and try again.", "/api/v1/x"),
        ),
    ],
)
def test_exception_becomes_problem(exc, expected):
    request = RequestFactory().get("/api/v1/x")

    response = api.on_exception(request, exc)

    assert response.status_code == expected["status"]
    assert response["Content-Type"] == PROBLEM
    assert json.loads(response.content) == expected


def test_validation_error_on_a_write_is_located_in_the_body():
    request = RequestFactory().patch("/api/v1/x")

    response = api.on_exception(request, DjangoValidationError({"website": ["Enter a valid URL."]}))

    assert json.loads(response.content)["errors"] == [
        {"location": "body", "field": "website", "message": "Enter a valid URL."}
    ]


# --- OpenAPI document ----------------------------------------------------------------------


@pytest.fixture
def openapi(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_openapi_document_lists_every_path(openapi):
    assert openapi["openapi"] == "3.1.0"
    assert (openapi["info"]["title"], openapi["info"]["version"]) == ("civicloop API", "1")
    assert {path: sorted(operations) for path, operations in openapi["paths"].items()} == {
        "/api/v1/jurisdictions": ["get"],
        "/api/v1/jurisdictions/{slug}": ["get"],
        "/api/v1/jurisdictions/{slug}/areas": ["get"],
        "/api/v1/jurisdictions/{slug}/areas/locate": ["get"],
        "/api/v1/jurisdictions/{slug}/areas/{area_slug}": ["get"],
        "/api/v1/jurisdictions/{slug}/agencies": ["get"],
        "/api/v1/jurisdictions/{slug}/agencies/{agency_slug}": ["get", "patch"],
        "/api/v1/audit-events": ["get"],
        "/api/v1/me": ["get"],
    }


def test_openapi_document_paths_all_resolve(client, openapi):
    JurisdictionFactory(slug="s")
    for path in openapi["paths"]:
        response = client.get(path.replace("{slug}", "s").replace("{area_slug}", "a").replace("{agency_slug}", "a"))
        assert response.status_code != 405, path
        assert "There is no API endpoint" not in response.content.decode(), path


def test_openapi_documents_problems_for_error_statuses(openapi):
    def documented(path, method):
        responses = openapi["paths"][path][method]["responses"]
        return {
            status: response["content"][PROBLEM]["schema"]["$ref"].rsplit("/", 1)[-1]
            for status, response in responses.items()
            if int(status) >= 400
        }

    assert documented("/api/v1/jurisdictions/{slug}", "get") == {"404": "Problem"}
    assert documented("/api/v1/jurisdictions/{slug}/areas/locate", "get") == {
        "400": "ValidationProblem",
        "404": "Problem",
    }
    assert documented("/api/v1/jurisdictions/{slug}/agencies/{agency_slug}", "patch") == {
        "400": "ValidationProblem",
        "401": "Problem",
        "403": "Problem",
        "404": "Problem",
    }
    assert documented("/api/v1/audit-events", "get") == {
        "400": "ValidationProblem",
        "401": "Problem",
        "403": "Problem",
        "404": "Problem",
    }
    assert documented("/api/v1/me", "get") == {"401": "Problem", "403": "Problem"}
    problem_schema = openapi["components"]["schemas"]["Problem"]
    assert sorted(problem_schema["properties"]) == ["detail", "instance", "status", "title", "type"]
    assert "errors" in openapi["components"]["schemas"]["ValidationProblem"]["properties"]


def test_openapi_documents_geojson_responses(openapi):
    for path in (
        "/api/v1/jurisdictions/{slug}/areas",
        "/api/v1/jurisdictions/{slug}/areas/locate",
        "/api/v1/jurisdictions/{slug}/areas/{area_slug}",
    ):
        assert list(openapi["paths"][path]["get"]["responses"]["200"]["content"]) == ["application/geo+json"], path


def test_openapi_documents_both_ways_to_authenticate(openapi):
    assert openapi["components"]["securitySchemes"] == {
        "ApiTokenAuth": {"type": "http", "scheme": "bearer"},
        "SessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }
    assert openapi["paths"]["/api/v1/me"]["get"]["security"] == [{"ApiTokenAuth": []}, {"SessionAuth": []}]
    assert "security" not in openapi["paths"]["/api/v1/jurisdictions"]["get"]


# --- Docs page -----------------------------------------------------------------------------


def test_docs_page_loads_only_local_assets(client):
    response = client.get("/api/v1/docs")

    page = response.content.decode()
    assets = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]*)"', page)
    assert response.status_code == 200
    assert sorted(assets) == [
        "/static/ninja/favicon.png",
        "/static/ninja/favicon.svg",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/ninja/swagger-ui-init.js",
        "/static/ninja/swagger-ui.css",
    ]
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assert '"url": "/api/v1/openapi.json"' in page


def test_docs_page_assets_are_served_by_the_app(client):
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        response = client.get(f"/static/ninja/{asset}")
        assert response.status_code == 200, asset
        b"".join(response.streaming_content)  # consume, so the file is closed


def test_credentials_are_checked_before_input(client):
    JurisdictionFactory(slug="ciudad")
    query = {"jurisdiction": "ciudad", "page": "first"}

    response = client.get("/api/v1/audit-events", query, headers={"Authorization": "Bearer x"})

    assert response.status_code == 401


def test_validation_detail_names_the_first_five_problems_and_counts_the_rest():
    errors = [{"loc": ("body", "payload", f"f{n}"), "msg": "Field required", "type": "missing"} for n in range(7)]

    response = api.on_exception(RequestFactory().post("/api/v1/x"), NinjaValidationError(errors))

    body = json.loads(response.content)
    assert body["detail"] == (
        "The request has invalid input — field 'f0': Field required; field 'f1': Field required; field 'f2': "
        "Field required; field 'f3': Field required; field 'f4': Field required; and 2 more. "
        "Correct it and send the request again."
    )
    assert len(body["errors"]) == 7

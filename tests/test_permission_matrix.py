"""Every role against every protected view and API operation.

The matrix is the specification: one row per operation, one expected status per role. A
coverage test fails when a URL pattern or an API operation is added without a row here, so
nothing new can ship without deciding who may use it.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from civicloop.accounts.enums import Role
from civicloop.accounts.services import api_token_create
from civicloop.api import api
from civicloop.reports import tokens
from civicloop.reports.models import ReportPhoto, ResponseTemplate
from tests.factories import AgencyFactory, JurisdictionFactory, UserFactory, user_with_role
from tests.reports.factories import CategoryFactory, ReportFactory

ROLES = ["anonymous", "citizen", "staff", "manager", "supervisor", "monitor", "administrator"]
ROLE_OF = {
    "staff": Role.AGENCY_STAFF,
    "manager": Role.AGENCY_MANAGER,
    "supervisor": Role.SUPERVISOR,
    "monitor": Role.MONITOR,
    "administrator": Role.ADMINISTRATOR,
}


@dataclass(frozen=True)
class Op:
    name: str  # URL name, or "METHOD /api/v1/path-template" for the API
    method: str
    path: str  # with {j}, {a}, {b}, {area}, {token} placeholders
    expected: tuple[int, ...]  # one status per role, in ROLES order
    body: dict | None = None


LOGIN = 302  # sent to the sign-in page
ALL_OK = (200,) * 7
STAFF_ONLY = (LOGIN, 403, 200, 200, 200, 200, 200)

WEB = [
    Op("core:home", "GET", "/", ALL_OK),
    Op("core:agency_list", "GET", "/agencies/", ALL_OK),
    Op("core:agency_detail", "GET", "/agencies/{a}/", ALL_OK),
    Op("core:staff_home", "GET", "/staff/", STAFF_ONLY),
    # Only the agency's own managers and administrators edit it; the manager here manages {a}.
    Op("core:agency_edit", "GET", "/staff/agencies/{a}/edit/", (LOGIN, 403, 403, 200, 403, 403, 200)),
    Op("core:audit_list", "GET", "/staff/audit/", (LOGIN, 403, 403, 200, 200, 200, 200)),
    # Staff roles are sent on to the staff home; citizens have their own page.
    Op("accounts:home", "GET", "/me/", (LOGIN, 200, 302, 302, 302, 302, 302)),
    Op("accounts:tokens", "GET", "/me/tokens/", STAFF_ONLY),
    # Someone else's token: nobody may revoke it, and its existence is not confirmed.
    Op("accounts:token_revoke", "POST", "/me/tokens/{token}/revoke/", (LOGIN, 404, 404, 404, 404, 404, 404)),
    Op("admin:index", "GET", "/admin/", (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 200)),
    Op("admin:core_auditevent_changelist", "GET", "/admin/core/auditevent/", (LOGIN,) * 6 + (200,)),
    Op("admin:core_agency_change", "GET", "/admin/core/agency/{a_pk}/change/", (LOGIN,) * 6 + (200,)),
    Op("admin:accounts_user_changelist", "GET", "/admin/accounts/user/", (LOGIN,) * 6 + (200,)),
    Op("admin:reports_category_changelist", "GET", "/admin/reports/category/", (LOGIN,) * 6 + (200,)),
    Op("admin:reports_routingrule_changelist", "GET", "/admin/reports/routingrule/", (LOGIN,) * 6 + (200,)),
    Op("admin:directory_service_changelist", "GET", "/admin/directory/service/", (LOGIN,) * 6 + (200,)),
    # The HSDS API is public and read-only: the same answer for everybody.
    Op("hsds:root", "GET", "/hsds/", ALL_OK),
    Op("hsds:services", "GET", "/hsds/services", ALL_OK),
    Op("hsds:services", "POST", "/hsds/services", (405,) * 7),
    Op("hsds:service", "GET", "/hsds/services/00000000-0000-0000-0000-000000000000", (404,) * 7),
    Op("hsds:service_at_locations", "GET", "/hsds/service_at_locations", ALL_OK),
    Op(
        "hsds:service_at_location",
        "GET",
        "/hsds/service_at_locations/00000000-0000-0000-0000-000000000000",
        (404,) * 7,
    ),
    Op("hsds:organizations", "GET", "/hsds/organizations", ALL_OK),
    Op("hsds:organization", "GET", "/hsds/organizations/00000000-0000-0000-0000-000000000000", (404,) * 7),
    Op("hsds:taxonomies", "GET", "/hsds/taxonomies", ALL_OK),
    Op("hsds:taxonomy", "GET", "/hsds/taxonomies/00000000-0000-0000-0000-000000000000", (404,) * 7),
    Op("hsds:taxonomy_terms", "GET", "/hsds/taxonomy_terms", ALL_OK),
    Op("hsds:taxonomy_term", "GET", "/hsds/taxonomy_terms/00000000-0000-0000-0000-000000000000", (404,) * 7),
    # Open311 reads are public: the same answer for everybody.
    Op("open311:discovery", "GET", "/open311/v2/discovery.json", ALL_OK),
    Op("open311:services", "GET", "/open311/v2/services.xml", ALL_OK),
    Op("open311:service_definition", "GET", "/open311/v2/services/{c}.json", ALL_OK),
    Op("open311:service_definition_singular", "GET", "/open311/v2/service/{c}.xml", ALL_OK),
    Op("open311:requests", "GET", "/open311/v2/requests.json", ALL_OK),
    # Writes need an api_key; a signed-in session is never taken for one.
    Op("open311:requests", "POST", "/open311/v2/requests.xml", (403,) * 7),
    Op("open311:request", "GET", "/open311/v2/requests/{r}.json", ALL_OK),
    Op("open311:token", "GET", "/open311/v2/tokens/unknown.json", (404,) * 7),
    Op("open311:service_request_updates", "GET", "/open311/v2/servicerequestupdates.xml", ALL_OK),
    Op("open311:service_request_updates", "POST", "/open311/v2/servicerequestupdates.json", (403,) * 7),
    Op("open311:not_found", "GET", "/open311/v2/nothing.json", (404,) * 7),
    # --- Reports: intake (anyone may report; the signed token is the permission to confirm) ---
    Op("reports:new", "GET", "/reports/new/", ALL_OK),
    Op("reports:new", "POST", "/reports/new/?category=001", ALL_OK),  # empty form: shown again with errors
    Op("reports:nearby", "GET", "/reports/new/nearby/?category=001&lon=-70.65&lat=-33.45", ALL_OK),
    Op("reports:submitted", "GET", "/reports/{r}/thanks/", (404,) * 7),  # only the browser session that filed it
    Op("reports:confirm", "GET", "/reports/{r}/confirm/{confirm}/", ALL_OK),
    Op("reports:confirm", "POST", "/reports/{r}/confirm/not-a-token/", (400,) * 7),
    Op("reports:support", "GET", "/reports/{r}/support/", ALL_OK),
    Op("reports:support", "POST", "/reports/{r}/support/", (200, 302, 302, 302, 302, 302, 302)),  # asked for an e-mail
    # --- Reports: public pages, feeds, subscriptions, feedback ---
    Op("reports:list", "GET", "/reports/", ALL_OK),
    Op("reports:list_points", "GET", "/reports/points.json", ALL_OK),
    Op("reports:feed", "GET", "/reports.atom", ALL_OK),
    Op("reports:detail", "GET", "/reports/{r}/", ALL_OK),
    Op("reports:photo", "GET", "/reports/{r}/photos/{photo}/", ALL_OK),
    Op("reports:feedback", "GET", "/reports/{r}/feedback/not-a-token/", (404,) * 7),
    Op("reports:area", "GET", "/areas/{area}/", ALL_OK),
    Op("reports:area_feed", "GET", "/areas/{area}/reports.atom", ALL_OK),
    Op("reports:category", "GET", "/categories/{c}/", ALL_OK),
    Op("reports:category_feed", "GET", "/categories/{c}/reports.atom", ALL_OK),
    Op("reports:subscribe", "GET", "/subscriptions/?area={area}", ALL_OK),
    Op("reports:subscription_confirm", "GET", "/subscriptions/confirm/not-a-token/", (404,) * 7),
    Op("reports:unsubscribe", "GET", "/subscriptions/unsubscribe/not-a-token/", (404,) * 7),
    # --- Reports: the performance pages are open data ---
    Op("reports:performance", "GET", "/performance/", ALL_OK),
    Op("reports:performance_csv", "GET", "/performance.csv", ALL_OK),
    Op("reports:performance_agency", "GET", "/performance/agencies/{a}/", ALL_OK),
    Op("reports:performance_agency_csv", "GET", "/performance/agencies/{a}.csv", ALL_OK),
    # --- Reports: the staff workspace. Monitors watch through open data and the audit trail;
    # the queue shows confidential reports and contact details, so they have no access. ---
    Op("reports:queue", "GET", "/staff/reports/", (LOGIN, 403, 200, 200, 200, 403, 200)),
    Op("reports:triage", "GET", "/staff/reports/triage/", (LOGIN, 403, 403, 403, 200, 403, 200)),
    Op("reports:bulk", "POST", "/staff/reports/bulk/", (LOGIN, 403, 302, 302, 302, 403, 302)),  # nothing chosen
    Op("reports:work", "GET", "/staff/reports/{r}/", (LOGIN, 403, 200, 200, 200, 403, 200)),
    Op("reports:act", "POST", "/staff/reports/{r}/note/", (LOGIN, 403, 200, 200, 200, 403, 200)),  # empty note
    Op("reports:staff_photo", "GET", "/staff/reports/{r}/photos/{photo}/", (LOGIN, 403, 200, 200, 200, 403, 200)),
    Op("reports:templates", "GET", "/staff/reports/templates/", (LOGIN, 403, 403, 200, 200, 403, 200)),
    Op("reports:template_create", "GET", "/staff/reports/templates/new/", (LOGIN, 403, 403, 200, 200, 403, 200)),
    Op("reports:template_edit", "GET", "/staff/reports/templates/{tpl}/edit/", (LOGIN, 403, 403, 200, 200, 403, 200)),
    Op("admin:reports_report_changelist", "GET", "/admin/reports/report/", (LOGIN,) * 6 + (200,)),
]

API = [
    Op("GET /api/v1/jurisdictions", "GET", "/api/v1/jurisdictions", ALL_OK),
    Op("GET /api/v1/jurisdictions/{slug}", "GET", "/api/v1/jurisdictions/{j}", ALL_OK),
    Op("GET /api/v1/jurisdictions/{slug}/areas", "GET", "/api/v1/jurisdictions/{j}/areas", ALL_OK),
    Op(
        "GET /api/v1/jurisdictions/{slug}/areas/locate",
        "GET",
        "/api/v1/jurisdictions/{j}/areas/locate?lon=-70.65&lat=-33.45",
        ALL_OK,
    ),
    Op("GET /api/v1/jurisdictions/{slug}/areas/{area_slug}", "GET", "/api/v1/jurisdictions/{j}/areas/{area}", ALL_OK),
    Op("GET /api/v1/jurisdictions/{slug}/agencies", "GET", "/api/v1/jurisdictions/{j}/agencies", ALL_OK),
    Op(
        "GET /api/v1/jurisdictions/{slug}/agencies/{agency_slug}",
        "GET",
        "/api/v1/jurisdictions/{j}/agencies/{a}",
        ALL_OK,
    ),
    Op(
        "PATCH /api/v1/jurisdictions/{slug}/agencies/{agency_slug}",
        "PATCH",
        "/api/v1/jurisdictions/{j}/agencies/{a}",
        (401, 403, 403, 200, 403, 403, 200),
        body={"phone": "+56 2 2345 6789"},
    ),
    Op("GET /api/v1/me", "GET", "/api/v1/me", (401, 200, 200, 200, 200, 200, 200)),
    Op("GET /api/v1/audit-events", "GET", "/api/v1/audit-events?jurisdiction={j}", (401, 403, 403, 200, 200, 200, 200)),
]

# Reachable by anyone by design; listed so the coverage test knows they were considered.
PUBLIC_OR_THIRD_PARTY = {"healthz", "livez", "set_language"}


@pytest.fixture
def world(db):
    jurisdiction = JurisdictionFactory(slug="villa", domain="villa.example.org")
    agency = AgencyFactory(jurisdiction=jurisdiction, slug="roads")
    AgencyFactory(jurisdiction=jurisdiction, slug="parks")
    from tests.factories import AreaFactory

    area = AreaFactory(jurisdiction=jurisdiction, slug="centro")
    category = CategoryFactory(jurisdiction=jurisdiction, code="001")
    report = ReportFactory(
        category=category, reference="K7M3QX9P", owner=agency, in_triage=False, lon=-70.65, lat=-33.45
    )
    report.agencies.set([agency])
    content = _jpeg()
    photo = ReportPhoto(report=report, size=len(content))
    photo.image.save("matrix.jpg", ContentFile(content), save=False)
    photo.width, photo.height = 8, 8
    photo.save()
    template = ResponseTemplate.objects.create(
        jurisdiction=jurisdiction, agency=agency, title="Thanks", language="en", text="Thank you."
    )
    users = {"anonymous": None, "citizen": UserFactory()}
    for name, role in ROLE_OF.items():
        users[name] = user_with_role(role, jurisdiction=jurisdiction, agency=agency)
    stranger_token, _raw = api_token_create(user=UserFactory(), name="someone else's")
    return {
        "j": jurisdiction,
        "a": agency,
        "area": area,
        "users": users,
        "token": stranger_token,
        "r": report,
        "photo": photo,
        "tpl": template,
    }


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "gray").save(buffer, "JPEG")
    return buffer.getvalue()


def _path(op: Op, world: dict) -> str:
    return op.path.format(
        j=world["j"].slug,
        a=world["a"].slug,
        a_pk=world["a"].pk,
        area=world["area"].slug,
        token=world["token"].pk,
        c="001",
        r=world["r"].reference,
        photo=world["photo"].pk,
        tpl=world["tpl"].pk,
        confirm=tokens.make("confirm", world["r"].reference),
    )


@pytest.mark.parametrize("op", WEB, ids=lambda op: op.name)
@pytest.mark.parametrize("role", ROLES)
def test_web_permission_matrix(client, world, op, role):
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    response = client.generic(op.method, _path(op, world))
    response.close()  # a streamed file (photos) is closed here, not by the garbage collector later
    expected = op.expected[ROLES.index(role)]
    assert response.status_code == expected, f"{role} {op.method} {op.path}"
    if expected == LOGIN and role == "anonymous":
        assert "login" in response["Location"]


@pytest.mark.parametrize("op", API, ids=lambda op: op.name)
@pytest.mark.parametrize("role", ROLES)
def test_api_permission_matrix_with_bearer_token(client, world, op, role):
    user = world["users"][role]
    headers = {}
    if user is not None:
        _token, raw = api_token_create(user=user, name="matrix")
        headers["Authorization"] = f"Bearer {raw}"
    response = client.generic(
        op.method,
        _path(op, world),
        data=json.dumps(op.body) if op.body is not None else "",
        content_type="application/json",
        headers=headers,
    )
    expected = op.expected[ROLES.index(role)]
    assert response.status_code == expected, f"{role} {op.method} {op.path}: {response.content[:300]!r}"
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"


def _url_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_matrix_covers_every_civicloop_url():
    """Every named URL of civicloop's own apps has a row (third-party apps are checked by their pages' rows)."""
    ours = {
        name
        for name in _url_names(get_resolver())
        if name.split(":")[0] in {"core", "accounts", "open311", "reports", "hsds"}
    }
    covered = {op.name for op in WEB}
    assert ours - covered == set()
    assert {"healthz", "set_language"} <= _url_names(get_resolver()) | PUBLIC_OR_THIRD_PARTY


def test_matrix_covers_every_api_operation():
    schema = api.get_openapi_schema()
    operations = {
        f"{method.upper()} /api/v1{path.removeprefix('/api/v1')}"
        for path, methods in schema["paths"].items()
        for method in methods
    }
    assert operations == {op.name for op in API}


def test_roles_are_all_in_the_matrix():
    assert set(ROLE_OF.values()) == set(Role)

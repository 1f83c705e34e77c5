"""Monitors read the audit trail without personal data: checked against the whole demo city.

Every demo person's e-mail address and name is searched for in everything a monitor can
read about the trail, on the web and through the API.
"""

import pytest

from civicloop.accounts.enums import Role
from civicloop.accounts.models import User
from civicloop.accounts.services import api_token_create
from civicloop.core.demo import demo_load
from civicloop.core.models import AuditEvent, Jurisdiction
from civicloop.reports.enums import ReporterVisibility
from civicloop.reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_monitor():
    demo_load(seed=2026)
    jurisdiction = Jurisdiction.objects.get()
    monitor = User.objects.get(role_assignments__role=Role.MONITOR)
    people = [(user.email, user.name) for user in User.objects.all()]
    # Names reporters chose to publish with their reports count too: the monitor's trail hides
    # identities, including that one (it is under `public_name` in report events).
    assert Report.objects.filter(visibility=ReporterVisibility.PUBLIC).exclude(public_name="").exists()
    return jurisdiction, monitor, [value for pair in people for value in pair if value]


def test_demo_trail_records_people_so_the_scan_means_something(demo_monitor):
    _jurisdiction, _monitor, personal = demo_monitor
    texts = [f"{e.object_repr} {e.before} {e.after}" for e in AuditEvent.objects.all()]
    assert any(value in text for value in personal for text in texts)


def test_monitor_api_audit_trail_carries_no_personal_data(client, demo_monitor):
    jurisdiction, monitor, personal = demo_monitor
    _token, raw = api_token_create(user=monitor, name="scan")
    bodies, page = [], 1
    while True:
        response = client.get(
            "/api/v1/audit-events",
            {"jurisdiction": jurisdiction.slug, "page": page},
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert response.status_code == 200
        bodies.append(response.content.decode())
        if page * response.json()["page_size"] >= response.json()["count"]:
            break
        page += 1
    leaks = sorted({value for value in personal for body in bodies if value in body})
    # The monitor's own token creation is in the trail too; nothing of anybody may show.
    assert leaks == []


def test_monitor_web_audit_trail_carries_no_personal_data(client, demo_monitor):
    _jurisdiction, monitor, personal = demo_monitor
    client.force_login(monitor)
    bodies, page = [], 1
    while True:
        response = client.get("/staff/audit/", {"page": page})
        assert response.status_code == 200
        bodies.append(response.content.decode())
        if not response.context["page"].has_next():
            break
        page += 1
    # The monitor's own e-mail appears in the page header ("signed in as"); only others count.
    others = [value for value in personal if value not in {monitor.email, monitor.name}]
    assert sorted({value for value in others for body in bodies if value in body}) == []


# --- Every public output of reports, Open311 and the HSDS directory API -----------------------
# Recognisable personal data and hidden reports are seeded, then every URL of the reports,
# open311 and hsds namespaces is fetched with GET as an anonymous visitor (the names come from the URL
# resolver, so a new public page is scanned without touching this test) and none of the markers
# may appear. Pages that need a permission answer with a redirect or 403 and carry nothing.
PUBLIC_NAMESPACES = ("reports", "open311", "hsds")
REPORTER_NAME = "Zebedee Quux-Private"
REPORTER_EMAIL = "zebedee.private@example.net"
REPORTER_PHONE = "+56 9 8765 4321"
MARKERS = [
    "Zebedee",
    "Quux-Private",
    REPORTER_EMAIL,
    "8765 4321",
    "987654321",
    "Wobblequux feedback comment",
    "Frobnicatrix internal note",
    "Marker-Staffname",
    "clerk.marker@city.example.org",
    "Yolanda Anonymarker",
    "yolanda.anon@example.net",
    "Glimmerbat confidential",
    "Snorkelwhip sensitive",
]


@pytest.fixture
def public_world(settings):
    from django.core.files.base import ContentFile

    from civicloop.reports.enums import PrivacyClass, ReporterVisibility
    from civicloop.reports.models import ReportPhoto
    from civicloop.reports.services import (
        report_comment,
        report_confirm,
        report_feedback_submit,
        report_fix,
        report_submit,
    )
    from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, UserFactory, square, user_with_role
    from tests.reports.factories import CategoryFactory, RoutingRuleFactory
    from tests.reports.test_public_pages import jpeg

    city = JurisdictionFactory(name="Villa Clara", slug="villa-clara", domain="villaclara.example.org")
    settings.ALLOWED_HOSTS = [city.domain]
    area = AreaFactory(jurisdiction=city, slug="centro", geometry=square(-70.7, -33.5, 0.1))
    agency = AgencyFactory(jurisdiction=city, slug="roads", name="Roads")
    clerk = user_with_role(
        Role.AGENCY_STAFF,
        jurisdiction=city,
        agency=agency,
        name="Clerk Marker-Staffname",
        email="clerk.marker@city.example.org",
    )
    normal = CategoryFactory(jurisdiction=city, code="potholes", name="Potholes")
    sensitive = CategoryFactory(jurisdiction=city, code="abuse", name="Abuse", privacy=PrivacyClass.SENSITIVE)
    for category in (normal, sensitive):
        RoutingRuleFactory(category=category, agencies=[agency])
    zebedee = UserFactory(name=REPORTER_NAME, email=REPORTER_EMAIL)

    def submit(**kwargs):
        kwargs.setdefault("category_code", "potholes")
        report = report_submit(jurisdiction=city, kind="complaint", lon=-70.65, lat=-33.45, **kwargs)
        return report_confirm(report=report)

    main = submit(
        title="Deep pothole",
        description="A deep pothole by the school.",
        visibility=ReporterVisibility.ANONYMOUS,
        reporter=zebedee,
        contact={"name": REPORTER_NAME, "email": REPORTER_EMAIL, "phone": REPORTER_PHONE},
    )
    ReportPhoto.objects.create(report=main, image=ContentFile(jpeg(), name="hole.jpg"), size=100)
    report_comment(report=main, by=clerk, text="Frobnicatrix internal note", internal=True)
    report_comment(report=main, by=clerk, text="We will fill it this week.", internal=False)
    report_fix(report=main, by=clerk, text="Filled.")
    report_feedback_submit(report=main, fixed=True, rating=4, comment="Wobblequux feedback comment")
    anonymous = submit(
        description="Broken kerb.",
        visibility=ReporterVisibility.ANONYMOUS,
        contact={"name": "Yolanda Anonymarker", "email": "yolanda.anon@example.net"},
    )
    confidential = submit(
        title="Glimmerbat confidential title",
        description="Glimmerbat confidential description.",
        visibility=ReporterVisibility.CONFIDENTIAL,
        contact={"name": REPORTER_NAME, "email": REPORTER_EMAIL, "phone": REPORTER_PHONE},
    )
    ReportPhoto.objects.create(report=confidential, image=ContentFile(jpeg(), name="secret.jpg"), size=100)
    hidden_category = submit(
        category_code="abuse",
        title="Snorkelwhip sensitive title",
        description="Snorkelwhip sensitive description.",
        contact={"email": REPORTER_EMAIL},
    )
    ReportPhoto.objects.create(report=hidden_category, image=ContentFile(jpeg(), name="abuse.jpg"), size=100)
    reports = [main, anonymous, confidential, hidden_category]
    # The directory: the standard's example package, then a service edited by the clerk, whose
    # name lands in the change log (HSDS metadata.updated_by) — never in what the API publishes.
    from civicloop.directory.models import Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
    from civicloop.directory.services import directory_import_hsds, directory_object_update
    from tests.directory.conftest import EXAMPLE_PACKAGE

    directory_import_hsds(jurisdiction=city, path=EXAMPLE_PACKAGE / "datapackage.json", by=clerk)
    service = Service.objects.get(jurisdiction=city)
    directory_object_update(obj=service, changes={"name": "Community food pantry"}, by=clerk)
    directory_ids = [
        str(pk)
        for model in (Service, Organization, ServiceAtLocation, Taxonomy, TaxonomyTerm)
        for pk in model.objects.filter(jurisdiction=city).values_list("pk", flat=True)
    ]
    values = {
        "object_id": directory_ids,
        "reference": [report.reference for report in reports],
        "pk": list(ReportPhoto.objects.values_list("pk", flat=True)),
        "slug": [area.slug, agency.slug],
        "code": [normal.code, sensitive.code],
        "fmt": ["json", "xml"],
        "format": ["json", "xml"],
        "token": ["not-a-valid-token"],
        "rest": ["nothing"],
    }
    return city, main, reports, values


def _public_url_names():
    """(qualified name, parameter names) of every URL pattern in the public namespaces."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace in PUBLIC_NAMESPACES and pattern.name:
                found.append((f"{namespace}:{pattern.name}", sorted(pattern.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, None)
    return sorted({(name, tuple(params)) for name, params in found})


def _urls_for(name, params, values):
    import itertools

    from django.urls import NoReverseMatch, reverse

    choices = [values.get(param, ["1", "x"]) for param in params]
    urls = set()
    for combination in itertools.product(*choices):
        try:
            urls.add(reverse(name, kwargs=dict(zip(params, combination, strict=True))))
        except NoReverseMatch:
            continue
    return sorted(urls)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        # Reading the stream to its end closes the file (the test client wraps it to do so).
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_public_outputs_carry_no_personal_data_nor_hidden_reports(client, public_world):
    city, main, reports, values = public_world
    references = ",".join(report.reference for report in reports)
    queries = [{}, {"service_request_id": references}, {"start_date": "2000-01-01T00:00:00Z"}, {"status": "closed"}]
    fetched = {}
    for name, params in _public_url_names():
        for url in _urls_for(name, params, values):
            if name.startswith("open311:"):
                variants = queries
            elif name.startswith("hsds:"):
                variants = [{}, {"full": "true"}, {"full_service": "true"}, {"format": "ndjson"}, {"minimal": "true"}]
            elif name == "reports:subscribe":
                variants = [{"report": report.reference} for report in reports]
            else:
                variants = [{}]
            for query in variants:
                response = client.get(url, query, HTTP_HOST=city.domain)
                body = _body(response)
                leaks = [marker for marker in MARKERS if marker.lower() in body.lower()]
                assert leaks == [], f"{name} {url} {query} shows {leaks}"
                fetched.setdefault(name, set()).add(response.status_code)

    # The scan means something: the public pages answered and show the public report.
    for name in [
        "reports:list",
        "reports:detail",
        "reports:photo",
        "reports:feed",
        "reports:area_feed",
        "reports:subscribe",
        "hsds:services",
        "hsds:service",
        "hsds:organization",
        "hsds:service_at_locations",
    ]:
        assert 200 in fetched[name], name
    from civicloop.directory.models import Service

    service = Service.objects.get(jurisdiction=city)
    pantry = client.get(f"/hsds/services/{service.pk}", HTTP_HOST=city.domain).json()
    assert pantry["name"] == "Community food pantry"
    listing = client.get("/reports/", HTTP_HOST=city.domain).content.decode()
    assert main.reference in listing
    assert "Deep pothole" in listing
    detail = client.get(f"/reports/{main.reference}/", HTTP_HOST=city.domain).content.decode()
    assert "We will fill it this week." in detail
    assert "Roads" in detail

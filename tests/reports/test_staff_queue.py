"""The staff queues: who sees which reports, filters, sorting, counts, pages, the triage queue."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.utils import timezone

from civicloop.accounts.enums import Role
from civicloop.reports.enums import EscalationLevel, ReporterVisibility, ReportStatus
from civicloop.reports.models import REFERENCE_ALPHABET
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, UserFactory, user_with_role
from tests.reports.factories import CategoryFactory, ReportFactory
from tests.web import html_count, login, text

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def reference() -> str:
    """A fresh reference in the real alphabet (the URL converter accepts nothing else)."""
    n = next(_numbers)
    digits = []
    for _ in range(4):
        n, rest = divmod(n, len(REFERENCE_ALPHABET))
        digits.append(REFERENCE_ALPHABET[rest])
    return "QUEU" + "".join(reversed(digits))


def make_report(category, owner=None, *, routed=(), **kwargs):
    """A report owned by owner (None: in the triage queue) and routed to owner and routed."""
    report = ReportFactory(
        category=category, owner=owner, reference=kwargs.pop("reference", None) or reference(), **kwargs
    )
    agencies = ([owner] if owner else []) + list(routed)
    if agencies:
        report.agencies.set(agencies)
    return report


def listed(response) -> list[str]:
    """The references in the page's report table, in order."""
    return re.findall(r'<th scope="row"><a href="/staff/reports/([2-9A-Z]{8})/">', response.content.decode())


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
def lights(city):
    return CategoryFactory(jurisdiction=city, code="lights", name="Street lights")


@pytest.fixture
def clerk(city, roads):
    return user_with_role(Role.AGENCY_STAFF, jurisdiction=city, agency=roads, name="Sam Staff")


@pytest.fixture
def supervisor(city):
    return user_with_role(Role.SUPERVISOR, jurisdiction=city, name="Olga Ombudsman")


# --- Who may open the queues ---------------------------------------------------------------


def test_queue_requires_sign_in(client, city):
    response = client.get("/staff/reports/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/staff/reports/")


@pytest.mark.parametrize("role", [None, Role.MONITOR])
def test_queue_is_forbidden_to_citizens_and_monitors(client, city, role):
    login(client, user_with_role(role, jurisdiction=city) if role else UserFactory())

    assert client.get("/staff/reports/").status_code == 403


def test_queue_is_forbidden_to_staff_of_another_jurisdiction(client, city, settings):
    settings.ALLOWED_HOSTS = ["villaclara.example.org"]
    elsewhere = JurisdictionFactory()
    login(client, user_with_role(Role.AGENCY_STAFF, jurisdiction=elsewhere))

    assert client.get("/staff/reports/", HTTP_HOST="villaclara.example.org").status_code == 403


def test_queue_for_staff_lists_reports_their_agency_owns_or_shares(client, city, roads, parks, lights, clerk):
    owned = make_report(lights, roads)
    shared = make_report(lights, parks, routed=[roads])
    make_report(lights, parks)
    make_report(lights, None)  # triage: not in any agency's queue
    login(client, clerk)

    response = client.get("/staff/reports/")

    assert response.status_code == 200
    assert sorted(listed(response)) == sorted([owned.reference, shared.reference])
    assert html_count(response, "<h1>Reports queue</h1>") == 1
    assert "Triage queue" not in text(response)


def test_queue_for_supervisor_shows_every_agency_and_filters_by_agency(client, city, roads, parks, lights, supervisor):
    road_report = make_report(lights, roads)
    park_report = make_report(lights, parks)
    login(client, supervisor)

    everything = client.get("/staff/reports/")
    only_parks = client.get("/staff/reports/", {"agency": parks.pk})

    assert sorted(listed(everything)) == sorted([road_report.reference, park_report.reference])
    assert listed(only_parks) == [park_report.reference]
    assert html_count(everything, '<a href="/staff/reports/triage/">Triage queue</a>') == 1


def test_queue_agency_filter_cannot_reach_another_agency(client, city, roads, parks, lights, clerk):
    make_report(lights, parks)
    mine = make_report(lights, roads)
    login(client, clerk)

    response = client.get("/staff/reports/", {"agency": parks.pk})

    assert listed(response) == [mine.reference]


# --- Filters, counts, sorting --------------------------------------------------------------


def test_queue_default_shows_open_reports_and_unverified_ones_apart(client, city, roads, lights, clerk):
    open_report = make_report(lights, roads, status=ReportStatus.ACKNOWLEDGED)
    unverified = make_report(lights, roads, status=ReportStatus.UNVERIFIED)
    fixed = make_report(lights, roads, status=ReportStatus.FIXED)
    login(client, clerk)

    assert listed(client.get("/staff/reports/")) == [open_report.reference]
    assert listed(client.get("/staff/reports/", {"status": "unverified"})) == [unverified.reference]
    assert listed(client.get("/staff/reports/", {"status": "closed"})) == [fixed.reference]
    assert sorted(listed(client.get("/staff/reports/", {"status": "all"}))) == sorted(
        [open_report.reference, unverified.reference, fixed.reference]
    )


def test_queue_counts_reports_per_status(client, city, roads, lights, clerk):
    make_report(lights, roads, status=ReportStatus.SUBMITTED)
    make_report(lights, roads, status=ReportStatus.SUBMITTED)
    make_report(lights, roads, status=ReportStatus.FIXED)
    login(client, clerk)

    response = client.get("/staff/reports/")

    assert html_count(response, '<a href="?status=submitted">Submitted <span class="count">2</span></a>') == 1
    assert html_count(response, '<a href="?status=fixed">Fixed <span class="count">1</span></a>') == 1
    assert html_count(response, '<a href="?status=duplicate">Duplicate <span class="count">0</span></a>') == 1


def test_queue_filters_by_category_and_area(client, city, roads, lights, clerk):
    potholes = CategoryFactory(jurisdiction=city, code="potholes", name="Potholes")
    north = AreaFactory(jurisdiction=city, name="North", slug="north")
    light = make_report(lights, roads, area=north)
    make_report(potholes, roads, area=north)
    make_report(lights, roads)
    login(client, clerk)

    response = client.get("/staff/reports/", {"category": lights.pk, "area": north.pk})

    assert listed(response) == [light.reference]


def test_queue_overdue_filter_finds_late_acknowledgements_and_resolutions(client, city, roads, lights, clerk):
    now = timezone.now()
    late_ack = make_report(lights, roads, acknowledge_due_at=now - dt.timedelta(hours=1))
    late_fix = make_report(
        lights,
        roads,
        status=ReportStatus.ACKNOWLEDGED,
        acknowledged_at=now - dt.timedelta(days=2),
        acknowledge_due_at=now - dt.timedelta(days=1),
        resolve_due_at=now - dt.timedelta(minutes=5),
    )
    make_report(  # acknowledged in time, resolution not yet due
        lights,
        roads,
        status=ReportStatus.ACKNOWLEDGED,
        acknowledged_at=now - dt.timedelta(days=2),
        acknowledge_due_at=now - dt.timedelta(days=1),
    )
    make_report(lights, roads)
    login(client, clerk)

    response = client.get("/staff/reports/", {"overdue": "on"})

    assert sorted(listed(response)) == sorted([late_ack.reference, late_fix.reference])
    assert html_count(response, '<span class="badge badge-overdue">overdue</span>') == 2


def test_queue_assigned_filter(client, city, roads, lights, clerk):
    colleague = user_with_role(Role.AGENCY_STAFF, jurisdiction=city, agency=roads)
    mine = make_report(lights, roads, assigned_to=clerk)
    theirs = make_report(lights, roads, assigned_to=colleague)
    nobody = make_report(lights, roads)
    login(client, clerk)

    assert listed(client.get("/staff/reports/", {"assigned": "me"})) == [mine.reference]
    assert listed(client.get("/staff/reports/", {"assigned": "none"})) == [nobody.reference]
    assert theirs.reference in listed(client.get("/staff/reports/"))


def test_queue_sorts_by_resolution_due_by_default_and_by_other_times(client, city, roads, lights, clerk):
    now = timezone.now()
    a = make_report(
        lights,
        roads,
        submitted_at=now - dt.timedelta(days=3),
        acknowledge_due_at=now + dt.timedelta(days=3),
        resolve_due_at=now + dt.timedelta(days=1),
    )
    b = make_report(
        lights,
        roads,
        submitted_at=now - dt.timedelta(days=1),
        acknowledge_due_at=now + dt.timedelta(days=1),
        resolve_due_at=now + dt.timedelta(days=3),
    )
    c = make_report(
        lights,
        roads,
        submitted_at=now - dt.timedelta(days=2),
        acknowledge_due_at=now + dt.timedelta(days=2),
        resolve_due_at=now + dt.timedelta(days=2),
    )
    login(client, clerk)

    assert listed(client.get("/staff/reports/")) == [a.reference, c.reference, b.reference]
    assert listed(client.get("/staff/reports/", {"sort": "acknowledge_due"})) == [b.reference, c.reference, a.reference]
    assert listed(client.get("/staff/reports/", {"sort": "submitted"})) == [b.reference, c.reference, a.reference]


def test_queue_ignores_invalid_filter_values(client, city, roads, lights, clerk):
    report = make_report(lights, roads)
    login(client, clerk)

    response = client.get("/staff/reports/", {"status": "nonsense", "category": "x", "sort": "evil", "page": "z"})

    assert response.status_code == 200
    assert listed(response) == [report.reference]


def test_queue_pages_keep_the_filters(client, city, roads, lights, clerk, monkeypatch):
    from civicloop.reports.views import staff

    monkeypatch.setattr(staff, "QUEUE_PAGE_SIZE", 2)
    now = timezone.now()
    reports = [make_report(lights, roads, resolve_due_at=now + dt.timedelta(days=n + 1)) for n in range(3)]
    login(client, clerk)

    first = client.get("/staff/reports/", {"assigned": "none"})
    second = client.get("/staff/reports/", {"assigned": "none", "page": 2})

    assert listed(first) == [reports[0].reference, reports[1].reference]
    assert listed(second) == [reports[2].reference]
    assert html_count(first, '<a href="?assigned=none&amp;page=2" rel="next">Next</a>') == 1


def test_queue_shows_confidential_and_sensitive_reports_to_their_agency(client, city, roads, clerk):
    sensitive = CategoryFactory(jurisdiction=city, code="abuse", name="Abuse by officials", privacy="sensitive")
    confidential = make_report(sensitive, roads, visibility=ReporterVisibility.CONFIDENTIAL)
    login(client, clerk)

    response = client.get("/staff/reports/")

    assert listed(response) == [confidential.reference]
    assert html_count(response, '<span class="badge">confidential</span>') == 1
    assert html_count(response, '<span class="badge">sensitive</span>') == 1


def test_queue_shows_escalation(client, city, roads, lights, clerk):
    make_report(lights, roads, escalation_level=EscalationLevel.MANAGER)
    login(client, clerk)

    response = client.get("/staff/reports/")

    assert html_count(response, '<span class="badge badge-escalated">Agency manager</span>') == 1


@pytest.mark.parametrize("count", [1, 3])
def test_queue_queries_do_not_grow_with_reports(
    client, city, roads, parks, lights, clerk, count, django_assert_num_queries
):
    area = AreaFactory(jurisdiction=city)
    for _ in range(count):
        make_report(lights, roads, routed=[parks], area=area, assigned_to=clerk)
    login(client, clerk)

    # jurisdiction ×2 (by host, then the only one), session, user, roles ×2 (scope, rules), my
    # agencies, the agency, category and area choices, status counts, page count, page rows, bulk
    # colleagues and agencies
    with django_assert_num_queries(15):
        response = client.get("/staff/reports/")

    assert len(listed(response)) == count


# --- Triage --------------------------------------------------------------------------------


def test_triage_lists_unrouted_reports_for_the_supervisor(client, city, roads, lights, supervisor):
    waiting = make_report(lights, None)
    make_report(lights, roads)
    login(client, supervisor)

    response = client.get("/staff/reports/triage/")

    assert response.status_code == 200
    assert listed(response) == [waiting.reference]
    assert html_count(response, '<input type="hidden" name="action" value="transfer">') == 1


@pytest.mark.parametrize("role", [Role.AGENCY_STAFF, Role.AGENCY_MANAGER, Role.MONITOR, None])
def test_triage_is_forbidden_to_everyone_else(client, city, roads, role):
    login(client, user_with_role(role, jurisdiction=city, agency=roads) if role else UserFactory())

    assert client.get("/staff/reports/triage/").status_code == 403


def test_triage_is_open_to_administrators(client, city, lights):
    waiting = make_report(lights, None)
    login(client, user_with_role(Role.ADMINISTRATOR, jurisdiction=city))

    assert listed(client.get("/staff/reports/triage/")) == [waiting.reference]


@pytest.mark.parametrize("count", [1, 3])
def test_triage_queries_do_not_grow_with_reports(client, city, lights, supervisor, count, django_assert_num_queries):
    for _ in range(count):
        make_report(lights, None, area=AreaFactory(jurisdiction=city))
    login(client, supervisor)

    with django_assert_num_queries(8):
        response = client.get("/staff/reports/triage/")

    assert len(listed(response)) == count

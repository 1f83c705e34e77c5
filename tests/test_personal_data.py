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

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_monitor():
    demo_load(seed=2026)
    jurisdiction = Jurisdiction.objects.get()
    monitor = User.objects.get(role_assignments__role=Role.MONITOR)
    people = [(user.email, user.name) for user in User.objects.all()]
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
